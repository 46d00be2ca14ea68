//! The metrics API, version 1 (docs/api.md): JSON by default, CSV with `format=csv`.
//! Handlers are thin: parse and check the parameters, run one `queries` function on a
//! blocking thread, shape the answer.

use app::ssr::{Warehouse, WarehouseError};
use axum::extract::{Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Extension;
use axum::{Json, Router};
use chrono::NaiveDate;
use queries::calendar::{self, WindowKind};
use queries::figures::{self, Dimension, Scope};
use queries::types::{Figures, Principal};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

/// Everything an API call can fail with, each mapped to its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{parameter}: {message}")]
    BadParameter {
        parameter: &'static str,
        message: String,
    },
    #[error("{0}")]
    NotFound(String),
    #[error("not allowed for this account")]
    Forbidden,
    #[error("{0}")]
    Warehouse(#[from] WarehouseError),
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = match &self {
            ApiError::BadParameter { parameter, message } => (
                StatusCode::BAD_REQUEST,
                json!({"error": format!("{parameter}: {message}"), "parameter": parameter}),
            ),
            ApiError::NotFound(what) => (StatusCode::NOT_FOUND, json!({"error": what})),
            ApiError::Forbidden => (StatusCode::FORBIDDEN, json!({"error": self.to_string()})),
            ApiError::Warehouse(e) => {
                tracing::error!("api: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    json!({"error": "the warehouse could not answer"}),
                )
            }
        };
        (status, Json(body)).into_response()
    }
}

fn bad(parameter: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::BadParameter {
        parameter,
        message: message.into(),
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Json,
    Csv,
}

/// Checked parameters common to every figures call.
struct Common {
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
    format: Format,
}

fn date(parameter: &'static str, value: &str) -> Result<NaiveDate, ApiError> {
    NaiveDate::parse_from_str(value, "%Y-%m-%d")
        .map_err(|_| bad(parameter, format!("\"{value}\" is not a date (YYYY-MM-DD)")))
}

async fn common(w: &Warehouse, p: &Params) -> Result<Common, ApiError> {
    let scope = match p.scope.as_deref() {
        None => Scope::All,
        Some(s) => {
            Scope::parse(s).ok_or_else(|| bad("scope", format!("\"{s}\" is not all or dfe")))?
        }
    };
    let format = match p.format.as_deref() {
        None | Some("json") => Format::Json,
        Some("csv") => Format::Csv,
        Some(f) => return Err(bad("format", format!("\"{f}\" is not json or csv"))),
    };
    let (from, to) = match (p.from.as_deref(), p.to.as_deref()) {
        (Some(f), Some(t)) => {
            let (f, t) = (date("from", f)?, date("to", t)?);
            if t < f {
                return Err(bad("to", format!("{t} is before from ({f})")));
            }
            (f, t)
        }
        (Some(_), None) => return Err(bad("to", "needed with from")),
        (None, Some(_)) => return Err(bad("from", "needed with to")),
        (None, None) => {
            let kind = match p.window.as_deref() {
                None => WindowKind::YearToDate,
                Some(k) => WindowKind::parse(k)
                    .filter(|k| *k != WindowKind::Custom)
                    .ok_or_else(|| {
                        bad(
                            "window",
                            format!("\"{k}\" is not ytd, term, last-term, half-term or week"),
                        )
                    })?,
            };
            let window = w
                .run_with_calendar(move |_, cal| Ok(calendar::resolve(cal, kind, None, None)))
                .await?
                .map_err(ApiError::NotFound)?;
            (window.from, window.to)
        }
    };
    Ok(Common {
        from,
        to,
        scope,
        format,
    })
}

/// The fields every figures object carries (docs/api.md).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FigureFields {
    pub enrolments: u64,
    pub possible_sessions: u64,
    pub attending_sessions: u64,
    pub authorised_sessions: u64,
    pub unauthorised_sessions: u64,
    pub attendance_rate: Option<f64>,
    pub absence_rate: Option<f64>,
    pub authorised_rate: Option<f64>,
    pub unauthorised_rate: Option<f64>,
    pub pa_enrolments: u64,
    pub pa_rate: Option<f64>,
    pub sa_enrolments: u64,
    pub sa_rate: Option<f64>,
}

