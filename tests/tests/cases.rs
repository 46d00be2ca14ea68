//! Case records through the server's own routes, guard and sessions included, as the
//! people who use them would, and as someone who should not would try: staff record
//! actions on their own academy's pupils only, the trust reads every case and writes
//! none, a governor reads none; a mistake comes back to be put right, not half-written;
//! every viewing and every recording is audited; the action lists show each pupil's
//! stage and filter by it, per academy even where two academies use the same pupil id.
//!
//! Two academies with the same registers (1 to 26 September 2025): P1 absent without
//! reason (`N`) all day from 15 September, ten school days: on both academies' list of
//! possible children missing education; P2 present throughout.

use axum::http::StatusCode;
use queries::types::Role;
use rollcall_tests::{
    add_account, date as d, post_form, register, sign_in_with, ExtractSpec, Warehouse, PASSWORD,
};

const A: &str = "100001";
const B: &str = "100002";

fn trust() -> Warehouse {
    let w = Warehouse::new();
    let days = rollcall_tests::weekdays(&[(d(2025, 9, 1), d(2025, 9, 26))]);
    for urn in [A, B] {
        let marks: Vec<String> = ["P1", "P2"]
            .iter()
            .flat_map(|p| {
                register(p, &days, |day, _| {
                    if *p == "P1" && day >= d(2025, 9, 15) {
                        "N"
                    } else {
                        "/"
                    }
                })
            })
            .collect();
        let pupils: Vec<String> = (1..=2)
            .map(|n| format!("P{n},,Pupil{n},Test,2012-10-01,F,8,2024-09-01,,N,N,N,WBRI,N"))
            .collect();
        let spec = ExtractSpec::new(urn, "2025-09-01", "2025-09-26", "2025-09-27T02:00:00Z")
            .pupils(&pupils)
            .marks(&marks);
        w.load_whole(&spec, urn);
    }
    w
}

