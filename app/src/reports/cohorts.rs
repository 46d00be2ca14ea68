//! Cohort comparisons: which groups of pupils are falling behind. Gaps between groups
//! (FSM, SEN, EAL, looked after, sex) per academy against the national gaps and last
//! year, and every characteristic side by side for the trust and each academy, for the
//! pupils the filters keep (staff only: governors see the standard dimensions alone).

use queries::calendar::Window;
use queries::types::{CohortFilter, Dimension, Figures, Scope};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Place {
    pub urn: Option<String>,
    pub name: String,
}

/// A group's figures at one place: `None` when it has no pupils or is suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    pub figures: Option<Figures>,
    pub suppressed: bool,
}

/// One gap at one place, in percentage points: this window and the same window last
/// year. `None` where either group is empty or suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct GapCell {
    pub of_absence: Option<f64>,
    pub against_absence: Option<f64>,
    pub absence: Option<f64>,
    pub pa: Option<f64>,
    pub last_absence: Option<f64>,
    pub last_pa: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapView {
    pub key: String,
    pub name: String,
    pub of_label: String,
    pub against_label: String,
    /// DfE's national gaps (absence, PA) where published.
    pub national: Option<(f64, f64)>,
    /// One per place, in `CohortsData::places` order.
    pub cells: Vec<GapCell>,
    pub chart: crate::chart::Chart,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortsData {
    pub window: Window,
    pub scope: Scope,
    pub filter: CohortFilter,
    pub by: Dimension,
    pub places: Vec<Place>,
    /// Everyone the filter keeps, per place.
    pub totals: Vec<Cell>,
    /// The `by` dimension: (group, a cell per place).
    pub table: Vec<(String, Vec<Cell>)>,
    pub gaps: Vec<GapView>,
    pub national_period: String,
    /// Small groups are suppressed for this viewer.
    pub suppressing: bool,
}

#[cfg(feature = "ssr")]
pub use ssr::{Groups, GroupsParams, Report};

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use super::*;
    use crate::charts::{bar, BarChart};
    use crate::reports::mask::{mask, Masks};
    use crate::reports::params::WindowChoice;
    use crate::reports::params::{spanned, windows};
    use crate::reports::{Ctx, ReportError};
    use queries::calendar::Calendars;
    use queries::cohorts::{self, GAPS};
    use queries::db::Connection;
    use queries::suppress::Mask;
    use queries::types::{CohortRow, Visibility};

    /// The window, the pupils the filter keeps and the dimension to break them down by.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub window: WindowChoice,
        pub filter: CohortFilter,
        pub by: Dimension,
    }

    /// Every characteristic for the trust and each academy the viewer may see. Combined
    /// filters are for staff who already see pupils: a governor's filtered view could be
    /// differenced against an unfiltered one.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = Params;
        type Output = CohortsData;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            view.sees_pupils() || p.filter == CohortFilter::default()
        }

        fn build(ctx: &Ctx<'_>, p: &Params, view: &Visibility) -> Result<CohortsData, ReportError> {
            // Governors have no filters (`allowed`), so their rows are the window's
            // mask's rows: what one report hides, no other shows.
            let masks = Masks::of(ctx, &p.window)?;
            cohorts(
                ctx.conn,
                ctx.cal,
                &p.window,
                &p.filter,
                p.by,
                view,
                (&masks.now, &masks.last_year),
            )
            .map_err(ReportError::NotFound)
        }
    }

    /// One place's groups in one dimension (the API's cohorts): the trust's, or one
    /// academy's.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct GroupsParams {
        pub window: WindowChoice,
        pub filter: CohortFilter,
        pub by: Dimension,
        pub academy: Option<String>,
    }

    /// The groups as the viewer may see them, with the windows they are over.
    pub struct Groups;

    impl crate::reports::Report for Groups {
        type Params = GroupsParams;
        type Output = (queries::calendar::Windows, Vec<queries::suppress::Shown>);

        fn allowed(view: &Visibility, p: &GroupsParams) -> bool {
            (view.sees_pupils() || p.filter == CohortFilter::default())
                && p.academy.as_ref().is_none_or(|a| view.sees_academy(a))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &GroupsParams,
            _: &Visibility,
        ) -> Result<Self::Output, ReportError> {
            let w = windows(ctx.cal, &p.window).map_err(ReportError::NotFound)?;
            let m = mask(ctx, &w, p.window.scope, false)?;
            let urn = p.academy.as_deref();
            let groups = cohorts::figures_in(
                ctx.conn,
                &w.spec(),
                w.from,
                w.to,
                p.window.scope,
                urn,
                &p.filter,
            )?
            .into_iter()
            .filter(|r| r.dimension == Some(p.by) && r.urn.is_none())
            .map(|r| queries::suppress::Shown {
                figures: m.figures(urn, Some(p.by), &r.group, &r.figures),
                group: r.group,
            })
            .collect();
            Ok((w, groups))
        }
    }

    /// (place, dimension or None for all) -> group -> cell, as `mask` lets the viewer
    /// see it.
    type Seen = HashMap<(Option<String>, Option<Dimension>), Vec<(String, Cell)>>;

    fn seen(rows: Vec<CohortRow>, mask: &Mask) -> Seen {
        let mut out = Seen::new();
        for r in rows {
            let figures = mask.figures(r.urn.as_deref(), r.dimension, &r.group, &r.figures);
            let suppressed = figures.is_none();
            out.entry((r.urn, r.dimension)).or_default().push((
                r.group,
                Cell {
                    figures,
                    suppressed,
                },
            ));
        }
        out
    }

    fn cell(seen: &Seen, urn: &Option<String>, d: Option<Dimension>, group: &str) -> Cell {
        seen.get(&(urn.clone(), d))
            .and_then(|groups| groups.iter().find(|(g, _)| g == group))
            .map(|(_, c)| c.clone())
            .unwrap_or(Cell {
                figures: None,
                suppressed: false,
            })
    }

    fn gap(
        seen: &Seen,
        urn: &Option<String>,
        d: Dimension,
        of: &str,
        against: &str,
    ) -> (Option<f64>, Option<f64>, Option<f64>, Option<f64>) {
        let a = cell(seen, urn, Some(d), of).figures;
        let b = cell(seen, urn, Some(d), against).figures;
        let rate = |f: &Option<Figures>, r: fn(&Figures) -> Option<f64>| f.as_ref().and_then(r);
        let diff = |x: Option<f64>, y: Option<f64>| Some(x? - y?);
        let (aa, ba) = (
            rate(&a, Figures::absence_rate),
            rate(&b, Figures::absence_rate),
        );
        (
            aa,
            ba,
            diff(aa, ba),
            diff(rate(&a, Figures::pa_rate), rate(&b, Figures::pa_rate)),
        )
    }

    pub fn cohorts(
        conn: &Connection,
        cals: &Calendars,
        p: &WindowChoice,
        filter: &CohortFilter,
        by: Dimension,
        viewer: &Visibility,
        (now_mask, last_mask): (&Mask, &Mask),
    ) -> Result<CohortsData, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        // Each academy over its own window; the trust's over the sum of them.
        let own = windows(cals, p)?;
        let window = spanned(&own);
        let scope = p.scope;
        let mut places: Vec<Place> = Vec::new();
        if viewer.sees_trust() {
            places.push(Place {
                urn: None,
                name: "Trust".into(),
            });
        }
        for a in crate::reports::params::academies(conn, viewer).map_err(e)? {
            places.push(Place {
                urn: Some(a.urn),
                name: a.name,
            });
        }
        let now = seen(
            cohorts::figures_in(
                conn,
                &own.spec(),
                window.from,
                window.to,
                scope,
                None,
                filter,
            )
            .map_err(e)?,
            now_mask,
        );
        let last = match own.last_year() {
            Some((spec, f, t)) => seen(
                cohorts::figures_in(conn, &spec, f, t, scope, None, filter).map_err(e)?,
                last_mask,
            ),
            None => Seen::new(),
        };
        let totals = places
            .iter()
            .map(|pl| cell(&now, &pl.urn, None, "All"))
            .collect();
        let mut groups: Vec<String> = now
            .iter()
            .filter(|((u, d), _)| *d == Some(by) && places.iter().any(|pl| pl.urn == *u))
            .flat_map(|(_, gs)| gs.iter().map(|(g, _)| g.clone()))
            .collect();
        groups.sort_by_key(|g| by.order(g));
        groups.dedup();
        let table = groups
            .into_iter()
            .map(|g| {
                let cells = places
                    .iter()
                    .map(|pl| cell(&now, &pl.urn, Some(by), &g))
                    .collect();
                (g, cells)
            })
            .collect();
        let gaps = GAPS
            .iter()
            .map(|def| {
                let national =
                    queries::benchmarks::national_gap(def.dimension, def.of, def.against);
                let cells: Vec<GapCell> = places
                    .iter()
                    .map(|pl| {
                        let (of_absence, against_absence, absence, pa) =
                            gap(&now, &pl.urn, def.dimension, def.of, def.against);
                        let (_, _, last_absence, last_pa) =
                            gap(&last, &pl.urn, def.dimension, def.of, def.against);
                        GapCell {
                            of_absence,
                            against_absence,
                            absence,
                            pa,
                            last_absence,
                            last_pa,
                        }
                    })
                    .collect();
                let of_label = def.dimension.group_label(def.of);
                let against_label = def.dimension.group_label(def.against);
                let title = format!("Absence gap: {of_label} against {against_label}");
                let chart = bar(&BarChart {
                    title: &title,
                    x_label: "Gap in overall absence, percentage points",
                    bars: places
                        .iter()
                        .zip(&cells)
                        .map(|(pl, c)| (pl.name.clone(), c.absence))
                        .collect(),
                    reference: national.map(|(a, _)| (format!("England {a:+.1} pp"), a)),
                    width: 560,
                    description: format!(
                        "The gap in overall absence between {of_label} and {against_label} pupils, \
                         in percentage points, for {}, {}.",
                        places
                            .iter()
                            .map(|p| p.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                        window.name
                    ),
                });
                GapView {
                    key: def.key.into(),
                    name: def.name.into(),
                    of_label,
                    against_label,
                    national,
                    cells,
                    chart,
                }
            })
            .collect();
        Ok(CohortsData {
            window,
            scope,
            filter: filter.clone(),
            by,
            places,
            totals,
            table,
            gaps,
            national_period: format!(
                "{} ({})",
                queries::benchmarks::NATIONAL_GROUPS_PERIOD,
                queries::benchmarks::NATIONAL_GROUPS_SOURCE
            ),
            suppressing: !viewer.sees_pupils(),
        })
    }
}
