//! Signing in: a plain form posted to `/session`, so it works without JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let query = use_query_map();
    let next = move || query.with(|q| q.get("next").unwrap_or_else(|| "/".into()));
    let error = move || {
        query.with(|q| match q.get("error").as_deref() {
            Some("wrong") => {
                Some("That email and password do not match an account that can sign in.")
            }
            Some("locked") => Some("Too many failed attempts: try again in 15 minutes."),
            _ => None,
        })
    };
    view! {
        <Title text="Sign in"/>
        <div class="signin">
            <h1>"Sign in"</h1>
            <p class="lead">"Rollcall holds personal data about children. Sign in with your trust account."</p>
            {move || error().map(|e| view! { <p class="error" role="alert">{e}</p> })}
            <form method="post" action="/session">
                <input type="hidden" name="next" value=next/>
                <label>"Email" <input type="email" name="email" autocomplete="username" required/></label>
                <label>"Password" <input type="password" name="password" autocomplete="current-password" required/></label>
                <button type="submit">"Sign in"</button>
            </form>
        </div>
    }
}