/// A record-action form as the pupil page sends it, with the date `on` (`YYYY-MM-DD`).
fn form(urn: &str, pupil: &str, kind: &str, on: chrono::NaiveDate, due: &str) -> String {
    use chrono::Datelike;
    let (dd, dm, dy) = match chrono::NaiveDate::parse_from_str(due, "%Y-%m-%d") {
        Ok(due) => (
            due.day().to_string(),
            due.month().to_string(),
            due.year().to_string(),
        ),
        Err(_) => Default::default(),
    };
    format!(
        "urn={urn}&pupil_id={pupil}&kind={kind}&on_day={}&on_month={}&on_year={}\
         &outcome=Parent+came%2C+agreed+a+plan&next_step=Review+meeting\
         &due_day={dd}&due_month={dm}&due_year={dy}",
        on.day(),
        on.month(),
        on.year()
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_record_their_own_pupils_cases_the_trust_reads_and_others_are_refused() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let accounts = w.accounts();
    add_account(&accounts, "a@t.org", "Staff A", Role::Academy, &[A.into()]);
    add_account(&accounts, "b@t.org", "Staff B", Role::Academy, &[B.into()]);
    add_account(&accounts, "lead@t.org", "Lead", Role::Trust, &[]);
    add_account(
        &accounts,
        "gov@t.org",
        "Governor",
        Role::Governor,
        &[A.into()],
    );
    let app = rollcall_tests::whole_server(&w);
    let staff_a = sign_in_with(&app, "a@t.org", PASSWORD).await.unwrap();
    let staff_b = sign_in_with(&app, "b@t.org", PASSWORD).await.unwrap();
    let lead = sign_in_with(&app, "lead@t.org", PASSWORD).await.unwrap();
    let governor = sign_in_with(&app, "gov@t.org", PASSWORD).await.unwrap();
    let record = rollcall_tests::server_fn_path("record_action");
    let get_case = rollcall_tests::server_fn_path("get_case");
    let case = |cookie: String, urn: &str, pupil: &str| {
        let (app, get_case) = (app.clone(), get_case.clone());
        let body = format!("urn={urn}&pupil_id={pupil}");
        async move {
            let (status, body, _) = post_form(&app, &get_case, Some(&cookie), body).await;
            (status, serde_json::from_str(&body).unwrap_or_default())
        }
    };
    let actions = || case_rows(&w);
    let today = app::reports::cases::today();

    // Nothing recorded: monitored; staff may record, the trust may not.
    let (status, c): (_, serde_json::Value) = case(staff_a.clone(), A, "P1").await;
    assert_eq!(status, StatusCode::OK, "{c}");
    assert_eq!(c["brief"]["stage"], "monitor");
    assert_eq!(c["may_record"], true);
    let (status, c) = case(lead.clone(), A, "P1").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(c["may_record"], false);

    // Staff of A record a meeting on A's P1: the case moves to support, with what was said.
    let (status, body, _) = post_form(
        &app,
        &record,
        Some(&staff_a),
        form(A, "P1", "meeting", today, ""),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, c) = case(staff_a.clone(), A, "P1").await;
    assert_eq!(c["flash"]["ok"], true, "{c}");
    assert_eq!(c["brief"]["stage"], "support");
    assert_eq!(c["actions"][0]["kind"], "meeting");
    assert_eq!(c["actions"][0]["by"], "Staff A");
    assert_eq!(c["actions"][0]["outcome"], "Parent came, agreed a plan");
    let (_, again) = case(staff_a.clone(), A, "P1").await;
    assert!(again["flash"].is_null(), "the outcome is shown once");
    // The trust reads it; B's pupil with the same id is another case.
    assert_eq!(
        case(lead.clone(), A, "P1").await.1["brief"]["stage"],
        "support"
    );
    assert_eq!(
        case(lead.clone(), B, "P1").await.1["brief"]["stage"],
        "monitor"
    );
    assert_eq!(actions(), 1);

    // Refused, and nothing written: B's staff on A's pupil, the trust, a governor, and
    // a pupil A never had.
    for (who, urn, pupil, status) in [
        (&staff_b, A, "P1", StatusCode::FORBIDDEN),
        (&lead, A, "P1", StatusCode::FORBIDDEN),
        (&governor, A, "P1", StatusCode::FORBIDDEN),
        (&staff_a, B, "P1", StatusCode::FORBIDDEN),
        (&staff_a, A, "P9", StatusCode::NOT_FOUND),
    ] {
        let (got, body, _) = post_form(
            &app,
            &record,
            Some(who),
            form(urn, pupil, "letter", today, ""),
        )
        .await;
        assert_eq!(got, status, "{urn} {pupil}: {body}");
    }
    assert_eq!(actions(), 1);
    // The right person's session, from another site's page: refused by the guard.
    let cross_site = {
        use tower::ServiceExt;
        let req = axum::http::Request::post(&record)
            .header("host", "rollcall.test")
            .header("origin", "https://evil.example")
            .header("content-type", "application/x-www-form-urlencoded")
            .header("cookie", &staff_a)
            .body(axum::body::Body::from(form(A, "P1", "letter", today, "")))
            .unwrap();
        app.clone().oneshot(req).await.unwrap().status()
    };
    assert_eq!(cross_site, StatusCode::FORBIDDEN);
    assert_eq!(actions(), 1);
    // A governor reads no case; B's staff none of A's.
    assert_eq!(
        case(governor.clone(), A, "P1").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        case(staff_b.clone(), A, "P1").await.0,
        StatusCode::FORBIDDEN
    );

    // Mistakes come back with the reason, and nothing is written.
    let tomorrow = today.succ_opt().unwrap();
    for (body, says) in [
        (form(A, "P1", "lunch", today, ""), "is not a kind of action"),
        (form(A, "P1", "letter", tomorrow, ""), "after today"),
        (
            form(A, "P1", "letter", today, "2000-01-01"),
            "before the action",
        ),
        (
            form(A, "P1", "letter", today, "").replace("on_month=", "on_month=2"),
            "is not a date",
        ),
    ] {
        let (status, _, _) = post_form(&app, &record, Some(&staff_a), body).await;
        assert_eq!(status, StatusCode::OK);
        let (_, c) = case(staff_a.clone(), A, "P1").await;
        assert_eq!(c["flash"]["ok"], false, "{c}");
        assert!(
            c["flash"]["message"].as_str().unwrap().contains(says),
            "{c}"
        );
    }
    assert_eq!(actions(), 1);

    // A notice to improve with a review date: enforcement, its next step due.
    let due = today + chrono::Duration::days(21);
    post_form(
        &app,
        &record,
        Some(&staff_a),
        form(A, "P1", "notice-to-improve", today, &due.to_string()),
    )
    .await;
    let (_, c) = case(staff_a.clone(), A, "P1").await;
    assert_eq!(c["brief"]["stage"], "enforce");
    assert_eq!(c["brief"]["next_due"], due.to_string());
    assert_eq!(c["brief"]["overdue"], false);

    // Every recording audited with what it was, every viewing too.
    assert_eq!(
        w.audited("action = 'record action' AND actor = 'a@t.org' AND subject LIKE 'pupil P1 at 100001: meeting%'"),
        1
    );
    assert_eq!(w.audited("action = 'record action'"), 2);
    assert!(w.audited("action = 'view case' AND actor = 'lead@t.org'") >= 3);
    // Nobody, not even the store's own connection, rewrites a case's history.
    assert!(w
        .accounts()
        .execute("DELETE FROM case_actions", [])
        .is_err());
    assert!(w
        .accounts()
        .execute("UPDATE case_actions SET outcome = ''", [])
        .is_err());
}

fn case_rows(w: &Warehouse) -> i64 {
    w.accounts()
        .query_row("SELECT count(*) FROM case_actions", [], |r| r.get(0))
        .unwrap()
}

/// With JavaScript off the form posts, the browser is sent back to the page, and the
/// page (rendered on the server) shows what was recorded.
#[tokio::test(flavor = "multi_thread")]
async fn recording_works_without_javascript() {
    use axum::http::{header, Request};
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    add_account(
        &w.accounts(),
        "a@t.org",
        "Staff A",
        Role::Academy,
        &[A.into()],
    );
    let app = rollcall_tests::whole_server(&w);
    let cookie = sign_in_with(&app, "a@t.org", PASSWORD).await.unwrap();
    let page = format!("/academy/{A}/pupil/P1");
    let today = app::reports::cases::today();
    let resp = app
        .clone()
        .oneshot(
            Request::post(rollcall_tests::server_fn_path("record_action"))
                .header(header::HOST, "rollcall.test")
                .header(header::ORIGIN, "http://rollcall.test")
                .header(header::REFERER, format!("http://rollcall.test{page}"))
                .header(header::ACCEPT, "text/html")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::COOKIE, &cookie)
                .body(axum::body::Body::from(form(
                    A,
                    "P1",
                    "home-visit",
                    today,
                    "",
                )))
                .unwrap(),
        )
        .await
        .unwrap();
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let back = resp.headers()[header::LOCATION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(back.trim_end_matches('?').ends_with(&page), "{back}");
    let resp = app
        .clone()
        .oneshot(
            Request::get(&page)
                .header(header::HOST, "rollcall.test")
                .header(header::COOKIE, &cookie)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    let html = String::from_utf8(
        resp.into_body()
            .collect()
            .await
            .unwrap()
            .to_bytes()
            .to_vec(),
    )
    .unwrap();
    assert!(
        html.contains("Recorded: Home visit on"),
        "the outcome is shown"
    );
    assert!(html.contains("Stage: Listen and understand."), "{html}");
    assert!(
        html.contains("id=\"record-action\""),
        "and the form for the next"
    );
}

/// Each pupil on a list with their case's stage, and the list filtered by it, per
/// academy: A's P1 and B's P1 are two cases.
#[tokio::test(flavor = "multi_thread")]
async fn the_lists_show_each_pupil_s_stage_and_filter_by_it() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust();
    let staff = rollcall_tests::principal(Role::Academy, &[A]);
    let checked = queries::cases::NewAction {
        urn: A.into(),
        pupil_id: "P1".into(),
        kind: "attendance-contract".into(),
        on: app::reports::cases::today().to_string(),
        ..Default::default()
    }
    .check(app::reports::cases::today())
    .unwrap();
    queries::cases::record(&mut w.accounts(), &staff, A, "P1", &checked).unwrap();
    let lead = rollcall_tests::principal(Role::Trust, &[]);
    let pages = server::serve::app_routes(
        app::ssr::Warehouse::new(w.shared()),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
    )
    .layer(axum::Extension(lead));
    let html = |uri: &'static str| {
        let pages = pages.clone();
        async move {
            let (status, body) = rollcall_tests::get(&pages, uri).await;
            assert_eq!(status, 200, "{uri}");
            String::from_utf8(body).unwrap()
        }
    };
    // A cell of the list (not the filter's option of the same words).
    let cells = |html: &str, text: &str| html.matches(&format!("<td>{text}")).count();
    let all = html("/actions?list=cme").await;
    assert_eq!(cells(&all, "4 Formalise support"), 1, "A's P1");
    assert_eq!(cells(&all, "1 Expect and monitor"), 1, "B's P1");
    let formal = html("/actions?list=cme&stage=formalise").await;
    assert_eq!(cells(&formal, "4 Formalise support"), 1);
    assert_eq!(cells(&formal, "1 Expect and monitor"), 0);
    assert!(formal.contains(&format!("/academy/{A}/pupil/P1#case")));
    assert!(!formal.contains(&format!("/academy/{B}/pupil/P1#case")));
    assert!(formal.contains("(1 of 2)"), "one of the list's two pupils");
}

