//! `rollcall export` and, in `serve`, the same export after each night's loads: the
//! warehouse into the trust's lake (`queries::lake`, docs/scaling.md). The server holds
//! the warehouse open, so while it runs it is the one that exports: `rollcall export`
//! then leaves it a request (`DATA_DIR/lake-requests/`) and waits for the answer.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use app::ssr::Warehouse;
use queries::lake::{self, Exported, Source};
use queries::{Db, TrustConfig};

use crate::Paths;

/// Exports `db` into `dir` as this trust (its key kept in the data folder).
pub fn export(
    db: &Db,
    paths: &Paths,
    config: &TrustConfig,
    dir: &Path,
    with_identifiers: bool,
) -> anyhow::Result<Exported> {
    let source = Source::load_or_create(&paths.lake_key(), &config.name)?;
    let conn = db.connect()?;
    Ok(lake::export(&conn, dir, &source, with_identifiers)?)
}

/// One line for the log or the terminal.
pub fn summary(e: &Exported, elapsed: Duration) -> String {
    let bytes: u64 = e.written.iter().map(|f| f.bytes).sum();
    format!(
        "lake snapshot {} at {}: {} files written ({:.1} MB), {} unchanged, {} marks, in {:.1} s",
        e.snapshot,
        e.dir.display(),
        e.written.len(),
        bytes as f64 / 1e6,
        e.kept.len(),
        e.rows("marks"),
        elapsed.as_secs_f64()
    )
}

/// What `rollcall export` asks of a running server.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
struct Request {
    dir: PathBuf,
    with_identifiers: bool,
}

/// Leaves the running server a request to export into `dir`; returns where its answer
/// will be (a `.result` file: the summary line, or `error: ...`).
pub fn request(paths: &Paths, dir: &Path, with_identifiers: bool) -> anyhow::Result<PathBuf> {
    let folder = paths.lake_requests();
    std::fs::create_dir_all(&folder)?;
    let name = format!(
        "{}-{}",
        chrono::Utc::now().format("%Y%m%dT%H%M%S%.f"),
        std::process::id()
    );
    let body = serde_json::to_vec(&Request {
        dir: std::path::absolute(dir)?,
        with_identifiers,
    })?;
    // Written under a hidden name, then renamed: the server never reads half a request.
    let hidden = folder.join(format!(".{name}.json"));
    std::fs::write(&hidden, body)?;
    std::fs::rename(&hidden, folder.join(format!("{name}.json")))?;
    Ok(folder.join(format!("{name}.result")))
}

/// Answers the requests waiting in `DATA_DIR/lake-requests/`, oldest first.
fn answer_requests(db: &Db, paths: &Paths, config: &TrustConfig) {
    let folder = paths.lake_requests();
    let Ok(entries) = std::fs::read_dir(&folder) else {
        return;
    };
    let mut waiting: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        })
        .collect();
    waiting.sort();
    for path in waiting {
        // Taken first (renamed out of the queue): whatever happens next, it is answered
        // at most once.
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let taken = folder.join(format!(".{name}.taken"));
        if let Err(e) = std::fs::rename(&path, &taken) {
            tracing::error!(target: "rollcall::lake", "{}: {e}", path.display());
            continue;
        }
        let started = Instant::now();
        let answer = std::fs::read(&taken)
            .map_err(anyhow::Error::from)
            .and_then(|bytes| Ok(serde_json::from_slice::<Request>(&bytes)?))
            .and_then(|r| export(db, paths, config, &r.dir, r.with_identifiers));
        let line = match answer {
            Ok(e) => {
                let line = summary(&e, started.elapsed());
                tracing::info!(target: "rollcall::lake", "requested: {line}");
                line
            }
            Err(e) => {
                tracing::error!(target: "rollcall::lake", "requested export: {e:#}");
                format!("error: {e:#}")
            }
        };
        // Written under a hidden name, then renamed: the CLI never reads half an answer.
        let hidden = folder.join(format!(".{name}.result"));
        let result = folder.join(format!("{name}.result"));
        let delivered = std::fs::write(&hidden, line)
            .and_then(|_| std::fs::rename(&hidden, &result))
            .and_then(|_| std::fs::remove_file(&taken));
        if let Err(e) = delivered {
            tracing::error!(target: "rollcall::lake", "{}: {e}", result.display());
        }
    }
}

