//! A pupil's case: the actions their academy's staff recorded, its stage and what is
//! due next. Staff of that academy read and write it; the trust reads every case; a
//! governor reads none (the free text is for staff only). Never cached: a case changes
//! between loads, with every action recorded. Every viewing and every write is audited.

use queries::cases::{ActionKind, CaseAction, CaseBrief};
use serde::{Deserialize, Serialize};

use crate::flash::Flash;

/// One pupil's case as their page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseData {
    pub urn: String,
    pub pupil_id: String,
    /// Oldest first.
    pub actions: Vec<CaseAction>,
    pub brief: CaseBrief,
    /// Whether this viewer may record actions here (staff of the academy).
    pub may_record: bool,
    /// Today, for the form's default date and its upper bound.
    pub today: chrono::NaiveDate,
    /// What the last recording did (shown once).
    pub flash: Option<Flash>,
}

/// Every kind of action, as a form offers them.
pub fn kinds() -> impl Iterator<Item = (&'static str, &'static str)> {
    ActionKind::ALL.into_iter().map(|k| (k.key(), k.label()))
}

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::uk_date;
    use chrono::{NaiveDate, TimeZone, Utc};

    #[test]
    fn the_day_is_the_uk_s() {
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        // 00:30 on 1 July in the UK is 23:30 UTC the day before.
        let summer = Utc.with_ymd_and_hms(2026, 6, 30, 23, 30, 0).unwrap();
        assert_eq!(uk_date(summer), day(2026, 7, 1));
        // In winter the UK is on UTC.
        let winter = Utc.with_ymd_and_hms(2026, 12, 1, 23, 30, 0).unwrap();
        assert_eq!(uk_date(winter), day(2026, 12, 1));
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::reports::{Ctx, ReportError};
    use crate::ssr::{Warehouse, WarehouseError};
    use queries::accounts::AccountError;
    use queries::cases::NewAction;
    use queries::types::{Principal, Visibility};

    /// Today in the UK, whatever zone the server's clock is set to: the stage, what is
    /// overdue and the latest date an action may have follow the staff's own day (from
    /// midnight to 1 am in summer, UTC is still yesterday).
    pub fn today() -> chrono::NaiveDate {
        uk_date(chrono::Utc::now())
    }

    /// The UK's date at the instant `at`.
    pub fn uk_date(at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        at.with_timezone(&chrono_tz::Europe::London).date_naive()
    }

    /// Staff of the academy `urn` (not the trust, which reads only).
    pub fn may_record(view: &Visibility, urn: &str) -> bool {
        view.sees_pupils() && view.academies.iter().any(|a| a == urn)
    }

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub urn: String,
        pub pupil_id: String,
        pub today: chrono::NaiveDate,
    }

    /// The case of one pupil.
    pub struct Case;

    impl crate::reports::Report for Case {
        type Params = Params;
        type Output = CaseData;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            view.sees_pupils() && view.sees_academy(&p.urn)
        }

        fn audit(p: &Params, _: &CaseData) -> Option<(&'static str, String)> {
            Some(("view case", format!("pupil {} at {}", p.pupil_id, p.urn)))
        }

        fn build(ctx: &Ctx<'_>, p: &Params, view: &Visibility) -> Result<CaseData, ReportError> {
            if !queries::pupil::exists(ctx.conn, &p.urn, &p.pupil_id)? {
                return Err(ReportError::NotFound(format!(
                    "no pupil {} at {}",
                    p.pupil_id, p.urn
                )));
            }
            let store = ctx.warehouse.accounts()?;
            let actions = queries::cases::actions(&store, &p.urn, &p.pupil_id)
                .map_err(WarehouseError::from)?;
            Ok(CaseData {
                brief: queries::cases::brief(&actions, p.today),
                urn: p.urn.clone(),
                pupil_id: p.pupil_id.clone(),
                actions,
                may_record: may_record(view, &p.urn),
                today: p.today,
                flash: None,
            })
        }
    }

    /// Every case with an action this academic year at one academy (or every academy the
    /// viewer sees) at a glance, for the API: stage, last action, next step due; no free
    /// text. Audited as an export.
    pub struct Briefs;

    /// One case at a glance: (URN, pupil id, its brief).
    pub type BriefRow = (String, String, CaseBrief);

    impl crate::reports::Report for Briefs {
        /// The academy, and today.
        type Params = (Option<String>, chrono::NaiveDate);
        type Output = Vec<BriefRow>;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, (academy, _): &Self::Params) -> bool {
            view.sees_pupils_at(academy.as_deref())
        }

        fn audit((academy, _): &Self::Params, _: &Self::Output) -> Option<(&'static str, String)> {
            Some((
                "export pupils",
                format!(
                    "cases, {}, by the API",
                    academy.as_deref().unwrap_or("trust")
                ),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            (academy, today): &Self::Params,
            view: &Visibility,
        ) -> Result<Self::Output, ReportError> {
            let urns = match academy {
                Some(a) => vec![a.clone()],
                None => view.academies.clone(),
            };
            let store = ctx.warehouse.accounts()?;
            let mut rows: Vec<BriefRow> = queries::cases::briefs(&store, &urns, *today)
                .map_err(WarehouseError::from)?
                .into_iter()
                .filter(|((urn, _), b)| view.sees_academy(urn) && b.actions > 0)
                .map(|((urn, pupil_id), b)| (urn, pupil_id, b))
                .collect();
            rows.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
            Ok(rows)
        }
    }

    /// Records `new` on its pupil's case as `who` (a blocking call, on a connection of the
    /// pool: [`Warehouse::blocking`]): refused (403) to
    /// anyone but staff of the academy, 404 for a pupil the academy never had; what is
    /// wrong with the action itself comes back as a flash to put right, not an error.
    /// Audited in the transaction that writes it.
    pub fn record(
        w: &Warehouse,
        conn: &queries::db::Connection,
        who: &Principal,
        new: &NewAction,
        today: chrono::NaiveDate,
    ) -> Result<Flash, ReportError> {
        let view = who.visibility(w.suppress_below);
        if !may_record(&view, &new.urn) || !queries::cases::may_record(who, &new.urn) {
            return Err(ReportError::Forbidden);
        }
        if !queries::pupil::exists(conn, &new.urn, &new.pupil_id)? {
            return Err(ReportError::NotFound(format!(
                "no pupil {} at {}",
                new.pupil_id, new.urn
            )));
        }
        let checked = match new.check(today) {
            Ok(c) => c,
            Err(why) => return Ok(Flash::refused(format!("Not recorded: {why}."))),
        };
        let mut store = w.accounts()?;
        match queries::cases::record(&mut store, who, &new.urn, &new.pupil_id, &checked) {
            Ok(_) => Ok(Flash::done(format!(
                "Recorded: {} on {}.",
                checked.kind.label(),
                checked.on.format("%-d %b %Y")
            ))),
            Err(AccountError::Invalid(_)) => Err(ReportError::Forbidden),
            Err(e) => Err(ReportError::Audit(e.to_string())),
        }
    }
}
