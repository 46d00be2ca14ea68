//! A principal's self-evaluation pack (`/academy/{urn}/sef`): the attendance section
//! of the academy's self-evaluation, with its evidence. The year to date and a
//! three-year trend against the trust and England; cohort gaps; reasons for absence;
//! persistent and severe absence by half term; alternative provision and reduced
//! timetables; and strengths and concerns stated from those figures. Every table
//! downloads as CSV, every chart as SVG and PNG, the whole as PDF
//! (`/academy/{urn}/sef.pdf`, `/academy/{urn}/sef/{key}.csv|svg|png`). Aggregates
//! only, for the academy's staff and the trust (not governors, who have their summary).

use crate::chart::ChartImage;
use crate::view::found;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::types::Scope;

use crate::pages::governors::Table;
use crate::view::{pct, use_route_urn, ScopeSelect};

/// A table of the pack, by its key (the CSV's name).
pub use crate::reports::sef::{PackChart, PackTable, SefPack, NOTE};

#[server]
pub async fn get_sef(urn: String, scope: Option<String>) -> Result<Option<SefPack>, ServerFnError> {
    use crate::reports::{bad_request, params, sef};
    let scope = params::scope(scope.as_deref(), Scope::Dfe).map_err(bad_request)?;
    crate::reports::serve::<sef::Report>(sef::Params { urn, scope }).await
}

#[component]
pub fn SefPage() -> impl IntoView {
    let urn = use_route_urn();
    let query = use_query_map();
    let key = Memo::new(move |_| (urn.get(), query.with(|q| q.get("scope"))));
    let data = Resource::new(move || key.get(), |(urn, scope)| get_sef(urn, scope));
    view! {
        {found(data, |p| view! { <SefBody p/> })}
    }
}

#[component]
fn SefBody(p: SefPack) -> impl IntoView {
    let base = format!("/academy/{}/sef", p.academy.urn);
    let q = format!("?scope={}", p.scope.as_str());
    let sections = p
        .tables
        .iter()
        .map(|t| {
            let chart = p.chart(&t.key).map(|c| c.chart.clone());
            let id = format!("sef-{}", t.key);
            let csv = format!("{base}/{}.csv{q}", t.key);
            let files = chart.is_some().then(|| {
                (
                    format!("{base}/{}.svg{q}", t.key),
                    format!("{base}/{}.png{q}", t.key),
                )
            });
            let label = id.clone();
            view! {
                <section class="sef" aria-labelledby=label>
                    <h2 id=id>{t.title.clone()}</h2>
                    {chart.map(|chart| view! { <div class="chart svg"><ChartImage chart/></div> })}
                    <Table caption=t.title.clone() head=t.head.clone() rows=t.rows.clone() quiet=true/>
                    <ul class="downloads no-print">
                        <li><a href=csv download>"Table as CSV"</a></li>
                        {files.map(|(svg, png)| view! {
                            <li><a href=svg download>"Chart as SVG"</a></li>
                            <li><a href=png download>"Chart as PNG"</a></li>
                        })}
                    </ul>
                </section>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{}: self-evaluation pack", p.academy.name)/>
        <p class="crumbs no-print"><a href=format!("/academy/{}", p.academy.urn)>{p.academy.name.clone()}</a>" › self-evaluation pack"</p>
        <h1>{format!("{}: attendance self-evaluation", p.academy.name)}</h1>
        <p class="lead">{format!("URN {} · {} · {} · {} ({} to {})", p.academy.urn, p.academy.phase, p.academy.local_authority, p.window, p.from.format("%-d %b %Y"), p.to.format("%-d %b %Y"))}</p>
        <form method="get" action=base.clone() class="window-form no-print">
            <ScopeSelect selected=p.scope default=Scope::Dfe/>
            <button type="submit">"Show"</button>
            <a class="button" href=format!("{base}.pdf{q}") download>"Download the pack (PDF)"</a>
        </form>
        <section class="headline" aria-label="Year to date">
            <div><span class="big">{pct(p.now.attendance)}</span>" attendance"</div>
            <div><span class="big">{pct(p.now.absence)}</span>" absence"</div>
            <div><span class="big">{pct(p.now.pa)}</span>" persistently absent"</div>
            <div><span class="big">{pct(p.now.sa)}</span>" severely absent"</div>
        </section>
        <div class="two-even">
            <section aria-labelledby="strengths-h" class="findings good">
                <h2 id="strengths-h">"Strengths"</h2>
                <ul>{list(&p.strengths)}</ul>
            </section>
            <section aria-labelledby="concerns-h" class="findings bad">
                <h2 id="concerns-h">"Concerns"</h2>
                <ul>{list(&p.concerns)}</ul>
            </section>
        </div>
        {sections}
        <p class="note">{NOTE}</p>
    }
}

fn list(items: &[String]) -> impl IntoView {
    if items.is_empty() {
        view! { <li>"None stand out from the figures."</li> }.into_any()
    } else {
        items
            .iter()
            .map(|s| view! { <li>{s.clone()}</li> })
            .collect_view()
            .into_any()
    }
}
