//! The attendance lead's daily lists, for the trust or one academy: thresholds crossed
//! in the latest school week and new persistent absence, pupils at risk of it, the
//! penalty-notice threshold, possible children missing education, unexplained absence
//! left open, and certificates. Each academy's "now" is its latest loaded day.

use chrono::{Duration, NaiveDate};
use duckdb::{params, Connection, Row};

use crate::calendar::{academic_year, Calendars};
use crate::db::query_all;
use crate::types::{
    AtRisk, AtRiskRule, Certificate, Crossing, MissingRun, OpenN, PenaltyWindow, PupilRef,
};

/// Letters go out as attendance falls below these.
pub use crate::letters::THRESHOLDS;
/// Sessions in a full school year (190 days).
pub const YEAR_SESSIONS: u64 = 380;
/// School days in a full school year.
pub const YEAR_DAYS: u64 = 190;
/// The penalty-notice threshold: sessions of unauthorised absence in 10 school weeks.
pub const PENALTY_SESSIONS: u64 = 10;
/// Children missing education: consecutive school days of absence without permission.
pub use crate::notifications::CME_DAYS;
/// `N` marks are chased after this many school days by default.
pub const OPEN_N_DAYS: u64 = 3;
/// "Most improved": at least this many percentage points up on the last half term.
pub const IMPROVED_BY: f64 = 5.0;

fn pupil(r: &Row<'_>) -> Result<PupilRef, duckdb::Error> {
    crate::figures::pupil_at(r, 0)
}

/// The academic year of the latest day loaded and its first day, and each academy's
/// current and previous half terms (on its own calendar).
#[derive(Debug, Clone, PartialEq)]
pub struct Year {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The earliest first day of any academy's current half term, and of its previous.
    pub half_term: NaiveDate,
    pub previous_half_term: NaiveDate,
    /// Each academy's current half term to its latest day, and its previous half term
    /// (`academy_windows` specs).
    pub halves: String,
    pub previous_halves: String,
}

impl Year {
    /// From the registers: `None` before anything is loaded.
    pub fn of(cals: &Calendars) -> Option<Year> {
        let to = cals.trust.latest_day()?;
        let year = cals.trust.year(academic_year(to))?;
        let from = *year.days.first()?;
        let mut halves = Vec::new();
        let mut previous = Vec::new();
        for (urn, cal) in &cals.academies {
            // An academy whose registers stop in an earlier year has no half term now.
            let Some(latest) = cal
                .latest_day()
                .filter(|l| academic_year(*l) == academic_year(to))
            else {
                continue;
            };
            let own: Vec<_> = cal
                .years
                .iter()
                .flat_map(|y| y.half_terms.iter())
                .filter(|h| h.from <= latest)
                .collect();
            let Some(current) = own.last() else { continue };
            halves.push((urn.as_str(), current.from, latest));
            if let Some(prev) = own.len().checked_sub(2).map(|i| own[i]) {
                previous.push((urn.as_str(), prev.from, prev.to));
            }
        }
        let half_term = halves.iter().map(|h| h.1).min().unwrap_or(from);
        let previous_half_term = previous.iter().map(|h| h.1).min().unwrap_or(half_term);
        Some(Year {
            from,
            to,
            half_term,
            previous_half_term,
            halves: crate::calendar::spec(halves.into_iter()),
            previous_halves: crate::calendar::spec(previous.into_iter()),
        })
    }
}

/// One enrolment's sessions this year: now, before this week, this and last half term.
#[derive(Debug, Clone)]
struct Sessions {
    pupil: PupilRef,
    as_of: NaiveDate,
    school_days: u64,
    possible: u64,
    attending: u64,
    absent: u64,
    possible_before: u64,
    attending_before: u64,
    absent_before: u64,
    possible_half: u64,
    attending_half: u64,
    possible_prev: u64,
    attending_prev: u64,
    possible_recent: u64,
    absent_recent: u64,
}

fn rate(n: u64, of: u64) -> f64 {
    if of == 0 {
        0.0
    } else {
        100.0 * n as f64 / of as f64
    }
}

fn sessions(
    conn: &Connection,
    urn: Option<&str>,
    y: &Year,
    recent_weeks: u64,
) -> Result<Vec<Sessions>, duckdb::Error> {
    query_all(
        conn,
        include_str!("../sql/actions_attendance.sql"),
        params![
            urn,
            y.from,
            y.to,
            y.previous_half_term,
            recent_weeks,
            y.halves,
            y.previous_halves
        ],
        |r| {
            Ok(Sessions {
                pupil: pupil(r)?,
                as_of: r.get(6)?,
                school_days: r.get(7)?,
                possible: r.get(8)?,
                attending: r.get(9)?,
                absent: r.get(10)?,
                possible_before: r.get(11)?,
                attending_before: r.get(12)?,
                absent_before: r.get(13)?,
                possible_half: r.get(14)?,
                attending_half: r.get(15)?,
                possible_prev: r.get(16)?,
                attending_prev: r.get(17)?,
                possible_recent: r.get(18)?,
                absent_recent: r.get(19)?,
            })
        },
    )
}

