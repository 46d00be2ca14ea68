//! Accounts (argon2id password hashes), API tokens (shown once, stored as SHA-256),
//! sessions and the audit log, in their own store: a SQLite file in WAL mode beside the
//! warehouse. Many processes may write it at once (the server, and `rollcall users` or
//! `rollcall tokens` while it serves), each change is one short transaction, and the
//! warehouse's single-writer lock is never involved. The audit log is append-only:
//! the store refuses to change or delete a row of it.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::LazyLock;
use std::time::Duration;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand_core::{OsRng, RngCore};
use rusqlite::{params, Connection, OptionalExtension};

/// A connection to the accounts store.
pub type Conn = Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::types::{AuditEntry, Principal, Role};

pub const MIN_PASSWORD: usize = 12;

#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    #[error("{0}")]
    Invalid(String),
    #[error("no such account: {0}")]
    NotFound(String),
    #[error("the accounts store: {0}")]
    Db(#[from] rusqlite::Error),
    #[error("the accounts store: {0}")]
    Io(#[from] std::io::Error),
    #[error("password hashing failed: {0}")]
    Hash(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub user_id: i32,
    pub email: String,
    pub name: String,
    pub role: Role,
    pub academies: Vec<String>,
    pub disabled: bool,
    pub demo: bool,
    /// Sessions started before this (Unix milliseconds) are over: set when the password is
    /// reset, so that whoever had it is signed out too.
    pub sessions_from: i64,
}

impl User {
    pub fn principal(&self) -> Principal {
        Principal {
            actor: self.email.clone(),
            name: self.name.clone(),
            role: self.role,
            academies: if self.role == Role::Trust {
                Vec::new()
            } else {
                self.academies.clone()
            },
        }
    }
}

/// The accounts store's schema, one step per `PRAGMA user_version`.
const SCHEMA: &[&str] = &[
    "CREATE TABLE users (
         user_id       INTEGER PRIMARY KEY,
         email         TEXT NOT NULL UNIQUE,
         name          TEXT NOT NULL,
         role          TEXT NOT NULL,
         academies     TEXT NOT NULL DEFAULT '',  -- URNs, comma-separated
         password_hash TEXT NOT NULL,
         disabled      INTEGER NOT NULL DEFAULT 0,
         demo          INTEGER NOT NULL DEFAULT 0,
         created_at    TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
     );
     CREATE TABLE api_tokens (
         token_id     INTEGER PRIMARY KEY,
         name         TEXT NOT NULL,
         token_sha256 TEXT NOT NULL UNIQUE,
         scope        TEXT NOT NULL,
         urn          TEXT,
         created_at   TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now')),
         revoked_at   TEXT
     );
     CREATE TABLE audit_log (
         entry_id  INTEGER PRIMARY KEY,
         logged_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
         actor     TEXT NOT NULL,
         role      TEXT NOT NULL,
         action    TEXT NOT NULL,
         subject   TEXT NOT NULL
     );
     CREATE INDEX audit_log_logged_at ON audit_log (logged_at);
     CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
         BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
     CREATE TABLE sessions (
         id          TEXT PRIMARY KEY,
         data        BLOB NOT NULL,
         expiry_date INTEGER NOT NULL  -- Unix seconds
     );
     CREATE INDEX sessions_expiry ON sessions (expiry_date);",
    "ALTER TABLE users ADD COLUMN sessions_from INTEGER NOT NULL DEFAULT 0;",
    // Case records (`crate::cases`): append-only like the audit log; a correction is a
    // later action. A pupil is named by URN and MIS pupil id, stable across loads.
    "CREATE TABLE case_actions (
         action_id   INTEGER PRIMARY KEY,
         urn         TEXT NOT NULL,
         pupil_id    TEXT NOT NULL,
         kind        TEXT NOT NULL,
         done_on     TEXT NOT NULL,  -- YYYY-MM-DD
         recorded_by TEXT NOT NULL,  -- the account (email) or token
         by_name     TEXT NOT NULL,
         outcome     TEXT NOT NULL DEFAULT '',
         next_step   TEXT NOT NULL DEFAULT '',
         next_due    TEXT,           -- YYYY-MM-DD
         recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%SZ', 'now'))
     );
     CREATE INDEX case_actions_pupil ON case_actions (urn, pupil_id, done_on);
     CREATE TRIGGER case_actions_no_update BEFORE UPDATE ON case_actions
         BEGIN SELECT RAISE(ABORT, 'case actions are append-only'); END;
     CREATE TRIGGER case_actions_no_delete BEFORE DELETE ON case_actions
         BEGIN SELECT RAISE(ABORT, 'case actions are append-only'); END;",
    // Actions imported from an MIS (`crate::interventions`) carry its reference for
    // them: importing the same file again adds nothing.
    "ALTER TABLE case_actions ADD COLUMN source_ref TEXT;
     CREATE UNIQUE INDEX case_actions_source ON case_actions (urn, source_ref)
         WHERE source_ref IS NOT NULL;",
];

