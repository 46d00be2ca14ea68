//! Rollcall's warehouse: the DuckDB schema and migrations, the nightly-extract loader
//! and the analytics queries (each in its own `.sql` file under `sql/`). No web code.
//!
//! Without the `engine` feature only [`types`] builds: the result types the web app
//! shares between its server and its WebAssembly side.

pub mod calendar;
pub mod cases;
pub mod disclosure;
pub mod impact;
pub mod letters;
pub mod narrative;
pub mod notifications;
pub mod suppress;
pub mod types;

#[cfg(feature = "engine")]
pub mod accounts;
#[cfg(feature = "engine")]
pub mod actions;
#[cfg(feature = "engine")]
pub mod benchmarks;
#[cfg(feature = "engine")]
pub mod codes;
#[cfg(feature = "engine")]
pub mod cohorts;
#[cfg(feature = "engine")]
pub mod config;
#[cfg(feature = "engine")]
pub mod db;
#[cfg(feature = "engine")]
pub mod extract;
#[cfg(feature = "engine")]
pub mod figures;
#[cfg(feature = "engine")]
pub mod heatmap;
#[cfg(feature = "engine")]
pub mod interventions;
#[cfg(feature = "engine")]
pub mod lake;
#[cfg(feature = "engine")]
pub mod loader;
#[cfg(feature = "engine")]
pub mod parse;
#[cfg(feature = "engine")]
pub mod provision;
#[cfg(feature = "engine")]
pub mod pupil;
#[cfg(feature = "engine")]
pub mod quality;
#[cfg(feature = "engine")]
pub mod rows;
#[cfg(feature = "engine")]
pub mod status;
#[cfg(feature = "engine")]
pub mod summary;

#[cfg(feature = "engine")]
pub use config::TrustConfig;
#[cfg(feature = "engine")]
pub use db::{Db, DbError};
#[cfg(feature = "engine")]
pub use loader::{LoadOutcome, Loader, Stage, Status};
