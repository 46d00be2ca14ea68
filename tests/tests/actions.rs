//! The attendance lead's lists on a hand-built academy, every figure worked out by
//! hand, with the boundaries: exactly 10 sessions, a window across the summer into a new
//! academic year, exactly 95.0%, exactly 10% absence, headroom of zero, an `N` exactly
//! 3 school days old and one corrected the next night.
//!
//! Registers: Monday 2 June to Friday 18 July 2025 (7 school weeks, 2024/25) and Monday
//! 1 September to Friday 3 October 2025 (5 school weeks, 2025/26): 12 school weeks,
//! the last (29 Sep - 3 Oct) "this week". Everyone present unless said:
//! - P1: 5 `O` in the week of 16 June and 5 `G` this week: 10 in the 10 school weeks
//!   ending now (16 June to 3 October): listed now.
//! - P2: the same with 4 `G` this week: 9, not listed.
//! - P3: 10 `U` in the week of 9 June: the 10-week window ending 7 Sept (2 June to 7
//!   Sept, across the summer) holds 10: listed this year, not now.
//! - P4: `N` all day 15 to 26 Sept (10 school days): possible child missing education;
//!   its `N`s are open.
//! - P5: `N` all day 15 to 25 Sept (9 days): not.
//! - P6: one `N` on Tuesday 30 Sept: 3 school days old on 3 Oct: open (limit 3).
//!   The next night's extract corrects it to `I`.
//! - P7: one `N` on Wednesday 1 Oct: 2 school days old: not yet.
//!
//! Attendance for the year to date counts from 1 September: 40 sessions before this
//! week, 50 now.
//!
//! - P8: 2 `I` in the week of 8 Sept (95.0% exactly: not below 95), 1 more this week:
//!   94.0%, below 95 this week.
//! - P9: 2 `I` on 8 Sept, 3 this week: 5 of 50, 90.0% exactly: below 93 but not 90;
//!   10% absence exactly: newly persistently absent.
//! - P10: absent all this week: 80.0% exactly: below 90, not 80; newly PA.
//! - P11: present every session: 100%.
//! - P12: absent (`I`) every afternoon last half term (50%), present this half term:
//!   improved by 50 points.

use chrono::{Datelike, Duration, NaiveDate};
use queries::actions::{self, headroom};
use rollcall_tests::{assert_loaded, date as d, register, ExtractSpec, Warehouse};

const A: &str = "100001";

/// The registers' school days from `from` to `to`.
fn school_days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    rollcall_tests::weekdays(&[
        (d(2025, 6, 2), d(2025, 7, 18)),
        (d(2025, 9, 1), d(2025, 10, 3)),
    ])
    .into_iter()
    .filter(|day| (from..=to).contains(day))
    .collect()
}

fn week_of(day: NaiveDate) -> NaiveDate {
    day - Duration::days(day.weekday().num_days_from_monday() as i64)
}

/// The code for pupil `n` on `day`, session `s` (0 = AM); `corrected`: the next night's
/// extract, in which P6's `N` is now `I`.
fn code(n: u32, day: NaiveDate, s: u8, corrected: bool) -> &'static str {
    let this_week = week_of(day) == d(2025, 9, 29);
    // Sessions of the week, 0..10.
    let slot = day.weekday().num_days_from_monday() * 2 + s as u32;
    match n {
        1 if week_of(day) == d(2025, 6, 16) && slot < 5 => "O",
        1 if this_week && slot < 5 => "G",
        2 if week_of(day) == d(2025, 6, 16) && slot < 5 => "O",
        2 if this_week && slot < 4 => "G",
        3 if week_of(day) == d(2025, 6, 9) => "U",
        4 if day >= d(2025, 9, 15) && day <= d(2025, 9, 26) => "N",
        5 if day >= d(2025, 9, 15) && day <= d(2025, 9, 25) => "N",
        6 if day == d(2025, 9, 30) && s == 0 => {
            if corrected {
                "I"
            } else {
                "N"
            }
        }
        7 if day == d(2025, 10, 1) && s == 0 => "N",
        8 | 9 if week_of(day) == d(2025, 9, 8) && slot < 2 => "I",
        8 if this_week && slot < 1 => "I",
        9 if this_week && slot < 3 => "I",
        10 if this_week => "I",
        12 if day <= d(2025, 7, 18) && s == 1 => "I",
        _ if s == 0 => "/",
        _ => "\\",
    }
}

