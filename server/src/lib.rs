//! The `rollcall` binary's parts: the CLI commands, the web server and the metrics API.

pub mod accounts;
pub mod api;
pub mod audit;
pub mod auth;
pub mod bench;
pub mod documents;
pub mod download;
pub mod headers;
pub mod ingest;
pub mod lake;
pub mod limit;
pub mod seed;
pub mod serve;
pub mod sessions;
pub mod upload;

use std::path::PathBuf;

use app::ssr::Warehouse;
use axum::routing::MethodRouter;
use axum::Router;

/// A routes table (method, path) with its handlers in the same order, as a router with
/// the warehouse as its state. Rows past the last handler are routed elsewhere.
pub fn routed<'a>(
    routes: impl IntoIterator<Item = &'a (&'a str, &'a str)>,
    handlers: impl IntoIterator<Item = MethodRouter<Warehouse>>,
    warehouse: Warehouse,
) -> Router {
    routes
        .into_iter()
        .zip(handlers)
        .fold(Router::new(), |router, ((_, path), handler)| {
            router.route(path, handler)
        })
        .with_state(warehouse)
}

/// Where a data folder keeps its parts.
#[derive(Clone)]
pub struct Paths {
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("rollcall.duckdb")
    }

    /// The accounts store (accounts, tokens, sessions, the audit log), opened on its
    /// own: the CLI may change accounts while the server runs.
    pub fn accounts(&self) -> anyhow::Result<queries::accounts::Store> {
        Ok(queries::accounts::Store::open(
            &queries::db::accounts_path(&self.database()),
        )?)
    }

    /// The trust's key for pupil references in the lake (`queries::lake::Source`).
    pub fn lake_key(&self) -> PathBuf {
        self.data_dir.join("lake.key")
    }

    /// Where `rollcall export` leaves requests for a running server.
    pub fn lake_requests(&self) -> PathBuf {
        self.data_dir.join("lake-requests")
    }

    pub fn inbox(&self) -> PathBuf {
        self.data_dir.join("inbox")
    }
}
