//! DfE's rules on hand-computed fixtures, through the real loader and the real SQL.

use chrono::NaiveDate;
use queries::figures::{self, Dimension, Scope};
use queries::types::{Figures, GroupFigures};
use rollcall_tests::{date as d, ExtractSpec, Warehouse};

/// A pupils.csv row.
fn pupil(id: &str, dob: &str, entry: &str, leaving: &str, fsm: &str) -> String {
    format!("{id},,Test,Pupil,{dob},F,5,{entry},{leaving},N,{fsm},N,WBRI,N")
}

/// `n` marks for a pupil with `code`, on consecutive sessions from `start` (weekdays).
fn sessions(id: &str, start: NaiveDate, codes: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    let mut day = start;
    let mut session = 0;
    for code in codes {
        while chrono::Datelike::weekday(&day).number_from_monday() > 5 {
            day += chrono::Duration::days(1);
        }
        out.push(format!(
            "{id},{day},{},{code},",
            if session == 0 { "AM" } else { "PM" }
        ));
        session = 1 - session;
        if session == 0 {
            day += chrono::Duration::days(1);
        }
    }
    out
}

fn load(w: &Warehouse, spec: ExtractSpec) {
    w.load_whole(&spec, &format!("x{}", spec.extracted_at.replace(':', "")));
}

/// Academy 100001's extract of `from` to `to` taken at `at`: pupil P1 (not FSM, on roll
/// since 2021) and `marks`.
fn one_pupil(from: &str, to: &str, at: &str, marks: &[String]) -> ExtractSpec {
    ExtractSpec::new("100001", from, to, at)
        .pupils(&[pupil("P1", "2015-01-10", "2021-09-01", "", "N")])
        .marks(marks)
}

fn trust(w: &Warehouse, from: NaiveDate, to: NaiveDate, scope: Scope) -> Figures {
    figures::by_academy(&w.conn(), from, to, scope).unwrap().1
}

/// The trust's groups of `dimension` over the whole school, all pupils.
fn groups(
    w: &Warehouse,
    from: NaiveDate,
    to: NaiveDate,
    dimension: Dimension,
) -> Vec<GroupFigures> {
    figures::by_group(&w.conn(), from, to, Scope::All, dimension, None).unwrap()
}

/// Three weeks in January 2025 with every kind of code, the 10% and 50% boundaries,
/// a joiner, a leaver and a pupil with no possible session.
fn january() -> Warehouse {
    let w = Warehouse::new();
    let mon = d(2025, 1, 6);
    let mut marks = Vec::new();
    // P1: 8 attending codes, one authorised, one unauthorised, then sessions that are
    // not possible at all.
    marks.extend(sessions(
        "P1",
        mon,
        &[
            "/", "\\", "L", "K", "V", "P", "W", "B", "I", "N", "D", "X", "Q", "Y1", "Y4", "#", "Z",
        ],
    ));
    // P2: exactly 10% absent (2 of 20): persistent absence (90.0% attendance counts).
    let mut p2 = vec!["/"; 18];
    p2.extend(["C2", "G"]);
    marks.extend(sessions("P2", mon, &p2));
    // P3: 2 of 21 absent (9.52%): not persistent.
    let mut p3 = vec!["/"; 19];
    p3.extend(["M", "O"]);
    marks.extend(sessions("P3", mon, &p3));
    // P4: exactly 50% absent: severe (and persistent).
    marks.extend(sessions("P4", mon, &["/", "U"]));
    // P5: 1 of 3 absent.
    marks.extend(sessions("P5", mon, &["/", "\\", "E"]));
    // P6: no possible session: left out.
    marks.extend(sessions("P6", mon, &["D", "X", "D", "X"]));
    // P7 joins on Monday 13th: marks before entry are not counted.
    marks.extend(sessions("P7", mon, &["N", "N"]));
    marks.extend(sessions("P7", d(2025, 1, 13), &["/", "\\"]));
    // P8 leaves on Wednesday 8th: marks after leaving are not counted.
    marks.extend(sessions(
        "P8",
        mon,
        &["/", "\\", "/", "\\", "/", "\\", "O", "O", "O", "O"],
    ));
    let pupils = vec![
        pupil("P1", "2015-01-10", "2021-09-01", "", "Y"),
        pupil("P2", "2015-01-10", "2021-09-01", "", "Y"),
        pupil("P3", "2015-01-10", "2021-09-01", "", "N"),
        pupil("P4", "2015-01-10", "2021-09-01", "", "N"),
        pupil("P5", "2015-01-10", "2021-09-01", "", "N"),
        pupil("P6", "2015-01-10", "2021-09-01", "", "N"),
        pupil("P7", "2015-01-10", "2025-01-13", "", "N"),
        pupil("P8", "2015-01-10", "2021-09-01", "2025-01-08", "N"),
    ];
    load(
        &w,
        ExtractSpec::new("100001", "2025-01-06", "2025-01-24", "2025-01-25T02:10:00Z")
            .pupils(&pupils)
            .marks(&marks),
    );
    w
}

