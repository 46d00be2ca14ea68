//! Headers on every response: what the browser may run and embed, what it may send on,
//! and what no cache may keep.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// Whether the site is served over HTTPS (`--secure-cookies`).
#[derive(Debug, Clone, Copy)]
pub struct Https(pub bool);

/// The content security policy: scripts from this site only (the WebAssembly front end
/// needs `wasm-unsafe-eval` to start), and an inline script only with this response's
/// `nonce` (the hydration script a page carries); no plugins, no framing, forms and
/// connections to this site only. Inline style attributes stay allowed: the charts and
/// heatmaps colour cells with them, and a style cannot run code.
pub fn policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// The middleware: security headers on every response, and `no-store` on everything
/// but the front end's static files and the charts (pages, the API and documents may
/// all hold pupil data, and are cheap to make again; a chart is addressed by its
/// SHA-256 and says itself how it may be kept).
pub async fn security(State(https): State<Https>, req: Request, next: Next) -> Response {
    let static_file = req.uri().path().starts_with("/pkg/");
    // A chart that was found says how it may be kept; anything else is not kept.
    let chart = req.uri().path().starts_with("/charts/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        let csp = HeaderValue::from_str(&policy(None)).expect("a header value");
        h.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    let keeps_own = static_file || (chart && h.contains_key(header::CACHE_CONTROL));
    if !keeps_own {
        h.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store, private"),
        );
    }
    if https.0 {
        h.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static("max-age=31536000; includeSubDomains"),
        );
    }
    resp
}
