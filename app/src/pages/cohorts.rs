//! Cohort comparisons (`/cohorts`): which groups of pupils are falling behind. Gaps
//! between groups (FSM, SEN, EAL, looked after, sex) per academy against the national
//! gaps and last year, and every characteristic side by side for the trust and each
//! academy, for the pupils the filters keep (all held in the URL).

use crate::chart::ChartImage;
use crate::view::{loaded, ScrollTable, Section};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::types::{CohortFilter, Dimension, Figures};

use crate::view::{pct, pp, use_view_params, ScopeNote, ViewParams, WindowForm};

/// The trust (no URN) or an academy.
pub use crate::reports::cohorts::{Cell, CohortsData, GapCell, GapView, Place};

#[server]
pub async fn get_cohorts(
    params: ViewParams,
    #[server(default)] filter: CohortFilter,
    by: String,
) -> Result<CohortsData, ServerFnError> {
    use crate::reports::{bad_request, cohorts, params::bad};
    let window = params.choice().map_err(bad_request)?;
    let by = Dimension::parse(&by)
        .ok_or_else(|| bad_request(bad("by", format!("\"{by}\" is not a pupil characteristic"))))?;
    crate::reports::serve::<cohorts::Report>(cohorts::ssr::Params { window, filter, by }).await
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
    let who = Resource::new(|| (), |_| crate::whoami());
    let data = Resource::new(
        move || (params.get().figures_key(), choice.get()),
        |(p, (filter, by))| get_cohorts(p, filter, by.as_str().to_string()),
    );
    view! {
        <Title text="Cohorts"/>
        <h1>"Cohorts"</h1>
        <p class="lead">"Which groups of pupils are falling behind: the gaps between groups at each academy, against England and last year, and every pupil characteristic side by side."</p>
        <WindowForm params action="/cohorts".to_string()>
            // Filters are for staff, who see pupils already: governors get the
            // standard breakdowns only (a filtered view could be differenced).
            <input type="hidden" name="by" value=choice.get_untracked().1.as_str()/>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let staff = matches!(who.await, Ok(Some(p)) if p.sees_pupils());
                    staff.then(|| view! { <FilterFields choice=choice.get_untracked()/> })
                })}
            </Suspense>
        </WindowForm>
        {loaded(data, move |d| view! { <CohortsBody d params=params.get_untracked()/> })}
    }
}

/// The filter selects (any, or one group of each characteristic) and the dimension
/// shown, as fields of the window form.
#[component]
fn FilterFields(choice: (CohortFilter, Dimension)) -> impl IntoView {
    let (filter, _) = choice;
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
        </fieldset>
    }
}

fn shown_rate(c: &Cell, rate: fn(&Figures) -> Option<f64>) -> String {
    match &c.figures {
        _ if c.suppressed => "x".into(),
        // A count withheld alone (a small PA or SA count): its rate is x.
        Some(f) if rate(f).is_none() && f.is_withheld() => "x".into(),
        f => pct(f.as_ref().and_then(rate)),
    }
}

#[component]
fn CohortsBody(d: CohortsData, params: ViewParams) -> impl IntoView {
    let clear = cohorts_href(&params, &CohortFilter::default(), d.by);
    let (filter, filtered) = (d.filter.describe(), !d.filter.is_empty());
    view! {
        <ScopeNote window=d.window.clone() scope=d.scope>
            " · "
            <strong class="filter-summary">{filter}</strong>
            {filtered.then(|| view! { " · " <a href=clear.clone()>"Clear the filters"</a> })}
        </ScopeNote>
        {d.suppressing.then(|| view! {
            <p class="note">"Counts below the trust's threshold (a group's pupils, or the persistently or severely absent among them) are shown as x, and so is whatever would let one be worked out from the totals beside it."</p>
        })}
        <GapsSection d=d.clone()/>
        <ByTable d=d.clone() params=params.clone()/>
    }
}

#[component]
fn GapsSection(d: CohortsData) -> impl IntoView {
    let first = d.places.first().map(|p| p.name.clone()).unwrap_or_default();
    view! {
        <Section id="gaps-h" heading="Gaps">
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
                            <div><ChartImage chart=g.chart.clone()/></div>
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
        </Section>
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
        <Section id="by-h" heading=format!("By {}", by.label().to_lowercase())>
            <nav class="tabs" aria-label="Pupil characteristic">
                {Dimension::ALL.into_iter().map(|dim| {
                    let href = cohorts_href(&params, &filter, dim);
                    let current = (dim == by).then_some("page");
                    view! { <a href=href aria-current=current>{dim.label()}</a> }
                }).collect_view()}
            </nav>
            <ScrollTable id="cohort-table" class="data side-by-side">
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
            </ScrollTable>
        </Section>
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
