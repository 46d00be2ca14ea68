//! Alternative provision and reduced (part-time) timetables, kept from the extracts:
//! each placement and timetable with what needs action, counts by half term, and where
//! the registers and the records disagree.

use chrono::NaiveDate;
use duckdb::{params, Connection, Row};

use crate::calendar::Calendars;
use crate::db::query_all;
use crate::types::{Inconsistency, Mismatch, Placement, PupilRef, Timetable};

/// Default welfare-contact limit: school days after the last contact with a provider.
pub const DEFAULT_CONTACT_LIMIT: u64 = 10;

fn pupil(r: &Row<'_>) -> Result<PupilRef, duckdb::Error> {
    crate::figures::pupil_at(r, 0)
}

/// Every placement, for one academy or all.
pub fn placements(conn: &Connection, urn: Option<&str>) -> Result<Vec<Placement>, duckdb::Error> {
    let sql = include_str!("../sql/provision_placements.sql");
    query_all(conn, sql, params![urn], |r| {
        Ok(Placement {
            pupil: pupil(r)?,
            academy_name: r.get(6)?,
            provider: r.get(7)?,
            provider_urn: r.get(8)?,
            arranged_by: r.get(9)?,
            start_date: r.get(10)?,
            end_date: r.get(11)?,
            sessions_per_week: r.get(12)?,
            last_contact_date: r.get(13)?,
            as_of: r.get(14)?,
            ap_sessions: r.get(15)?,
            absent_sessions: r.get(16)?,
            possible_sessions: r.get(17)?,
            school_days_since_contact: r.get(18)?,
        })
    })
}

/// Every reduced timetable, for one academy or all.
pub fn timetables(conn: &Connection, urn: Option<&str>) -> Result<Vec<Timetable>, duckdb::Error> {
    let sql = include_str!("../sql/provision_timetables.sql");
    query_all(conn, sql, params![urn], |r| {
        Ok(Timetable {
            pupil: pupil(r)?,
            academy_name: r.get(6)?,
            start_date: r.get(7)?,
            planned_end_date: r.get(8)?,
            next_review_date: r.get(9)?,
            end_date: r.get(10)?,
            sessions_per_week: r.get(11)?,
            reason: r.get(12)?,
            parents_agreed: r.get(13)?,
            la_notified: r.get(14)?,
            as_of: r.get(15)?,
            c2_sessions: r.get(16)?,
        })
    })
}

/// Where registers and records disagree, from `from` to `to` (this academic year, as
/// a rule: records of earlier years may have been replaced since).
pub fn inconsistencies(
    conn: &Connection,
    urn: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
    placements: &[Placement],
    timetables: &[Timetable],
) -> Result<Vec<Inconsistency>, duckdb::Error> {
    let sql = include_str!("../sql/provision_unrecorded.sql");
    let mut out = query_all(conn, sql, params![urn, from, to], |r| {
        let code: String = r.get(6)?;
        let sessions: u64 = r.get(7)?;
        Ok(Inconsistency {
            kind: if code == "C2" {
                Mismatch::C2WithoutTimetable
            } else {
                Mismatch::ApSessionsWithoutPlacement
            },
            pupil: pupil(r)?,
            detail: format!(
                "{sessions} {code} session{}",
                if sessions == 1 { "" } else { "s" }
            ),
            sessions,
            first: r.get(8)?,
            last: r.get(9)?,
        })
    })?;
    // Records of this year with nothing in the registers.
    let this_year =
        |start: NaiveDate, end: Option<NaiveDate>| start <= to && end.is_none_or(|e| e >= from);
    for t in timetables
        .iter()
        .filter(|t| this_year(t.start_date, t.end_date))
    {
        if t.c2_sessions == 0 && t.start_date <= t.as_of {
            out.push(Inconsistency {
                kind: Mismatch::TimetableWithoutC2,
                pupil: t.pupil.clone(),
                detail: format!(
                    "timetable from {} with {} sessions a week in school",
                    t.start_date, t.sessions_per_week
                ),
                sessions: 0,
                first: Some(t.start_date),
                last: t.end_date,
            });
        }
    }
    for p in placements
        .iter()
        .filter(|p| this_year(p.start_date, p.end_date))
    {
        if p.ap_sessions == 0 && p.start_date <= p.as_of {
            out.push(Inconsistency {
                kind: Mismatch::PlacementWithoutSessions,
                pupil: p.pupil.clone(),
                detail: format!("{} from {}", p.provider, p.start_date),
                sessions: 0,
                first: Some(p.start_date),
                last: p.end_date,
            });
        }
    }
    out.sort_by(|a, b| {
        (a.pupil.urn.as_str(), a.kind as u8, a.pupil.name.as_str()).cmp(&(
            b.pupil.urn.as_str(),
            b.kind as u8,
            b.pupil.name.as_str(),
        ))
    });
    Ok(out)
}

