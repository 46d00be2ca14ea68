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
use rollcall_tests::{date as d, ExtractSpec, Warehouse};

const A: &str = "100001";
const B: &str = "100002";

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
    let a = ExtractSpec::new(A, "2025-01-06", "2025-01-17", "2025-01-18T02:00:00Z")
        .pupils(&[
            "P1,,One,Pupil,2009-10-01,F,10,2021-09-01,,E,Y,N,WBRI,Y".into(),
            "P2,,Two,Pupil,2009-11-01,M,10,2021-09-01,,N,N,N,ABAN,N".into(),
            "P3,,Three,Pupil,2012-10-01,F,7,2024-09-01,,K,Y,Y,BCRB,".into(),
        ])
        .marks(&a_marks);
    let mut p4 = vec!["/"; 10];
    p4.extend(["#"; 10]);
    let b = ExtractSpec::new(B, "2025-01-06", "2025-01-17", "2025-01-18T02:00:00Z")
        .pupils(&["P4,,Four,Pupil,2012-12-01,M,7,2024-09-01,,N,N,N,WBRI,N".into()])
        .marks(&marks("P4", &p4));
    for (spec, name) in [(a, "a"), (b, "b")] {
        rollcall_tests::assert_loaded(&w.load_spec(&spec, name));
    }
    w
}

/// enrolments, possible, absent, PA, SA
type Fig = (u64, u64, u64, u64, u64);

fn fig(f: &Figures) -> Fig {
    (
        f.enrolments,
        f.possible_sessions,
        f.authorised_sessions + f.unauthorised_sessions,
        f.pa_enrolments,
        f.sa_enrolments,
    )
}

fn find(rows: &[CohortRow], d: Option<Dimension>, urn: Option<&str>, group: &str) -> Option<Fig> {
    rows.iter()
        .find(|r| r.dimension == d && r.urn.as_deref() == urn && r.group == group)
        .map(|r| fig(&r.figures))
}

/// A row asked for, (dimension, academy, group), and its figures (`None`: no row).
type Case<'a> = (Option<Dimension>, Option<&'a str>, &'a str, Option<Fig>);

/// Each case's row has the figures the case expects.
#[track_caller]
fn assert_rows(rows: &[CohortRow], cases: &[Case]) {
    for &(dimension, urn, group, want) in cases {
        let got = find(rows, dimension, urn, group);
        assert_eq!(got, want, "{dimension:?} at {urn:?}, group {group}");
    }
}

const FROM: (i32, u32, u32) = (2025, 1, 6);
const TO: (i32, u32, u32) = (2025, 1, 17);

fn window() -> (NaiveDate, NaiveDate) {
    (d(FROM.0, FROM.1, FROM.2), d(TO.0, TO.1, TO.2))
}

/// The cohort rows over the whole window, for `academy` (or every one) and `filter`.
fn figures(w: &Warehouse, academy: Option<&str>, filter: &CohortFilter) -> Vec<CohortRow> {
    let (from, to) = window();
    cohorts::figures(&w.conn(), from, to, Scope::All, academy, filter).unwrap()
}

/// A filter of (dimension, group) pairs.
fn filter(groups: &[(Dimension, &str)]) -> CohortFilter {
    let mut f = CohortFilter::default();
    for (dimension, group) in groups {
        f.set(*dimension, Some(group.to_string())).unwrap();
    }
    f
}

#[test]
fn every_characteristic_per_academy_and_trust() {
    let w = trust();
    let rows = figures(&w, None, &Default::default());
    use Dimension::*;
    // FSM: P1 (2/20) and P3 (10/20); not FSM: P2 (0/20) and P4 (0/10). Academy B has no
    // FSM pupil: no row, not a row of zeros.
    let fsm = [
        (Some(Fsm), None, "Y", Some((2, 40, 12, 2, 1))),
        (Some(Fsm), None, "N", Some((2, 30, 0, 0, 0))),
        (Some(Fsm), Some(A), "N", Some((1, 20, 0, 0, 0))),
        (Some(Fsm), Some(B), "Y", None),
    ];
    // Groups of one pupil.
    let of_one = [
        (Some(LookedAfter), None, "Y", Some((1, 20, 2, 1, 0))),
        (Some(LookedAfter), None, "U", Some((1, 20, 10, 1, 1))),
        (Some(LookedAfter), None, "N", Some((2, 30, 0, 0, 0))),
        (Some(SenProvision), None, "E", Some((1, 20, 2, 1, 0))),
        (Some(SenProvision), None, "K", Some((1, 20, 10, 1, 1))),
        (Some(Eal), None, "Y", Some((1, 20, 10, 1, 1))),
    ];
    // Key stages from year groups: Y10 is KS4, Y7 KS3.
    let stages = [
        (Some(KeyStage), None, "KS4", Some((2, 40, 2, 1, 0))),
        (Some(KeyStage), None, "KS3", Some((2, 30, 10, 1, 1))),
        (Some(KeyStage), Some(B), "KS3", Some((1, 10, 0, 0, 0))),
        (Some(YearGroup), None, "10", Some((2, 40, 2, 1, 0))),
    ];
    // Ethnicity major groups: WBRI White, ABAN Asian, BCRB Black; and sex.
    let others = [
        (Some(Ethnicity), None, "White", Some((2, 30, 2, 1, 0))),
        (Some(Ethnicity), None, "Asian", Some((1, 20, 0, 0, 0))),
        (Some(Ethnicity), None, "Black", Some((1, 20, 10, 1, 1))),
        (Some(Sex), None, "F", Some((2, 40, 12, 2, 1))),
    ];
    // Everyone, per academy and trust.
    let everyone = [
        (None, None, "All", Some((4, 70, 12, 2, 1))),
        (None, Some(A), "All", Some((3, 60, 12, 2, 1))),
        (None, Some(B), "All", Some((1, 10, 0, 0, 0))),
    ];
    for cases in [&fsm[..], &of_one, &stages, &others, &everyone] {
        assert_rows(&rows, cases);
    }
    // One academy asked for: its trust rows are its own.
    let only_b = figures(&w, Some(B), &Default::default());
    assert_rows(&only_b, &[(None, None, "All", Some((1, 10, 0, 0, 0)))]);
    assert!(only_b.iter().all(|r| r.urn.as_deref() != Some(A)));
}

