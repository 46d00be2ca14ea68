//! The reports layer: each report (its parameters, who may open it, what each viewer
//! sees, its audit policy, its build) stated once, in a file of its own, and used by
//! its page, its API route and its documents alike. Pages are a server function and
//! components; the server's routes call reports, never pages.
//!
//! On the server every report goes through [`Warehouse::report`](crate::ssr::Warehouse):
//! the principal's [`Visibility`](queries::types::Visibility) is worked out once, the
//! report's `allowed` decides, a pupil-level report is audited (a failed write fails
//! the request), and the result is kept until the next load under a typed [`Key`] of
//! the report, its parameters and that visibility.

pub mod academy;
pub mod actions;
pub mod audit;
pub mod cases;
pub mod cohorts;
pub mod evidence;
pub mod figures;
pub mod governors;
pub mod heatmaps;
pub mod impact;
pub mod letters;
pub mod loads;
pub mod mask;
pub mod notifications;
pub mod overview;
pub mod params;
pub mod provision;
pub mod pupil;
pub mod quality;
pub mod sef;

#[cfg(feature = "ssr")]
mod engine;
#[cfg(feature = "ssr")]
pub use engine::{Ctx, Key, Report, ReportError, Results};
#[cfg(feature = "ssr")]
pub mod warm;

/// A report for the principal of the current request, from a server function: errors
/// become the page's error with its HTTP status (400, 403, 404, 500).
#[cfg(feature = "ssr")]
pub async fn serve<R: Report>(
    params: R::Params,
) -> Result<R::Output, leptos::prelude::ServerFnError>
where
    R::Output: Clone,
{
    let warehouse = crate::ssr::warehouse()?;
    let who = crate::ssr::principal()?;
    match warehouse.report::<R>(&who, params).await {
        Ok(out) => Ok(R::Output::clone(&out)),
        Err(e) => Err(server_error(e)),
    }
}

/// A report's error as a server function's, with its HTTP status (400, 403, 404, 500;
/// a 500's detail is logged).
#[cfg(feature = "ssr")]
pub fn server_error(e: ReportError) -> leptos::prelude::ServerFnError {
    use http::StatusCode;
    use leptos::prelude::{use_context, ServerFnError};
    let status = match &e {
        ReportError::BadParameter(_) => StatusCode::BAD_REQUEST,
        ReportError::NotFound(_) => StatusCode::NOT_FOUND,
        ReportError::Forbidden => StatusCode::FORBIDDEN,
        _ => {
            tracing::error!("report: {e}");
            StatusCode::INTERNAL_SERVER_ERROR
        }
    };
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(status);
    }
    ServerFnError::new(e.to_string())
}

/// The output of a report of something that may not exist (an academy, a term), where
/// it does: what a document made from that report builds on.
#[cfg(feature = "ssr")]
pub struct Found<T>(std::sync::Arc<Option<T>>);

#[cfg(feature = "ssr")]
impl<T> Found<T> {
    /// `out` where it is something; a 404 saying `missing` where it is `None`.
    pub fn of(
        out: std::sync::Arc<Option<T>>,
        missing: impl FnOnce() -> String,
    ) -> Result<Found<T>, ReportError> {
        match out.as_ref() {
            Some(_) => Ok(Found(out)),
            None => Err(ReportError::NotFound(missing())),
        }
    }
}

#[cfg(feature = "ssr")]
impl<T> std::ops::Deref for Found<T> {
    type Target = T;

    fn deref(&self) -> &T {
        self.0.as_ref().as_ref().expect("checked by Found::of")
    }
}

/// A parameter error from a server function: the response status is 400.
#[cfg(feature = "ssr")]
pub fn bad_request(e: params::ParamError) -> leptos::prelude::ServerFnError {
    if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::BAD_REQUEST);
    }
    leptos::prelude::ServerFnError::new(e.to_string())
}
