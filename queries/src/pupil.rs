//! One pupil: their record and this year's register, week by week.

use chrono::{Datelike, Duration, NaiveDate};
use duckdb::{params, Connection, OptionalExt};

use crate::types::{PupilDetails, PupilRecord};

/// Whether the academy `urn` has (or had) the pupil `pupil_id`.
pub fn exists(conn: &Connection, urn: &str, pupil_id: &str) -> Result<bool, duckdb::Error> {
    conn.prepare_cached(include_str!("../sql/pupil_exists.sql"))?
        .query_row(params![urn, pupil_id], |r| r.get(0))
}

/// The enrolment `pupil_id` at the academy `urn`, with its register from `from` to `to`;
/// `None` when there is none.
pub fn record(
    conn: &Connection,
    urn: &str,
    pupil_id: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Option<PupilRecord>, duckdb::Error> {
    let mut stmt = conn.prepare_cached(include_str!("../sql/pupil.sql"))?;
    let found = stmt
        .query_row(params![urn, pupil_id, to], |r| {
            Ok((
                PupilRecord {
                    pupil: crate::figures::pupil_at(r, 0)?,
                    academy_name: r.get(6)?,
                    details: PupilDetails {
                        date_of_birth: r.get(7)?,
                        sex: r.get(8)?,
                        entry_date: r.get(9)?,
                        leaving_date: r.get(10)?,
                        sen_provision: r.get(11)?,
                        fsm: r.get(12)?,
                        eal: r.get(13)?,
                        ethnicity: r.get(14)?,
                        looked_after: r.get(15)?,
                    },
                    from,
                    to,
                    possible: 0,
                    attending: 0,
                    absent: 0,
                    weeks: Vec::new(),
                },
                r.get::<_, u32>(16)?,
            ))
        })
        .optional()?;
    let Some((mut rec, key)) = found else {
        return Ok(None);
    };
    let mut stmt = conn.prepare_cached(include_str!("../sql/pupil_register.sql"))?;
    let mut rows = stmt.query(params![key, from, to])?;
    while let Some(r) = rows.next()? {
        let date: NaiveDate = r.get(0)?;
        let session: u8 = r.get(1)?;
        let code: String = r.get(2)?;
        let (possible, attending, absent): (bool, bool, bool) = (r.get(3)?, r.get(4)?, r.get(5)?);
        let meaning: String = r.get(6)?;
        rec.possible += u64::from(possible);
        rec.attending += u64::from(attending);
        rec.absent += u64::from(absent);
        let day = date.weekday().num_days_from_monday() as usize;
        if day > 4 {
            continue;
        }
        let monday = date - Duration::days(day as i64);
        if rec.weeks.last().is_none_or(|w| w.0 != monday) {
            rec.weeks.push((monday, vec![None; 10]));
        }
        if let Some(w) = rec.weeks.last_mut() {
            w.1[day * 2 + session as usize] = Some((code, meaning));
        }
    }
    Ok(Some(rec))
}
