//! One academy: against the trust and England; weekly trend this year against last;
//! absence by reason, by day and session; year groups (suppressed for governors).

use queries::calendar::Window;
use queries::suppress::Shown;
use queries::types::{AcademyRef, Benchmark, Figures, Scope};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcademyDetail {
    pub academy: AcademyRef,
    pub window: Window,
    pub scope: Scope,
    pub figures: Figures,
    pub last_year: Option<Figures>,
    pub trust: Figures,
    pub benchmarks: Vec<Benchmark>,
    pub history: Vec<Benchmark>,
    pub trend: crate::trend::Trend,
    /// (code, meaning, authorised, sessions)
    pub reasons: Vec<(String, String, bool, u64)>,
    /// (ISO weekday, session, possible, absent)
    pub day_session: Vec<(u8, u8, u64, u64)>,
    /// Year groups, small ones suppressed for governors.
    pub year_groups: Vec<Shown>,
    /// The viewer may open the self-evaluation pack (academy staff and the trust).
    pub sef: bool,
}

#[cfg(feature = "ssr")]
pub use ssr::Report;

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::reports::mask::Masks;
    use crate::reports::params::{window, windows, WindowChoice};
    use crate::reports::{Ctx, ReportError};
    use queries::types::Visibility;

    /// An academy and the window and scope to show it for.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub urn: String,
        pub window: WindowChoice,
    }

    /// One academy for anyone who may see it; `None` when there is no such academy.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = Params;
        type Output = Option<AcademyDetail>;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            view.sees_academy(&p.urn)
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &Params,
            view: &Visibility,
        ) -> Result<Option<AcademyDetail>, ReportError> {
            let Some(mut d) = detail(ctx.conn, ctx.cal, &p.urn, &p.window, view)
                .map_err(ReportError::NotFound)?
            else {
                return Ok(None);
            };
            if view.threshold().is_some() {
                // Counts as every report of these windows shows them to this viewer.
                let masks = Masks::of(ctx, &p.window)?;
                let (now, urn) = (&masks.now, Some(p.urn.as_str()));
                masks.mask_totals(urn, &mut d.figures, &mut d.last_year);
                d.trust = if view.sees_trust() {
                    now.shown(None, None, "All", &d.trust)
                } else {
                    Figures::withheld()
                };
                for g in &mut d.year_groups {
                    g.figures = g
                        .figures
                        .as_ref()
                        .and_then(|f| now.figures(urn, Some(Dimension::YearGroup), &g.group, f));
                }
            }
            Ok(Some(d))
        }
    }
    use crate::trend::ssr::weeks_of;
    use queries::calendar::Calendars;
    use queries::db::Connection;
    use queries::figures::{self, Dimension};

    pub fn detail(
        conn: &Connection,
        cals: &Calendars,
        urn: &str,
        p: &WindowChoice,
        viewer: &Visibility,
    ) -> Result<Option<AcademyDetail>, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        // The academy's own window, on its own term dates; the trust's figures beside it
        // are the sum of every academy's own window of the same kind.
        let window = window(cals.of(urn), p)?;
        let scope = p.scope;
        let all = windows(cals, p)?;
        let (_, trust) =
            figures::by_academy_in(conn, &all.spec(), all.from, all.to, scope).map_err(e)?;
        let (academies, _) = figures::by_academy(conn, window.from, window.to, scope).map_err(e)?;
        let Some((academy, figures)) = academies.into_iter().find(|(a, _)| a.urn == urn) else {
            return Ok(None);
        };
        let last_year = match window.last_year {
            Some((f, t)) => figures::by_academy(conn, f, t, scope)
                .map_err(e)?
                .0
                .into_iter()
                .find(|(a, _)| a.urn == urn)
                .map(|(_, f)| f),
            None => None,
        };
        let weeks = weeks_of(
            &figures::weekly(conn, window.from, window.to, scope, Some(urn)).map_err(e)?,
            Some(urn),
        );
        let weeks_last = match window.last_year {
            Some((f, t)) => weeks_of(
                &figures::weekly(conn, f, t, scope, Some(urn)).map_err(e)?,
                Some(urn),
            ),
            None => Vec::new(),
        };
        let trend = crate::trend::ssr::weekly(
            &format!("{}: absence by week", academy.name),
            "This year".into(),
            &weeks,
            &weeks_last,
            format!(
                "Weekly overall absence at {}, {}, against the same school weeks last year.",
                academy.name, window.name
            ),
        );
        let phase = queries::benchmarks::phase_of(&academy.phase);
        Ok(Some(AcademyDetail {
            sef: viewer.sees_pupils(),
            reasons: figures::by_code(conn, window.from, window.to, scope, Some(urn)).map_err(e)?,
            day_session: figures::by_day_session(conn, window.from, window.to, scope, Some(urn))
                .map_err(e)?,
            // Every group here; the report's build hides what the viewer may not see.
            year_groups: figures::by_group(
                conn,
                window.from,
                window.to,
                scope,
                Dimension::YearGroup,
                Some(urn),
            )
            .map_err(e)?
            .into_iter()
            .map(|g| Shown {
                group: g.group,
                figures: Some(g.figures),
            })
            .collect(),
            benchmarks: queries::benchmarks::for_academy(&academy.phase, &academy.local_authority),
            history: queries::benchmarks::national_history()
                .into_iter()
                .filter(|b| b.phase == phase)
                .collect(),
            academy,
            window,
            scope,
            figures,
            last_year,
            trust,
            trend,
        }))
    }
}
