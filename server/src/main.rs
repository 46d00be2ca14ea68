//! `rollcall`: the trust's attendance warehouse and web app in one binary.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use queries::TrustConfig;
use server::{accounts, bench, ingest, seed, serve, Paths};

#[derive(Parser)]
#[command(
    name = "rollcall",
    version,
    about = "Attendance analytics for multi-academy trusts"
)]
struct Cli {
    /// Where the warehouse, the inbox, the archive and the quarantine live.
    #[arg(long, global = true, default_value = "data", env = "ROLLCALL_DATA_DIR")]
    data_dir: PathBuf,
    /// The trust config (TOML); default DATA_DIR/trust.toml when it exists.
    #[arg(long, global = true)]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Write a deterministic demo trust as nightly extracts.
    Seed(seed::SeedArgs),
    /// Load extract folders or .zip files (a folder of extracts loads them in name order).
    Ingest {
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Serve the web app and load what arrives in DATA_DIR/inbox.
    Serve(serve::ServeArgs),
    /// Print each academy's loaded rows and last extract.
    Status,
    /// Print overall absence, persistent and severe absence by phase and academic year.
    Summary,
    /// Accounts: add, list, disable, reset-password.
    #[command(subcommand)]
    Users(accounts::UsersCommand),
    /// API tokens: create, list, revoke.
    #[command(subcommand)]
    Tokens(accounts::TokensCommand),
    /// Time every page and API route on the loaded warehouse (docs/performance.md).
    Bench(bench::BenchArgs),
    /// Write the warehouse into the trust's lake for other engines, only what changed
    /// since the last export, published atomically (docs/scaling.md).
    Export {
        /// The lake's folder (default: `[lake] dir` in the trust config).
        lake: Option<PathBuf>,
        /// Include pupils' names, UPNs, MIS ids and dates of birth (the figures need none).
        #[arg(long)]
        with_identifiers: bool,
        /// First remove a writer that is gone (its source id, as the lake's manifest and
        /// the refusal name it): this trust's files under a lost key.
        #[arg(long, value_name = "SOURCE")]
        retire: Option<String>,
    },
}

fn load_config(cli: &Cli) -> anyhow::Result<TrustConfig> {
    let path = cli
        .config
        .clone()
        .or_else(|| Some(cli.data_dir.join("trust.toml")).filter(|p| p.exists()));
    match path {
        Some(p) => Ok(TrustConfig::load(&p)?),
        None => Ok(TrustConfig::default()),
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("rollcall: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let config = load_config(&cli)?;
    let paths = Paths {
        data_dir: cli.data_dir.clone(),
    };
    match cli.command {
        Command::Seed(args) => seed::run(args),
        Command::Ingest { paths: inputs } => ingest::run(&paths, &config, &inputs),
        Command::Serve(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            runtime.block_on(serve::run(paths, config, args))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Status => {
            let db = queries::Db::open(&paths.database())?;
            let rows = queries::status::academy_status(&db.connect()?)?;
            if rows.is_empty() {
                println!("Nothing loaded yet.");
            }
            for r in rows {
                println!(
                    "{} {:<36} {:<10} {:>6} pupils {:>10} marks  {}..{}  last extract {} ({})",
                    r.urn,
                    r.name,
                    r.phase,
                    r.pupils,
                    r.marks,
                    r.first_mark.unwrap_or_default(),
                    r.last_mark.unwrap_or_default(),
                    r.last_extracted_at.unwrap_or_default(),
                    r.last_status.unwrap_or_default()
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Bench(args) => bench::run(&paths, args),
        Command::Export {
            lake,
            with_identifiers,
            retire,
        } => {
            let settings = config.lake.clone();
            let dir = lake
                .or_else(|| settings.as_ref().map(|l| l.dir.clone()))
                .context("name the lake's folder, or set [lake] dir in the trust config")?;
            let with_identifiers =
                with_identifiers || settings.is_some_and(|l| l.dir == dir && l.with_identifiers);
            if let Some(writer) = retire {
                let n = queries::lake::retire(&dir, &writer)?;
                println!("lake snapshot {n}: writer {writer} retired, its files gone from it");
            }
            let db = match queries::Db::open(&paths.database()) {
                Ok(db) => db,
                Err(queries::db::DbError::Locked { .. }) => {
                    return server::lake::export_by_server(&paths, &dir, with_identifiers)
                }
                Err(e) => return Err(e.into()),
            };
            // This process does nothing else: DuckDB sorts and writes in 1 GB, spilling
            // the rest (a 30-million-mark year otherwise peaks at 4 GB resident).
            db.connect()?.execute_batch("SET memory_limit = '1GB'")?;
            let started = std::time::Instant::now();
            let done = server::lake::export(&db, &paths, &config, &dir, with_identifiers)?;
            for f in &done.written {
                println!(
                    "written  {:<64} {:>12} rows {:>12} bytes",
                    f.path, f.rows, f.bytes
                );
            }
            println!("{}", server::lake::summary(&done, started.elapsed()));
            Ok(ExitCode::SUCCESS)
        }
        Command::Users(cmd) => accounts::users(&paths, cmd),
        Command::Tokens(cmd) => accounts::tokens(&paths, cmd),
        Command::Summary => {
            let db = queries::Db::open(&paths.database())?;
            println!(
                "{:<8} {:<10} {:>9} {:>9} {:>7} {:>7}",
                "year", "phase", "enrolled", "absence%", "PA%", "SA%"
            );
            for r in queries::status::phase_summary(&db.connect()?)? {
                println!(
                    "{:<8} {:<10} {:>9} {:>9.2} {:>7.2} {:>7.2}",
                    r.academic_year, r.phase, r.enrolments, r.absence_rate, r.pa_rate, r.sa_rate
                );
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
