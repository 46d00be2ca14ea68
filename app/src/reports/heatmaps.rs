//! Heatmaps: where and when absence is concentrated. Academy x school week (persistent
//! absence to date, or absence over the last four school weeks), academy x year group
//! (persistent absence), day x session (absence), and for one academy its persistent
//! absentees x weeks (pupil level, audited, for roles that see pupils).

use crate::heatmap::Heatmap;
use crate::view::ViewParams;
use queries::calendar::Window;
use queries::types::{AcademyRef, Scope};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct HeatmapChoice {
    pub kind: String,
    pub measure: String,
    pub academy: Option<String>,
}

pub const KINDS: [(&str, &str); 4] = [
    ("academy-week", "Academy by week"),
    ("academy-year", "Academy by year group"),
    ("day-session", "Day and session"),
    ("pupils", "Persistent absentees by week"),
];

impl HeatmapChoice {
    pub fn kind(&self) -> &str {
        crate::reports::params::one_of(&KINDS, &self.kind, "academy-week")
    }

    pub fn rolling(&self) -> bool {
        self.measure == "rolling-absence"
    }

    /// The page's URL for this choice with the window and scope of `p`.
    pub fn href(&self, p: &ViewParams) -> String {
        let mut q = format!("/heatmaps{}&kind={}", p.query(None), self.kind());
        if self.kind() == "academy-week" && self.rolling() {
            q.push_str("&measure=rolling-absence");
        }
        if let Some(a) = &self.academy {
            q.push_str(&format!("&academy={a}"));
        }
        q
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeatmapsData {
    pub window: Window,
    pub scope: Scope,
    pub choice: HeatmapChoice,
    /// The academies this viewer may choose.
    pub academies: Vec<AcademyRef>,
    pub maps: Vec<Heatmap>,
    /// Whether this viewer may see the pupil-level heatmap.
    pub sees_pupils: bool,
    pub note: Option<String>,
}

#[cfg(feature = "ssr")]
pub use ssr::{Cells, CellsParams, CellsReport, HeatmapCells, Report};

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeSet;

    use chrono::{Duration, NaiveDate};

    use super::*;
    use crate::heatmap::ssr::render;
    use crate::heatmap::{Axis, HeatCell, HeatGrid};
    use crate::reports::params::WindowChoice;
    use crate::reports::params::{spanned, windows};
    use crate::reports::{Ctx, ReportError};
    use queries::calendar::Calendars;
    use queries::db::Connection;
    use queries::types::{Dimension, GroupFigures, Visibility};

    /// The API's heatmaps: `kind` (academy-week, academy-year, day-session), the
    /// rolling-absence measure for academy-week, one academy or every one.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct CellsParams {
        pub window: WindowChoice,
        pub kind: String,
        pub rolling: bool,
        pub academy: Option<String>,
    }

