//! Data quality: are the extracts arriving and loading, are registers being taken, are
//! unexplained absences being resolved, and is each academy coding like the others.

use chrono::{Duration, NaiveDate, NaiveDateTime};
use duckdb::{params, Connection};

use crate::calendar::Calendars;
use crate::db::query_all;
use crate::types::{
    CodeMix, CodingFlag, DataQuality, ExtractHealth, HeldOver, OpenNAges, RegisterGap,
    RejectedGroup,
};

/// Extracts and rejections are looked at over this many days before today.
pub const LOOKBACK_DAYS: i64 = 14;
/// Registers are checked over the latest this-many calendar days loaded.
pub const REGISTER_DAYS: i64 = 28;
/// DfE 2023/24: unauthorised absence 2.5% of 7.1% overall (domain.md).
pub const NATIONAL_UNAUTHORISED_SHARE: f64 = 100.0 * 2.5 / 7.1;

/// Everything on the data-quality page, for the academies `urns` (all when empty).
pub fn report(
    conn: &Connection,
    cal: &Calendars,
    today: NaiveDate,
    urns: &[String],
) -> Result<DataQuality, duckdb::Error> {
    let mine = |u: &str| urns.is_empty() || urns.iter().any(|x| x == u);
    let since = (today - Duration::days(LOOKBACK_DAYS))
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default();
    let to = cal.latest_day().unwrap_or(today);
    let year_from = cal
        .year(crate::calendar::academic_year(to))
        .and_then(|y| y.days.first().copied())
        .unwrap_or(to);
    let from = (to - Duration::days(REGISTER_DAYS)).max(year_from);

    // Extracts: the latest loaded, and every one received lately.
    let last: Vec<(String, String, Option<NaiveDateTime>, Option<NaiveDate>)> =
        query_all(conn, include_str!("../sql/dq_last_loaded.sql"), [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    type Load = (
        String,
        String,
        Option<NaiveDateTime>,
        Option<NaiveDate>,
        u64,
        u64,
        Option<String>,
    );
    let sql = include_str!("../sql/dq_loads.sql");
    let loads: Vec<Load> = query_all(conn, sql, params![since], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
        ))
    })?;
    // School nights: the trust's school days in the period, before today.
    let nights: Vec<NaiveDate> = cal
        .years
        .iter()
        .flat_map(|y| y.days.iter().copied())
        .filter(|d| *d >= today - Duration::days(LOOKBACK_DAYS) && *d < today)
        .collect();
    let now = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    let extracts = last
        .into_iter()
        .filter(|(u, ..)| mine(u))
        .map(|(urn, name, at, day)| {
            let own: Vec<&Load> = loads.iter().filter(|l| l.0 == urn).collect();
            // A school night is covered by an extract taken that evening or the next day.
            let covered = |d: &NaiveDate| {
                let from = d.and_hms_opt(12, 0, 0);
                let to = (*d + Duration::days(1)).and_hms_opt(23, 59, 59);
                own.iter().any(|l| {
                    l.1 == "loaded" && l.2.is_some_and(|at| Some(at) > from && Some(at) <= to)
                })
            };
            ExtractHealth {
                nights_missed: nights.iter().filter(|d| !covered(d)).copied().collect(),
                nights_checked: nights.len() as u64,
                received: own.len() as u64,
                rejected_extracts: own
                    .iter()
                    .filter(|l| l.1 == "rejected" || l.1 == "failed")
                    .count() as u64,
                rows_rejected: own.iter().map(|l| l.5).sum(),
                rejection_reasons: own.iter().filter_map(|l| l.6.clone()).collect(),
                age_hours: at.map(|at| (now - at).num_hours().max(0)),
                last_extracted_at: at,
                last_day: day,
                urn,
                name,
            }
        })
        .collect();

    let sql = include_str!("../sql/dq_rejected.sql");
    let rejected = query_all(conn, sql, params![since], |r| {
        Ok(RejectedGroup {
            urn: r.get(0)?,
            file: r.get(1)?,
            column: r.get(2)?,
            reason: r.get(3)?,
            rows: r.get(4)?,
            example: r.get(5)?,
        })
    })?
    .into_iter()
    .filter(|g| mine(&g.urn))
    .collect();

    let sql = include_str!("../sql/dq_registers.sql");
    let register_gaps = query_all(conn, sql, params![from, to], |r| {
        Ok(RegisterGap {
            urn: r.get(0)?,
            date: r.get(1)?,
            session: r.get(2)?,
            pupils: r.get(3)?,
        })
    })?
    .into_iter()
    .filter(|g| mine(&g.urn))
    .collect();

    let held_over = query_all(conn, include_str!("../sql/dq_held_over.sql"), [], |r| {
        Ok(HeldOver {
            urn: r.get(0)?,
            pupil_id: r.get(1)?,
            from: r.get(2)?,
            to: r.get(3)?,
            session: r.get(4)?,
            marks_kept: r.get(5)?,
            load_id: r.get(6)?,
            file: r.get(7)?,
            line: r.get(8)?,
            column: r.get(9)?,
            value: r.get(10)?,
            reason: r.get(11)?,
        })
    })?
    .into_iter()
    .filter(|h| mine(&h.urn))
    .collect();

    // Open N by the age of each pupil's oldest.
    let mut open_n: Vec<OpenNAges> = Vec::new();
    if let Some(y) = crate::actions::Year::of(cal) {
        for o in crate::actions::open_n(conn, None, &y, 0)?
            .into_iter()
            .filter(|o| mine(&o.pupil.urn))
        {
            let bucket = match o.oldest_age {
                0..=2 => 0,
                3..=5 => 1,
                6..=10 => 2,
                _ => 3,
            };
            match open_n.iter_mut().find(|a| a.urn == o.pupil.urn) {
                Some(a) => a.sessions[bucket] += o.sessions,
                None => {
                    let mut sessions = [0; 4];
                    sessions[bucket] = o.sessions;
                    open_n.push(OpenNAges {
                        urn: o.pupil.urn.clone(),
                        sessions,
                    });
                }
            }
        }
    }

    // Coding: this academic year.
    let names: Vec<(String, String)> = crate::figures::academies(conn)?
        .into_iter()
        .map(|a| (a.urn, a.name))
        .collect();
    let sql = include_str!("../sql/dq_codes.sql");
    let rows: Vec<(String, String, bool, u64)> =
        query_all(conn, sql, params![year_from, to], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })?;
    let mut trust = CodeMix {
        urn: None,
        name: "Trust".into(),
        absent: 0,
        unauthorised: 0,
        codes: Vec::new(),
    };
    let mut mixes: Vec<CodeMix> = Vec::new();
    for (urn, code, unauthorised, n) in rows {
        for mix in [Some(urn.clone()), None] {
            let m = match &mix {
                None => &mut trust,
                Some(u) => {
                    if !mixes.iter().any(|m| m.urn.as_ref() == Some(u)) {
                        mixes.push(CodeMix {
                            urn: Some(u.clone()),
                            name: names
                                .iter()
                                .find(|x| &x.0 == u)
                                .map(|x| x.1.clone())
                                .unwrap_or_default(),
                            absent: 0,
                            unauthorised: 0,
                            codes: Vec::new(),
                        });
                    }
                    mixes
                        .iter_mut()
                        .find(|m| m.urn.as_ref() == Some(u))
                        .expect("just added")
                }
            };
            m.absent += n;
            if unauthorised {
                m.unauthorised += n;
            }
            match m.codes.iter_mut().find(|(c, _)| *c == code) {
                Some(c) => c.1 += n,
                None => m.codes.push((code.clone(), n)),
            }
        }
    }
    for m in mixes.iter_mut().chain(std::iter::once(&mut trust)) {
        m.codes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    let flags = coding_flags(&mixes, &trust);
    mixes.retain(|m| m.urn.as_deref().is_some_and(mine));
    if urns.is_empty() {
        mixes.push(trust);
    }
    Ok(DataQuality {
        today,
        lookback_days: LOOKBACK_DAYS,
        extracts,
        rejected,
        held_over,
        register_gaps,
        open_n,
        flags: flags.into_iter().filter(|f| mine(&f.urn)).collect(),
        mixes,
        from,
        to,
    })
}