fn extract(from: NaiveDate, to: NaiveDate, at: &str, corrected: bool) -> ExtractSpec {
    let days = school_days(from, to);
    let rows: Vec<String> = (1..=12)
        .flat_map(|n| register(&format!("P{n}"), &days, |day, s| code(n, day, s, corrected)))
        .collect();
    let pupils: Vec<String> = (1..=12)
        .map(|n| format!("P{n},,Pupil{n},Test,2012-10-01,F,8,2024-09-01,,N,N,N,WBRI,N"))
        .collect();
    ExtractSpec::new(A, &from.to_string(), &to.to_string(), at)
        .pupils(&pupils)
        .marks(&rows)
}

fn academy() -> Warehouse {
    let w = Warehouse::new();
    let spec = extract(d(2025, 6, 2), d(2025, 10, 3), "2025-10-04T02:00:00Z", false);
    w.load_whole(&spec, "a");
    w
}

/// The lists, at-risk by `rule`.
fn lists_by(w: &Warehouse, rule: &queries::types::AtRiskRule) -> actions::Lists {
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    actions::lists(&conn, &cal, None, rule, actions::OPEN_N_DAYS).unwrap()
}

fn lists(w: &Warehouse) -> actions::Lists {
    lists_by(w, &Default::default())
}

fn pid(p: &queries::types::PupilRef) -> &str {
    &p.pupil_id
}

fn ids<T>(rows: &[T], id: impl Fn(&T) -> &str) -> Vec<String> {
    let mut v: Vec<String> = rows.iter().map(|r| id(r).to_string()).collect();
    v.sort();
    v
}

#[test]
fn the_year_and_its_half_terms_come_from_the_registers() {
    let w = academy();
    let cal = queries::figures::calendars(&w.conn()).unwrap();
    let y = actions::Year::of(&cal).unwrap();
    assert_eq!((y.from, y.to), (d(2025, 9, 1), d(2025, 10, 3)));
    assert_eq!(
        (y.half_term, y.previous_half_term),
        (d(2025, 9, 1), d(2025, 6, 2))
    );
}

#[test]
fn penalty_notice_threshold_now_and_this_year() {
    let l = lists(&academy());
    let now: Vec<(&str, u64, NaiveDate, NaiveDate)> = l
        .penalty_now
        .iter()
        .map(|w| (w.pupil.pupil_id.as_str(), w.sessions, w.from, w.to))
        .collect();
    // Exactly 10, in the 10 school weeks from 16 June (across the summer) to now; P2's
    // 9 are not listed; P4's and P5's `N`s are unauthorised too.
    let window = (d(2025, 6, 16), d(2025, 10, 3));
    assert_eq!(
        now,
        vec![
            ("P1", 10, window.0, window.1),
            ("P4", 20, window.0, window.1),
            ("P5", 18, window.0, window.1),
        ]
    );
    let year: Vec<(&str, u64, NaiveDate, NaiveDate, bool)> = l
        .penalty_this_year
        .iter()
        .map(|w| (w.pupil.pupil_id.as_str(), w.sessions, w.from, w.to, w.now))
        .collect();
    assert_eq!(
        year,
        vec![
            ("P1", 10, d(2025, 6, 16), d(2025, 10, 3), true),
            // 9 June's 10 sessions, in the window ending with the first week of
            // 2025/26 (2 June to 7 Sept).
            ("P3", 10, d(2025, 6, 2), d(2025, 9, 7), false),
            // The first window holding all of them: to the week of 22 Sept.
            ("P4", 20, d(2025, 6, 9), d(2025, 9, 28), false),
            ("P5", 18, d(2025, 6, 9), d(2025, 9, 28), false),
        ]
    );
}

