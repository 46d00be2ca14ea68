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

use crate::{api, auth, ingest, seed, Paths};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:3000", env = "ROLLCALL_ADDR")]
    addr: SocketAddr,
    /// Demo mode: on first run, seed the demo trust into DATA_DIR and load it.
    #[arg(long)]
    demo: bool,
    /// Serving over HTTPS (directly or behind a TLS reverse proxy): session cookies
    /// are marked Secure and browsers are told to use HTTPS only (HSTS).
    #[arg(long)]
    secure_cookies: bool,
    /// A reverse proxy whose `X-Forwarded-For` header is believed (repeat for more);
    /// from any other peer the header is ignored. See docs/deploy.md.
    #[arg(
        long = "trusted-proxy",
        env = "ROLLCALL_TRUSTED_PROXIES",
        value_delimiter = ','
    )]
    trusted_proxies: Vec<std::net::IpAddr>,
    /// The largest extract upload accepted, in MB (`POST /api/v1/extracts`).
    #[arg(long, default_value_t = crate::upload::DEFAULT_MAX_MB, env = "ROLLCALL_MAX_UPLOAD_MB")]
    max_upload_mb: u64,
    /// Minutes a session may go unused before it ends.
    #[arg(long, default_value_t = 120, env = "ROLLCALL_SESSION_IDLE_MINUTES")]
    session_idle_minutes: u64,
    /// Hours after signing in that a session ends, used or not.
    #[arg(long, default_value_t = 12, env = "ROLLCALL_SESSION_MAX_HOURS")]
    session_max_hours: u64,
    /// Seconds between looks at the inbox.
    #[arg(long, default_value_t = 2)]
    inbox_every: u64,
    /// Do not build the morning's reports after each load (they are then built by the
    /// first request for each).
    #[arg(long)]
    no_warm: bool,
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
        tokio::task::spawn_blocking(move || {
            ensure_demo(&db, &config, &data_dir)?;
            demo_accounts(&db)
        })
        .await??;
    }
    let warehouse = Warehouse::new(db.clone()).with_config(&config);
    if !args.no_warm {
        tokio::spawn(warm_after_loads(warehouse.clone()));
    }
    tokio::spawn(crate::lake::export_after_loads(
        warehouse.clone(),
        paths.clone(),
        config.clone(),
    ));
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
    let auth = auth::Auth::new(db.clone(), args.demo)
        .with_trusted_proxies(args.trusted_proxies)
        .with_session_limits(
            Duration::from_secs(args.session_idle_minutes * 60),
            Duration::from_secs(args.session_max_hours * 3600),
        );
    tokio::spawn({
        use tower_sessions::session_store::ExpiredDeletion;
        let sessions = crate::sessions::Sessions::new(db.clone());
        async move {
            let mut every = tokio::time::interval(Duration::from_secs(300));
            loop {
                every.tick().await;
                if let Err(e) = sessions.delete_expired().await {
                    tracing::warn!("sweeping expired sessions: {e}");
                }
            }
        }
    });
    let uploads =
        crate::upload::Uploads::new(paths.inbox()).with_max_bytes(args.max_upload_mb << 20);
    let app = router(warehouse, options, auth, args.secure_cookies, uploads);

    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .with_context(|| format!("listening on {}", args.addr))?;
    println!("Rollcall is serving http://{}", args.addr);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

/// The pages, server functions, static files and the API, without the guard.
pub fn app_routes(warehouse: Warehouse, options: LeptosOptions) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let warehouse = warehouse.clone();
        move || {
            provide_context(warehouse.clone());
            // Each page's inline scripts carry a fresh nonce, and its policy names it.
            leptos::nonce::provide_nonce();
            if let (Some(nonce), Some(response)) = (
                leptos::nonce::use_nonce(),
                use_context::<leptos_axum::ResponseOptions>(),
            ) {
                response.insert_header(
                    axum::http::header::CONTENT_SECURITY_POLICY,
                    crate::headers::policy(Some(&nonce))
                        .parse()
                        .expect("a header value"),
                );
            }
        }
    };
    Router::new()
        .leptos_routes_with_context(&options, routes, context, {
            let options = options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler(shell))
        .with_state(options)
        .merge(api::routes(warehouse.clone()))
        .merge(crate::documents::routes(warehouse.clone()))
        .merge(crate::audit::routes(warehouse))
}

