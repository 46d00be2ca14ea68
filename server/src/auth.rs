//! Who sees what, enforced in one place: a middleware in front of every route (pages,
//! server functions, the API, static files) that finds the principal (a session
//! cookie or an `Authorization: Bearer` token), looks the route up in [`rule`] and lets
//! the request through, redirects to sign-in (pages), answers 401 (API) or 403.
//! Handlers then narrow what they return with the principal the middleware attached.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form, Json};
use queries::accounts::{self, TokenScope};
use queries::types::{Principal, Role};
use queries::Db;
use serde::Deserialize;
use tower_sessions::Session;

use crate::limit::{client_address, Limiter};
use app::format::url_encode;

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

/// A request path as the routes will see it: its segments, percent-decoded. `None` for
/// a path no link of ours makes and that could be read two ways: an empty segment
/// (`//academy`, `/a//b`, a trailing `/`), `.` or `..`, or a decoded `/`, `\\` or
/// control character inside a segment.
pub fn segments(path: &str) -> Option<Vec<String>> {
    let rest = path.strip_prefix('/')?;
    if rest.is_empty() {
        return Some(vec![String::new()]);
    }
    rest.split('/')
        .map(|raw| {
            let s = percent_encoding::percent_decode_str(raw)
                .decode_utf8()
                .ok()?
                .into_owned();
            let odd = s.is_empty()
                || s == "."
                || s == ".."
                || s.chars().any(|c| c == '/' || c == '\\' || c.is_control());
            (!odd).then_some(s)
        })
        .collect()
}

/// The one table of who may reach what. `None`: a route this table does not know,
/// which is refused (see [`guard`]). `HEAD` is `GET` without the body, so it has
/// `GET`'s rule; a path is matched as the routes will decode it ([`segments`]).
pub fn rule(method: &Method, path: &str) -> Option<Rule> {
    let segments = segments(path)?;
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let method = if method == Method::HEAD {
        "GET"
    } else {
        method.as_str()
    };
    match (method, segments.as_slice()) {
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
            | ["notifications"]
            | ["impact"]
            | ["data-quality"]
            | ["governors"]
            | ["governors", "summary.pdf"],
        ) => Some(Rule::SignedIn),
        // A chart answers only a viewer who may see what it was drawn for.
        ("GET", ["charts", _]) => Some(Rule::SignedIn),
        ("GET", ["provision", "report", urn]) => Some(Rule::Academy(urn.to_string())),
        ("GET", ["academy", urn])
        | ("GET", ["academy", urn, "pupil", _])
        | ("GET", ["academy", urn, "pupil", _, "evidence.pdf"])
        | ("GET", ["academy", urn, "sef" | "sef.pdf"])
        | ("GET", ["academy", urn, "sef", _]) => Some(Rule::Academy(urn.to_string())),
        // Letters: the handler narrows to the academy's own staff.
        ("POST", ["academy", urn, "letters"]) => Some(Rule::Academy(urn.to_string())),
        ("GET", ["audit"] | ["audit.csv"] | ["admin"]) => Some(Rule::Trust),
        // Administration's server functions: the trust role only.
        ("POST", ["api", name]) if ADMIN_FNS.iter().any(|f| name.starts_with(f)) => {
            Some(Rule::Trust)
        }
        (
            "GET",
            ["api", "v1", "summary" | "cohorts" | "heatmap" | "provision" | "actions" | "notifications" | "cases"],
        ) => Some(Rule::ApiRead),
        ("GET", ["api", "v1", "interventions", "impact"]) => Some(Rule::ApiRead),
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
    "get_notifications",
    "get_impact",
    "get_data_quality",
    "get_pupil",
    "get_case",
    "record_action",
    "get_governors",
    "get_sef",
];

/// The administration page's server functions (the trust role only).
pub const ADMIN_FNS: &[&str] = &["get_admin", "change_user", "change_token"];

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
    limiter: Arc<Limiter>,
    /// Reverse proxies whose `X-Forwarded-For` is believed.
    trusted_proxies: Arc<Vec<IpAddr>>,
    /// Password checks running at once.
    checking: Arc<tokio::sync::Semaphore>,
    /// A session ends after this long unused...
    pub idle: std::time::Duration,
    /// ...and this long after signing in, used or not.
    pub max_age: std::time::Duration,
}

/// Password checks at once (argon2: about 19 MiB each).
const CHECKS_AT_ONCE: usize = 4;

/// Session limits unless configured: two hours unused, twelve from sign-in.
pub const IDLE: std::time::Duration = std::time::Duration::from_secs(2 * 3600);
pub const MAX_AGE: std::time::Duration = std::time::Duration::from_secs(12 * 3600);

