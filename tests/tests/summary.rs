//! Termly summaries on a hand-built trust, every figure and sentence worked out by
//! hand, loaded through the real loader.
//!
//! Two primary academies of 10 pupils, two terms: autumn 2024 (2-13 September, 10
//! school days, 20 sessions a pupil) and spring 2025 (6-17 January, the same).
//! - Academy A (100001): P1 and P2 eligible for FSM, the rest not.
//!   Autumn: P1 absent (`O`) 2 sessions of 20, exactly 10%: persistently absent.
//!   Absence 2 / 200 = 1.0%, attendance 99.0%, PA 1 / 10 = 10.0%.
//!   Spring: P1 and P2 ill (`I`) 4 sessions each. Absence 8 / 200 = 4.0%, attendance
//!   96.0%, PA 2 / 10 = 20.0% (4 of 20 is 20%). FSM gap: 8 / 40 = 20.0% against 0.0%.
//!   P3 on alternative provision from 6 January 2025.
//! - Academy B (100002): everyone present. Trust spring absence 8 / 400 = 2.0%.
//!
//! England for spring 2024/25 (primary): DfE's autumn and spring 2024/25 figure, 5.16%.

use chrono::NaiveDate;
use queries::types::{Count, Principal, Role, Scope};
use queries::Status;
use rollcall_tests::{date as d, present, principal, ExtractSpec, Warehouse};

/// Pupil `id`'s mark on `day`, session `s` (0 AM, 1 PM).
fn code(id: &str, day: NaiveDate, s: u8) -> &'static str {
    match id {
        // P1: autumn, absent both sessions of 2 Sept; spring, ill 6 and 7 Jan.
        "P1" if day == d(2024, 9, 2) => "O",
        "P1" if day == d(2025, 1, 6) || day == d(2025, 1, 7) => "I",
        "P2" if day == d(2025, 1, 8) || day == d(2025, 1, 9) => "I",
        _ => present(s),
    }
}

pub fn trust() -> Warehouse {
    let w = Warehouse::new();
    // The school days of the extract.
    let days = rollcall_tests::weekdays(&[
        (d(2024, 9, 2), d(2024, 9, 13)),
        (d(2025, 1, 6), d(2025, 1, 17)),
    ]);
    let rows = rollcall_tests::registers((1..=10).map(|i| format!("P{i}")), &days, code);
    let pupils: Vec<String> = (1..=10)
        .map(|i| {
            let fsm = if i <= 2 { "Y" } else { "N" };
            format!("P{i},,Surname{i},Forename{i},2015-01-10,F,5,2021-09-01,,N,{fsm},N,WBRI,N")
        })
        .collect();
    let a = ExtractSpec::new("100001", "2024-09-02", "2025-01-17", "2025-01-18T02:00:00Z")
        .pupils(&pupils)
        .marks(&rows)
        .file(
            "ap_placements.csv",
            "pupil_id,provider,provider_urn,arranged_by,start_date,end_date,sessions_per_week,last_contact_date\n\
             P3,Skills Hub,,school,2025-01-06,,2,2025-01-17\n",
        );
    assert_eq!(w.load_spec(&a, "a").status, Status::Loaded);
    let rows_b = rollcall_tests::registers((1..=10).map(|i| format!("Q{i}")), &days, |_, _, s| {
        present(s)
    });
    let pupils_b: Vec<String> = (1..=10)
        .map(|i| format!("Q{i},,Other{i},Pupil{i},2015-01-10,M,5,2021-09-01,,N,N,N,WBRI,N"))
        .collect();
    let b = ExtractSpec::new("100002", "2024-09-02", "2025-01-17", "2025-01-18T02:00:00Z")
        .pupils(&pupils_b)
        .marks(&rows_b);
    assert_eq!(w.load_spec(&b, "b").status, Status::Loaded);
    w
}

/// A viewer of academy 100001.
fn viewer(role: Role) -> Principal {
    principal(role, &["100001"])
}

fn summaries(w: &Warehouse, role: Role, slug: &str) -> Vec<queries::types::PlaceSummary> {
    summaries_for(w, &viewer(role), slug)
}