/// Enrolments on roll at each academy on its latest loaded day: (URN, count).
pub fn on_roll(conn: &Connection) -> Result<Vec<(String, u64)>, duckdb::Error> {
    query_all(conn, include_str!("../sql/on_roll.sql"), [], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
}

/// Pupils on AP and on reduced timetables in one half term, at one academy or all.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct HalfTermCount {
    pub half_term: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub ap: u64,
    pub reduced_timetable: u64,
}

/// For each half term the registers describe (up to the latest loaded day), how many
/// placements and timetables were in force at some point in it, for `urn` or all. Each
/// academy's half terms are its own: a pupil counts in a half term when their placement
/// overlaps their academy's dates for it; the trust's row for a half term spans its
/// academies' dates.
pub fn by_half_term(
    cals: &Calendars,
    placements: &[Placement],
    timetables: &[Timetable],
    urn: Option<&str>,
) -> Vec<HalfTermCount> {
    let overlaps = |start: NaiveDate, end: Option<NaiveDate>, from: NaiveDate, to: NaiveDate| {
        start <= to && end.is_none_or(|e| e >= from)
    };
    // Each academy's own half terms, by name; the trust's calendar for an academy with
    // no registers (its placements still count).
    let own = |u: &str| -> Vec<(String, NaiveDate, NaiveDate)> {
        cals.of(u)
            .years
            .iter()
            .flat_map(|y| y.half_terms.iter())
            .map(|h| (h.name.clone(), h.from, h.to))
            .collect()
    };
    let urns: Vec<String> = match urn {
        Some(u) => vec![u.to_string()],
        None => {
            let mut all: Vec<String> = cals.academies.keys().cloned().collect();
            for u in placements
                .iter()
                .map(|p| &p.pupil.urn)
                .chain(timetables.iter().map(|t| &t.pupil.urn))
            {
                if !all.contains(u) {
                    all.push(u.clone());
                }
            }
            all
        }
    };
    let mut out: Vec<HalfTermCount> = Vec::new();
    let names: Vec<(String, NaiveDate, NaiveDate)> = match urn {
        Some(u) => own(u),
        None => cals
            .trust
            .years
            .iter()
            .flat_map(|y| y.half_terms.iter())
            .map(|h| (h.name.clone(), h.from, h.to))
            .collect(),
    };
    let mut ordered: Vec<String> = names.iter().map(|n| n.0.clone()).collect();
    for u in &urns {
        for (name, ..) in own(u) {
            if !ordered.contains(&name) {
                ordered.push(name);
            }
        }
    }
    for name in ordered {
        let mut row = HalfTermCount {
            half_term: name.clone(),
            from: NaiveDate::MAX,
            to: NaiveDate::MIN,
            ap: 0,
            reduced_timetable: 0,
        };
        for u in &urns {
            let Some((_, from, to)) = own(u).into_iter().find(|h| h.0 == name) else {
                continue;
            };
            row.from = row.from.min(from);
            row.to = row.to.max(to);
            row.ap += placements
                .iter()
                .filter(|p| p.pupil.urn == *u && overlaps(p.start_date, p.end_date, from, to))
                .count() as u64;
            row.reduced_timetable += timetables
                .iter()
                .filter(|t| t.pupil.urn == *u && overlaps(t.start_date, t.end_date, from, to))
                .count() as u64;
        }
        if row.from <= row.to {
            out.push(row);
        }
    }
    out.sort_by_key(|r| r.from);
    out
}
