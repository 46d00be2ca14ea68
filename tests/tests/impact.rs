//! Whether it works, from hand-built registers loaded through the real loader and case
//! records in the real store, checked against figures worked out by hand.
//!
//! Fourteen school weeks from Monday 1 September 2025 (weeks 0 to 13), ten sessions
//! each, at academy A. Absences are illness mornings:
//! - T: 8 of 10 a week in weeks 0 to 6, 9 of 10 in weeks 7 to 13; a supportive
//!   attendance meeting on Wednesday 15 October (week 6). Before (weeks 0-5): 80%;
//!   after (weeks 7-12): 90%; +10 points.
//! - C1: 8 of 10 throughout (0); C2: 8 then 10 (+20): the comparison, +10 on average;
//!   the meeting's difference: 0.
//! - C3: 10 of 10: another band. C4: 8 then 6, with a letter on 5 November (week 9),
//!   inside the meeting's weeks after: not a comparison; its own six weeks after run
//!   past the registers: not yet measurable.
//! - Below 90% from week 0 (1 September): T, C1, C2, C4. T's first action 44 days on,
//!   C4's 65: median 54.5; C1 and C2 still waiting.

use chrono::NaiveDate;
use queries::cases::ActionKind;
use queries::types::Role;
use rollcall_tests::{api_as, date as d, get, get_json, principal, ExtractSpec, Warehouse};

const A: &str = "100001";

fn trust() -> Warehouse {
    let w = Warehouse::new();
    let days = rollcall_tests::weekdays(&[(d(2025, 9, 1), d(2025, 12, 5))]);
    assert_eq!(days.len(), 70, "the fixture");
    let attended = |pupil: &str, week: usize| -> usize {
        let before = week < 7;
        match (pupil, before) {
            ("T", true) | ("C1", _) | ("C2", true) | ("C4", true) => 8,
            ("T", false) => 9,
            ("C4", false) => 6,
            _ => 10,
        }
    };
    let ids = ["T", "C1", "C2", "C3", "C4"];
    let marks = rollcall_tests::registers_by_index(&ids, &days, |p, i, s| {
        let (week, weekday) = (i / 5, i % 5);
        // The absences are the first mornings of the week.
        let absent = 10 - attended(p, week);
        if s == 0 && weekday < absent {
            "I"
        } else {
            rollcall_tests::present(s)
        }
    });
    let pupils = rollcall_tests::year8_pupils(&ids);
    let spec = ExtractSpec::new(A, "2025-09-01", "2025-12-05", "2025-12-06T02:00:00Z")
        .pupils(&pupils)
        .marks(&marks);
    w.load_whole(&spec, "a");
    rollcall_tests::record_plain(&w, A, "T", ActionKind::Meeting, d(2025, 10, 15));
    rollcall_tests::record_plain(&w, A, "C4", ActionKind::Letter, d(2025, 11, 5));
    w
}

#[tokio::test(flavor = "multi_thread")]
async fn before_and_after_and_time_to_act_match_the_hand_calculation() {
    let w = trust();
    let api = api_as(&w, principal(Role::Trust, &[]));
    let v = get_json(&api, "/api/v1/interventions/impact").await;
    let cells = v["cells"].as_array().unwrap();
    let row = |kind: &str| cells.iter().find(|c| c["kind"] == kind).unwrap().clone();
    let meeting = row("meeting");
    assert_eq!(meeting["urn"], A);
    assert_eq!(meeting["pupils"], 1);
    assert_eq!(meeting["before"], 80.0);
    assert_eq!(meeting["after"], 90.0);
    assert_eq!(meeting["change"], 10.0);
    assert_eq!(meeting["compared"], 2);
    assert_eq!(meeting["comparison_change"], 10.0);
    assert_eq!(meeting["difference"], 0.0);
    let letter = row("letter");
    assert_eq!(letter["pupils"], 0);
    assert_eq!(letter["not_yet_measurable"], 1);
    assert!(letter["before"].is_null());
    assert_eq!(cells.len(), 2, "{v}");

    let today = app::reports::cases::today();
    let waited = (today - NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()).num_days();
    let c = &v["compliance"][0];
    assert_eq!(c["urn"], A);
    assert_eq!(c["below_90"], 4);
    assert_eq!(c["acted"], 2);
    assert_eq!(c["median_days_to_first_action"], 54.5);
    assert_eq!(c["waiting"], 2);
    assert_eq!(c["longest_wait_days"], waited);
    assert!(v["limits"].as_str().unwrap().contains("not proof"));

    // The CSV holds the same rows; a governor may not see it.
    let (status, csv) = get(&api, "/api/v1/interventions/impact?format=csv").await;
    assert_eq!(status, axum::http::StatusCode::OK);
    let csv = String::from_utf8(csv).unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    assert!(csv.starts_with("urn,kind,pupils,not_yet_measurable,before,after,change,compared,comparison_change,difference"));
    assert!(
        csv.contains("100001,meeting,1,0,80.0,90.0,10.0,2,10.0,0.0"),
        "{csv}"
    );
    let governor = api_as(&w, principal(Role::Governor, &[]));
    assert_eq!(
        get(&governor, "/api/v1/interventions/impact").await.0,
        axum::http::StatusCode::FORBIDDEN
    );
}