#[test]
fn filters_combine() {
    let w = trust();
    let girls_fsm = filter(&[(Dimension::Sex, "F"), (Dimension::Fsm, "Y")]);
    let rows = figures(&w, None, &girls_fsm);
    // Academy B has no FSM girls: nothing for it at all. Within the filter, the SEN
    // groups split the two girls.
    assert!(rows.iter().all(|r| r.urn.as_deref() != Some(B)));
    assert_rows(
        &rows,
        &[
            (None, None, "All", Some((2, 40, 12, 2, 1))),
            (
                Some(Dimension::SenProvision),
                Some(A),
                "K",
                Some((1, 20, 10, 1, 1)),
            ),
        ],
    );
    let ks4_cla = filter(&[(Dimension::KeyStage, "KS4"), (Dimension::LookedAfter, "Y")]);
    let rows = figures(&w, None, &ks4_cla);
    assert_rows(&rows, &[(None, None, "All", Some((1, 20, 2, 1, 0)))]);
    // A filter no pupil meets: no rows.
    let nobody = filter(&[(Dimension::YearGroup, "3")]);
    assert!(figures(&w, None, &nobody).is_empty());
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
    let span = span(from, to, &queries::figures::all_alike(from, to));
    let (w1, w2) = (d(2025, 1, 6), d(2025, 1, 13));
    // Each cell as `place week count/of`: the trust, A or B, and the week's Monday.
    let cells = |v: Vec<heatmap::WeekCell>| -> Vec<String> {
        v.iter()
            .map(|c| {
                let place = match c.urn.as_deref() {
                    None => "trust",
                    Some(A) => "A",
                    Some(B) => "B",
                    Some(other) => other,
                };
                format!("{place} {} {}/{}", c.week.format("%-d %b"), c.count, c.of)
            })
            .collect()
    };
    // PA to date. Week 1: P1 2/10 is PA, P2 0/10 and P3 0/10 not; P4 0/10.
    // Week 2: P1 2/20 (exactly 10%) and P3 10/20 are PA; P4 stays 0/10 (closed).
    assert_eq!(
        cells(heatmap::pa_by_week(&conn, &span, Scope::All, None).unwrap()).join(", "),
        "trust 6 Jan 1/4, trust 13 Jan 2/4, A 6 Jan 1/3, A 13 Jan 2/3, B 6 Jan 0/1, B 13 Jan 0/1"
    );
    // Last four school weeks. Academy B had no school week 2: no cell, not a zero.
    assert_eq!(
        cells(heatmap::rolling_absence(&conn, &span, Scope::All, None).unwrap()).join(", "),
        "trust 6 Jan 2/40, trust 13 Jan 12/70, A 6 Jan 2/30, A 13 Jan 12/60, B 6 Jan 0/10"
    );
    // One academy's view has only its rows (and its own rollup).
    let only_a = cells(heatmap::rolling_absence(&conn, &span, Scope::All, Some(A)).unwrap());
    assert_eq!(only_a[0], "trust 6 Jan 2/30");
    assert!(only_a.iter().all(|c| !c.starts_with("B ")), "{only_a:?}");
    // Day and session: Mondays AM at A, 3 pupils x 2 Mondays, P1 (week 1) and P3
    // (week 2) absent; Tuesday AM only P3; at B, Monday AM 1 possible (week 2 closed).
    let ds = heatmap::by_day_session(&conn, &span, Scope::All, None).unwrap();
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
