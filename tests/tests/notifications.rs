//! The statutory notifications queue, from hand-built registers and reduced timetables
//! loaded through the real loader, and case records written through the real store:
//! the day counts at exactly 10 and 15 school days and one short, the day each falls
//! due, which recorded notification answers which, what is overdue, and who may fetch
//! the queue (each fetch audited).
//!
//! Registers from Monday 1 September to Friday 17 October 2025: 35 school days
//! (`days[0]` .. `days[34]`), at academy A (and B for one pupil):
//! - C10: `N` all day on days[10..20] (15 to 26 September): 10 school days, due from the
//!   tenth (26 September).
//! - C9: `G` all day on 9 school days: one short, not due.
//! - CO: `O` all day from days[22] (1 October) to the end, 13 school days and still
//!   absent: due from days[31] (14 October), three school days before the latest day.
//! - S15: `I` all day on days 0, 2, ... 28: 15 school days (30 sessions), not in a row;
//!   due from the thirtieth session (days[28], 9 October), six school days before the
//!   latest day.
//! - S14: `I` all day on days 0, 2, ... 26 and the morning of days[28]: 29 sessions, one
//!   short.
//! - R1: a reduced timetable from 8 September, planned to end 3 October, still running:
//!   due from its start, and as extended from 4 October. R2: one from 22 September, the
//!   MIS saying the local authority was told. R0: one that ended in May, last year.

use axum::http::StatusCode;
use chrono::NaiveDate;
use queries::cases::{ActionKind, Checked};
use queries::notifications::{NoticeKind, NOTIFY_WITHIN};
use queries::types::Role;
use rollcall_tests::{api_as, date as d, get, get_json, principal, ExtractSpec, Warehouse};

const A: &str = "100001";
const B: &str = "100002";

fn days() -> Vec<NaiveDate> {
    rollcall_tests::weekdays(&[(d(2025, 9, 1), d(2025, 10, 17))])
}

fn code(pupil: &str, i: usize, session: u8) -> &'static str {
    let present = rollcall_tests::present(session);
    match pupil {
        "C10" if (10..20).contains(&i) => "N",
        "C9" if (10..19).contains(&i) => "G",
        "CO" if i >= 22 => "O",
        "S15" if i.is_multiple_of(2) && i <= 28 => "I",
        "S14" if i.is_multiple_of(2) && (i < 28 || (i == 28 && session == 0)) => "I",
        _ => present,
    }
}

fn trust() -> Warehouse {
    let w = Warehouse::new();
    let days = days();
    let load = |urn: &str, ids: &[&str], timetables: &str| {
        let marks = rollcall_tests::registers_by_index(ids, &days, code);
        let pupils = rollcall_tests::year8_pupils(ids);
        let spec = ExtractSpec::new(urn, "2025-09-01", "2025-10-17", "2025-10-18T02:00:00Z")
            .pupils(&pupils)
            .marks(&marks)
            .file(
                "reduced_timetables.csv",
                format!(
                    "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\n{timetables}"
                ),
            );
        w.load_whole(&spec, urn);
    };
    load(
        A,
        &["C10", "C9", "CO", "S15", "S14", "R0", "R1", "R2", "P"],
        "R0,2025-03-03,2025-05-01,2025-04-01,2025-05-01,6,medical,Y,N\n\
         R1,2025-09-08,2025-10-03,2025-09-26,,5,anxiety,Y,N\n\
         R2,2025-09-22,2025-12-19,2025-10-20,,8,medical,Y,Y\n",
    );
    load(B, &["C10"], "");
    w
}

/// The queue as staff of `urns` would fetch it from the API, as (pupil, kind, due
/// since, school days, notified on, overdue).
type Row = (String, String, String, u64, Option<String>, bool);

async fn queue(w: &Warehouse, urns: &[&str], query: &str) -> Vec<Row> {
    let api = api_as(w, principal(Role::Academy, urns));
    let v = get_json(&api, &format!("/api/v1/notifications?{query}")).await;
    v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                format!(
                    "{}:{}",
                    c["urn"].as_str().unwrap(),
                    c["pupil_id"].as_str().unwrap()
                ),
                c["kind"].as_str().unwrap().to_string(),
                c["due_since"].as_str().unwrap().to_string(),
                c["school_days"].as_u64().unwrap(),
                c["notified_on"].as_str().map(String::from),
                c["overdue"].as_bool().unwrap(),
            )
        })
        .collect()
}

