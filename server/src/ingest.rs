//! `rollcall ingest`: load extracts, or hand them to a running server's inbox.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use queries::{Db, DbError, LoadOutcome, Loader, Stage, Status, TrustConfig};

use crate::Paths;

/// Exit status when the load ran but one or more extracts were rejected.
const SOME_REJECTED: u8 = 2;
/// Exit status when writing one or more extracts failed (the rest were loaded).
const SOME_FAILED: u8 = 3;

/// The extracts named by `inputs`: an extract folder (it has a manifest.json) or a
/// `.zip` stands for itself; any other folder for the extracts inside it, in name order
/// (the seed generator names them by night, so name order is arrival order).
pub fn expand(inputs: &[PathBuf]) -> anyhow::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for input in inputs {
        expand_one(input, &mut out)?;
    }
    Ok(out)
}

fn is_zip(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("zip"))
}

fn expand_one(input: &Path, out: &mut Vec<PathBuf>) -> anyhow::Result<()> {
    if input.is_dir() && !input.join("manifest.json").exists() {
        let mut children: Vec<PathBuf> = std::fs::read_dir(input)
            .with_context(|| format!("reading {}", input.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                let hidden = p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'));
                !hidden && (p.is_dir() || is_zip(p))
            })
            .collect();
        children.sort();
        for child in children {
            expand_one(&child, out)?;
        }
    } else {
        // A missing path is kept: the loader rejects it with a clear report.
        out.push(input.to_path_buf());
    }
    Ok(())
}

/// Loads `extracts` in order, printing one line per extract.
pub fn load_all(
    db: &Db,
    config: &TrustConfig,
    data_dir: &Path,
    extracts: &[PathBuf],
) -> anyhow::Result<Vec<LoadOutcome>> {
    let loader = Loader::new(db, config).with_store(data_dir);
    let bar = ProgressBar::new(extracts.len() as u64);
    bar.set_style(
        ProgressStyle::with_template("{spinner} loading [{bar:30}] {pos}/{len} {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    let mut outcomes = Vec::with_capacity(extracts.len());
    for path in extracts {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        bar.set_message(format!("{name}: reading"));
        let loaded = loader.load_with_progress(path, &mut |stage| {
            let what = match stage {
                Stage::Read => "validating",
                Stage::Validated => "archiving",
                Stage::Writing => "writing",
                Stage::Committed => "done",
            };
            bar.set_message(format!("{name}: {what}"));
        });
        // A load that fails is reported and the batch goes on; the exit status says so.
        let outcome = loaded.unwrap_or_else(|e| LoadOutcome::failure(path, e));
        bar.suspend(|| {
            println!("{}", outcome.summary_line());
            if let Some(report) = &outcome.report {
                println!("         every rejected row: {}", report.display());
            }
            if outcome.status == Status::Rejected {
                if let Some(q) = &outcome.archived_as {
                    println!("         quarantined at {} (report beside it)", q.display());
                }
                for r in outcome.rejected_rows.iter().take(5) {
                    println!("         {r}");
                }
            }
        });
        tracing::debug!(target: "rollcall::load", "{}", outcome.summary_line());
        bar.inc(1);
        outcomes.push(outcome);
    }
    bar.finish_and_clear();
    Ok(outcomes)
}

pub fn run(paths: &Paths, config: &TrustConfig, inputs: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let extracts = expand(inputs)?;
    if extracts.is_empty() {
        anyhow::bail!(
            "no extracts found in {}",
            inputs
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let db = match Db::open(&paths.database()) {
        Ok(db) => db,
        Err(DbError::Locked { .. }) => {
            let handed = hand_to_inbox(&paths.inbox(), &extracts)?;
            println!(
                "A running `rollcall serve` holds {}; handed {handed} extract(s) to its inbox ({}). \
                 It loads them within seconds: see its log or the Data loaded page.",
                paths.database().display(),
                paths.inbox().display()
            );
            return Ok(ExitCode::SUCCESS);
        }
        Err(e) => return Err(e.into()),
    };
    let outcomes = load_all(&db, config, &paths.data_dir, &extracts)?;
    let rejected = outcomes
        .iter()
        .filter(|o| o.status == Status::Rejected)
        .count();
    let failed = outcomes
        .iter()
        .filter(|o| o.status == Status::Failed)
        .count();
    let loaded = outcomes
        .iter()
        .filter(|o| o.status == Status::Loaded)
        .count();
    let rows: u64 = outcomes.iter().map(|o| o.rows_loaded()).sum();
    let secs: f64 = outcomes.iter().map(|o| o.duration.as_secs_f64()).sum();
    println!(
        "{} extract(s): {loaded} loaded, {} already loaded, {rejected} rejected, {failed} failed; {rows} rows in {secs:.1}s",
        outcomes.len(),
        outcomes.len() - loaded - rejected - failed
    );
    Ok(if failed > 0 {
        ExitCode::from(SOME_FAILED)
    } else if rejected > 0 {
        ExitCode::from(SOME_REJECTED)
    } else {
        ExitCode::SUCCESS
    })
}

/// Copies extracts into the inbox: each under a hidden name first, then renamed, so
/// the watcher never sees half a copy.
pub fn hand_to_inbox(inbox: &Path, extracts: &[PathBuf]) -> anyhow::Result<usize> {
    std::fs::create_dir_all(inbox)?;
    for (i, src) in extracts.iter().enumerate() {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| format!("extract-{i}"));
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%3f");
        let final_name = format!("{stamp}-{i:04}-{name}");
        let tmp = inbox.join(format!(".incoming-{final_name}"));
        copy_tree(src, &tmp).with_context(|| format!("copying {}", src.display()))?;
        std::fs::rename(&tmp, inbox.join(final_name))?;
    }
    Ok(extracts.len())
}

fn copy_tree(src: &Path, dest: &Path) -> std::io::Result<()> {
    if src.is_dir() {
        std::fs::create_dir_all(dest)?;
        for entry in std::fs::read_dir(src)? {
            let entry = entry?;
            copy_tree(&entry.path(), &dest.join(entry.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(src, dest).map(|_| ())
    }
}