#[test]
fn children_missing_education_and_open_n() {
    let l = lists(&academy());
    let runs: Vec<(&str, NaiveDate, NaiveDate, u64, bool)> = l
        .missing
        .iter()
        .map(|r| {
            (
                pid(&r.pupil),
                r.first_day,
                r.last_day,
                r.school_days,
                r.ongoing,
            )
        })
        .collect();
    assert_eq!(
        runs,
        vec![("P4", d(2025, 9, 15), d(2025, 9, 26), 10, false)]
    );
    let open: Vec<(&str, u64, NaiveDate, u64)> = l
        .open_n
        .iter()
        .map(|o| (pid(&o.pupil), o.sessions, o.oldest, o.oldest_age))
        .collect();
    // P4: 20 sessions, the oldest 14 school days back; P5 18 and 14; P6 exactly 3.
    assert_eq!(
        open,
        vec![
            ("P4", 20, d(2025, 9, 15), 14),
            ("P5", 18, d(2025, 9, 15), 14),
            ("P6", 1, d(2025, 9, 30), 3),
        ]
    );
}

#[test]
fn an_n_corrected_the_next_night_leaves_the_list() {
    let w = academy();
    let next = extract(d(2025, 9, 29), d(2025, 10, 3), "2025-10-05T02:00:00Z", true);
    assert_loaded(&w.load_spec(&next, "b"));
    let open = ids(&lists(&w).open_n, |o| &o.pupil.pupil_id);
    assert_eq!(open, vec!["P4", "P5"]);
}

#[test]
fn thresholds_crossed_this_week_and_new_persistent_absence() {
    let l = lists(&academy());
    let got: Vec<(&str, Option<u8>, bool)> = l
        .crossings
        .iter()
        .map(|c| (c.pupil.pupil_id.as_str(), c.crossed_below, c.newly_pa))
        .collect();
    assert!(got.contains(&("P8", Some(95), false)), "{got:?}");
    assert!(got.contains(&("P9", Some(93), true)), "{got:?}");
    assert!(got.contains(&("P10", Some(90), true)), "{got:?}");
    // P1: 5 of 50 (90.0%, 10%): below 93, newly PA; P2: 4 of 50 (92%): below 93.
    assert!(got.contains(&("P1", Some(93), true)), "{got:?}");
    assert!(got.contains(&("P2", Some(93), false)), "{got:?}");
    // Already absent before this week, or not crossing anything: not listed.
    for quiet in ["P3", "P4", "P5", "P6", "P7", "P11", "P12"] {
        assert!(!got.iter().any(|g| g.0 == quiet), "{quiet}: {got:?}");
    }
    let p8 = l
        .crossings
        .iter()
        .find(|c| c.pupil.pupil_id == "P8")
        .unwrap();
    assert_eq!((p8.attendance_before, p8.attendance_now), (95.0, 94.0));
}

#[test]
fn headroom_to_the_year_end() {
    // 380 sessions in the year: the most absence under 10% is 37.
    assert_eq!(headroom(380, 37, 190), (380, 0));
    assert_eq!(headroom(380, 36, 190), (380, 1));
    // Early in the year: 50 sessions so far in 25 days, the rest of the year to come.
    assert_eq!(headroom(50, 4, 25), (380, 33));
    // A joiner: fewer sessions so far, the same days left.
    assert_eq!(headroom(20, 1, 25), (350, 33));
    // Exactly divisible: 390 sessions, 38 is under 10% (380 < 390), 39 is not.
    assert_eq!(headroom(390, 38, 195), (390, 0));
    // On the fixture (5 school weeks), nobody short of 10% now would reach it at
    // their rate over the last 4 weeks: P2, 4 of the 40 recent sessions absent,
    // would end the year on (4 + 4/40 x 330) / 380 = 9.7%.
    let l = lists(&academy());
    assert!(l.at_risk.is_empty(), "{:?}", l.at_risk);
}

