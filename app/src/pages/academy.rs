//! One academy (`/academy/{urn}`): against the trust and England; weekly trend this
//! year against last; absence by reason, by day and session; year groups.

use crate::view::found;
use leptos::prelude::*;
use leptos_meta::Title;

use crate::view::{pct, pp, use_route_urn, use_view_params, ScopeNote, ViewParams, WindowForm};
use queries::types::Figures;

pub use crate::reports::academy::AcademyDetail;

#[server]
pub async fn get_academy(
    urn: String,
    params: ViewParams,
) -> Result<Option<AcademyDetail>, ServerFnError> {
    let window = params.choice().map_err(crate::reports::bad_request)?;
    crate::reports::serve::<crate::reports::academy::Report>(crate::reports::academy::ssr::Params {
        urn,
        window,
    })
    .await
}

#[component]
pub fn AcademyPage() -> impl IntoView {
    let urn = use_route_urn();
    let params = use_view_params();
    let key = Memo::new(move |_| (urn.get(), params.get().figures_key()));
    let data = Resource::new(move || key.get(), |(urn, p)| get_academy(urn, p));
    let action = move || format!("/academy/{}", key.get().0);
    view! {
        {found(data, move |d| view! {
            <Title text=d.academy.name.clone()/>
            <p class="crumbs"><a href=format!("/{}", params.get_untracked().query(None))>"Trust overview"</a>" › " {d.academy.name.clone()}</p>
            <h1>{d.academy.name.clone()}</h1>
            <p class="lead">{format!("URN {} · {} · {}", d.academy.urn, d.academy.phase, d.academy.local_authority)}</p>
            {d.sef.then(|| view! { <p class="no-print"><a class="button" href=format!("/academy/{}/sef", d.academy.urn)>"Self-evaluation pack"</a></p> })}
            <WindowForm params action=action()/>
            <AcademyBody d/>
        })}
    }
}

fn year_label(group: &str) -> String {
    match group {
        "R" => "Reception".to_string(),
        "N1" | "N2" => format!("Nursery ({group})"),
        y => format!("Year {y}"),
    }
}

const DAYS: [&str; 5] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];

