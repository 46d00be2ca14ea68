//! The metrics API, version 1 (docs/api.md): JSON by default, CSV with `format=csv`.
//! Handlers are thin: parse and check the parameters, run one `queries` function on a
//! blocking thread, shape the answer.

use app::reports::actions::{self, ListsParams};
use app::reports::cohorts as cohorts_report;
use app::reports::figures as figures_report;
use app::reports::heatmaps::{self as heatmaps_report, Cells};
use app::reports::notifications as notifications_report;
use app::reports::params::{self, WindowChoice};
use app::reports::provision;
use app::reports::ReportError;
use app::ssr::Warehouse;

use crate::download;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::{Json, Router};
use chrono::NaiveDate;
use queries::calendar;
use queries::figures::{self, Dimension, Scope};
use queries::types::{CohortFilter, Figures, Principal};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// An API call's failure: a report's error (the one error type every report, page and
/// route shares), answered as JSON with its HTTP status.
#[derive(Debug)]
pub struct ApiError(pub ReportError);

impl<E: Into<ReportError>> From<E> for ApiError {
    fn from(e: E) -> Self {
        ApiError(e.into())
    }
}

impl ApiError {
    pub fn not_found(what: impl Into<String>) -> Self {
        ApiError(ReportError::NotFound(what.into()))
    }

    pub fn forbidden() -> Self {
        ApiError(ReportError::Forbidden)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self.0 {
            ReportError::BadParameter(e) => (
                StatusCode::BAD_REQUEST,
                json!({"error": e.to_string(), "parameter": e.parameter}),
            ),
            ReportError::NotFound(what) => (StatusCode::NOT_FOUND, json!({"error": what})),
            ReportError::Forbidden => (StatusCode::FORBIDDEN, json!({"error": self.0.to_string()})),
            // The details go to the log, not to the caller.
            internal => {
                tracing::error!("api: {internal}");
                let error = match internal {
                    ReportError::Audit(_) => "the audit log could not be written",
                    ReportError::Failed(_) => "the document could not be made",
                    _ => "the warehouse could not answer",
                };
                (StatusCode::INTERNAL_SERVER_ERROR, json!({ "error": error }))
            }
        };
        (status, Json(body)).into_response()
    }
}

fn bad(parameter: &str, message: impl Into<String>) -> ApiError {
    params::bad(parameter, message).into()
}

