//! The role x route matrix: every route the server has (pages, server functions, the
//! API, sign in and out) for every kind of principal, through the real router and its
//! guard. A route the server gains without an entry here fails the test.

use std::collections::BTreeSet;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use http_body_util::BodyExt;
use queries::accounts::{self, TokenScope};
use queries::types::Role;
use rollcall_tests::{add_account, whole_server, Warehouse, PASSWORD};
use tower::ServiceExt;

const A: &str = "140101";
const B: &str = "140102";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Who {
    Anon,
    Trust,
    Academy,
    Governor,
    /// Reads aggregates, as a governor of the trust sees them.
    ReadToken,
    /// Reads pupil level too.
    PupilToken,
    UploadToken,
}

const EVERYONE: [Who; 7] = [
    Who::Anon,
    Who::Trust,
    Who::Academy,
    Who::Governor,
    Who::ReadToken,
    Who::PupilToken,
    Who::UploadToken,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    /// Let through the guard, and refused by the handler as a bad request.
    Ok400,
    /// 303 to the sign-in page.
    SignIn,
    Unauthorised,
    Forbidden,
    /// 404: nothing here for this viewer.
    Absent,
}

/// A record-action form for a pupil: a phone call today.
fn record_body(urn: &str, pupil: &str) -> String {
    use chrono::Datelike;
    let today = app::reports::cases::today();
    format!(
        "urn={urn}&pupil_id={pupil}&kind=phone-call&on_day={}&on_month={}&on_year={}",
        today.day(),
        today.month(),
        today.year()
    )
}

/// Adds an account with the test password.
fn user(conn: &accounts::Conn, email: &str, role: Role, academies: &[String]) {
    add_account(conn, email, email, role, academies);
}

/// A trust of three small academies, loaded through the real loader.
fn small_trust() -> Warehouse {
    rollcall_tests::seeded_trust("academies=3,pupils=200,years=1,nights=1")
}

struct Client {
    app: axum::Router,
    cookie: Option<String>,
    bearer: Option<String>,
}

impl Client {
    fn new(app: &axum::Router, cookie: Option<String>, bearer: Option<String>) -> Self {
        Client {
            app: app.clone(),
            cookie,
            bearer,
        }
    }

    async fn send(&self, method: &str, uri: &str, body: Option<String>) -> (StatusCode, String) {
        let mut req = Request::builder()
            .method(method)
            .uri(uri)
            .header(header::HOST, "rollcall.test");
        if method == "POST" {
            req = req
                .header(header::ORIGIN, "http://rollcall.test")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        }
        if let Some(c) = &self.cookie {
            req = req.header(header::COOKIE, c);
        }
        if let Some(t) = &self.bearer {
            req = req.header(header::AUTHORIZATION, format!("Bearer {t}"));
        }
        let resp = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            self.app
                .clone()
                .oneshot(req.body(Body::from(body.unwrap_or_default())).unwrap()),
        )
        .await
        .unwrap_or_else(|_| panic!("{method} {uri}: no answer in 60 s"))
        .unwrap();
        let status = resp.status();
        let location = resp
            .headers()
            .get(header::LOCATION)
            .map(|l| l.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = resp.into_body().collect().await.unwrap().to_bytes();
        if status.is_server_error() {
            eprintln!("{method} {uri}: {}", String::from_utf8_lossy(&body));
        }
        (status, location)
    }
}

