//! The audit log (trust role): who signed in, viewed or exported what.

use leptos::prelude::*;
use leptos_meta::Title;
use queries::types::AuditEntry;

#[server]
pub async fn get_audit() -> Result<Vec<AuditEntry>, ServerFnError> {
    crate::reports::serve::<crate::reports::audit::Report>(500).await
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let rows = Resource::new(|| (), |_| get_audit());
    view! {
        <Title text="Audit log"/>
        <h1>"Audit log"</h1>
        <p class="lead">"Who signed in, and who viewed or exported pupil-level data, newest first."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match rows.await {
                    Ok(rows) => view! {
                        <table class="data">
                            <caption>"The last 500 entries"</caption>
                            <thead><tr><th scope="col">"When (UTC)"</th><th scope="col">"Who"</th><th scope="col">"Role"</th><th scope="col">"Action"</th><th scope="col">"What"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|r| view! {
                                    <tr><td>{crate::format::time(&r.at)}</td><td>{r.actor}</td><td>{r.role}</td><td>{r.action}</td><td>{r.subject}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <crate::view::Failed e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}