#[test]
fn every_code_category_and_the_boundaries() {
    let w = january();
    let f = trust(&w, d(2025, 1, 6), d(2025, 1, 24), Scope::All);
    assert_eq!(
        f,
        Figures {
            enrolments: 7,
            possible_sessions: 10 + 20 + 21 + 2 + 3 + 2 + 6,
            attending_sessions: 8 + 18 + 19 + 1 + 2 + 2 + 6,
            authorised_sessions: 4,
            unauthorised_sessions: 4,
            pa_enrolments: 4,
            sa_enrolments: 1,
            withheld: Default::default(),
        }
    );
    assert_eq!(f.absence_rate().unwrap(), 100.0 * 8.0 / 64.0);
    assert_eq!(
        f.attendance_rate().unwrap() + f.absence_rate().unwrap(),
        100.0
    );
    assert_eq!(f.pa_rate().unwrap(), 100.0 * 4.0 / 7.0);
    // By FSM: P1 and P2 are FSM.
    let groups = groups(&w, d(2025, 1, 6), d(2025, 1, 24), Dimension::Fsm);
    let fsm = &groups.iter().find(|g| g.group == "Y").unwrap().figures;
    assert_eq!(
        (
            fsm.enrolments,
            fsm.possible_sessions,
            fsm.absent_sessions(),
            fsm.pa_enrolments
        ),
        (2, 30, 4, 2)
    );
    // One pupil alone: P4's week.
    let one = trust(&w, d(2025, 1, 6), d(2025, 1, 6), Scope::All);
    // On Monday 6th P6 has no possible session and P7 has not joined yet.
    assert_eq!(one.enrolments, 6);
}

#[test]
fn absence_by_reason_and_by_day() {
    let w = january();
    let codes = figures::by_code(
        &w.conn(),
        d(2025, 1, 6),
        d(2025, 1, 24),
        Scope::All,
        Some("100001"),
    )
    .unwrap();
    let mut got: Vec<(String, u64)> = codes.iter().map(|c| (c.0.clone(), c.3)).collect();
    got.sort();
    let expected: Vec<(String, u64)> = ["C2", "E", "G", "I", "M", "N", "O", "U"]
        .iter()
        .map(|c| (c.to_string(), 1))
        .collect();
    assert_eq!(got, expected);
    let days = figures::by_day_session(&w.conn(), d(2025, 1, 6), d(2025, 1, 24), Scope::All, None)
        .unwrap();
    let possible: u64 = days.iter().map(|x| x.2).sum();
    let absent: u64 = days.iter().map(|x| x.3).sum();
    assert_eq!((possible, absent), (64, 8));
    // P4's U was Monday PM.
    let mon_pm = days.iter().find(|x| x.0 == 1 && x.1 == 1).unwrap();
    assert!(mon_pm.3 >= 1);
}

#[test]
fn legacy_codes_count_as_they_did() {
    let w = Warehouse::new();
    let marks = sessions("P1", d(2024, 7, 8), &["H", "F", "J", "Y", "/", "/"]);
    load(
        &w,
        one_pupil("2024-07-08", "2024-07-12", "2024-07-13T02:10:00Z", &marks),
    );
    let f = trust(&w, d(2024, 7, 8), d(2024, 7, 12), Scope::All);
    // H and F authorised absence, J attending (approved), Y not a possible session.
    assert_eq!(
        (
            f.possible_sessions,
            f.attending_sessions,
            f.authorised_sessions,
            f.unauthorised_sessions
        ),
        (5, 3, 2, 0)
    );
}