/// A second academy, 12 school weeks into 2025/26 (1 September to 24 October, half
/// term, 3 to 28 November: 60 school days, 120 sessions; 130 school days and 260
/// sessions left of a 190-day year; the last four school weeks 3 to 28 November, 40
/// sessions). Everyone present unless said:
/// - R1: 6 `I` in September, 5 in November: 11 of 120 (9.2%), 5 of 40 lately; at
///   that rate (11 + 5/40 x 260) / 380 = 11.4% at the year end: at risk.
/// - R2: 7 `I` in September, 4 in November: 11 of 120, 4 of 40 lately: 9.7%: not
///   (at risk with a margin of 1 point: 9.7% >= 9.0%).
/// - R3: 12 `I` in September: 10.0% now, persistently absent: not "at risk".
/// - C1: `U` (late after the register closed: in school) every session 10 to 21
///   November: not missing education. C2: `O` every session then: missing.
/// - S1: `I` on 54 of the 110 sessions before this week, and 6 this week: 60 of 120,
///   50% exactly: newly severely absent (persistently absent long before).
/// - L1: left on 7 November with an `N` on 3 November: not on roll now, not listed.
mod autumn {
    use super::*;

    pub const B: &str = "100002";

    pub fn days() -> Vec<NaiveDate> {
        rollcall_tests::weekdays(&[
            (d(2025, 9, 1), d(2025, 10, 24)),
            (d(2025, 11, 3), d(2025, 11, 28)),
        ])
    }

    fn code(pupil: &str, i: usize, day: NaiveDate, s: u8) -> &'static str {
        let sept = day.month() == 9;
        let nov = day >= d(2025, 11, 3);
        let slot = i * 2 + s as usize;
        match pupil {
            "R1" if sept && slot < 6 => "I",
            "R1" if nov && (slot - 80).is_multiple_of(8) => "I",
            "R2" if sept && slot < 7 => "I",
            "R2" if nov && (slot - 80).is_multiple_of(10) => "I",
            "R3" if sept && slot < 12 => "I",
            "C1" if day >= d(2025, 11, 10) && day <= d(2025, 11, 21) => "U",
            "C2" if day >= d(2025, 11, 10) && day <= d(2025, 11, 21) => "O",
            "S1" if slot < 108 && slot.is_multiple_of(2) => "I",
            "S1" if slot >= 114 => "I",
            "L1" if day == d(2025, 11, 3) && s == 0 => "N",
            _ if s == 0 => "/",
            _ => "\\",
        }
    }

    pub fn warehouse() -> Warehouse {
        let w = Warehouse::new();
        let ids = ["R1", "R2", "R3", "C1", "C2", "S1", "L1"];
        let days = days();
        let mut rows = Vec::new();
        for id in ids {
            // L1 left on 7 November: no marks after.
            let on_roll: Vec<NaiveDate> = days
                .iter()
                .copied()
                .filter(|day| id != "L1" || *day <= d(2025, 11, 7))
                .collect();
            rows.extend(register(id, &on_roll, |day, s| {
                // The day's place in the registers.
                let i = days.iter().position(|x| *x == day).unwrap();
                code(id, i, day, s)
            }));
        }
        let pupils: Vec<String> = ids
            .iter()
            .map(|id| {
                let leaving = if *id == "L1" { "2025-11-07" } else { "" };
                format!("{id},,{id},Test,2012-10-01,F,8,2024-09-01,{leaving},N,N,N,WBRI,N")
            })
            .collect();
        let spec = ExtractSpec::new(B, "2025-09-01", "2025-11-28", "2025-11-29T02:00:00Z")
            .pupils(&pupils)
            .marks(&rows);
        w.load_whole(&spec, "autumn");
        w
    }

    /// A pupil's absent (`I`) and possible sessions, to check the fixture.
    pub fn sessions_of(w: &Warehouse, id: &str) -> (i64, i64) {
        w.conn()
            .query_row(
                "SELECT count(*) FILTER (WHERE code = 'I'), count(*) FROM marks m JOIN pupils p USING (pupil_key) WHERE p.pupil_id = ?",
                [id],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    }
}