/// The sign-in form posted with `form` (URL-encoded).
fn sign_in_form(form: String) -> Request<Body> {
    Request::post("/session")
        .header(header::HOST, "rollcall.test")
        .header(header::ORIGIN, "http://rollcall.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form))
        .unwrap()
}

/// `GET uri` from a browser signed in with `cookie`.
fn get_signed_in(uri: &str, cookie: &str) -> Request<Body> {
    Request::get(uri)
        .header(header::HOST, "rollcall.test")
        .header(header::COOKIE, cookie)
        .body(Body::empty())
        .unwrap()
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    let form = format!(
        "email={email}&password={}&next=/",
        PASSWORD.replace(' ', "+")
    );
    let resp = app.clone().oneshot(sign_in_form(form)).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{email} signs in");
    assert_eq!(resp.headers()[header::LOCATION], "/");
    let cookie = resp.headers()[header::SET_COOKIE]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    cookie.split(';').next().unwrap().to_string()
}

fn check(who: Who, what: &str, (status, location): (StatusCode, String), expect: Expect) {
    let ok = match expect {
        Expect::Ok => {
            status.is_success()
                || (status == StatusCode::SEE_OTHER && !location.starts_with("/signin?"))
        }
        Expect::SignIn => status == StatusCode::SEE_OTHER && location.starts_with("/signin?next="),
        Expect::Ok400 => status == StatusCode::BAD_REQUEST,
        Expect::Unauthorised => status == StatusCode::UNAUTHORIZED,
        Expect::Forbidden => status == StatusCode::FORBIDDEN,
        Expect::Absent => status == StatusCode::NOT_FOUND,
    };
    assert!(
        ok,
        "{who:?} {what}: expected {expect:?}, got {status} {location}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_route_for_every_role() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = small_trust();
    let conn = w.accounts();
    user(&conn, "trust@t.org", Role::Trust, &[]);
    user(&conn, "staff@t.org", Role::Academy, &[A.into()]);
    user(&conn, "gov@t.org", Role::Governor, &[A.into()]);
    user(&conn, "gone@t.org", Role::Trust, &[]);
    let (_, read) = accounts::create_token(&conn, "bi", TokenScope::Read, None).unwrap();
    let (_, pupils) = accounts::create_token(&conn, "mis", TokenScope::ReadPupils, None).unwrap();
    let (_, upload) = accounts::create_token(&conn, "push", TokenScope::Upload, Some(A)).unwrap();
    let (revoked_id, revoked) =
        accounts::create_token(&conn, "old", TokenScope::Read, None).unwrap();
    accounts::revoke_token(&conn, revoked_id.token_id).unwrap();

    // A chart of academy B's self-evaluation pack as the trust lead is shown it (the
    // same address whoever draws it: its SHA-256).
    let b_chart = app::ssr::Warehouse::new(w.shared())
        .report::<app::reports::sef::Report>(
            &rollcall_tests::principal(Role::Trust, &[]),
            app::reports::sef::Params {
                urn: B.into(),
                scope: queries::types::Scope::Dfe,
            },
        )
        .await
        .unwrap()
        .as_ref()
        .clone()
        .unwrap()
        .charts[0]
        .chart
        .id
        .clone();

    let app = whole_server(&w);
    let mut clients = Vec::new();
    for who in EVERYONE {
        let (cookie, bearer) = match who {
            Who::Anon => (None, None),
            Who::Trust => (Some(sign_in(&app, "trust@t.org").await), None),
            Who::Academy => (Some(sign_in(&app, "staff@t.org").await), None),
            Who::Governor => (Some(sign_in(&app, "gov@t.org").await), None),
            Who::ReadToken => (None, Some(read.clone())),
            Who::PupilToken => (None, Some(pupils.clone())),
            Who::UploadToken => (None, Some(upload.clone())),
        };
        clients.push((who, Client::new(&app, cookie, bearer)));
    }

    // Every route the server has, by pattern.
    let mut routes: BTreeSet<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|r| r.path().to_string())
        .collect();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.insert(format!("{method} {path}"));
    }
    for (method, path) in server::api::ROUTES
        .iter()
        .chain(server::documents::ROUTES.iter())
        .chain(server::audit::ROUTES.iter())
    {
        routes.insert(format!("{method} {path}"));
    }
    routes.insert("POST /session".into());
    routes.insert("POST /session/end".into());

    let mut covered: BTreeSet<String> = BTreeSet::new();
    let fn_path = rollcall_tests::server_fn_path;
    let view = app::view::ViewParams::default();
    let academy_body = |urn: &str| {
        serde_qs::to_string(&app::pages::academy::GetAcademy {
            urn: urn.into(),
            params: view.clone(),
        })
        .unwrap()
    };
    let overview_body = serde_qs::to_string(&app::pages::overview::GetOverview {
        params: view.clone(),
    })
    .unwrap();
    let cohorts_body = serde_qs::to_string(&app::pages::cohorts::GetCohorts {
        params: view.clone(),
        filter: Default::default(),
        by: "fsm".into(),
    })
    .unwrap();
    let provision_body = |urn: &str| {
        serde_qs::to_string(&app::pages::provision::GetProvisionReport {
            urn: urn.into(),
            half_term: None,
        })
        .unwrap()
    };
    let pupils_heatmap_body = |urn: &str| {
        serde_qs::to_string(&app::pages::heatmaps::GetHeatmaps {
            params: view.clone(),
            choice: app::pages::heatmaps::HeatmapChoice {
                kind: "pupils".into(),
                measure: String::new(),
                academy: Some(urn.into()),
            },
        })
        .unwrap()
    };

    // A pupil at each academy, for the pupil pages.
    let pupil_at = |urn: &str| -> String {
        w.conn()
            .query_row(
                "SELECT p.pupil_id FROM pupils p JOIN academies a USING (academy_id) WHERE a.urn = ? ORDER BY p.pupil_id LIMIT 1",
                [urn],
                |r| r.get(0),
            )
            .unwrap()
    };
    let (pupil_a, pupil_b) = (pupil_at(A), pupil_at(B));

    use Expect::*;
    for (who, client) in &clients {
        let signed_in = matches!(who, Who::Trust | Who::Academy | Who::Governor);
        let page = |allowed: bool| match (who, allowed) {
            (Who::Anon, _) => SignIn,
            (Who::ReadToken | Who::PupilToken | Who::UploadToken, _) => Forbidden,
            (_, true) => Ok,
            (_, false) => Forbidden,
        };
        let server_fn = |allowed: bool| match (who, allowed) {
            (Who::Anon, _) => Unauthorised,
            (Who::ReadToken | Who::PupilToken | Who::UploadToken, _) => Forbidden,
            (_, true) => Ok,
            (_, false) => Forbidden,
        };
        // Who may see another academy's pages, or pupil-level ones.
        let (trust_only, not_governor) = (*who == Who::Trust, *who != Who::Governor);
        // The API: no anonymous caller; `forbidden` are refused.
        let api = |forbidden: &[Who]| match who {
            Who::Anon => Unauthorised,
            w if forbidden.contains(w) => Forbidden,
            _ => Ok,
        };
        let reader = api(&[Who::UploadToken]);
        let pupil_reader = api(&[Who::Governor, Who::ReadToken, Who::UploadToken]);
        let other_academy_reader = api(&[Who::Academy, Who::Governor, Who::UploadToken]);
        let other_academy_pupils = api(&[
            Who::Academy,
            Who::Governor,
            Who::ReadToken,
            Who::UploadToken,
        ]);
        // A case: the route's pattern (for coverage), the method, URI and body, and what
        // `who` gets.
        let get = |pattern: &'static str, uri: String, expect: Expect| {
            (pattern, "GET", uri, None, expect)
        };
        let call = |name: &'static str, body: String, expect: Expect| {
            (name, "POST", fn_path(name), Some(body), expect)
        };
        let cases: Vec<(&str, &str, String, Option<String>, Expect)> = vec![
            get("/", "/".into(), page(true)),
            get("/loads", "/loads".into(), page(true)),
            get("/academy/{urn}", format!("/academy/{A}"), page(true)),
            get("/academy/{urn}", format!("/academy/{B}"), page(trust_only)),
            get("/audit", "/audit".into(), page(trust_only)),
            get(
                "GET /audit.csv",
                "/audit.csv?actor=trust@t.org".into(),
                page(trust_only),
            ),
            get("/admin", "/admin".into(), page(trust_only)),
            get("/signin", "/signin".into(), Ok),
            // Combined filters are for staff: a governor could difference them.
            get(
                "/cohorts",
                "/cohorts?sex=F&fsm=Y".into(),
                page(not_governor),
            ),
            get("/heatmaps", "/heatmaps".into(), page(true)),
            get("/provision", "/provision".into(), page(true)),
            get(
                "/actions",
                "/actions?list=penalty".into(),
                page(not_governor),
            ),
            get(
                "/actions",
                format!("/actions?academy={B}"),
                page(trust_only),
            ),
            get(
                "/academy/{urn}/pupil/{pupil_id}",
                format!("/academy/{A}/pupil/{pupil_a}"),
                page(not_governor),
            ),
            get(
                "/academy/{urn}/pupil/{pupil_id}",
                format!("/academy/{B}/pupil/{pupil_b}"),
                page(trust_only),
            ),
            get("/data-quality", "/data-quality".into(), page(not_governor)),
            get(
                "GET /api/v1/actions",
                format!("/api/v1/actions?list=cme&academy={A}"),
                pupil_reader,
            ),
            get(
                "GET /api/v1/actions",
                format!("/api/v1/actions?list=thresholds&academy={B}&format=csv"),
                other_academy_pupils,
            ),
            get(
                "/provision",
                format!("/provision?academy={B}"),
                page(trust_only),
            ),
            get(
                "/provision/report/{urn}",
                format!("/provision/report/{A}"),
                page(not_governor),
            ),
            get(
                "/provision/report/{urn}",
                format!("/provision/report/{B}"),
                page(trust_only),
            ),
            get(
                "GET /api/v1/provision",
                format!("/api/v1/provision?kind=ap&academy={A}"),
                pupil_reader,
            ),
            get(
                "GET /api/v1/provision",
                format!("/api/v1/provision?kind=reduced-timetable&academy={B}"),
                other_academy_pupils,
            ),
            get(
                "/heatmaps",
                format!("/heatmaps?kind=pupils&academy={A}"),
                page(not_governor),
            ),
            get(
                "/heatmaps",
                format!("/heatmaps?kind=pupils&academy={B}"),
                page(trust_only),
            ),
            get(
                "GET /api/v1/heatmap",
                "/api/v1/heatmap?kind=academy-week".into(),
                reader,
            ),
            get(
                "GET /api/v1/heatmap",
                format!("/api/v1/heatmap?kind=day-session&academy={B}"),
                other_academy_reader,
            ),
            get("GET /api/v1/summary", "/api/v1/summary".into(), reader),
            get(
                "GET /api/v1/cohorts",
                format!("/api/v1/cohorts?by=sex&academy={B}"),
                other_academy_reader,
            ),
            get(
                "GET /api/v1/cohorts",
                format!("/api/v1/cohorts?by=sex&academy={A}"),
                reader,
            ),
            (
                "POST /api/v1/extracts",
                "POST",
                "/api/v1/extracts".into(),
                Some(String::new()),
                match who {
                    Who::Anon => Unauthorised,
                    Who::UploadToken => Ok400,
                    _ => Forbidden,
                },
            ),
            call("load_status", String::new(), server_fn(true)),
            call("whoami", String::new(), server_fn(true)),
            call("get_overview", overview_body.clone(), server_fn(true)),
            call("get_academy", academy_body(A), server_fn(true)),
            call("get_academy", academy_body(B), server_fn(trust_only)),
            call("get_audit", String::new(), server_fn(trust_only)),
            call("get_admin", String::new(), server_fn(trust_only)),
            call(
                "change_user",
                "op=disable&email=nobody%40t.org&name=&role=&academies=".into(),
                server_fn(trust_only),
            ),
            call(
                "change_token",
                "op=revoke&id=999999&name=&scope=&academy=".into(),
                server_fn(trust_only),
            ),
            call("get_cohorts", cohorts_body.clone(), server_fn(true)),
            call(
                "get_provision",
                format!("academy={B}&sort=flags"),
                server_fn(trust_only),
            ),
            call(
                "get_actions",
                "choice[list]=at-risk".into(),
                server_fn(not_governor),
            ),
            call(
                "get_pupil",
                format!("urn={A}&pupil_id={pupil_a}"),
                server_fn(not_governor),
            ),
            call(
                "get_case",
                format!("urn={A}&pupil_id={pupil_a}"),
                server_fn(not_governor),
            ),
            call(
                "get_case",
                format!("urn={B}&pupil_id={pupil_b}"),
                server_fn(trust_only),
            ),
            // Only the academy's own staff write its cases: the trust reads them.
            call(
                "record_action",
                record_body(A, &pupil_a),
                server_fn(*who == Who::Academy),
            ),
            call("record_action", record_body(B, &pupil_b), server_fn(false)),
            // The penalty-notice evidence pack: as the pupil's page.
            get(
                "GET /academy/{urn}/pupil/{pupil_id}/evidence.pdf",
                format!("/academy/{A}/pupil/{pupil_a}/evidence.pdf"),
                page(not_governor),
            ),
            get(
                "GET /academy/{urn}/pupil/{pupil_id}/evidence.pdf",
                format!("/academy/{B}/pupil/{pupil_b}/evidence.pdf"),
                page(trust_only),
            ),
            // Letters: the academy's own staff only (a pupil not on the list is a 400).
            (
                "POST /academy/{urn}/letters",
                "POST",
                format!("/academy/{A}/letters"),
                Some("pupil=nobody".into()),
                match page(*who == Who::Academy) {
                    Ok => Ok400,
                    other => other,
                },
            ),
            (
                "POST /academy/{urn}/letters",
                "POST",
                format!("/academy/{B}/letters"),
                Some("pupil=nobody".into()),
                page(false),
            ),
            // Whether it works: figures over pupils, for roles that see pupils.
            get("/impact", "/impact".into(), page(not_governor)),
            get("/impact", format!("/impact?academy={B}"), page(trust_only)),
            call(
                "get_impact",
                format!("academy={A}"),
                server_fn(not_governor),
            ),
            get(
                "GET /api/v1/interventions/impact",
                format!("/api/v1/interventions/impact?academy={A}"),
                pupil_reader,
            ),
            get(
                "GET /api/v1/interventions/impact",
                format!("/api/v1/interventions/impact?academy={B}&format=csv"),
                other_academy_pupils,
            ),
            // The notifications queue and the cases at a glance: pupil level.
            get(
                "/notifications",
                "/notifications".into(),
                page(not_governor),
            ),
            get(
                "/notifications",
                format!("/notifications?academy={B}&kind=cme"),
                page(trust_only),
            ),
            call(
                "get_notifications",
                format!("choice[academy]={A}"),
                server_fn(not_governor),
            ),
            call(
                "get_notifications",
                format!("choice[academy]={B}&choice[open]=true"),
                server_fn(trust_only),
            ),
            get(
                "GET /api/v1/notifications",
                format!("/api/v1/notifications?academy={A}&kind=section19"),
                pupil_reader,
            ),
            get(
                "GET /api/v1/notifications",
                format!("/api/v1/notifications?academy={B}&format=csv"),
                other_academy_pupils,
            ),
            get(
                "GET /api/v1/cases",
                format!("/api/v1/cases?academy={A}"),
                pupil_reader,
            ),
            get(
                "GET /api/v1/cases",
                format!("/api/v1/cases?academy={B}&format=csv&stage=support"),
                other_academy_pupils,
            ),
            call("get_data_quality", String::new(), server_fn(not_governor)),
            call(
                "get_provision_report",
                provision_body(A),
                server_fn(not_governor),
            ),
            call(
                "get_heatmaps",
                pupils_heatmap_body(A),
                server_fn(not_governor),
            ),
            call(
                "get_heatmaps",
                pupils_heatmap_body(B),
                server_fn(trust_only),
            ),
            // Governors' summaries: everyone signed in, for what they may see.
            get("/governors", "/governors".into(), page(true)),
            get(
                "/governors",
                format!("/governors?place={A}&scope=all"),
                page(true),
            ),
            get(
                "GET /governors/summary.pdf",
                format!("/governors/summary.pdf?place={A}"),
                page(true),
            ),
            call("get_governors", "params[place]=all".into(), server_fn(true)),
            // The self-evaluation pack: the academy's staff and the trust.
            get(
                "/academy/{urn}/sef",
                format!("/academy/{A}/sef"),
                page(not_governor),
            ),
            get(
                "/academy/{urn}/sef",
                format!("/academy/{B}/sef"),
                page(trust_only),
            ),
            get(
                "GET /academy/{urn}/sef.pdf",
                format!("/academy/{A}/sef.pdf"),
                page(not_governor),
            ),
            get(
                "GET /academy/{urn}/sef.pdf",
                format!("/academy/{B}/sef.pdf"),
                page(trust_only),
            ),
            get(
                "GET /academy/{urn}/sef/{file}",
                format!("/academy/{A}/sef/gaps.csv"),
                page(not_governor),
            ),
            get(
                "GET /academy/{urn}/sef/{file}",
                format!("/academy/{B}/sef/trend.png"),
                page(trust_only),
            ),
            call("get_sef", format!("urn={A}"), server_fn(not_governor)),
            call("get_sef", format!("urn={B}"), server_fn(trust_only)),
            // Charts: only for a viewer who was shown them (the lead opened B's pack
            // above); anyone else signed in is told there is no such chart.
            get(
                "GET /charts/{file}",
                format!("/charts/{b_chart}.svg"),
                match page(trust_only) {
                    Forbidden if signed_in => Absent,
                    other => other,
                },
            ),
        ];
        for (pattern, method, uri, body, expect) in cases {
            let key = if pattern.starts_with('/') || pattern.contains(' ') {
                pattern.to_string()
            } else {
                format!("POST {}", fn_path(pattern))
            };
            covered.insert(key);
            check(
                *who,
                &format!("{method} {uri}"),
                client.send(method, &uri, body).await,
                expect,
            );
        }
        // Signing out ends the session: the same cookie no longer opens a page.
        covered.insert("POST /session".into());
        covered.insert("POST /session/end".into());
        if signed_in {
            let (status, location) = client.send("POST", "/session/end", None).await;
            assert_eq!(
                (status, location.as_str()),
                (StatusCode::SEE_OTHER, "/signin"),
                "{who:?} signs out"
            );
            check(
                *who,
                "GET / after signing out",
                client.send("GET", "/", None).await,
                SignIn,
            );
        }
    }
    let missing: Vec<_> = routes.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "routes with no entry in the access matrix: {missing:?}"
    );
    // The academy's staff recorded their one action (not a refusal answered 200); nobody
    // else wrote anything.
    let recorded: Vec<(String, String)> = conn
        .prepare("SELECT urn, recorded_by FROM case_actions")
        .unwrap()
        .query_map([], |r| Result::Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(recorded.len(), 1, "{recorded:?}");
    assert_eq!(recorded[0].0, A);

    // A revoked token, a disabled account, a wrong password, a cross-site POST.
    let gone = sign_in(&app, "gone@t.org").await;
    accounts::set_disabled(&conn, "gone@t.org", true).unwrap();
    for (who, what, client, uri, expect) in [
        (
            Who::ReadToken,
            "revoked token",
            Client::new(&app, None, Some(revoked)),
            "/api/v1/summary",
            Unauthorised,
        ),
        (
            Who::Trust,
            "disabled account",
            Client::new(&app, Some(gone), None),
            "/",
            SignIn,
        ),
    ] {
        check(who, what, client.send("GET", uri, None).await, expect);
    }
    let trust = sign_in(&app, "trust@t.org").await;
    let req = Request::post(fn_path("whoami"))
        .header(header::HOST, "rollcall.test")
        .header(header::ORIGIN, "https://evil.example")
        .header(header::COOKIE, trust)
        .body(Body::empty())
        .unwrap();
    assert_eq!(
        app.clone().oneshot(req).await.unwrap().status(),
        StatusCode::FORBIDDEN,
        "cross-site POST"
    );
    let wrong = sign_in_form("email=trust@t.org&password=wrong+password+here".into());
    let resp = app.clone().oneshot(wrong).await.unwrap();
    assert_eq!(
        resp.headers()[header::LOCATION].to_str().unwrap(),
        "/signin?error=wrong&next=/"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn sign_in_is_rate_limited() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = Warehouse::new();
    add_account(&w.accounts(), "trust@t.org", "Trust", Role::Trust, &[]);
    let app = whole_server(&w);
    let attempt = |password: &str| sign_in_form(format!("email=trust@t.org&password={password}"));
    for _ in 0..5 {
        let resp = app
            .clone()
            .oneshot(attempt("wrong+password+again"))
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
    // Locked now, even with the right password.
    let resp = app
        .clone()
        .oneshot(attempt(&PASSWORD.replace(' ', "+")))
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test(flavor = "multi_thread")]
async fn upload_tokens_push_extracts_for_their_academy_only() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = Warehouse::new();
    let conn = w.accounts();
    let (_, upload) = accounts::create_token(&conn, "push", TokenScope::Upload, Some(A)).unwrap();
    let (_, read) = accounts::create_token(&conn, "bi", TokenScope::Read, None).unwrap();
    let inbox = w.data_dir().join("inbox");
    let app = whole_server(&w);
    let extract = |urn: &str| {
        let spec = rollcall_tests::ExtractSpec::new(
            urn,
            "2025-01-06",
            "2025-01-06",
            "2025-01-07T02:10:00Z",
        )
        .pupils(&[rollcall_tests::pupil("P1")])
        .marks(&["P1,2025-01-06,AM,/,"]);
        std::fs::read(spec.write_zip(&w.inputs(), &format!("x{urn}"), &[])).unwrap()
    };
    // POSTs an extract with a token: the status.
    let push = |token: &str, body: Vec<u8>| {
        let req = Request::post("/api/v1/extracts")
            .header(header::HOST, "rollcall.test")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header(header::CONTENT_TYPE, "application/zip")
            .body(Body::from(body))
            .unwrap();
        let app = app.clone();
        async move { app.oneshot(req).await.unwrap().status() }
    };
    assert_eq!(push(&upload, extract(A)).await, StatusCode::ACCEPTED);
    let queued: Vec<_> = std::fs::read_dir(&inbox)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(queued.len(), 1);
    // The queued zip is a loadable extract.
    rollcall_tests::assert_loaded(&w.load(&inbox.join(&queued[0])));
    // Another academy's extract, a read token, a broken body.
    for (what, token, body, want) in [
        ("another academy's", &upload, extract(B), 403),
        ("a read token", &read, extract(A), 403),
        ("not a zip", &upload, b"not a zip".to_vec(), 400),
    ] {
        assert_eq!(push(token, body).await.as_u16(), want, "{what}");
    }
    // Nothing half-written is left behind.
    assert_eq!(std::fs::read_dir(&inbox).unwrap().count(), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_governor_sees_no_pupil_and_small_groups_suppressed() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = small_trust();
    let conn = w.conn();
    user(&w.accounts(), "gov@t.org", Role::Governor, &[A.into()]);
    user(&w.accounts(), "trust@t.org", Role::Trust, &[]);
    let app = whole_server(&w);
    // Every pupil identifier in the warehouse.
    let identifiers: Vec<(String, String)> = rollcall_tests::query_rows(
        &conn,
        "SELECT upn, forename || ' ' || surname FROM pupils WHERE upn IS NOT NULL",
        |r| Ok((r.get(0)?, r.get(1)?)),
    );
    assert!(identifiers.len() > 100);

    let get = |cookie: String, uri: String| {
        let app = app.clone();
        async move {
            let resp = app.oneshot(get_signed_in(&uri, &cookie)).await.unwrap();
            assert_eq!(resp.status(), StatusCode::OK, "{uri}");
            String::from_utf8(
                resp.into_body()
                    .collect()
                    .await
                    .unwrap()
                    .to_bytes()
                    .to_vec(),
            )
            .unwrap()
        }
    };
    let gov = sign_in(&app, "gov@t.org").await;
    let mut uris: Vec<String> = vec![
        "/".into(),
        "/?scope=dfe".into(),
        "/loads".into(),
        format!("/academy/{A}"),
        "/api/v1/summary".into(),
        "/api/v1/summary?format=csv".into(),
        "/cohorts".into(),
        "/cohorts?by=ethnicity".into(),
        "/heatmaps".into(),
        "/heatmaps?kind=academy-week&measure=rolling-absence".into(),
        "/heatmaps?kind=academy-year".into(),
        "/heatmaps?kind=day-session".into(),
        "/provision".into(),
        "/governors".into(),
        "/governors?scope=all".into(),
    ];
    for kind in ["academy-week", "academy-year", "day-session"] {
        for q in ["", "&format=csv"] {
            uris.push(format!("/api/v1/heatmap?kind={kind}{q}"));
        }
    }
    for by in queries::types::Dimension::ALL.map(|d| d.as_str()) {
        for q in ["", "&format=csv"] {
            uris.push(format!("/api/v1/cohorts?by={by}&academy={A}{q}"));
            uris.push(format!("/api/v1/cohorts?by={by}{q}"));
        }
    }
    for uri in &uris {
        let body = get(gov.clone(), uri.clone()).await;
        assert!(
            !body.contains("pupil_id") && !body.contains("\"upn\""),
            "{uri} names a pupil field"
        );
        for (upn, name) in &identifiers {
            assert!(!body.contains(upn.as_str()), "{uri} holds a UPN");
            assert!(!body.contains(name.as_str()), "{uri} holds a pupil's name");
        }
    }
    // The governors' summary as PDF, read back as text (poppler's pdftotext): the
    // academy's summary is there, and no pupil.
    let pdf = get_signed_in("/governors/summary.pdf", &gov);
    let resp = app.clone().oneshot(pdf).await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/pdf");
    let pdf = resp.into_body().collect().await.unwrap().to_bytes();
    let path = w.dir.path().join("governors.pdf");
    std::fs::write(&path, &pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout".as_ref(), path.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let name_a: String = conn
        .query_row("SELECT name FROM academies WHERE urn = ?", [A], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(
        text.contains(&name_a),
        "the PDF is the academy's summary: {text}"
    );
    assert!(text.contains("Attendance in") && text.contains("Gaps between groups"));
    assert!(!text.contains("UPN") && !text.contains("pupil_id"));
    for (upn, name) in &identifiers {
        assert!(!text.contains(upn.as_str()), "the PDF holds a UPN");
        assert!(
            !text.contains(name.as_str()),
            "the PDF holds a pupil's name"
        );
    }

    // Small groups are suppressed for the governor, and only for the governor.
    let uri = format!("/api/v1/cohorts?by=ethnicity&academy={A}");
    let governor: serde_json::Value =
        serde_json::from_str(&get(gov.clone(), uri.clone()).await).unwrap();
    let groups = governor["groups"].as_array().unwrap();
    assert!(
        groups.iter().any(|g| g["suppressed"] == true),
        "some group is small"
    );
    for g in groups {
        if g["suppressed"] == true {
            assert!(g["enrolments"].is_null() && g["absence_rate"].is_null());
        } else {
            assert!(g["enrolments"].as_u64().unwrap() >= 5);
        }
    }
    let trust = sign_in(&app, "trust@t.org").await;
    let lead: serde_json::Value = serde_json::from_str(&get(trust.clone(), uri).await).unwrap();
    assert!(lead["groups"]
        .as_array()
        .unwrap()
        .iter()
        .all(|g| g["suppressed"] == false));

    // The trust lead may open the pupil-level heatmap: it names pupils, and the
    // viewing is in the audit log.
    let audited = |_: &queries::db::Connection| -> i64 {
        w.audited("actor = 'trust@t.org' AND action = 'view pupils'")
    };
    assert_eq!(audited(&conn), 0);
    let page = get(trust, format!("/heatmaps?kind=pupils&academy={A}")).await;
    assert!(
        identifiers
            .iter()
            .any(|(_, name)| page.contains(name.as_str())),
        "the pupil heatmap names its pupils"
    );
    assert_eq!(audited(&conn), 1);
}
