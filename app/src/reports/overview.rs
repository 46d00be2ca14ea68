//! The trust overview: each academy against last year and England, its region and its
//! local authority, with weekly trends, for the academies the viewer may see.

use queries::calendar::Window;
use queries::types::{AcademyRef, Benchmark, Figures, Scope};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OverviewRow {
    pub academy: AcademyRef,
    /// The academy's own window (its own term dates), when it has one.
    pub window: Option<Window>,
    pub figures: Figures,
    pub last_year: Option<Figures>,
    pub benchmarks: Vec<Benchmark>,
    pub trend: crate::chart::Chart,
    /// Absence in each of the trust's weeks (aligned with `Overview::trend_table`).
    pub weeks: Vec<Option<f64>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Overview {
    /// The trust's window: every academy's own, spanned (`same_dates` when alike).
    pub window: Window,
    pub same_dates: bool,
    pub scope: Scope,
    pub trust: Figures,
    pub trust_last_year: Option<Figures>,
    pub rows: Vec<OverviewRow>,
    /// The trust's weekly absence against last year.
    pub trend: crate::trend::Trend,
}

#[cfg(feature = "ssr")]
pub use ssr::Report;

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::charts::{line, LineChart, Series, PALETTE};
    use crate::reports::mask::Masks;
    use crate::reports::params::{spanned, windows, WindowChoice};
    use crate::reports::{Ctx, ReportError};
    use crate::trend::ssr::weeks_of;
    use chrono::NaiveDate;
    use queries::calendar::Calendars;
    use queries::db::Connection;
    use queries::figures;
    use queries::types::Visibility;

    /// The trust overview: every academy's figures and the trust's, for the academies
    /// `view` may see; counts through the window's mask for governors (the trust's own
    /// figures withheld from a governor of one academy).
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = WindowChoice;
        type Output = Overview;

        fn build(
            ctx: &Ctx<'_>,
            params: &WindowChoice,
            view: &Visibility,
        ) -> Result<Overview, ReportError> {
            let mut o = overview(ctx.conn, ctx.cal, params).map_err(ReportError::NotFound)?;
            o.rows.retain(|r| view.sees_academy(&r.academy.urn));
            if view.threshold().is_some() {
                // Counts as every report of these windows shows them to this viewer.
                let masks = Masks::of(ctx, params)?;
                for r in &mut o.rows {
                    masks.mask_totals(Some(&r.academy.urn), &mut r.figures, &mut r.last_year);
                }
                if view.sees_trust() {
                    masks.mask_totals(None, &mut o.trust, &mut o.trust_last_year);
                } else {
                    o.trust = Figures::withheld();
                    o.trust_last_year = None;
                }
            }
            Ok(o)
        }
    }

    pub fn overview(
        conn: &Connection,
        cals: &Calendars,
        p: &WindowChoice,
    ) -> Result<Overview, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        let windows = windows(cals, p)?;
        let window = spanned(&windows);
        let scope = p.scope;
        let spec = windows.spec();
        let (academies, trust) =
            figures::by_academy_in(conn, &spec, window.from, window.to, scope).map_err(e)?;
        let last = match windows.last_year() {
            Some((spec, f, t)) => {
                Some(figures::by_academy_in(conn, &spec, f, t, scope).map_err(e)?)
            }
            None => None,
        };
        let weekly =
            figures::weekly_in(conn, &spec, window.from, window.to, scope, None).map_err(e)?;
        let weekly_last = match windows.last_year() {
            Some((spec, f, t)) => figures::weekly_in(conn, &spec, f, t, scope, None).map_err(e)?,
            None => Vec::new(),
        };
        let trust_weeks = weeks_of(&weekly, None);
        let trust_weeks_last = weeks_of(&weekly_last, None);
        let trend = crate::trend::ssr::weekly(
            "Trust absence by week",
            format!("Trust, {}", window.name),
            &trust_weeks,
            &trust_weeks_last,
            format!(
                "Weekly overall absence for the trust, {}, {} weeks, against the same school weeks last year.",
                window.name,
                trust_weeks.len()
            ),
        );
        let names: Vec<NaiveDate> = trust_weeks.iter().map(|w| w.week).collect();
        let x_names = crate::trend::ssr::week_names(&trust_weeks);
        let rows = academies
            .into_iter()
            .enumerate()
            .map(|(i, (academy, figures))| {
                let weeks = weeks_of(&weekly, Some(&academy.urn));
                let trend = line(&LineChart {
                    title: &academy.name,
                    x_label: "Week",
                    y_label: "Absence",
                    y_suffix: "%",
                    x_names: &x_names,
                    series: vec![Series {
                        name: "Absence".into(),
                        points: crate::trend::ssr::weeks_series(&weeks),
                        colour: PALETTE[i % PALETTE.len()],
                        dashed: false,
                    }],
                    width: 300,
                    height: 170,
                    description: format!(
                        "Weekly overall absence at {}, {}.",
                        academy.name, window.name
                    ),
                });
                let by_week: Vec<Option<f64>> = names
                    .iter()
                    .map(|monday| {
                        weeks
                            .iter()
                            .find(|w| w.week == *monday)
                            .and_then(|w| w.absence_rate())
                    })
                    .collect();
                OverviewRow {
                    window: windows.of(&academy.urn).cloned(),
                    weeks: by_week,
                    last_year: last.as_ref().and_then(|(l, _)| {
                        l.iter()
                            .find(|(a, _)| a.urn == academy.urn)
                            .map(|(_, f)| f.clone())
                    }),
                    benchmarks: queries::benchmarks::for_academy(
                        &academy.phase,
                        &academy.local_authority,
                    ),
                    academy,
                    figures,
                    trend,
                }
            })
            .collect();
        Ok(Overview {
            trust_last_year: last.map(|(_, t)| t),
            window,
            same_dates: windows.same_dates,
            scope,
            trust,
            rows,
            trend,
        })
    }
}