#[test]
fn at_risk_of_persistent_absence_at_the_recent_rate() {
    let w = autumn::warehouse();
    assert_eq!(autumn::sessions_of(&w, "R1"), (11, 120), "the fixture");
    let l = lists(&w);
    let got: Vec<(&str, u64, u64, u64)> = l
        .at_risk
        .iter()
        .map(|a| (pid(&a.pupil), a.absent, a.year_sessions, a.headroom))
        .collect();
    assert_eq!(got, vec![("R1", 11, 380, 26)]);
    let r1 = &l.at_risk[0];
    assert_eq!(r1.recent_absence, 12.5);
    // 100 - 100 x (11 + 0.125 x 260) / 380
    assert!(
        (r1.projected_attendance - 88.5526).abs() < 1e-3,
        "{}",
        r1.projected_attendance
    );
    // With a margin of a point, R2 (9.7% projected) is listed too.
    let wider = queries::types::AtRiskRule {
        weeks: 4,
        margin: 1.0,
    };
    let wide = lists_by(&w, &wider);
    let ids: Vec<&str> = wide
        .at_risk
        .iter()
        .map(|a| a.pupil.pupil_id.as_str())
        .collect();
    assert!(
        ids.contains(&"R1") && ids.contains(&"R2") && !ids.contains(&"R3"),
        "{ids:?}"
    );
    // The exact test at the boundary.
    let rule = queries::types::AtRiskRule::default();
    // (11 x 40 + 4 x 260) x 10 = 14,800 < 380 x 40 = 15,200; with 5: 17,400.
    assert!(!actions::projected_to_reach(&rule, 120, 11, 40, 4, 260));
    assert!(actions::projected_to_reach(&rule, 120, 11, 40, 5, 260));
    // Exactly 10% projected counts: 10 of 100 so far, 4 of 40 lately, 100 to come:
    // (10 + 0.1 x 100) / 200 = 10.0%. With 9 so far: 9.5%.
    assert!(actions::projected_to_reach(&rule, 100, 10, 40, 4, 100));
    assert!(!actions::projected_to_reach(&rule, 100, 9, 40, 4, 100));
}

#[test]
fn missing_education_counts_no_late_marks_and_leavers_leave_the_lists() {
    let l = lists(&autumn::warehouse());
    let cme: Vec<&str> = l
        .missing
        .iter()
        .map(|r| r.pupil.pupil_id.as_str())
        .collect();
    assert_eq!(cme, vec!["C2"], "U means the pupil is in school");
    let open: Vec<&str> = l.open_n.iter().map(|o| o.pupil.pupil_id.as_str()).collect();
    assert!(!open.contains(&"L1"), "{open:?}");
}

#[test]
fn newly_severely_absent_joins_the_threshold_list() {
    let w = autumn::warehouse();
    assert_eq!(autumn::sessions_of(&w, "S1"), (60, 120), "the fixture");
    let l = lists(&w);
    let s1 = l
        .crossings
        .iter()
        .find(|c| c.pupil.pupil_id == "S1")
        .expect("S1 listed");
    assert!(s1.newly_sa && !s1.newly_pa, "{s1:?}");
    assert_eq!(s1.crossed_below, None, "50.0% is not below 50");
    let t = l
        .table("thresholds", &Default::default(), actions::OPEN_N_DAYS)
        .unwrap();
    let i = t
        .columns
        .iter()
        .position(|c| c == "Newly severely absent")
        .unwrap();
    let row = t.rows.iter().find(|r| r.0.pupil_id == "S1").unwrap();
    assert_eq!(row.1[i], "yes");
}

#[test]
fn certificates_full_attendance_and_most_improved() {
    let l = lists(&academy());
    let full = ids(
        &l.certificates
            .iter()
            .filter(|c| c.kind == "full")
            .cloned()
            .collect::<Vec<_>>(),
        |c| &c.pupil.pupil_id,
    );
    // This year (from 1 Sept): everyone without an absence since.
    assert_eq!(full, vec!["P11", "P12", "P3"]);
    let improved: Vec<(&str, f64)> = l
        .certificates
        .iter()
        .filter(|c| c.kind == "improved")
        .map(|c| (c.pupil.pupil_id.as_str(), c.improvement.unwrap()))
        .collect();
    assert_eq!(improved[0], ("P12", 50.0));
}

