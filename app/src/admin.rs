//! Administration for the trust role: accounts (add, change role and academies,
//! disable, reset with a one-time password) and API tokens (create with a scope, list,
//! revoke). Every change is written to the audit log before it is made; a secret
//! (a new password, a token) is shown once, on the page after the change, and kept
//! nowhere but its hash.

use queries::types::{AcademyRef, Role};
use serde::{Deserialize, Serialize};

/// An account as the administration page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserRow {
    pub email: String,
    pub name: String,
    pub role: Role,
    pub academies: Vec<String>,
    pub disabled: bool,
}

/// A token as the administration page lists it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRow {
    pub id: i32,
    pub name: String,
    /// `read`, `read-pupils` or `upload`.
    pub scope: String,
    pub urn: Option<String>,
    pub revoked: bool,
}

pub use crate::flash::Flash;

/// Everything the administration page shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminData {
    pub users: Vec<UserRow>,
    pub tokens: Vec<TokenRow>,
    pub academies: Vec<AcademyRef>,
    pub flash: Option<Flash>,
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::reports::ReportError;
    use crate::ssr::{Warehouse, WarehouseError};
    use queries::accounts::{self, AccountError, TokenScope};
    use queries::types::Principal;

    /// Only the trust role administers.
    fn trust_only(who: &Principal) -> Result<(), ReportError> {
        if who.role == Role::Trust {
            Ok(())
        } else {
            Err(ReportError::Forbidden)
        }
    }

    fn store(e: AccountError) -> ReportError {
        ReportError::Warehouse(WarehouseError::from(e))
    }

    /// The accounts, tokens and academies (a blocking call: run it off the runtime).
    pub fn data(w: &Warehouse, who: &Principal) -> Result<AdminData, ReportError> {
        trust_only(who)?;
        let conn = w.accounts()?;
        let users = accounts::list_users(&conn)
            .map_err(store)?
            .into_iter()
            .filter(|u| !u.demo)
            .map(|u| UserRow {
                email: u.email,
                name: u.name,
                role: u.role,
                academies: u.academies,
                disabled: u.disabled,
            })
            .collect();
        let tokens = accounts::list_tokens(&conn)
            .map_err(store)?
            .into_iter()
            .map(|t| TokenRow {
                id: t.token_id,
                name: t.name,
                scope: t.scope.as_str().to_string(),
                urn: t.urn,
                revoked: t.revoked,
            })
            .collect();
        let academies =
            queries::figures::academies(&w.db().connect().map_err(WarehouseError::from)?)?;
        Ok(AdminData {
            users,
            tokens,
            academies,
            flash: None,
        })
    }

    /// A change to an account, from the page's forms.
    #[derive(Debug, Clone)]
    pub enum UserChange {
        Add {
            email: String,
            name: String,
            role: Role,
            academies: Vec<String>,
        },
        Set {
            email: String,
            role: Role,
            academies: Vec<String>,
        },
        Disable(String),
        Enable(String),
        Reset(String),
    }

    /// A change to a token.
    #[derive(Debug, Clone)]
    pub enum TokenChange {
        Create {
            name: String,
            scope: TokenScope,
            urn: Option<String>,
        },
        Revoke(i32),
    }

    fn audited(conn: &accounts::Conn, who: &Principal, what: &str) -> Result<(), ReportError> {
        accounts::audit(conn, who, "change accounts", what)
            .map_err(|e| ReportError::Audit(e.to_string()))
    }

    fn done(message: String, secret: Option<String>) -> Flash {
        Flash {
            ok: true,
            message,
            secret,
        }
    }

    /// Makes `change` as `who`: audited first (a change that cannot be audited is not
    /// made). A refusal the person can fix (a bad email, a duplicate) comes back as a
    /// flash, not an error.
    pub fn change_user(
        w: &Warehouse,
        who: &Principal,
        change: UserChange,
    ) -> Result<Flash, ReportError> {
        trust_only(who)?;
        let conn = w.accounts()?;
        let described = match &change {
            UserChange::Add {
                email,
                role,
                academies,
                ..
            } => format!("add {email} as {} {}", role.as_str(), academies.join(",")),
            UserChange::Set {
                email,
                role,
                academies,
            } => format!("set {email} to {} {}", role.as_str(), academies.join(",")),
            UserChange::Disable(e) => format!("disable {e}"),
            UserChange::Enable(e) => format!("enable {e}"),
            UserChange::Reset(e) => format!("reset the password of {e}"),
        };
        if let UserChange::Disable(e) | UserChange::Set { email: e, .. } = &change {
            if e.trim().to_lowercase() == who.actor.trim().to_lowercase() {
                return Ok(Flash::refused(
                    "You cannot disable or change your own account here.",
                ));
            }
        }
        audited(&conn, who, described.trim())?;
        let result = match change {
            UserChange::Add {
                email,
                name,
                role,
                academies,
            } => {
                let password = accounts::secret(9);
                accounts::add_user(&conn, &email, &name, role, &academies, &password, false)
                    .map(|_| done(format!("Added {email}. Give them this password, once; they can be asked to change it."), Some(password)))
            }
            UserChange::Set {
                email,
                role,
                academies,
            } => accounts::set_role(&conn, &email, role, &academies).map(|()| {
                done(
                    format!("{email} is now {} {}.", role.as_str(), academies.join(", ")),
                    None,
                )
            }),
            UserChange::Disable(email) => accounts::set_disabled(&conn, &email, true).map(|()| {
                done(
                    format!("{email} can no longer sign in; their sessions have ended."),
                    None,
                )
            }),
            UserChange::Enable(email) => accounts::set_disabled(&conn, &email, false)
                .map(|()| done(format!("{email} can sign in again."), None)),
            UserChange::Reset(email) => {
                let password = accounts::secret(9);
                accounts::set_password(&conn, &email, &password).map(|()| {
                    done(
                        format!("New password for {email}, shown once:"),
                        Some(password),
                    )
                })
            }
        };
        match result {
            Ok(flash) => Ok(flash),
            Err(AccountError::Invalid(m)) | Err(AccountError::NotFound(m)) => Ok(Flash::refused(m)),
            Err(e) => Err(store(e)),
        }
    }

    /// Makes a token change as `who`, audited first.
    pub fn change_token(
        w: &Warehouse,
        who: &Principal,
        change: TokenChange,
    ) -> Result<Flash, ReportError> {
        trust_only(who)?;
        let conn = w.accounts()?;
        let described = match &change {
            TokenChange::Create { name, scope, urn } => format!(
                "create token \"{name}\" ({}{})",
                scope.as_str(),
                urn.as_deref().map(|u| format!(" {u}")).unwrap_or_default()
            ),
            TokenChange::Revoke(id) => format!("revoke token {id}"),
        };
        audited(&conn, who, &described)?;
        let result = match change {
            TokenChange::Create { name, scope, urn } => {
                accounts::create_token(&conn, &name, scope, urn.as_deref()).map(|(t, secret)| {
                    done(
                        format!(
                            "Token {} \"{}\" created. Its secret, shown once:",
                            t.token_id, t.name
                        ),
                        Some(secret),
                    )
                })
            }
            TokenChange::Revoke(id) => accounts::revoke_token(&conn, id)
                .map(|()| done(format!("Token {id} revoked: it stops working now."), None)),
        };
        match result {
            Ok(flash) => Ok(flash),
            Err(AccountError::Invalid(m)) | Err(AccountError::NotFound(m)) => Ok(Flash::refused(m)),
            Err(e) => Err(store(e)),
        }
    }
}
