//! Alternative provision and reduced timetables (`/provision`): every placement and
//! timetable with what needs action, counts by half term, the share of pupils on
//! either, and where the registers and the records disagree; and each academy's
//! half-termly report for the local authority and the trust
//! (`/provision/report/{urn}`, printable).

use crate::chart::ChartImage;
use crate::view::{found, use_route_urn, AcademySelect, Page, ScrollTable, Section};
use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use queries::types::{AcademyRef, Inconsistency, Placement, Timetable};

use crate::view::pct;

pub use crate::reports::provision::{HalfTermRow, ProvisionData, ProvisionReport, ShareRow};

#[server]
pub async fn get_provision(
    academy: Option<String>,
    sort: String,
) -> Result<ProvisionData, ServerFnError> {
    use crate::reports::provision;
    let academy = academy.filter(|a| !a.is_empty());
    crate::reports::serve::<provision::Lists>(provision::ListParams { academy, sort }).await
}

#[server]
pub async fn get_provision_report(
    urn: String,
    half_term: Option<usize>,
) -> Result<Option<ProvisionReport>, ServerFnError> {
    use crate::reports::provision;
    crate::reports::serve::<provision::LaReport>(provision::ReportParams { urn, half_term }).await
}

fn date(d: NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(date).unwrap_or_else(|| "–".into())
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "Yes"
    } else {
        "No"
    }
}

#[component]
pub fn ProvisionPage() -> impl IntoView {
    let query = use_query_map();
    let key = Memo::new(move |_| {
        query.with(|q| {
            (
                q.get("academy").filter(|a| !a.is_empty()),
                q.get("sort").unwrap_or_else(|| "academy".into()),
            )
        })
    });
    view! {
        <Page
            title="Alternative provision and reduced timetables"
            lead="Every placement and part-time timetable from the nightly extracts, with what needs action, and where the registers and the records disagree."
            data=Resource::new(move || key.get(), |(academy, sort)| get_provision(academy, sort))
            body=|d| view! { <ProvisionBody d/> }
        />
    }
}

