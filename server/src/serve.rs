//! `rollcall serve`: the web app, and the inbox watcher that loads what arrives.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use app::ssr::Warehouse;
use app::{shell, App};
use axum::Router;
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use queries::{Db, Status, TrustConfig};

use crate::{api, ingest, seed, Paths};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000", env = "ROLLCALL_ADDR")]
    addr: SocketAddr,
    /// Demo mode: on first run, seed the demo trust into DATA_DIR and load it.
    #[arg(long)]
    demo: bool,
    /// Seconds between looks at the inbox.
    #[arg(long, default_value_t = 2)]
    inbox_every: u64,
}

pub fn leptos_options(addr: SocketAddr) -> LeptosOptions {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    LeptosOptions::builder()
        .output_name(env("LEPTOS_OUTPUT_NAME", "rollcall"))
        .site_root(env("LEPTOS_SITE_ROOT", "target/site"))
        .site_pkg_dir(env("LEPTOS_SITE_PKG_DIR", "pkg"))
        .site_addr(addr)
        .build()
}

pub async fn run(paths: Paths, config: TrustConfig, args: ServeArgs) -> anyhow::Result<()> {
    let db = {
        let path = paths.database();
        tokio::task::spawn_blocking(move || Db::open(&path)).await??
    };
    let db = Arc::new(db);
    if args.demo {
        let (db, config, data_dir) = (db.clone(), config.clone(), paths.data_dir.clone());
        tokio::task::spawn_blocking(move || ensure_demo(&db, &config, &data_dir)).await??;
    }
    let warehouse = Warehouse::new(db.clone());
    tokio::spawn(watch_inbox(
        db.clone(),
        config.clone(),
        paths.data_dir.clone(),
        paths.inbox(),
        Duration::from_secs(args.inbox_every.max(1)),
    ));

    let options = leptos_options(args.addr);
    let site_root = options.site_root.to_string();
    if !Path::new(&site_root).join("pkg").exists() {
        tracing::warn!(
            "{site_root}/pkg is missing: build the front end with `cargo leptos build` (pages render, without hydration)"
        );
    }
    let app = router(warehouse, options);

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    println!("Rollcall is serving http://{}", args.addr);
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}

/// The whole web app: Leptos pages and server functions, static files, the API.
pub fn router(warehouse: Warehouse, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let warehouse = warehouse.clone();
        move || provide_context(warehouse.clone())
    };
    Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(api::routes(warehouse))
        .layer(tower_http::trace::TraceLayer::new_for_http())
}

/// First run of the demo: seed the demo trust into DATA_DIR/seed and load it.
fn ensure_demo(db: &Db, config: &TrustConfig, data_dir: &Path) -> anyhow::Result<()> {
    let loaded = queries::status::academy_status(&db.connect()?)?;
    if !loaded.is_empty() {
        println!(
            "Demo: {} academies already loaded in {}",
            loaded.len(),
            data_dir.display()
        );
        return Ok(());
    }
    let seed_dir = data_dir.join("seed");
    let opts = seed::options(None, None, None)?;
    let extracts = if seed_dir.exists() {
        ingest::expand(&[seed_dir])?
    } else {
        seed::write(&opts, &seed_dir)?
    };
    let outcomes = ingest::load_all(db, config, data_dir, &extracts)?;
    let rows: u64 = outcomes.iter().map(|o| o.rows_loaded()).sum();
    println!("Demo: loaded {} extracts, {rows} rows", outcomes.len());
    Ok(())
}

/// Loads whatever lands in the inbox, oldest name first; a loaded extract's original is
/// in the archive and a rejected one in quarantine, so the inbox copy is removed.
async fn watch_inbox(
    db: Arc<Db>,
    config: TrustConfig,
    data_dir: PathBuf,
    inbox: PathBuf,
    every: Duration,
) {
    if let Err(e) = std::fs::create_dir_all(&inbox) {
        tracing::error!("cannot create the inbox {}: {e}", inbox.display());
        return;
    }
    tracing::info!("watching {} for extracts", inbox.display());
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let (db, config, data_dir, inbox) =
            (db.clone(), config.clone(), data_dir.clone(), inbox.clone());
        let done = tokio::task::spawn_blocking(move || -> anyhow::Result<usize> {
            if inbox.join("manifest.json").exists() {
                anyhow::bail!(
                    "{} holds a loose manifest.json: put each extract in a folder (or a .zip) of its own",
                    inbox.display()
                );
            }
            let items = ingest::expand(std::slice::from_ref(&inbox))?;
            let loader = queries::Loader::new(&db, &config).with_store(&data_dir);
            for item in &items {
                let outcome = loader.load(item)?;
                match outcome.status {
                    Status::Rejected => tracing::warn!(target: "rollcall::inbox", "{}", outcome.summary_line()),
                    _ => tracing::info!(target: "rollcall::inbox", "{}", outcome.summary_line()),
                }
                if item.is_dir() {
                    std::fs::remove_dir_all(item)?;
                } else {
                    std::fs::remove_file(item)?;
                }
            }
            Ok(items.len())
        })
        .await;
        match done {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::error!("inbox: {e:#}"),
            Err(e) => tracing::error!("inbox task: {e}"),
        }
    }
}