/// The file a serving `rollcall serve` touches every second, so that `rollcall export`
/// knows a server will answer its request (and not some other process holding the
/// warehouse, an `ingest` say).
fn heartbeat(paths: &Paths) -> PathBuf {
    paths.lake_requests().join(".serving")
}

/// A server has touched [`heartbeat`] within the last few seconds.
fn server_listening(paths: &Paths) -> bool {
    std::fs::metadata(heartbeat(paths))
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.elapsed().ok())
        .is_some_and(|age| age < Duration::from_secs(10))
}

/// How long the loads must have stopped before exporting: a night's extracts arrive
/// together and are exported once.
const LOADS_SETTLE: Duration = Duration::from_secs(3);

/// In `serve`: answers `rollcall export`'s requests and, when the trust config names a
/// lake, exports when the server starts and after each run of loads.
pub async fn export_after_loads(w: Warehouse, paths: Paths, config: TrustConfig) {
    let mut exported: Option<u64> = None;
    let mut seen: Option<(u64, Instant)> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    if let Err(e) = std::fs::create_dir_all(paths.lake_requests()) {
        tracing::error!(target: "rollcall::lake", "{}: {e}", paths.lake_requests().display());
    }
    loop {
        tick.tick().await;
        if let Err(e) = std::fs::write(heartbeat(&paths), b"") {
            tracing::warn!(target: "rollcall::lake", "{}: {e}", heartbeat(&paths).display());
        }
        if paths.lake_requests().is_dir() {
            let (db, paths, config) = (w.db().clone(), paths.clone(), config.clone());
            if let Err(e) =
                tokio::task::spawn_blocking(move || answer_requests(&db, &paths, &config)).await
            {
                tracing::error!(target: "rollcall::lake", "export requests: {e}");
            }
        }
        let Some(settings) = config.lake.clone() else {
            continue;
        };
        let generation = match w.run(Warehouse::generation).await {
            Ok(g) => g,
            Err(e) => {
                tracing::error!("lake: reading the load generation: {e}");
                continue;
            }
        };
        // Nothing loaded yet: nothing to export.
        if exported == Some(generation) || generation == 0 {
            continue;
        }
        match seen {
            Some((g, since)) if g == generation && since.elapsed() >= LOADS_SETTLE => {}
            Some((g, _)) if g == generation => continue,
            _ => {
                seen = Some((generation, Instant::now()));
                continue;
            }
        }
        let (db, paths, config) = (w.db().clone(), paths.clone(), config.clone());
        let started = Instant::now();
        let done = tokio::task::spawn_blocking(move || {
            export(
                &db,
                &paths,
                &config,
                &settings.dir,
                settings.with_identifiers,
            )
        })
        .await;
        match done {
            Ok(Ok(e)) => tracing::info!(
                target: "rollcall::lake",
                "after load {generation}: {}",
                summary(&e, started.elapsed())
            ),
            // Tried again after the next load, not every second.
            Ok(Err(e)) => {
                tracing::error!(target: "rollcall::lake", "after load {generation}: {e:#}")
            }
            Err(e) => tracing::error!(target: "rollcall::lake", "export task: {e}"),
        }
        exported = Some(generation);
    }
}

/// `rollcall export` while `serve` holds the warehouse: asks the server and waits for
/// its answer (an export of a large warehouse takes a minute or so).
pub fn export_by_server(
    paths: &Paths,
    dir: &Path,
    with_identifiers: bool,
) -> anyhow::Result<std::process::ExitCode> {
    if !server_listening(paths) {
        anyhow::bail!(
            "{} is held by another rollcall process that is not a running server (an ingest?): \
             export when it has finished",
            paths.database().display()
        );
    }
    let result = request(paths, dir, with_identifiers)?;
    println!(
        "A running `rollcall serve` holds {}: asked it to export (waiting for {}).",
        paths.database().display(),
        result.display()
    );
    let deadline = Instant::now() + Duration::from_secs(30 * 60);
    while Instant::now() < deadline {
        if let Ok(answer) = std::fs::read_to_string(&result).map(|a| a.trim().to_string()) {
            let _ = std::fs::remove_file(&result);
            println!("{answer}");
            return Ok(if answer.starts_with("error:") {
                std::process::ExitCode::FAILURE
            } else {
                std::process::ExitCode::SUCCESS
            });
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    // Withdrawn, unless the server has taken it meanwhile.
    let _ = std::fs::remove_file(result.with_extension("json"));
    anyhow::bail!("the server did not answer within 30 minutes; its log says why")
}
