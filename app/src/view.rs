//! What every figures page is showing, held in the URL: the window (`window`, and
//! `from`/`to` for custom dates), the scope (`scope`) and the sort (`sort`, `dir`).

use leptos::prelude::*;
use leptos_router::hooks::{use_params_map, use_query_map};
use queries::calendar::WindowKind;
use queries::types::Scope;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct ViewParams {
    pub window: String,
    pub from: Option<String>,
    pub to: Option<String>,
    pub scope: String,
    pub sort: Option<String>,
    pub desc: bool,
}

impl ViewParams {
    pub fn kind(&self) -> WindowKind {
        WindowKind::parse(&self.window).unwrap_or_default()
    }

    pub fn scope(&self) -> Scope {
        Scope::parse(&self.scope).unwrap_or_default()
    }

    /// The window and scope, checked (a bad value names its parameter).
    pub fn choice(
        &self,
    ) -> Result<crate::reports::params::WindowChoice, crate::reports::params::ParamError> {
        crate::reports::params::WindowChoice::parse(
            Some(&self.window),
            self.from.as_deref(),
            self.to.as_deref(),
            Some(&self.scope),
            Scope::All,
        )
    }

    /// The query string for these parameters, with `sort` replaced when given.
    pub fn query(&self, sort: Option<(&str, bool)>) -> String {
        let mut parts = vec![
            format!("window={}", self.kind().as_str()),
            format!("scope={}", self.scope().as_str()),
        ];
        if self.kind() == WindowKind::Custom {
            if let Some(f) = &self.from {
                parts.push(format!("from={f}"));
            }
            if let Some(t) = &self.to {
                parts.push(format!("to={t}"));
            }
        }
        let sort = sort.or(self.sort.as_deref().map(|s| (s, self.desc)));
        if let Some((key, desc)) = sort {
            parts.push(format!("sort={key}"));
            if desc {
                parts.push("dir=desc".into());
            }
        }
        format!("?{}", parts.join("&"))
    }

    /// The part that decides the figures (not the sort): the resource key.
    pub fn figures_key(&self) -> ViewParams {
        ViewParams {
            sort: None,
            desc: false,
            ..self.clone()
        }
    }
}

impl From<&crate::reports::params::WindowChoice> for ViewParams {
    /// The URL parameters that ask for `w` (for links built on the server).
    fn from(w: &crate::reports::params::WindowChoice) -> Self {
        ViewParams {
            window: w.kind.as_str().to_string(),
            from: w.from.map(|d| d.to_string()),
            to: w.to.map(|d| d.to_string()),
            scope: w.scope.as_str().to_string(),
            sort: None,
            desc: false,
        }
    }
}

/// A date from the form's day, month and year boxes (`{name}_day`, `_month`, `_year`,
/// the GOV.UK date-input pattern), as `YYYY-MM-DD`, or from `name` itself (links). Boxes
/// that do not make a date come back as typed, so the error names them.
pub fn date_param(get: impl Fn(&str) -> Option<String>, name: &str) -> Option<String> {
    let part = |p: &str| {
        get(&format!("{name}_{p}"))
            .map(|v| v.trim().to_string())
            .filter(|v| !v.is_empty())
    };
    match (part("day"), part("month"), part("year")) {
        (None, None, None) => get(name).filter(|s| !s.is_empty()),
        (d, m, y) => {
            let (d, m, y) = (
                d.unwrap_or_default(),
                m.unwrap_or_default(),
                y.unwrap_or_default(),
            );
            let date = match (d.parse::<u32>(), m.parse::<u32>(), y.parse::<i32>()) {
                (Ok(d), Ok(m), Ok(y)) if y >= 1000 => chrono::NaiveDate::from_ymd_opt(y, m, d),
                _ => None,
            };
            Some(match date {
                Some(date) => date.format("%Y-%m-%d").to_string(),
                None => format!("{d}/{m}/{y}"),
            })
        }
    }
}

/// The academy's URN from the current route (`/academy/{urn}/...`); empty without one.
pub fn use_route_urn() -> Memo<String> {
    let route = use_params_map();
    Memo::new(move |_| route.with(|r| r.get("urn").unwrap_or_default()))
}

/// The view parameters from the current URL.
pub fn use_view_params() -> Memo<ViewParams> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| ViewParams {
            window: q.get("window").unwrap_or_else(|| "ytd".into()),
            from: date_param(|k| q.get(k), "from"),
            to: date_param(|k| q.get(k), "to"),
            scope: q.get("scope").unwrap_or_else(|| "all".into()),
            sort: q.get("sort"),
            desc: q.get("dir").as_deref() == Some("desc"),
        })
    })
}

