//! The app's pages.

pub mod academy;
pub mod actions;
pub mod admin;
pub mod audit;
pub mod cohorts;
pub mod governors;
pub mod heatmaps;
pub mod impact;
pub mod loads;
pub mod notifications;
pub mod overview;
pub mod provision;
pub mod pupil;
pub mod quality;
pub mod sef;
pub mod signin;

use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
            resp.set_status(http::StatusCode::NOT_FOUND);
        }
    }
    view! {
        <Title text="Not found"/>
        <h1>"Page not found"</h1>
        <p><a href="/">"Back to Rollcall"</a></p>
    }
}
