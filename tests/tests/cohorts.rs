//! Cohort figures and heatmap cells on a hand-built trust whose every figure is worked
//! out below by hand: groups of one pupil, groups with no pupils at an academy, filters
//! combined, persistent absence to date week by week, the last four school weeks, day
//! and session, and one academy's persistent absentees.
//!
//! Two weeks, Monday 6 to Friday 17 January 2025 (20 sessions a pupil).
//! Academy 100001: P1 girl, Y10, FSM, EHC plan, looked after: absent Mon 6 AM and PM
//!                 (2 of 20, exactly 10%: persistently absent).
//!                 P2 boy, Y10, not FSM, no SEN, not looked after: never absent.
//!                 P3 girl, Y7, FSM, SEN support, looked-after not recorded: absent the
//!                 whole second week (10 of 20: severely absent).
//! Academy 100002: P4 boy, Y7, not FSM, no SEN, not looked after: present the first
//!                 week; the second week the academy was closed (`#`, not possible).

use chrono::{Duration, NaiveDate};
use queries::cohorts;
use queries::heatmap;
use queries::types::{CohortFilter, CohortRow, Dimension, Figures, Scope};
use queries::Status;
use rollcall_tests::{ExtractSpec, Warehouse};

const A: &str = "100001";
const B: &str = "100002";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Marks for the ten weekdays from Monday 6 January, one code per session.
fn marks(id: &str, codes: &[&str]) -> Vec<String> {
    assert_eq!(codes.len(), 20);
    let mut out = Vec::new();
    for (i, code) in codes.iter().enumerate() {
        let day = i / 2;
        let date = d(2025, 1, 6) + Duration::days((day + 2 * (day / 5)) as i64);
        let session = if i % 2 == 0 { "AM" } else { "PM" };
        out.push(format!("{id},{date},{session},{code},"));
    }
    out
}

fn trust() -> Warehouse {
    let w = Warehouse::new();
    let mut a_marks = Vec::new();
    let mut p1 = vec!["I", "N"];
    p1.extend(["/"; 18]);
    a_marks.extend(marks("P1", &p1));
    a_marks.extend(marks("P2", &["/"; 20]));
    let mut p3 = vec!["/"; 10];
    p3.extend(["O"; 10]);
    a_marks.extend(marks("P3", &p3));
    let a_marks: Vec<&str> = a_marks.iter().map(String::as_str).collect();
    let a = ExtractSpec::new(A, "2025-01-06", "2025-01-17", "2025-01-18T02:00:00Z")
        .pupils(&[
            "P1,,One,Pupil,2009-10-01,F,10,2021-09-01,,E,Y,N,WBRI,Y".into(),
            "P2,,Two,Pupil,2009-11-01,M,10,2021-09-01,,N,N,N,ABAN,N".into(),
            "P3,,Three,Pupil,2012-10-01,F,7,2024-09-01,,K,Y,Y,BCRB,".into(),
        ])
        .marks(&a_marks);
    let mut p4 = vec!["/"; 10];
    p4.extend(["#"; 10]);
    let b_marks = marks("P4", &p4);
    let b_marks: Vec<&str> = b_marks.iter().map(String::as_str).collect();
    let b = ExtractSpec::new(B, "2025-01-06", "2025-01-17", "2025-01-18T02:00:00Z")
        .pupils(&["P4,,Four,Pupil,2012-12-01,M,7,2024-09-01,,N,N,N,WBRI,N".into()])
        .marks(&b_marks);
    for (spec, name) in [(a, "a"), (b, "b")] {
        let o = w.load_spec(&spec, name);
        assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    }
    w
}

/// enrolments, possible, absent, PA, SA
fn fig(f: &Figures) -> (u64, u64, u64, u64, u64) {
    (
        f.enrolments,
        f.possible_sessions,
        f.authorised_sessions + f.unauthorised_sessions,
        f.pa_enrolments,
        f.sa_enrolments,
    )
}

fn find(
    rows: &[CohortRow],
    d: Option<Dimension>,
    urn: Option<&str>,
    group: &str,
) -> Option<(u64, u64, u64, u64, u64)> {
    rows.iter()
        .find(|r| r.dimension == d && r.urn.as_deref() == urn && r.group == group)
        .map(|r| fig(&r.figures))
}

const FROM: (i32, u32, u32) = (2025, 1, 6);
const TO: (i32, u32, u32) = (2025, 1, 17);

fn window() -> (NaiveDate, NaiveDate) {
    (d(FROM.0, FROM.1, FROM.2), d(TO.0, TO.1, TO.2))
}

