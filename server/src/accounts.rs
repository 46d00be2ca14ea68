//! `rollcall users ...` and `rollcall tokens ...`: accounts and API tokens.

use std::io::BufRead;
use std::process::ExitCode;

use clap::Subcommand;
use queries::accounts::{self, TokenScope};
use queries::types::Role;

use crate::Paths;

#[derive(Subcommand)]
pub enum UsersCommand {
    /// Add an account. The password is read from standard input, or generated and
    /// printed once when none is given.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// trust, academy or governor.
        #[arg(long)]
        role: String,
        /// An academy's URN (academy staff: one or more; a governor: one, or none for
        /// the trust).
        #[arg(long = "academy")]
        academies: Vec<String>,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List accounts.
    List,
    /// Stop an account signing in.
    Disable { email: String },
    /// Set a new password (generated and printed, or from standard input).
    ResetPassword {
        email: String,
        #[arg(long)]
        password_stdin: bool,
    },
}

#[derive(Subcommand)]
pub enum TokensCommand {
    /// Create an API token; it is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        name: Option<String>,
        /// read (the metrics API's aggregates, as a trust governor sees them),
        /// read-pupils (pupil-level routes too) or upload (POST extracts for one academy).
        #[arg(long)]
        scope: String,
        /// The academy an upload token pushes extracts for.
        #[arg(long)]
        academy: Option<String>,
    },
    /// List tokens (never their secrets).
    List,
    /// Revoke a token by its id.
    Revoke { id: i32 },
}

fn password(from_stdin: bool) -> anyhow::Result<(String, bool)> {
    if from_stdin {
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok((line.trim_end_matches(['\r', '\n']).to_string(), false))
    } else {
        Ok((accounts::secret(9), true))
    }
}

/// Writes a change made at the command line to the audit log, as `cli:USER` (the
/// operating-system user who ran it).
fn audited(conn: &accounts::Conn, what: &str) -> anyhow::Result<()> {
    let user = std::env::var("SUDO_USER")
        .or_else(|_| std::env::var("USER"))
        .unwrap_or_else(|_| "unknown".into());
    let who = queries::types::Principal {
        actor: format!("cli:{user}"),
        name: user,
        role: Role::Trust,
        academies: Vec::new(),
    };
    accounts::audit(conn, &who, "change accounts", what)?;
    Ok(())
}

/// The value of the option `--name`, read by `parse`, or an error saying what it may be.
fn option<T>(
    name: &str,
    value: &str,
    parse: fn(&str) -> Option<T>,
    allowed: &str,
) -> anyhow::Result<T> {
    parse(value).ok_or_else(|| anyhow::anyhow!("--{name}: \"{value}\" is not {allowed}"))
}

pub fn users(paths: &Paths, cmd: UsersCommand) -> anyhow::Result<ExitCode> {
    let conn = paths.accounts()?.connect()?;
    match cmd {
        UsersCommand::Add {
            email,
            name,
            role,
            academies,
            password_stdin,
        } => {
            let role = option("role", &role, Role::parse, "trust, academy or governor")?;
            let (pw, generated) = password(password_stdin)?;
            audited(
                &conn,
                &format!("add {email} as {} {}", role.as_str(), academies.join(",")),
            )?;
            let id = accounts::add_user(&conn, &email, &name, role, &academies, &pw, false)?;
            println!("added user {id}: {email} ({})", role.as_str());
            if generated {
                println!("password (shown once): {pw}");
            }
        }
        UsersCommand::List => {
            for u in accounts::list_users(&conn)? {
                println!(
                    "{:>4} {:<32} {:<24} {:<9} {:<20} {}{}",
                    u.user_id,
                    u.email,
                    u.name,
                    u.role.as_str(),
                    if u.academies.is_empty() {
                        "whole trust".to_string()
                    } else {
                        u.academies.join(",")
                    },
                    if u.disabled { "disabled" } else { "active" },
                    if u.demo { " (demo)" } else { "" }
                );
            }
        }
        UsersCommand::Disable { email } => {
            audited(&conn, &format!("disable {email}"))?;
            accounts::set_disabled(&conn, &email, true)?;
            println!("disabled {email}");
        }
        UsersCommand::ResetPassword {
            email,
            password_stdin,
        } => {
            let (pw, generated) = password(password_stdin)?;
            audited(&conn, &format!("reset the password of {email}"))?;
            accounts::set_password(&conn, &email, &pw)?;
            println!("password reset for {email}");
            if generated {
                println!("password (shown once): {pw}");
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn tokens(paths: &Paths, cmd: TokensCommand) -> anyhow::Result<ExitCode> {
    let conn = paths.accounts()?.connect()?;
    match cmd {
        TokensCommand::Create {
            name,
            scope,
            academy,
        } => {
            let scope = option(
                "scope",
                &scope,
                TokenScope::parse,
                "read, read-pupils or upload",
            )?;
            let name = name.unwrap_or_else(|| format!("{} token", scope.as_str()));
            audited(
                &conn,
                &format!("create token \"{name}\" ({})", scope.as_str()),
            )?;
            let (t, secret) = accounts::create_token(&conn, &name, scope, academy.as_deref())?;
            eprintln!(
                "token {} \"{}\" ({}); the secret below is shown once:",
                t.token_id,
                t.name,
                scope.as_str()
            );
            println!("{secret}");
        }
        TokensCommand::List => {
            for t in accounts::list_tokens(&conn)? {
                println!(
                    "{:>4} {:<28} {:<7} {:<7} {}",
                    t.token_id,
                    t.name,
                    t.scope.as_str(),
                    t.urn.unwrap_or_default(),
                    if t.revoked { "revoked" } else { "live" }
                );
            }
        }
        TokensCommand::Revoke { id } => {
            audited(&conn, &format!("revoke token {id}"))?;
            accounts::revoke_token(&conn, id)?;
            println!("revoked token {id}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
