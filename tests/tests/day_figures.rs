//! The figures the loader keeps per enrolment and day (migrations 0009, 0010): refreshed by
//! each load where the marks, spells or dates of birth changed, and every report from
//! them equal to the same report worked out from the marks. (Every load through the
//! test harness also checks the kept rows against rows made afresh from the marks:
//! `rollcall_tests::assert_day_figures_fresh`.)

use queries::calendar::{self, WindowKind};
use queries::figures::{self, Scope};
use queries::heatmap::{self, Span};
use rollcall_tests::{date as d, ExtractSpec, Warehouse};

fn pupil(id: &str, dob: &str, entry: &str) -> String {
    format!("{id},,Test,Pupil,{dob},F,5,{entry},,N,N,N,WBRI,N")
}

/// P1 present every session of 6-24 January 2025 but two `N` on Monday 6th, in an
/// extract of that window; then an extract of 3-7 February only, restating P1 as
/// `row`, present all week.
fn january_then_february(row: &str) -> Warehouse {
    let w = Warehouse::new();
    let january = rollcall_tests::weekdays(&[(d(2025, 1, 6), d(2025, 1, 24))]);
    let marks =
        rollcall_tests::register(
            "P1",
            &january,
            |day, _| {
                if day == d(2025, 1, 6) {
                    "N"
                } else {
                    "/"
                }
            },
        );
    w.load_whole(
        &ExtractSpec::new("100001", "2025-01-06", "2025-01-24", "2025-01-25T02:10:00Z")
            .pupils(&[pupil("P1", "2015-01-10", "2021-09-01")])
            .marks(&marks),
        "january",
    );
    let february = rollcall_tests::weekdays(&[(d(2025, 2, 3), d(2025, 2, 7))]);
    w.load_whole(
        &ExtractSpec::new("100001", "2025-02-03", "2025-02-07", "2025-02-08T02:10:00Z")
            .pupils(&[row.to_string()])
            .marks(&rollcall_tests::register("P1", &february, |_, _| "/")),
        "february",
    );
    w
}

/// January's trust figures: enrolments, possible and absent sessions.
fn january(w: &Warehouse, scope: Scope) -> (u64, u64, u64) {
    let f = figures::by_academy(&w.conn(), d(2025, 1, 6), d(2025, 1, 24), scope)
        .unwrap()
        .1;
    (f.enrolments, f.possible_sessions, f.absent_sessions())
}

#[test]
fn a_corrected_date_of_birth_takes_earlier_days_out_of_the_dfe_scope() {
    // February's extract says P1 was born in 2008: 16 on 31 August 2024, outside DfE's
    // scope on every day, January's included, though February's window leaves them.
    let w = january_then_february(&pupil("P1", "2008-08-31", "2021-09-01"));
    assert_eq!(january(&w, Scope::All), (1, 30, 2));
    assert_eq!(january(&w, Scope::Dfe), (0, 0, 0));
}

#[test]
fn a_corrected_admission_date_takes_earlier_days_off_roll() {
    // February's extract says P1 was admitted on Monday 13 January: the week of the 6th
    // (and its two N) no longer counts.
    let w = january_then_february(&pupil("P1", "2015-01-10", "2025-01-13"));
    assert_eq!(january(&w, Scope::All), (1, 20, 0));
}

#[test]
fn a_pupil_first_sent_after_their_admission_is_unmarked_on_the_days_before() {
    // February's extract (3-7 February) first names P2, admitted on Monday 13 January:
    // on roll on the 10 January school days the academy took registers from then on,
    // with no mark for either session, which the data-quality page must show though
    // February's load wrote nothing in January.
    let w = january_then_february(&pupil("P1", "2015-01-10", "2021-09-01"));
    let february = rollcall_tests::weekdays(&[(d(2025, 2, 3), d(2025, 2, 7))]);
    let both = [
        pupil("P1", "2015-01-10", "2021-09-01"),
        pupil("P2", "2015-03-01", "2025-01-13"),
    ];
    w.load_whole(
        &ExtractSpec::new("100001", "2025-02-03", "2025-02-07", "2025-02-09T02:10:00Z")
            .pupils(&both)
            .marks(&rollcall_tests::registers(
                ["P1".to_string(), "P2".to_string()],
                &february,
                |_, _, _| "/",
            )),
        "february again",
    );
    let conn = w.conn();
    let cals = figures::calendars(&conn).unwrap();
    let q = queries::quality::report(&conn, &cals, d(2025, 2, 10), &[]).unwrap();
    let gaps: Vec<(chrono::NaiveDate, u8, u64)> = q
        .register_gaps
        .iter()
        .map(|g| (g.date, g.session, g.pupils))
        .collect();
    let expected: Vec<(chrono::NaiveDate, u8, u64)> =
        rollcall_tests::weekdays(&[(d(2025, 1, 13), d(2025, 1, 24))])
            .into_iter()
            .rev()
            .flat_map(|day| [(day, 0, 1), (day, 1, 1)])
            .collect();
    assert_eq!(gaps, expected);
}