#[test]
fn every_characteristic_per_academy_and_trust() {
    let w = trust();
    let (from, to) = window();
    let rows =
        cohorts::figures(&w.conn(), from, to, Scope::All, None, &Default::default()).unwrap();
    use Dimension::*;
    // FSM: P1 (2/20) and P3 (10/20); not FSM: P2 (0/20) and P4 (0/10).
    assert_eq!(find(&rows, Some(Fsm), None, "Y"), Some((2, 40, 12, 2, 1)));
    assert_eq!(find(&rows, Some(Fsm), None, "N"), Some((2, 30, 0, 0, 0)));
    assert_eq!(find(&rows, Some(Fsm), Some(A), "N"), Some((1, 20, 0, 0, 0)));
    // Academy B has no FSM pupil: no row, not a row of zeros.
    assert_eq!(find(&rows, Some(Fsm), Some(B), "Y"), None);
    // Groups of one pupil.
    assert_eq!(
        find(&rows, Some(LookedAfter), None, "Y"),
        Some((1, 20, 2, 1, 0))
    );
    assert_eq!(
        find(&rows, Some(LookedAfter), None, "U"),
        Some((1, 20, 10, 1, 1))
    );
    assert_eq!(
        find(&rows, Some(LookedAfter), None, "N"),
        Some((2, 30, 0, 0, 0))
    );
    assert_eq!(
        find(&rows, Some(SenProvision), None, "E"),
        Some((1, 20, 2, 1, 0))
    );
    assert_eq!(
        find(&rows, Some(SenProvision), None, "K"),
        Some((1, 20, 10, 1, 1))
    );
    assert_eq!(find(&rows, Some(Eal), None, "Y"), Some((1, 20, 10, 1, 1)));
    // Key stages from year groups: Y10 is KS4, Y7 KS3.
    assert_eq!(
        find(&rows, Some(KeyStage), None, "KS4"),
        Some((2, 40, 2, 1, 0))
    );
    assert_eq!(
        find(&rows, Some(KeyStage), None, "KS3"),
        Some((2, 30, 10, 1, 1))
    );
    assert_eq!(
        find(&rows, Some(KeyStage), Some(B), "KS3"),
        Some((1, 10, 0, 0, 0))
    );
    assert_eq!(
        find(&rows, Some(YearGroup), None, "10"),
        Some((2, 40, 2, 1, 0))
    );
    // Ethnicity major groups: WBRI White, ABAN Asian, BCRB Black.
    assert_eq!(
        find(&rows, Some(Ethnicity), None, "White"),
        Some((2, 30, 2, 1, 0))
    );
    assert_eq!(
        find(&rows, Some(Ethnicity), None, "Asian"),
        Some((1, 20, 0, 0, 0))
    );
    assert_eq!(
        find(&rows, Some(Ethnicity), None, "Black"),
        Some((1, 20, 10, 1, 1))
    );
    assert_eq!(find(&rows, Some(Sex), None, "F"), Some((2, 40, 12, 2, 1)));
    // Everyone, per academy and trust.
    assert_eq!(find(&rows, None, None, "All"), Some((4, 70, 12, 2, 1)));
    assert_eq!(find(&rows, None, Some(A), "All"), Some((3, 60, 12, 2, 1)));
    assert_eq!(find(&rows, None, Some(B), "All"), Some((1, 10, 0, 0, 0)));
    // One academy asked for: its trust rows are its own.
    let only_b = cohorts::figures(
        &w.conn(),
        from,
        to,
        Scope::All,
        Some(B),
        &Default::default(),
    )
    .unwrap();
    assert_eq!(find(&only_b, None, None, "All"), Some((1, 10, 0, 0, 0)));
    assert!(only_b.iter().all(|r| r.urn.as_deref() != Some(A)));
}

#[test]
fn filters_combine() {
    let w = trust();
    let (from, to) = window();
    let mut girls_fsm = CohortFilter::default();
    girls_fsm.set(Dimension::Sex, Some("F".into())).unwrap();
    girls_fsm.set(Dimension::Fsm, Some("Y".into())).unwrap();
    let rows = cohorts::figures(&w.conn(), from, to, Scope::All, None, &girls_fsm).unwrap();
    assert_eq!(find(&rows, None, None, "All"), Some((2, 40, 12, 2, 1)));
    // Academy B has no FSM girls: nothing for it at all.
    assert!(rows.iter().all(|r| r.urn.as_deref() != Some(B)));
    // Within the filter, the SEN groups split the two girls.
    assert_eq!(
        find(&rows, Some(Dimension::SenProvision), Some(A), "K"),
        Some((1, 20, 10, 1, 1))
    );
    let mut ks4_cla = CohortFilter::default();
    ks4_cla
        .set(Dimension::KeyStage, Some("KS4".into()))
        .unwrap();
    ks4_cla
        .set(Dimension::LookedAfter, Some("Y".into()))
        .unwrap();
    let rows = cohorts::figures(&w.conn(), from, to, Scope::All, None, &ks4_cla).unwrap();
    assert_eq!(find(&rows, None, None, "All"), Some((1, 20, 2, 1, 0)));
    // A filter no pupil meets: no rows.
    let mut nobody = CohortFilter::default();
    nobody.set(Dimension::YearGroup, Some("3".into())).unwrap();
    assert!(
        cohorts::figures(&w.conn(), from, to, Scope::All, None, &nobody)
            .unwrap()
            .is_empty()
    );
    // Values that are not groups are refused, naming the dimension's groups.
    let err = CohortFilter::default()
        .set(Dimension::Fsm, Some("yes".into()))
        .unwrap_err();
    assert!(err.contains("\"yes\"") && err.contains("Y, N"), "{err}");
}