/// The whole web app: [`app_routes`] and sign in and out, every route behind
/// [`auth::guard`], sessions in secure cookies.
pub fn router(
    warehouse: Warehouse,
    options: LeptosOptions,
    auth: auth::Auth,
    secure_cookies: bool,
    uploads: impl Into<crate::upload::Uploads>,
) -> Router {
    app_routes(warehouse, options)
        .merge(crate::upload::routes(uploads.into()))
        .merge(
            Router::new()
                .route("/session", axum::routing::post(auth::sign_in))
                .route("/session/end", axum::routing::post(auth::sign_out))
                .with_state(auth.clone()),
        )
        .layer(axum::middleware::from_fn_with_state(
            auth.clone(),
            auth::guard,
        ))
        .layer(
            tower_sessions::SessionManagerLayer::new(crate::sessions::Sessions::new(auth.db()))
                .with_name("rollcall")
                .with_http_only(true)
                .with_same_site(tower_sessions::cookie::SameSite::Strict)
                .with_secure(secure_cookies)
                .with_expiry(tower_sessions::Expiry::OnInactivity(
                    tower_sessions::cookie::time::Duration::seconds(auth.idle.as_secs() as i64),
                )),
        )
        .layer(axum::middleware::from_fn_with_state(
            crate::headers::Https(secure_cookies),
            crate::headers::security,
        ))
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
    let actions = seed::demo_cases(db)?;
    println!("Demo: recorded a history of {actions} case actions");
    Ok(())
}

/// Demo accounts, one per role, with fresh passwords printed at every demo start. They
/// can sign in only while the server runs with `--demo`.
fn demo_accounts(db: &Db) -> anyhow::Result<()> {
    use queries::accounts;
    use queries::types::Role;
    let conn = db.connect()?;
    let first = queries::figures::academies(&conn)?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no academy loaded for the demo accounts"))?;
    let accounts_wanted = [
        (
            "trust@demo.rollcall",
            "Demo trust lead",
            Role::Trust,
            vec![],
        ),
        (
            "principal@demo.rollcall",
            "Demo principal",
            Role::Academy,
            vec![first.urn.clone()],
        ),
        (
            "governor@demo.rollcall",
            "Demo governor",
            Role::Governor,
            vec![first.urn.clone()],
        ),
    ];
    println!("Demo accounts (only while serving with --demo):");
    for (email, name, role, academies) in accounts_wanted {
        let password = accounts::secret(8);
        let store = db.accounts().connect()?;
        if accounts::find_user(&store, email)?.is_none() {
            accounts::add_user(&store, email, name, role, &academies, &password, true)?;
        } else {
            accounts::set_password(&store, email, &password)?;
        }
        println!(
            "  {:<9} {email:<26} password {password}  ({})",
            role.as_str(),
            if academies.is_empty() {
                "whole trust".to_string()
            } else {
                first.name.clone()
            }
        );
    }
    Ok(())
}