#[test]
fn the_dfe_scope_ages_and_the_second_half_of_summer() {
    let w = Warehouse::new();
    // Ages on 31 August 2024 (the start of 2024/25).
    let pupils = [
        ("A4", "2020-01-01"),  // 4: out
        ("A5", "2019-08-31"),  // 5: in
        ("B4", "2019-09-01"),  // 4: out
        ("A14", "2009-09-01"), // 14: in
        ("A15", "2009-08-31"), // 15: in, but not after summer half term
        ("A16", "2008-08-31"), // 16: out
    ];
    let mut marks = Vec::new();
    for (id, _) in pupils {
        // Monday 19 May (first half of summer) and Monday 9 June (second half: the
        // spring bank holiday was 26 May 2025).
        marks.push(format!("{id},2025-05-19,AM,N,"));
        marks.push(format!("{id},2025-05-19,PM,/,"));
        marks.push(format!("{id},2025-06-09,AM,N,"));
        marks.push(format!("{id},2025-06-09,PM,/,"));
    }
    let rows: Vec<String> = pupils
        .iter()
        .map(|(id, dob)| pupil(id, dob, "2021-09-01", "", "N"))
        .collect();
    load(
        &w,
        ExtractSpec::new("100001", "2025-05-19", "2025-06-13", "2025-06-14T02:10:00Z")
            .pupils(&rows)
            .marks(&marks),
    );
    let all = trust(&w, d(2025, 5, 19), d(2025, 6, 13), Scope::All);
    assert_eq!((all.enrolments, all.possible_sessions), (6, 24));
    let dfe = trust(&w, d(2025, 5, 19), d(2025, 6, 13), Scope::Dfe);
    // A5 and A14: 4 sessions each; A15: the 2 in May only.
    assert_eq!(
        (dfe.enrolments, dfe.possible_sessions, dfe.absent_sessions()),
        (3, 10, 5)
    );
}

#[test]
fn year_groups_move_up_each_september() {
    let w = Warehouse::new();
    // Stated as Year 5 in an extract taken in July 2025 (2024/25).
    let mut marks = sessions("P1", d(2025, 7, 7), &["/", "N"]);
    marks.extend(sessions("P1", d(2025, 9, 8), &["/", "/"]));
    load(
        &w,
        one_pupil("2025-07-07", "2025-09-12", "2025-07-20T02:10:00Z", &marks),
    );
    let groups = groups(&w, d(2025, 7, 1), d(2025, 9, 30), Dimension::YearGroup);
    let got: Vec<(String, u64, u64)> = groups
        .iter()
        .map(|g| {
            (
                g.group.clone(),
                g.figures.possible_sessions,
                g.figures.absent_sessions(),
            )
        })
        .collect();
    assert_eq!(got, vec![("5".to_string(), 2, 1), ("6".to_string(), 2, 0)]);
}

/// One academy's figures read from its own marks are exactly its row of the all-academy
/// query, in both scopes and over windows crossing a year.
#[test]
fn one_academy_s_figures_equal_its_row_of_the_trust_query() {
    let w = rollcall_tests::seeded_trust("academies=3,pupils=150,years=2,nights=1");
    let conn = w.conn();
    for scope in [queries::types::Scope::All, queries::types::Scope::Dfe] {
        for (from, to) in [
            (d(2023, 9, 1), d(2025, 3, 14)),
            (d(2025, 1, 6), d(2025, 2, 14)),
        ] {
            let (academies, _) = queries::figures::by_academy(&conn, from, to, scope).unwrap();
            assert_eq!(academies.len(), 3);
            for (a, f) in academies {
                let one = queries::figures::for_academy(&conn, from, to, scope, &a.urn).unwrap();
                assert_eq!(one, Some(f), "{} {scope:?} {from}..{to}", a.urn);
            }
        }
    }
    assert_eq!(
        queries::figures::for_academy(
            &conn,
            d(2024, 9, 1),
            d(2024, 9, 30),
            queries::types::Scope::All,
            "999999"
        )
        .unwrap(),
        None
    );
}

/// Two academies whose half terms are a week apart (A breaks 21-25 October 2024, B 28
/// October to 1 November), registers from 4 September to 8 November 2024, and 2023/24
/// for last year. One pupil each: A's is absent (`I`) every Monday, B's every Friday.
fn two_calendars() -> Warehouse {
    let w = Warehouse::new();
    for (urn, break_monday, absent_weekday) in [
        ("100001", d(2024, 10, 21), chrono::Weekday::Mon),
        ("100002", d(2024, 10, 28), chrono::Weekday::Fri),
    ] {
        let mut days = rollcall_tests::weekdays(&[
            (d(2023, 9, 6), d(2023, 10, 20)),
            (d(2023, 10, 30), d(2023, 12, 15)),
        ]);
        days.extend(rollcall_tests::weekdays(&[
            (d(2024, 9, 4), break_monday - chrono::Duration::days(3)),
            (break_monday + chrono::Duration::days(7), d(2024, 11, 8)),
        ]));
        let marks = rollcall_tests::register(
            "P1",
            &days,
            rollcall_tests::present_but("I", |day, _| {
                chrono::Datelike::weekday(&day) == absent_weekday
            }),
        );
        let spec = ExtractSpec::new(urn, "2023-09-01", "2024-11-08", "2024-11-09T02:00:00Z")
            .pupils(&[pupil("P1", "2015-01-10", "2021-09-01", "", "N")])
            .marks(&marks);
        load(&w, spec);
    }
    w
}

