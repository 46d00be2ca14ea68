//! Server-only glue: the warehouse handle that server functions and API routes use.

use std::sync::Arc;

use queries::db::{Connection, DuckError};
use queries::Db;

/// The warehouse as the web side sees it: every query runs on a blocking thread with
/// a connection of its own, never on the async runtime.
#[derive(Clone)]
pub struct Warehouse {
    db: Arc<Db>,
}

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("database: {0}")]
    Db(#[from] queries::DbError),
    #[error("database: {0}")]
    Duck(#[from] DuckError),
    #[error("the query task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
}

impl Warehouse {
    pub fn new(db: Arc<Db>) -> Self {
        Warehouse { db }
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Runs `f` with its own connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, WarehouseError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DuckError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || -> Result<T, WarehouseError> {
            let conn = db.connect()?;
            Ok(f(&conn)?)
        })
        .await?
    }
}

/// The warehouse from the request's context (provided by the server for every route).
pub fn warehouse() -> Result<Warehouse, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<Warehouse>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new("no warehouse in context"))
}