/// The parameter `name`, which is needed and must be one of `allowed`.
fn one_of<'a>(name: &str, given: Option<&'a str>, allowed: &[&str]) -> Result<&'a str, ApiError> {
    let list = || allowed.join(", ");
    match given {
        None => Err(bad(name, format!("needed: one of {}", list()))),
        Some(v) if allowed.contains(&v) => Ok(v),
        Some(v) => Err(bad(name, format!("\"{v}\" is not one of {}", list()))),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct Params {
    from: Option<String>,
    to: Option<String>,
    window: Option<String>,
    scope: Option<String>,
    format: Option<String>,
    by: Option<String>,
    academy: Option<String>,
    kind: Option<String>,
    measure: Option<String>,
    list: Option<String>,
    open_n_days: Option<u64>,
    /// Notifications: only those not yet made.
    open: Option<String>,
    /// Cases: only those at this stage.
    stage: Option<String>,
    // Cohort filters: one group of each characteristic, or any.
    sex: Option<String>,
    year_group: Option<String>,
    key_stage: Option<String>,
    sen_provision: Option<String>,
    fsm: Option<String>,
    eal: Option<String>,
    ethnicity: Option<String>,
    looked_after: Option<String>,
}

impl Params {
    /// The cohort filter in the parameters; a value that is not a group is a 400
    /// naming the parameter.
    fn filter(&self) -> Result<CohortFilter, ApiError> {
        let mut filter = CohortFilter::default();
        for (d, v) in [
            (Dimension::Sex, &self.sex),
            (Dimension::YearGroup, &self.year_group),
            (Dimension::KeyStage, &self.key_stage),
            (Dimension::SenProvision, &self.sen_provision),
            (Dimension::Fsm, &self.fsm),
            (Dimension::Eal, &self.eal),
            (Dimension::Ethnicity, &self.ethnicity),
            (Dimension::LookedAfter, &self.looked_after),
        ] {
            filter
                .set(d, v.clone().filter(|v| !v.is_empty()))
                .map_err(|m| bad(d.as_str(), m))?;
        }
        Ok(filter)
    }
}

/// The academy a call asks about: 404 when there is none with that URN, 403 when the
/// principal may not see it.
async fn academy_param(
    w: &Warehouse,
    who: &Principal,
    academy: Option<String>,
) -> Result<Option<String>, ApiError> {
    let Some(urn) = academy else {
        return Ok(None);
    };
    let known = w.run(figures::academies).await?;
    if !known.iter().any(|a| a.urn == urn) {
        return Err(ApiError::not_found(format!("no academy with URN {urn}")));
    }
    if !who.sees_academy(&urn) {
        return Err(ApiError::forbidden());
    }
    Ok(Some(urn))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// `format`: json (the default) or csv.
fn format_param(p: &Params) -> Result<Format, ApiError> {
    match p.format.as_deref() {
        None | Some("json") => Ok(Format::Json),
        Some("csv") => Ok(Format::Csv),
        Some(f) => Err(bad("format", format!("\"{f}\" is not json or csv"))),
    }
}

/// Checked parameters common to every figures call.
struct Common {
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    format: Format,
    /// Each academy's own window (a named window on each academy's term dates; custom
    /// dates the same for all).
    windows: calendar::Windows,
}

/// The window and scope a call asks for, checked.
fn window_choice(p: &Params) -> Result<WindowChoice, ApiError> {
    Ok(WindowChoice::parse(
        p.window.as_deref(),
        p.from.as_deref(),
        p.to.as_deref(),
        p.scope.as_deref(),
        Scope::All,
    )?)
}

impl Common {
    fn of(windows: &calendar::Windows, format: Format, scope: Scope) -> Common {
        Common {
            from: windows.from,
            to: windows.to,
            scope,
            format,
            windows: windows.clone(),
        }
    }
}

/// The fields every figures object carries (docs/api.md). A count withheld from the
/// viewer (a governor: small, or giving a small one away) is null, with its rate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FigureFields {
    pub enrolments: Option<u64>,
    pub possible_sessions: Option<u64>,
    pub attending_sessions: Option<u64>,
    pub authorised_sessions: Option<u64>,
    pub unauthorised_sessions: Option<u64>,
    pub attendance_rate: Option<f64>,
    pub absence_rate: Option<f64>,
    pub authorised_rate: Option<f64>,
    pub unauthorised_rate: Option<f64>,
    pub pa_enrolments: Option<u64>,
    pub pa_rate: Option<f64>,
    pub sa_enrolments: Option<u64>,
    pub sa_rate: Option<f64>,
}

impl From<&Figures> for FigureFields {
    fn from(f: &Figures) -> Self {
        let shown = |n: u64, withheld: bool| (!withheld && !f.withheld.all).then_some(n);
        FigureFields {
            enrolments: shown(f.enrolments, false),
            possible_sessions: shown(f.possible_sessions, false),
            attending_sessions: shown(f.attending_sessions, false),
            authorised_sessions: shown(f.authorised_sessions, false),
            unauthorised_sessions: shown(f.unauthorised_sessions, false),
            attendance_rate: f.attendance_rate(),
            absence_rate: f.absence_rate(),
            authorised_rate: f.authorised_rate(),
            unauthorised_rate: f.unauthorised_rate(),
            pa_enrolments: shown(f.pa_enrolments, f.withheld.pa),
            pa_rate: f.pa_rate(),
            sa_enrolments: shown(f.sa_enrolments, f.withheld.sa),
            sa_rate: f.sa_rate(),
        }
    }
}

const FIGURE_COLUMNS: [&str; 13] = [
    "enrolments",
    "possible_sessions",
    "attending_sessions",
    "authorised_sessions",
    "unauthorised_sessions",
    "attendance_rate",
    "absence_rate",
    "authorised_rate",
    "unauthorised_rate",
    "pa_enrolments",
    "pa_rate",
    "sa_enrolments",
    "sa_rate",
];

fn figure_cells(f: &FigureFields) -> Vec<String> {
    let rate = |r: Option<f64>| r.map(|r| r.to_string()).unwrap_or_default();
    let count = |n: Option<u64>| n.map(|n| n.to_string()).unwrap_or_default();
    vec![
        count(f.enrolments),
        count(f.possible_sessions),
        count(f.attending_sessions),
        count(f.authorised_sessions),
        count(f.unauthorised_sessions),
        rate(f.attendance_rate),
        rate(f.absence_rate),
        rate(f.authorised_rate),
        rate(f.unauthorised_rate),
        count(f.pa_enrolments),
        rate(f.pa_rate),
        count(f.sa_enrolments),
        rate(f.sa_rate),
    ]
}

/// `GET /api/v1/summary`
pub async fn summary(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let format = format_param(&p)?;
    let summary = w
        .report::<figures_report::Report>(&who, window_choice(&p)?)
        .await?;
    let c = Common::of(&summary.windows, format, window_choice(&p)?.scope);
    let (academies, trust) = summary.now.clone();
    let last = summary.last_year.clone();
    // Each academy's own window and last year's, and its figures then.
    let own = |urn: &str| c.windows.of(urn);
    let last_of = |urn: Option<&str>| -> Option<&Figures> {
        let (rows, trust) = last.as_ref()?;
        match urn {
            None => Some(trust),
            Some(u) => {
                own(u)?.last_year?;
                rows.iter().find(|(a, _)| a.urn == u).map(|(_, f)| f)
            }
        }
    };
    let trust_last_span = c.windows.last_year().map(|(_, f, t)| (f, t));
    if c.format == Format::Csv {
        let mut header = vec!["level", "urn", "name", "phase", "from", "to"];
        header.extend(FIGURE_COLUMNS);
        header.extend(["last_year_from", "last_year_to"]);
        let last_columns: Vec<String> = FIGURE_COLUMNS
            .iter()
            .map(|c| format!("last_year_{c}"))
            .collect();
        header.extend(last_columns.iter().map(String::as_str));
        let cells_of = |span: Option<(NaiveDate, NaiveDate)>,
                        now: &Figures,
                        then: Option<&Figures>|
         -> Vec<String> {
            let mut r = figure_cells(&now.into());
            let (lf, lt) = span
                .map(|(f, t)| (f.to_string(), t.to_string()))
                .unwrap_or_default();
            r.extend([lf, lt]);
            r.extend(match then {
                Some(f) => figure_cells(&f.into()),
                None => vec![String::new(); FIGURE_COLUMNS.len()],
            });
            r
        };
        let mut rows: Vec<Vec<String>> = academies
            .iter()
            .map(|(a, f)| {
                let window = own(&a.urn);
                let mut r = vec![
                    "academy".into(),
                    a.urn.clone(),
                    a.name.clone(),
                    a.phase.clone(),
                    window.map(|w| w.from.to_string()).unwrap_or_default(),
                    window.map(|w| w.to.to_string()).unwrap_or_default(),
                ];
                r.extend(cells_of(
                    window.and_then(|w| w.last_year),
                    f,
                    last_of(Some(&a.urn)),
                ));
                r
            })
            .collect();
        let mut t = vec![
            "trust".into(),
            String::new(),
            "Trust".into(),
            String::new(),
            c.from.to_string(),
            c.to.to_string(),
        ];
        t.extend(cells_of(trust_last_span, &trust, last_of(None)));
        rows.push(t);
        return Ok(download::csv(&header, rows, "summary"));
    }
    let last_json = |span: Option<(NaiveDate, NaiveDate)>, then: Option<&Figures>| -> Value {
        match (span, then) {
            (Some((f, t)), Some(figures)) => {
                let mut v = serde_json::to_value(FigureFields::from(figures)).expect("json");
                v["from"] = f.to_string().into();
                v["to"] = t.to_string().into();
                v
            }
            _ => Value::Null,
        }
    };
    let academies: Vec<Value> = academies
        .iter()
        .map(|(a, f)| {
            let window = own(&a.urn);
            let mut v = serde_json::to_value(FigureFields::from(f)).expect("json");
            v["urn"] = a.urn.clone().into();
            v["name"] = a.name.clone().into();
            v["phase"] = a.phase.clone().into();
            v["from"] = window.map(|w| w.from.to_string()).into();
            v["to"] = window.map(|w| w.to.to_string()).into();
            v["last_year"] = last_json(window.and_then(|w| w.last_year), last_of(Some(&a.urn)));
            v
        })
        .collect();
    let mut trust_v = serde_json::to_value(FigureFields::from(&trust)).expect("json");
    trust_v["name"] = "Trust".into();
    trust_v["urn"] = Value::Null;
    trust_v["from"] = c.from.to_string().into();
    trust_v["to"] = c.to.to_string().into();
    trust_v["last_year"] = last_json(trust_last_span, last_of(None));
    Ok(Json(json!({
        "from": c.from, "to": c.to, "scope": c.scope.as_str(),
        "window": c.windows.name, "same_dates": c.windows.same_dates,
        "academies": academies, "trust": trust_v,
    }))
    .into_response())
}

/// `GET /api/v1/cohorts`
pub async fn cohorts(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let dims: Vec<&str> = Dimension::ALL.iter().map(|d| d.as_str()).collect();
    let by = Dimension::parse(one_of("by", p.by.as_deref(), &dims)?).expect("one of ALL");
    let filter = p.filter()?;
    let format = format_param(&p)?;
    let window = window_choice(&p)?;
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    // Combined filters are for staff, who see pupils already (the report refuses a
    // governor's): a filtered group could be differenced against an unfiltered one.
    let params = cohorts_report::GroupsParams {
        window,
        filter: filter.clone(),
        by,
        academy: academy.clone(),
    };
    let answer = w.report::<cohorts_report::Groups>(&who, params).await?;
    let (windows, groups) = &*answer;
    let c = Common::of(windows, format, window.scope);
    if c.format == Format::Csv {
        let mut header = vec!["group", "suppressed"];
        header.extend(FIGURE_COLUMNS);
        let rows = groups
            .iter()
            .map(|g| {
                let mut r = vec![g.group.clone(), g.figures.is_none().to_string()];
                match &g.figures {
                    Some(f) => r.extend(figure_cells(&f.into())),
                    None => r.extend(FIGURE_COLUMNS.iter().map(|_| String::new())),
                }
                r
            })
            .collect();
        return Ok(download::csv(
            &header,
            rows,
            &format!("cohorts-{}", by.as_str()),
        ));
    }
    let groups: Vec<Value> = groups
        .iter()
        .map(|g| {
            let mut v = match &g.figures {
                Some(f) => serde_json::to_value(FigureFields::from(f)).expect("json"),
                None => Value::Object(
                    FIGURE_COLUMNS
                        .iter()
                        .map(|c| (c.to_string(), Value::Null))
                        .collect(),
                ),
            };
            v["group"] = g.group.clone().into();
            v["suppressed"] = g.figures.is_none().into();
            v
        })
        .collect();
    Ok(Json(json!({
        "by": by.as_str(), "academy": academy, "filter": filter, "from": c.from, "to": c.to,
        "scope": c.scope.as_str(), "groups": groups,
    }))
    .into_response())
}

/// One answer as rows of named cells: JSON (`meta` with the rows under `cells`) or CSV
/// (the columns in order; null is empty).
fn cells_response(
    format: Format,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
    mut meta: Value,
    name: &str,
) -> Response {
    if format == Format::Csv {
        let cell = |v: &Value| match v {
            Value::Null => String::new(),
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let rows = rows.iter().map(|r| r.iter().map(cell).collect()).collect();
        return download::csv(columns, rows, name);
    }
    let cells: Vec<Value> = rows
        .into_iter()
        .map(|r| Value::Object(columns.iter().map(|c| c.to_string()).zip(r).collect()))
        .collect();
    meta["cells"] = cells.into();
    Json(meta).into_response()
}

fn rate(count: u64, of: u64) -> Value {
    if of == 0 {
        Value::Null
    } else {
        (100.0 * count as f64 / of as f64).into()
    }
}

/// `GET /api/v1/heatmap`
pub async fn heatmap(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let kind = p
        .kind
        .clone()
        .ok_or_else(|| bad("kind", "needed: academy-week, academy-year or day-session"))?;
    if !["academy-week", "academy-year", "day-session"].contains(&kind.as_str()) {
        return Err(bad(
            "kind",
            format!("\"{kind}\" is not academy-week, academy-year or day-session"),
        ));
    }
    let measure = match (kind.as_str(), p.measure.as_deref()) {
        ("academy-week", None | Some("pa-to-date")) => "pa-to-date",
        ("academy-week", Some("rolling-absence")) => "rolling-absence",
        ("academy-week", Some(m)) => {
            return Err(bad(
                "measure",
                format!("\"{m}\" is not pa-to-date or rolling-absence"),
            ))
        }
        (_, None) => "",
        (_, Some(_)) => return Err(bad("measure", "only for kind=academy-week")),
    };
    let format = format_param(&p)?;
    let window = window_choice(&p)?;
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    let answer = w
        .report::<heatmaps_report::CellsReport>(
            &who,
            heatmaps_report::CellsParams {
                window,
                kind: kind.clone(),
                rolling: measure == "rolling-absence",
                academy: academy.clone(),
            },
        )
        .await?;
    let c = Common::of(&answer.windows, format, window.scope);
    let names = &answer.names;
    let place = |u: &Option<String>| -> [Value; 2] {
        match u {
            Some(u) => [
                u.clone().into(),
                names.get(u).cloned().unwrap_or_default().into(),
            ],
            None => [Value::Null, "Trust".into()],
        }
    };
    let meta = json!({
        "kind": kind, "measure": (!measure.is_empty()).then_some(measure),
        "academy": academy, "from": c.from, "to": c.to, "scope": c.scope.as_str(),
    });
    let (columns, rows): (&str, Vec<Vec<Value>>) = match &answer.cells {
        Cells::PaToDate(cells) => (
            "urn,name,week,enrolments,pa_enrolments,pa_rate,suppressed",
            cells
                .iter()
                .map(|(x, hide)| {
                    let [u, n] = place(&x.urn);
                    let unless_hidden = |v: Value| if *hide { Value::Null } else { v };
                    vec![
                        u,
                        n,
                        x.week.to_string().into(),
                        unless_hidden(x.of.into()),
                        unless_hidden(x.count.into()),
                        unless_hidden(rate(x.count, x.of)),
                        (*hide).into(),
                    ]
                })
                .collect(),
        ),
        Cells::RollingAbsence(cells) => (
            "urn,name,week,possible_sessions,absent_sessions,absence_rate",
            cells
                .iter()
                .map(|x| {
                    let [u, n] = place(&x.urn);
                    vec![
                        u,
                        n,
                        x.week.to_string().into(),
                        x.of.into(),
                        x.count.into(),
                        rate(x.count, x.of),
                    ]
                })
                .collect(),
        ),
        Cells::YearGroups(cells) => (
            "urn,name,year_group,enrolments,pa_enrolments,pa_rate,suppressed",
            cells
                .iter()
                .map(|(urn, group, shown)| {
                    let [uv, nv] = place(urn);
                    let f = shown.as_ref().map(FigureFields::from);
                    vec![
                        uv,
                        nv,
                        group.clone().into(),
                        f.as_ref().and_then(|f| f.enrolments).into(),
                        f.as_ref().and_then(|f| f.pa_enrolments).into(),
                        f.as_ref().and_then(|f| f.pa_rate).into(),
                        shown.is_none().into(),
                    ]
                })
                .collect(),
        ),
        Cells::DaySession(cells) => {
            const DAYS: [&str; 7] = [
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ];
            (
                "urn,name,weekday,day,session,possible_sessions,absent_sessions,absence_rate",
                cells
                    .iter()
                    .map(|x| {
                        let [u, n] = place(&x.urn);
                        vec![
                            u,
                            n,
                            x.weekday.into(),
                            DAYS[(x.weekday as usize).clamp(1, 7) - 1].into(),
                            if x.session == 0 { "AM" } else { "PM" }.into(),
                            x.possible.into(),
                            x.absent.into(),
                            rate(x.absent, x.possible),
                        ]
                    })
                    .collect(),
            )
        }
    };
    Ok(cells_response(
        c.format,
        &column_names(columns),
        rows,
        meta,
        &format!("heatmap-{kind}"),
    ))
}

/// `GET /api/v1/provision` (pupil level: roles that see pupils, and read tokens).
pub async fn provision(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let kind = match p.kind.as_deref() {
        Some(k @ ("ap" | "reduced-timetable")) => k.to_string(),
        Some(k) => {
            return Err(bad(
                "kind",
                format!("\"{k}\" is not ap or reduced-timetable"),
            ))
        }
        None => return Err(bad("kind", "needed: ap or reduced-timetable")),
    };
    let format = format_param(&p)?;
    // In force at some point between from and to, when given.
    let (from, to) = match (p.from.as_deref(), p.to.as_deref()) {
        (Some(f), Some(t)) => (Some(params::date("from", f)?), Some(params::date("to", t)?)),
        (Some(_), None) => return Err(bad("to", "needed with from")),
        (None, Some(_)) => return Err(bad("from", "needed with to")),
        (None, None) => (None, None),
    };
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    // Names and UPNs leave only once the export is in the audit log (the report's
    // audit): a failed audit write fails the request.
    let exported = w
        .report::<provision::Export>(
            &who,
            provision::ExportParams {
                ap: kind == "ap",
                academy: academy.clone(),
                from,
                to,
            },
        )
        .await?;
    let limit = w.ap_contact_limit;
    let meta = json!({"kind": kind, "academy": academy, "from": from, "to": to});
    let date = |d: NaiveDate| Value::from(d.to_string());
    let opt = |d: Option<NaiveDate>| d.map(date).unwrap_or(Value::Null);
    let (columns, cells, name) = match &*exported {
        provision::Exported::Placements(rows) => (
            "provider,provider_urn,arranged_by,start_date,end_date,sessions_per_week,active,ap_sessions,absent_sessions,attendance_rate,last_contact_date,school_days_since_contact,contact_overdue,flags",
            pupil_rows(rows, |x| &x.pupil, |x| vec![
                x.provider.clone().into(),
                x.provider_urn.clone().into(),
                x.arranged_by.clone().into(),
                date(x.start_date),
                opt(x.end_date),
                x.sessions_per_week.into(),
                x.active().into(),
                x.ap_sessions.into(),
                x.absent_sessions.into(),
                x.attendance_rate().into(),
                opt(x.last_contact_date),
                x.school_days_since_contact.into(),
                x.contact_overdue(limit).into(),
                x.flags(limit).join("; ").into(),
            ]),
            "provision-ap",
        ),
        provision::Exported::Timetables(rows) => (
            "start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified,active,weeks,c2_sessions,planned_end_passed,review_overdue,actions",
            pupil_rows(rows, |x| &x.pupil, |x| vec![
                date(x.start_date),
                date(x.planned_end_date),
                date(x.next_review_date),
                opt(x.end_date),
                x.sessions_per_week.into(),
                x.reason.clone().into(),
                x.parents_agreed.into(),
                x.la_notified.into(),
                x.active().into(),
                x.weeks().into(),
                x.c2_sessions.into(),
                x.planned_end_passed().into(),
                x.review_overdue().into(),
                x.actions().join("; ").into(),
            ]),
            "provision-reduced-timetables",
        ),
    };
    let columns = format!("{PUPIL_COLUMNS},{columns}");
    Ok(cells_response(
        format,
        &column_names(&columns),
        cells,
        meta,
        name,
    ))
}

/// Column names written as one comma-separated line.
fn column_names(columns: &str) -> Vec<&str> {
    columns.split(',').collect()
}

/// The columns that say who a pupil-level row is about, first in every such export.
const PUPIL_COLUMNS: &str = "urn,pupil_id,upn,name,year_group";

/// Pupil-level rows: each row's [`PUPIL_COLUMNS`], then its own cells.
fn pupil_rows<T>(
    rows: &[T],
    pupil: impl Fn(&T) -> &queries::types::PupilRef,
    cells: impl Fn(&T) -> Vec<Value>,
) -> Vec<Vec<Value>> {
    rows.iter()
        .map(|x| {
            let p = pupil(x);
            let mut r: Vec<Value> = vec![
                p.urn.clone().into(),
                p.pupil_id.clone().into(),
                p.upn.clone().into(),
                p.name.clone().into(),
                p.year_group.clone().into(),
            ];
            r.extend(cells(x));
            r
        })
        .collect()
}

/// `GET /api/v1/actions` (pupil level: roles that see pupils, and read tokens).
pub async fn actions(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let keys: Vec<&str> = queries::types::ACTION_LISTS
        .iter()
        .map(|(k, _)| *k)
        .collect();
    let list = one_of("list", p.list.as_deref(), &keys)?.to_string();
    let format = format_param(&p)?;
    let at_risk = w.at_risk;
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    let params = ListsParams::new(academy.clone(), p.open_n_days);
    let open_n_days = params.open_n_days;
    // Audited by the report before anything leaves: a failed write fails the request.
    let lists = w
        .report::<actions::Export>(&who, (params, list.clone()))
        .await?;
    if format == Format::Csv {
        let mut table = lists
            .table(&list, &at_risk, open_n_days)
            .expect("a known list");
        // Each pupil's case as it stands now, as the page shows it.
        let urns = who.visibility(w.suppress_below).academies;
        let today = app::reports::cases::today();
        let briefs = w
            .blocking(move |w, _| {
                let store = w.accounts()?;
                queries::cases::briefs(&store, &urns, today).map_err(app::ssr::WarehouseError::from)
            })
            .await
            .map_err(ReportError::from)?;
        actions::with_cases(&mut table, |p| {
            briefs
                .get(&(p.urn.clone(), p.pupil_id.clone()))
                .cloned()
                .unwrap_or_default()
        });
        let mut columns = column_names(PUPIL_COLUMNS);
        columns.extend(table.columns.iter().map(String::as_str));
        let rows = pupil_rows(
            &table.rows,
            |(p, _)| p,
            |(_, cells)| cells.iter().map(|c| c.as_str().into()).collect(),
        );
        let name = format!("actions-{list}");
        return Ok(cells_response(format, &columns, rows, Value::Null, &name));
    }
    // JSON: each row's pupil fields beside the figures that put it on the list.
    fn flat<T: Serialize>(rows: &[T]) -> Vec<Value> {
        rows.iter()
            .map(|r| {
                let mut v = serde_json::to_value(r).expect("json");
                if let Some(Value::Object(pupil)) =
                    v.as_object_mut().and_then(|o| o.remove("pupil"))
                {
                    for (k, x) in pupil {
                        v[k.as_str()] = x;
                    }
                }
                v
            })
            .collect()
    }
    let rows = match list.as_str() {
        "thresholds" => flat(&lists.crossings),
        "at-risk" => flat(&lists.at_risk),
        "penalty" => {
            let mut all = lists.penalty_now.clone();
            all.extend(lists.penalty_this_year.iter().filter(|w| !w.now).cloned());
            flat(&all)
        }
        "cme" => flat(&lists.missing),
        "open-n" => flat(&lists.open_n),
        _ => flat(&lists.certificates),
    };
    Ok(Json(json!({
        "list": list, "academy": academy, "open_n_days": open_n_days,
        "at_risk_rule": {"weeks": at_risk.weeks, "margin": at_risk.margin},
        "rows": rows,
    }))
    .into_response())
}

/// `GET /api/v1/notifications` (pupil level): the statutory notifications queue, each
/// with when the case says the local authority was told; audited as an export.
pub async fn notifications(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    use queries::notifications::NoticeKind;
    let keys = NoticeKind::ALL.map(|k| k.key());
    let kind = match p.kind.as_deref() {
        None | Some("") => None,
        given => Some(one_of("kind", given, &keys)?.to_string()),
    };
    let open = bool_param("open", p.open.as_deref())?;
    let format = format_param(&p)?;
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    let choice = notifications_report::QueueChoice {
        academy: academy.clone(),
        kind: kind.clone(),
        open,
    };
    // Audited by the report before anything leaves: a failed write fails the request.
    let queue = w
        .report::<notifications_report::Export>(&who, choice)
        .await?;
    let date = |d: Option<NaiveDate>| d.map(|d| Value::from(d.to_string())).unwrap_or(Value::Null);
    let rows = pupil_rows(
        &queue,
        |n| &n.due.pupil,
        |n| {
            vec![
                n.due.kind.key().into(),
                n.due.due_since.to_string().into(),
                n.due.school_days.into(),
                date(n.notified_on),
                n.due.mis_notified.into(),
                n.overdue.into(),
                n.due.days_since_due.into(),
                n.due.what.clone().into(),
            ]
        },
    );
    let columns = format!(
        "{PUPIL_COLUMNS},kind,due_since,school_days,notified_on,mis_notified,overdue,school_days_since_due,what"
    );
    let meta = json!({
        "academy": academy, "kind": kind, "open": open,
        "rules": {
            "cme_school_days": queries::notifications::CME_DAYS,
            "section19_school_days": queries::notifications::ILLNESS_DAYS,
            "overdue_after_school_days": queries::notifications::NOTIFY_WITHIN,
        },
    });
    Ok(cells_response(
        format,
        &column_names(&columns),
        rows,
        meta,
        "notifications",
    ))
}

/// `GET /api/v1/cases` (pupil level): each case with an action this academic year, its
/// stage, last action and next step due (no free text); audited as an export.
pub async fn cases(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    use queries::cases::Stage;
    let keys = Stage::ALL.map(|s| s.key());
    let stage = match p.stage.as_deref() {
        None | Some("") => None,
        given => Stage::parse(one_of("stage", given, &keys)?),
    };
    let format = format_param(&p)?;
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    let today = app::reports::cases::today();
    let briefs = w
        .report::<app::reports::cases::Briefs>(&who, (academy.clone(), today))
        .await?;
    let date = |d: Option<NaiveDate>| d.map(|d| Value::from(d.to_string())).unwrap_or(Value::Null);
    let rows: Vec<Vec<Value>> = briefs
        .iter()
        .filter(|(_, _, b)| stage.is_none_or(|s| b.stage == s))
        .map(|(urn, pupil_id, b)| {
            vec![
                urn.clone().into(),
                pupil_id.clone().into(),
                b.stage.key().into(),
                b.last
                    .map(|(k, _)| Value::from(k.key()))
                    .unwrap_or(Value::Null),
                date(b.last.map(|(_, on)| on)),
                date(b.next_due),
                b.overdue.into(),
                b.actions.into(),
            ]
        })
        .collect();
    let columns = "urn,pupil_id,stage,last_action,last_action_on,next_due,overdue,actions";
    let meta = json!({
        "academy": academy, "stage": stage.map(|s| s.key()), "today": today.to_string(),
    });
    Ok(cells_response(
        format,
        &column_names(columns),
        rows,
        meta,
        "cases",
    ))
}

/// `GET /api/v1/interventions/impact` (figures over pupils, for roles that see pupils):
/// for each academy and kind of action, attendance before and after against like
/// pupils with none; and each academy's time to a first action.
pub async fn impact(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let format = format_param(&p)?;
    let academy = academy_param(&w, &who, p.academy.clone()).await?;
    let today = app::reports::cases::today();
    let data = w
        .report::<app::reports::impact::Report>(&who, (academy.clone(), today))
        .await?;
    let num = |x: Option<f64>| x.map(Value::from).unwrap_or(Value::Null);
    let rows: Vec<Vec<Value>> = data
        .rows
        .iter()
        .flat_map(|r| {
            r.kinds.iter().map(move |k| {
                vec![
                    r.academy.urn.clone().into(),
                    k.kind.key().into(),
                    k.actions.into(),
                    k.not_yet.into(),
                    num(k.before),
                    num(k.after),
                    num(k.change()),
                    k.compared.into(),
                    num(k.comparison_change),
                    num(k.difference),
                ]
            })
        })
        .collect();
    let columns = "urn,kind,pupils,not_yet_measurable,before,after,change,compared,comparison_change,difference";
    let compliance: Vec<Value> = data
        .rows
        .iter()
        .map(|r| {
            let c = &r.compliance;
            json!({
                "urn": r.academy.urn, "below_90": c.crossed, "acted": c.acted,
                "median_days_to_first_action": c.median_days, "waiting": c.waiting,
                "longest_wait_days": c.longest_wait,
            })
        })
        .collect();
    let meta = json!({
        "academy": academy, "weeks": queries::impact::WEEKS, "today": today.to_string(),
        "limits": app::reports::impact::LIMITS, "compliance": compliance,
    });
    Ok(cells_response(
        format,
        &column_names(columns),
        rows,
        meta,
        "interventions-impact",
    ))
}

/// A yes/no parameter: `1`, `true`, `yes` or `y` (any case) is yes; absent is no.
fn bool_param(name: &str, given: Option<&str>) -> Result<bool, ApiError> {
    match given.map(str::to_ascii_lowercase).as_deref() {
        None | Some("") | Some("0" | "false" | "no" | "n") => Ok(false),
        Some("1" | "true" | "yes" | "y") => Ok(true),
        Some(_) => Err(bad(name, "needed: true or false")),
    }
}

/// Every API route (method, path): the access matrix test covers each.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/summary"),
    ("GET", "/api/v1/cohorts"),
    ("GET", "/api/v1/heatmap"),
    ("GET", "/api/v1/provision"),
    ("GET", "/api/v1/actions"),
    ("GET", "/api/v1/notifications"),
    ("GET", "/api/v1/cases"),
    ("GET", "/api/v1/interventions/impact"),
    ("POST", "/api/v1/extracts"),
];

/// The API's routes, with the warehouse as their state.
pub fn routes(warehouse: Warehouse) -> Router {
    let handlers = [
        get(summary),
        get(cohorts),
        get(heatmap),
        get(provision),
        get(actions),
        get(notifications),
        get(cases),
        get(impact),
    ];
    crate::routed(ROUTES, handlers, warehouse)
}