fn meaning(code: &str) -> &'static str {
    crate::codes::lookup(code).map(|c| c.meaning).unwrap_or("")
}

/// Coding patterns unlike the rest of the trust or the national picture.
pub fn coding_flags(mixes: &[CodeMix], trust: &CodeMix) -> Vec<CodingFlag> {
    let mut out = Vec::new();
    for m in mixes.iter().filter(|m| m.absent >= 50) {
        let urn = m.urn.clone().unwrap_or_default();
        let flag = |code: &str, message: String| CodingFlag {
            urn: urn.clone(),
            name: m.name.clone(),
            code: code.to_string(),
            message,
        };
        for (code, _) in &m.codes {
            let (mine, theirs) = (m.share(code), trust.share(code));
            if mine >= 2.0 * theirs && mine - theirs >= 5.0 {
                out.push(flag(
                    code,
                    format!(
                        "{code} ({}) is {mine:.1}% of absent sessions here against {theirs:.1}% across the trust: check it is used as the guidance intends.",
                        meaning(code)
                    ),
                ));
            }
        }
        if m.share("N") == 0.0 && trust.share("N") >= 1.0 {
            out.push(flag(
                "N",
                format!(
                    "No N (reason not yet provided) at all, against {:.1}% of absent sessions across the trust: unexplained absence is usually coded N until a reason is known, so reasons may be being guessed.",
                    trust.share("N")
                ),
            ));
        }
        let unauthorised = 100.0 * m.unauthorised as f64 / m.absent as f64;
        if (unauthorised - NATIONAL_UNAUTHORISED_SHARE).abs() >= 20.0 {
            out.push(flag(
                "unauthorised",
                format!(
                    "Unauthorised absence is {unauthorised:.1}% of absent sessions here against {NATIONAL_UNAUTHORISED_SHARE:.1}% nationally (2023/24): check authorisation decisions are consistent.",
                ),
            ));
        }
    }
    out
}