/// The accounts store: where it is, and how to connect to it.
#[derive(Debug)]
pub struct Store {
    uri: String,
    /// Keeps an in-memory store alive between connections.
    _keeper: Option<std::sync::Mutex<Connection>>,
    path: Option<PathBuf>,
}

impl Store {
    /// Opens (creating if need be) the store at `path` and brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store, AccountError> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)?;
        }
        let store = Store {
            uri: path.display().to_string(),
            _keeper: None,
            path: Some(path.to_path_buf()),
        };
        let conn = store.connect()?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        migrate(&conn)?;
        Ok(store)
    }

    /// A store in memory (tests), shared by every connection to it.
    pub fn open_in_memory() -> Result<Store, AccountError> {
        static N: AtomicU64 = AtomicU64::new(0);
        let uri = format!(
            "file:rollcall-accounts-{}-{}?mode=memory&cache=shared",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        );
        let keeper = Connection::open(&uri)?;
        migrate(&keeper)?;
        Ok(Store {
            uri,
            _keeper: Some(std::sync::Mutex::new(keeper)),
            path: None,
        })
    }

    /// The file, for an on-disk store.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// A connection: waits up to 5 s for another writer, and enforces foreign keys.
    pub fn connect(&self) -> Result<Connection, AccountError> {
        let conn = Connection::open(&self.uri)?;
        conn.busy_timeout(Duration::from_secs(5))?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        // Deleted rows (ended sessions) are overwritten, not left in free pages.
        conn.pragma_update(None, "secure_delete", "ON")?;
        Ok(conn)
    }

    /// Whether the store has no accounts, tokens or audit entries yet.
    pub fn is_empty(&self) -> Result<bool, AccountError> {
        let conn = self.connect()?;
        let n: i64 = conn.query_row(
            "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM api_tokens)
                  + (SELECT count(*) FROM audit_log)",
            [],
            |r| r.get(0),
        )?;
        Ok(n == 0)
    }
}

fn migrate(conn: &Connection) -> Result<(), AccountError> {
    let version: usize = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    for (i, step) in SCHEMA.iter().enumerate().skip(version) {
        let tx = conn.unchecked_transaction()?;
        tx.execute_batch(step)?;
        tx.pragma_update(None, "user_version", i + 1)?;
        tx.commit()?;
    }
    Ok(())
}

