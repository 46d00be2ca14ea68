//! `GET /audit.csv`: the audit log as the page's filters keep it, for the data
//! protection officer's own records; the download is itself audited.

use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Router};
use queries::types::{AuditFilter, Principal};

use crate::api::ApiError;
use app::reports::audit::Export;
use app::ssr::Warehouse;

/// The route (the access matrix test walks it).
pub const ROUTES: [(&str, &str); 1] = [("GET", "/audit.csv")];

async fn audit_csv(
    State(w): State<Warehouse>,
    Extension(who): Extension<Principal>,
    Query(filter): Query<AuditFilter>,
) -> Result<Response, ApiError> {
    let filter = AuditFilter {
        actor: filter.actor.filter(|v| !v.trim().is_empty()),
        subject: filter.subject.filter(|v| !v.trim().is_empty()),
        from: filter.from.filter(|v| !v.trim().is_empty()),
        to: filter.to.filter(|v| !v.trim().is_empty()),
    };
    let rows = w.report::<Export>(&who, filter).await?;
    let cells = rows
        .iter()
        .map(|e| {
            vec![
                e.at.clone(),
                e.actor.clone(),
                e.role.clone(),
                e.action.clone(),
                e.subject.clone(),
            ]
        })
        .collect();
    Ok(crate::download::csv(
        &["logged_at_utc", "actor", "role", "action", "subject"],
        cells,
        "audit-log",
    ))
}

pub fn routes(warehouse: Warehouse) -> Router {
    crate::routed(&ROUTES, [get(audit_csv)], warehouse)
}
