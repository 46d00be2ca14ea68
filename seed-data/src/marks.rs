//! One pupil's register for one academic year: every session's true code, and how
//! late the school learnt the reason (a code shows as `N` until then).

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::calendar::{DayKind, SchoolYear};
use crate::trust::{normal, AcademySpec, Phase, Pupil};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    pub date: NaiveDate,
    /// 0 = AM, 1 = PM.
    pub session: u8,
    pub code: &'static str,
    pub minutes_late: Option<u16>,
    /// School days after the session until the reason was known (`N` until then).
    pub delay: u8,
}

impl Mark {
    /// The code as an extract taken at the end of `night` shows it; `school_days_since`
    /// counts school days from the session to that night.
    pub fn code_seen(&self, school_days_since: usize) -> &'static str {
        if school_days_since < self.delay as usize {
            "N"
        } else {
            self.code
        }
    }
}

fn season(day: NaiveDate) -> f64 {
    match day.month() {
        9 => 0.72,
        10 => 0.95,
        11 => 1.0,
        12 => 1.2,
        1 => 1.18,
        2 => 1.12,
        3 => 1.0,
        4 => 0.88,
        5 => 0.92,
        6 => 0.98,
        _ => 1.08,
    }
}

fn weekday_effect(day: NaiveDate, session: u8) -> f64 {
    match (day.weekday(), session) {
        (Weekday::Mon, _) => 1.1,
        (Weekday::Tue, _) => 0.93,
        (Weekday::Wed, _) => 0.92,
        (Weekday::Thu, _) => 0.95,
        (Weekday::Fri, 0) => 1.08,
        (Weekday::Fri, _) => 1.9,
        _ => 1.0,
    }
}

/// Persistent pupil score for a year: correlated with the pupil's score across years.
fn year_score(p: &Pupil, rng: &mut ChaCha8Rng) -> f64 {
    0.85 * p.z + (1.0 - 0.85f64 * 0.85).sqrt() * normal(rng)
}

fn unauthorised_or_other(rng: &mut ChaCha8Rng, phase: Phase, nc: i32) -> &'static str {
    let x: f64 = rng.gen();
    match x {
        x if x < 0.33 => "O",
        x if x < 0.40 => "N",
        x if x < 0.63 => "M",
        x if x < 0.70 => "C",
        x if x < 0.82 => "U",
        x if x < 0.84 => "R",
        x if x < 0.89 && phase != Phase::Primary => "E",
        x if x < 0.90 && (nc == 11 || nc == 13) => "J1",
        x if x < 0.905 => "C1",
        _ => "I",
    }
}

/// The school session index in the week (Mon AM = 0 .. Fri PM = 9).
fn week_slot(day: NaiveDate, session: u8) -> u32 {
    day.weekday().num_days_from_monday() * 2 + session as u32
}

