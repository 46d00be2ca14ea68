//! DfE-exact attendance figures over a window, by academy, by pupil group, by week,
//! by reason and by day and session. Each query is a named `.sql` file with bound
//! parameters; the rules (possible sessions, on roll, the DfE scope) are the macros
//! of migration 0002.

use chrono::NaiveDate;
use duckdb::{params, Connection, Row};

use crate::calendar::{Calendar, Calendars};
use crate::db::query_all;
use crate::types::{AcademyRef, Figures, GroupFigures, WeekPoint};
pub use crate::types::{Dimension, Scope};

pub(crate) fn figures_at(r: &Row<'_>, first: usize) -> Result<Figures, duckdb::Error> {
    Ok(Figures {
        enrolments: r.get(first)?,
        possible_sessions: r.get::<_, Option<u64>>(first + 1)?.unwrap_or(0),
        attending_sessions: r.get::<_, Option<u64>>(first + 2)?.unwrap_or(0),
        authorised_sessions: r.get::<_, Option<u64>>(first + 3)?.unwrap_or(0),
        unauthorised_sessions: r.get::<_, Option<u64>>(first + 4)?.unwrap_or(0),
        pa_enrolments: r.get(first + 5)?,
        sa_enrolments: r.get(first + 6)?,
        withheld: Default::default(),
    })
}

/// A pupil from columns `first..first + 6` of a row: URN, pupil id, UPN, forename,
/// surname, year group (the shape every pupil-level query starts with).
pub(crate) fn pupil_at(r: &Row<'_>, first: usize) -> Result<crate::types::PupilRef, duckdb::Error> {
    let forename: Option<String> = r.get(first + 3)?;
    let surname: Option<String> = r.get(first + 4)?;
    Ok(crate::types::PupilRef {
        urn: r.get(first)?,
        pupil_id: r.get(first + 1)?,
        upn: r.get(first + 2)?,
        name: [forename, surname]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" "),
        year_group: r.get(first + 5)?,
    })
}

pub fn academies(conn: &Connection) -> Result<Vec<AcademyRef>, duckdb::Error> {
    query_all(conn, include_str!("../sql/academies.sql"), [], |r| {
        Ok(AcademyRef {
            urn: r.get(0)?,
            name: r.get(1)?,
            phase: r.get(2)?,
            local_authority: r.get(3)?,
        })
    })
}

/// Each academy's school calendar and the trust's, as the registers describe them.
pub fn calendars(conn: &Connection) -> Result<Calendars, duckdb::Error> {
    let days: Vec<(String, NaiveDate)> =
        query_all(conn, include_str!("../sql/school_days.sql"), [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })?;
    Ok(Calendars::from_days(&days))
}

/// The trust's school calendar: every academy's school days together.
pub fn calendar(conn: &Connection) -> Result<Calendar, duckdb::Error> {
    Ok(calendars(conn)?.trust)
}

/// `from`..`to` for every academy alike, as the SQL macro `academy_windows` reads it.
pub fn all_alike(from: NaiveDate, to: NaiveDate) -> String {
    format!("*:{from}:{to}")
}

/// Every academy's figures (zeros where it has none in the window) and the trust's.
pub fn by_academy(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
) -> Result<(Vec<(AcademyRef, Figures)>, Figures), duckdb::Error> {
    by_academy_in(conn, &all_alike(from, to), from, to, scope)
}

/// Every academy's figures over its own window (`spec`, as
/// [`crate::calendar::Windows::spec`] writes it; `from`..`to` spans them all), and the
/// trust's: the sum of its academies' own windows. Academies without a window in `spec`
/// have zeros.
pub fn by_academy_in(
    conn: &Connection,
    spec: &str,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
) -> Result<(Vec<(AcademyRef, Figures)>, Figures), duckdb::Error> {
    let mut stmt = conn.prepare_cached(include_str!("../sql/figures_by_academy.sql"))?;
    let mut rows = stmt.query(params![from, to, scope.dfe(), spec])?;
    let mut academies = Vec::new();
    let mut trust = Figures::default();
    while let Some(r) = rows.next()? {
        let urn: Option<String> = r.get(0)?;
        let figures = figures_at(r, 4)?;
        match urn {
            None => trust = figures,
            Some(urn) => academies.push((
                AcademyRef {
                    urn,
                    name: r.get(1)?,
                    phase: r.get(2)?,
                    local_authority: r.get(3)?,
                },
                figures,
            )),
        }
    }
    Ok((academies, trust))
}

/// One academy's figures (zeros where it has none in the window; none for an unknown
/// URN), reading only its marks: what [`by_academy`] gives it, at a fraction of the cost.
pub fn for_academy(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: &str,
) -> Result<Option<Figures>, duckdb::Error> {
    let id: Option<u16> = conn
        .prepare_cached("SELECT academy_id FROM academies WHERE urn = ?")?
        .query_row([urn], |r| r.get(0))
        .map(Some)
        .or_else(|e| match e {
            duckdb::Error::QueryReturnedNoRows => Ok(None),
            e => Err(e),
        })?;
    let Some(id) = id else { return Ok(None) };
    let mut stmt = conn.prepare_cached(include_str!("../sql/figures_for_academy.sql"))?;
    stmt.query_row(params![from, to, scope.dfe(), id], |r| figures_at(r, 0))
        .map(Some)
}

/// Figures per value of `by`, for one academy (`urn`) or the trust, in reading order.
pub fn by_group(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    by: Dimension,
    urn: Option<&str>,
) -> Result<Vec<GroupFigures>, duckdb::Error> {
    let rows = crate::cohorts::figures(conn, from, to, scope, urn, &Default::default())?;
    Ok(rows
        .into_iter()
        .filter(|r| r.dimension == Some(by) && r.urn.is_none())
        .map(|r| GroupFigures {
            group: r.group,
            figures: r.figures,
        })
        .collect())
}

/// Weekly absence: (URN, or None for the rollup, week), for every academy or one.
pub fn weekly(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<(Option<String>, WeekPoint)>, duckdb::Error> {
    weekly_in(conn, &all_alike(from, to), from, to, scope, urn)
}

/// [`weekly`] over each academy's own window (`spec`; `from`..`to` spans them all).
pub fn weekly_in(
    conn: &Connection,
    spec: &str,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<(Option<String>, WeekPoint)>, duckdb::Error> {
    let sql = include_str!("../sql/weekly_absence.sql");
    query_all(conn, sql, params![from, to, scope.dfe(), urn, spec], |r| {
        Ok((
            r.get(0)?,
            WeekPoint {
                week: r.get(1)?,
                possible_sessions: r.get(2)?,
                absent_sessions: r.get(3)?,
            },
        ))
    })
}

/// Absent sessions by code: (code, meaning, authorised, sessions).
pub fn by_code(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<(String, String, bool, u64)>, duckdb::Error> {
    let sql = include_str!("../sql/absence_by_code.sql");
    query_all(conn, sql, params![from, to, scope.dfe(), urn], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })
}

/// Absence by ISO weekday (1 = Monday) and session (0 = AM) for one academy or the
/// trust: (weekday, session, possible, absent).
pub fn by_day_session(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    urn: Option<&str>,
) -> Result<Vec<(u8, u8, u64, u64)>, duckdb::Error> {
    let span = crate::heatmap::Span {
        from,
        to,
        spec: all_alike(from, to),
    };
    Ok(crate::heatmap::by_day_session(conn, &span, scope, urn)?
        .into_iter()
        .filter(|c| c.urn.is_none())
        .map(|c| (c.weekday, c.session, c.possible, c.absent))
        .collect())
}
