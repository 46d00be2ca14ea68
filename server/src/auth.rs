//! Who sees what, enforced in one place: a middleware in front of every route (pages,
//! server functions, the API, static files) that finds the principal (a session
//! cookie or an `Authorization: Bearer` token), looks the route up in [`rule`] and lets
//! the request through, redirects to sign-in (pages), answers 401 (API) or 403.
//! Handlers then narrow what they return with the principal the middleware attached.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Form, Json};
use queries::accounts::{self, TokenScope};
use queries::types::{Principal, Role};
use queries::Db;
use serde::Deserialize;
use tower_sessions::Session;

/// What a route needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Anyone, signed in or not (sign-in page, static files).
    Public,
    /// Any signed-in user.
    SignedIn,
    /// A signed-in user who may see this academy.
    Academy(String),
    /// The trust role.
    Trust,
    /// A signed-in user or a `read` token.
    ApiRead,
    /// An `upload` token (for one academy; the handler checks the extract is theirs).
    Upload,
}

/// The one table of who may reach what. `None`: a route this table does not know,
/// which is refused (see [`guard`]).
pub fn rule(method: &Method, path: &str) -> Option<Rule> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match (method.as_str(), segments.as_slice()) {
        ("GET", ["pkg", ..]) | ("GET", ["favicon.ico"]) => Some(Rule::Public),
        ("GET", ["signin"]) | ("POST", ["session"]) => Some(Rule::Public),
        ("POST", ["session", "end"]) => Some(Rule::SignedIn),
        (
            "GET",
            [""]
            | ["loads"]
            | ["cohorts"]
            | ["heatmaps"]
            | ["provision"]
            | ["actions"]
            | ["data-quality"]
            | ["governors"]
            | ["governors", "summary.pdf"],
        ) => Some(Rule::SignedIn),
        ("GET", ["provision", "report", urn]) => Some(Rule::Academy(urn.to_string())),
        ("GET", ["academy", urn])
        | ("GET", ["academy", urn, "pupil", _])
        | ("GET", ["academy", urn, "sef" | "sef.pdf"])
        | ("GET", ["academy", urn, "sef", _]) => Some(Rule::Academy(urn.to_string())),
        ("GET", ["audit"]) => Some(Rule::Trust),
        ("GET", ["api", "v1", "summary" | "cohorts" | "heatmap" | "provision" | "actions"]) => {
            Some(Rule::ApiRead)
        }
        ("POST", ["api", "v1", "extracts"]) => Some(Rule::Upload),
        // Leptos server functions: each narrows further by the principal.
        ("POST", ["api", name]) if SERVER_FNS.iter().any(|f| name.starts_with(f)) => {
            Some(Rule::SignedIn)
        }
        _ => None,
    }
}

/// The server functions' names (their paths are `/api/{name}{hash}`).
pub const SERVER_FNS: &[&str] = &[
    "load_status",
    "get_overview",
    "get_academy",
    "whoami",
    "get_audit",
    "get_cohorts",
    "get_heatmaps",
    "get_provision",
    "get_provision_report",
    "get_actions",
    "get_data_quality",
    "get_pupil",
    "get_governors",
    "get_sef",
];

/// How the principal was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token(TokenScope),
}

#[derive(Clone)]
pub struct Auth {
    db: Arc<Db>,
    demo: bool,
    failures: Arc<Mutex<HashMap<String, (u32, Instant)>>>,
}

/// Failed sign-ins allowed per email or address before a lock-out.
const MAX_FAILURES: u32 = 5;
const LOCKOUT: Duration = Duration::from_secs(15 * 60);

