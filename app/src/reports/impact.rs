//! Whether it works (`/impact`, `GET /api/v1/interventions/impact`): for each academy and
//! kind of action, attendance in the six school weeks before and after, against pupils
//! of the same academy in the same band with no action; and how long each academy
//! takes from a pupil falling below 90% to a first action. Aggregates over pupils, for
//! the trust and academy staff (who see the pupils they rest on); not for governors.
//!
//! The weekly sessions are read once per load; the actions, from the cases on every
//! request.

use queries::impact::{Compliance, Impact};
use queries::types::AcademyRef;
use serde::{Deserialize, Serialize};

/// One academy's figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcademyImpact {
    pub academy: AcademyRef,
    pub kinds: Vec<Impact>,
    pub compliance: Compliance,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactData {
    pub academies: Vec<AcademyRef>,
    pub academy: Option<String>,
    pub rows: Vec<AcademyImpact>,
    /// The day the waits are counted to.
    pub today: chrono::NaiveDate,
}

/// What the figures can and cannot say, as every view of them states it.
pub const LIMITS: &str = "Attendance in the six school weeks before an action against the six \
    after it, for each pupil's first action of that kind this year; beside it, the same \
    weeks for pupils of the same academy whose attendance was in the same band before \
    (95% and over, 93 to 95, 90 to 93, 80 to 90, 50 to 80, under 50) and who had no action \
    up to the end of the weeks after. Difference: the pupils' change less their comparison \
    group's, averaged. This is an indication, not proof: staff choose whom to act for, and \
    what leads them to choose may itself change attendance; attendance also drifts with \
    the season, which the comparison only partly allows for. A figure resting on a few \
    pupils says little. Actions without six school weeks of registers before and after are \
    counted as not yet measurable.";

#[cfg(feature = "ssr")]
pub use ssr::{Report, Weekly};

#[cfg(feature = "ssr")]
mod ssr {
    use std::collections::HashMap;

    use super::*;
    use crate::reports::{Ctx, ReportError};
    use crate::ssr::WarehouseError;
    use chrono::{Duration, NaiveDate};
    use queries::calendar::academic_year;
    use queries::types::Visibility;

    /// Every pupil's sessions by week, this academic year and the term before it (for
    /// the weeks before an early-autumn action), by academy: once per load.
    pub struct Weekly;

    impl crate::reports::Report for Weekly {
        type Params = Option<String>;
        type Output = HashMap<String, queries::impact::Weekly>;

        fn allowed(view: &Visibility, academy: &Option<String>) -> bool {
            view.sees_pupils_at(academy.as_deref())
        }

        fn build(
            ctx: &Ctx<'_>,
            academy: &Option<String>,
            view: &Visibility,
        ) -> Result<Self::Output, ReportError> {
            let Some(year) = queries::actions::Year::of(ctx.cal) else {
                return Ok(HashMap::new());
            };
            let mut out = queries::impact::weekly(
                ctx.conn,
                academy.as_deref(),
                year.from - Duration::days(120),
                year.to,
            )?;
            out.retain(|urn, _| view.sees_academy(urn));
            Ok(out)
        }
    }

    /// The figures for one academy or every academy the viewer sees, on `today`.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = (Option<String>, NaiveDate);
        type Output = ImpactData;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, (academy, _): &Self::Params) -> bool {
            view.sees_pupils_at(academy.as_deref())
        }

        fn build(
            ctx: &Ctx<'_>,
            (academy, today): &Self::Params,
            view: &Visibility,
        ) -> Result<ImpactData, ReportError> {
            let academies = crate::reports::params::academies(ctx.conn, view)?;
            let Some(year) = queries::actions::Year::of(ctx.cal) else {
                return Ok(ImpactData {
                    academies,
                    academy: academy.clone(),
                    rows: Vec::new(),
                    today: *today,
                });
            };
            let weekly = ctx.report::<Weekly>(academy.clone())?;
            let urns = match academy {
                Some(a) => vec![a.clone()],
                None => view.academies.clone(),
            };
            let store = ctx.warehouse.accounts()?;
            let actions = queries::cases::dated(&store, &urns, year.from, year.to.max(*today))
                .map_err(WarehouseError::from)?;
            let empty = queries::impact::Weekly::new();
            let rows = academies
                .iter()
                .filter(|a| academy.as_ref().is_none_or(|u| *u == a.urn))
                .map(|a| {
                    let cal = ctx.cal.of(&a.urn);
                    let weeks: Vec<NaiveDate> =
                        cal.years.iter().flat_map(|y| y.week_starts()).collect();
                    let year_weeks = cal
                        .year(academic_year(year.to))
                        .map(|y| y.week_starts())
                        .unwrap_or_default();
                    let pupils = weekly.get(&a.urn).unwrap_or(&empty);
                    let acts = actions.get(&a.urn).map(Vec::as_slice).unwrap_or_default();
                    AcademyImpact {
                        academy: a.clone(),
                        kinds: queries::impact::impact(&weeks, pupils, acts),
                        compliance: queries::impact::compliance(&year_weeks, pupils, acts, *today),
                    }
                })
                .collect();
            Ok(ImpactData {
                academies,
                academy: academy.clone(),
                rows,
                today: *today,
            })
        }
    }
}