#[component]
fn ProvisionBody(d: ProvisionData) -> impl IntoView {
    let academy = d.academy.clone();
    let href = move |sort: &str| {
        let mut q = format!("/provision?sort={sort}");
        if let Some(a) = &academy {
            q.push_str(&format!("&academy={a}"));
        }
        q
    };
    view! {
        <form method="get" action="/provision" class="window-form">
            <AcademySelect academies=d.academies.clone() selected=d.academy.clone() all=true/>
            <input type="hidden" name="sort" value=d.sort.clone()/>
            <button type="submit">"Show"</button>
        </form>
        <SharesTable shares=d.shares.clone() governor=!d.sees_pupils/>
        <section class="chart" aria-labelledby="trend-h">
            <h2 id="trend-h">"By half term"</h2>
            <div class="svg"><ChartImage chart=d.trend.clone()/></div>
            <p class="note">"Placements and timetables in force at any point in each half term, from the records in each academy's latest extract (which replace earlier ones): pupils who have since left are not in earlier half terms."</p>
            <details>
                <summary>"By half term, as a table"</summary>
                <table class="data" id="half-terms">
                    <thead><tr><th scope="col">"Half term"</th><th scope="col">"Dates"</th><th scope="col" class="num">"On AP"</th><th scope="col" class="num">"On a reduced timetable"</th></tr></thead>
                    <tbody>
                        {d.half_terms.iter().map(|h| view! {
                            <tr>
                                <th scope="row">{h.half_term.clone()}</th>
                                <td>{format!("{} to {}", date(h.from), date(h.to))}</td>
                                <td class="num">{h.ap.map(|n| n.to_string()).unwrap_or_else(|| "x".into())}</td>
                                <td class="num">{h.reduced_timetable.map(|n| n.to_string()).unwrap_or_else(|| "x".into())}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        </section>
        {if d.sees_pupils {
            view! {
                <nav class="tabs" aria-label="Sort the lists">
                    {[("academy", "By academy and name"), ("flags", "Most flags first"), ("start", "Longest running first"), ("attendance", "Lowest attendance first")].into_iter().map(|(k, label)| {
                        let current = (d.sort == k).then_some("page");
                        view! { <a href=href(k) aria-current=current>{label}</a> }
                    }).collect_view()}
                </nav>
                <PlacementsTable placements=d.placements.clone() limit=d.contact_limit/>
                <TimetablesTable timetables=d.timetables.clone()/>
                <InconsistencyTable items=d.inconsistencies.clone() academies=d.academies.clone()/>
                <Section id="reports-h" heading="Half-termly reports">
                    <ul class="reports">
                        {d.academies.iter().filter(|a| d.academy.as_deref().is_none_or(|x| x == a.urn)).map(|a| view! {
                            <li>
                                <a href=format!("/provision/report/{}", a.urn)>{format!("{}: printable report", a.name)}</a>
                                " · "<a href=format!("/api/v1/provision?kind=ap&academy={}&format=csv", a.urn)>"AP (CSV)"</a>
                                " · "<a href=format!("/api/v1/provision?kind=reduced-timetable&academy={}&format=csv", a.urn)>"reduced timetables (CSV)"</a>
                            </li>
                        }).collect_view()}
                    </ul>
                </Section>
            }.into_any()
        } else {
            view! { <p class="note">"Governors see how many pupils are on alternative provision and reduced timetables; the pupils themselves are for trust and academy staff."</p> }.into_any()
        }}
    }
}

#[component]
fn SharesTable(shares: Vec<ShareRow>, governor: bool) -> impl IntoView {
    let n = |v: Option<u64>| v.map(|n| n.to_string()).unwrap_or_else(|| "x".into());
    view! {
        <table class="data" id="shares">
            <caption>"On alternative provision or a reduced timetable now (each academy's latest loaded day)"</caption>
            <thead><tr><th scope="col">""</th><th scope="col" class="num">"On roll"</th><th scope="col" class="num">"On AP"</th><th scope="col" class="num">"On a reduced timetable"</th><th scope="col" class="num">"Share of the roll"</th></tr></thead>
            <tbody>
                {shares.iter().map(|s| view! {
                    <tr class:total=s.urn.is_none()>
                        <th scope="row">{s.name.clone()}</th>
                        <td class="num">{crate::format::count(s.on_roll)}</td>
                        <td class="num">{n(s.ap)}</td>
                        <td class="num">{n(s.reduced_timetable)}</td>
                        <td class="num">{pct(s.share())}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        {governor.then(|| view! { <p class="note">"x: fewer than the trust's threshold of pupils, or a count that would let one be worked out from the trust's total."</p> })}
    }
    .into_any()
}

#[component]
fn PlacementsTable(placements: Vec<Placement>, limit: u64) -> impl IntoView {
    view! {
        <Section id="ap-h" heading=format!("Alternative provision ({} placements)", placements.len())>
            <ScrollTable id="placements">
                <thead><tr>
                    <th scope="col">"Pupil"</th><th scope="col">"Provider"</th><th scope="col">"Dates"</th>
                    <th scope="col" class="num">"Sessions a week"</th><th scope="col" class="num">"Attendance while placed"</th><th scope="col">"Last welfare contact"</th><th scope="col" class="wide">"Needs action"</th>
                </tr></thead>
                <tbody>
                    {placements.is_empty().then(|| view! { <tr><td colspan="7">"No placements."</td></tr> })}
                    {placements.iter().map(|p| {
                        let flags = p.flags(limit);
                        let flagged = !flags.is_empty();
                        view! {
                            <tr class:flagged=flagged class:ended=!p.active()>
                                <th scope="row">{format!("{} ({})", p.pupil.name, p.pupil.year_group)}<br/><small>{format!("{} · {}", p.pupil.upn.clone().unwrap_or_else(|| p.pupil.pupil_id.clone()), p.academy_name)}</small></th>
                                <td>{p.provider.clone()}<br/><small>{if p.arranged_by == "school" { "by the school (B)" } else { "by the local authority (K)" }}</small></td>
                                <td class="date">{date(p.start_date)}<br/><small>{p.end_date.map(|e| format!("to {}", date(e))).unwrap_or_else(|| "ongoing".into())}</small></td>
                                <td class="num">{p.sessions_per_week}</td>
                                <td class="num" title=format!("{} sessions at the provision, {} absent", p.ap_sessions, p.absent_sessions)>{pct(p.attendance_rate())}</td>
                                <td class="date">{opt_date(p.last_contact_date)}<br/><small>{format!("{} school days since", p.school_days_since_contact)}</small></td>
                                <td>{flags.join("; ")}</td>
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
fn TimetablesTable(timetables: Vec<Timetable>) -> impl IntoView {
    view! {
        <Section id="rt-h" heading=format!("Reduced timetables ({})", timetables.len())>
            <ScrollTable id="timetables">
                <thead><tr>
                    <th scope="col">"Pupil"</th><th scope="col">"Dates"</th><th scope="col" class="num">"Weeks on it"</th>
                    <th scope="col">"Planned end"</th><th scope="col">"Next review"</th><th scope="col" class="num">"Sessions a week in school"</th>
                    <th scope="col">"Parents agreed · LA notified"</th><th scope="col" class="num">"C2 sessions"</th><th scope="col" class="wide">"Needs action"</th>
                </tr></thead>
                <tbody>
                    {timetables.is_empty().then(|| view! { <tr><td colspan="9">"No reduced timetables."</td></tr> })}
                    {timetables.iter().map(|t| {
                        let actions = t.actions().join("; ");
                        let flagged = !actions.is_empty();
                        view! {
                            <tr class:flagged=flagged class:ended=!t.active()>
                                <th scope="row">{format!("{} ({})", t.pupil.name, t.pupil.year_group)}<br/><small>{format!("{} · {}", t.pupil.upn.clone().unwrap_or_else(|| t.pupil.pupil_id.clone()), t.academy_name)}</small></th>
                                <td class="date">{date(t.start_date)}<br/><small>{t.end_date.map(|e| format!("ended {}", date(e))).unwrap_or_else(|| "ongoing".into())}</small></td>
                                <td class="num">{t.weeks()}</td>
                                <td class="date">{date(t.planned_end_date)}</td>
                                <td class="date">{date(t.next_review_date)}</td>
                                <td class="num">{t.sessions_per_week}</td>
                                <td>{format!("{} · {}", yes_no(t.parents_agreed), yes_no(t.la_notified))}</td>
                                <td class="num">{t.c2_sessions}</td>
                                <td>{actions}</td>
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
fn InconsistencyTable(items: Vec<Inconsistency>, academies: Vec<AcademyRef>) -> impl IntoView {
    let name = move |urn: &str| {
        academies
            .iter()
            .find(|a| a.urn == urn)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| urn.to_string())
    };
    view! {
        <Section id="mismatch-h" heading=format!("Registers and records that disagree ({})", items.len())>
            <table class="data" id="inconsistencies">
                <thead><tr><th scope="col">"Pupil"</th><th scope="col">"Academy"</th><th scope="col">"What"</th><th scope="col">"Detail"</th><th scope="col">"From"</th><th scope="col">"To"</th></tr></thead>
                <tbody>
                    {items.is_empty().then(|| view! { <tr><td colspan="6">"None: the registers and the records agree."</td></tr> })}
                    {items.iter().map(|i| view! {
                        <tr>
                            <th scope="row">{format!("{} ({})", i.pupil.name, i.pupil.year_group)}</th>
                            <td>{name(&i.pupil.urn)}</td>
                            <td>{i.kind.label()}</td>
                            <td>{i.detail.clone()}</td>
                            <td>{opt_date(i.first)}</td>
                            <td>{opt_date(i.last)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </Section>
    }
    .into_any()
}

#[component]
pub fn ProvisionReportPage() -> impl IntoView {
    let urn = use_route_urn();
    let query = use_query_map();
    let key = Memo::new(move |_| {
        let half_term = query.with(|q| q.get("half_term").and_then(|h| h.parse::<usize>().ok()));
        (urn.get(), half_term)
    });
    let data = Resource::new(move || key.get(), |(urn, h)| get_provision_report(urn, h));
    view! {
        {found(data, |r| view! { <ReportBody r/> })}
    }
}

#[component]
fn ReportBody(r: ProvisionReport) -> impl IntoView {
    let h = r.half_term.clone();
    let csv = |kind: &str| {
        format!(
            "/api/v1/provision?kind={kind}&academy={}&from={}&to={}&format=csv",
            r.academy.urn, h.from, h.to
        )
    };
    view! {
        <Title text=format!("{}: AP and reduced timetables, {}", r.academy.name, h.half_term)/>
        <article class="report">
            <p class="crumbs no-print"><a href="/provision">"Alternative provision and reduced timetables"</a>" › report"</p>
            <h1>{format!("{}: alternative provision and reduced timetables", r.academy.name)}</h1>
            <p class="lead">{format!("{} ({} to {}) · URN {} · {} · {} on roll", h.half_term, date(h.from), date(h.to), r.academy.urn, r.academy.local_authority, r.on_roll)}</p>
            <form method="get" class="window-form no-print">
                <label>"Half term "
                    <select name="half_term">
                        {r.half_terms.iter().map(|(i, name)| view! { <option value=i.to_string() selected=*i == r.chosen>{name.clone()}</option> }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Show"</button>
                <a href=csv("ap")>"AP as CSV"</a>
                <a href=csv("reduced-timetable")>"Reduced timetables as CSV"</a>
            </form>
            <section class="headline" aria-label="In this half term">
                <div><span class="big">{r.placements.len()}</span>" on alternative provision"</div>
                <div><span class="big">{r.timetables.len()}</span>" on reduced timetables"</div>
                <div><span class="big">{r.timetables.iter().filter(|t| !t.actions().is_empty()).count()}</span>" timetables needing action"</div>
                <div><span class="big">{r.inconsistencies.len()}</span>" register mismatches"</div>
            </section>
            <PlacementsTable placements=r.placements.clone() limit=r.contact_limit/>
            <TimetablesTable timetables=r.timetables.clone()/>
            <InconsistencyTable items=r.inconsistencies.clone() academies=vec![r.academy.clone()]/>
            <p class="note">{format!("Figures to each academy's latest loaded day; welfare contact is flagged after {} school days.", r.contact_limit)}</p>
        </article>
    }
}
