//! Governors' termly summary (`/governors`): for a chosen term, each academy the
//! viewer may see (and the trust) against the previous term, the same term last year,
//! the trust and England; gaps, suppressed as for every governor's view; pupils on
//! AP and reduced timetables; and a paragraph written from those figures. Printed, one
//! A4 page per academy; `/governors/summary.pdf` is the same as a PDF.

use crate::view::found;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::types::{PlaceSummary, Scope};

use crate::view::{pct, ScopeSelect};

use crate::reports::governors::{comparison_table, gaps_table, notes, subtitle};

/// What the summary is asked for (the URL's query).
pub use crate::reports::governors::{GovernorsData, SummaryParams};

#[server]
pub async fn get_governors(params: SummaryParams) -> Result<Option<GovernorsData>, ServerFnError> {
    use crate::reports::governors;
    let choice = params.checked().map_err(crate::reports::bad_request)?;
    let Some(mut data) = crate::reports::serve::<governors::Report>(choice).await? else {
        return Ok(None);
    };
    // The cases change between loads: their counts are read now.
    let term = (data.term.from, data.term.to);
    data.stages = Some(crate::reports::serve::<governors::Stages>(term).await?);
    Ok(Some(data))
}

#[component]
pub fn GovernorsPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        query.with(|q| SummaryParams {
            term: q.get("term"),
            place: q.get("place"),
            scope: q.get("scope"),
        })
    });
    let data = Resource::new(move || params.get(), get_governors);
    view! {
        <Title text="Governors' termly summary"/>
        {found(data, move |d| view! { <GovernorsBody d params=params.get_untracked()/> })}
    }
}

#[component]
fn GovernorsBody(d: GovernorsData, params: SummaryParams) -> impl IntoView {
    let pdf = format!("/governors/summary.pdf{}", params.query(&d.term.slug));
    let threshold = d.threshold;
    view! {
        <div class="no-print">
            <h1>"Governors' termly summary"</h1>
            <p class="lead">"Attendance for a term, against last term, last year, the trust and England, with what changed in plain English. Prints one A4 page per academy."</p>
            <form method="get" action="/governors" class="window-form">
                <label>"Term "
                    <select name="term">
                        {d.terms.iter().map(|t| view! { <option value=t.slug.clone() selected=t.slug == d.term.slug>{t.label()}</option> }).collect_view()}
                    </select>
                </label>
                <label>"Academy "
                    <select name="place">
                        {d.choices.iter().map(|(v, n)| view! { <option value=v.clone() selected=*v == d.place>{n.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <ScopeSelect selected=d.scope default=Scope::Dfe/>
                <button type="submit">"Show"</button>
                <a class="button" href=pdf download>"Download PDF"</a>
            </form>
        </div>
        {d.summaries.into_iter().map(|s| view! { <PlaceSection s threshold/> }).collect_view()}
        {d.stages.map(|t| {
            let rows = t.cells(&d.place);
            let term = d.term.label();
            view! {
                <section class="stages no-print" aria-labelledby="stages-h">
                    <h2 id="stages-h">{format!("Working with families: pupils by stage, {term}")}</h2>
                    <p class="lead">"How far each academy's support went with the pupils it worked with this term, in the stages of the DfE's Working together to improve school attendance: support first, enforcement only when support has not worked."</p>
                    <Table caption="Pupils by the furthest stage their case reached this term".into() head=crate::reports::governors::StageTable::head() rows/>
                    <p class="note">{format!(
                        "Each pupil is counted once, at the furthest stage their case reached with actions recorded in the term. \
                         Listen and understand: a letter, a call or a home visit; facilitate support: an attendance meeting or a support plan; \
                         formalise support: an attendance contract or an early help referral; enforce: a notice to improve or a penalty notice requested. \
                         x: fewer than {threshold} pupils, or a number that would let one be worked out, hidden to protect them."
                    )}</p>
                </section>
            }
        })}
    }
}

#[component]
fn PlaceSection(s: PlaceSummary, threshold: u64) -> impl IntoView {
    let id = format!("place-{}", s.urn.clone().unwrap_or_else(|| "trust".into()));
    let (head, rows) = comparison_table(&s);
    let (gap_head, gap_rows) = gaps_table(&s);
    let label = id.clone();
    view! {
        <article class="summary" aria-labelledby=label>
            <h2 id=id>{format!("{}: attendance, {}", s.name, s.term.label())}</h2>
            <p class="lead">{subtitle(&s)}</p>
            <section class="headline" aria-label="This term">
                <div><span class="big">{pct(s.now.attendance)}</span>" attendance"</div>
                <div><span class="big">{pct(s.now.absence)}</span>" absence"</div>
                <div><span class="big">{pct(s.now.pa)}</span>" persistently absent"</div>
                <div><span class="big">{pct(s.now.sa)}</span>" severely absent"</div>
                <div><span class="big">{s.ap.cell()}</span>" on alternative provision"</div>
                <div><span class="big">{s.reduced_timetable.cell()}</span>" on reduced timetables"</div>
            </section>
            <h3>"What changed and what stands out"</h3>
            <div class="narrative">
                {s.sentences.iter().map(|l| view! { <p>{l.clone()}</p> }).collect_view()}
            </div>
            <Table caption="Against last term, last year, the trust and England".into() head rows/>
            <Table caption="Gaps between groups, percentage points (x: a group too small to show)".into() head=gap_head rows=gap_rows/>
            <p class="note">{notes(&s, threshold)}</p>
        </article>
    }
}

/// A table whose first column names the row.
#[component]
pub fn Table(
    caption: String,
    head: Vec<String>,
    rows: Vec<Vec<String>>,
    /// The caption for screen readers only (a heading above already says it).
    #[prop(optional)]
    quiet: bool,
) -> impl IntoView {
    view! {
        <table class="data">
            <caption class=quiet.then_some("sr-only")>{caption}</caption>
            <thead><tr>
                {head.into_iter().enumerate().map(|(i, h)| view! { <th scope="col" class=(i > 0).then_some("num")>{h}</th> }).collect_view()}
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr>{r.into_iter().enumerate().map(|(i, c)| if i == 0 {
                        view! { <th scope="row">{c}</th> }.into_any()
                    } else {
                        view! { <td class="num">{c}</td> }.into_any()
                    }).collect_view()}</tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
