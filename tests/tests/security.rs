//! The holes an attacker would try, against the whole router (its guard, sign-in and
//! the API), each written to fail on the code before it was closed.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{header, Request, Response, StatusCode};
use http_body_util::BodyExt;
use queries::types::Role;
use rollcall_tests::{add_account, ExtractSpec, Warehouse, PASSWORD};
use tower::ServiceExt;

const A: &str = "140101";
const B: &str = "140102";
const HOST: &str = "rollcall.test";

/// A trust of two academies with a trust user, staff of A and a governor of A.
fn trust() -> Warehouse {
    let w = rollcall_tests::seeded_trust("academies=2,pupils=60,years=1,nights=1");
    let conn = w.accounts();
    for (email, role, academies) in [
        ("trust@t.org", Role::Trust, vec![]),
        ("staff@t.org", Role::Academy, vec![A.to_string()]),
        ("alice@t.org", Role::Academy, vec![A.to_string()]),
    ] {
        add_account(&conn, email, email, role, &academies);
    }
    w
}

/// A request as a browser on `peer` would send it to this site.
fn from(peer: &str, req: axum::http::request::Builder) -> axum::http::request::Builder {
    let addr: SocketAddr = format!("{peer}:50000").parse().unwrap();
    let mut req = req.header(header::HOST, HOST);
    req.extensions_mut().unwrap().insert(ConnectInfo(addr));
    req
}

async fn send(app: &axum::Router, req: Request<Body>) -> Response<Body> {
    app.clone().oneshot(req).await.unwrap()
}

async fn body(resp: Response<Body>) -> String {
    String::from_utf8_lossy(&resp.into_body().collect().await.unwrap().to_bytes()).into_owned()
}

fn form(email: &str, password: &str, next: &str) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'@' => (b as char).to_string(),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    format!(
        "email={}&password={}&next={}",
        enc(email),
        enc(password),
        enc(next)
    )
}

/// `POST /session` from `peer`, with this site as the Origin; the response.
async fn sign_in_as(
    app: &axum::Router,
    peer: &str,
    email: &str,
    password: &str,
    next: &str,
) -> Response<Body> {
    let req = from(peer, Request::post("/session"))
        .header(header::ORIGIN, format!("http://{HOST}"))
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form(email, password, next)))
        .unwrap();
    send(app, req).await
}

fn location(resp: &Response<Body>) -> String {
    resp.headers()
        .get(header::LOCATION)
        .map(|l| String::from_utf8_lossy(l.as_bytes()).into_owned())
        .unwrap_or_default()
}

/// Whether the sign-in went through (to `next`), rather than back to the form.
fn signed_in(resp: &Response<Body>) -> bool {
    resp.status() == StatusCode::SEE_OTHER && !location(resp).starts_with("/signin")
}

/// Signs in and returns the session cookie.
async fn cookie(app: &axum::Router, email: &str) -> String {
    let resp = sign_in_as(app, "10.9.9.9", email, PASSWORD, "/").await;
    assert!(
        signed_in(&resp),
        "{email}: {} {}",
        resp.status(),
        location(&resp)
    );
    let c = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    c.split(';').next().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn after_sign_in_next_never_leaves_the_site() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = rollcall_tests::whole_server(&w);
    for next in [
        "/\t/evil.example/",
        "/\\evil.example/",
        "//evil.example/",
        "/\r\n/evil.example",
        "https://evil.example/",
        "/%2F/evil.example/",
        "/%09/evil.example/",
        "evil.example",
    ] {
        let resp = sign_in_as(&app, "10.0.0.1", "trust@t.org", PASSWORD, next).await;
        assert!(signed_in(&resp), "{next:?}");
        assert_eq!(location(&resp), "/", "next = {next:?}");
    }
    // A path on this site, with its query, is kept.
    let resp = sign_in_as(
        &app,
        "10.0.0.1",
        "trust@t.org",
        PASSWORD,
        "/academy/140101?window=ytd",
    )
    .await;
    assert_eq!(location(&resp), "/academy/140101?window=ytd");
}