/// Generates the pupil's marks for academic year `year` (only days on roll, up to
/// `until`). Deterministic per pupil and year, whatever `until` is.
pub fn pupil_year(
    spec: &AcademySpec,
    p: &Pupil,
    year: i32,
    cal: &SchoolYear,
    until: NaiveDate,
    seed: u64,
    out: &mut Vec<Mark>,
) {
    let mut rng = ChaCha8Rng::seed_from_u64(
        seed ^ (spec.index as u64).wrapping_mul(0x1000_0001)
            ^ (p.idx as u64).wrapping_mul(0x9E37_79B9)
            ^ ((year as u64) << 48),
    );
    let nc = p.nc_year(year);
    let rate = spec.propensity(p, year, year_score(p, &mut rng));
    // Term-time holiday: a week before a half term or the end of a term.
    let holiday = rng.gen_bool(if p.fsm { 0.05 } else { 0.07 }).then(|| {
        let ends = [
            cal.half_terms[0].0,
            cal.terms[0][1] + Duration::days(3),
            cal.half_terms[1].0,
            cal.terms[1][1] + Duration::days(3),
            cal.half_terms[2].0,
        ];
        let end = ends[rng.gen_range(0..ends.len())];
        (end - Duration::days(7), end)
    });
    let snow_day = (spec.index % 4 == 2).then(|| {
        let mut d = NaiveDate::from_ymd_opt(year + 1, 2, 3).expect("date");
        while cal.kind(d) != DayKind::School {
            d += Duration::days(1);
        }
        d
    });
    let work_experience = (spec.phase == Phase::Secondary && nc == 10).then(|| {
        let mut d = NaiveDate::from_ymd_opt(year + 1, 6, 15).expect("date");
        while d.weekday() != Weekday::Mon {
            d += Duration::days(1);
        }
        (d, d + Duration::days(4))
    });
    let study_leave_from = cal.half_terms[2].1 + Duration::days(3);
    let mut ill_days_left = 0u32;
    for (day, kind) in cal.open_days() {
        if day > until {
            break;
        }
        if !p.on_roll(day) {
            continue;
        }
        let mut ill_today = false;
        if kind == DayKind::School && ill_days_left == 0 {
            let daily = rate * season(day) * weekday_effect(day, 0) * 0.56 / 2.3;
            let last_week = if cal.last_week_of_term(day) {
                1.25
            } else {
                1.0
            };
            if rng.gen_bool((daily * last_week).min(0.95)) {
                ill_days_left = 1 + (rng.gen_range(0.0f64..1.0).ln() / 0.55f64.ln()).floor() as u32;
                ill_days_left = ill_days_left.min(6);
            }
        }
        if ill_days_left > 0 && kind == DayKind::School {
            ill_today = true;
            ill_days_left -= 1;
        }
        for session in 0..2u8 {
            let mut minutes_late = None;
            let code: &'static str = if kind == DayKind::Inset {
                "#"
            } else if snow_day == Some(day) {
                "Y4"
            } else if nc < 0 && session == 1 {
                "X"
            } else if p.dual && matches!(day.weekday(), Weekday::Tue | Weekday::Thu) {
                "D"
            } else if holiday.is_some_and(|(a, b)| day >= a && day < b) {
                "G"
            } else if work_experience.is_some_and(|(a, b)| day >= a && day <= b) {
                "W"
            } else if (nc == 11 || nc == 13) && day >= study_leave_from && rng.gen_bool(0.3) {
                "S"
            } else if let Some(rt) =
                p.rt.as_ref()
                    .filter(|rt| rt.coded && day >= rt.start && rt.end.is_none_or(|e| day <= e))
            {
                if week_slot(day, session) >= rt.sessions_per_week as u32 {
                    "C2"
                } else if ill_today || rng.gen_bool((rate * 1.5).min(0.9)) {
                    "I"
                } else if session == 0 {
                    "/"
                } else {
                    "\\"
                }
            } else if let Some(ap) = p.ap.as_ref().filter(|ap| {
                day >= ap.start
                    && ap.end.is_none_or(|e| day <= e)
                    && week_slot(day, session) >= 10 - ap.sessions_per_week as u32
            }) {
                if rng.gen_bool((rate * 1.6).min(0.9)) {
                    if rng.gen_bool(0.5) {
                        "O"
                    } else {
                        "N"
                    }
                } else if ap.by_school {
                    "B"
                } else {
                    "K"
                }
            } else if ill_today {
                "I"
            } else {
                let a = rate * season(day) * weekday_effect(day, session) * 0.44;
                let last_week = if cal.last_week_of_term(day) {
                    1.25
                } else {
                    1.0
                };
                if rng.gen_bool((a * last_week).min(0.95)) {
                    let c = unauthorised_or_other(&mut rng, spec.phase, nc);
                    if c == "U" {
                        minutes_late = Some(rng.gen_range(31..75));
                    }
                    c
                } else if rng.gen_bool(
                    if p.fsm { 0.055 } else { 0.03 } * if session == 0 { 1.0 } else { 0.25 },
                ) {
                    minutes_late = Some(rng.gen_range(1..25));
                    "L"
                } else if rng.gen_bool(0.004) {
                    if session == 1 && spec.phase != Phase::Primary {
                        "P"
                    } else {
                        "V"
                    }
                } else if session == 0 {
                    "/"
                } else {
                    "\\"
                }
            };
            // How long the reason took to arrive: `N` until then.
            let delay = if matches!(code, "I" | "M" | "O" | "G" | "C" | "R") {
                match rng.gen_range(0..100) {
                    0..=49 => 0,
                    50..=74 => 1,
                    75..=89 => 2,
                    _ => rng.gen_range(3..6),
                }
            } else {
                0
            };
            out.push(Mark {
                date: day,
                session,
                code,
                minutes_late,
                delay,
            });
        }
    }
}