fn summaries_for(w: &Warehouse, v: &Principal, slug: &str) -> Vec<queries::types::PlaceSummary> {
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    let terms = queries::summary::terms(&cal);
    let term = terms.iter().find(|t| t.slug == slug).unwrap().clone();
    let academies = queries::figures::academies(&conn).unwrap();
    let places: Vec<Option<queries::types::AcademyRef>> = std::iter::once(None)
        .chain(academies.into_iter().map(Some))
        .collect();
    queries::summary::summaries(
        &conn,
        &cal,
        &queries::summary::Request {
            term: &term,
            scope: Scope::Dfe,
            places: &places,
            trust_name: "Test Trust",
            viewer: &v.visibility(5),
            threshold: 5,
        },
    )
    .unwrap()
}

#[test]
fn terms_are_listed_newest_first_with_the_last_one_to_date() {
    let w = trust();
    let cal = queries::figures::calendars(&w.conn()).unwrap();
    let terms = queries::summary::terms(&cal);
    let names: Vec<(&str, bool, NaiveDate)> = terms
        .iter()
        .map(|t| (t.slug.as_str(), t.in_progress, t.to))
        .collect();
    assert_eq!(
        names,
        [
            ("spring-2025", true, d(2025, 1, 17)),
            ("autumn-2024", false, d(2024, 9, 13)),
        ]
    );
    assert_eq!(terms[0].label(), "Spring 2025 to 17 Jan 2025");
}

#[test]
fn the_sentences_match_the_hand_worked_figures() {
    let w = trust();
    let all = summaries(&w, Role::Trust, "spring-2025");
    assert_eq!(all.len(), 3, "the trust and two academies");
    let a = all
        .iter()
        .find(|s| s.urn.as_deref() == Some("100001"))
        .unwrap();
    assert_eq!(a.now.attendance, Some(96.0));
    assert_eq!(a.now.pa, Some(20.0));
    assert_eq!(a.previous.as_ref().unwrap().rates.attendance, Some(99.0));
    assert_eq!(a.previous.as_ref().unwrap().rates.pa, Some(10.0));
    assert_eq!(a.trust.as_ref().unwrap().rates.absence, Some(2.0));
    assert!(a.last_year.is_none(), "no 2023/24 registers");
    assert_eq!(
        a.sentences,
        [
            "Attendance in Spring 2025 to 17 Jan 2025 was 96.0%, down 3.0 percentage points on Autumn 2024 (99.0%).",
            "Overall absence was 4.0%, below 5.2% for England (primary, autumn and spring 2024/25) and above 2.0% for the trust as a whole.",
            "20.0% of pupils were persistently absent (missing 10% or more of their sessions), up from 10.0% in Autumn 2024.",
            "0.0% were severely absent (missing half or more of their sessions), the same as in Autumn 2024.",
            "The widest gap between groups is FSM against not FSM: absence 20.0 percentage points higher, wider than the national gap (+4.8).",
            "During the term 1 pupil was on alternative provision and no pupils on a reduced timetable.",
        ]
    );
    // Autumn: rising is "up" the other way round, and B's figures are its own.
    let autumn = summaries(&w, Role::Trust, "autumn-2024");
    let a = autumn
        .iter()
        .find(|s| s.urn.as_deref() == Some("100001"))
        .unwrap();
    assert_eq!(a.term.label(), "Autumn 2024");
    assert_eq!(a.sentences[0], "Attendance in Autumn 2024 was 99.0%.");
    assert!(
        a.sentences[1].starts_with(
            "Overall absence was 1.0%, below 5.1% for England (primary, autumn 2024/25)"
        ),
        "{}",
        a.sentences[1]
    );
    let b = autumn
        .iter()
        .find(|s| s.urn.as_deref() == Some("100002"))
        .unwrap();
    assert_eq!(b.now.absence, Some(0.0));
    assert_eq!(b.ap, Count::Shown(0));
}

