//! Server-only glue: the warehouse handle that server functions and API routes use.

use std::sync::{Arc, Mutex};

use queries::calendar::Calendars;
use queries::db::{Connection, DuckError};
use queries::Db;

/// The calendars and the load generation they were read at.
type CachedCalendar = (u64, Arc<Calendars>);

/// DuckDB work off the async runtime: at most `permits` calls at once, each on a
/// blocking thread with a connection kept from earlier calls (and the statements it
/// prepared), so that a burst of requests queues here instead of starting a thread and
/// a connection each.
struct Pool {
    permits: Arc<tokio::sync::Semaphore>,
    idle: Mutex<Vec<Connection>>,
}

impl Pool {
    /// Sized to the machine: two calls a core (DuckDB runs each on every core, and a
    /// call that only finds its result cached should not wait behind two that build).
    fn for_this_machine() -> Pool {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Pool {
            permits: Arc::new(tokio::sync::Semaphore::new(2 * cores)),
            idle: Mutex::default(),
        }
    }

    fn take(&self, db: &Db) -> Result<Connection, WarehouseError> {
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        match kept {
            Some(conn) => Ok(conn),
            None => Ok(db.connect()?),
        }
    }

    fn give_back(&self, conn: Connection) {
        self.idle
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(conn);
    }
}

/// The warehouse as the web side sees it: every query runs on the bounded pool of
/// blocking calls ([`Warehouse::blocking`]), never on the async runtime.
#[derive(Clone)]
pub struct Warehouse {
    db: Arc<Db>,
    pool: Arc<Pool>,
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
    /// Letters at each threshold, and who parents contact at each academy (by URN).
    pub letters: Arc<Vec<queries::letters::Template>>,
    pub contacts: Arc<std::collections::BTreeMap<String, String>>,
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
            pool: Arc::new(Pool::for_this_machine()),
            calendar: Arc::default(),
            suppress_below: queries::suppress::DEFAULT_THRESHOLD,
            ap_contact_limit: queries::provision::DEFAULT_CONTACT_LIMIT,
            trust_name: "The trust".to_string(),
            at_risk: Default::default(),
            term_dates: Arc::default(),
            letters: Arc::new(queries::letters::defaults()),
            contacts: Arc::default(),
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

    /// The chart `id` (its SHA-256) if a report drew it for a viewer who may see exactly
    /// what `who` may: nobody fetches a chart drawn for someone who sees more.
    pub fn chart(&self, who: &queries::types::Principal, id: &str) -> Option<Arc<str>> {
        let view = who.visibility(self.suppress_below);
        self.reports
            .as_ref()?
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .chart(&view, id)
    }

    /// The reports kept since the last load, unless this warehouse computes afresh.
    pub(crate) fn results(&self) -> Option<&Arc<Mutex<crate::reports::Results>>> {
        self.reports.as_ref()
    }

    /// The latest load: figures change only when it does.
    pub fn generation(conn: &Connection) -> Result<u64, DuckError> {
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
        self.letters = Arc::new(config.letters.clone());
        self.contacts = Arc::new(config.contacts.clone());
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

    /// How many reports the warm-up builds at once: one a core (each DuckDB query
    /// already runs on every core; the rest of a report, laying out a page or a PDF,
    /// on one), at most four (each holds its query's memory).
    pub fn workers(&self) -> usize {
        std::thread::available_parallelism().map_or(2, |n| n.get().min(4))
    }

    /// Runs `f` on a blocking thread with a pooled connection, once the pool has room.
    pub async fn blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<WarehouseError> + Send + 'static,
        F: FnOnce(&Warehouse, &Connection) -> Result<T, E> + Send + 'static,
    {
        let permit = self
            .pool
            .permits
            .clone()
            .acquire_owned()
            .await
            .expect("the pool's semaphore is never closed");
        let this = self.clone();
        tokio::task::spawn_blocking(move || {
            let _permit = permit;
            let conn = this.pool.take(&this.db)?;
            let out = f(&this, &conn);
            this.pool.give_back(conn);
            out
        })
        .await
        .map_err(|e| E::from(WarehouseError::Join(e)))?
    }

    /// Runs `f` on the pool ([`Warehouse::blocking`]).
    pub async fn run<T, F>(&self, f: F) -> Result<T, WarehouseError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, DuckError> + Send + 'static,
    {
        self.blocking(move |_, conn| Ok(f(conn)?)).await
    }

    /// Like [`Warehouse::run`], with the cached school calendar handed in too.
    pub async fn run_with_calendar<T, F>(&self, f: F) -> Result<T, WarehouseError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection, &Calendars) -> Result<T, DuckError> + Send + 'static,
    {
        self.blocking(move |this, conn| {
            let cal = this.calendar(conn)?;
            Ok(f(conn, &cal)?)
        })
        .await
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
