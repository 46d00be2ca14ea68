//! Data quality (`/data-quality`): whether each academy's extracts arrive and load,
//! registers not taken, unexplained absence left open, and coding unlike the rest of
//! the trust or national practice.

use crate::view::{Page, ScrollTable, Section};
use leptos::prelude::*;
use queries::types::DataQuality;

#[server]
pub async fn get_data_quality() -> Result<DataQuality, ServerFnError> {
    let today = chrono::Utc::now().date_naive();
    crate::reports::serve::<crate::reports::quality::Report>(today).await
}

fn session(s: u8) -> &'static str {
    if s == 0 {
        "AM"
    } else {
        "PM"
    }
}

#[component]
pub fn DataQualityPage() -> impl IntoView {
    view! {
        <Page title="Data quality" lead="Are the extracts arriving, are registers being taken, are unexplained absences resolved, and is each academy coding like the others?" data=Resource::new(|| (), |_| get_data_quality()) body=|d| view! { <QualityBody d/> }/>
    }
}

#[component]
fn QualityBody(d: DataQuality) -> impl IntoView {
    let name = {
        let names: Vec<(String, String)> = d
            .extracts
            .iter()
            .map(|e| (e.urn.clone(), e.name.clone()))
            .collect();
        move |urn: &str| {
            names
                .iter()
                .find(|n| n.0 == urn)
                .map(|n| n.1.clone())
                .unwrap_or_else(|| urn.to_string())
        }
    };
    let name2 = name.clone();
    let name3 = name.clone();
    let name4 = name.clone();
    let date = |d: chrono::NaiveDate| d.format("%-d %b %Y").to_string();
    view! {
        <Section id="extracts-h" heading="Nightly extracts">
            <p class="rule">{format!("The latest loaded extract, and over the {} days to {}: school nights with no extract holding that day, extracts received and rejected, rows rejected.", d.lookback_days, date(d.today))}</p>
            <table class="data" id="extracts">
                <thead><tr><th scope="col">"Academy"</th><th scope="col">"Latest extract"</th><th scope="col" class="num">"Age (hours)"</th><th scope="col">"Nights missed"</th><th scope="col" class="num">"Received"</th><th scope="col" class="num">"Rejected extracts"</th><th scope="col" class="num">"Rows rejected"</th></tr></thead>
                <tbody>
                    {d.extracts.iter().map(|e| {
                        let stale = e.age_hours.is_none_or(|h| h > 36) || !e.nights_missed.is_empty();
                        view! {
                            <tr class:flagged=stale>
                                <th scope="row">{e.name.clone()}</th>
                                <td>{e.last_extracted_at.map(|t| t.format("%-d %b %Y %H:%M").to_string()).unwrap_or_else(|| "none loaded".into())}<br/><small>{e.last_day.map(|d| format!("registers to {}", d.format("%-d %b"))).unwrap_or_default()}</small></td>
                                <td class="num">{e.age_hours.map(|h| h.to_string()).unwrap_or_else(|| "–".into())}</td>
                                <td>{if e.nights_checked == 0 { "no school nights in the period".to_string() } else if e.nights_missed.is_empty() { format!("none of {}", e.nights_checked) } else { format!("{} of {}: {}", e.nights_missed.len(), e.nights_checked, e.nights_missed.iter().map(|d| d.format("%-d %b").to_string()).collect::<Vec<_>>().join(", ")) }}</td>
                                <td class="num">{e.received}</td>
                                <td class="num" title=e.rejection_reasons.join("; ")>{e.rejected_extracts}</td>
                                <td class="num">{e.rows_rejected}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <table class="data" id="rejected">
                <caption>"Rows rejected, and why"</caption>
                <thead><tr><th scope="col">"Academy"</th><th scope="col">"File"</th><th scope="col">"Column"</th><th scope="col">"Reason"</th><th scope="col" class="num">"Rows"</th><th scope="col">"For example"</th></tr></thead>
                <tbody>
                    {d.rejected.is_empty().then(|| view! { <tr><td colspan="6">"No rows rejected."</td></tr> })}
                    {d.rejected.iter().map(|g| view! {
                        <tr><th scope="row">{name(&g.urn)}</th><td><code>{g.file.clone()}</code></td><td><code>{g.column.clone()}</code></td><td>{g.reason.clone()}</td><td class="num">{g.rows}</td><td><code>{g.example.clone()}</code></td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Section>
        <Section id="held-h" heading="Held over from rejected rows">
            <p class="rule">"A rejected row never removes what it would have replaced: the previous mark for that session stays, and a pupil whose pupils.csv row was rejected keeps their previous record and marks. Each stays listed here until a later extract sends a good row."</p>
            <table class="data" id="held-over">
                <thead><tr><th scope="col">"Academy"</th><th scope="col">"Pupil (MIS id)"</th><th scope="col">"Kept"</th><th scope="col" class="num">"Marks kept"</th><th scope="col">"The rejected row"</th></tr></thead>
                <tbody>
                    {d.held_over.is_empty().then(|| view! { <tr><td colspan="5">"Nothing held over."</td></tr> })}
                    {d.held_over.iter().map(|h| {
                        let kept = match h.session {
                            Some(s) => format!("the {} mark on {}", session(s), date(h.from)),
                            None => format!("the pupil's record and marks, {} to {}", date(h.from), date(h.to)),
                        };
                        view! {
                            <tr>
                                <th scope="row">{name4(&h.urn)}</th>
                                <td><code>{h.pupil_id.clone()}</code></td>
                                <td>{kept}</td>
                                <td class="num">{h.marks_kept}</td>
                                <td><code>{h.file.clone()}</code>{format!(" line {}, column ", h.line)}<code>{h.column.clone()}</code>{", value "}<code>{h.value.clone()}</code>{format!(": {}", h.reason)}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </Section>
        <Section id="registers-h" heading="Registers not taken">
            <p class="rule">{format!("Sessions from {} to {} on which pupils on roll had no mark, on days the academy took registers.", date(d.from), date(d.to))}</p>
            <table class="data" id="register-gaps">
                <thead><tr><th scope="col">"Academy"</th><th scope="col">"Day"</th><th scope="col">"Session"</th><th scope="col" class="num">"Pupils with no mark"</th></tr></thead>
                <tbody>
                    {d.register_gaps.is_empty().then(|| view! { <tr><td colspan="4">"Every register taken."</td></tr> })}
                    {d.register_gaps.iter().take(200).map(|g| view! {
                        <tr><th scope="row">{name2(&g.urn)}</th><td>{date(g.date)}</td><td>{session(g.session)}</td><td class="num">{g.pupils}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Section>
        <Section id="n-h" heading="Unexplained absence (N) still open">
            <table class="data" id="open-n">
                <caption>"Open N sessions this academic year, by the age of each pupil's oldest, in school days"</caption>
                <thead><tr><th scope="col">"Academy"</th><th scope="col" class="num">"0 to 2"</th><th scope="col" class="num">"3 to 5"</th><th scope="col" class="num">"6 to 10"</th><th scope="col" class="num">"Over 10"</th></tr></thead>
                <tbody>
                    {d.open_n.is_empty().then(|| view! { <tr><td colspan="5">"No open N marks."</td></tr> })}
                    {d.open_n.iter().map(|o| view! {
                        <tr><th scope="row">{name3(&o.urn)}</th>{o.sessions.iter().map(|n| view! { <td class="num">{*n}</td> }).collect_view()}</tr>
                    }).collect_view()}
                </tbody>
            </table>
            <p><a href="/actions?list=open-n">"The pupils behind these, in the action lists"</a></p>
        </Section>
        <Section id="coding-h" heading="Coding consistency">
            <p class="rule">"Each academy's absent sessions this academic year by code, against the trust and the national share of unauthorised absence. Outliers are flagged with why."</p>
            <ul class="flags" id="coding-flags">
                {d.flags.is_empty().then(|| view! { <li>"Nothing stands out."</li> })}
                {d.flags.iter().map(|f| view! { <li><strong>{f.name.clone()}</strong>": "{f.message.clone()}</li> }).collect_view()}
            </ul>
            <ScrollTable id="code-mix">
                <thead><tr><th scope="col">""</th><th scope="col" class="num">"Absent sessions"</th><th scope="col" class="num">"Unauthorised"</th><th scope="col">"Most used codes (share of absent sessions)"</th></tr></thead>
                <tbody>
                    {d.mixes.iter().map(|m| view! {
                        <tr class:total=m.urn.is_none()>
                            <th scope="row">{m.name.clone()}</th>
                            <td class="num">{crate::format::count(m.absent)}</td>
                            <td class="num">{format!("{:.1}%", if m.absent == 0 { 0.0 } else { 100.0 * m.unauthorised as f64 / m.absent as f64 })}</td>
                            <td>{m.codes.iter().take(6).map(|(c, _)| format!("{c} {:.1}%", m.share(c))).collect::<Vec<_>>().join(" · ")}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </ScrollTable>
        </Section>
    }
}