pub use crate::types::ActionLists as Lists;

/// Is attendance `attending / possible` below `pct` percent? (Exact, in integers.)
fn below(attending: u64, possible: u64, pct: u8) -> bool {
    attending * 100 < pct as u64 * possible
}

fn is_pa(absent: u64, possible: u64) -> bool {
    possible > 0 && absent * 10 >= possible
}

fn is_sa(absent: u64, possible: u64) -> bool {
    possible > 0 && absent * 2 >= possible
}

/// Thresholds crossed in the latest school week, and new persistent absence.
fn crossings(all: &[Sessions]) -> Vec<Crossing> {
    all.iter()
        .filter(|s| s.possible > 0 && s.possible_before > 0)
        .filter_map(|s| {
            let crossed_below = THRESHOLDS
                .iter()
                .rev()
                .find(|t| {
                    below(s.attending, s.possible, **t)
                        && !below(s.attending_before, s.possible_before, **t)
                })
                .copied();
            let newly_pa =
                is_pa(s.absent, s.possible) && !is_pa(s.absent_before, s.possible_before);
            let newly_sa =
                is_sa(s.absent, s.possible) && !is_sa(s.absent_before, s.possible_before);
            (crossed_below.is_some() || newly_pa || newly_sa).then(|| Crossing {
                pupil: s.pupil.clone(),
                as_of: s.as_of,
                attendance_now: rate(s.attending, s.possible),
                attendance_before: rate(s.attending_before, s.possible_before),
                crossed_below,
                newly_pa,
                newly_sa,
                possible: s.possible,
                absent: s.absent,
            })
        })
        .collect()
}

/// The sessions a pupil can still miss this year and stay under 10% of the year's
/// possible sessions (so far, plus two for each of the academy's remaining school days
/// in a 190-day year): (the year's sessions, headroom).
pub fn headroom(possible: u64, absent: u64, school_days: u64) -> (u64, u64) {
    let year = possible + 2 * YEAR_DAYS.saturating_sub(school_days);
    // The most absence that stays under 10%: the largest A with A * 10 < year.
    let most = year.div_ceil(10).saturating_sub(1);
    (year, most.saturating_sub(absent))
}

/// Whether a pupil with `absent` of `possible` sessions so far, and `recent_absent` of
/// `recent_possible` in the last weeks, would reach the rule's threshold by the end of
/// the year (`remaining` sessions to come) at the recent rate. Exact, in integers:
/// (absent + recent_rate x remaining) / (possible + remaining) >= threshold.
pub fn projected_to_reach(
    rule: &AtRiskRule,
    possible: u64,
    absent: u64,
    recent_possible: u64,
    recent_absent: u64,
    remaining: u64,
) -> bool {
    if recent_possible == 0 {
        return false;
    }
    let projected_absent =
        absent as u128 * recent_possible as u128 + recent_absent as u128 * remaining as u128;
    let year = (possible + remaining) as u128 * recent_possible as u128;
    projected_absent * 1000 >= rule.threshold_permille() as u128 * year
}

fn at_risk(all: &[Sessions], rule: &AtRiskRule) -> Vec<AtRisk> {
    let mut out: Vec<AtRisk> = all
        .iter()
        .filter(|s| s.possible > 0 && !is_pa(s.absent, s.possible))
        .filter_map(|s| {
            let (year_sessions, headroom) = headroom(s.possible, s.absent, s.school_days);
            let remaining = year_sessions - s.possible;
            let listed = projected_to_reach(
                rule,
                s.possible,
                s.absent,
                s.possible_recent,
                s.absent_recent,
                remaining,
            );
            let recent = s.absent_recent as f64 / s.possible_recent.max(1) as f64;
            let projected_absent = s.absent as f64 + recent * remaining as f64;
            listed.then(|| AtRisk {
                pupil: s.pupil.clone(),
                as_of: s.as_of,
                attendance_now: rate(s.attending, s.possible),
                possible: s.possible,
                absent: s.absent,
                recent_absence: 100.0 * recent,
                year_sessions,
                projected_attendance: 100.0 - 100.0 * projected_absent / year_sessions as f64,
                headroom,
            })
        })
        .collect();
    out.sort_by_key(|a| (a.pupil.urn.clone(), a.headroom));
    out
}