impl Auth {
    pub fn new(db: Arc<Db>, demo: bool) -> Self {
        Auth {
            db,
            demo,
            failures: Arc::default(),
        }
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Db) -> anyhow::Result<T> + Send + 'static,
    ) -> anyhow::Result<T> {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || f(&db)).await?
    }

    async fn session_principal(&self, session: &Session) -> Option<Principal> {
        let id: i32 = session.get("user_id").await.ok().flatten()?;
        let demo = self.demo;
        self.blocking(move |db| {
            let conn = db.connect()?;
            Ok(accounts::user_by_id(&conn, id)?
                .filter(|u| !u.disabled && (demo || !u.demo))
                .map(|u| u.principal()))
        })
        .await
        .ok()
        .flatten()
    }

    async fn token_principal(&self, secret: String) -> Option<(Principal, TokenScope)> {
        self.blocking(move |db| {
            let conn = db.connect()?;
            Ok(accounts::find_token(&conn, &secret)?.map(|t| {
                (
                    Principal {
                        actor: format!("token:{}", t.token_id),
                        name: t.name.clone(),
                        role: Role::Trust,
                        academies: t.urn.clone().into_iter().collect(),
                    },
                    t.scope,
                )
            }))
        })
        .await
        .ok()
        .flatten()
    }

    fn locked(&self, key: &str) -> bool {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        match map.get(key) {
            Some((n, since)) if since.elapsed() < LOCKOUT => *n >= MAX_FAILURES,
            Some(_) => {
                map.remove(key);
                false
            }
            None => false,
        }
    }

    fn failed(&self, key: &str) {
        let mut map = self.failures.lock().unwrap_or_else(|e| e.into_inner());
        let e = map.entry(key.to_string()).or_insert((0, Instant::now()));
        e.0 += 1;
    }
}

fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

fn unauthorised(path: &str, query: Option<&str>) -> Response {
    if is_api(path) {
        (
            StatusCode::UNAUTHORIZED,
            Json(serde_json::json!({"error": "sign in or send a token"})),
        )
            .into_response()
    } else {
        let next = match query {
            Some(q) => format!("{path}?{q}"),
            None => path.to_string(),
        };
        let next: String = url_encode(&next);
        Redirect::to(&format!("/signin?next={next}")).into_response()
    }
}

/// Text for HTML.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// 403: JSON for the API; for a page, the app's frame (its stylesheet, the header with
/// the navigation for who is signed in) around a titled message.
fn forbidden(path: &str, p: &Principal) -> Response {
    if is_api(path) {
        return (
            StatusCode::FORBIDDEN,
            Json(serde_json::json!({"error": "not allowed for this account"})),
        )
            .into_response();
    }
    let links: String = app::nav(p)
        .into_iter()
        .map(|(href, label)| format!("<a href=\"{href}\">{}</a>", escape(label)))
        .collect();
    let header = format!(
        "<nav aria-label=\"Main\">{links}</nav>\
         <form class=\"signout\" method=\"post\" action=\"/session/end\">\
         <span>{} ({})</span><button type=\"submit\">Sign out</button></form>",
        escape(&p.name),
        p.role.as_str()
    );
    (
        StatusCode::FORBIDDEN,
        axum::response::Html(format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <link rel=\"stylesheet\" href=\"/pkg/rollcall.css\">\
             <title>Not allowed · Rollcall</title></head><body>\
             <header class=\"top\"><a href=\"/\" class=\"brand\">Rollcall</a>{header}</header>\
             <main><h1>Not allowed</h1><p>Your account cannot see this page.</p>\
             <p><a href=\"/\">Back to the overview</a></p></main></body></html>"
        )),
    )
        .into_response()
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A state-changing request made with a session cookie must come from this site.
fn same_origin(req: &Request) -> bool {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|h| h.to_str().ok());
    let origin = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|h| h.to_str().ok());
    match (host, origin) {
        (Some(host), Some(origin)) => {
            let rest = origin.split("://").nth(1).unwrap_or("");
            rest.split('/').next() == Some(host)
        }
        _ => false,
    }
}