fn row(p: &str, kind: &str, due: &str, days: u64, notified: Option<&str>, overdue: bool) -> Row {
    (
        p.into(),
        kind.into(),
        due.into(),
        days,
        notified.map(String::from),
        overdue,
    )
}

/// Records that the local authority was told, as staff of `urn`, through the store.
fn tell(w: &Warehouse, urn: &str, pupil: &str, kind: ActionKind, on: NaiveDate) {
    rollcall_tests::record_plain(w, urn, pupil, kind, on);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_counts_school_days_exactly_and_cases_answer_it() {
    let w = trust();
    assert_eq!(days().len(), 35, "the fixture");
    assert_eq!(days()[28], d(2025, 10, 9), "the fixture");
    assert_eq!(NOTIFY_WITHIN, 5);

    // Nothing recorded yet. C9 and S14 (one short) and R0 (last year) are not due.
    // C10: 15 school days since its tenth day, overdue; CO: 3, not yet; S15: 6, overdue.
    let a = |p: &str| format!("{A}:{p}");
    let before = queue(&w, &[A], "").await;
    assert_eq!(
        before,
        vec![
            // Overdue first, oldest due first.
            row(&a("R1"), "reduced-timetable", "2025-09-08", 30, None, true),
            row(&a("C10"), "cme", "2025-09-26", 10, None, true),
            row(&a("R1"), "reduced-timetable", "2025-10-04", 10, None, true),
            row(&a("S15"), "section19", "2025-10-09", 15, None, true),
            row(&a("CO"), "cme", "2025-10-14", 13, None, false),
            // The MIS says the local authority was told: made, with no date of ours.
            row(&a("R2"), "reduced-timetable", "2025-09-22", 20, None, false),
        ]
    );

    // The cases record notifications: C10's after its run began answers it; a CME note
    // on S15 does not answer the section 19 duty; R1's note in September answers its
    // start, not the extension after 3 October; B's C10 is another pupil.
    tell(&w, A, "C10", ActionKind::NotifiedCme, d(2025, 9, 29));
    tell(&w, A, "S15", ActionKind::NotifiedCme, d(2025, 10, 10));
    tell(
        &w,
        A,
        "R1",
        ActionKind::NotifiedReducedTimetable,
        d(2025, 9, 10),
    );
    let after = queue(&w, &[A], "").await;
    assert_eq!(
        after,
        vec![
            // Overdue first, oldest due first; then not yet made; then made.
            row(&a("R1"), "reduced-timetable", "2025-10-04", 10, None, true),
            row(&a("S15"), "section19", "2025-10-09", 15, None, true),
            row(&a("CO"), "cme", "2025-10-14", 13, None, false),
            row(
                &a("R1"),
                "reduced-timetable",
                "2025-09-08",
                30,
                Some("2025-09-10"),
                false
            ),
            row(&a("R2"), "reduced-timetable", "2025-09-22", 20, None, false),
            row(
                &a("C10"),
                "cme",
                "2025-09-26",
                10,
                Some("2025-09-29"),
                false
            ),
        ]
    );
    // Filters: one kind; only those not yet made.
    let cme = queue(&w, &[A], "kind=cme").await;
    assert_eq!(cme.len(), 2);
    let open = queue(&w, &[A], "open=true").await;
    assert_eq!(
        open.iter().map(|r| r.0.as_str()).collect::<Vec<_>>(),
        vec![a("R1"), a("S15"), a("CO")]
    );
    // B's C10, the same id at another academy: overdue, unanswered by A's note.
    let b = queue(&w, &[B], "").await;
    assert_eq!(
        b,
        vec![row(
            &format!("{B}:C10"),
            "cme",
            "2025-09-26",
            10,
            None,
            true
        )]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_queue_is_pupil_level_audited_and_kept_to_the_viewers_academies() {
    let w = trust();
    let as_ = |role, urns: &[&str]| api_as(&w, principal(role, urns));
    // Staff of B: their own academy's queue only; A's is refused.
    let staff_b = as_(Role::Academy, &[B]);
    assert_eq!(
        get(&staff_b, &format!("/api/v1/notifications?academy={A}"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
    let own = get_json(&staff_b, "/api/v1/notifications").await;
    assert!(own["cells"]
        .as_array()
        .unwrap()
        .iter()
        .all(|c| c["urn"] == B));
    // A governor sees no pupils: refused, whichever academy.
    let governor = as_(Role::Governor, &[A]);
    assert_eq!(
        get(&governor, "/api/v1/notifications").await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        get(&governor, "/api/v1/cases").await.0,
        StatusCode::FORBIDDEN
    );
    // A parameter that is not a kind is named.
    let lead = as_(Role::Trust, &[]);
    let (status, body) = get(&lead, "/api/v1/notifications?kind=ehe").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(String::from_utf8_lossy(&body).contains("kind"));
    // The trust sees both academies; the CSV holds the same rows as the JSON.
    let all = get_json(&lead, "/api/v1/notifications").await;
    let n = all["cells"].as_array().unwrap().len();
    assert_eq!(n, 7);
    let (status, csv) = get(&lead, "/api/v1/notifications?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    assert_eq!(csv.lines().count(), n + 1, "{csv}");
    assert!(
        csv.starts_with("urn,pupil_id,upn,name,year_group,kind,due_since,school_days,notified_on,")
    );
    // Every fetch that let pupils out is in the audit log, refusals none.
    assert_eq!(
        w.audited("action = 'export pupils' AND subject LIKE 'notifications queue%'"),
        3
    );
    assert_eq!(
        w.audited("action = 'export pupils' AND subject LIKE 'notifications queue%' AND actor = 'trust@trust.test'"),
        2
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cases_api_gives_each_case_at_a_glance_without_free_text() {
    let w = trust();
    let today = app::reports::cases::today();
    let who = principal(Role::Academy, &[A]);
    let meeting = Checked {
        kind: ActionKind::Meeting,
        on: today,
        outcome: "Mother attended; worried about bullying".into(),
        next_step: "Review".into(),
        next_due: today.succ_opt(),
    };
    queries::cases::record(&mut w.accounts(), &who, A, "C10", &meeting).unwrap();
    tell(&w, A, "CO", ActionKind::NotifiedCme, today);
    let api = api_as(&w, who);
    let v = get_json(&api, "/api/v1/cases").await;
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 2, "{v}");
    assert_eq!(cells[0]["pupil_id"], "C10");
    assert_eq!(cells[0]["stage"], "support");
    assert_eq!(cells[0]["last_action"], "meeting");
    assert_eq!(cells[0]["next_due"], today.succ_opt().unwrap().to_string());
    assert_eq!(cells[0]["overdue"], false);
    // A notification leaves the stage where it was.
    assert_eq!(cells[1]["pupil_id"], "CO");
    assert_eq!(cells[1]["stage"], "monitor");
    assert!(!v.to_string().contains("bullying"), "no free text: {v}");
    let support = get_json(&api, "/api/v1/cases?stage=support").await;
    assert_eq!(support["cells"].as_array().unwrap().len(), 1);
    let (status, csv) = get(&api, "/api/v1/cases?format=csv").await;
    assert_eq!(status, StatusCode::OK);
    assert!(String::from_utf8(csv)
        .unwrap()
        .trim_start_matches('\u{feff}')
        .starts_with("urn,pupil_id,stage,last_action,last_action_on,next_due,overdue,actions"));
    assert_eq!(
        w.audited("action = 'export pupils' AND subject LIKE 'cases, trust%'"),
        3
    );
    // The action list's CSV carries each pupil's case, as the page shows it.
    let (status, csv) = get(&api, "/api/v1/actions?list=cme&format=csv").await;
    assert_eq!(status, StatusCode::OK);
    let csv = String::from_utf8_lossy(&csv).to_string();
    assert!(
        csv.lines()
            .next()
            .unwrap()
            .ends_with(",Stage,Next step due"),
        "{csv}"
    );
    assert!(
        csv.lines()
            .any(|l| l.contains(",C10,") && l.contains("3 Facilitate support")),
        "{csv}"
    );
    // Staff of B see none of A's cases.
    let b = api_as(&w, principal(Role::Academy, &[B]));
    assert_eq!(
        get_json(&b, "/api/v1/cases").await["cells"]
            .as_array()
            .unwrap()
            .len(),
        0
    );
    assert_eq!(
        get(&b, &format!("/api/v1/cases?academy={A}")).await.0,
        StatusCode::FORBIDDEN
    );
}

#[test]
fn every_kind_has_its_recording_action() {
    for k in NoticeKind::ALL {
        assert_eq!(k.action().stage(), None, "{k:?} leaves the stage");
    }
}