/// The window and scope chooser: a plain GET form, so it works without JavaScript.
#[component]
pub fn WindowForm(
    params: Memo<ViewParams>,
    action: String,
    /// More fields for the same form (a page's own choices, kept with the window's).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let p = params.get_untracked();
    view! {
        <form method="get" action=action class="window-form">
            <label>"Window "
                <select name="window">
                    {WindowKind::ALL.into_iter().map(|k| {
                        let selected = k == p.kind();
                        view! { <option value=k.as_str() selected=selected>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <DateInput name="from" legend="From (custom dates)" value=p.from.clone()/>
            <DateInput name="to" legend="To" value=p.to.clone()/>
            <ScopeSelect selected=p.scope() default=Scope::All/>
            {children.map(|c| c())}
            <button type="submit">"Show"</button>
        </form>
    }
}

/// Why a page's data could not be shown: the reason alone (a parameter named, "not
/// allowed for this account"), not the server function's wrapping.
#[component]
pub fn Failed(e: ServerFnError) -> impl IntoView {
    let text = match &e {
        ServerFnError::ServerError(m) => m.clone(),
        other => other.to_string(),
    };
    view! { <p class="error" role="alert">{text}</p> }
}

/// The academy to show, as a labelled drop-down of the academies the viewer may see;
/// with `all`, a first choice of every academy (no `academy` parameter).
#[component]
pub fn AcademySelect(
    academies: Vec<queries::types::AcademyRef>,
    selected: Option<String>,
    #[prop(optional)] all: bool,
) -> impl IntoView {
    view! {
        <label>"Academy "
            <select name="academy">
                {all.then(|| view! { <option value="" selected=selected.is_none()>"All academies"</option> })}
                {academies.into_iter().map(|a| {
                    let chosen = selected.as_deref() == Some(a.urn.as_str());
                    view! { <option value=a.urn selected=chosen>{a.name}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// A page's title (the tab's and the heading's) and the sentence saying what it is for.
#[component]
pub fn Heading(title: &'static str, #[prop(optional)] lead: Option<&'static str>) -> impl IntoView {
    view! {
        <leptos_meta::Title text=title/>
        <h1>{title}</h1>
        {lead.map(|lead| view! { <p class="lead">{lead}</p> })}
    }
}

/// A part of a page under its own heading, which names it for screen readers
/// (`aria-labelledby` the heading's `id`).
#[component]
pub fn Section(
    /// The heading's id.
    id: &'static str,
    #[prop(into)] heading: String,
    children: Children,
) -> impl IntoView {
    view! {
        <section aria-labelledby=id>
            <h2 id=id>{heading}</h2>
            {children()}
        </section>
    }
}

/// A table wider than a phone, in a box of its own that scrolls sideways (focusable,
/// so that it scrolls from the keyboard too); the children are the table's.
#[component]
pub fn ScrollTable(
    #[prop(optional)] id: Option<&'static str>,
    #[prop(default = "data")] class: &'static str,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-scroll" tabindex="0">
            <table class=class id=id>{children()}</table>
        </div>
    }
}

/// What the figures are over, for the line above them: the window's name and dates and
/// the scope, then the children (more about the same figures).
#[component]
pub fn ScopeNote(
    window: queries::calendar::Window,
    scope: Scope,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let dates = format!(
        " ({} to {}) · ",
        window.from.format("%-d %b %Y"),
        window.to.format("%-d %b %Y")
    );
    let what = view! { <strong>{window.name}</strong>{dates}<strong>{scope.label()}</strong> };
    // Without children, nothing after (not even the marker an empty `Option` leaves).
    match children {
        Some(more) => view! { <p class="scope-note">{what}{more()}</p> }.into_any(),
        None => view! { <p class="scope-note">{what}</p> }.into_any(),
    }
}

/// The scope chooser (every pupil, or DfE's scope), the page's default first.
#[component]
pub fn ScopeSelect(selected: Scope, default: Scope) -> impl IntoView {
    let order = match default {
        Scope::Dfe => [Scope::Dfe, Scope::All],
        Scope::All => [Scope::All, Scope::Dfe],
    };
    view! {
        <label>"Scope "
            <select name="scope">
                {order.into_iter().map(|s| view! { <option value=s.as_str() selected=s == selected>{s.label()}</option> }).collect_view()}
            </select>
        </label>
    }
}

/// A page that shows one server function's data: its [`Heading`], then the data as
/// [`loaded`] shows it.
#[component]
pub fn Page<T, V, F>(
    title: &'static str,
    lead: &'static str,
    data: Resource<Result<T, ServerFnError>>,
    body: F,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static,
    V: IntoView + 'static,
    F: Fn(T) -> V + Clone + Send + Sync + 'static,
{
    view! {
        <Heading title lead/>
        {loaded(data, body)}
    }
}

/// The part of every page that waits for its data: "Loading…" while it comes, the body
/// once it has come, and the reason in plain words when it could not be had.
pub fn loaded<T, V>(
    data: Resource<Result<T, ServerFnError>>,
    body: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let body = body.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(d) => body(d).into_any(),
                        Err(e) => view! { <Failed e/> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// [`loaded`] for data that may not exist (an academy, a pupil, a summary): the app's
/// "not found" page when it does not.
pub fn found<T, V>(
    data: Resource<Result<Option<T>, ServerFnError>>,
    body: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + for<'de> Deserialize<'de> + 'static,
    V: IntoView + 'static,
{
    loaded(data, move |d| match d {
        Some(d) => body(d).into_any(),
        None => view! { <crate::pages::NotFound/> }.into_any(),
    })
}

/// A date as day, month and year boxes (the GOV.UK date-input pattern): it reads the
/// British way in every browser, and takes what people type.
#[component]
pub fn DateInput(name: &'static str, legend: &'static str, value: Option<String>) -> impl IntoView {
    // A date, or what was typed in the boxes (day/month/year) when it was not one.
    let parts: [String; 3] = match value.as_deref() {
        Some(v) => match chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d") {
            Ok(d) => [
                d.format("%-d").to_string(),
                d.format("%-m").to_string(),
                d.format("%Y").to_string(),
            ],
            Err(_) => {
                let mut typed = v.splitn(3, '/').map(str::to_string);
                [(); 3].map(|_| typed.next().unwrap_or_default())
            }
        },
        None => Default::default(),
    };
    let part = move |i: usize| parts[i].clone();
    let hint = format!("{name}-hint");
    let described_by = hint.clone();
    view! {
        <fieldset class="date-input" role="group" aria-describedby=described_by>
            <legend>{legend}</legend>
            <span class="hint" id=hint>"For example, 27 3 2026"</span>
            <label>"Day" <input class="w2" name=format!("{name}_day") inputmode="numeric" maxlength="2" value=part(0)/></label>
            <label>"Month" <input class="w2" name=format!("{name}_month") inputmode="numeric" maxlength="2" value=part(1)/></label>
            <label>"Year" <input class="w4" name=format!("{name}_year") inputmode="numeric" maxlength="4" value=part(2)/></label>
        </fieldset>
    }
}

/// A percentage to 1 decimal place, or an en dash for none.
pub fn pct(r: Option<f64>) -> String {
    r.map(|r| format!("{r:.1}%")).unwrap_or_else(|| "–".into())
}

/// A change in percentage points, signed.
pub fn pp(r: Option<f64>) -> String {
    r.map(|r| format!("{r:+.1} pp"))
        .unwrap_or_else(|| "–".into())
}

/// One of a figures' session rates as the viewer may see it: x where the group is
/// withheld from them (a governor: small, or giving a small one away), an en dash for
/// none.
pub fn rate(f: &queries::types::Figures, r: fn(&queries::types::Figures) -> Option<f64>) -> String {
    if f.withheld.all {
        "x".into()
    } else {
        pct(r(f))
    }
}

/// The persistent-absence rate as the viewer may see it: x where withheld.
pub fn pa(f: &queries::types::Figures) -> String {
    if f.withheld.all || f.withheld.pa {
        "x".into()
    } else {
        pct(f.pa_rate())
    }
}

/// The severe-absence rate as the viewer may see it: x where withheld.
pub fn sa(f: &queries::types::Figures) -> String {
    if f.withheld.all || f.withheld.sa {
        "x".into()
    } else {
        pct(f.sa_rate())
    }
}

/// Enrolments as the viewer may see them: x where withheld.
pub fn enrolments(f: &queries::types::Figures) -> String {
    if f.withheld.all {
        "x".into()
    } else {
        crate::format::count(f.enrolments)
    }
}

#[cfg(test)]
mod tests {
    use super::date_param;

    fn q<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |k| {
            pairs
                .iter()
                .find(|(n, _)| *n == k)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn dates_come_as_day_month_year_boxes_or_from_links() {
        let boxes = [
            ("from_day", "7"),
            ("from_month", "9"),
            ("from_year", "2025"),
        ];
        assert_eq!(date_param(q(&boxes), "from").as_deref(), Some("2025-09-07"));
        assert_eq!(
            date_param(q(&[("from", "2025-09-07")]), "from").as_deref(),
            Some("2025-09-07")
        );
        // Empty boxes are no date; half-filled ones come back as typed, to be refused.
        let empty = [("from_day", ""), ("from_month", " "), ("from_year", "")];
        assert_eq!(date_param(q(&empty), "from"), None);
        let half = [("from_day", "31"), ("from_month", "2")];
        assert_eq!(date_param(q(&half), "from").as_deref(), Some("31/2/"));
        // No 31 February: refused as typed.
        let bad = [
            ("from_day", "31"),
            ("from_month", "2"),
            ("from_year", "2026"),
        ];
        assert_eq!(date_param(q(&bad), "from").as_deref(), Some("31/2/2026"));
    }
}
