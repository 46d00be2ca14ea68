//! Running it for real: accounts changed with the CLI, in another process, while the
//! server runs (no downtime to revoke a leaked token), and sessions that outlive a
//! restart of the server.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use queries::accounts::{self, TokenScope};
use queries::types::Role;
use queries::Db;
use tower::ServiceExt;

const CHILD_ENV: &str = "ROLLCALL_LIVE_TEST_CHILD";
const PASSWORD: &str = "a long test password";

fn router(db: &Arc<Db>, dir: &Path) -> axum::Router {
    server::serve::router(
        app::ssr::Warehouse::new(db.clone()),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
        server::auth::Auth::new(db.clone(), false),
        false,
        dir.join("inbox"),
    )
}

async fn send(app: &axum::Router, req: Request<Body>) -> (StatusCode, String) {
    let resp = app.clone().oneshot(req).await.unwrap();
    let location = resp
        .headers()
        .get(header::LOCATION)
        .map(|l| l.to_str().unwrap().to_string())
        .unwrap_or_default();
    (resp.status(), location)
}

fn get(uri: &str, auth: (header::HeaderName, String)) -> Request<Body> {
    Request::get(uri)
        .header(header::HOST, "rollcall.test")
        .header(auth.0, auth.1)
        .body(Body::empty())
        .unwrap()
}

async fn sign_in(app: &axum::Router, email: &str) -> String {
    let req = Request::post("/session")
        .header(header::HOST, "rollcall.test")
        .header(header::ORIGIN, "http://rollcall.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(format!(
            "email={email}&password={}&next=/",
            PASSWORD.replace(' ', "+")
        )))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let cookie = resp.headers()[header::SET_COOKIE].to_str().unwrap();
    cookie.split(';').next().unwrap().to_string()
}

/// The CLI half of the test below: `rollcall users disable` and `rollcall tokens revoke`
/// in a process of their own, as an administrator would run them.
#[test]
#[ignore = "run by the CLI-while-serving test as its child process"]
fn cli_child() {
    let args = std::env::var(CHILD_ENV).expect("run as the child of the live test");
    let (data_dir, rest) = args.split_once('|').unwrap();
    let (email, token) = rest.split_once('|').unwrap();
    let paths = server::Paths {
        data_dir: data_dir.into(),
    };
    let ok = std::process::ExitCode::SUCCESS;
    assert_eq!(
        server::accounts::users(
            &paths,
            server::accounts::UsersCommand::Disable {
                email: email.into()
            }
        )
        .unwrap(),
        ok
    );
    assert_eq!(
        server::accounts::tokens(
            &paths,
            server::accounts::TokensCommand::Revoke {
                id: token.parse().unwrap()
            }
        )
        .unwrap(),
        ok
    );
    println!("CHANGED");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cli_disables_a_user_and_revokes_a_token_while_the_server_runs() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db = Arc::new(Db::open(&data.join("rollcall.duckdb")).unwrap());
    let store = db.accounts().connect().unwrap();
    accounts::add_user(
        &store,
        "lead@t.org",
        "Lead",
        Role::Trust,
        &[],
        PASSWORD,
        false,
    )
    .unwrap();
    let (token, secret) = accounts::create_token(&store, "bi", TokenScope::Read, None).unwrap();
    let app = router(&db, &data);
    let cookie = sign_in(&app, "lead@t.org").await;
    let as_user = || get("/loads", (header::COOKIE, cookie.clone()));
    let as_token = || {
        get(
            "/api/v1/summary",
            (header::AUTHORIZATION, format!("Bearer {secret}")),
        )
    };
    assert_eq!(send(&app, as_user()).await.0, StatusCode::OK);
    // Let through (an empty warehouse has no summary to give: 404, not 401).
    let before = send(&app, as_token()).await.0;
    assert!(
        before != StatusCode::UNAUTHORIZED && before != StatusCode::FORBIDDEN,
        "{before}"
    );

    // The server holds the warehouse open; the CLI runs beside it.
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["cli_child", "--exact", "--ignored", "--nocapture"])
        .env(
            CHILD_ENV,
            format!("{}|lead@t.org|{}", data.display(), token.token_id),
        )
        .output()
        .unwrap();
    let said =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && said.contains("CHANGED"),
        "the CLI failed while the server ran:\n{said}"
    );

    // The very next requests.
    let (status, location) = send(&app, as_user()).await;
    assert!(
        status == StatusCode::SEE_OTHER && location.starts_with("/signin"),
        "a disabled user's session: {status} {location}"
    );
    assert_eq!(send(&app, as_token()).await.0, StatusCode::UNAUTHORIZED);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_session_survives_a_restart_of_the_server() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let path = data.join("rollcall.duckdb");
    let cookie = {
        let db = Arc::new(Db::open(&path).unwrap());
        let store = db.accounts().connect().unwrap();
        accounts::add_user(
            &store,
            "lead@t.org",
            "Lead",
            Role::Trust,
            &[],
            PASSWORD,
            false,
        )
        .unwrap();
        let app = router(&db, &data);
        let cookie = sign_in(&app, "lead@t.org").await;
        assert_eq!(
            send(&app, get("/loads", (header::COOKIE, cookie.clone())))
                .await
                .0,
            StatusCode::OK
        );
        cookie
        // The server stops: its router, its sessions and the database are dropped.
    };
    let db = Arc::new(Db::open(&path).unwrap());
    let app = router(&db, &data);
    let (status, location) = send(&app, get("/loads", (header::COOKIE, cookie))).await;
    assert_eq!(
        status,
        StatusCode::OK,
        "signed out by the restart: {location}"
    );
}