/// The same dates at every academy.
fn span(from: NaiveDate, to: NaiveDate, spec: &str) -> heatmap::Span {
    heatmap::Span {
        from,
        to,
        spec: spec.to_string(),
    }
}

#[test]
fn heatmap_cells() {
    let w = trust();
    let conn = w.conn();
    let (from, to) = window();
    let spec = queries::figures::all_alike(from, to);
    let (w1, w2) = (d(2025, 1, 6), d(2025, 1, 13));
    let cells = |v: Vec<heatmap::WeekCell>| -> Vec<(Option<String>, NaiveDate, u64, u64)> {
        v.into_iter()
            .map(|c| (c.urn, c.week, c.of, c.count))
            .collect()
    };
    let (a, b) = (Some(A.to_string()), Some(B.to_string()));
    // PA to date. Week 1: P1 2/10 is PA, P2 0/10 and P3 0/10 not; P4 0/10.
    // Week 2: P1 2/20 (exactly 10%) and P3 10/20 are PA; P4 stays 0/10 (closed).
    assert_eq!(
        cells(heatmap::pa_by_week(&conn, &span(from, to, &spec), Scope::All, None).unwrap()),
        vec![
            (None, w1, 4, 1),
            (None, w2, 4, 2),
            (a.clone(), w1, 3, 1),
            (a.clone(), w2, 3, 2),
            (b.clone(), w1, 1, 0),
            (b.clone(), w2, 1, 0),
        ]
    );
    // Last four school weeks. Academy B had no school week 2: no cell, not a zero.
    assert_eq!(
        cells(heatmap::rolling_absence(&conn, &span(from, to, &spec), Scope::All, None).unwrap()),
        vec![
            (None, w1, 40, 2),
            (None, w2, 70, 12),
            (a.clone(), w1, 30, 2),
            (a.clone(), w2, 60, 12),
            (b.clone(), w1, 10, 0),
        ]
    );
    // One academy's view has only its rows (and its own rollup).
    let only_a = cells(
        heatmap::rolling_absence(&conn, &span(from, to, &spec), Scope::All, Some(A)).unwrap(),
    );
    assert_eq!(only_a[0], (None, w1, 30, 2));
    assert!(only_a.iter().all(|c| c.0 != b));
    // Day and session: Mondays AM at A, 3 pupils x 2 Mondays, P1 (week 1) and P3
    // (week 2) absent; Tuesday AM only P3; at B, Monday AM 1 possible (week 2 closed).
    let ds = heatmap::by_day_session(&conn, &span(from, to, &spec), Scope::All, None).unwrap();
    let at = |urn: Option<&str>, day: u8, s: u8| {
        ds.iter()
            .find(|c| c.urn.as_deref() == urn && c.weekday == day && c.session == s)
            .map(|c| (c.possible, c.absent))
    };
    assert_eq!(at(Some(A), 1, 0), Some((6, 2)));
    assert_eq!(at(Some(A), 2, 0), Some((6, 1)));
    assert_eq!(at(Some(B), 1, 0), Some((1, 0)));
    assert_eq!(at(None, 1, 1), Some((7, 2)));
    assert_eq!(ds.iter().filter(|c| c.urn.is_none()).count(), 10);
    // Persistent absentees at A, most absent first, with their weeks.
    let pupils = heatmap::pa_pupil_weeks(&conn, from, to, Scope::All, A).unwrap();
    let got: Vec<_> = pupils
        .iter()
        .map(|p| {
            (
                p.pupil_id.as_str(),
                p.year_group.as_str(),
                p.possible,
                p.absent,
                p.weeks.clone(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("P3", "7", 20, 10, vec![(w1, 10, 0), (w2, 10, 10)]),
            ("P1", "10", 20, 2, vec![(w1, 10, 2), (w2, 10, 0)]),
        ]
    );
    assert_eq!(pupils[0].name, "Pupil Three");
    assert!(heatmap::pa_pupil_weeks(&conn, from, to, Scope::All, B)
        .unwrap()
        .is_empty());
}