/// Loads what arrives in the inbox, one extract at a time, for as long as the server
/// runs. An extract is moved to `processing/` before it is read, so one that stops the
/// server (a crash, a kill) is found there at the next start and quarantined, not read
/// again in a loop. One that fails to load is quarantined with a note of why; the
/// others are loaded and removed (the loader keeps its own copy of each).
async fn watch_inbox(
    db: Arc<Db>,
    config: TrustConfig,
    data_dir: PathBuf,
    inbox: PathBuf,
    every: Duration,
) {
    let processing = data_dir.join("processing");
    if let Err(e) = std::fs::create_dir_all(&inbox).and(std::fs::create_dir_all(&processing)) {
        tracing::error!("cannot create the inbox {}: {e}", inbox.display());
        return;
    }
    if let Ok(left) = std::fs::read_dir(&processing) {
        for item in left.flatten() {
            quarantine(
                &data_dir,
                &item.path(),
                "the server stopped while loading it; not loaded again automatically (load it by hand with `rollcall ingest` once the cause is known)",
            );
        }
    }
    tracing::info!("watching {} for extracts", inbox.display());
    let mut tick = tokio::time::interval(every);
    loop {
        tick.tick().await;
        let (db, config, data_dir, inbox, processing) = (
            db.clone(),
            config.clone(),
            data_dir.clone(),
            inbox.clone(),
            processing.clone(),
        );
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
                let name = item.file_name().unwrap_or_default();
                let taken = processing.join(name);
                std::fs::rename(item, &taken)?;
                match loader.load(&taken) {
                    Ok(outcome) if outcome.status == Status::Failed => {
                        tracing::warn!(target: "rollcall::inbox", "{}", outcome.summary_line());
                        // Not loaded, and not the extract's fault: kept for a later try
                        // by hand (`rollcall ingest`).
                        quarantine(&data_dir, &taken, &outcome.summary_line());
                    }
                    Ok(outcome) => {
                        if outcome.status == Status::Rejected {
                            tracing::warn!(target: "rollcall::inbox", "{}", outcome.summary_line());
                        } else {
                            tracing::info!(target: "rollcall::inbox", "{}", outcome.summary_line());
                        }
                        if taken.is_dir() {
                            std::fs::remove_dir_all(&taken)?;
                        } else {
                            std::fs::remove_file(&taken)?;
                        }
                    }
                    Err(e) => {
                        tracing::error!(target: "rollcall::inbox", "{}: {e:#}", taken.display());
                        quarantine(&data_dir, &taken, &format!("{e:#}"));
                    }
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

/// How long the loads must have stopped before the warm-up starts: a night's extracts
/// arrive together, and are warmed for once.
const LOADS_SETTLE: Duration = Duration::from_secs(3);

/// Builds the morning's reports ([`Warehouse::warm`]) when the server starts and after
/// each run of loads (a new load generation that has held for [`LOADS_SETTLE`]).
async fn warm_after_loads(w: Warehouse) {
    let mut warmed: Option<u64> = None;
    let mut seen: Option<(u64, std::time::Instant)> = None;
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    loop {
        tick.tick().await;
        let generation = match w.run(Warehouse::generation).await {
            Ok(g) => g,
            Err(e) => {
                tracing::error!("warm-up: reading the load generation: {e}");
                continue;
            }
        };
        if warmed == Some(generation) {
            continue;
        }
        match seen {
            Some((g, since)) if g == generation && since.elapsed() >= LOADS_SETTLE => {}
            Some((g, _)) if g == generation => continue,
            _ => {
                seen = Some((generation, std::time::Instant::now()));
                continue;
            }
        }
        let started = std::time::Instant::now();
        match w.warm().await {
            Ok(done) => tracing::info!(
                "warm-up after load {generation}: {} reports for {} kinds of viewer in {} ms",
                done.reports,
                done.viewers,
                started.elapsed().as_millis()
            ),
            Err(e) => tracing::error!("warm-up after load {generation}: {e}"),
        }
        warmed = Some(generation);
    }
}

/// Moves an extract out of the way into `quarantine/`, with a note of why beside it.
fn quarantine(data_dir: &Path, item: &Path, why: &str) {
    let dir = data_dir.join("quarantine");
    let name = item.file_name().unwrap_or_default().to_string_lossy();
    let dest = dir.join(format!("failed-{name}"));
    let moved = std::fs::create_dir_all(&dir).and_then(|()| std::fs::rename(item, &dest));
    match moved {
        Ok(()) => {
            let _ = std::fs::write(dir.join(format!("failed-{name}.txt")), format!("{why}\n"));
            tracing::warn!(target: "rollcall::inbox", "kept at {}: {why}", dest.display());
        }
        Err(e) => {
            tracing::error!(target: "rollcall::inbox", "cannot quarantine {}: {e}", item.display())
        }
    }
}