impl From<&Figures> for FigureFields {
    fn from(f: &Figures) -> Self {
        FigureFields {
            enrolments: f.enrolments,
            possible_sessions: f.possible_sessions,
            attending_sessions: f.attending_sessions,
            authorised_sessions: f.authorised_sessions,
            unauthorised_sessions: f.unauthorised_sessions,
            attendance_rate: f.attendance_rate(),
            absence_rate: f.absence_rate(),
            authorised_rate: f.authorised_rate(),
            unauthorised_rate: f.unauthorised_rate(),
            pa_enrolments: f.pa_enrolments,
            pa_rate: f.pa_rate(),
            sa_enrolments: f.sa_enrolments,
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
    vec![
        f.enrolments.to_string(),
        f.possible_sessions.to_string(),
        f.attending_sessions.to_string(),
        f.authorised_sessions.to_string(),
        f.unauthorised_sessions.to_string(),
        rate(f.attendance_rate),
        rate(f.absence_rate),
        rate(f.authorised_rate),
        rate(f.unauthorised_rate),
        f.pa_enrolments.to_string(),
        rate(f.pa_rate),
        f.sa_enrolments.to_string(),
        rate(f.sa_rate),
    ]
}

fn csv_response(header: Vec<&str>, rows: Vec<Vec<String>>, name: &str) -> Response {
    let mut w = csv::Writer::from_writer(Vec::new());
    let _ = w.write_record(&header);
    for r in rows {
        let _ = w.write_record(&r);
    }
    let body = w.into_inner().unwrap_or_default();
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}.csv\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// `GET /api/v1/summary`
pub async fn summary(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<Params>,
) -> Result<Response, ApiError> {
    let c = common(&w, &p).await?;
    let (from, to, scope) = (c.from, c.to, c.scope);
    let (mut academies, trust) = w
        .run(move |conn| figures::by_academy(conn, from, to, scope))
        .await?;
    academies.retain(|(a, _)| who.sees_academy(&a.urn));
    if c.format == Format::Csv {
        let mut header = vec!["level", "urn", "name", "phase"];
        header.extend(FIGURE_COLUMNS);
        let mut rows: Vec<Vec<String>> = academies
            .iter()
            .map(|(a, f)| {
                let mut r = vec![
                    "academy".into(),
                    a.urn.clone(),
                    a.name.clone(),
                    a.phase.clone(),
                ];
                r.extend(figure_cells(&f.into()));
                r
            })
            .collect();
        let mut t = vec!["trust".into(), String::new(), "Trust".into(), String::new()];
        t.extend(figure_cells(&(&trust).into()));
        rows.push(t);
        return Ok(csv_response(header, rows, "summary"));
    }
    let academies: Vec<Value> = academies
        .iter()
        .map(|(a, f)| {
            let mut v = serde_json::to_value(FigureFields::from(f)).expect("json");
            v["urn"] = a.urn.clone().into();
            v["name"] = a.name.clone().into();
            v["phase"] = a.phase.clone().into();
            v
        })
        .collect();
    let mut trust_v = serde_json::to_value(FigureFields::from(&trust)).expect("json");
    trust_v["name"] = "Trust".into();
    trust_v["urn"] = Value::Null;
    Ok(Json(json!({
        "from": c.from, "to": c.to, "scope": c.scope.as_str(),
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
    let by = match p.by.as_deref() {
        None => {
            return Err(bad(
                "by",
                "needed: sex, year_group, sen_provision, fsm, eal or ethnicity",
            ))
        }
        Some(b) => Dimension::parse(b).ok_or_else(|| {
            bad(
                "by",
                format!("\"{b}\" is not sex, year_group, sen_provision, fsm, eal or ethnicity"),
            )
        })?,
    };
    let c = common(&w, &p).await?;
    let academy = match p.academy.clone() {
        None => None,
        Some(urn) => {
            let known = w.run(figures::academies).await?;
            if !known.iter().any(|a| a.urn == urn) {
                return Err(ApiError::NotFound(format!("no academy with URN {urn}")));
            }
            if !who.sees_academy(&urn) {
                return Err(ApiError::Forbidden);
            }
            Some(urn)
        }
    };
    let (from, to, scope, urn) = (c.from, c.to, c.scope, academy.clone());
    let groups = w
        .run(move |conn| figures::by_group(conn, from, to, scope, by, urn.as_deref()))
        .await?;
    // Governors get small groups suppressed (queries::suppress, the one place for it).
    let groups = queries::suppress::for_viewer(&who, groups, w.suppress_below);
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
        return Ok(csv_response(
            header,
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
        "by": by.as_str(), "academy": academy, "from": c.from, "to": c.to,
        "scope": c.scope.as_str(), "groups": groups,
    }))
    .into_response())
}

/// Every API route (method, path): the access matrix test covers each.
pub const ROUTES: &[(&str, &str)] = &[
    ("GET", "/api/v1/summary"),
    ("GET", "/api/v1/cohorts"),
    ("POST", "/api/v1/extracts"),
];

/// The API's routes, with the warehouse as their state.
pub fn routes(warehouse: Warehouse) -> Router {
    Router::new()
        .route(ROUTES[0].1, get(summary))
        .route(ROUTES[1].1, get(cohorts))
        .with_state(warehouse)
}

/// `POST /api/v1/extracts`: an academy's MIS (or a connector) pushes a nightly extract
/// as a `.zip` body with an `upload` token for that academy. The extract goes to the
/// inbox, which the server loads from; the answer is 202 with its inbox name.
pub async fn upload(
    State(inbox): State<std::path::PathBuf>,
    Extension(who): Extension<Principal>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%3f");
    let urn = who.academies.first().cloned().ok_or(ApiError::Forbidden)?;
    let name = format!("{stamp}-upload-{urn}.zip");
    let tmp = inbox.join(format!(".incoming-{name}"));
    let result = tokio::task::spawn_blocking({
        let (tmp, inbox, name, urn) = (tmp.clone(), inbox.clone(), name.clone(), urn.clone());
        move || -> Result<(), ApiError> {
            std::fs::create_dir_all(&inbox).map_err(|e| bad("body", e.to_string()))?;
            std::fs::write(&tmp, &body).map_err(|e| bad("body", e.to_string()))?;
            let files = queries::extract::read_raw(&tmp).map_err(|f| bad("body", f.to_string()))?;
            let manifest: Value = files
                .get("manifest.json")
                .and_then(|m| serde_json::from_slice(m).ok())
                .ok_or_else(|| bad("body", "no readable manifest.json in the zip"))?;
            if manifest["academy"]["urn"].as_str() != Some(urn.as_str()) {
                return Err(ApiError::Forbidden);
            }
            std::fs::rename(&tmp, inbox.join(&name)).map_err(|e| bad("body", e.to_string()))?;
            Ok(())
        }
    })
    .await
    .map_err(|e| ApiError::Warehouse(e.into()))?;
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result?;
    tracing::info!(target: "rollcall::upload", "{} queued {name} for {urn}", who.actor);
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({"queued": name, "urn": urn})),
    )
        .into_response())
}

/// The upload route, with the inbox it writes to.
pub fn upload_routes(inbox: std::path::PathBuf) -> Router {
    Router::new()
        .route("/api/v1/extracts", axum::routing::post(upload))
        .layer(axum::extract::DefaultBodyLimit::max(1 << 30))
        .with_state(inbox)
}
