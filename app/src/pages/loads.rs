//! The data-loaded page: what each academy has sent and what the warehouse holds.

use crate::view::Page;
use leptos::prelude::*;
use queries::types::AcademyStatus;

use crate::format;

/// Each academy's loaded rows and last extract.
#[server]
pub async fn load_status() -> Result<Vec<AcademyStatus>, ServerFnError> {
    crate::reports::serve::<crate::reports::loads::Report>(()).await
}

#[component]
pub fn LoadsPage() -> impl IntoView {
    let filter = RwSignal::new(String::new());
    view! {
        <Page title="Data loaded" lead="What each academy's nightly extract has put in the warehouse, and the last extract received." data=Resource::new(|| (), |_| load_status()) body={move |rows: Vec<AcademyStatus>| if rows.is_empty() {
            view! {
                <p class="empty">
                    "Nothing loaded yet. Load extracts with "
                    <code>"rollcall ingest PATH"</code>
                    " or drop them in the server's inbox folder."
                </p>
            }.into_any()
        } else {
            view! { <StatusTable rows filter/> }.into_any()
        }}/>
    }
}

#[component]
fn StatusTable(rows: Vec<AcademyStatus>, filter: RwSignal<String>) -> impl IntoView {
    let total_marks: u64 = rows.iter().map(|r| r.marks).sum();
    let total_pupils: u64 = rows.iter().map(|r| r.pupils).sum();
    let academies = rows.len();
    let rows = StoredValue::new(rows);
    let visible = move || {
        let needle = filter.get().to_lowercase();
        rows.get_value()
            .into_iter()
            .filter(|r| {
                needle.is_empty()
                    || r.name.to_lowercase().contains(&needle)
                    || r.urn.contains(&needle)
            })
            .collect::<Vec<_>>()
    };
    view! {
        <p class="totals">
            {format!("{academies} academies, {} enrolments, {} marks.", format::count(total_pupils), format::count(total_marks))}
        </p>
        <label class="filter">
            "Find an academy "
            <input type="search" placeholder="name or URN"
                prop:value=move || filter.get()
                on:input=move |ev| filter.set(event_target_value(&ev))/>
        </label>
        <table class="data">
            <caption>"Loaded data by academy"</caption>
            <thead>
                <tr>
                    <th scope="col">"Academy"</th>
                    <th scope="col">"URN"</th>
                    <th scope="col">"Phase"</th>
                    <th scope="col">"MIS"</th>
                    <th scope="col" class="num">"Enrolments"</th>
                    <th scope="col" class="num">"Marks"</th>
                    <th scope="col">"Marks from"</th>
                    <th scope="col">"Marks to"</th>
                    <th scope="col">"Last extract"</th>
                    <th scope="col">"Status"</th>
                    <th scope="col" class="num">"Rows loaded / rejected"</th>
                </tr>
            </thead>
            <tbody>
                <For each=visible key=|r| r.urn.clone() let:r>
                    <tr>
                        <th scope="row">{r.name.clone()}</th>
                        <td>{r.urn.clone()}</td>
                        <td>{r.phase.clone()}</td>
                        <td>{r.source_system.clone()}</td>
                        <td class="num">{format::count(r.pupils)}</td>
                        <td class="num">{format::count(r.marks)}</td>
                        <td>{r.first_mark.as_deref().map(format::date).unwrap_or_default()}</td>
                        <td>{r.last_mark.as_deref().map(format::date).unwrap_or_default()}</td>
                        <td>{r.last_extracted_at.as_deref().map(format::time).unwrap_or_default()}</td>
                        <td>
                            <span class=move || format!("status {}", r.last_status.clone().unwrap_or_default())>
                                {r.last_status.clone().unwrap_or_default()}
                            </span>
                            {(r.rejected_loads > 0).then(|| format!(" ({} rejected so far)", r.rejected_loads))}
                        </td>
                        <td class="num">
                            {format!("{} / {}",
                                format::count(r.last_rows_loaded.unwrap_or(0)),
                                format::count(r.last_rows_rejected.unwrap_or(0)))}
                        </td>
                    </tr>
                </For>
            </tbody>
        </table>
    }
}