#[tokio::test(flavor = "multi_thread")]
async fn another_site_cannot_sign_a_browser_in() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = rollcall_tests::whole_server(&w);
    for origin in [Some("https://evil.example"), Some("null"), None] {
        let mut req = from("10.0.0.1", Request::post("/session"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(o) = origin {
            req = req.header(header::ORIGIN, o);
        }
        let resp = send(
            &app,
            req.body(Body::from(form("trust@t.org", PASSWORD, "/")))
                .unwrap(),
        )
        .await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "Origin {origin:?}");
        assert!(
            resp.headers().get(header::SET_COOKIE).is_none(),
            "no session for Origin {origin:?}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn head_requests_and_odd_paths_meet_the_same_rules() {
    let _pages = rollcall_tests::one_at_a_time().await;
    // The guard alone, in front of handlers that check nothing themselves.
    let w = trust();
    let ok = || async { "the pack" };
    let guarded = axum::Router::new()
        .route("/academy/{urn}/sef.pdf", axum::routing::get(ok))
        .route("/academy/{urn}", axum::routing::get(ok))
        .route("/audit", axum::routing::get(ok))
        .merge(
            axum::Router::new()
                .route("/session", axum::routing::post(server::auth::sign_in))
                .with_state(server::auth::Auth::new(w.shared(), false)),
        )
        .layer(axum::middleware::from_fn_with_state(
            server::auth::Auth::new(w.shared(), false),
            server::auth::guard,
        ))
        .layer(tower_sessions::SessionManagerLayer::new(
            tower_sessions::MemoryStore::default(),
        ));
    let staff = cookie(&guarded, "staff@t.org").await;
    let ask = |method: &str, uri: &str| {
        from("10.0.0.1", Request::builder().method(method).uri(uri))
            .header(header::COOKIE, &staff)
            .body(Body::empty())
            .unwrap()
    };
    // Their own academy, as a check that the stand-in routes answer.
    let own = send(&guarded, ask("GET", &format!("/academy/{A}/sef.pdf"))).await;
    assert_eq!(own.status(), StatusCode::OK);
    for (method, uri) in [
        ("HEAD", format!("/academy/{B}/sef.pdf")),
        ("GET", format!("//academy/{B}/sef.pdf")),
        ("HEAD", format!("//academy/{B}")),
        ("GET", format!("/academy//{B}/sef.pdf")),
        ("GET", format!("/academy/./{B}/sef.pdf")),
        ("GET", format!("/academy/{A}/../{B}/sef.pdf")),
        ("GET", "/academy/%31%34%30%31%30%32/sef.pdf".to_string()),
        ("HEAD", "/audit".to_string()),
        ("GET", "//audit".to_string()),
    ] {
        let resp = send(&guarded, ask(method, &uri)).await;
        assert!(
            matches!(
                resp.status(),
                StatusCode::FORBIDDEN | StatusCode::NOT_FOUND | StatusCode::BAD_REQUEST
            ),
            "{method} {uri}: {}",
            resp.status()
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wrong_passwords_from_one_address_do_not_lock_out_another() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = rollcall_tests::whole_server(&w);
    for _ in 0..5 {
        let resp = sign_in_as(&app, "10.0.0.1", "alice@t.org", "guess", "/").await;
        assert!(!signed_in(&resp));
    }
    // The address that guessed is held back, even with the right password...
    let resp = sign_in_as(&app, "10.0.0.1", "alice@t.org", PASSWORD, "/").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    // ...but Alice, at her own desk, and everyone else, sign in.
    let resp = sign_in_as(&app, "10.0.0.2", "alice@t.org", PASSWORD, "/").await;
    assert!(signed_in(&resp), "{} {}", resp.status(), location(&resp));
    let resp = sign_in_as(&app, "10.0.0.3", "trust@t.org", PASSWORD, "/").await;
    assert!(signed_in(&resp), "{} {}", resp.status(), location(&resp));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_made_up_forwarded_for_header_does_not_reset_the_limit() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = rollcall_tests::whole_server(&w);
    // Many accounts tried from one address, each attempt claiming another address.
    let mut refused = 0;
    for i in 0..60 {
        let req = from("10.0.0.7", Request::post("/session"))
            .header(header::ORIGIN, format!("http://{HOST}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", format!("198.51.100.{i}"))
            .body(Body::from(form(&format!("user{i}@t.org"), "guess", "/")))
            .unwrap();
        if send(&app, req).await.status() == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        }
    }
    assert!(
        refused > 0,
        "60 wrong passwords from one address, none refused"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forty_wrong_passwords_at_once_count_forty() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = rollcall_tests::whole_server(&w);
    let attempts: Vec<_> = (0..40)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                sign_in_as(&app, "10.0.0.1", "alice@t.org", &format!("guess {i}"), "/")
                    .await
                    .status()
            })
        })
        .collect();
    let mut checked = 0;
    for a in attempts {
        if a.await.unwrap() != StatusCode::TOO_MANY_REQUESTS {
            checked += 1;
        }
    }
    assert!(
        checked <= 5,
        "{checked} of 40 parallel guesses were checked against the password"
    );
    let resp = sign_in_as(&app, "10.0.0.1", "alice@t.org", PASSWORD, "/").await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// Downloads are read in spreadsheets: a cell that starts like a formula must not run.
#[tokio::test(flavor = "multi_thread")]
async fn formulas_in_names_and_reasons_do_not_reach_a_spreadsheet() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = Warehouse::new();
    let days = rollcall_tests::weekdays(&[(
        rollcall_tests::date(2024, 9, 2),
        rollcall_tests::date(2024, 9, 13),
    )]);
    let marks = rollcall_tests::register("P1", &days, |_, s| rollcall_tests::present(s));
    let mut spec = ExtractSpec::new(A, "2024-09-02", "2024-09-13", "2024-09-13T18:00:00Z")
        .pupils(&[rollcall_tests::pupil("P1")])
        .marks(&marks)
        .file(
            "reduced_timetables.csv",
            "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\n\
             P1,2024-09-02,2024-10-18,2024-09-20,,8,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",Y,Y\n",
        );
    spec.name = "=cmd|' /C calc'!A0".into();
    w.load_whole(&spec, "x");
    let app = rollcall_tests::whole_server(&w);
    let trust = {
        add_account(&w.accounts(), "trust@t.org", "T", Role::Trust, &[]);
        cookie(&app, "trust@t.org").await
    };
    for (uri, needle) in [
        ("/api/v1/summary?format=csv", "cmd|"),
        (
            "/api/v1/provision?kind=reduced-timetable&format=csv",
            "HYPERLINK",
        ),
    ] {
        let req = from("10.0.0.1", Request::get(uri))
            .header(header::COOKIE, &trust)
            .body(Body::empty())
            .unwrap();
        let resp = send(&app, req).await;
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        let text = body(resp).await;
        let mut csv = csv::Reader::from_reader(text.as_bytes());
        let cells: Vec<String> = csv
            .records()
            .flat_map(|r| r.unwrap().iter().map(str::to_string).collect::<Vec<_>>())
            .filter(|c| c.contains(needle))
            .collect();
        assert!(!cells.is_empty(), "{uri}: the text is there");
        for c in cells {
            assert!(c.starts_with('\''), "{uri}: {c:?} would run as a formula");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pages_carry_security_headers_and_pupil_data_is_never_cached() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = rollcall_tests::whole_server(&w);
    let trust = cookie(&app, "trust@t.org").await;
    let pupil = {
        let id: String = w
            .conn()
            .query_row(
                "SELECT p.pupil_id FROM pupils p JOIN academies a USING (academy_id) WHERE a.urn = ? LIMIT 1",
                [A],
                |r| r.get(0),
            )
            .unwrap();
        format!("/academy/{A}/pupil/{id}")
    };
    for uri in [
        "/".to_string(),
        "/signin".to_string(),
        pupil,
        "/actions?list=thresholds".to_string(),
        "/api/v1/actions?list=thresholds&format=csv".to_string(),
        "/api/v1/provision?kind=ap".to_string(),
        format!("/academy/{A}/sef.pdf"),
    ] {
        let req = from("10.0.0.1", Request::get(&uri))
            .header(header::COOKIE, &trust)
            .body(Body::empty())
            .unwrap();
        let resp = send(&app, req).await;
        assert!(resp.status().is_success(), "{uri}: {}", resp.status());
        let h = resp.headers();
        let get = |name: &str| {
            h.get(name)
                .map(|v| v.to_str().unwrap().to_string())
                .unwrap_or_default()
        };
        assert_eq!(get("x-content-type-options"), "nosniff", "{uri}");
        assert_eq!(get("referrer-policy"), "same-origin", "{uri}");
        let csp = get("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{uri}: {csp}");
        assert!(csp.contains("default-src 'self'"), "{uri}: {csp}");
        assert!(
            !csp.contains("'unsafe-inline'") || !csp.contains("script-src 'self' 'unsafe-inline'"),
            "{uri}: {csp}"
        );
        assert!(
            get("cache-control").contains("no-store"),
            "{uri}: {}",
            get("cache-control")
        );
        // No HSTS over plain HTTP (a browser would hold it against the site).
        assert!(h.get("strict-transport-security").is_none(), "{uri}");
        if get("content-type").starts_with("text/html") {
            // Every inline script carries the response's nonce.
            let nonce = csp
                .split("'nonce-")
                .nth(1)
                .and_then(|n| n.split('\'').next())
                .unwrap_or_else(|| panic!("{uri}: no nonce in {csp}"))
                .to_string();
            let html = body(resp).await;
            for script in html.split("<script").skip(1) {
                let tag = script.split('>').next().unwrap();
                if !tag.contains("src=") {
                    assert!(
                        tag.contains(&format!("nonce=\"{nonce}\"")),
                        "{uri}: <script{tag}>"
                    );
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_https_is_kept() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let app = server::serve::router(
        app::ssr::Warehouse::new(w.shared()),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
        server::auth::Auth::new(w.shared(), false)
            .with_trusted_proxies(vec!["127.0.0.1".parse().unwrap()]),
        true,
        w.data_dir().join("inbox"),
    );
    let via_proxy = |client: &str, password: &str| {
        from("127.0.0.1", Request::post("/session"))
            .header(header::ORIGIN, format!("https://{HOST}"))
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header("x-forwarded-for", client)
            .body(Body::from(form("alice@t.org", password, "/")))
            .unwrap()
    };
    for _ in 0..5 {
        send(&app, via_proxy("203.0.113.1", "guess")).await;
    }
    let held = send(&app, via_proxy("203.0.113.1", PASSWORD)).await;
    assert_eq!(held.status(), StatusCode::TOO_MANY_REQUESTS);
    // A client claiming the held address in its own header, through the proxy, is
    // still the address the proxy saw.
    let other = send(&app, via_proxy("203.0.113.1, 203.0.113.2", PASSWORD)).await;
    assert!(signed_in(&other), "{}", other.status());
    let cookie = other.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(cookie.contains("Secure"), "{cookie}");
    let hsts = other.headers()["strict-transport-security"]
        .to_str()
        .unwrap();
    assert!(hsts.contains("max-age="), "{hsts}");
}
