//! The statutory notifications queue (`/notifications`): who the local authority is to
//! be told about (possible missing education after 10 school days, 15 school days of
//! illness for the section 19 duty, a reduced timetable started or extended), whether
//! the case says it was told and when, overdue ones first. "Record" opens the case with
//! the form set to that notification. Pupil level: trust and academy staff only;
//! every view is audited. The whole queue downloads as CSV.

use crate::reports::notifications::{QueueChoice, QueueData};
use crate::view::{AcademySelect, Page, ScrollTable, Section};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use queries::notifications::{NoticeKind, NOTIFY_WITHIN};

#[server]
pub async fn get_notifications(choice: QueueChoice) -> Result<QueueData, ServerFnError> {
    crate::reports::serve::<crate::reports::notifications::Queue>(choice).await
}

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        query.with(|q| QueueChoice {
            academy: q.get("academy").filter(|a| !a.is_empty()),
            kind: q.get("kind").filter(|k| !k.is_empty()),
            open: q.get("open").is_some_and(|o| o == "1"),
        })
    });
    view! {
        <Page
            title="Local authority notifications"
            lead="Who the local authority must be told about, from last night's registers and reduced timetables, and what the cases say was done."
            data=Resource::new(move || choice.get(), get_notifications)
            body=|d| view! { <QueueBody d/> }
        />
    }
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

#[component]
fn QueueBody(d: QueueData) -> impl IntoView {
    let c = d.choice.clone();
    let tab = {
        let c = c.clone();
        move |kind: Option<NoticeKind>| {
            let q = QueueChoice {
                kind: kind.map(|k| k.key().to_string()),
                ..c.clone()
            }
            .query();
            if q.is_empty() {
                "/notifications".to_string()
            } else {
                format!("/notifications?{q}")
            }
        }
    };
    let all: usize = d.by_kind.iter().map(|(_, n)| n.due).sum();
    let overdue_all: usize = d.by_kind.iter().map(|(_, n)| n.overdue).sum();
    let csv = {
        let q = QueueChoice {
            open: false,
            ..c.clone()
        }
        .query();
        let sep = if q.is_empty() { "" } else { "&" };
        format!("/api/v1/notifications?{q}{sep}format=csv")
    };
    let heading = match c.kind() {
        Some(k) => format!(
            "{} ({} due, {} overdue)",
            k.label(),
            d.counts.due,
            d.counts.overdue
        ),
        None => format!(
            "Every notification ({} due, {} overdue)",
            d.counts.due, d.counts.overdue
        ),
    };
    let kind = c.kind.clone().unwrap_or_default();
    view! {
        <nav class="tabs" aria-label="Kinds of notification">
            <a href=tab(None) aria-current=c.kind().is_none().then_some("page")>{format!("All ({all}, {overdue_all} overdue)")}</a>
            {d.by_kind.iter().map(|(k, n)| {
                let current = (c.kind() == Some(*k)).then_some("page");
                view! { <a href=tab(Some(*k)) aria-current=current>{format!("{} ({}, {} overdue)", k.label(), n.due, n.overdue)}</a> }
            }).collect_view()}
        </nav>
        <form method="get" action="/notifications" class="window-form">
            {(!kind.is_empty()).then(|| view! { <input type="hidden" name="kind" value=kind.clone()/> })}
            <AcademySelect academies=d.academies.clone() selected=c.academy.clone() all=true/>
            <label class="check"><input type="checkbox" name="open" value="1" checked=c.open/>" Only those not yet made"</label>
            <button type="submit">"Show"</button>
        </form>
        <Section id="queue-h" heading=heading>
            <p class="rule">{format!(
                "Possible child missing education: absent without permission (every session G, N or O) for 10 school days in a row, due from the tenth. \
                 Section 19: 15 school days (30 sessions) of illness this academic year, consecutive or not, due from the thirtieth session. \
                 Reduced timetable: due from its start, and again from the day after its planned end while it is still running (extended). \
                 A notification recorded on the case since the matter began answers it; one not made within {NOTIFY_WITHIN} school days of falling due is overdue."
            )}</p>
            <p><a href=csv download="">"Download as CSV: the whole queue (opens in Excel)"</a></p>
            <ScrollTable id="queue">
                <thead><tr>
                    <th scope="col">"Pupil"</th>
                    <th scope="col">"Year"</th>
                    <th scope="col">"Academy"</th>
                    <th scope="col">"Notification"</th>
                    <th scope="col">"What happened"</th>
                    <th scope="col">"Due since"</th>
                    <th scope="col">"School days"</th>
                    <th scope="col">"Notified"</th>
                    <th scope="col">"Case"</th>
                </tr></thead>
                <tbody>
                    {d.rows.is_empty().then(|| view! { <tr><td colspan="9">"No notifications due."</td></tr> })}
                    {d.rows.iter().map(|n| {
                        let p = &n.due.pupil;
                        let academy = d.academies.iter().find(|a| a.urn == p.urn).map(|a| a.name.clone()).unwrap_or_else(|| p.urn.clone());
                        let notified = match (n.notified_on, n.due.mis_notified, n.overdue) {
                            (Some(on), _, _) => view! { <td>{day(on)}</td> }.into_any(),
                            (None, true, _) => view! { <td>"Recorded in the MIS"</td> }.into_any(),
                            (None, false, true) => view! { <td class="overdue"><strong>"Overdue"</strong>{format!(" ({} school days since due)", n.due.days_since_due)}</td> }.into_any(),
                            (None, false, false) => view! { <td>"Not yet"</td> }.into_any(),
                        };
                        let record = format!(
                            "{}?record={}#case",
                            crate::pages::pupil::pupil_href(&p.urn, &p.pupil_id),
                            n.due.kind.action().key()
                        );
                        view! {
                            <tr class=n.overdue.then_some("overdue")>
                                <th scope="row"><a href=crate::pages::pupil::pupil_href(&p.urn, &p.pupil_id)>{p.name.clone()}</a><br/><small>{p.upn.clone().unwrap_or_else(|| p.pupil_id.clone())}</small></th>
                                <td>{p.year_group.clone()}</td>
                                <td>{academy}</td>
                                <td>{n.due.kind.label()}</td>
                                <td>{n.due.what.clone()}</td>
                                <td>{day(n.due.due_since)}</td>
                                <td>{n.due.school_days}</td>
                                {notified}
                                <td><a href=record>"Record"<span class="sr-only">{format!(" a notification for {}", p.name)}</span></a></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </ScrollTable>
        </Section>
    }
}
