//! `rollcall seed`: write the demo trust as nightly extracts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use seed_data::{calendar, SeedOptions};

#[derive(clap::Args)]
pub struct SeedArgs {
    /// The folder to write extracts into.
    #[arg(long)]
    out: PathBuf,
    /// The last night of data (default: the last school day before today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// A larger trust, e.g. `academies=60,pupils=50000,years=3` (also `nights=N`).
    #[arg(long)]
    scale: Option<String>,
    /// The random seed (the same seed writes the same bytes).
    #[arg(long)]
    seed: Option<u64>,
}

pub fn default_as_of() -> NaiveDate {
    calendar::last_school_day_before(chrono::Local::now().date_naive())
}

pub fn options(
    as_of: Option<NaiveDate>,
    scale: Option<&str>,
    seed: Option<u64>,
) -> anyhow::Result<SeedOptions> {
    let mut opts = SeedOptions::demo(as_of.unwrap_or_else(default_as_of));
    if let Some(scale) = scale {
        opts.apply_scale(scale)
            .map_err(|e| anyhow::anyhow!("--scale: {e}"))?;
    }
    if let Some(seed) = seed {
        opts.seed = seed;
    }
    Ok(opts)
}

/// Writes the trust with a progress bar; returns the extract folders in load order.
pub fn write(opts: &SeedOptions, out: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    let started = Instant::now();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} seeding [{bar:30}] {pos}/{len} extracts {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    let summary = seed_data::generate(opts, out, &mut |path, done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(
            path.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        );
    })?;
    bar.finish_and_clear();
    println!(
        "seeded {} academies, {} enrolments: {} extracts, {} mark rows, {:.1} MB in {:.1}s (as of {}) -> {}",
        opts.academies,
        summary.pupils,
        summary.extracts.len(),
        summary.mark_rows,
        summary.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        opts.as_of,
        out.display()
    );
    Ok(summary.extracts)
}

pub fn run(args: SeedArgs) -> anyhow::Result<ExitCode> {
    let opts = options(args.as_of, args.scale.as_deref(), args.seed)?;
    write(&opts, &args.out)?;
    Ok(ExitCode::SUCCESS)
}
