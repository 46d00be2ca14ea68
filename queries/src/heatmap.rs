//! Where and when absence is concentrated: the cells of the heatmaps (academy x school
//! week, academy x year group, day x session, pupil x week), each from one named query.

use chrono::NaiveDate;
use duckdb::{params, Connection};
use serde::Serialize;

use crate::db::query_all;
use crate::types::Scope;

/// A figure at one academy (or the trust, `urn` None) in one week (its Monday).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekCell {
    pub urn: Option<String>,
    pub week: NaiveDate,
    /// Enrolments (PA to date) or possible sessions (rolling absence).
    pub of: u64,
    /// PA enrolments or absent sessions.
    pub count: u64,
}

impl WeekCell {
    /// `count` as a percentage of `of`.
    pub fn rate(&self) -> Option<f64> {
        (self.of > 0).then(|| 100.0 * self.count as f64 / self.of as f64)
    }
}

/// The window a heatmap covers: the span of every academy's window and each academy's
/// own (`academy_windows`; [`crate::figures::all_alike`] for the same dates everywhere).
#[derive(Debug, Clone)]
pub struct Span {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub spec: String,
}

fn week_cells(
    conn: &Connection,
    sql: &str,
    span: &Span,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<WeekCell>, duckdb::Error> {
    let params = params![span.from, span.to, scope.dfe(), urn, span.spec];
    query_all(conn, sql, params, |r| {
        Ok(WeekCell {
            urn: r.get(0)?,
            week: r.get(1)?,
            of: r.get::<_, Option<u64>>(2)?.unwrap_or(0),
            count: r.get::<_, Option<u64>>(3)?.unwrap_or(0),
        })
    })
}

/// Persistent absence from the window's start to the end of each school week:
/// `of` enrolments, `count` of them persistently absent.
pub fn pa_by_week(
    conn: &Connection,
    span: &Span,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<WeekCell>, duckdb::Error> {
    let sql = include_str!("../sql/heatmap_pa_by_week.sql");
    week_cells(conn, sql, span, scope, urn)
}

/// The persistent-absence-to-date cells (place, week) a viewer who sees `view` may not
/// see: each week is its own table of academies and the trust (their sum), for
/// enrolments and for the persistently absent, protected by
/// [`crate::suppress::by_place`]; a place hidden in either is hidden.
pub fn hidden_by_week(
    cells: &[WeekCell],
    view: &crate::types::Visibility,
) -> std::collections::BTreeSet<(Option<String>, NaiveDate)> {
    let mut hidden = std::collections::BTreeSet::new();
    if view.threshold().is_none() {
        return hidden;
    }
    let weeks: std::collections::BTreeSet<NaiveDate> = cells.iter().map(|c| c.week).collect();
    for week in weeks {
        let column: Vec<&WeekCell> = cells.iter().filter(|c| c.week == week).collect();
        for measure in [|c: &WeekCell| c.of, |c: &WeekCell| c.count] {
            let counts: Vec<(Option<String>, u64)> =
                column.iter().map(|c| (c.urn.clone(), measure(c))).collect();
            for (c, hide) in column.iter().zip(crate::suppress::by_place(&counts, view)) {
                if hide {
                    hidden.insert((c.urn.clone(), week));
                }
            }
        }
    }
    hidden
}

/// Absence over the last four school weeks at each school week: `of` possible
/// sessions, `count` absent.
pub fn rolling_absence(
    conn: &Connection,
    span: &Span,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<WeekCell>, duckdb::Error> {
    let sql = include_str!("../sql/heatmap_rolling_absence.sql");
    week_cells(conn, sql, span, scope, urn)
}

/// Absence on one day of the week (1 = Monday) and session (0 = AM).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DaySessionCell {
    pub urn: Option<String>,
    pub weekday: u8,
    pub session: u8,
    pub possible: u64,
    pub absent: u64,
}

/// Absence by day and session, per academy and for the trust (or one academy).
pub fn by_day_session(
    conn: &Connection,
    span: &Span,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<DaySessionCell>, duckdb::Error> {
    let sql = include_str!("../sql/absence_by_day_session.sql");
    let params = params![span.from, span.to, scope.dfe(), urn, span.spec];
    query_all(conn, sql, params, |r| {
        Ok(DaySessionCell {
            urn: r.get(0)?,
            weekday: r.get::<_, i64>(1)? as u8,
            session: r.get(2)?,
            possible: r.get(3)?,
            absent: r.get(4)?,
        })
    })
}

/// A persistent absentee and their absence week by week (pupil level).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PupilWeeks {
    pub pupil_id: String,
    pub upn: Option<String>,
    pub name: String,
    pub year_group: String,
    pub possible: u64,
    pub absent: u64,
    /// (week, possible, absent) for each week with a possible session.
    pub weeks: Vec<(NaiveDate, u64, u64)>,
}

/// One academy's persistent absentees in the window, most absent first.
pub fn pa_pupil_weeks(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: &str,
) -> Result<Vec<PupilWeeks>, duckdb::Error> {
    let mut stmt = conn.prepare_cached(include_str!("../sql/pa_pupil_weeks.sql"))?;
    let mut rows = stmt.query(params![from, to, scope.dfe(), urn])?;
    let mut out: Vec<PupilWeeks> = Vec::new();
    while let Some(r) = rows.next()? {
        let pupil_id: String = r.get(0)?;
        let week = (r.get(7)?, r.get(8)?, r.get(9)?);
        match out.last_mut() {
            Some(p) if p.pupil_id == pupil_id => p.weeks.push(week),
            _ => {
                let forename: Option<String> = r.get(2)?;
                let surname: Option<String> = r.get(3)?;
                let name = [forename, surname]
                    .into_iter()
                    .flatten()
                    .collect::<Vec<_>>()
                    .join(" ");
                out.push(PupilWeeks {
                    pupil_id,
                    upn: r.get(1)?,
                    name,
                    year_group: r.get(4)?,
                    possible: r.get(5)?,
                    absent: r.get(6)?,
                    weeks: vec![week],
                })
            }
        }
    }
    Ok(out)
}