#[component]
fn AcademyBody(d: AcademyDetail) -> impl IntoView {
    let f = d.figures.clone();
    let t = d.trust.clone();
    let possible = f.possible_sessions.max(1) as f64;
    let ch = d
        .last_year
        .as_ref()
        .and_then(|l| Some(f.absence_rate()? - l.absence_rate()?));
    // Absence, authorised, unauthorised, PA, SA.
    let rates = |f: &Figures| {
        [
            f.absence_rate(),
            f.authorised_rate(),
            f.unauthorised_rate(),
            f.pa_rate(),
            f.sa_rate(),
        ]
    };
    let mut compare_rows: Vec<(String, [Option<f64>; 5])> =
        vec![("This academy".into(), rates(&f))];
    compare_rows.push((
        "Same window last year".into(),
        d.last_year.as_ref().map(rates).unwrap_or_default(),
    ));
    compare_rows.push(("Trust".into(), rates(&t)));
    for b in d.benchmarks.iter().chain(d.history.iter()) {
        compare_rows.push((
            format!("{} {} ({})", b.area, b.phase.to_lowercase(), b.period),
            [
                b.absence_rate,
                b.authorised_rate,
                b.unauthorised_rate,
                b.pa_rate,
                None,
            ],
        ));
    }
    view! {
        <ScopeNote window=d.window.clone() scope=d.scope/>
        <section class="headline" aria-label="Academy figures">
            <div><span class="big">{crate::view::rate(&f, Figures::attendance_rate)}</span>" attendance"</div>
            <div><span class="big">{crate::view::rate(&f, Figures::absence_rate)}</span>" absence"</div>
            <div><span class="big">{crate::view::pa(&f)}</span>" persistently absent"</div>
            <div><span class="big">{crate::view::sa(&f)}</span>" severely absent"</div>
            <div><span class="big">{pp(ch)}</span>" against last year"</div>
            <div><span class="big">{crate::view::enrolments(&f)}</span>" enrolments"</div>
        </section>
        <table class="data">
            <caption>"Against last year, the trust and national figures (DfE, state-funded schools)"</caption>
            <thead><tr><th scope="col">""</th><th scope="col" class="num">"Absence"</th><th scope="col" class="num">"Authorised"</th><th scope="col" class="num">"Unauthorised"</th><th scope="col" class="num">"PA"</th><th scope="col" class="num">"SA"</th></tr></thead>
            <tbody>
                {compare_rows.into_iter().map(|(name, [a, au, un, pa, sa])| view! {
                    <tr><th scope="row">{name}</th><td class="num">{pct(a)}</td><td class="num">{pct(au)}</td><td class="num">{pct(un)}</td><td class="num">{pct(pa)}</td><td class="num">{pct(sa)}</td></tr>
                }).collect_view()}
            </tbody>
        </table>
        <crate::trend::TrendChart trend=d.trend.clone() caption="absence by week"/>
        <div class="two">
            <table class="data" id="reasons">
                <caption>"Absence by reason"</caption>
                <thead><tr><th scope="col">"Code"</th><th scope="col">"Reason"</th><th scope="col" class="num">"Sessions"</th><th scope="col" class="num">"Of possible sessions"</th></tr></thead>
                <tbody>
                    {d.reasons.iter().map(|(code, meaning, auth, n)| view! {
                        <tr>
                            <td><code>{code.clone()}</code></td>
                            <td>{meaning.clone()}<small>{if *auth { " (authorised)" } else { " (unauthorised)" }}</small></td>
                            <td class="num">{crate::format::count(*n)}</td>
                            <td class="num">{format!("{:.2}%", 100.0 * *n as f64 / possible)}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
            <table class="data" id="days">
                <caption>"Absence by day and session"</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col" class="num">"AM"</th><th scope="col" class="num">"PM"</th></tr></thead>
                <tbody>
                    {(1..=5u8).map(|day| {
                        let cell = |s: u8| d.day_session.iter().find(|x| x.0 == day && x.1 == s)
                            .map(|x| pct((x.2 > 0).then(|| 100.0 * x.3 as f64 / x.2 as f64)))
                            .unwrap_or_else(|| "–".into());
                        view! { <tr><th scope="row">{DAYS[day as usize - 1]}</th><td class="num">{cell(0)}</td><td class="num">{cell(1)}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <table class="data" id="year-groups">
            <caption>"Year groups"</caption>
            <thead><tr><th scope="col">"Year group"</th><th scope="col" class="num">"Enrolments"</th><th scope="col" class="num">"Attendance"</th><th scope="col" class="num">"Absence"</th><th scope="col" class="num">"Authorised"</th><th scope="col" class="num">"Unauthorised"</th><th scope="col" class="num">"PA"</th><th scope="col" class="num">"SA"</th></tr></thead>
            <tbody>
                {d.year_groups.iter().map(|g| {
                    let Some(f) = &g.figures else {
                        return view! {
                            <tr class="suppressed"><th scope="row">{year_label(&g.group)}</th><td colspan="7">"Suppressed (a small group, or one that would reveal a small group)"</td></tr>
                        }.into_any();
                    };
                    let label = year_label(&g.group);
                    view! {
                        <tr><th scope="row">{label}</th><td class="num">{crate::view::enrolments(f)}</td><td class="num">{crate::view::rate(f, Figures::attendance_rate)}</td><td class="num">{crate::view::rate(f, Figures::absence_rate)}</td><td class="num">{crate::view::rate(f, Figures::authorised_rate)}</td><td class="num">{crate::view::rate(f, Figures::unauthorised_rate)}</td><td class="num">{crate::view::pa(f)}</td><td class="num">{crate::view::sa(f)}</td></tr>
                    }.into_any()
                }).collect_view()}
            </tbody>
        </table>
    }
}
