//! Server-only glue: the warehouse handle that server functions and API routes use.

use std::sync::{Arc, Mutex};

use queries::calendar::Calendars;
use queries::db::{Connection, DuckError};
use queries::Db;

/// The calendars and the load generation they were read at.
type CachedCalendar = (u64, Arc<Calendars>);

/// The warehouse as the web side sees it: every query runs on a blocking thread with
/// a connection of its own, never on the async runtime.
#[derive(Clone)]
pub struct Warehouse {
    db: Arc<Db>,
    /// The school calendars, read from the registers, with the load they were read after.
    calendar: Arc<Mutex<Option<CachedCalendar>>>,
    /// Governors see pupil groups smaller than this suppressed.
    pub suppress_below: u64,
    /// School days after the last welfare contact before an AP placement is flagged.
    pub ap_contact_limit: u64,
    /// The trust's name, for summaries and documents.
    pub trust_name: String,
    /// Who the action lists call at risk of persistent absence.
    pub at_risk: queries::types::AtRiskRule,
    /// Term dates the trust config names for academies whose registers cannot tell.
    pub term_dates:
        Arc<std::collections::BTreeMap<String, Vec<(chrono::NaiveDate, chrono::NaiveDate)>>>,
    /// Reports by load generation and key; `None`: always build (the bench measures
    /// both).
    reports: Option<Arc<Mutex<crate::reports::Results>>>,
}

#[derive(Debug, thiserror::Error)]
pub enum WarehouseError {
    #[error("database: {0}")]
    Db(#[from] queries::DbError),
    #[error("database: {0}")]
    Duck(#[from] DuckError),
    #[error("the query task failed: {0}")]
    Join(#[from] tokio::task::JoinError),
    #[error("{0}")]
    Accounts(#[from] queries::accounts::AccountError),
}

impl Warehouse {
    /// A connection to the accounts store (accounts, tokens, the audit log).
    pub fn accounts(&self) -> Result<queries::accounts::Conn, WarehouseError> {
        Ok(self.db.accounts().connect()?)
    }

    pub fn new(db: Arc<Db>) -> Self {
        Warehouse {
            db,
            calendar: Arc::default(),
            suppress_below: queries::suppress::DEFAULT_THRESHOLD,
            ap_contact_limit: queries::provision::DEFAULT_CONTACT_LIMIT,
            trust_name: "The trust".to_string(),
            at_risk: Default::default(),
            term_dates: Arc::default(),
            reports: Some(Arc::default()),
        }
    }

    /// The same warehouse computing every result afresh.
    pub fn without_result_cache(mut self) -> Self {
        self.reports = None;
        self
    }

    /// Forgets every result computed so far (the bench times pages both ways).
    pub fn clear_results(&self) {
        if let Some(reports) = &self.reports {
            reports.lock().unwrap_or_else(|e| e.into_inner()).clear();
        }
    }

    /// The reports kept since the last load, unless this warehouse computes afresh.
    pub(crate) fn results(&self) -> Option<&Arc<Mutex<crate::reports::Results>>> {
        self.reports.as_ref()
    }

    /// The latest load: figures change only when it does.
    pub(crate) fn generation(conn: &Connection) -> Result<u64, DuckError> {
        conn.query_row(
            "SELECT coalesce(max(load_id), 0) FROM loads WHERE status = 'loaded'",
            [],
            |r| r.get(0),
        )
    }

    /// The trust config's settings that pages use.
    pub fn with_config(mut self, config: &queries::TrustConfig) -> Self {
        self.suppress_below = config.suppress_below;
        self.ap_contact_limit = config.ap_contact_limit_days;
        self.trust_name = config.name.clone();
        self.at_risk = config.at_risk;
        self.term_dates = Arc::new(config.term_dates.clone());
        self
    }

    /// Each academy's school calendar and the trust's, cached until the next load
    /// (reading them scans every mark).
    pub fn calendar(&self, conn: &Connection) -> Result<Arc<Calendars>, DuckError> {
        let generation = Self::generation(conn)?;
        let mut cached = self.calendar.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((g, cal)) = cached.as_ref() {
            if *g == generation {
                return Ok(cal.clone());
            }
        }
        let cal = Arc::new(queries::figures::calendars(conn)?.with_term_dates(&self.term_dates));
        *cached = Some((generation, cal.clone()));
        Ok(cal)
    }

    pub fn db(&self) -> &Arc<Db> {
        &self.db
    }

    /// Runs `f` with its own connection on a blocking thread.
    pub async fn run<T, F>(&self, f: F) -> Result<T, WarehouseError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DuckError> + Send + 'static,
    {
        let db = self.db.clone();
        tokio::task::spawn_blocking(move || -> Result<T, WarehouseError> {
            let conn = db.connect()?;
            Ok(f(&conn)?)
        })
        .await?
    }

    /// Like [`Warehouse::run`], with the cached school calendar handed in too.
    pub async fn run_with_calendar<T, F>(&self, f: F) -> Result<T, WarehouseError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Calendars) -> Result<T, DuckError> + Send + 'static,
    {
        let this = self.clone();
        tokio::task::spawn_blocking(move || -> Result<T, WarehouseError> {
            let conn = this.db.connect()?;
            let cal = this.calendar(&conn)?;
            Ok(f(&conn, &cal)?)
        })
        .await?
    }
}

/// The warehouse from the request's context (provided by the server for every route).
pub fn warehouse() -> Result<Warehouse, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<Warehouse>()
        .ok_or_else(|| leptos::prelude::ServerFnError::new("no warehouse in context"))
}

/// Who is asking: the principal the server's guard attached to this request.
pub fn principal() -> Result<queries::types::Principal, leptos::prelude::ServerFnError> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.extensions.get::<queries::types::Principal>().cloned())
        .ok_or_else(|| leptos::prelude::ServerFnError::new("not signed in"))
}

/// The error a server function returns when the principal may not have what it asked
/// for; the response status is 403.
pub fn forbidden() -> leptos::prelude::ServerFnError {
    if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::FORBIDDEN);
    }
    leptos::prelude::ServerFnError::new("not allowed for this account")
}
