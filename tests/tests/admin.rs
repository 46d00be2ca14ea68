//! Administration through the server's own routes, as the trust lead uses it: each
//! change audited, a secret shown once, and the change in force at the next request.

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use queries::types::Role;
use rollcall_tests::{
    add_account, post_form as post, sign_in_with as sign_in, Warehouse, PASSWORD,
};
use tower::ServiceExt;

async fn get(app: &axum::Router, uri: &str, auth: (header::HeaderName, String)) -> StatusCode {
    let req = Request::get(uri)
        .header(header::HOST, "rollcall.test")
        .header(auth.0, auth.1)
        .body(Body::empty())
        .unwrap();
    app.clone().oneshot(req).await.unwrap().status()
}

/// The administration page's data, as JSON (its flash taken).
async fn admin(app: &axum::Router, cookie: &str) -> serde_json::Value {
    let (status, body, _) = post(
        app,
        &rollcall_tests::server_fn_path("get_admin"),
        Some(cookie),
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trust_lead_adds_resets_disables_and_issues_tokens_each_audited() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = Warehouse::new();
    add_account(&w.accounts(), "lead@t.org", "Lead", Role::Trust, &[]);
    let app = rollcall_tests::whole_server(&w);
    let lead = sign_in(&app, "lead@t.org", PASSWORD).await.unwrap();
    let change_user = rollcall_tests::server_fn_path("change_user");
    let change_token = rollcall_tests::server_fn_path("change_token");

    // Add an account: its password comes back once.
    let (status, body, _) = post(
        &app,
        &change_user,
        Some(&lead),
        "op=add&email=new%40t.org&name=New+Staff&role=academy&academies=140101".into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let page = admin(&app, &lead).await;
    let flash = &page["flash"];
    assert_eq!(flash["ok"], true, "{flash}");
    let password = flash["secret"].as_str().unwrap().to_string();
    assert!(admin(&app, &lead).await["flash"].is_null(), "shown once");
    assert!(page["users"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["email"] == "new@t.org" && u["role"] == "academy"));
    let new = sign_in(&app, "new@t.org", &password).await.unwrap();
    assert_eq!(
        get(&app, "/loads", (header::COOKIE, new.clone())).await,
        StatusCode::OK
    );

    // A mistake is refused with the reason, not made.
    post(
        &app,
        &change_user,
        Some(&lead),
        "op=add&email=new%40t.org&name=Again&role=trust&academies=".into(),
    )
    .await;
    let flash = admin(&app, &lead).await["flash"].clone();
    assert_eq!(flash["ok"], false, "{flash}");
    assert!(
        flash["message"].as_str().unwrap().contains("already"),
        "{flash}"
    );

    // Disabled: their session ends at the next request.
    post(
        &app,
        &change_user,
        Some(&lead),
        "op=disable&email=new%40t.org&name=&role=&academies=".into(),
    )
    .await;
    assert_eq!(
        get(&app, "/loads", (header::COOKIE, new)).await,
        StatusCode::SEE_OTHER
    );
    // The lead cannot lock themself out.
    post(
        &app,
        &change_user,
        Some(&lead),
        "op=disable&email=lead%40t.org&name=&role=&academies=".into(),
    )
    .await;
    assert_eq!(admin(&app, &lead).await["flash"]["ok"], false);

    // A token: its secret once; it works until revoked.
    post(
        &app,
        &change_token,
        Some(&lead),
        "op=create&name=Power+BI&scope=read&academy=&id=".into(),
    )
    .await;
    let page = admin(&app, &lead).await;
    let secret = page["flash"]["secret"].as_str().unwrap().to_string();
    let id = page["tokens"][0]["id"].as_i64().unwrap();
    let bearer = || (header::AUTHORIZATION, format!("Bearer {secret}"));
    assert_ne!(
        get(&app, "/api/v1/summary", bearer()).await,
        StatusCode::UNAUTHORIZED
    );
    // An aggregates token is refused pupil-level routes.
    assert_eq!(
        get(&app, "/api/v1/provision?kind=ap", bearer()).await,
        StatusCode::FORBIDDEN
    );
    post(
        &app,
        &change_token,
        Some(&lead),
        format!("op=revoke&id={id}&name=&scope=&academy="),
    )
    .await;
    assert_eq!(
        get(&app, "/api/v1/summary", bearer()).await,
        StatusCode::UNAUTHORIZED
    );

    // Every change is in the audit log, by the lead, with what it was.
    let changes = w.audited("action = 'change accounts' AND actor = 'lead@t.org'");
    // Add, the refused add (audited as tried), disable, create, revoke; refusing to
    // disable one's own account is not a change.
    assert_eq!(changes, 5);
    assert_eq!(
        w.audited("action = 'change accounts' AND subject LIKE 'revoke token%'"),
        1
    );
    // The audit log cannot be edited, even by the store's own connection.
    assert!(w.accounts().execute("DELETE FROM audit_log", []).is_err());
}
