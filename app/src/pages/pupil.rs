//! One pupil (`/academy/{urn}/pupil/{pupil_id}`): their record, their case (what the
//! academy's staff did, its stage, what is due next, and a form to record the next
//! action, which works without JavaScript) and this academic year's register week by
//! week, each mark with what it means. Pupil level: trust and academy staff only; every
//! view and every action recorded is in the audit log.

use crate::flash::FlashView;
use crate::reports::cases::CaseData;
use crate::view::{found, loaded, DateInput, ScrollTable};
use leptos::form::ActionForm;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
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

/// The pupil's case, and what the last action recorded here did.
#[server]
pub async fn get_case(urn: String, pupil_id: String) -> Result<CaseData, ServerFnError> {
    use crate::reports::cases;
    let today = cases::today();
    let mut data = crate::reports::serve::<cases::Case>(cases::Params {
        urn,
        pupil_id,
        today,
    })
    .await?;
    data.flash = crate::flash::take("case").await?;
    Ok(data)
}

/// Records an action on a pupil's case (staff of their academy only); what it did
/// waits for the page (with JavaScript off, the browser comes back to it).
#[allow(clippy::too_many_arguments)]
#[server]
pub async fn record_action(
    #[server(default)] urn: String,
    #[server(default)] pupil_id: String,
    #[server(default)] kind: String,
    #[server(default)] on_day: String,
    #[server(default)] on_month: String,
    #[server(default)] on_year: String,
    #[server(default)] outcome: String,
    #[server(default)] next_step: String,
    #[server(default)] due_day: String,
    #[server(default)] due_month: String,
    #[server(default)] due_year: String,
) -> Result<(), ServerFnError> {
    use crate::reports::cases;
    let fields = [
        ("on_day", on_day),
        ("on_month", on_month),
        ("on_year", on_year),
        ("due_day", due_day),
        ("due_month", due_month),
        ("due_year", due_year),
    ];
    let get = |k: &str| fields.iter().find(|(f, _)| *f == k).map(|(_, v)| v.clone());
    let new = queries::cases::NewAction {
        urn,
        pupil_id,
        kind,
        on: crate::view::date_param(get, "on").unwrap_or_default(),
        outcome,
        next_step,
        next_due: crate::view::date_param(get, "due").unwrap_or_default(),
    };
    let w = crate::ssr::warehouse()?;
    let who = crate::ssr::principal()?;
    let today = cases::today();
    let done = w
        .blocking(move |w, conn| cases::record(w, conn, &who, &new, today))
        .await;
    match done {
        Ok(flash) => crate::flash::keep("case", flash).await,
        Err(e) => Err(crate::reports::server_error(e)),
    }
}

/// A pupil page's address.
pub fn pupil_href(urn: &str, pupil_id: &str) -> String {
    format!("/academy/{urn}/pupil/{pupil_id}")
}

#[component]
pub fn PupilPage() -> impl IntoView {
    let route = use_params_map();
    // `?record=la-cme` (from the notifications queue): the form starts on that kind.
    let query = use_query_map();
    let preset = move || query.with(|q| q.get("record"));
    let key = Memo::new(move |_| {
        route.with(|r| {
            (
                r.get("urn").unwrap_or_default(),
                r.get("pupil_id").unwrap_or_default(),
            )
        })
    });
    let data = Resource::new(move || key.get(), |(urn, id)| get_pupil(urn, id));
    let record = ServerAction::<RecordAction>::new();
    let case = Resource::new(
        move || (key.get(), record.version().get()),
        |((urn, id), _)| get_case(urn, id),
    );
    view! {
        {found(data, move |p| {
            let register = p.clone();
            view! {
                <PupilBody p/>
                {loaded(case, move |c| view! { <CaseSection c record preset=preset()/> })}
                <RegisterTable p=register/>
            }
        })}
    }
}

/// A date as a person reads it.
fn day(d: chrono::NaiveDate) -> String {
    d.format("%-d %b %Y").to_string()
}

/// The case: where it stands, its actions, and (for the academy's staff) the form to
/// record the next one.
#[component]
fn CaseSection(
    c: CaseData,
    record: ServerAction<RecordAction>,
    preset: Option<String>,
) -> impl IntoView {
    let b = c.brief.clone();
    let standing = format!(
        "Stage: {}. {}. {}",
        &b.stage.label()[2..],
        match b.last {
            Some((kind, on)) => format!("Last action: {} on {}", kind.label(), day(on)),
            None => "Nothing recorded yet".into(),
        },
        match b.next_due {
            Some(due) if b.overdue => format!("Next step was due on {}: overdue.", day(due)),
            Some(due) => format!("Next step due on {}.", day(due)),
            None => "No next step due.".into(),
        }
    );
    let today = c.today.format("%Y-%m-%d").to_string();
    view! {
        <section id="case" aria-labelledby="case-h">
            <h2 id="case-h">"Case"</h2>
            <p class="lead" id="case-standing">{standing}</p>
            <p><a href=format!("{}/evidence.pdf", pupil_href(&c.urn, &c.pupil_id)) download="">"Download the penalty-notice evidence pack (PDF): the rule, the rolling window and its register, and the actions recorded"</a></p>
            {c.flash.map(|f| view! { <FlashView f/> })}
            <ScrollTable id="case-actions">
                <caption>"Actions recorded, oldest first"</caption>
                <thead><tr>
                    <th scope="col">"Date"</th><th scope="col">"Action"</th><th scope="col">"Outcome"</th>
                    <th scope="col">"Next step"</th><th scope="col">"Due"</th><th scope="col">"Recorded by"</th>
                </tr></thead>
                <tbody>
                    {c.actions.is_empty().then(|| view! { <tr><td colspan="6">"No actions recorded."</td></tr> })}
                    {c.actions.iter().map(|a| view! {
                        <tr>
                            <td>{day(a.on)}</td>
                            <th scope="row">{a.kind.label()}</th>
                            <td>{a.outcome.clone()}</td>
                            <td>{a.next_step.clone()}</td>
                            <td>{a.next_due.map(day).unwrap_or_default()}</td>
                            <td>{a.by.clone()}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </ScrollTable>
            {c.may_record.then(|| view! {
                <h3 id="record-h">"Record an action"</h3>
                <ActionForm action=record attr:class="admin-form case-form" attr:id="record-action" attr:aria-labelledby="record-h">
                    <input type="hidden" name="urn" value=c.urn.clone()/>
                    <input type="hidden" name="pupil_id" value=c.pupil_id.clone()/>
                    <label>"Action "
                        <select name="kind" required>
                            {crate::reports::cases::kinds().map(|(k, label)| {
                                let chosen = preset.as_deref() == Some(k);
                                view! { <option value=k selected=chosen>{label}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <DateInput name="on" legend="Date" value=Some(today.clone())/>
                    <label class="wide">"Outcome " <textarea name="outcome" rows="2" maxlength="2000"></textarea></label>
                    <label class="wide">"Next step " <input type="text" name="next_step" maxlength="2000"/></label>
                    <DateInput name="due" legend="Next step due (optional)" value=None/>
                    <button type="submit">"Record"</button>
                </ActionForm>
            })}
        </section>
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
    }
}

/// This academic year's register, week by week.
#[component]
fn RegisterTable(p: PupilRecord) -> impl IntoView {
    view! {
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