impl Auth {
    pub fn new(db: Arc<Db>, demo: bool) -> Self {
        Auth {
            db,
            demo,
            limiter: Arc::default(),
            trusted_proxies: Arc::default(),
            idle: IDLE,
            max_age: MAX_AGE,
            checking: Arc::new(tokio::sync::Semaphore::new(CHECKS_AT_ONCE)),
        }
    }

    /// Sessions end after `idle` unused, and `max_age` after signing in.
    pub fn with_session_limits(
        mut self,
        idle: std::time::Duration,
        max_age: std::time::Duration,
    ) -> Self {
        self.idle = idle;
        self.max_age = max_age;
        self
    }

    /// The database the accounts store sits beside.
    pub fn db(&self) -> Arc<Db> {
        self.db.clone()
    }

    /// Believe `X-Forwarded-For` from these peers (the reverse proxy in front).
    pub fn with_trusted_proxies(mut self, proxies: Vec<IpAddr>) -> Self {
        self.trusted_proxies = Arc::new(proxies);
        self
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
        let signed_in: i64 = session.get(SIGNED_IN_AT).await.ok().flatten().unwrap_or(0);
        if now_ms() - signed_in > self.max_age.as_millis() as i64 {
            // Past the absolute limit: signed out, whatever the activity.
            let _ = session.flush().await;
            return None;
        }
        let demo = self.demo;
        self.blocking(move |db| {
            let conn = db.accounts().connect()?;
            Ok(accounts::user_by_id(&conn, id)?
                .filter(|u| !u.disabled && (demo || !u.demo) && signed_in >= u.sessions_from)
                .map(|u| u.principal()))
        })
        .await
        .ok()
        .flatten()
    }