/// The fixture, then the next night's extract with a register not taken (P11, Friday
/// afternoon) and a row with a code that does not exist.
fn with_next_night() -> Warehouse {
    let w = academy();
    let mut spec = extract(d(2025, 9, 29), d(2025, 10, 3), "2025-10-05T02:00:00Z", true);
    let marks = String::from_utf8(
        spec.files
            .iter()
            .find(|(n, _)| n == "marks.csv")
            .unwrap()
            .1
            .clone(),
    )
    .unwrap()
    .replace("P11,2025-10-03,PM,\\,\n", "")
    .replace("P12,2025-10-03,PM,\\,\n", "P12,2025-10-03,PM,ZZ,\n");
    spec = spec.file("marks.csv", marks);
    let o = w.load_spec(&spec, "b");
    assert_loaded(&o);
    assert_eq!(o.rows_rejected(), 1, "{}", o.report_text());
    w
}

#[test]
fn data_quality_extracts_registers_open_n_and_coding() {
    let w = with_next_night();
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    let q = queries::quality::report(&conn, &cal, d(2025, 10, 6), &[]).unwrap();
    // School nights 22 Sept to 3 Oct: 10; extracts were taken only after 3 Oct (and
    // after Saturday 4 Oct, not a school night): 9 missed.
    let e = &q.extracts[0];
    assert_eq!((e.nights_checked, e.nights_missed.len()), (10, 9));
    assert!(!e.nights_missed.contains(&d(2025, 10, 3)));
    assert_eq!(
        (e.received, e.rejected_extracts, e.rows_rejected),
        (2, 0, 1)
    );
    assert_eq!(e.age_hours, Some(22));
    assert_eq!(q.rejected.len(), 1);
    assert_eq!(
        (
            q.rejected[0].column.as_str(),
            q.rejected[0].example.as_str()
        ),
        ("code", "ZZ")
    );
    // P11 has no mark on Friday afternoon; P12's row was rejected, so the mark it
    // would have replaced (present, from the first night) is held over.
    let gaps: Vec<(NaiveDate, u8, u64)> = q
        .register_gaps
        .iter()
        .map(|g| (g.date, g.session, g.pupils))
        .collect();
    assert_eq!(gaps, vec![(d(2025, 10, 3), 1, 1)]);
    let held: Vec<(&str, NaiveDate, Option<u8>, &str)> = q
        .held_over
        .iter()
        .map(|h| (h.pupil_id.as_str(), h.from, h.session, h.value.as_str()))
        .collect();
    assert_eq!(held, vec![("P12", d(2025, 10, 3), Some(1), "ZZ")]);
    // Open N by the oldest's age: P7 (2 days), P6 was corrected, P4 and P5 (14).
    assert_eq!(q.open_n.len(), 1);
    assert_eq!(q.open_n[0].sessions, [1, 0, 0, 38]);
    // This year: G 9 (P1, P2), N 38 (P4, P5) + 1 (P7), I 19 (P6 corrected, P8-P10):
    // 48 of 67 absent sessions unauthorised, 71.6% against 35.2% nationally.
    let flags: Vec<&str> = q.flags.iter().map(|f| f.code.as_str()).collect();
    assert_eq!(flags, vec!["unauthorised"]);
    assert!(
        q.flags[0].message.contains("71.6%"),
        "{}",
        q.flags[0].message
    );
}

