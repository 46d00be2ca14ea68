//! Accounts (argon2id password hashes), API tokens (shown once, stored as SHA-256) and
//! the audit log.

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use duckdb::{params, Connection};
use rand_core::{OsRng, RngCore};
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
    #[error(transparent)]
    Db(#[from] duckdb::Error),
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

fn read_user(r: &duckdb::Row<'_>) -> Result<User, duckdb::Error> {
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
    })
}

const USER_COLUMNS: &str =
    "user_id, email, name, role, array_to_string(academies, ','), disabled, demo";

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
        "INSERT INTO users VALUES (nextval('user_id_seq'), ?, ?, ?, string_split(?, ',')::VARCHAR[], ?, false, ?, now()::TIMESTAMP)
         RETURNING user_id",
        params![email, name.trim(), role.as_str(), academies.join(","), hash, demo],
        |r| r.get(0),
    )?;
    if academies.is_empty() {
        conn.execute(
            "UPDATE users SET academies = []::VARCHAR[] WHERE user_id = ?",
            params![id],
        )?;
    }
    Ok(id)
}

pub fn find_user(conn: &Connection, email: &str) -> Result<Option<User>, AccountError> {
    let mut stmt = conn.prepare(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"))?;
    let mut rows = stmt.query(params![email.trim().to_lowercase()])?;
    Ok(match rows.next()? {
        Some(r) => Some(read_user(r)?),
        None => None,
    })
}

/// The account with this id, if any.
pub fn user_by_id(conn: &Connection, id: i32) -> Result<Option<User>, AccountError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {USER_COLUMNS} FROM users WHERE user_id = ?"
    ))?;
    let mut rows = stmt.query(params![id])?;
    Ok(match rows.next()? {
        Some(r) => Some(read_user(r)?),
        None => None,
    })
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
    let found: Option<(User, String)> = {
        let mut stmt = conn.prepare(&format!(
            "SELECT {USER_COLUMNS}, password_hash FROM users WHERE email = ?"
        ))?;
        let mut rows = stmt.query(params![email])?;
        match rows.next()? {
            Some(r) => Some((read_user(r)?, r.get(7)?)),
            None => None,
        }
    };
    // Verify against a hash even for an unknown email, so timing says nothing.
    let dummy;
    let hash = match &found {
        Some((_, h)) => h.as_str(),
        None => {
            dummy = hash_password("not a real password at all")?;
            dummy.as_str()
        }
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
        "UPDATE users SET password_hash = ? WHERE email = ?",
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
    /// Read the metrics API.
    Read,
    /// Push extracts for one academy.
    Upload,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Upload => "upload",
        }
    }

    pub fn parse(s: &str) -> Option<TokenScope> {
        match s {
            "read" => Some(TokenScope::Read),
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
        (TokenScope::Read, Some(_)) => {
            return Err(AccountError::Invalid(
                "a read token reads the whole trust's metrics; give no --academy".into(),
            ))
        }
        _ => {}
    }
    let secret = format!("rc_{}", secret(24));
    let id: i32 = conn.query_row(
        "INSERT INTO api_tokens VALUES (nextval('token_id_seq'), ?, ?, ?, ?, now()::TIMESTAMP, NULL) RETURNING token_id",
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

fn read_token(r: &duckdb::Row<'_>) -> Result<Token, duckdb::Error> {
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
    let mut stmt = conn.prepare(
        "SELECT token_id, name, scope, urn, revoked_at IS NOT NULL FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
    )?;
    let mut rows = stmt.query(params![token_hash(secret)])?;
    Ok(match rows.next()? {
        Some(r) => Some(read_token(r)?),
        None => None,
    })
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
        "UPDATE api_tokens SET revoked_at = now()::TIMESTAMP WHERE token_id = ? AND revoked_at IS NULL",
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
) -> Result<(), duckdb::Error> {
    conn.execute(
        "INSERT INTO audit_log VALUES (now()::TIMESTAMP, ?, ?, ?, ?)",
        params![who.actor, who.role.as_str(), action, subject],
    )?;
    Ok(())
}

pub fn recent_audit(conn: &Connection, limit: u32) -> Result<Vec<AuditEntry>, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT strftime(logged_at, '%Y-%m-%dT%H:%M:%SZ'), actor, role, action, subject FROM audit_log ORDER BY logged_at DESC LIMIT ?",
    )?;
    let rows = stmt.query_map(params![limit], |r| {
        Ok(AuditEntry {
            at: r.get(0)?,
            actor: r.get(1)?,
            role: r.get(2)?,
            action: r.get(3)?,
            subject: r.get(4)?,
        })
    })?;
    rows.collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Db;

    #[test]
    fn users_sign_in_only_with_the_right_password_and_when_allowed() {
        let db = Db::open_in_memory().unwrap();
        let c = db.connect().unwrap();
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
        let db = Db::open_in_memory().unwrap();
        let c = db.connect().unwrap();
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