#[test]
fn each_academy_has_its_own_half_term_and_the_trust_sums_them() {
    use queries::calendar::{resolve_each, WindowKind};
    let w = two_calendars();
    let conn = w.conn();
    let cals = figures::calendars(&conn).unwrap();
    // The registers give each academy its own half terms; together they have no break.
    let halves = |urn: &str| -> Vec<(NaiveDate, NaiveDate)> {
        cals.of(urn)
            .year(2024)
            .unwrap()
            .half_terms
            .iter()
            .map(|h| (h.from, h.to))
            .collect()
    };
    assert_eq!(
        halves("100001"),
        vec![
            (d(2024, 9, 4), d(2024, 10, 18)),
            (d(2024, 10, 28), d(2024, 11, 8))
        ]
    );
    assert_eq!(
        halves("100002"),
        vec![
            (d(2024, 9, 4), d(2024, 10, 25)),
            (d(2024, 11, 4), d(2024, 11, 8))
        ]
    );
    assert_eq!(cals.trust.year(2024).unwrap().half_terms.len(), 1);

    // This half term: A 28 Oct - 8 Nov (20 sessions, two Mondays absent: 4), B 4-8 Nov
    // (10 sessions, one Friday: 2). The trust: 30 sessions, 6 absent.
    let half = resolve_each(&cals, WindowKind::HalfTerm, None, None).unwrap();
    assert!(!half.same_dates);
    let (academies, trust) =
        figures::by_academy_in(&conn, &half.spec(), half.from, half.to, Scope::All).unwrap();
    let of = |urn: &str| {
        academies
            .iter()
            .find(|(a, _)| a.urn == urn)
            .unwrap()
            .1
            .clone()
    };
    for (place, f, want) in [
        ("100001", of("100001"), (20, 4)),
        ("100002", of("100002"), (10, 2)),
        ("trust", trust.clone(), (30, 6)),
    ] {
        assert_eq!(
            (f.possible_sessions, f.authorised_sessions),
            want,
            "{place}"
        );
    }
    assert_eq!(trust.pa_enrolments, 2);
    // The week-by-week heatmap takes each academy's own weeks: A from 28 October, B
    // from 4 November; the trust's first week is A's alone.
    let span = queries::heatmap::Span {
        from: half.from,
        to: half.to,
        spec: half.spec(),
    };
    let weeks: Vec<(Option<String>, NaiveDate, u64, u64)> =
        queries::heatmap::rolling_absence(&conn, &span, Scope::All, None)
            .unwrap()
            .into_iter()
            .map(|c| (c.urn, c.week, c.of, c.count))
            .collect();
    let (a, b) = (Some("100001".to_string()), Some("100002".to_string()));
    assert!(weeks.contains(&(a, d(2024, 10, 28), 10, 2)), "{weeks:?}");
    assert!(
        !weeks.iter().any(|w| w.0 == b && w.1 == d(2024, 10, 28)),
        "{weeks:?}"
    );
    assert!(weeks.contains(&(None, d(2024, 10, 28), 10, 2)), "{weeks:?}");

    // Every other named window, per academy, and the trust as their sum.
    for kind in [
        WindowKind::YearToDate,
        WindowKind::ThisTerm,
        WindowKind::LastTerm,
        WindowKind::Week,
    ] {
        let Ok(each) = resolve_each(&cals, kind, None, None) else {
            continue;
        };
        let (rows, trust) =
            figures::by_academy_in(&conn, &each.spec(), each.from, each.to, Scope::All).unwrap();
        let mut sum = 0;
        for (a, f) in &rows {
            let own = each.of(&a.urn).unwrap();
            let alone = figures::for_academy(&conn, own.from, own.to, Scope::All, &a.urn)
                .unwrap()
                .unwrap();
            assert_eq!(f, &alone, "{kind:?} {}", a.urn);
            sum += f.possible_sessions;
        }
        assert_eq!(trust.possible_sessions, sum, "{kind:?}");
    }
    // Last week: both academies' week of 4 November; last term: 2023's autumn.
    let week = resolve_each(&cals, WindowKind::Week, None, None).unwrap();
    assert!(week.same_dates);
    assert_eq!(week.from, d(2024, 11, 4));
    // The same point last year, each on its own calendar: both exist.
    let ytd = resolve_each(&cals, WindowKind::YearToDate, None, None).unwrap();
    for a in &ytd.academies {
        let (f, t) = a.window.last_year.expect("last year");
        assert_eq!(f, d(2023, 9, 1), "{}", a.urn);
        assert_eq!(
            chrono::Datelike::weekday(&t),
            chrono::Weekday::Fri,
            "{}",
            a.urn
        );
    }
}
