//! The audit log (trust role): who signed in, viewed, exported or changed what, with
//! filters (person, academy or pupil, dates) and a CSV download of what they keep.

use crate::view::{date_param, DateInput, Page};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use queries::types::{AuditEntry, AuditFilter};

#[server]
pub async fn get_audit(
    #[server(default)] filter: AuditFilter,
) -> Result<Vec<AuditEntry>, ServerFnError> {
    crate::reports::serve::<crate::reports::audit::Report>(filter).await
}

/// The filter as a query string (for the download link).
fn query(f: &AuditFilter) -> String {
    let enc = crate::format::url_encode;
    [
        ("actor", &f.actor),
        ("subject", &f.subject),
        ("from", &f.from),
        ("to", &f.to),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v))))
    .collect::<Vec<_>>()
    .join("&")
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let q = use_query_map();
    let filter = Memo::new(move |_| {
        q.with(|q| {
            let get = |k: &str| {
                q.get(k)
                    .map(|v| v.trim().to_string())
                    .filter(|v| !v.is_empty())
            };
            AuditFilter {
                actor: get("actor"),
                subject: get("subject"),
                from: date_param(|k| q.get(k), "from"),
                to: date_param(|k| q.get(k), "to"),
            }
        })
    });
    view! {
        <Page
            title="Audit log"
            lead="Who signed in, who viewed or exported pupil-level data, and who changed an account or token, newest first."
            data=Resource::new(move || filter.get(), get_audit)
            body=move |rows| view! { <AuditBody rows filter=filter.get_untracked()/> }
        />
    }
}

#[component]
fn AuditBody(rows: Vec<AuditEntry>, filter: AuditFilter) -> impl IntoView {
    let csv = format!("/audit.csv?{}", query(&filter));
    view! {
        <form method="get" action="/audit" class="window-form" id="audit-filter">
            <label>"Person (email) " <input type="text" name="actor" value=filter.actor.clone().unwrap_or_default()/></label>
            <label>"Academy URN or pupil " <input type="text" name="subject" value=filter.subject.clone().unwrap_or_default()/></label>
            <DateInput name="from" legend="From" value=filter.from.clone()/>
            <DateInput name="to" legend="To" value=filter.to.clone()/>
            <button type="submit">"Show"</button>
        </form>
        <p><a href=csv download="">"Download as CSV"</a></p>
        <table class="data" id="audit-log">
            <caption>{format!("Entries shown: {} (the newest 500 at most)", rows.len())}</caption>
            <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"Role"</th><th scope="col">"Action"</th><th scope="col">"What"</th></tr></thead>
            <tbody>
                {rows.into_iter().map(|r| view! {
                    <tr><td>{crate::format::time(&r.at)}</td><td>{r.actor}</td><td>{r.role}</td><td>{r.action}</td><td>{r.subject}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