/// The demo trust's history of actions: written through the store as its academies'
/// staff would, dated this year up to the latest register, and reaching every view:
/// stages beyond the first, notifications both made and still due, and the lists.
#[test]
fn the_demo_trust_has_a_history_of_actions_in_every_view() {
    let as_of = server::seed::default_as_of();
    let w = rollcall_tests::seeded_trust_on(as_of, "academies=3,pupils=600,years=1,nights=1");
    let written = server::seed::demo_cases(&w.db).unwrap();
    assert!(written > 50, "{written}");
    let store = w.accounts();
    let kinds: i64 = store
        .query_row("SELECT count(DISTINCT kind) FROM case_actions", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(kinds >= 6, "{kinds} kinds");
    let latest: String = store
        .query_row("SELECT max(done_on) FROM case_actions", [], |r| r.get(0))
        .unwrap();
    assert!(latest <= as_of.to_string(), "{latest} after {as_of}");
    assert_eq!(
        w.audited("action = 'record action' AND actor LIKE 'attendance-%@demo.rollcall'"),
        written as i64
    );
    let year_start = queries::cases::year_start(as_of);
    let reached = queries::cases::stages_reached(&store, &[], year_start, as_of).unwrap();
    let totals = reached.values().fold([0; 4], |mut t, c| {
        for i in 0..4 {
            t[i] += c[i];
        }
        t
    });
    assert!(totals[0] > 0 && totals[1] > 0, "{totals:?}");
    // The queue: some made, some still due.
    let conn = w.conn();
    let cals = queries::figures::calendars(&conn).unwrap();
    let lists = queries::actions::lists(&conn, &cals, None, &Default::default(), 3).unwrap();
    let due = queries::notifications::due(&conn, &cals, None, &lists.missing).unwrap();
    let told = queries::cases::told(&store, &[]).unwrap();
    let queue = queries::notifications::queue(&due, &told);
    let counts = queries::notifications::counts(&queue);
    assert!(
        counts.notified > 0 && counts.notified < counts.due,
        "{counts:?}"
    );
    // Running it again on a store that has a history is the demo's to avoid: it is
    // only called on the first start.
}