impl Store {
    /// Moves accounts, tokens and the audit log out of the warehouse, where they lived
    /// before this store: copied in one transaction (password and token hashes as they
    /// were), then the warehouse's tables dropped. Nothing to do when the warehouse has
    /// no such tables; refused (nothing changed) when this store already holds any.
    pub fn import_from_warehouse(
        &self,
        warehouse: &duckdb::Connection,
    ) -> Result<bool, AccountError> {
        let has_old: i64 = warehouse
            .query_row(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'users'",
                [],
                |r| r.get(0),
            )
            .map_err(old)?;
        if has_old == 0 {
            return Ok(false);
        }
        let drop_old = || {
            warehouse
                .execute_batch(
                    "DROP TABLE audit_log; DROP TABLE api_tokens; DROP TABLE users;
                     DROP SEQUENCE IF EXISTS user_id_seq; DROP SEQUENCE IF EXISTS token_id_seq;",
                )
                .map_err(old)
        };
        let rows_old: i64 = warehouse
            .query_row(
                "SELECT (SELECT count(*) FROM users) + (SELECT count(*) FROM api_tokens)
                      + (SELECT count(*) FROM audit_log)",
                [],
                |r| r.get(0),
            )
            .map_err(old)?;
        if rows_old == 0 {
            drop_old()?;
            return Ok(false);
        }
        if !self.is_empty()? {
            return Err(AccountError::Invalid(
                "the warehouse still holds accounts, and the accounts store holds some too: \
                 move one aside (see docs/deploy.md) and start again"
                    .into(),
            ));
        }
        let mut conn = self.connect()?;
        let tx = conn.transaction()?;
        let rows = |sql: &str, n: usize| -> Result<Vec<Vec<duckdb::types::Value>>, AccountError> {
            let mut stmt = warehouse.prepare(sql).map_err(old)?;
            let rows = stmt
                .query_map([], |r| (0..n).map(|i| r.get(i)).collect())
                .map_err(old)?;
            rows.collect::<Result<_, _>>().map_err(old)
        };
        let text = |v: &duckdb::types::Value| -> Option<String> {
            match v {
                duckdb::types::Value::Null => None,
                duckdb::types::Value::Text(t) => Some(t.clone()),
                duckdb::types::Value::Boolean(b) => Some(if *b { "1" } else { "0" }.into()),
                other => Some(format!("{other:?}")),
            }
        };
        let copy = |select: &str, n: usize, insert: &str| -> Result<(), AccountError> {
            for r in rows(select, n)? {
                let v: Vec<Option<String>> = r.iter().map(text).collect();
                tx.execute(insert, rusqlite::params_from_iter(v))?;
            }
            Ok(())
        };
        copy(
            "SELECT email, name, role, array_to_string(academies, ','), password_hash,
                    disabled::INTEGER::VARCHAR, demo::INTEGER::VARCHAR FROM users ORDER BY user_id",
            7,
            "INSERT INTO users (email, name, role, academies, password_hash, disabled, demo)
             VALUES (?, ?, ?, coalesce(?, ''), ?, ?, ?)",
        )?;
        copy(
            "SELECT name, token_sha256, scope, urn,
                    strftime(revoked_at, '%Y-%m-%dT%H:%M:%SZ') FROM api_tokens ORDER BY token_id",
            5,
            "INSERT INTO api_tokens (name, token_sha256, scope, urn, revoked_at) VALUES (?, ?, ?, ?, ?)",
        )?;
        copy(
            "SELECT strftime(logged_at, '%Y-%m-%dT%H:%M:%S.%gZ'), actor, role, action, subject
             FROM audit_log ORDER BY logged_at",
            5,
            "INSERT INTO audit_log (logged_at, actor, role, action, subject) VALUES (?, ?, ?, ?, ?)",
        )?;
        tx.commit()?;
        drop_old()?;
        Ok(true)
    }
}

fn old(e: duckdb::Error) -> AccountError {
    AccountError::Invalid(format!("reading the warehouse's old accounts: {e}"))
}

/// A random secret: `bytes` random bytes as hex.
pub fn secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

fn hash_password(password: &str) -> Result<String, AccountError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AccountError::Hash(e.to_string()))
}

fn check_password(password: &str) -> Result<(), AccountError> {
    if password.chars().count() < MIN_PASSWORD {
        return Err(AccountError::Invalid(format!(
            "a password needs at least {MIN_PASSWORD} characters"
        )));
    }
    Ok(())
}

fn read_user(r: &rusqlite::Row<'_>) -> Result<User, rusqlite::Error> {
    let role: String = r.get(3)?;
    let academies: String = r.get(4)?;
    Ok(User {
        user_id: r.get(0)?,
        email: r.get(1)?,
        name: r.get(2)?,
        role: Role::parse(&role).unwrap_or(Role::Governor),
        academies: academies
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        disabled: r.get(5)?,
        demo: r.get(6)?,
        sessions_from: r.get(7)?,
    })
}

const USER_COLUMNS: &str = "user_id, email, name, role, academies, disabled, demo, sessions_from";

/// Whether `role` may have `academies`: academy staff need at least one academy;
/// governors one academy or none (a trust governor); the trust role none.
fn check_role(role: Role, academies: &[String]) -> Result<(), AccountError> {
    for urn in academies {
        if urn.len() != 6 || !urn.chars().all(|c| c.is_ascii_digit()) {
            return Err(AccountError::Invalid(format!(
                "\"{urn}\" is not a 6-digit URN"
            )));
        }
    }
    match role {
        Role::Academy if academies.is_empty() => {
            return Err(AccountError::Invalid(
                "academy staff need at least one academy (--academy URN)".into(),
            ))
        }
        Role::Governor if academies.len() > 1 => {
            return Err(AccountError::Invalid(
                "a governor governs one academy, or the trust (no --academy)".into(),
            ))
        }
        Role::Trust if !academies.is_empty() => {
            return Err(AccountError::Invalid(
                "the trust role covers every academy; give no --academy".into(),
            ))
        }
        _ => {}
    }
    Ok(())
}

