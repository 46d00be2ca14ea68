//! The attendance lead's daily lists (`/actions`): thresholds crossed this week, pupils
//! at risk of persistent absence, the penalty-notice threshold, possible children
//! missing education, unexplained absence left open, certificates, each pupil with
//! their case's stage and next step (filter by it; "Open" leads to the case and its
//! form). Pupil level: trust and academy staff only; every view is in the audit log.
//! Each list downloads as CSV for Excel.

use crate::view::{AcademySelect, Page, ScrollTable, Section};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use queries::cases::Stage;
use queries::types::{Dimension, ACTION_LISTS};

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
            year: q.get("year").filter(|y| !y.is_empty()),
            stage: q.get("stage").filter(|s| !s.is_empty()),
            sort: q.get("sort").and_then(|c| c.parse().ok()),
            desc: q.get("dir").as_deref() == Some("desc"),
            page: q.get("page").and_then(|p| p.parse().ok()),
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
    let paging = d.paging.clone();
    let letters_for = d.letters_for.clone();
    let n_cols = t.columns.len() + 4 + usize::from(letters_for.is_some());
    let heading = if paging.rows == paging.of {
        format!("{} ({})", t.title, paging.of)
    } else {
        format!("{} ({} of {})", t.title, paging.rows, paging.of)
    };
    // The list's year groups, and the one chosen even when this list has none of it.
    let mut year_choices = paging.year_groups.clone();
    if let Some(y) = c.year.clone().filter(|y| !year_choices.contains(y)) {
        year_choices.push(y);
    }
    let headers: Vec<String> = ["Pupil", "Year", "Academy"]
        .into_iter()
        .map(String::from)
        .chain(t.columns.iter().cloned())
        .collect();
    let header = {
        let c = c.clone();
        move |(i, name): (usize, String)| {
            let sorted =
                (c.sort == Some(i)).then_some(if c.desc { "descending" } else { "ascending" });
            let hint = match sorted {
                Some("ascending") => format!("{name}, sorted smallest first: sort largest first"),
                Some(_) => format!("{name}, sorted largest first: sort smallest first"),
                None => format!("Sort by {name}"),
            };
            let arrow = match sorted {
                Some("ascending") => " ▲",
                Some(_) => " ▼",
                None => "",
            };
            view! {
                <th scope="col" aria-sort=sorted>
                    <a href=c.sorted_by(i) title=hint.clone() aria-label=hint>{name}{arrow}</a>
                </th>
            }
        }
    };
    let pages = {
        let c = c.clone();
        let p = paging.clone();
        move || {
            (p.pages > 1).then(|| {
                let (first, last) = p.showing().unwrap_or((0, 0));
                let prev = (p.page > 1).then(|| view! { <a href=c.at_page(p.page - 1) rel="prev">"Previous page"</a> });
                let next = (p.page < p.pages).then(|| view! { <a href=c.at_page(p.page + 1) rel="next">"Next page"</a> });
                view! {
                    <nav class="pages" aria-label="Pages of the list">
                        {prev}
                        <span>{format!("Page {} of {} (rows {first} to {last} of {})", p.page, p.pages, p.rows)}</span>
                        {next}
                    </nav>
                }
            })
        }
    };
    view! {
        <nav class="tabs" aria-label="Lists">
            {ACTION_LISTS.iter().zip(d.counts).map(|((k, label), n)| {
                let current = (*k == list).then_some("page");
                view! { <a href=c.tab(k) aria-current=current>{format!("{label} ({n})")}</a> }
            }).collect_view()}
        </nav>
        <form method="get" action="/actions" class="window-form">
            <input type="hidden" name="list" value=list.clone()/>
            {c.sort.map(|s| view! { <input type="hidden" name="sort" value=s.to_string()/> })}
            {c.desc.then(|| view! { <input type="hidden" name="dir" value="desc"/> })}
            <AcademySelect academies=d.academies.clone() selected=c.academy.clone() all=true/>
            <label>"Year group "
                <select name="year">
                    <option value="" selected=c.year.is_none()>"All year groups"</option>
                    {year_choices.into_iter().map(|y| {
                        let chosen = c.year.as_deref() == Some(y.as_str());
                        let label = Dimension::YearGroup.group_label(&y);
                        view! { <option value=y selected=chosen>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Stage "
                <select name="stage">
                    <option value="" selected=c.stage.is_none()>"Any stage"</option>
                    {Stage::ALL.into_iter().map(|s| {
                        let chosen = c.stage.as_deref() == Some(s.key());
                        view! { <option value=s.key() selected=chosen>{s.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>"Unexplained absence open after (school days) "
                <input type="number" name="open_n_days" min="0" max="190" value=d.open_n_days.to_string()/>
            </label>
            <button type="submit">"Show"</button>
        </form>
        <Section id="list-h" heading=heading>
            <p class="rule">{t.rule.clone()}</p>
            <p><a href=csv download="">"Download as CSV: the whole list (opens in Excel)"</a></p>
            {letters_for.clone().map(|urn| view! {
                <form id="letters-form" class="letters" method="post" action=format!("/academy/{urn}/letters")>
                    <p>"Tick the pupils to write to, then make their letters: one PDF, a letter a page, in the trust's wording for the threshold each crossed. Each is recorded on the pupil's case as a letter sent today."</p>
                    <button type="submit">"Make letters for the pupils ticked (PDF)"</button>
                </form>
            })}
            {pages.clone()}
            <ScrollTable id="action-list">
                <thead><tr>
                    {letters_for.is_some().then(|| view! { <th scope="col"><span class="sr-only">"Letter"</span></th> })}
                    {headers.into_iter().enumerate().map(header).collect_view()}
                    <th scope="col">"Case"</th>
                </tr></thead>
                <tbody>
                    {t.rows.is_empty().then(|| view! { <tr><td colspan=n_cols.to_string()>"Nobody on this list."</td></tr> })}
                    {t.rows.iter().map(|(p, cells)| {
                        let academy = d.academies.iter().find(|a| a.urn == p.urn).map(|a| a.name.clone()).unwrap_or_else(|| p.urn.clone());
                        let tick = letters_for.as_ref().map(|urn| {
                            let mine = *urn == p.urn;
                            view! {
                                <td>{mine.then(|| view! {
                                    <label>
                                        <input type="checkbox" form="letters-form" name="pupil" value=p.pupil_id.clone()/>
                                        <span class="sr-only">{format!("Write to the parents of {}", p.name)}</span>
                                    </label>
                                })}</td>
                            }
                        });
                        view! {
                            <tr>
                                {tick}
                                <th scope="row"><a href=crate::pages::pupil::pupil_href(&p.urn, &p.pupil_id)>{p.name.clone()}</a><br/><small>{p.upn.clone().unwrap_or_else(|| p.pupil_id.clone())}</small></th>
                                <td>{p.year_group.clone()}</td>
                                <td>{academy}</td>
                                {cells.iter().map(|c| view! { <td>{c.clone()}</td> }).collect_view()}
                                <td><a href=format!("{}#case", crate::pages::pupil::pupil_href(&p.urn, &p.pupil_id))>"Open"<span class="sr-only">{format!(" the case of {}", p.name)}</span></a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </ScrollTable>
            {pages}
        </Section>
    }
}
