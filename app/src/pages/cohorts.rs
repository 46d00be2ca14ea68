//! Cohort comparisons (`/cohorts`): which groups of pupils are falling behind. Gaps
//! between groups (FSM, SEN, EAL, looked after, sex) per academy against the national
//! gaps and last year, and every characteristic side by side for the trust and each
//! academy, for the pupils the filters keep (all held in the URL).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::calendar::Window;
use queries::types::{CohortFilter, Dimension, Figures, Scope};
use serde::{Deserialize, Serialize};

use crate::view::{pct, pp, use_view_params, ViewParams, WindowForm};

/// The trust (no URN) or an academy.
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
    pub svg: String,
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

#[server]
pub async fn get_cohorts(
    params: ViewParams,
    #[server(default)] filter: CohortFilter,
    by: String,
) -> Result<CohortsData, ServerFnError> {
    let warehouse = crate::ssr::warehouse()?;
    let who = crate::ssr::principal()?;
    let by = Dimension::parse(&by).unwrap_or(Dimension::Fsm);
    let threshold = warehouse.suppress_below;
    let key = format!(
        "cohorts {params:?} {filter:?} {by:?} {:?} {:?}",
        who.role, who.academies
    );
    warehouse
        .run_cached(key, move |conn, cal| {
            Ok(ssr::cohorts(
                conn, cal, &params, &filter, by, &who, threshold,
            ))
        })
        .await
        .map_err(|e| ServerFnError::new(e.to_string()))?
        .map_err(ServerFnError::new)
}

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::collections::HashMap;

    use super::*;
    use crate::charts::{bar_chart, BarChart};
    use crate::reports::params::{spanned, windows};
    use queries::calendar::Calendars;
    use queries::cohorts::{self, GAPS};
    use queries::db::Connection;
    use queries::types::{CohortRow, GroupFigures, Principal};

    /// (place, dimension or None for all) -> group -> cell, as `viewer` may see it.
    type Seen = HashMap<(Option<String>, Option<Dimension>), Vec<(String, Cell)>>;

    fn seen(rows: Vec<CohortRow>, viewer: &Principal, threshold: u64) -> Seen {
        let mut sets: HashMap<(Option<String>, Option<Dimension>), Vec<GroupFigures>> =
            HashMap::new();
        for r in rows {
            sets.entry((r.urn, r.dimension))
                .or_default()
                .push(GroupFigures {
                    group: r.group,
                    figures: r.figures,
                });
        }
        sets.into_iter()
            .map(|(k, groups)| {
                let shown = queries::suppress::for_viewer(viewer, groups, threshold)
                    .into_iter()
                    .map(|s| {
                        let suppressed = s.figures.is_none();
                        (
                            s.group,
                            Cell {
                                figures: s.figures,
                                suppressed,
                            },
                        )
                    })
                    .collect();
                (k, shown)
            })
            .collect()
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
        p: &ViewParams,
        filter: &CohortFilter,
        by: Dimension,
        viewer: &Principal,
        threshold: u64,
    ) -> Result<CohortsData, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        // Each academy over its own window; the trust's over the sum of them.
        let own = windows(cals, &p.choice().map_err(|e| e.to_string())?)?;
        let window = spanned(&own);
        let scope = p.scope();
        let mut places: Vec<Place> = Vec::new();
        if viewer.sees_trust() {
            places.push(Place {
                urn: None,
                name: "Trust".into(),
            });
        }
        for a in queries::figures::academies(conn).map_err(e)? {
            if viewer.sees_academy(&a.urn) {
                places.push(Place {
                    urn: Some(a.urn),
                    name: a.name,
                });
            }
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
            viewer,
            threshold,
        );
        let last = match own.last_year() {
            Some((spec, f, t)) => seen(
                cohorts::figures_in(conn, &spec, f, t, scope, None, filter).map_err(e)?,
                viewer,
                threshold,
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
                let svg = bar_chart(&BarChart {
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
                    svg,
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

/// The cohorts page's own URL: window, scope, filters and the dimension shown.
pub fn cohorts_href(p: &ViewParams, filter: &CohortFilter, by: Dimension) -> String {
    let mut q = p.query(None);
    q.push_str(&format!("&by={}", by.as_str()));
    for d in Dimension::ALL {
        if let Some(g) = filter.get(d) {
            q.push_str(&format!("&{}={}", d.as_str(), urlencode(g)));
        }
    }
    format!("/cohorts{q}")
}

fn urlencode(s: &str) -> String {
    s.replace('%', "%25")
        .replace(' ', "%20")
        .replace('&', "%26")
        .replace('+', "%2B")
}

#[component]
pub fn CohortsPage() -> impl IntoView {
    let params = use_view_params();
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        query.with(|q| {
            let mut filter = CohortFilter::default();
            for d in Dimension::ALL {
                // Values that are not groups are ignored (the API answers 400 instead).
                let _ = filter.set(d, q.get(d.as_str()).filter(|v| !v.is_empty()));
            }
            let by = q
                .get("by")
                .and_then(|b| Dimension::parse(&b))
                .unwrap_or(Dimension::Fsm);
            (filter, by)
        })
    });
    let data = Resource::new(
        move || (params.get().figures_key(), choice.get()),
        |(p, (filter, by))| get_cohorts(p, filter, by.as_str().to_string()),
    );
    view! {
        <Title text="Cohorts"/>
        <h1>"Cohorts"</h1>
        <p class="lead">"Which groups of pupils are falling behind: the gaps between groups at each academy, against England and last year, and every pupil characteristic side by side."</p>
        <WindowForm params action="/cohorts".to_string()>
            <FilterFields choice=choice.get_untracked()/>
        </WindowForm>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <CohortsBody d params=params.get_untracked()/> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The filter selects (any, or one group of each characteristic) and the dimension
/// shown, as fields of the window form.
#[component]
fn FilterFields(choice: (CohortFilter, Dimension)) -> impl IntoView {
    let (filter, by) = choice;
    view! {
        <fieldset class="filters">
            <legend>"Pupils"</legend>
            {Dimension::ALL.into_iter().map(|d| {
                let current = filter.get(d).map(str::to_string);
                view! {
                    <label>{d.label()}" "
                        <select name=d.as_str()>
                            <option value="" selected=current.is_none()>"Any"</option>
                            {d.groups().iter().map(|g| {
                                let selected = current.as_deref() == Some(*g);
                                view! { <option value=*g selected=selected>{d.group_label(g)}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                }
            }).collect_view()}
            <input type="hidden" name="by" value=by.as_str()/>
        </fieldset>
    }
}

fn shown_rate(c: &Cell, rate: fn(&Figures) -> Option<f64>) -> String {
    if c.suppressed {
        "x".into()
    } else {
        pct(c.figures.as_ref().and_then(rate))
    }
}

#[component]
fn CohortsBody(d: CohortsData, params: ViewParams) -> impl IntoView {
    let clear = cohorts_href(&params, &CohortFilter::default(), d.by);
    view! {
        <p class="scope-note">
            <strong>{d.window.name.clone()}</strong>
            {format!(" ({} to {}) · ", d.window.from.format("%-d %b %Y"), d.window.to.format("%-d %b %Y"))}
            <strong>{d.scope.label()}</strong>" · "
            <strong class="filter-summary">{d.filter.describe()}</strong>
            {(!d.filter.is_empty()).then(|| view! { " · " <a href=clear.clone()>"Clear the filters"</a> })}
        </p>
        {d.suppressing.then(|| view! {
            <p class="note">"Groups of fewer than the trust's threshold of pupils are shown as x, with the next smallest group where one alone would give it away."</p>
        })}
        <GapsSection d=d.clone()/>
        <ByTable d=d.clone() params=params.clone()/>
    }
}

#[component]
fn GapsSection(d: CohortsData) -> impl IntoView {
    let first = d.places.first().map(|p| p.name.clone()).unwrap_or_default();
    view! {
        <section aria-labelledby="gaps-h">
            <h2 id="gaps-h">"Gaps"</h2>
            <table class="data" id="gap-summary">
                <caption>{format!("Gaps for {first}, in percentage points (England: {})", d.national_period)}</caption>
                <thead><tr>
                    <th scope="col">"Gap"</th>
                    <th scope="col" class="num">"Absence"</th><th scope="col" class="num">"Absence gap"</th><th scope="col" class="num">"England"</th><th scope="col" class="num">"Change on last year"</th>
                    <th scope="col" class="num">"PA gap"</th><th scope="col" class="num">"England"</th><th scope="col" class="num">"Change on last year"</th>
                </tr></thead>
                <tbody>
                    {d.gaps.iter().map(|g| {
                        let c = g.cells.first().cloned().unwrap_or_default();
                        let change = |now: Option<f64>, last: Option<f64>| pp(now.zip(last).map(|(a, b)| a - b));
                        view! {
                            <tr>
                                <th scope="row"><a href=format!("#gap-{}", g.key)>{g.name.clone()}</a></th>
                                <td class="num">{format!("{} / {}", pct(c.of_absence), pct(c.against_absence))}</td>
                                <td class="num">{pp(c.absence)}</td>
                                <td class="num">{pp(g.national.map(|n| n.0))}</td>
                                <td class="num">{change(c.absence, c.last_absence)}</td>
                                <td class="num">{pp(c.pa)}</td>
                                <td class="num">{pp(g.national.map(|n| n.1))}</td>
                                <td class="num">{change(c.pa, c.last_pa)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <div class="gap-charts">
                {d.gaps.iter().map(|g| {
                    let places = d.places.clone();
                    view! {
                        <figure class="chart" id=format!("gap-{}", g.key)>
                            <div inner_html=g.svg.clone()></div>
                            <figcaption>
                                <details>
                                    <summary>{format!("{} by academy, as a table", g.name)}</summary>
                                    <table class="data">
                                        <thead><tr>
                                            <th scope="col">""</th>
                                            <th scope="col" class="num">{g.of_label.clone()}</th>
                                            <th scope="col" class="num">{g.against_label.clone()}</th>
                                            <th scope="col" class="num">"Gap"</th>
                                            <th scope="col" class="num">"Last year"</th>
                                            <th scope="col" class="num">"PA gap"</th>
                                            <th scope="col" class="num">"Last year"</th>
                                        </tr></thead>
                                        <tbody>
                                            {places.iter().zip(g.cells.iter()).map(|(p, c)| view! {
                                                <tr>
                                                    <th scope="row">{p.name.clone()}</th>
                                                    <td class="num">{pct(c.of_absence)}</td>
                                                    <td class="num">{pct(c.against_absence)}</td>
                                                    <td class="num">{pp(c.absence)}</td>
                                                    <td class="num">{pp(c.last_absence)}</td>
                                                    <td class="num">{pp(c.pa)}</td>
                                                    <td class="num">{pp(c.last_pa)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                </details>
                            </figcaption>
                        </figure>
                    }
                }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn ByTable(d: CohortsData, params: ViewParams) -> impl IntoView {
    let filter = d.filter.clone();
    let by = d.by;
    let with_group = {
        let (params, filter) = (params.clone(), filter.clone());
        move |g: &str| {
            let mut f = filter.clone();
            let _ = f.set(by, Some(g.to_string()));
            cohorts_href(&params, &f, by)
        }
    };
    view! {
        <section aria-labelledby="by-h">
            <h2 id="by-h">{format!("By {}", by.label().to_lowercase())}</h2>
            <nav class="tabs" aria-label="Pupil characteristic">
                {Dimension::ALL.into_iter().map(|dim| {
                    let href = cohorts_href(&params, &filter, dim);
                    let current = (dim == by).then_some("page");
                    view! { <a href=href aria-current=current>{dim.label()}</a> }
                }).collect_view()}
            </nav>
            <div class="table-scroll" tabindex="0">
                <table class="data side-by-side" id="cohort-table">
                    <caption>{format!("Absence and persistent absence by {}: {}", by.label().to_lowercase(), d.filter.describe())}</caption>
                    <thead>
                        <tr>
                            <th scope="col" rowspan="2">{by.label()}</th>
                            {d.places.iter().map(|p| {
                                let name = match &p.urn {
                                    Some(u) => view! { <a href=format!("/academy/{u}{}", params.query(None))>{p.name.clone()}</a> }.into_any(),
                                    None => p.name.clone().into_any(),
                                };
                                view! { <th scope="colgroup" colspan="3">{name}</th> }
                            }).collect_view()}
                        </tr>
                        <tr>
                            {d.places.iter().map(|_| view! {
                                <th scope="col" class="num">"Pupils"</th><th scope="col" class="num">"Absence"</th><th scope="col" class="num">"PA"</th>
                            }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="total">
                            <th scope="row">{d.filter.describe()}</th>
                            {d.totals.iter().map(|c| view! { <CellView c=c.clone()/> }).collect_view()}
                        </tr>
                        {d.table.iter().map(|(g, cells)| {
                            let href = with_group(g);
                            view! {
                                <tr>
                                    <th scope="row"><a href=href title="Keep only this group">{by.group_label(g)}</a></th>
                                    {cells.iter().map(|c| view! { <CellView c=c.clone()/> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn CellView(c: Cell) -> impl IntoView {
    let n = if c.suppressed {
        "x".to_string()
    } else {
        c.figures
            .as_ref()
            .map(|f| crate::format::count(f.enrolments))
            .unwrap_or_else(|| "0".into())
    };
    view! {
        <td class="num">{n}</td>
        <td class="num">{shown_rate(&c, Figures::absence_rate)}</td>
        <td class="num">{shown_rate(&c, Figures::pa_rate)}</td>
    }
}