/// The middleware in front of every route.
pub async fn guard(State(auth): State<Auth>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let query = req.uri().query().map(str::to_string);
    let method = req.method().clone();
    let bearer = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|h| h.to_str().ok())
        .and_then(|h| h.strip_prefix("Bearer "))
        .map(|t| t.trim().to_string());
    let rule = rule(&method, &path);
    if rule == Some(Rule::Public) {
        return next.run(req).await;
    }
    let (principal, via) = if let Some(secret) = bearer {
        match auth.token_principal(secret).await {
            Some((p, scope)) => (Some(p), Some(Via::Token(scope))),
            None => return unauthorised("/api/", None),
        }
    } else {
        let session = req.extensions().get::<Session>().cloned();
        match session {
            Some(s) => match auth.session_principal(&s).await {
                Some(p) => (Some(p), Some(Via::Session)),
                None => (None, None),
            },
            None => (None, None),
        }
    };
    let Some(principal) = principal else {
        return unauthorised(&path, query.as_deref());
    };
    if via == Some(Via::Session)
        && method != Method::GET
        && method != Method::HEAD
        && !same_origin(&req)
    {
        return forbidden(&path, &principal);
    }
    let allowed = match (&rule, via) {
        (None, Some(Via::Session)) => true, // unknown page: the app answers 404
        (None, _) => false,
        (Some(Rule::Public), _) => true,
        (Some(Rule::SignedIn), v) => v == Some(Via::Session),
        (Some(Rule::Academy(urn)), v) => v == Some(Via::Session) && principal.sees_academy(urn),
        (Some(Rule::Trust), v) => v == Some(Via::Session) && principal.role == Role::Trust,
        (Some(Rule::ApiRead), v) => {
            matches!(v, Some(Via::Session) | Some(Via::Token(TokenScope::Read)))
        }
        (Some(Rule::Upload), v) => v == Some(Via::Token(TokenScope::Upload)),
    };
    if !allowed {
        return forbidden(&path, &principal);
    }
    req.extensions_mut().insert(principal);
    next.run(req).await
}

#[derive(Deserialize)]
pub struct SignIn {
    email: String,
    password: String,
    next: Option<String>,
}

/// A local path to go to after signing in (never another site).
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n) if n.starts_with('/') && !n.starts_with("//") && !n.contains('\\') => n.to_string(),
        _ => "/".to_string(),
    }
}

/// `POST /session`: sign in.
pub async fn sign_in(
    State(auth): State<Auth>,
    session: Session,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let email = form.email.trim().to_lowercase();
    let address = headers
        .get("x-forwarded-for")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("local")
        .to_string();
    let keys = [format!("email:{email}"), format!("addr:{address}")];
    let back = |error: &str| {
        Redirect::to(&format!("/signin?error={error}&next={}", url_encode(&next))).into_response()
    };
    if keys.iter().any(|k| auth.locked(k)) {
        return (StatusCode::TOO_MANY_REQUESTS, back("locked")).into_response();
    }
    let demo = auth.demo;
    let (e, p) = (email.clone(), form.password.clone());
    let user = auth
        .blocking(move |db| Ok(accounts::authenticate(&db.connect()?, &e, &p, demo)?))
        .await;
    match user {
        Ok(Some(user)) => {
            if session.cycle_id().await.is_err()
                || session.insert("user_id", user.user_id).await.is_err()
            {
                return (StatusCode::INTERNAL_SERVER_ERROR, "session store failed").into_response();
            }
            let principal = user.principal();
            let _ = auth
                .blocking(move |db| {
                    Ok(accounts::audit(
                        &db.connect()?,
                        &principal,
                        "sign-in",
                        "rollcall",
                    )?)
                })
                .await;
            Redirect::to(&next).into_response()
        }
        Ok(None) => {
            for k in &keys {
                auth.failed(k);
            }
            back("wrong")
        }
        Err(e) => {
            tracing::error!("sign-in: {e:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "sign-in failed").into_response()
        }
    }
}

/// `POST /session/end`: sign out.
pub async fn sign_out(session: Session) -> Response {
    let _ = session.flush().await;
    Redirect::to("/signin").into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_stays_on_this_site() {
        assert_eq!(
            safe_next(Some("/academy/140101?window=ytd")),
            "/academy/140101?window=ytd"
        );
        assert_eq!(safe_next(Some("https://evil.example/")), "/");
        assert_eq!(safe_next(Some("//evil.example/")), "/");
        assert_eq!(safe_next(None), "/");
    }

    #[test]
    fn unknown_routes_have_no_rule() {
        assert_eq!(rule(&Method::GET, "/"), Some(Rule::SignedIn));
        assert_eq!(
            rule(&Method::GET, "/academy/140101"),
            Some(Rule::Academy("140101".into()))
        );
        assert_eq!(rule(&Method::DELETE, "/"), None);
        assert_eq!(rule(&Method::POST, "/api/not_a_function123"), None);
    }
}