/// Changes an account's role and academies.
pub fn set_role(
    conn: &Connection,
    email: &str,
    role: Role,
    academies: &[String],
) -> Result<(), AccountError> {
    check_role(role, academies)?;
    let n = conn.execute(
        "UPDATE users SET role = ?, academies = ? WHERE email = ?",
        params![
            role.as_str(),
            academies.join(","),
            email.trim().to_lowercase()
        ],
    )?;
    if n == 0 {
        return Err(AccountError::NotFound(email.into()));
    }
    Ok(())
}

/// Adds an account. Academy staff need at least one academy; governors either one
/// academy or none (a trust governor).
pub fn add_user(
    conn: &Connection,
    email: &str,
    name: &str,
    role: Role,
    academies: &[String],
    password: &str,
    demo: bool,
) -> Result<i32, AccountError> {
    let email = email.trim().to_lowercase();
    if !email.contains('@') || email.len() < 3 {
        return Err(AccountError::Invalid(format!(
            "\"{email}\" is not an email address"
        )));
    }
    if name.trim().is_empty() {
        return Err(AccountError::Invalid("a name is needed".into()));
    }
    check_role(role, academies)?;
    check_password(password)?;
    let hash = hash_password(password)?;
    let exists: i64 = conn.query_row(
        "SELECT count(*) FROM users WHERE email = ?",
        params![email],
        |r| r.get(0),
    )?;
    if exists > 0 {
        return Err(AccountError::Invalid(format!(
            "{email} already has an account"
        )));
    }
    let id: i32 = conn.query_row(
        "INSERT INTO users (email, name, role, academies, password_hash, demo)
         VALUES (?, ?, ?, ?, ?, ?) RETURNING user_id",
        params![
            email,
            name.trim(),
            role.as_str(),
            academies.join(","),
            hash,
            demo
        ],
        |r| r.get(0),
    )?;
    Ok(id)
}

pub fn find_user(conn: &Connection, email: &str) -> Result<Option<User>, AccountError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?");
    Ok(conn
        .query_row(&sql, params![email.trim().to_lowercase()], read_user)
        .optional()?)
}

/// The account with this id, if any.
pub fn user_by_id(conn: &Connection, id: i32) -> Result<Option<User>, AccountError> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE user_id = ?");
    Ok(conn.query_row(&sql, params![id], read_user).optional()?)
}

pub fn list_users(conn: &Connection) -> Result<Vec<User>, AccountError> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY email"))?;
    let rows = stmt.query_map([], read_user)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The account for `email` and `password`, if both are right and the account may sign
/// in now (not disabled; a demo account only in demo mode).
pub fn authenticate(
    conn: &Connection,
    email: &str,
    password: &str,
    demo_mode: bool,
) -> Result<Option<User>, AccountError> {
    let email = email.trim().to_lowercase();
    let sql = format!("SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?");
    let found: Option<(User, String)> = conn
        .query_row(&sql, params![email], |r| Ok((read_user(r)?, r.get(8)?)))
        .optional()?;
    // An unknown email is verified against a hash too, made once: the same work (one
    // verification) either way, so the time taken says nothing about who has an account.
    static UNKNOWN: LazyLock<String> = LazyLock::new(|| {
        hash_password("no account has this password").expect("argon2 hashes a fixed password")
    });
    let hash = match &found {
        Some((_, h)) => h.as_str(),
        None => UNKNOWN.as_str(),
    };
    let parsed = PasswordHash::new(hash).map_err(|e| AccountError::Hash(e.to_string()))?;
    let ok = Argon2::default()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    Ok(match found {
        Some((user, _)) if ok && !user.disabled && (demo_mode || !user.demo) => Some(user),
        _ => None,
    })
}

pub fn set_disabled(conn: &Connection, email: &str, disabled: bool) -> Result<(), AccountError> {
    let n = conn.execute(
        "UPDATE users SET disabled = ? WHERE email = ?",
        params![disabled, email.trim().to_lowercase()],
    )?;
    if n == 0 {
        return Err(AccountError::NotFound(email.into()));
    }
    Ok(())
}

