//! Letters from the thresholds list and the penalty-notice evidence pack, through the
//! whole server (guard and sessions included), read back from the PDF as text: what a
//! parent would read, each letter recorded on the case, only the academy's own staff
//! able to make them, and every pack and batch in the audit log.
//!
//! Registers from 1 September to 17 October 2025 (35 school days, 70 sessions), the
//! latest school week 13 to 17 October:
//! - L90: 6 sessions missed (illness) before the latest week, 54 of 60 attended: 90.0%,
//!   not below 90; 2 more in it: 62 of 70, 88.6%, below 90 this week.
//! - L95: 2 missed before (96.7%), 2 more in the latest week: 66 of 70, 94.3%.
//! - PN: `N` on both sessions of the five days 6 to 10 October: 10 sessions of
//!   unauthorised absence in 10 school weeks, at the penalty-notice threshold.
//! - P: present throughout.

use axum::http::StatusCode;
use queries::types::Role;
use rollcall_tests::{
    add_account, date as d, pdf_text, send_bytes, sign_in_with, ExtractSpec, Warehouse, PASSWORD,
};

const A: &str = "100001";
const B: &str = "100002";

fn code(pupil: &str, i: usize, session: u8) -> &'static str {
    let present = rollcall_tests::present(session);
    let am = session == 0;
    match pupil {
        "L90" if am && (i < 6 || i == 30 || i == 31) => "I",
        "L95" if am && (i < 2 || i == 30 || i == 31) => "I",
        "PN" if (25..30).contains(&i) => "N",
        _ => present,
    }
}