/// Every report's figures for the trust's common windows, both scopes, as text.
fn every_report(w: &Warehouse) -> Vec<String> {
    let conn = w.conn();
    let cals = figures::calendars(&conn).unwrap();
    let academies = figures::academies(&conn).unwrap();
    let mut out = vec![
        format!("{:?}", cals),
        format!("{:?}", queries::status::academy_status(&conn).unwrap()),
        format!("{:?}", queries::status::phase_summary(&conn).unwrap()),
    ];
    for urn in academies.iter().map(|a| Some(a.urn.as_str())).chain([None]) {
        let lists = queries::actions::lists(&conn, &cals, urn, &Default::default(), 3).unwrap();
        out.push(format!("{urn:?} {lists:?}"));
    }
    let latest = cals.trust.latest_day().unwrap();
    let quality = queries::quality::report(&conn, &cals, latest, &[]).unwrap();
    out.push(format!("{quality:?}"));
    for urn in academies.iter().map(|a| Some(a.urn.as_str())).chain([None]) {
        use queries::provision;
        let placements = provision::placements(&conn, urn).unwrap();
        let timetables = provision::timetables(&conn, urn).unwrap();
        let year_from = cals.trust.years.last().unwrap().days[0];
        let odd =
            provision::inconsistencies(&conn, urn, year_from, latest, &placements, &timetables)
                .unwrap();
        out.push(format!("{urn:?} {placements:?} {timetables:?} {odd:?}"));
    }
    let mut windows = Vec::new();
    for kind in WindowKind::ALL
        .into_iter()
        .filter(|k| *k != WindowKind::Custom)
    {
        let win = calendar::resolve(&cals.trust, kind, None, None).unwrap();
        windows.extend(win.last_year);
        windows.push((win.from, win.to));
    }
    // A custom window that starts and ends mid-week.
    windows.push((
        latest - chrono::Duration::days(40),
        latest - chrono::Duration::days(2),
    ));
    for (from, to) in windows {
        for scope in [Scope::All, Scope::Dfe] {
            let span = Span {
                from,
                to,
                spec: figures::all_alike(from, to),
            };
            let at = format!("{from}..{to} {scope:?}");
            let mut add = |what: &str, s: String| out.push(format!("{at} {what}: {s}"));
            add(
                "academies",
                format!("{:?}", figures::by_academy(&conn, from, to, scope).unwrap()),
            );
            add(
                "cohorts",
                format!(
                    "{:?}",
                    queries::cohorts::figures(&conn, from, to, scope, None, &Default::default())
                        .unwrap()
                ),
            );
            add(
                "weekly",
                format!(
                    "{:?}",
                    figures::weekly(&conn, from, to, scope, None).unwrap()
                ),
            );
            add(
                "codes",
                format!(
                    "{:?}",
                    figures::by_code(&conn, from, to, scope, None).unwrap()
                ),
            );
            add(
                "pa by week",
                format!(
                    "{:?}",
                    heatmap::pa_by_week(&conn, &span, scope, None).unwrap()
                ),
            );
            add(
                "rolling",
                format!(
                    "{:?}",
                    heatmap::rolling_absence(&conn, &span, scope, None).unwrap()
                ),
            );
            add(
                "day and session",
                format!(
                    "{:?}",
                    heatmap::by_day_session(&conn, &span, scope, None).unwrap()
                ),
            );
            for a in &academies {
                let one = figures::for_academy(&conn, from, to, scope, &a.urn).unwrap();
                add(&a.urn, format!("{one:?}"));
                let codes = figures::by_code(&conn, from, to, scope, Some(&a.urn)).unwrap();
                add(&a.urn, format!("{codes:?}"));
                let pupils = heatmap::pa_pupil_weeks(&conn, from, to, scope, &a.urn).unwrap();
                add(&a.urn, format!("{pupils:?}"));
            }
        }
    }
    out
}

#[test]
fn every_report_from_the_day_figures_equals_the_same_report_from_the_marks() {
    let w = rollcall_tests::seeded_trust("academies=3,pupils=200,years=2,nights=2");
    let kept = every_report(&w);
    // The same database with both tables replaced by views that work every row out
    // from the marks on each read: what each report did before the figures were kept.
    w.conn()
        .execute_batch(
            "ALTER TABLE enrolment_days RENAME TO enrolment_days_kept;
             CREATE VIEW enrolment_days AS FROM enrolment_days_from_marks(NULL);
             ALTER TABLE academy_days RENAME TO academy_days_kept;
             CREATE VIEW academy_days AS FROM academy_days_from_marks(NULL);
             ALTER TABLE unmarked_sessions RENAME TO unmarked_sessions_kept;
             CREATE VIEW unmarked_sessions AS FROM unmarked_sessions_from_marks(NULL);",
        )
        .unwrap();
    let afresh = every_report(&w);
    assert_eq!(kept.len(), afresh.len());
    assert!(kept.len() > 100, "{} reports", kept.len());
    for (k, a) in kept.iter().zip(&afresh) {
        assert_eq!(k, a);
    }
    // And the views really were read.
    assert!(w.count("SELECT count(*) FROM enrolment_days") > 10_000);
}