#[test]
fn coding_unlike_the_trust_is_flagged_with_why() {
    use queries::types::CodeMix;
    let mix = |urn: &str, codes: &[(&str, u64)], unauthorised: u64| CodeMix {
        urn: Some(urn.into()),
        name: format!("Academy {urn}"),
        absent: codes.iter().map(|c| c.1).sum(),
        unauthorised,
        codes: codes.iter().map(|(c, n)| (c.to_string(), *n)).collect(),
    };
    // A: a third of absence coded C, no N; B: like the trust.
    let a = mix("1", &[("I", 60), ("C", 30), ("O", 10)], 10);
    let b = mix("2", &[("I", 600), ("N", 150), ("O", 150), ("C", 30)], 300);
    let trust = CodeMix {
        urn: None,
        name: "Trust".into(),
        absent: a.absent + b.absent,
        unauthorised: 310,
        codes: vec![
            ("I".into(), 660),
            ("N".into(), 150),
            ("O".into(), 160),
            ("C".into(), 60),
        ],
    };
    let flags = queries::quality::coding_flags(&[a, b], &trust);
    let got: Vec<(&str, &str)> = flags
        .iter()
        .map(|f| (f.urn.as_str(), f.code.as_str()))
        .collect();
    // A: C at 30% against 5.8%; no N against 14.4%; unauthorised 10% against 35.2%.
    assert_eq!(got, vec![("1", "C"), ("1", "N"), ("1", "unauthorised")]);
    assert!(flags[0].message.contains("30.0%") && flags[0].message.contains("5.8%"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_actions_api_and_its_csv_for_excel() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = academy();
    // A pupil whose name Excel would run as a formula.
    w.conn()
        .execute(
            "UPDATE pupils SET forename = '=HYPERLINK(\"x\")' WHERE pupil_id = 'P4'",
            [],
        )
        .unwrap();
    let lead = rollcall_tests::principal(queries::types::Role::Trust, &[]);
    let app = rollcall_tests::api_as(&w, lead);
    let get = |uri: &'static str| {
        let app = app.clone();
        async move {
            let (status, body) = rollcall_tests::get(&app, uri).await;
            (status.as_u16(), body)
        }
    };
    let v = rollcall_tests::get_json(&app, "/api/v1/actions?list=cme").await;
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["urn"], A);
    assert_eq!(rows[0]["pupil_id"], "P4");
    assert_eq!(rows[0]["school_days"], 10);
    let (status, body) = get("/api/v1/actions?list=penalty&format=csv").await;
    assert_eq!(status, 200);
    assert!(
        body.starts_with(b"\xEF\xBB\xBF"),
        "UTF-8 with a byte-order mark"
    );
    let text = String::from_utf8(body[3..].to_vec()).unwrap();
    assert!(text.starts_with("urn,pupil_id,upn,name,year_group,Window,Sessions,From,To"));
    assert!(text.contains("'=HYPERLINK"), "{text}");
    assert!(!text.contains(",=HYPERLINK"), "{text}");
    // Now: P1, P4, P5; earlier this year: P3, and P4's and P5's fullest windows.
    assert_eq!(text.lines().count(), 1 + 6, "{text}");
    let (status, body) = get("/api/v1/actions?list=everything").await;
    assert_eq!(status, 400);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["parameter"], "list");
    assert_eq!(server::download::cell("-1.5"), "-1.5");
    assert_eq!(server::download::cell("-x"), "'-x");
    assert_eq!(server::download::cell("@sum"), "'@sum");
}

#[test]
fn a_pupils_register_week_by_week() {
    let w = academy();
    let conn = w.conn();
    let rec = queries::pupil::record(&conn, A, "P4", d(2025, 9, 1), d(2025, 10, 3))
        .unwrap()
        .unwrap();
    assert_eq!(rec.pupil.name, "Test Pupil4");
    // 50 sessions this year, 20 of them N (15 to 26 Sept).
    assert_eq!((rec.possible, rec.attending, rec.absent), (50, 30, 20));
    assert_eq!(rec.weeks.len(), 5);
    let (monday, week) = &rec.weeks[2];
    assert_eq!(*monday, d(2025, 9, 15));
    assert!(week
        .iter()
        .all(|m| m.as_ref().map(|x| x.0.as_str()) == Some("N")));
    assert!(
        week[0].as_ref().unwrap().1.contains("not yet provided"),
        "{:?}",
        week[0]
    );
    assert!(
        queries::pupil::record(&conn, A, "P99", d(2025, 9, 1), d(2025, 10, 3))
            .unwrap()
            .is_none()
    );
}

