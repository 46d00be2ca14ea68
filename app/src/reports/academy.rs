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
            // Every academy's figures over a window: made once per load and window for
            // all the academies' pages (each cuts its own and the trust's).
            let by_academy = |spec: String, from, to| {
                ctx.whole_trust_part::<ByAcademy>((spec, from, to, p.window.scope))
                    .map_err(|e| e.to_string())
            };
            let Some(mut d) = detail(ctx.conn, ctx.cal, &p.urn, &p.window, view, &by_academy)
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
    /// Every academy's figures and the trust's over one set of windows (`spec`,
    /// `from`..`to` spanning them): an internal part ([`Ctx::whole_trust_part`]) that
    /// each academy's page cuts to its own.
    pub struct ByAcademy;

    /// What [`ByAcademy`] gives: every academy's figures, and the trust's.
    pub type AllFigures = (Vec<(AcademyRef, Figures)>, Figures);

    impl crate::reports::Report for ByAcademy {
        type Params = (String, chrono::NaiveDate, chrono::NaiveDate, Scope);
        type Output = AllFigures;

        fn build(
            ctx: &Ctx<'_>,
            (spec, from, to, scope): &Self::Params,
            _: &Visibility,
        ) -> Result<AllFigures, ReportError> {
            Ok(queries::figures::by_academy_in(
                ctx.conn, spec, *from, *to, *scope,
            )?)
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
        by_academy: &dyn Fn(
            String,
            chrono::NaiveDate,
            chrono::NaiveDate,
        ) -> Result<std::sync::Arc<AllFigures>, String>,
    ) -> Result<Option<AcademyDetail>, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        // The academy's own window, on its own term dates; the trust's figures beside it
        // are the sum of every academy's own window of the same kind. Both are cut from
        // every academy's figures (`by_academy`: made once for all the academies' pages).
        let window = window(cals.of(urn), p)?;
        let all = windows(cals, p)?;
        let trust = by_academy(all.spec(), all.from, all.to)?.1.clone();
        let mine = |(from, to)| -> Result<Option<(AcademyRef, Figures)>, String> {
            Ok(by_academy(figures::all_alike(from, to), from, to)?
                .0
                .iter()
                .find(|(a, _)| a.urn == urn)
                .cloned())
        };
        let Some((academy, figures)) = mine((window.from, window.to))? else {
            return Ok(None);
        };
        let scope = p.scope;
        let last_year = match window.last_year {
            Some(range) => mine(range)?.map(|(_, f)| f),
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