    async fn token_principal(&self, secret: String) -> Option<(Principal, TokenScope)> {
        self.blocking(move |db| {
            let conn = db.accounts().connect()?;
            Ok(accounts::find_token(&conn, &secret)?.map(|t| {
                // A read token sees what a governor of the trust sees (aggregates,
                // small numbers suppressed); only a read-pupils token sees pupils.
                let role = match t.scope {
                    TokenScope::Read => Role::Governor,
                    TokenScope::ReadPupils | TokenScope::Upload => Role::Trust,
                };
                (
                    Principal {
                        actor: format!("token:{}", t.token_id),
                        name: t.name.clone(),
                        role,
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
}

/// When the session's user signed in (Unix milliseconds).
const SIGNED_IN_AT: &str = "signed_in_ms";

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
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

/// Whether a request says it comes from a page of this site: its `Origin` (or, failing
/// that, its `Referer`) names the host it was sent to. Browsers send `Origin` with
/// every POST; one from another site, `null`, or none at all is not ours.
fn same_origin(headers: &axum::http::HeaderMap) -> bool {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let origin = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
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
    // A path that could be read two ways is answered before anything reads it.
    if segments(&path).is_none() {
        return (StatusCode::NOT_FOUND, "Not found").into_response();
    }
    // A form posted from another site (sign-in included: logging a browser into an
    // attacker's account is an attack too) is refused; a bearer token is not sent
    // by browsers on their own, so the API's token calls need no Origin.
    let safe_method = method == Method::GET || method == Method::HEAD;
    if !safe_method && bearer.is_none() && !same_origin(req.headers()) {
        tracing::warn!("refused {method} {path}: not from this site");
        return (StatusCode::FORBIDDEN, "Refused: not sent from this site").into_response();
    }
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
    let allowed = match (&rule, via) {
        (None, Some(Via::Session)) => true, // unknown page: the app answers 404
        (None, _) => false,
        (Some(Rule::Public), _) => true,
        (Some(Rule::SignedIn), v) => v == Some(Via::Session),
        (Some(Rule::Academy(urn)), v) => v == Some(Via::Session) && principal.sees_academy(urn),
        (Some(Rule::Trust), v) => v == Some(Via::Session) && principal.role == Role::Trust,
        (Some(Rule::ApiRead), v) => {
            matches!(
                v,
                Some(Via::Session)
                    | Some(Via::Token(TokenScope::Read))
                    | Some(Via::Token(TokenScope::ReadPupils))
            )
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

/// Where to go after signing in: a path on this site, or `/`. Browsers read a
/// `Location` leniently (a backslash as a slash, tabs and newlines dropped, `//host` as
/// another site), so anything they could read as another site, before or after one
/// round of percent-decoding, is refused rather than cleaned.
fn safe_next(next: Option<&str>) -> String {
    let local = |n: &str| {
        n.starts_with('/')
            && !n.starts_with("//")
            && !n
                .chars()
                .any(|c| c == '\\' || c.is_control() || c.is_whitespace())
    };
    match next {
        Some(n)
            if local(n)
                && percent_encoding::percent_decode_str(n)
                    .decode_utf8()
                    .is_ok_and(|d| local(&d)) =>
        {
            n.to_string()
        }
        _ => "/".to_string(),
    }
}

/// `POST /session`: sign in.
pub async fn sign_in(
    State(auth): State<Auth>,
    session: Session,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    headers: axum::http::HeaderMap,
    Form(form): Form<SignIn>,
) -> Response {
    let next = safe_next(form.next.as_deref());
    let email = form.email.trim().to_lowercase();
    // No address is longer (RFC 5321); a longer one is not counted, stored or checked.
    if email.len() > 254 || form.password.len() > 1024 {
        return Redirect::to(&format!("/signin?error=wrong&next={}", url_encode(&next)))
            .into_response();
    }
    let forwarded = headers.get("x-forwarded-for").and_then(|h| h.to_str().ok());
    let address = client_address(
        peer.map(|Extension(ConnectInfo(a))| a.ip()),
        forwarded,
        &auth.trusted_proxies,
    )
    .map_or_else(|| "unknown".to_string(), |ip| ip.to_string());
    let back = |error: &str| {
        Redirect::to(&format!("/signin?error={error}&next={}", url_encode(&next))).into_response()
    };
    let Some(attempt) = auth.limiter.begin(&email, &address) else {
        tracing::warn!(target: "rollcall::auth", "sign-in held back: {email} from {address}");
        return held_back(&next);
    };
    // At most a few password checks at once (each takes tens of MB and milliseconds of
    // CPU): more wait their turn, briefly, then are told to try again.
    let Ok(_turn) = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        auth.checking.clone().acquire_owned(),
    )
    .await
    else {
        return held_back(&next);
    };
    let demo = auth.demo;
    let (e, p) = (email.clone(), form.password.clone());
    let user = auth
        .blocking(move |db| {
            Ok(accounts::authenticate(
                &db.accounts().connect()?,
                &e,
                &p,
                demo,
            )?)
        })
        .await;
    match user {
        Ok(Some(user)) => {
            auth.limiter.succeeded(attempt);
            // Nobody is signed in unless the audit log says so.
            let principal = user.principal();
            let audited = auth
                .blocking(move |db| {
                    Ok(accounts::audit(
                        &db.accounts().connect()?,
                        &principal,
                        "sign-in",
                        "rollcall",
                    )?)
                })
                .await;
            if let Err(e) = audited {
                tracing::error!("sign-in not audited, refused: {e:#}");
                return (StatusCode::INTERNAL_SERVER_ERROR, "sign-in failed").into_response();
            }
            if session.cycle_id().await.is_err()
                || session.insert("user_id", user.user_id).await.is_err()
                || session.insert(SIGNED_IN_AT, now_ms()).await.is_err()
            {
                return (StatusCode::INTERNAL_SERVER_ERROR, "session store failed").into_response();
            }
            Redirect::to(&next).into_response()
        }
        Ok(None) => {
            drop(attempt);
            back("wrong")
        }
        Err(e) => {
            tracing::error!("sign-in: {e:#}");
            (StatusCode::INTERNAL_SERVER_ERROR, "sign-in failed").into_response()
        }
    }
}

/// 429, with a page a browser shows (it does not follow a redirect on a 429).
fn held_back(next: &str) -> Response {
    let again = format!("/signin?next={}", url_encode(next));
    (
        StatusCode::TOO_MANY_REQUESTS,
        [(header::RETRY_AFTER, "900")],
        axum::response::Html(format!(
            "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\">\
             <link rel=\"stylesheet\" href=\"/pkg/rollcall.css\">\
             <title>Try again later · Rollcall</title></head><body><main>\
             <h1>Try again later</h1><p>Too many failed attempts: try again in 15 minutes.</p>\
             <p><a href=\"{}\">Back to sign in</a></p></main></body></html>",
            escape(&again)
        )),
    )
        .into_response()
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
        assert_eq!(safe_next(Some("/\t/evil.example/")), "/");
        assert_eq!(safe_next(Some("/%5Cevil.example/")), "/");
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
        assert_eq!(
            rule(&Method::HEAD, "/academy/%31%34%30%31%30%32/sef.pdf"),
            Some(Rule::Academy("140102".into()))
        );
        assert_eq!(rule(&Method::GET, "//academy/140102"), None);
        assert_eq!(rule(&Method::GET, "/academy/./140102"), None);
        assert_eq!(rule(&Method::POST, "/api/not_a_function123"), None);
    }
}