pub fn set_password(conn: &Connection, email: &str, password: &str) -> Result<(), AccountError> {
    check_password(password)?;
    let hash = hash_password(password)?;
    let n = conn.execute(
        "UPDATE users SET password_hash = ?,
                          sessions_from = CAST(unixepoch('subsec') * 1000 AS INTEGER)
         WHERE email = ?",
        params![hash, email.trim().to_lowercase()],
    )?;
    if n == 0 {
        return Err(AccountError::NotFound(email.into()));
    }
    Ok(())
}

/// What an API token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TokenScope {
    /// Read the metrics API's aggregates, as a governor of the trust sees them (small
    /// numbers suppressed, no pupil-level route).
    Read,
    /// Read the metrics API, pupil-level routes included (as the trust role).
    ReadPupils,
    /// Push extracts for one academy.
    Upload,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::ReadPupils => "read-pupils",
            TokenScope::Upload => "upload",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "read" => Some(TokenScope::Read),
            "read-pupils" => Some(TokenScope::ReadPupils),
            "upload" => Some(TokenScope::Upload),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    pub token_id: i32,
    pub name: String,
    pub scope: TokenScope,
    pub urn: Option<String>,
    pub revoked: bool,
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

/// Creates a token; returns it and the only copy of its secret.
pub fn create_token(
    conn: &Connection,
    name: &str,
    scope: TokenScope,
    urn: Option<&str>,
) -> Result<(Token, String), AccountError> {
    match (scope, urn) {
        (TokenScope::Upload, None) => {
            return Err(AccountError::Invalid(
                "an upload token is for one academy (--academy URN)".into(),
            ))
        }
        (TokenScope::Read | TokenScope::ReadPupils, Some(_)) => {
            return Err(AccountError::Invalid(
                "a read token reads the whole trust's metrics; give no --academy".into(),
            ))
        }
        _ => {}
    }
    if let Some(urn) = urn {
        check_role(Role::Academy, &[urn.to_string()])?;
    }
    let secret = format!("rc_{}", secret(24));
    let id: i32 = conn.query_row(
        "INSERT INTO api_tokens (name, token_sha256, scope, urn) VALUES (?, ?, ?, ?) RETURNING token_id",
        params![name, token_hash(&secret), scope.as_str(), urn],
        |r| r.get(0),
    )?;
    Ok((
        Token {
            token_id: id,
            name: name.into(),
            scope,
            urn: urn.map(str::to_string),
            revoked: false,
        },
        secret,
    ))
}

fn read_token(r: &rusqlite::Row<'_>) -> Result<Token, rusqlite::Error> {
    let scope: String = r.get(2)?;
    Ok(Token {
        token_id: r.get(0)?,
        name: r.get(1)?,
        scope: TokenScope::parse(&scope).unwrap_or(TokenScope::Read),
        urn: r.get(3)?,
        revoked: r.get(4)?,
    })
}

/// The live token a secret belongs to.
pub fn find_token(conn: &Connection, secret: &str) -> Result<Option<Token>, AccountError> {
    Ok(conn
        .query_row(
            "SELECT token_id, name, scope, urn, revoked_at IS NOT NULL FROM api_tokens
             WHERE token_sha256 = ? AND revoked_at IS NULL",
            params![token_hash(secret)],
            read_token,
        )
        .optional()?)
}

