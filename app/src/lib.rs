#![recursion_limit = "256"]
//! Rollcall's web app: Leptos pages and components, rendered on the server (SSR) and
//! hydrated in the browser. Server functions are thin: each calls a plain function in
//! `queries` through [`ssr::Warehouse`], which keeps DuckDB off the async runtime.

pub mod admin;
pub mod chart;
#[cfg(feature = "ssr")]
pub mod charts;
#[cfg(feature = "ssr")]
pub mod document;
pub mod flash;
pub mod format;
pub mod heatmap;
pub mod pages;
pub mod reports;
#[cfg(feature = "ssr")]
pub mod ssr;
pub mod trend;
pub mod view;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes, A};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// The HTML document around the app.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/rollcall.css"/>
        <Title formatter=|page: String| format!("{page} · Rollcall")/>
        <Router>
            <header class="top">
                <A href="/" attr:class="brand">"Rollcall"</A>
                <Header/>
            </header>
            <main>
                <Routes fallback=|| view! { <pages::NotFound/> }>
                    <Route path=StaticSegment("") view=pages::overview::OverviewPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("academy"), ParamSegment("urn")) view=pages::academy::AcademyPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("academy"), ParamSegment("urn"), StaticSegment("sef")) view=pages::sef::SefPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("academy"), ParamSegment("urn"), StaticSegment("pupil"), ParamSegment("pupil_id")) view=pages::pupil::PupilPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("cohorts") view=pages::cohorts::CohortsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("heatmaps") view=pages::heatmaps::HeatmapsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("provision") view=pages::provision::ProvisionPage ssr=SsrMode::Async/>
                    <Route path=(StaticSegment("provision"), StaticSegment("report"), ParamSegment("urn")) view=pages::provision::ProvisionReportPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("governors") view=pages::governors::GovernorsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("actions") view=pages::actions::ActionsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("notifications") view=pages::notifications::NotificationsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("impact") view=pages::impact::ImpactPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("data-quality") view=pages::quality::DataQualityPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("loads") view=pages::loads::LoadsPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("audit") view=pages::audit::AuditPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("admin") view=pages::admin::AdminPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("signin") view=pages::signin::SignInPage ssr=SsrMode::Async/>
                </Routes>
            </main>
        </Router>
    }
}

/// The signed-in principal, if any (the sign-in page is the only page seen without).
#[server]
pub async fn whoami() -> Result<Option<queries::types::Principal>, ServerFnError> {
    Ok(ssr::principal().ok())
}

/// The main navigation for `p`: (path, label), in order. The guard's framed error page
/// uses it too.
pub fn nav(p: &queries::types::Principal) -> Vec<(&'static str, &'static str)> {
    let trust = p.role == queries::types::Role::Trust;
    let staff = p.sees_pupils();
    [
        (true, "/", "Overview"),
        (staff, "/actions", "Action lists"),
        (staff, "/notifications", "LA notifications"),
        (staff, "/impact", "Whether it works"),
        (true, "/cohorts", "Cohorts"),
        (true, "/heatmaps", "Heatmaps"),
        (true, "/provision", "AP and timetables"),
        (true, "/governors", "Governors"),
        (true, "/loads", "Data loaded"),
        (staff, "/data-quality", "Data quality"),
        (trust, "/audit", "Audit log"),
        (trust, "/admin", "Accounts"),
    ]
    .into_iter()
    .filter(|(shown, _, _)| *shown)
    .map(|(_, href, label)| (href, label))
    .collect()
}

/// The navigation for who is signed in, and the sign-out button.
#[component]
fn Header() -> impl IntoView {
    let who = Resource::new(|| (), |_| whoami());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match who.await {
                    Ok(Some(p)) => {
                        view! {
                            <nav aria-label="Main">
                                {nav(&p).into_iter().map(|(href, label)| view! { <A href=href>{label}</A> }).collect_view()}
                            </nav>
                            <form class="signout" method="post" action="/session/end">
                                <span>{format!("{} ({})", p.name, p.role.as_str())}</span>
                                <button type="submit">"Sign out"</button>
                            </form>
                        }.into_any()
                    }
                    _ => view! { <nav aria-label="Main"></nav> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
}
