//! Sessions kept in the accounts store, so that a restart (a deploy, a crash) signs
//! nobody out; expired ones are swept every few minutes.

use std::sync::Arc;

use queries::Db;
use rusqlite::{params, OptionalExtension};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, ExpiredDeletion, SessionStore};

/// The session store: the `sessions` table of the accounts store.
#[derive(Clone)]
pub struct Sessions {
    db: Arc<Db>,
}

impl std::fmt::Debug for Sessions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sessions")
    }
}

impl Sessions {
    pub fn new(db: Arc<Db>) -> Self {
        Sessions { db }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Connection) -> Result<T, rusqlite::Error> + Send + 'static,
    ) -> session_store::Result<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || {
            let conn = db
                .accounts()
                .connect()
                .map_err(|e| session_store::Error::Backend(e.to_string()))?;
            f(&conn).map_err(|e| session_store::Error::Backend(e.to_string()))
        })
        .await
        .map_err(|e| session_store::Error::Backend(e.to_string()))?
    }
}

fn encode(record: &Record) -> session_store::Result<(String, Vec<u8>, i64)> {
    let data =
        serde_json::to_vec(record).map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok((
        record.id.to_string(),
        data,
        record.expiry_date.unix_timestamp(),
    ))
}

fn now() -> i64 {
    tower_sessions::cookie::time::OffsetDateTime::now_utc().unix_timestamp()
}

#[async_trait::async_trait]
impl SessionStore for Sessions {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id, made again in the (unlikely) case it is taken.
        loop {
            let (id, data, expiry) = encode(record)?;
            let inserted = self
                .run(move |c| {
                    c.execute(
                        "INSERT INTO sessions (id, data, expiry_date) VALUES (?, ?, ?)
                         ON CONFLICT (id) DO NOTHING",
                        params![id, data, expiry],
                    )
                })
                .await?;
            if inserted == 1 {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let (id, data, expiry) = encode(record)?;
        self.run(move |c| {
            c.execute(
                "INSERT INTO sessions (id, data, expiry_date) VALUES (?, ?, ?)
                 ON CONFLICT (id) DO UPDATE SET data = excluded.data, expiry_date = excluded.expiry_date",
                params![id, data, expiry],
            )
        })
        .await?;
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let id = id.to_string();
        let data: Option<Vec<u8>> = self
            .run(move |c| {
                c.query_row(
                    "SELECT data FROM sessions WHERE id = ? AND expiry_date > ?",
                    params![id, now()],
                    |r| r.get(0),
                )
                .optional()
            })
            .await?;
        data.map(|d| {
            serde_json::from_slice(&d).map_err(|e| session_store::Error::Decode(e.to_string()))
        })
        .transpose()
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = id.to_string();
        self.run(move |c| c.execute("DELETE FROM sessions WHERE id = ?", params![id]))
            .await?;
        Ok(())
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for Sessions {
    async fn delete_expired(&self) -> session_store::Result<()> {
        self.run(|c| {
            c.execute(
                "DELETE FROM sessions WHERE expiry_date <= ?",
                params![now()],
            )
        })
        .await?;
        Ok(())
    }
}