#[test]
fn a_governor_gets_small_groups_and_counts_suppressed_and_no_claim_from_them() {
    let w = trust();
    let all = summaries(&w, Role::Governor, "spring-2025");
    let a = all
        .iter()
        .find(|s| s.urn.as_deref() == Some("100001"))
        .unwrap();
    let fsm = a.gaps.iter().find(|g| g.of_label == "FSM").unwrap();
    assert!(fsm.suppressed && fsm.absence.is_none(), "2 FSM pupils < 5");
    assert_eq!(a.ap, Count::Suppressed);
    assert!(!a.sentences.iter().any(|s| s.contains("gap")));
    assert_eq!(
        a.sentences.last().unwrap(),
        "During the term fewer than 5 pupils were on alternative provision and no pupils on a reduced timetable."
    );
    // A governor of one academy is not shown the trust's figures: they would give
    // away the other academy's by difference.
    let t = all.iter().find(|s| s.urn.is_none()).unwrap();
    assert_eq!((t.now.absence, t.now.enrolments), (None, None));
    assert!(a.trust.is_none());
    // A governor of the whole trust gets the trust's own summary: every figure over
    // both academies, the PA count of 2 withheld.
    let whole = Principal {
        academies: Vec::new(),
        ..viewer(Role::Governor)
    };
    let all = summaries_for(&w, &whole, "spring-2025");
    let t = all.iter().find(|s| s.urn.is_none()).unwrap();
    assert_eq!(t.now.pa, None);
    assert_eq!(t.name, "Test Trust");
    assert_eq!(t.now.absence, Some(2.0));
    assert!(t.trust.is_none());
    assert_eq!(
        t.national.as_ref().unwrap().label,
        "England (all schools, autumn and spring 2024/25)"
    );
}

/// The self-evaluation pack for academy A, year to date (2 September to 17 January):
/// absence 10 / 400 = 2.5% (unauthorised 2 / 400 = 0.5%); P1 missed 6 of 40 and P2 4
/// of 40 (exactly 10%), so PA is 2 / 10 = 20.0%; the trust's absence 10 / 800 = 1.25%,
/// shown (like every rate) to one place as 1.2%. FSM pupils missed 10 of 80 sessions,
/// the rest none: a gap of +12.5 points against England's +4.8.
#[test]
fn the_self_evaluation_pack_states_strengths_and_concerns_from_its_figures() {
    let w = trust();
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    let pack = app::reports::sef::ssr::pack(&conn, &cal, "100001", Scope::Dfe, 10, "Test Trust")
        .unwrap()
        .unwrap();
    assert_eq!(pack.now.absence, Some(2.5));
    assert_eq!(pack.now.pa, Some(20.0));
    assert_eq!(pack.window, "2024/25 to date");
    assert_eq!(
        pack.strengths,
        ["Overall absence (2.5%) is below 5.2% for England (primary, autumn and spring 2024/25)."]
    );
    assert_eq!(
        pack.concerns,
        [
            "Overall absence (2.5%) is above the trust's (1.2%).",
            "The absence gap for FSM against not FSM (+12.5 points) is wider than England's (+4.8).",
        ]
    );
    let ytd = pack.table("year-to-date").unwrap();
    assert_eq!(
        ytd.rows[0],
        [
            "Academy 100001 (2024/25 to date)",
            "97.5%",
            "2.5%",
            "2.0%",
            "0.5%",
            "20.0%",
            "0.0%"
        ]
    );
    assert_eq!(ytd.rows[1][0], "Test Trust (the trust)");
    assert_eq!(ytd.rows[1][2], "1.2%");
    let reasons = pack.table("reasons").unwrap();
    assert_eq!(
        reasons.rows[0][..4],
        ["I: Illness", "Authorised", "8", "80.0%"]
    );
    assert_eq!(
        reasons.rows[1][..4],
        [
            "O: Other unauthorised absence",
            "Unauthorised",
            "2",
            "20.0%"
        ]
    );
    let provision = pack.table("provision").unwrap();
    assert_eq!(provision.rows[0], ["On alternative provision now", "1"]);
    // Every chart is drawn and titled; the PDF holds every table.
    for key in ["trend", "persistent-absence", "gaps", "reasons"] {
        assert!(pack.chart(key).unwrap().chart.svg.contains("<svg"), "{key}");
    }
    let doc = app::reports::sef::ssr::document(&pack);
    let pages = doc.pages().join("");
    for t in &pack.tables {
        assert!(
            pages.contains(&t.title.replace('&', "&amp;")),
            "{}",
            t.title
        );
    }
    assert!(doc.pdf().unwrap().starts_with(b"%PDF-"));
    // Another academy's URN that does not exist: no pack.
    assert!(
        app::reports::sef::ssr::pack(&conn, &cal, "999999", Scope::Dfe, 10, "T")
            .unwrap()
            .is_none()
    );
}
