//! The attendance lead's daily lists (`/actions`): thresholds crossed this week, pupils
//! at risk of persistent absence, the penalty-notice threshold, possible children
//! missing education, unexplained absence left open, certificates. Pupil level: trust
//! and academy staff only; every view is in the audit log. Each list downloads as CSV
//! for Excel.

use crate::view::{AcademySelect, Page, ScrollTable, Section};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use queries::types::ACTION_LISTS;

/// What the page shows, from the URL.
pub use crate::reports::actions::{ActionChoice, ActionsData};

#[server]
pub async fn get_actions(choice: ActionChoice) -> Result<ActionsData, ServerFnError> {
    crate::reports::serve::<crate::reports::actions::Report>(choice).await
}

#[component]
pub fn ActionsPage() -> impl IntoView {
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        query.with(|q| ActionChoice {
            list: q.get("list").unwrap_or_default(),
            academy: q.get("academy").filter(|a| !a.is_empty()),
            open_n_days: q.get("open_n_days").and_then(|h| h.parse().ok()),
        })
    });
    view! {
        <Page title="Action lists" lead="Who needs a letter, a meeting, a call or a referral, from last night's registers." data=Resource::new(move || choice.get(), get_actions) body=|d| view! { <ActionsBody d/> }/>
    }
}

#[component]
fn ActionsBody(d: ActionsData) -> impl IntoView {
    let c = d.choice.clone();
    let list = c.list().to_string();
    let csv = format!("/api/v1/actions?{}&format=csv", c.query(&list));
    let t = d.table.clone();
    let n_cols = t.columns.len() + 3;
    view! {
        <nav class="tabs" aria-label="Lists">
            {ACTION_LISTS.iter().zip(d.counts).map(|((k, label), n)| {
                let current = (*k == list).then_some("page");
                view! { <a href=format!("/actions?{}", c.query(k)) aria-current=current>{format!("{label} ({n})")}</a> }
            }).collect_view()}
        </nav>
        <form method="get" action="/actions" class="window-form">
            <input type="hidden" name="list" value=list.clone()/>
            <AcademySelect academies=d.academies.clone() selected=c.academy.clone() all=true/>
            <label>"Unexplained absence open after (school days) "
                <input type="number" name="open_n_days" min="0" max="190" value=d.open_n_days.to_string()/>
            </label>
            <button type="submit">"Show"</button>
        </form>
        <Section id="list-h" heading=format!("{} ({})", t.title, t.rows.len())>
            <p class="rule">{t.rule.clone()}</p>
            <p><a href=csv download="">"Download as CSV (opens in Excel)"</a></p>
            <ScrollTable id="action-list">
                <thead><tr>
                    <th scope="col">"Pupil"</th><th scope="col">"Year"</th><th scope="col">"Academy"</th>
                    {t.columns.iter().map(|c| view! { <th scope="col">{c.clone()}</th> }).collect_view()}
                </tr></thead>
                <tbody>
                    {t.rows.is_empty().then(|| view! { <tr><td colspan=n_cols.to_string()>"Nobody on this list."</td></tr> })}
                    {t.rows.iter().map(|(p, cells)| {
                        let academy = d.academies.iter().find(|a| a.urn == p.urn).map(|a| a.name.clone()).unwrap_or_else(|| p.urn.clone());
                        view! {
                            <tr>
                                <th scope="row"><a href=crate::pages::pupil::pupil_href(&p.urn, &p.pupil_id)>{p.name.clone()}</a><br/><small>{p.upn.clone().unwrap_or_else(|| p.pupil_id.clone())}</small></th>
                                <td>{p.year_group.clone()}</td>
                                <td>{academy}</td>
                                {cells.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </ScrollTable>
        </Section>
    }
}