pub fn list_tokens(conn: &Connection) -> Result<Vec<Token>, AccountError> {
    let mut stmt = conn.prepare(
        "SELECT token_id, name, scope, urn, revoked_at IS NOT NULL FROM api_tokens ORDER BY token_id",
    )?;
    let rows = stmt.query_map([], read_token)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn revoke_token(conn: &Connection, id: i32) -> Result<(), AccountError> {
    let n = conn.execute(
        "UPDATE api_tokens SET revoked_at = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')
         WHERE token_id = ? AND revoked_at IS NULL",
        params![id],
    )?;
    if n == 0 {
        return Err(AccountError::NotFound(format!("live token {id}")));
    }
    Ok(())
}

/// Records that `who` viewed or exported `subject`.
pub fn audit(
    conn: &Connection,
    who: &Principal,
    action: &str,
    subject: &str,
) -> Result<(), AccountError> {
    conn.execute(
        "INSERT INTO audit_log (actor, role, action, subject) VALUES (?, ?, ?, ?)",
        params![who.actor, who.role.as_str(), action, subject],
    )?;
    Ok(())
}

pub use crate::types::AuditFilter;

/// The newest `limit` entries that `filter` keeps, newest first.
pub fn search_audit(
    conn: &Connection,
    filter: &AuditFilter,
    limit: u32,
) -> Result<Vec<AuditEntry>, AccountError> {
    let mut stmt = conn.prepare_cached(
        "SELECT substr(logged_at, 1, 19) || 'Z', actor, role, action, subject FROM audit_log
         WHERE (?1 IS NULL OR actor = ?1)
           AND (?2 IS NULL OR instr(subject, ?2) > 0)
           AND (?3 IS NULL OR logged_at >= ?3)
           AND (?4 IS NULL OR logged_at < date(?4, '+1 day'))
         ORDER BY entry_id DESC LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        params![
            filter.actor.as_deref().map(|a| a.trim().to_lowercase()),
            filter.subject.as_deref().map(str::trim),
            filter.from,
            filter.to,
            limit
        ],
        |r| {
            Ok(AuditEntry {
                at: r.get(0)?,
                actor: r.get(1)?,
                role: r.get(2)?,
                action: r.get(3)?,
                subject: r.get(4)?,
            })
        },
    )?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub fn recent_audit(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, AccountError> {
    search_audit(conn, &AuditFilter::default(), limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An empty store in memory, and a connection to it.
    fn fresh() -> (Store, Connection) {
        let store = Store::open_in_memory().unwrap();
        let c = store.connect().unwrap();
        (store, c)
    }

    #[test]
    fn users_sign_in_only_with_the_right_password_and_when_allowed() {
        let (_store, c) = fresh();
        add_user(
            &c,
            "Lead@Trust.org",
            "Lead",
            Role::Trust,
            &[],
            "correct horse battery",
            false,
        )
        .unwrap();
        assert!(
            authenticate(&c, "lead@trust.org", "correct horse battery", false)
                .unwrap()
                .is_some()
        );
        assert!(
            authenticate(&c, "lead@trust.org", "wrong password!!", false)
                .unwrap()
                .is_none()
        );
        assert!(
            authenticate(&c, "nobody@trust.org", "correct horse battery", false)
                .unwrap()
                .is_none()
        );
        set_disabled(&c, "lead@trust.org", true).unwrap();
        assert!(
            authenticate(&c, "lead@trust.org", "correct horse battery", false)
                .unwrap()
                .is_none()
        );
        // Demo accounts work only in demo mode.
        add_user(
            &c,
            "demo@trust.org",
            "Demo",
            Role::Governor,
            &["140101".into()],
            "demo password 1",
            true,
        )
        .unwrap();
        assert!(authenticate(&c, "demo@trust.org", "demo password 1", false)
            .unwrap()
            .is_none());
        let u = authenticate(&c, "demo@trust.org", "demo password 1", true)
            .unwrap()
            .unwrap();
        assert_eq!(u.principal().academies, vec!["140101".to_string()]);
        // Hashes are argon2id, never the password.
        let h: String = c
            .query_row(
                "SELECT password_hash FROM users WHERE email = 'demo@trust.org'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(h.starts_with("$argon2id$") && !h.contains("demo password"));
        assert!(add_user(
            &c,
            "x@y.z",
            "X",
            Role::Academy,
            &[],
            "long enough pass",
            false
        )
        .is_err());
        assert!(add_user(&c, "x@y.z", "X", Role::Trust, &[], "short", false).is_err());
        assert!(add_user(
            &c,
            "demo@trust.org",
            "Again",
            Role::Trust,
            &[],
            "long enough pass",
            false
        )
        .is_err());
    }

    #[test]
    fn tokens_are_hashed_scoped_and_revocable() {
        let (_store, c) = fresh();
        let (t, secret) = create_token(&c, "Power BI", TokenScope::Read, None).unwrap();
        assert!(secret.starts_with("rc_") && secret.len() == 51);
        let stored: String = c
            .query_row("SELECT token_sha256 FROM api_tokens", [], |r| r.get(0))
            .unwrap();
        assert_ne!(stored, secret);
        assert_eq!(
            find_token(&c, &secret).unwrap().unwrap().scope,
            TokenScope::Read
        );
        assert!(find_token(&c, "rc_guess").unwrap().is_none());
        revoke_token(&c, t.token_id).unwrap();
        assert!(find_token(&c, &secret).unwrap().is_none());
        assert!(revoke_token(&c, t.token_id).is_err());
        assert!(create_token(&c, "push", TokenScope::Upload, None).is_err());
        let (u, _) = create_token(&c, "push", TokenScope::Upload, Some("140101")).unwrap();
        assert_eq!(u.urn.as_deref(), Some("140101"));
    }
}
