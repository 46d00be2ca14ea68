//! DuckDB behind a small type: opening, migrating and handing out connections.
//!
//! A `duckdb::Connection` is `Send` but not `Sync`; every caller takes its own
//! connection (cloned from the one opened here, sharing one database instance) and uses
//! it on a blocking thread.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use duckdb::params;
pub use duckdb::{Connection, Error as DuckError};

use crate::accounts::Store;
use crate::codes::{Category, CODES};

#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("the database {path} is in use by another Rollcall process (is `rollcall serve` running?): {source}")]
    Locked { path: String, source: duckdb::Error },
    #[error("cannot open the database {path}: {source}")]
    Open { path: String, source: duckdb::Error },
    #[error(transparent)]
    Duck(#[from] duckdb::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Accounts(#[from] crate::accounts::AccountError),
}

/// Versioned migrations, applied in order, each once.
const MIGRATIONS: &[(i32, &str, &str)] = &[
    (
        1,
        "initial",
        include_str!("../sql/migrations/0001_initial.sql"),
    ),
    (
        2,
        "figures",
        include_str!("../sql/migrations/0002_figures.sql"),
    ),
    (
        3,
        "accounts",
        include_str!("../sql/migrations/0003_accounts.sql"),
    ),
    (
        4,
        "cohorts",
        include_str!("../sql/migrations/0004_cohorts.sql"),
    ),
    (5, "lists", include_str!("../sql/migrations/0005_lists.sql")),
    (
        6,
        "spells",
        include_str!("../sql/migrations/0006_spells.sql"),
    ),
    (
        7,
        "windows",
        include_str!("../sql/migrations/0007_windows.sql"),
    ),
    (
        8,
        "shared_queries",
        include_str!("../sql/migrations/0008_shared_queries.sql"),
    ),
    (
        9,
        "day_figures",
        include_str!("../sql/migrations/0009_day_figures.sql"),
    ),
    (
        10,
        "register_gaps",
        include_str!("../sql/migrations/0010_register_gaps.sql"),
    ),
    (
        11,
        "unmarked_by_academy",
        include_str!("../sql/migrations/0011_unmarked_by_academy.sql"),
    ),
];

/// The warehouse: one DuckDB database (a file, or in memory for tests), and beside it
/// the accounts store (accounts, tokens, sessions, the audit log: many writers).
pub struct Db {
    path: Option<PathBuf>,
    base: Mutex<Connection>,
    accounts: Store,
}

/// The accounts store's file beside a warehouse file.
pub fn accounts_path(warehouse: &Path) -> PathBuf {
    warehouse.with_file_name("accounts.sqlite")
}

impl Db {
    /// Opens (creating if need be) the database file and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Db, DbError> {
        if let Some(dir) = path.parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir)?;
            }
        }
        let conn = Connection::open(path).map_err(|source| {
            let text = source.to_string();
            if text.contains("lock") {
                DbError::Locked {
                    path: path.display().to_string(),
                    source,
                }
            } else {
                DbError::Open {
                    path: path.display().to_string(),
                    source,
                }
            }
        })?;
        let db = Db {
            path: Some(path.to_path_buf()),
            base: Mutex::new(conn),
            accounts: Store::open(&accounts_path(path))?,
        };
        db.migrate()?;
        Ok(db)
    }

    /// A fresh in-memory warehouse with the full schema: for tests.
    pub fn open_in_memory() -> Result<Db, DbError> {
        let db = Db {
            path: None,
            base: Mutex::new(Connection::open_in_memory()?),
            accounts: Store::open_in_memory()?,
        };
        db.migrate()?;
        Ok(db)
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The accounts store.
    pub fn accounts(&self) -> &Store {
        &self.accounts
    }

    /// A connection of its own for one caller (one thread at a time).
    pub fn connect(&self) -> Result<Connection, DbError> {
        let base = self.base.lock().unwrap_or_else(|e| e.into_inner());
        Ok(base.try_clone()?)
    }

    fn migrate(&self) -> Result<(), DbError> {
        let conn = self.connect()?;
        conn.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                 version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)",
        )?;
        let current: i32 = conn.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?;
        for (version, name, sql) in MIGRATIONS.iter().filter(|m| m.0 > current) {
            tracing::info!(version, name, "applying migration");
            conn.execute_batch("BEGIN TRANSACTION")?;
            let applied = (|| -> Result<(), duckdb::Error> {
                conn.execute_batch(sql)?;
                if *version == 1 {
                    fill_codes(&conn)?;
                }
                conn.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)",
                    params![version, name],
                )?;
                Ok(())
            })();
            match applied {
                Ok(()) => conn.execute_batch("COMMIT")?,
                Err(e) => {
                    conn.execute_batch("ROLLBACK")?;
                    return Err(e.into());
                }
            }
        }
        // Accounts lived in the warehouse before the accounts store: moved once.
        if self.accounts.import_from_warehouse(&conn)? {
            tracing::info!("moved accounts, tokens and the audit log to the accounts store");
        }
        Ok(())
    }

    /// The schema version this database is at.
    pub fn schema_version(&self) -> Result<i32, DbError> {
        let conn = self.connect()?;
        Ok(conn.query_row(
            "SELECT coalesce(max(version), 0) FROM schema_migrations",
            [],
            |r| r.get(0),
        )?)
    }
}

/// Every row `sql` gives with `params`, each read by `read` (from the connection's
/// statement cache).
pub(crate) fn query_all<T>(
    conn: &Connection,
    sql: &str,
    params: impl duckdb::Params,
    read: impl FnMut(&duckdb::Row<'_>) -> Result<T, duckdb::Error>,
) -> Result<Vec<T>, duckdb::Error> {
    conn.prepare_cached(sql)?.query_map(params, read)?.collect()
}

fn fill_codes(conn: &Connection) -> Result<(), duckdb::Error> {
    let mut stmt = conn.prepare("INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?, ?, ?)")?;
    for code in CODES {
        let cat = code.category;
        stmt.execute(params![
            code.code,
            cat.as_str(),
            cat.is_possible(),
            matches!(cat, Category::Present | Category::Approved),
            cat == Category::Authorised,
            cat == Category::Unauthorised,
            code.legacy,
            code.meaning,
        ])?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enum_order_matches_code_table_and_migrations_are_idempotent() {
        let db = Db::open_in_memory().unwrap();
        let conn = db.connect().unwrap();
        let labels: Vec<String> = conn
            .prepare("SELECT unnest(enum_range(NULL::mark_code))::VARCHAR")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        let expected: Vec<&str> = CODES.iter().map(|c| c.code).collect();
        assert_eq!(labels, expected);
        db.migrate().unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as i32);
        let n: i64 = conn
            .query_row("SELECT count(*) FROM codes", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n as usize, CODES.len());
    }

    #[test]
    fn file_database_reopens_at_the_same_version() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("w.duckdb");
        drop(Db::open(&path).unwrap());
        let db = Db::open(&path).unwrap();
        assert_eq!(db.schema_version().unwrap(), MIGRATIONS.len() as i32);
    }
}