/// The rows of the action list in a page's HTML: (pupil's name, year group, cells).
fn list_rows(html: &str) -> Vec<(String, String, Vec<String>)> {
    let body = &html[html.find("id=\"action-list\"").expect("the list")..];
    let body = &body[body.find("<tbody>").unwrap()..body.find("</tbody>").unwrap()];
    let text = |s: &str| -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for ch in s.chars() {
            match ch {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out.replace("<!>", "").trim().to_string()
    };
    body.split("<tr>")
        .skip(1)
        .filter(|r| r.contains("scope=\"row\""))
        .map(|r| {
            let name = text(&r[r.find("<a").unwrap()..r.find("</a>").unwrap()]);
            let cells: Vec<String> = r
                .split("<td")
                .skip(1)
                .map(|c| text(&format!("<td{c}")))
                .collect();
            (name, cells[0].clone(), cells[2..].to_vec())
        })
        .collect()
}

/// A long list worked through with JavaScript off: fifty rows a page with links to the
/// next, filtered by year group, sorted by a column either way; every page audited; the
/// CSV still the whole list.
#[tokio::test(flavor = "multi_thread")]
async fn a_long_list_is_paged_filtered_and_sorted_on_the_server() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = rollcall_tests::seeded_trust("academies=2,pupils=900,years=1,nights=1");
    let lead = rollcall_tests::principal(queries::types::Role::Trust, &[]);
    let pages = server::serve::app_routes(
        app::ssr::Warehouse::new(w.shared()),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
    )
    .layer(axum::Extension(lead.clone()));
    let html = |uri: String| {
        let pages = pages.clone();
        async move {
            let (status, body) = rollcall_tests::get(&pages, &uri).await;
            assert_eq!(status, 200, "{uri}");
            String::from_utf8(body).unwrap()
        }
    };
    // The longest list on this trust, whole, from the API.
    let api = rollcall_tests::api_as(&w, lead);
    let mut longest = ("", 0);
    for (list, _) in queries::types::ACTION_LISTS {
        let v = rollcall_tests::get_json(&api, &format!("/api/v1/actions?list={list}")).await;
        let n = v["rows"].as_array().unwrap().len();
        if n > longest.1 {
            longest = (list, n);
        }
    }
    let (list, whole) = longest;
    assert!(whole > 50, "a list longer than a page: {longest:?}");
    let (_, csv) =
        rollcall_tests::get(&api, &format!("/api/v1/actions?list={list}&format=csv")).await;
    assert_eq!(
        String::from_utf8_lossy(&csv).lines().count(),
        whole + 1,
        "the CSV is the whole list"
    );

    let audited = w.audited("action = 'view pupils'");
    let first = html(format!("/actions?list={list}")).await;
    assert_eq!(list_rows(&first).len(), 50);
    let pages_n = whole.div_ceil(50);
    assert!(
        first.contains(&format!("Page 1 of {pages_n} (rows 1 to 50 of {whole})")),
        "{list}"
    );
    assert!(first.contains(&format!(
        "href=\"/actions?list={list}&amp;page=2\" rel=\"next\""
    )));
    let last = html(format!("/actions?list={list}&page={pages_n}")).await;
    assert_eq!(list_rows(&last).len(), whole - 50 * (pages_n - 1));
    assert!(last.contains("rel=\"prev\"") && !last.contains("rel=\"next\""));
    assert_eq!(
        w.audited("action = 'view pupils'"),
        audited + 2,
        "each page viewed is audited"
    );

    // One year group: only its pupils, counted against the whole.
    let year = list_rows(&first)[0].1.clone();
    let one_year = html(format!(
        "/actions?list={list}&year={}",
        year.replace(' ', "+")
    ))
    .await;
    let rows = list_rows(&one_year);
    assert!(
        !rows.is_empty() && rows.iter().all(|(_, y, _)| *y == year),
        "{year}"
    );
    assert!(
        one_year.contains(&format!(" of {whole})")),
        "the heading says n of the whole"
    );

    // Sorted by the pupil's name, both ways, across pages.
    let names = |html: &str| -> Vec<String> { list_rows(html).into_iter().map(|r| r.0).collect() };
    let up = names(&html(format!("/actions?list={list}&sort=0")).await);
    let mut sorted = up.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(up, sorted);
    let lower = |n: &String| n.to_lowercase();
    let down_last = names(
        &html(format!(
            "/actions?list={list}&sort=0&dir=desc&page={pages_n}"
        ))
        .await,
    );
    assert_eq!(
        down_last.last().map(lower),
        up.first().map(lower),
        "the first name ascending ends the list descending"
    );
    let top = html(format!("/actions?list={list}&sort=0&dir=desc")).await;
    assert!(top.contains("aria-sort=\"descending\""));
    let top = names(&top);
    assert!(top.windows(2).all(|p| lower(&p[0]) >= lower(&p[1])));
    assert!(up.iter().all(|n| lower(n) <= lower(&top[0])));
}
