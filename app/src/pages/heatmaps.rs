//! Heatmaps (`/heatmaps`): where and when absence is concentrated. Academy x school
//! week (persistent absence to date, or absence over the last four school weeks),
//! academy x year group (persistent absence), day x session (absence), and for one
//! academy its persistent absentees x weeks (pupil level, for roles that see pupils).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::calendar::Window;
use queries::types::{AcademyRef, Scope};
use serde::{Deserialize, Serialize};

use crate::heatmap::{Heatmap, HeatmapView};
use crate::view::{use_view_params, ViewParams, WindowForm};

/// What the page shows, from the URL: `kind`, `measure` and `academy`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
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
        KINDS
            .iter()
            .map(|(k, _)| *k)
            .find(|k| *k == self.kind)
            .unwrap_or("academy-week")
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

#[server]
pub async fn get_heatmaps(
    params: ViewParams,
    choice: HeatmapChoice,
) -> Result<HeatmapsData, ServerFnError> {
    let warehouse = crate::ssr::warehouse()?;
    let who = crate::ssr::principal()?;
    if choice.kind() == "pupils" {
        if !who.sees_pupils() {
            return Err(crate::ssr::forbidden());
        }
        if let Some(a) = &choice.academy {
            if !who.sees_academy(a) {
                return Err(crate::ssr::forbidden());
            }
        }
    }
    let threshold = warehouse.suppress_below;
    if choice.kind() == "pupils" {
        // Pupil level: each viewing is audited, so never served from the cache.
        return warehouse
            .run_with_calendar(move |conn, cal| {
                Ok(ssr::heatmaps(conn, cal, &params, choice, &who, threshold))
            })
            .await
            .map_err(|e| ServerFnError::new(e.to_string()))?
            .map_err(ServerFnError::new);
    }
    let key = format!(
        "heatmaps {params:?} {choice:?} {:?} {:?}",
        who.role, who.academies
    );
    warehouse
        .run_cached(key, move |conn, cal| {
            Ok(ssr::heatmaps(conn, cal, &params, choice, &who, threshold))
        })
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
        .map_err(ServerFnError::new)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::BTreeSet;

    use chrono::{Duration, NaiveDate};

    use super::*;
    use crate::heatmap::ssr::render;
    use crate::heatmap::{Axis, HeatCell, HeatGrid};
    use crate::reports::params::{spanned, windows};
    use queries::calendar::Calendars;
    use queries::db::Connection;
    use queries::types::{Dimension, GroupFigures, Principal};

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
        p: &ViewParams,
        mut choice: HeatmapChoice,
        viewer: &Principal,
        threshold: u64,
    ) -> Result<HeatmapsData, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        // Each academy's own window (its own term dates); weeks are calendar weeks
        // across their span.
        let own = windows(cals, &p.choice().map_err(|e| e.to_string())?)?;
        let window = spanned(&own);
        let scope = p.scope();
        let academies: Vec<AcademyRef> = queries::figures::academies(conn)
            .map_err(e)?
            .into_iter()
            .filter(|a| viewer.sees_academy(&a.urn))
            .collect();
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
        let hide_small = |n: u64| !viewer.sees_pupils() && n > 0 && n < threshold;
        let (from, to) = (window.from, window.to);
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
                    rows: rows
                        .iter()
                        .map(|(u, n)| Axis {
                            label: n.clone(),
                            href: Some(figures_href(p, u.as_deref(), from, to)),
                        })
                        .collect(),
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
                                    if !rolling && hide_small(c.of) {
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
                    rows: rows.iter().map(|(u, n)| Axis { label: n.clone(), href: Some(figures_href(p, u.as_deref(), from, to)) }).collect(),
                    cols: years.iter().map(|y| Axis { label: Dimension::YearGroup.group_label(y).replace("Year ", "Y").replace("Reception", "R"), href: None }).collect(),
                    cells: rows
                        .iter()
                        .map(|(u, name)| {
                            let groups: Vec<GroupFigures> = all
                                .iter()
                                .filter(|r| r.dimension == Some(Dimension::YearGroup) && &r.urn == u)
                                .map(|r| GroupFigures { group: r.group.clone(), figures: r.figures.clone() })
                                .collect();
                            let shown = queries::suppress::for_viewer(viewer, groups, threshold);
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
                    rows: rows.iter().map(|(u, n)| Axis { label: n.clone(), href: Some(figures_href(p, u.as_deref(), from, to)) }).collect(),
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
                // Pupil level: the route's server function has checked the role.
                let Some(academy) = choice
                    .academy
                    .clone()
                    .and_then(|u| academies.iter().find(|a| a.urn == u).cloned())
                    .or_else(|| academies.first().cloned())
                else {
                    return Err("no academy to show".into());
                };
                choice.academy = Some(academy.urn.clone());
                queries::accounts::audit(
                    conn,
                    viewer,
                    "view pupils",
                    &format!(
                        "heatmap of persistent absentees, {} ({}), {} to {}",
                        academy.name, academy.urn, from, to
                    ),
                )
                .map_err(|e| e.to_string())?;
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

#[component]
pub fn HeatmapsPage() -> impl IntoView {
    let params = use_view_params();
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        query.with(|q| HeatmapChoice {
            kind: q.get("kind").unwrap_or_default(),
            measure: q.get("measure").unwrap_or_default(),
            academy: q.get("academy").filter(|a| !a.is_empty()),
        })
    });
    let data = Resource::new(
        move || (params.get().figures_key(), choice.get()),
        |(p, c)| get_heatmaps(p, c),
    );
    view! {
        <Title text="Heatmaps"/>
        <h1>"Heatmaps"</h1>
        <p class="lead">"Where and when absence is concentrated. Hover over a cell for its figures; select it for the figures or pupils behind it."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <HeatmapsBody d params/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn HeatmapsBody(d: HeatmapsData, params: Memo<ViewParams>) -> impl IntoView {
    let p = params.get_untracked();
    let c = d.choice.clone();
    let kind = c.kind().to_string();
    let tab = |k: &str| HeatmapChoice {
        kind: k.to_string(),
        ..c.clone()
    };
    view! {
        <nav class="tabs" aria-label="Heatmap">
            {KINDS.iter().filter(|(k, _)| *k != "pupils" || d.sees_pupils).map(|(k, label)| {
                let current = (*k == kind).then_some("page");
                view! { <a href=tab(k).href(&p) aria-current=current>{*label}</a> }
            }).collect_view()}
        </nav>
        <WindowForm params action="/heatmaps".to_string()>
            <input type="hidden" name="kind" value=kind.clone()/>
            {(kind == "academy-week").then(|| view! {
                <label>"Measure "
                    <select name="measure">
                        <option value="pa-to-date" selected=!c.rolling()>"Persistent absence to date"</option>
                        <option value="rolling-absence" selected=c.rolling()>"Absence, last four school weeks"</option>
                    </select>
                </label>
            })}
            {(kind == "pupils").then(|| view! {
                <label>"Academy "
                    <select name="academy">
                        {d.academies.iter().map(|a| {
                            let selected = c.academy.as_deref() == Some(a.urn.as_str());
                            view! { <option value=a.urn.clone() selected=selected>{a.name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
            })}
        </WindowForm>
        <p class="scope-note">
            <strong>{d.window.name.clone()}</strong>
            {format!(" ({} to {}) · ", d.window.from.format("%-d %b %Y"), d.window.to.format("%-d %b %Y"))}
            <strong>{d.scope.label()}</strong>
        </p>
        {d.note.clone().map(|n| view! { <p class="note">{n}</p> })}
        {d.maps.into_iter().enumerate().map(|(i, m)| view! {
            <HeatmapView map=m id=if i == 0 { "heatmap" } else { "heatmap-2" }/>
        }).collect_view()}
    }
}