fn certificates(all: &[Sessions]) -> Vec<Certificate> {
    let mut full: Vec<Certificate> = all
        .iter()
        .filter(|s| s.possible > 0 && s.attending == s.possible)
        .map(|s| Certificate {
            pupil: s.pupil.clone(),
            kind: "full".into(),
            attendance: 100.0,
            before: None,
            improvement: None,
        })
        .collect();
    let mut improved: Vec<Certificate> = all
        .iter()
        .filter(|s| s.possible_half > 0 && s.possible_prev > 0)
        .filter_map(|s| {
            let now = rate(s.attending_half, s.possible_half);
            let before = rate(s.attending_prev, s.possible_prev);
            (now - before >= IMPROVED_BY).then(|| Certificate {
                pupil: s.pupil.clone(),
                kind: "improved".into(),
                attendance: now,
                before: Some(before),
                improvement: Some(now - before),
            })
        })
        .collect();
    improved.sort_by(|a, b| {
        a.pupil.urn.cmp(&b.pupil.urn).then(
            b.improvement
                .unwrap_or(0.0)
                .total_cmp(&a.improvement.unwrap_or(0.0)),
        )
    });
    full.append(&mut improved);
    full
}

fn penalty(
    conn: &Connection,
    urn: Option<&str>,
    y: &Year,
) -> Result<(Vec<PenaltyWindow>, Vec<PenaltyWindow>), duckdb::Error> {
    // Far enough back for 10 school weeks before the year began (summer included).
    let back = y.from - Duration::weeks(20);
    let sql = include_str!("../sql/actions_penalty.sql");
    let all = query_all(conn, sql, params![urn, back, y.to, y.from], |r| {
        let last_week: NaiveDate = r.get(6)?;
        Ok(PenaltyWindow {
            pupil: pupil(r)?,
            from: r.get(7)?,
            to: (last_week + Duration::days(6)).min(y.to),
            sessions: r.get(8)?,
            now: r.get(9)?,
        })
    })?;
    let now: Vec<PenaltyWindow> = all
        .iter()
        .filter(|w| w.now && w.sessions >= PENALTY_SESSIONS)
        .cloned()
        .collect();
    // This year: each enrolment's fullest window (the earliest of equals).
    let mut this_year: Vec<PenaltyWindow> = Vec::new();
    for w in all.into_iter().filter(|w| w.sessions >= PENALTY_SESSIONS) {
        match this_year.last_mut() {
            Some(best) if best.pupil == w.pupil => {
                if w.sessions > best.sessions {
                    *best = w;
                }
            }
            _ => this_year.push(w),
        }
    }
    Ok((now, this_year))
}

fn missing(
    conn: &Connection,
    urn: Option<&str>,
    y: &Year,
) -> Result<Vec<MissingRun>, duckdb::Error> {
    let sql = include_str!("../sql/actions_cme.sql");
    query_all(conn, sql, params![urn, y.from, y.to, CME_DAYS], |r| {
        Ok(MissingRun {
            pupil: pupil(r)?,
            first_day: r.get(6)?,
            last_day: r.get(7)?,
            school_days: r.get(8)?,
            ongoing: r.get(9)?,
            notify_from: r.get(10)?,
        })
    })
}

/// `N` marks at least `min_age` school days old this year.
pub fn open_n(
    conn: &Connection,
    urn: Option<&str>,
    y: &Year,
    min_age: u64,
) -> Result<Vec<OpenN>, duckdb::Error> {
    let sql = include_str!("../sql/actions_open_n.sql");
    query_all(conn, sql, params![urn, y.from, y.to, min_age], |r| {
        Ok(OpenN {
            pupil: pupil(r)?,
            sessions: r.get(6)?,
            oldest: r.get(7)?,
            oldest_age: r.get(8)?,
            newest_age: r.get(9)?,
        })
    })
}

/// Every list for the trust or one academy. `at_risk`: who is at risk of persistent
/// absence; `open_n_days`: how old an `N` is before it is listed.
pub fn lists(
    conn: &Connection,
    cal: &Calendars,
    urn: Option<&str>,
    at_risk_rule: &AtRiskRule,
    open_n_days: u64,
) -> Result<Lists, duckdb::Error> {
    let Some(y) = Year::of(cal) else {
        return Ok(Lists::default());
    };
    let all = sessions(conn, urn, &y, at_risk_rule.weeks.max(1))?;
    let (penalty_now, penalty_this_year) = penalty(conn, urn, &y)?;
    Ok(Lists {
        crossings: crossings(&all),
        at_risk: at_risk(&all, at_risk_rule),
        penalty_now,
        penalty_this_year,
        missing: missing(conn, urn, &y)?,
        open_n: open_n(conn, urn, &y, open_n_days)?,
        certificates: certificates(&all),
    })
}
