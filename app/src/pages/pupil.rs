//! One pupil (`/academy/{urn}/pupil/{pupil_id}`): their record and this academic year's
//! register week by week, each mark with what it means. Pupil level: trust and academy
//! staff only; every view is in the audit log.

use crate::view::{found, ScrollTable};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use queries::types::{Dimension, PupilRecord};

use crate::view::pct;

#[server]
pub async fn get_pupil(
    urn: String,
    pupil_id: String,
) -> Result<Option<PupilRecord>, ServerFnError> {
    use crate::reports::pupil;
    crate::reports::serve::<pupil::Report>(pupil::Params { urn, pupil_id }).await
}

/// A pupil page's address.
pub fn pupil_href(urn: &str, pupil_id: &str) -> String {
    format!("/academy/{urn}/pupil/{pupil_id}")
}

#[component]
pub fn PupilPage() -> impl IntoView {
    let route = use_params_map();
    let key = Memo::new(move |_| {
        route.with(|r| {
            (
                r.get("urn").unwrap_or_default(),
                r.get("pupil_id").unwrap_or_default(),
            )
        })
    });
    let data = Resource::new(move || key.get(), |(urn, id)| get_pupil(urn, id));
    view! {
        {found(data, |p| view! { <PupilBody p/> })}
    }
}

const SESSIONS: [&str; 10] = [
    "Mon AM", "Mon PM", "Tue AM", "Tue PM", "Wed AM", "Wed PM", "Thu AM", "Thu PM", "Fri AM",
    "Fri PM",
];

#[component]
fn PupilBody(p: PupilRecord) -> impl IntoView {
    let yn = |b: bool| if b { "Yes" } else { "No" };
    let attendance = (p.possible > 0).then(|| 100.0 * p.attending as f64 / p.possible as f64);
    let absence = (p.possible > 0).then(|| 100.0 * p.absent as f64 / p.possible as f64);
    let pa = p.possible > 0 && p.absent * 10 >= p.possible;
    let d = p.details.clone();
    view! {
        <Title text=p.pupil.name.clone()/>
        <p class="crumbs"><a href=format!("/academy/{}", p.pupil.urn)>{p.academy_name.clone()}</a>" › pupil"</p>
        <h1>{p.pupil.name.clone()}</h1>
        <p class="lead">{format!(
            "{} · UPN {} · MIS id {} · {}",
            Dimension::YearGroup.group_label(&p.pupil.year_group),
            p.pupil.upn.clone().unwrap_or_else(|| "–".into()),
            p.pupil.pupil_id,
            p.academy_name
        )}</p>
        <section class="headline" aria-label="This academic year">
            <div><span class="big">{pct(attendance)}</span>" attendance"</div>
            <div><span class="big">{pct(absence)}</span>" absence"</div>
            <div><span class="big">{p.absent}</span>{format!(" of {} sessions missed", p.possible)}</div>
            <div><span class="big">{if pa { "Yes" } else { "No" }}</span>" persistently absent"</div>
        </section>
        <table class="data" id="record">
            <caption>"Record"</caption>
            <tbody>
                <tr><th scope="row">"Date of birth"</th><td>{d.date_of_birth.format("%-d %b %Y").to_string()}</td></tr>
                <tr><th scope="row">"Sex"</th><td>{Dimension::Sex.group_label(&d.sex)}</td></tr>
                <tr><th scope="row">"On roll"</th><td>{format!("from {}{}", d.entry_date.format("%-d %b %Y"), d.leaving_date.map(|l| format!(" to {}", l.format("%-d %b %Y"))).unwrap_or_default())}</td></tr>
                <tr><th scope="row">"SEN provision"</th><td>{Dimension::SenProvision.group_label(&d.sen_provision)}</td></tr>
                <tr><th scope="row">"Free school meals"</th><td>{yn(d.fsm)}</td></tr>
                <tr><th scope="row">"English as an additional language"</th><td>{yn(d.eal)}</td></tr>
                <tr><th scope="row">"Ethnicity"</th><td>{d.ethnicity.clone().unwrap_or_else(|| "Not recorded".into())}</td></tr>
                <tr><th scope="row">"Looked after"</th><td>{d.looked_after.map(yn).unwrap_or("Not recorded")}</td></tr>
            </tbody>
        </table>
        <ScrollTable id="register" class="data register">
            <caption>{format!("Register, {} to {} (hover a mark for its meaning)", p.from.format("%-d %b %Y"), p.to.format("%-d %b %Y"))}</caption>
            <thead><tr><th scope="col">"Week of"</th>{SESSIONS.iter().map(|s| view! { <th scope="col">{*s}</th> }).collect_view()}</tr></thead>
            <tbody>
                {p.weeks.iter().map(|(monday, marks)| view! {
                    <tr id=format!("week-{monday}")>
                        <th scope="row">{monday.format("%-d %b").to_string()}</th>
                        {marks.iter().map(|m| match m {
                            Some((code, meaning)) => view! { <td title=meaning.clone()><code>{code.clone()}</code></td> }.into_any(),
                            None => view! { <td></td> }.into_any(),
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </ScrollTable>
    }
}
