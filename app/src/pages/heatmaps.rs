//! Heatmaps (`/heatmaps`): where and when absence is concentrated. Academy x school
//! week (persistent absence to date, or absence over the last four school weeks),
//! academy x year group (persistent absence), day x session (absence), and for one
//! academy its persistent absentees x weeks (pupil level, for roles that see pupils).

use crate::view::{AcademySelect, Page};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::heatmap::HeatmapView;
use crate::view::{use_view_params, ScopeNote, ViewParams, WindowForm};

/// What the page shows, from the URL: `kind`, `measure` and `academy`.
pub use crate::reports::heatmaps::{HeatmapChoice, HeatmapsData, KINDS};

#[server]
pub async fn get_heatmaps(
    params: ViewParams,
    choice: HeatmapChoice,
) -> Result<HeatmapsData, ServerFnError> {
    use crate::reports::heatmaps;
    let window = params.choice().map_err(crate::reports::bad_request)?;
    crate::reports::serve::<heatmaps::Report>(heatmaps::ssr::Params { window, choice }).await
}

#[component]
pub fn HeatmapsPage() -> impl IntoView {
    let params = use_view_params();
    let query = use_query_map();
    let choice = Memo::new(move |_| {
        query.with(|q| HeatmapChoice {
            kind: q.get("kind").unwrap_or_default(),
            measure: q.get("measure").unwrap_or_default(),
            academy: q.get("academy").filter(|a| !a.is_empty()),
        })
    });
    let data = Resource::new(
        move || (params.get().figures_key(), choice.get()),
        |(p, c)| get_heatmaps(p, c),
    );
    view! {
        <Page
            title="Heatmaps"
            lead="Where and when absence is concentrated. Hover over a cell for its figures; select it for the figures or pupils behind it."
            data
            body=move |d| view! { <HeatmapsBody d params/> }
        />
    }
}

#[component]
fn HeatmapsBody(d: HeatmapsData, params: Memo<ViewParams>) -> impl IntoView {
    let p = params.get_untracked();
    let c = d.choice.clone();
    let kind = c.kind().to_string();
    let tab = |k: &str| HeatmapChoice {
        kind: k.to_string(),
        ..c.clone()
    };
    view! {
        <nav class="tabs" aria-label="Heatmap">
            {KINDS.iter().filter(|(k, _)| *k != "pupils" || d.sees_pupils).map(|(k, label)| {
                let current = (*k == kind).then_some("page");
                view! { <a href=tab(k).href(&p) aria-current=current>{*label}</a> }
            }).collect_view()}
        </nav>
        <WindowForm params action="/heatmaps".to_string()>
            <input type="hidden" name="kind" value=kind.clone()/>
            {(kind == "academy-week").then(|| view! {
                <label>"Measure "
                    <select name="measure">
                        <option value="pa-to-date" selected=!c.rolling()>"Persistent absence to date"</option>
                        <option value="rolling-absence" selected=c.rolling()>"Absence, last four school weeks"</option>
                    </select>
                </label>
            })}
            {(kind == "pupils").then(|| view! {
                <AcademySelect academies=d.academies.clone() selected=c.academy.clone()/>
            })}
        </WindowForm>
        <ScopeNote window=d.window.clone() scope=d.scope/>
        {d.note.clone().map(|n| view! { <p class="note">{n}</p> })}
        {d.maps.into_iter().enumerate().map(|(i, m)| view! {
            <HeatmapView map=m id=if i == 0 { "heatmap" } else { "heatmap-2" }/>
        }).collect_view()}
    }
}
