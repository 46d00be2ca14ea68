//! Documents to download: the governors' summary as PDF, and the self-evaluation
//! pack's PDF, tables (CSV) and charts (SVG, PNG). Each is made from the same data as
//! its page, through the same result cache, and only what the viewer may see.

use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use queries::types::Principal;

use crate::api::ApiError;
use crate::download::attachment;
use app::reports::governors::{self, SummaryParams};
use app::reports::sef;
use app::ssr::Warehouse;
use queries::types::Scope;
use serde::Deserialize;

/// A file to download.
/// A table cell for a spreadsheet: "6.3%", "+4.8 pp" and "1,085" as the numbers they
/// are, "–" (none) empty, anything else as it is.
fn number_cell(cell: &str) -> String {
    let bare = cell
        .trim_end_matches('%')
        .trim_end_matches(" pp")
        .replace(',', "");
    if cell == "–" {
        String::new()
    } else if bare != cell && bare.parse::<f64>().is_ok() {
        bare.trim_start_matches('+').to_string()
    } else {
        cell.to_string()
    }
}

/// `GET /governors/summary.pdf?term=&place=&scope=`: the summary as the viewer may see
/// it, one A4 page per place.
pub async fn governors_pdf(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(p): Query<SummaryParams>,
) -> Result<Response, ApiError> {
    let (name, bytes) = &*w.report::<governors::Pdf>(&who, p.checked()?).await?;
    Ok(attachment("application/pdf", name, bytes.clone()))
}

#[derive(Debug, Deserialize)]
pub struct SefParams {
    scope: Option<String>,
}

impl SefParams {
    fn checked(&self, urn: String) -> Result<sef::Params, ApiError> {
        let scope = app::reports::params::scope(self.scope.as_deref(), Scope::Dfe)?;
        Ok(sef::Params { urn, scope })
    }
}

/// `GET /academy/{urn}/sef.pdf`: the whole pack.
pub async fn sef_pdf(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Path(urn): Path<String>,
    Query(p): Query<SefParams>,
) -> Result<Response, ApiError> {
    let (name, bytes) = &*w.report::<sef::Pdf>(&who, p.checked(urn)?).await?;
    Ok(attachment("application/pdf", name, bytes.clone()))
}

/// `GET /academy/{urn}/sef/{key}.csv|svg|png`: one table (CSV for Excel) or chart.
pub async fn sef_file(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Path((urn, file)): Path<(String, String)>,
    Query(p): Query<SefParams>,
) -> Result<Response, ApiError> {
    let Some((key, ext)) = file.rsplit_once('.') else {
        return Err(ApiError::not_found(format!("no file {file}")));
    };
    let params = p.checked(urn.clone())?;
    let no_such = || ApiError::not_found(format!("the pack has no {ext} called {key}"));
    if ext == "png" {
        let (name, bytes) = &*w
            .report::<sef::Png>(&who, (params, key.to_string()))
            .await?;
        return Ok(attachment("image/png", name, bytes.clone()));
    }
    let pack = sef::found(w.report::<sef::Report>(&who, params).await?, &urn)?;
    let name = format!("sef-{}-{key}.{ext}", pack.academy.urn);
    match ext {
        "csv" => {
            let t = pack.table(key).ok_or_else(no_such)?;
            let mut head = t.head.clone();
            if head.first().is_some_and(String::is_empty) {
                head[0] = t.title.clone();
            }
            let rows = t
                .rows
                .iter()
                .map(|r| r.iter().map(|c| number_cell(c)).collect())
                .collect();
            Ok(crate::download::csv(
                &head,
                rows,
                name.trim_end_matches(".csv"),
            ))
        }
        "svg" => {
            let c = pack.chart(key).ok_or_else(no_such)?;
            Ok(attachment(
                "image/svg+xml",
                &name,
                c.chart.svg.clone().into_bytes(),
            ))
        }
        _ => Err(no_such()),
    }
}

/// `GET /charts/{id}.svg`: a chart a page shows as an image, for a viewer who may see
/// exactly what the viewer it was drawn for saw. Its address is its SHA-256, so the
/// browser may keep it (privately) for as long as it likes.
pub async fn chart(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Path(file): Path<String>,
) -> Result<Response, ApiError> {
    let svg = file
        .strip_suffix(".svg")
        .and_then(|id| w.chart(&who, id))
        .ok_or_else(|| ApiError::not_found(format!("no chart {file}")))?;
    Ok((
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, CHART_CACHING),
        ],
        svg.to_string(),
    )
        .into_response())
}

/// How long a browser may keep a chart: a year, for this browser only (an address is
/// never reused for another drawing).
pub const CHART_CACHING: &str = "private, max-age=31536000, immutable";

/// `POST /academy/{urn}/letters` (a form: `pupil=ID` for each pupil ticked on the
/// thresholds list): their letters as one PDF, one a page, each recorded on the pupil's
/// case as a letter sent. Staff of the academy only.
pub async fn letters(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Path(urn): Path<String>,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    use app::reports::letters as report;
    let pupils: Vec<String> = form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "pupil")
        .map(|(_, v)| v.into_owned())
        .collect();
    let batch = report::Batch::new(urn, pupils, app::reports::cases::today())?;
    // Made (and the export audited) first; recorded only once made.
    let made = w.report::<report::Make>(&who, batch.clone()).await?;
    let (file, pdf) = (made.file.clone(), made.pdf.clone());
    w.blocking(move |w, _| report::record(w, &who, &batch, &made))
        .await?;
    Ok(attachment("application/pdf", &file, pdf))
}

/// `GET /academy/{urn}/pupil/{pupil_id}/evidence.pdf`: the penalty-notice evidence
/// pack (staff of the academy and the trust; audited).
pub async fn evidence_pdf(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Path((urn, pupil_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    use app::reports::evidence;
    let params = evidence::Params {
        urn,
        pupil_id,
        today: app::reports::cases::today(),
    };
    let (name, bytes) = &*w.report::<evidence::Evidence>(&who, params).await?;
    Ok(attachment("application/pdf", name, bytes.clone()))
}

/// The document routes (the access matrix test walks them).
pub const ROUTES: [(&str, &str); 6] = [
    ("GET", "/governors/summary.pdf"),
    ("GET", "/academy/{urn}/sef.pdf"),
    ("GET", "/academy/{urn}/sef/{file}"),
    ("GET", "/charts/{file}"),
    ("POST", "/academy/{urn}/letters"),
    ("GET", "/academy/{urn}/pupil/{pupil_id}/evidence.pdf"),
];

pub fn routes(warehouse: Warehouse) -> Router {
    crate::routed(
        &ROUTES,
        [
            get(governors_pdf),
            get(sef_pdf),
            get(sef_file),
            get(chart),
            post(letters),
            get(evidence_pdf),
        ],
        warehouse,
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn table_cells_go_to_spreadsheets_as_numbers() {
        let cells = [
            "6.3%",
            "+4.8 pp",
            "-1.0 pp",
            "1,085",
            "–",
            "I: Illness",
            "12",
            "+3 apples",
        ];
        let out: Vec<String> = cells.iter().map(|c| super::number_cell(c)).collect();
        assert_eq!(
            out,
            [
                "6.3",
                "4.8",
                "-1.0",
                "1085",
                "",
                "I: Illness",
                "12",
                "+3 apples"
            ]
        );
    }
}