    /// A heatmap's cells, for the places the viewer may see.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Cells {
        /// Persistent absence to date by week; `true` where withheld from the viewer.
        PaToDate(Vec<(queries::heatmap::WeekCell, bool)>),
        RollingAbsence(Vec<queries::heatmap::WeekCell>),
        /// (place, year group, figures as the viewer may see them).
        YearGroups(Vec<(Option<String>, String, Option<queries::types::Figures>)>),
        DaySession(Vec<queries::heatmap::DaySessionCell>),
    }

    #[derive(Debug, Clone, PartialEq)]
    pub struct HeatmapCells {
        pub windows: queries::calendar::Windows,
        /// Academies' names by URN.
        pub names: std::collections::HashMap<String, String>,
        pub cells: Cells,
    }

    /// The window and which heatmap.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub window: WindowChoice,
        pub choice: HeatmapChoice,
    }

    /// The API's heatmap cells (aggregates: every role that may see the places).
    pub struct CellsReport;

    impl crate::reports::Report for CellsReport {
        type Params = CellsParams;
        type Output = HeatmapCells;

        fn allowed(view: &Visibility, p: &CellsParams) -> bool {
            p.academy.as_ref().is_none_or(|a| view.sees_academy(a))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &CellsParams,
            view: &Visibility,
        ) -> Result<HeatmapCells, ReportError> {
            let w = windows(ctx.cal, &p.window).map_err(ReportError::NotFound)?;
            let (scope, urn) = (p.window.scope, p.academy.as_deref());
            let span = queries::heatmap::Span {
                from: w.from,
                to: w.to,
                spec: w.spec(),
            };
            // Rows the viewer may see: academies of theirs, and the trust's where allowed.
            let visible = |u: &Option<String>| match u {
                Some(u) => view.sees_academy(u),
                None => p.academy.is_none() && view.sees_trust(),
            };
            let cells = match (p.kind.as_str(), p.rolling) {
                ("academy-week", false) => {
                    let cells = queries::heatmap::pa_by_week(ctx.conn, &span, scope, urn)?;
                    let hidden = queries::heatmap::hidden_by_week(&cells, view);
                    Cells::PaToDate(
                        cells
                            .into_iter()
                            .filter(|c| visible(&c.urn))
                            .map(|c| {
                                let h = hidden.contains(&(c.urn.clone(), c.week));
                                (c, h)
                            })
                            .collect(),
                    )
                }
                ("academy-week", true) => Cells::RollingAbsence(
                    queries::heatmap::rolling_absence(ctx.conn, &span, scope, urn)?
                        .into_iter()
                        .filter(|c| visible(&c.urn))
                        .collect(),
                ),
                ("academy-year", _) => {
                    let m = crate::reports::mask::mask(ctx, &w, scope, false)?;
                    Cells::YearGroups(
                        queries::cohorts::figures_in(
                            ctx.conn,
                            &w.spec(),
                            w.from,
                            w.to,
                            scope,
                            urn,
                            &Default::default(),
                        )?
                        .into_iter()
                        .filter(|r| r.dimension == Some(Dimension::YearGroup) && visible(&r.urn))
                        .map(|r| {
                            let f = m.figures(r.urn.as_deref(), r.dimension, &r.group, &r.figures);
                            (r.urn, r.group, f)
                        })
                        .collect(),
                    )
                }
                _ => Cells::DaySession(
                    queries::heatmap::by_day_session(ctx.conn, &span, scope, urn)?
                        .into_iter()
                        .filter(|c| visible(&c.urn))
                        .collect(),
                ),
            };
            let names = queries::figures::academies(ctx.conn)?
                .into_iter()
                .map(|a| (a.urn, a.name))
                .collect();
            Ok(HeatmapCells {
                windows: w,
                names,
                cells,
            })
        }
    }

    /// The heatmaps for the academies the viewer may see; the persistent absentees'
    /// map is pupil level (staff and the trust only, every viewing audited).
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = Params;
        type Output = HeatmapsData;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            p.choice.kind() != "pupils"
                || (view.sees_pupils()
                    && p.choice
                        .academy
                        .as_ref()
                        .is_none_or(|a| view.sees_academy(a)))
        }

        fn audit(_: &Params, out: &HeatmapsData) -> Option<(&'static str, String)> {
            if out.choice.kind() != "pupils" {
                return None;
            }
            let urn = out.choice.academy.clone().unwrap_or_default();
            let name = out
                .academies
                .iter()
                .find(|a| a.urn == urn)
                .map(|a| a.name.clone())
                .unwrap_or_default();
            Some((
                "view pupils",
                format!(
                    "heatmap of persistent absentees, {name} ({urn}), {} to {}",
                    out.window.from, out.window.to
                ),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &Params,
            view: &Visibility,
        ) -> Result<HeatmapsData, ReportError> {
            let w = windows(ctx.cal, &p.window).map_err(ReportError::NotFound)?;
            let now = crate::reports::mask::mask(ctx, &w, p.window.scope, false)?;
            heatmaps(ctx.conn, ctx.cal, &p.window, p.choice.clone(), view, &now)
                .map_err(ReportError::NotFound)
        }
    }

    const DAYS: [&str; 5] = ["Mon", "Tue", "Wed", "Thu", "Fri"];

    /// "7 Sep", or "7 Sep 26" when the weeks shown run over more than one year.
    fn week_label(weeks: &[NaiveDate], w: NaiveDate) -> String {
        let long = match (weeks.first(), weeks.last()) {
            (Some(a), Some(b)) => (*b - *a).num_days() > 300,
            _ => false,
        };
        w.format(if long { "%-d %b %y" } else { "%-d %b" })
            .to_string()
    }

    fn pct(v: f64) -> String {
        format!("{v:.1}%")
    }

    /// A custom-window link to the academy page (or the overview for the trust).
    fn figures_href(p: &ViewParams, urn: Option<&str>, from: NaiveDate, to: NaiveDate) -> String {
        let path = urn.map(|u| format!("/academy/{u}")).unwrap_or("/".into());
        format!(
            "{path}?window=custom&from={from}&to={to}&scope={}",
            p.scope().as_str()
        )
    }

    pub fn heatmaps(
        conn: &Connection,
        cals: &Calendars,
        w: &WindowChoice,
        mut choice: HeatmapChoice,
        viewer: &Visibility,
        mask: &queries::suppress::Mask,
    ) -> Result<HeatmapsData, String> {
        let p = &ViewParams::from(w);
        let threshold = viewer.threshold().unwrap_or(0);
        let e = |e: queries::db::DuckError| e.to_string();
        // Each academy's own window (its own term dates); weeks are calendar weeks
        // across their span.
        let own = windows(cals, w)?;
        let window = spanned(&own);
        let scope = w.scope;
        let academies = crate::reports::params::academies(conn, viewer).map_err(e)?;
        choice.kind = choice.kind().to_string();
        if choice
            .academy
            .as_ref()
            .is_some_and(|u| !academies.iter().any(|a| &a.urn == u))
        {
            choice.academy = None;
        }
        // Rows: the trust (where this viewer sees it) then their academies.
        let mut rows: Vec<(Option<String>, String)> = Vec::new();
        if viewer.sees_trust() {
            rows.push((None, "Trust".into()));
        }
        rows.extend(
            academies
                .iter()
                .map(|a| (Some(a.urn.clone()), a.name.clone())),
        );
        let (from, to) = (window.from, window.to);
        // A place's row, leading to its figures over the window.
        let place_axis = |(u, name): &(Option<String>, String)| Axis {
            label: name.clone(),
            href: Some(figures_href(p, u.as_deref(), from, to)),
        };
        let span = queries::heatmap::Span {
            from,
            to,
            spec: own.spec(),
        };
        let mut note = None;
        let maps = match choice.kind() {
            "academy-week" => {
                let rolling = choice.rolling();
                let cells = if rolling {
                    queries::heatmap::rolling_absence(conn, &span, scope, None)
                } else {
                    queries::heatmap::pa_by_week(conn, &span, scope, None)
                }
                .map_err(e)?;
                let weeks: Vec<NaiveDate> = cells
                    .iter()
                    .map(|c| c.week)
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                let hidden = if rolling {
                    BTreeSet::new()
                } else {
                    queries::heatmap::hidden_by_week(&cells, viewer)
                };
                let grid = HeatGrid {
                    title: if rolling {
                        "Absence over the last four school weeks".into()
                    } else {
                        "Persistent absence to date, week by week".into()
                    },
                    description: if rolling {
                        format!("Overall absence over the four school weeks up to each week, per academy, {}.", window.name)
                    } else {
                        format!("The share of enrolments persistently absent (10% or more of sessions missed) from {} to the end of each week, per academy.", from.format("%-d %B %Y"))
                    },
                    row_name: "Academy".into(),
                    col_name: "Week beginning".into(),
                    value_name: if rolling { "Absence, %".into() } else { "PA rate, %".into() },
                    rows: rows.iter().map(place_axis).collect(),
                    cols: weeks.iter().map(|w| Axis { label: week_label(&weeks, *w), href: None }).collect(),
                    cells: rows
                        .iter()
                        .map(|(u, name)| {
                            weeks
                                .iter()
                                .map(|w| {
                                    let found = cells.iter().find(|c| &c.urn == u && c.week == *w);
                                    let week_end = (*w + Duration::days(6)).min(to);
                                    let Some(c) = found.filter(|c| c.of > 0) else {
                                        return HeatCell {
                                            value: None,
                                            text: format!("{name}, week of {}: no sessions", w.format("%-d %b")),
                                            href: None,
                                        };
                                    };
                                    if !rolling && hidden.contains(&(u.clone(), *w)) {
                                        return HeatCell {
                                            value: None,
                                            text: format!("{name}, week of {}: suppressed (fewer than {threshold} pupils)", w.format("%-d %b")),
                                            href: None,
                                        };
                                    }
                                    let v = c.rate().unwrap_or(0.0);
                                    let (text, start) = if rolling {
                                        let start = (*w - Duration::days(21)).max(from);
                                        (format!("{name}, four school weeks to {}: {} absence ({} of {} sessions)", week_end.format("%-d %b"), pct(v), c.count, c.of), start)
                                    } else {
                                        (format!("{name}, to {}: {} persistently absent ({} of {} enrolments)", week_end.format("%-d %b"), pct(v), c.count, c.of), from)
                                    };
                                    HeatCell {
                                        value: Some(v),
                                        text,
                                        href: Some(figures_href(p, u.as_deref(), start, week_end)),
                                    }
                                })
                                .collect()
                        })
                        .collect(),
                };
                vec![render(&grid, &|v| pct(v))]
            }
            "academy-year" => {
                let all = queries::cohorts::figures_in(
                    conn,
                    &own.spec(),
                    from,
                    to,
                    scope,
                    None,
                    &Default::default(),
                )
                .map_err(e)?;
                let mut years: Vec<String> = all
                    .iter()
                    .filter(|r| r.dimension == Some(Dimension::YearGroup))
                    .map(|r| r.group.clone())
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                years.sort_by_key(|y| Dimension::YearGroup.order(y));
                let grid = HeatGrid {
                    title: "Persistent absence by year group".into(),
                    description: format!("The share of enrolments persistently absent in each year group at each academy, {}.", window.name),
                    row_name: "Academy".into(),
                    col_name: "Year group".into(),
                    value_name: "PA rate, %".into(),
                    rows: rows.iter().map(place_axis).collect(),
                    cols: years.iter().map(|y| Axis { label: Dimension::YearGroup.group_label(y).replace("Year ", "Y").replace("Reception", "R"), href: None }).collect(),
                    cells: rows
                        .iter()
                        .map(|(u, name)| {
                            let groups: Vec<GroupFigures> = all
                                .iter()
                                .filter(|r| r.dimension == Some(Dimension::YearGroup) && &r.urn == u)
                                .map(|r| GroupFigures { group: r.group.clone(), figures: r.figures.clone() })
                                .collect();
                            // As every report of this window shows them to this viewer.
                            let shown: Vec<queries::suppress::Shown> = groups
                                .into_iter()
                                .map(|g| queries::suppress::Shown {
                                    figures: mask.figures(u.as_deref(), Some(Dimension::YearGroup), &g.group, &g.figures),
                                    group: g.group,
                                })
                                .collect();
                            years
                                .iter()
                                .map(|y| {
                                    let label = Dimension::YearGroup.group_label(y);
                                    let href = {
                                        let mut f = queries::types::CohortFilter::default();
                                        let _ = f.set(Dimension::YearGroup, Some(y.clone()));
                                        crate::pages::cohorts::cohorts_href(p, &f, Dimension::Fsm)
                                    };
                                    match shown.iter().find(|s| &s.group == y) {
                                        None => HeatCell { value: None, text: format!("{name}, {label}: no pupils"), href: None },
                                        Some(s) => match &s.figures {
                                            None => HeatCell { value: None, text: format!("{name}, {label}: suppressed (a small group)"), href: None },
                                            Some(f) if f.withheld.pa => HeatCell { value: None, text: format!("{name}, {label}: persistent absence suppressed (a small number)"), href: None },
                                            Some(f) => {
                                                let v = f.pa_rate().unwrap_or(0.0);
                                                HeatCell {
                                                    value: Some(v),
                                                    text: format!("{name}, {label}: {} persistently absent ({} of {} enrolments)", pct(v), f.pa_enrolments, f.enrolments),
                                                    href: Some(href),
                                                }
                                            }
                                        },
                                    }
                                })
                                .collect()
                        })
                        .collect(),
                };
                vec![render(&grid, &|v| pct(v))]
            }
            "day-session" => {
                let cells =
                    queries::heatmap::by_day_session(conn, &span, scope, None).map_err(e)?;
                let slots: Vec<(u8, u8)> = (1..=5u8).flat_map(|d| [(d, 0u8), (d, 1u8)]).collect();
                let grid = HeatGrid {
                    title: "Absence by day and session".into(),
                    description: format!("Overall absence on each weekday morning and afternoon, per academy, {}.", window.name),
                    row_name: "Academy".into(),
                    col_name: "Day and session".into(),
                    value_name: "Absence, %".into(),
                    rows: rows.iter().map(place_axis).collect(),
                    cols: slots.iter().map(|(d, s)| Axis { label: format!("{} {}", DAYS[*d as usize - 1], if *s == 0 { "AM" } else { "PM" }), href: None }).collect(),
                    cells: rows
                        .iter()
                        .map(|(u, name)| {
                            slots
                                .iter()
                                .map(|(d, s)| {
                                    let slot = format!("{} {}", DAYS[*d as usize - 1], if *s == 0 { "AM" } else { "PM" });
                                    match cells.iter().find(|c| &c.urn == u && c.weekday == *d && c.session == *s).filter(|c| c.possible > 0) {
                                        None => HeatCell { value: None, text: format!("{name}, {slot}: no sessions"), href: None },
                                        Some(c) => {
                                            let v = 100.0 * c.absent as f64 / c.possible as f64;
                                            HeatCell {
                                                value: Some(v),
                                                text: format!("{name}, {slot}: {} absence ({} of {} sessions)", pct(v), c.absent, c.possible),
                                                href: Some(format!("{}#days", figures_href(p, u.as_deref(), from, to))),
                                            }
                                        }
                                    }
                                })
                                .collect()
                        })
                        .collect(),
                };
                vec![render(&grid, &|v| format!("{v:.1}"))]
            }
            _ => {
                // Pupil level: the report's `allowed` has checked the role; its `audit` logs it.
                let Some(academy) = choice
                    .academy
                    .clone()
                    .and_then(|u| academies.iter().find(|a| a.urn == u).cloned())
                    .or_else(|| academies.first().cloned())
                else {
                    return Err("no academy to show".into());
                };
                choice.academy = Some(academy.urn.clone());
                let pupils = queries::heatmap::pa_pupil_weeks(conn, from, to, scope, &academy.urn)
                    .map_err(e)?;
                let weeks: Vec<NaiveDate> = pupils
                    .iter()
                    .flat_map(|p| p.weeks.iter().map(|w| w.0))
                    .collect::<BTreeSet<_>>()
                    .into_iter()
                    .collect();
                note = Some(format!(
                    "{} persistently absent pupils at {}, most absent first. Each cell is the pupil's absence that week.",
                    pupils.len(),
                    academy.name
                ));
                let grid = HeatGrid {
                    title: format!("Persistent absentees at {}, week by week", academy.name),
                    description: format!("Each persistently absent pupil's absence in each school week, {}.", window.name),
                    row_name: "Pupil".into(),
                    col_name: "Week beginning".into(),
                    value_name: "Absence that week, %".into(),
                    rows: pupils
                        .iter()
                        .map(|pw| Axis {
                            label: format!(
                                "{} ({}) {:.0}%",
                                if pw.name.is_empty() { &pw.pupil_id } else { &pw.name },
                                Dimension::YearGroup.group_label(&pw.year_group),
                                100.0 * pw.absent as f64 / pw.possible.max(1) as f64
                            ),
                            href: Some(crate::pages::pupil::pupil_href(&academy.urn, &pw.pupil_id)),
                        })
                        .collect(),
                    cols: weeks.iter().map(|w| Axis { label: week_label(&weeks, *w), href: None }).collect(),
                    cells: pupils
                        .iter()
                        .map(|pw| {
                            let who = if pw.name.is_empty() { pw.pupil_id.clone() } else { pw.name.clone() };
                            weeks
                                .iter()
                                .map(|w| match pw.weeks.iter().find(|x| x.0 == *w).filter(|x| x.1 > 0) {
                                    None => HeatCell { value: None, text: format!("{who}, week of {}: no sessions on roll", w.format("%-d %b")), href: None },
                                    Some((_, possible, absent)) => {
                                        let v = 100.0 * *absent as f64 / *possible as f64;
                                        HeatCell {
                                            value: Some(v),
                                            text: format!("{who}, week of {}: absent {absent} of {possible} sessions", w.format("%-d %b")),
                                            href: Some(format!("{}#week-{w}", crate::pages::pupil::pupil_href(&academy.urn, &pw.pupil_id))),
                                        }
                                    }
                                })
                                .collect()
                        })
                        .collect(),
                };
                vec![render(&grid, &|v| pct(v))]
            }
        };
        Ok(HeatmapsData {
            window,
            scope,
            choice,
            academies,
            maps,
            sees_pupils: viewer.sees_pupils(),
            note,
        })
    }
}
