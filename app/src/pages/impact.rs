//! Whether it works (`/impact`): for each academy, attendance before and after each kind
//! of action against like pupils with none, and how quickly the academy acts once a
//! pupil falls below 90%. Trust and academy staff; figures only, no pupil named.

use crate::reports::impact::{ImpactData, LIMITS};
use crate::view::{pct, AcademySelect, Page, ScrollTable, Section};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

#[server]
pub async fn get_impact(academy: Option<String>) -> Result<ImpactData, ServerFnError> {
    let today = crate::reports::cases::today();
    crate::reports::serve::<crate::reports::impact::Report>((academy, today)).await
}

#[component]
pub fn ImpactPage() -> impl IntoView {
    let query = use_query_map();
    let academy = Memo::new(move |_| query.with(|q| q.get("academy").filter(|a| !a.is_empty())));
    view! {
        <Page
            title="Whether it works"
            lead="What happened to attendance after each kind of action, against like pupils with none, and how quickly each academy acts."
            data=Resource::new(move || academy.get(), get_impact)
            body=|d| view! { <ImpactBody d/> }
        />
    }
}

/// Points of change, signed, to one decimal place.
fn points(x: Option<f64>) -> String {
    x.map(|v| format!("{v:+.1} pp"))
        .unwrap_or_else(|| "–".into())
}

#[component]
fn ImpactBody(d: ImpactData) -> impl IntoView {
    let csv = match &d.academy {
        Some(a) => format!("/api/v1/interventions/impact?academy={a}&format=csv"),
        None => "/api/v1/interventions/impact?format=csv".into(),
    };
    let compliance_rows = d.rows.clone();
    view! {
        <form method="get" action="/impact" class="window-form">
            <AcademySelect academies=d.academies.clone() selected=d.academy.clone() all=true/>
            <button type="submit">"Show"</button>
        </form>
        <p class="rule">{LIMITS}</p>
        <p><a href=csv download="">"Download as CSV"</a></p>
        <Section id="compliance-h" heading="From falling below 90% to a first action">
            <ScrollTable id="compliance">
                <thead><tr>
                    <th scope="col">"Academy"</th>
                    <th scope="col" class="num">"Pupils below 90% this year"</th>
                    <th scope="col" class="num">"With an action since"</th>
                    <th scope="col" class="num">"Median days to the first action"</th>
                    <th scope="col" class="num">"Waiting for one"</th>
                    <th scope="col" class="num">"Longest wait (days)"</th>
                </tr></thead>
                <tbody>
                    {compliance_rows.into_iter().map(|r| {
                        let c = r.compliance;
                        view! {
                            <tr>
                                <th scope="row">{r.academy.name}</th>
                                <td class="num">{c.crossed}</td>
                                <td class="num">{c.acted}</td>
                                <td class="num">{c.median_days.map(|m| format!("{m:.1}")).unwrap_or_else(|| "–".into())}</td>
                                <td class="num">{c.waiting}</td>
                                <td class="num">{c.longest_wait.map(|w| w.to_string()).unwrap_or_else(|| "–".into())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </ScrollTable>
            <p class="note">{format!(
                "Below 90%: attendance this academic year to the end of a school week; the clock starts on that week's Monday. Actions: any that moves a case on (a letter, call, visit, meeting, plan, contract, referral or notice); notifications to the local authority do not count. Waits to {}.",
                d.today.format("%-d %b %Y")
            )}</p>
        </Section>
        {d.rows.into_iter().map(|r| {
            let id = format!("impact-{}", r.academy.urn);
            let label = id.clone();
            view! {
                <section aria-labelledby=label class="impact">
                    <h2 id=id>{format!("{}: before and after", r.academy.name)}</h2>
                    <ScrollTable>
                        <thead><tr>
                            <th scope="col">"Action"</th>
                            <th scope="col" class="num">"Pupils"</th>
                            <th scope="col" class="num">"Before"</th>
                            <th scope="col" class="num">"After"</th>
                            <th scope="col" class="num">"Change"</th>
                            <th scope="col" class="num">"Like pupils compared"</th>
                            <th scope="col" class="num">"Their change"</th>
                            <th scope="col" class="num">"Difference"</th>
                            <th scope="col" class="num">"Not yet measurable"</th>
                        </tr></thead>
                        <tbody>
                            {r.kinds.is_empty().then(|| view! { <tr><td colspan="9">"No actions recorded this year."</td></tr> })}
                            {r.kinds.into_iter().map(|k| view! {
                                <tr>
                                    <th scope="row">{k.kind.label()}</th>
                                    <td class="num">{k.actions}</td>
                                    <td class="num">{pct(k.before)}</td>
                                    <td class="num">{pct(k.after)}</td>
                                    <td class="num">{points(k.change())}</td>
                                    <td class="num">{k.compared}</td>
                                    <td class="num">{points(k.comparison_change)}</td>
                                    <td class="num"><strong>{points(k.difference)}</strong></td>
                                    <td class="num">{k.not_yet}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </ScrollTable>
                </section>
            }
        }).collect_view()}
    }
}
