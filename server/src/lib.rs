//! The `rollcall` binary's parts: the CLI commands, the web server and the metrics API.

pub mod accounts;
pub mod api;
pub mod auth;
pub mod bench;
pub mod documents;
pub mod ingest;
pub mod seed;
pub mod serve;

use std::path::PathBuf;

/// Where a data folder keeps its parts.
pub struct Paths {
    pub data_dir: PathBuf,
}

impl Paths {
    pub fn database(&self) -> PathBuf {
        self.data_dir.join("rollcall.duckdb")
    }

    pub fn inbox(&self) -> PathBuf {
        self.data_dir.join("inbox")
    }
}