fn trust(config: queries::TrustConfig) -> Warehouse {
    let w = Warehouse::with_config(config);
    let days = rollcall_tests::weekdays(&[(d(2025, 9, 1), d(2025, 10, 17))]);
    for urn in [A, B] {
        let ids = ["L90", "L95", "PN", "P"];
        let marks = rollcall_tests::registers_by_index(&ids, &days, code);
        let pupils = rollcall_tests::year8_pupils(&ids);
        let spec = ExtractSpec::new(urn, "2025-09-01", "2025-10-17", "2025-10-18T02:00:00Z")
            .pupils(&pupils)
            .marks(&marks);
        w.load_whole(&spec, urn);
    }
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
    w
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn letters_recorded(w: &Warehouse) -> Vec<(String, String, String)> {
    let conn = w.accounts();
    let mut stmt = conn
        .prepare("SELECT urn, pupil_id, outcome FROM case_actions WHERE kind = 'letter' ORDER BY urn, pupil_id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn staff_make_a_batch_of_letters_and_each_is_recorded_on_the_case() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let config = queries::TrustConfig::parse(
        "name = \"Riverside Trust\"\n[contacts]\n\"100001\" = \"Mrs Patel, attendance officer, on 01234 567890\"\n",
    )
    .unwrap();
    let w = trust(config);
    let app = rollcall_tests::whole_server_configured(&w);
    let staff = sign_in_with(&app, "a@t.org", PASSWORD).await.unwrap();
    let post = |cookie: &str, urn: &str, body: &str| {
        let (app, cookie) = (app.clone(), cookie.to_string());
        let (uri, body) = (format!("/academy/{urn}/letters"), body.to_string());
        async move { send_bytes(&app, "POST", &uri, &cookie, body).await }
    };

    // The list offers the letters to the academy's staff.
    let (status, _, page) = send_bytes(
        &app,
        "GET",
        "/actions?list=thresholds",
        &staff,
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let page = String::from_utf8(page).unwrap();
    assert!(
        page.contains(&format!("action=\"/academy/{A}/letters\"")),
        "{page}"
    );
    assert!(page.contains("name=\"pupil\" value=\"L90\""));

    let (status, kind, pdf) = post(&staff, A, "pupil=L95&pupil=L90&pupil=L90").await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind, "application/pdf");
    let text = pdf_text(&pdf);
    let pages: Vec<String> = text
        .split('\u{c}')
        .map(one_line)
        .filter(|p| !p.is_empty())
        .collect();
    assert_eq!(pages.len(), 2, "one letter a page, L90 once: {text}");
    // In pupil id order: L90, then L95; each in the words for its threshold.
    assert!(pages[0].contains("Dear parent or carer,"), "{}", pages[0]);
    assert!(
        pages[0].contains(
            "From 1 September 2025 to 17 October 2025, Pupil L90 (Year 8) attended 88.6% of the \
         sessions they could have attended, and missed 8 of 70 sessions (about 4 school days). \
         Their attendance has now fallen below 90%."
        ),
        "{}",
        pages[0]
    );
    assert!(pages[0].contains("persistent absence"), "{}", pages[0]);
    assert!(pages[0].contains("contact Mrs Patel, attendance officer, on 01234 567890"));
    assert!(pages[0].contains("Private and confidential: to the parent or carer of Pupil L90"));
    assert!(
        pages[1].contains("attended 94.3%") && pages[1].contains("fallen below 95%"),
        "{}",
        pages[1]
    );
    assert!(pages[1].contains("missed 4 of 70 sessions (about 2 school days)"));
    // Recorded on each case, and audited: the batch as an export, each letter as a write.
    assert_eq!(
        letters_recorded(&w),
        vec![
            (
                A.into(),
                "L90".into(),
                "Letter at 90% attendance (one of 2 made together)".into()
            ),
            (
                A.into(),
                "L95".into(),
                "Letter at 95% attendance (one of 2 made together)".into()
            ),
        ]
    );
    assert_eq!(
        w.audited("action = 'export pupils' AND subject LIKE 'letters at 100001, 2 pupils%'"),
        1
    );
    assert!(!pages[0].contains("UPN"), "no UPN on a letter home");
    assert_eq!(
        w.audited("action = 'record action' AND subject LIKE '%: letter on %'"),
        2
    );

    // The form sent twice (a double click): the letters again, recorded once.
    let (status, _, _) = post(&staff, A, "pupil=L90&pupil=L95").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(letters_recorded(&w).len(), 2);

    // Refused, and nothing more recorded: a pupil not on this week's list (named), no
    // pupil at all, the trust, another academy's staff, a governor.
    let (status, _, body) = post(&staff, A, "pupil=L90&pupil=P").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        String::from_utf8_lossy(&body).contains("not on this week's thresholds list at 100001: P")
    );
    assert_eq!(post(&staff, A, "").await.0, StatusCode::BAD_REQUEST);
    let lead = sign_in_with(&app, "lead@t.org", PASSWORD).await.unwrap();
    assert_eq!(post(&lead, A, "pupil=L90").await.0, StatusCode::FORBIDDEN);
    let staff_b = sign_in_with(&app, "b@t.org", PASSWORD).await.unwrap();
    assert_eq!(
        post(&staff_b, A, "pupil=L90").await.0,
        StatusCode::FORBIDDEN
    );
    let governor = sign_in_with(&app, "gov@t.org", PASSWORD).await.unwrap();
    assert_eq!(
        post(&governor, A, "pupil=L90").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(letters_recorded(&w).len(), 2);
    // The trust sees no letter form on its list.
    let (_, _, page) = send_bytes(
        &app,
        "GET",
        "/actions?list=thresholds",
        &lead,
        String::new(),
    )
    .await;
    assert!(!String::from_utf8(page).unwrap().contains("/letters\""));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_trust_s_own_letter_is_used_where_it_wrote_one() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let config = queries::TrustConfig::parse(
        "[letters.90]\nsubject = \"About {pupil_name}\"\nbody = \"\"\"\n{salutation},\n\n{pupil_name} is at {attendance}; {sessions_missed} sessions missed.\n\"\"\"\n",
    )
    .unwrap();
    let w = trust(config);
    let app = rollcall_tests::whole_server_configured(&w);
    let staff = sign_in_with(&app, "a@t.org", PASSWORD).await.unwrap();
    let (status, _, pdf) = send_bytes(
        &app,
        "POST",
        &format!("/academy/{A}/letters"),
        &staff,
        "pupil=L90".into(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let text = one_line(&pdf_text(&pdf));
    assert!(text.contains("About Pupil L90"), "{text}");
    assert!(
        text.contains("Pupil L90 is at 88.6%; 8 sessions missed."),
        "{text}"
    );
    // No contact configured: the academy's attendance team.
    assert!(!text.contains("Mrs Patel"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_evidence_pack_quotes_the_rule_the_window_its_register_and_the_actions() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust(queries::TrustConfig::default());
    // The case: a letter, a meeting, a notice to improve, as staff recorded them.
    let who = rollcall_tests::principal(Role::Academy, &[A]);
    for (kind, on, outcome) in [
        (
            queries::cases::ActionKind::Letter,
            d(2025, 10, 13),
            "Letter at 90%",
        ),
        (
            queries::cases::ActionKind::Meeting,
            d(2025, 10, 15),
            "Mother attended",
        ),
        (
            queries::cases::ActionKind::NoticeToImprove,
            d(2025, 10, 17),
            "Issued by post",
        ),
    ] {
        let action = queries::cases::Checked {
            kind,
            on,
            outcome: outcome.into(),
            next_step: String::new(),
            next_due: None,
        };
        queries::cases::record(&mut w.accounts(), &who, A, "PN", &action).unwrap();
    }
    let app = rollcall_tests::whole_server_configured(&w);
    let lead = sign_in_with(&app, "lead@t.org", PASSWORD).await.unwrap();
    let uri = format!("/academy/{A}/pupil/PN/evidence.pdf");
    let (status, kind, pdf) = send_bytes(&app, "GET", &uri, &lead, String::new()).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&pdf));
    assert_eq!(kind, "application/pdf");
    let text = one_line(&pdf_text(&pdf));
    assert!(text.contains("Penalty notice evidence: Pupil PN"), "{text}");
    assert!(text.contains(
        "A penalty notice must be considered when a pupil has 10 sessions of unauthorised absence"
    ));
    // The window: the school weeks to the latest loaded (only seven are loaded).
    assert!(
        text.contains("10 sessions of unauthorised absence in the 10 school weeks from"),
        "{text}"
    );
    assert!(text.contains("N: reason not yet given 10"), "{text}");
    // The register of the week of 6 October: N in every session.
    assert!(text.contains("6 Oct 2025 N N N N N N N N N N"), "{text}");
    assert!(
        text.contains("Supportive attendance meeting") && text.contains("Mother attended"),
        "{text}"
    );
    assert!(
        text.contains("Notice to improve issued: 17 Oct 2025."),
        "{text}"
    );
    assert_eq!(
        w.audited("action = 'export pupils' AND subject = 'penalty-notice evidence pack, pupil PN at 100001'"),
        1
    );
    // A governor may not; another academy's staff may not.
    let governor = sign_in_with(&app, "gov@t.org", PASSWORD).await.unwrap();
    assert_eq!(
        send_bytes(&app, "GET", &uri, &governor, String::new())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let staff_b = sign_in_with(&app, "b@t.org", PASSWORD).await.unwrap();
    assert_eq!(
        send_bytes(&app, "GET", &uri, &staff_b, String::new())
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    // No such pupil: 404.
    let (status, _, _) = send_bytes(
        &app,
        "GET",
        &format!("/academy/{A}/pupil/NOBODY/evidence.pdf"),
        &lead,
        String::new(),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Governors see cases only as counts by stage, and a small count with whatever would
/// give it away hidden: worked by hand for this table. Academy A: 2 pupils at "listen
/// and understand", 7 at "facilitate support" (9 in all); B: 6 and 8 (14); the trust: 8
/// and 15 (23). A's 2 is small; its row total, the column's trust total and then B's
/// row would each give it away unless the other three inner counts are hidden too (a
/// rectangle: four unknowns, rank-three equations). Staff and the trust see every count.
#[tokio::test(flavor = "multi_thread")]
async fn governors_see_counts_by_stage_with_small_ones_protected() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = trust(queries::TrustConfig::default());
    add_account(
        &w.accounts(),
        "trustgov@t.org",
        "Trust governor",
        Role::Governor,
        &[],
    );
    for (urn, letters, meetings) in [(A, 2, 7), (B, 6, 8)] {
        let who = rollcall_tests::principal(Role::Academy, &[urn]);
        let mut actions = Vec::new();
        for (kind, n, prefix) in [
            (queries::cases::ActionKind::Letter, letters, "U"),
            (queries::cases::ActionKind::Meeting, meetings, "S"),
        ] {
            for i in 0..n {
                actions.push((
                    format!("{prefix}{i}"),
                    queries::cases::Checked {
                        kind,
                        on: d(2025, 10, 1),
                        outcome: "Private detail".into(),
                        next_step: String::new(),
                        next_due: None,
                    },
                ));
            }
        }
        queries::cases::record_many(&mut w.accounts(), &who, urn, &actions).unwrap();
    }
    let app = rollcall_tests::whole_server_configured(&w);
    let path = rollcall_tests::server_fn_path("get_governors");
    let rows = |cookie: String| {
        let (app, path) = (app.clone(), path.clone());
        async move {
            let (status, body, _) =
                rollcall_tests::post_form(&app, &path, Some(&cookie), "params[place]=all".into())
                    .await;
            assert_eq!(status, StatusCode::OK, "{body}");
            assert!(!body.contains("Private detail"));
            let v: serde_json::Value = serde_json::from_str(&body).unwrap();
            v["stages"]["rows"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| (r[0].as_str().map(String::from), r[2].clone()))
                .collect::<Vec<_>>()
        }
    };
    let governor = sign_in_with(&app, "trustgov@t.org", PASSWORD)
        .await
        .unwrap();
    let seen = rows(governor).await;
    let x = serde_json::Value::Null;
    assert_eq!(
        seen,
        vec![
            (Some(A.to_string()), serde_json::json!([x, x, 0, 0, 9])),
            (Some(B.to_string()), serde_json::json!([x, x, 0, 0, 14])),
            (None, serde_json::json!([8, 15, 0, 0, 23])),
        ]
    );
    let lead = sign_in_with(&app, "lead@t.org", PASSWORD).await.unwrap();
    assert_eq!(
        rows(lead).await[0],
        (Some(A.to_string()), serde_json::json!([2, 7, 0, 0, 9]))
    );
    // A governor of A alone: its row only, no trust row; 2 hidden with 7 beside it.
    let governor_a = sign_in_with(&app, "gov@t.org", PASSWORD).await.unwrap();
    assert_eq!(
        rows(governor_a).await,
        vec![(Some(A.to_string()), serde_json::json!([x, x, 0, 0, 9]))]
    );
}
