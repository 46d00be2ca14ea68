//! The trust overview (`/`): one row per academy against last year and England, its
//! region and its local authority; a weekly trend for the trust and for each academy.

use crate::chart::ChartImage;
use crate::view::{loaded, Heading};
use leptos::prelude::*;
use queries::types::Figures;

pub use crate::reports::overview::{Overview, OverviewRow};

use crate::view::{pct, pp, use_view_params, ScopeNote, ViewParams, WindowForm};

#[server]
pub async fn get_overview(params: ViewParams) -> Result<Overview, ServerFnError> {
    crate::reports::serve::<crate::reports::overview::Report>(
        params.choice().map_err(crate::reports::bad_request)?,
    )
    .await
}

/// Absence change against last year, in percentage points.
fn change(now: &Figures, last: &Option<Figures>) -> Option<f64> {
    Some(now.absence_rate()? - last.as_ref()?.absence_rate()?)
}

fn sort_rows(rows: &mut [OverviewRow], key: &str, desc: bool) {
    let value = |r: &OverviewRow| -> f64 {
        let f = &r.figures;
        match key {
            "enrolments" => f.enrolments as f64,
            "attendance" => f.attendance_rate().unwrap_or(-1.0),
            "absence" => f.absence_rate().unwrap_or(-1.0),
            "pa" => f.pa_rate().unwrap_or(-1.0),
            "sa" => f.sa_rate().unwrap_or(-1.0),
            "change" => change(f, &r.last_year).unwrap_or(f64::MIN),
            _ => 0.0,
        }
    };
    if key == "name" {
        rows.sort_by(|a, b| a.academy.name.cmp(&b.academy.name));
    } else {
        rows.sort_by(|a, b| value(a).total_cmp(&value(b)));
    }
    if desc {
        rows.reverse();
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let params = use_view_params();
    let key = Memo::new(move |_| params.get().figures_key());
    let data = Resource::new(move || key.get(), get_overview);
    view! {
        <Heading title="Trust overview"/>
        <WindowForm params action="/".to_string()/>
        {loaded(data, move |o| view! { <OverviewBody o params/> })}
    }
}

#[component]
fn SortHeader(label: &'static str, key: &'static str, params: Memo<ViewParams>) -> impl IntoView {
    let href = move || {
        let p = params.get();
        let desc = p.sort.as_deref() == Some(key) && !p.desc;
        p.query(Some((key, desc)))
    };
    let aria = move || {
        let p = params.get();
        match (p.sort.as_deref() == Some(key), p.desc) {
            (true, true) => "descending",
            (true, false) => "ascending",
            _ => "none",
        }
    };
    view! { <th scope="col" class="num" aria-sort=aria><a href=href>{label}</a></th> }
}

#[component]
fn OverviewBody(o: Overview, params: Memo<ViewParams>) -> impl IntoView {
    let rows = StoredValue::new(o.rows.clone());
    let sorted = move || {
        let p = params.get();
        let mut r = rows.get_value();
        if let Some(key) = p.sort.as_deref() {
            if !r.is_empty() {
                sort_rows(&mut r, key, p.desc);
            }
        }
        r
    };
    let trust = o.trust.clone();
    let trust_change = change(&o.trust, &o.trust_last_year);
    let q = move || params.get().query(None);
    view! {
        <ScopeNote window=o.window.clone() scope=o.scope>
            {o.window.last_year.map(|(f, t)| format!(" · compared with {} to {}", f.format("%-d %b %Y"), t.format("%-d %b %Y")))}
        </ScopeNote>
        <p class="rule">{if o.same_dates {
            "Every academy's window falls on the same dates. Named windows follow each academy's own term dates, read from its registers; the trust's figures are the sum of its academies' own windows.".to_string()
        } else {
            "Academies' term dates differ: each academy's figures are over its own window (dates under its name), and the trust's are the sum of its academies' own windows.".to_string()
        }}</p>
        {if trust.withheld.all {
            view! { <p class="note">"The trust's own figures are for those who see the whole trust (beside one academy's, they would give the others' away)."</p> }.into_any()
        } else {
            view! {
                <section class="headline" aria-label="Trust figures">
                    <div><span class="big">{crate::view::rate(&trust, Figures::attendance_rate)}</span>" attendance"</div>
                    <div><span class="big">{crate::view::rate(&trust, Figures::absence_rate)}</span>" absence"
                        <small>{format!(" ({} authorised, {} unauthorised)", crate::view::rate(&trust, Figures::authorised_rate), crate::view::rate(&trust, Figures::unauthorised_rate))}</small></div>
                    <div><span class="big">{crate::view::pa(&trust)}</span>" persistently absent"</div>
                    <div><span class="big">{crate::view::sa(&trust)}</span>" severely absent"</div>
                    <div><span class="big">{pp(trust_change)}</span>" absence against last year"</div>
                </section>
            }.into_any()
        }}
        <table class="data overview">
            <caption>"Academies: " {o.window.name.clone()} ", " {o.scope.label()} ". England, region and local authority: DfE 2025/26 to date, the academy's phase."</caption>
            <thead>
                <tr>
                    <th scope="col"><a href=move || params.get().query(Some(("name", false)))>"Academy"</a></th>
                    <SortHeader label="Enrolments" key="enrolments" params/>
                    <SortHeader label="Attendance" key="attendance" params/>
                    <SortHeader label="Absence (auth / unauth)" key="absence" params/>
                    <SortHeader label="PA" key="pa" params/>
                    <SortHeader label="SA" key="sa" params/>
                    <SortHeader label="Change vs last year" key="change" params/>
                    <th scope="col" class="num">"England"</th>
                    <th scope="col" class="num">"Region"</th>
                    <th scope="col" class="num">"LA"</th>
                </tr>
            </thead>
            <tbody>
                <For each=sorted key=|r| r.academy.urn.clone() let:r>
                    {
                        let href = format!("/academy/{}{}", r.academy.urn, q());
                        let f = r.figures.clone();
                        let ch = change(&f, &r.last_year);
                        let bench = |level: &str| {
                            r.benchmarks.iter().find(|b| b.level == level).map(|b| {
                                let title = format!("{} {} {}: absence {}, PA {}", b.area, b.phase, b.period, pct(b.absence_rate), pct(b.pa_rate));
                                view! { <td class="num" title=title>{pct(b.absence_rate)}<br/><small>{format!("PA {}", pct(b.pa_rate))}</small></td> }.into_any()
                            }).unwrap_or_else(|| view! { <td class="num">"–"</td> }.into_any())
                        };
                        view! {
                            <tr>
                                <th scope="row"><a href=href.clone()>{r.academy.name.clone()}</a><br/><small>{format!("{} · {}", r.academy.phase, r.academy.local_authority)}</small>
                                    {(!o.same_dates).then(|| r.window.as_ref().map(|w| view! { <br/><small class="own-window">{format!("{} to {}", w.from.format("%-d %b"), w.to.format("%-d %b %Y"))}</small> }))}
                                </th>
                                <td class="num">{crate::view::enrolments(&f)}</td>
                                <td class="num"><a href=href.clone()>{crate::view::rate(&f, Figures::attendance_rate)}</a></td>
                                <td class="num"><a href=format!("{href}#reasons")>{crate::view::rate(&f, Figures::absence_rate)}</a><br/><small>{format!("{} / {}", crate::view::rate(&f, Figures::authorised_rate), crate::view::rate(&f, Figures::unauthorised_rate))}</small></td>
                                <td class="num"><a href=format!("{href}#year-groups")>{crate::view::pa(&f)}</a></td>
                                <td class="num">{crate::view::sa(&f)}</td>
                                <td class=move || format!("num {}", match ch { Some(c) if c > 0.05 => "worse", Some(c) if c < -0.05 => "better", _ => "" })>{pp(ch)}</td>
                                {bench("national")}
                                {bench("regional")}
                                {bench("local-authority")}
                            </tr>
                        }
                    }
                </For>
            </tbody>
        </table>
        <crate::trend::TrendChart trend=o.trend.clone() caption="trust absence by week"/>
        <h2>"Each academy by week"</h2>
        <div class="multiples">
            {o.rows.iter().map(|r| {
                let href = format!("/academy/{}", r.academy.urn);
                view! { <a class="multiple" href=href><ChartImage chart=r.trend.clone()/></a> }
            }).collect_view()}
        </div>
        <details>
            <summary>"Data table: each academy's absence by week"</summary>
            <div class="scroll">
                <table class="data">
                    <thead>
                        <tr>
                            <th scope="col">"Week beginning"</th>
                            {o.rows.iter().map(|r| view! { <th scope="col" class="num">{r.academy.name.clone()}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {o.trend.table.iter().enumerate().map(|(i, (w, _, _))| view! {
                            <tr>
                                <td>{w.format("%-d %b %Y").to_string()}</td>
                                {o.rows.iter().map(|r| view! { <td class="num">{pct(r.weeks.get(i).copied().flatten())}</td> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
    }
}
