//! The one path every report takes, on the server: who may open it, what the viewer
//! sees, the audit of pupil-level viewings, and the result kept until the next load by a
//! typed key (the report, its parameters and the viewer's [`Visibility`]).

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt::Debug;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use queries::calendar::Calendars;
use queries::db::{Connection, DuckError};
use queries::types::{Principal, Visibility};

use super::params::ParamError;
use crate::ssr::{Warehouse, WarehouseError};

/// Everything a report can fail with; the server maps each to its HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    /// 400, naming the parameter.
    #[error("{0}")]
    BadParameter(#[from] ParamError),
    /// 404.
    #[error("{0}")]
    NotFound(String),
    /// 403.
    #[error("not allowed for this account")]
    Forbidden,
    /// 500: a pupil-level report is never served unaudited.
    #[error("the audit log could not be written: {0}")]
    Audit(String),
    /// 500.
    #[error("{0}")]
    Warehouse(#[from] WarehouseError),
    /// 500: the report could not be made (a document, say).
    #[error("the report could not be made: {0}")]
    Failed(String),
}

impl From<DuckError> for ReportError {
    fn from(e: DuckError) -> Self {
        ReportError::Warehouse(WarehouseError::Duck(e))
    }
}

impl From<queries::DbError> for ReportError {
    fn from(e: queries::DbError) -> Self {
        ReportError::Warehouse(WarehouseError::Db(e))
    }
}

/// What a report's build has to hand: a connection, every academy's calendar, and the
/// warehouse (its settings, and other reports through the same cache).
pub struct Ctx<'a> {
    pub conn: &'a Connection,
    pub cal: &'a Calendars,
    pub warehouse: &'a Warehouse,
    who: &'a Principal,
}

impl Ctx<'_> {
    /// Another report for the same viewer, through the same cache (a document is made
    /// from its page's data).
    /// Not audited here: what leaves the layer is audited by the report that returns it.
    pub fn report<R: Report>(&self, params: R::Params) -> Result<Arc<R::Output>, ReportError> {
        self.warehouse.get::<R>(self.conn, self.who, params, false)
    }

    /// An internal part built over the whole trust, once per load and parameters
    /// whoever asks: for a part the calling report cuts to what its viewer may see
    /// before anything leaves it (the self-evaluation packs' academy-by-academy figures,
    /// each pack keeping its own academy's and the trust's). Never for a report whose
    /// output is served.
    pub fn whole_trust_part<R: Report>(
        &self,
        params: R::Params,
    ) -> Result<Arc<R::Output>, ReportError> {
        let whole = Principal {
            actor: "internal".into(),
            name: "Internal".into(),
            role: queries::types::Role::Trust,
            academies: Vec::new(),
        };
        self.warehouse.get::<R>(self.conn, &whole, params, false)
    }
}

/// A report: stated once, used by its page, its API route and its documents.
pub trait Report: 'static {
    /// Its parameters, parsed and checked (the first half of the cache key).
    type Params: Clone + Eq + Hash + Debug + Send + Sync + 'static;
    /// What it builds, for one viewer.
    type Output: Send + Sync + 'static;

    /// Who may open it (before anything is read or audited).
    fn allowed(_view: &Visibility, _params: &Self::Params) -> bool {
        true
    }

    /// Pupil-level reports: what the audit log records of this viewing (action,
    /// subject), which may name what was built (the academy a default chose, say).
    /// Written on every request, cache or not, before the result leaves the layer; a
    /// failed write fails the request.
    fn audit(_params: &Self::Params, _output: &Self::Output) -> Option<(&'static str, String)> {
        None
    }

    /// Built once per load and key and shared; `false` builds on every request.
    const CACHED: bool = true;

    /// The report for a viewer who sees `view`; nothing outside it.
    fn build(
        ctx: &Ctx<'_>,
        params: &Self::Params,
        view: &Visibility,
    ) -> Result<Self::Output, ReportError>;
}

/// A report's cache key: its parameters and what the viewer may see. Two viewers share
/// an entry only when they may see exactly the same.
pub struct Key<R: Report> {
    pub params: R::Params,
    pub view: Visibility,
}

impl<R: Report> PartialEq for Key<R> {
    fn eq(&self, other: &Self) -> bool {
        self.params == other.params && self.view == other.view
    }
}
impl<R: Report> Eq for Key<R> {}
impl<R: Report> Hash for Key<R> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.params.hash(state);
        self.view.hash(state);
    }
}

/// One entry: filled by the first request to miss; the others wait for it rather than
/// building it again.
type Slot<T> = Arc<Mutex<Option<Arc<T>>>>;
type Entries<R> = HashMap<Key<R>, Slot<<R as Report>::Output>>;

/// At most this many entries are kept; past it the cache starts again.
const MAX_ENTRIES: usize = 1024;

/// Every report's entries since the last load, and the charts they drew.
#[derive(Default)]
pub struct Results {
    generation: u64,
    count: usize,
    by_report: HashMap<TypeId, Box<dyn Any + Send + Sync>>,
    /// Each chart by what its viewer may see and its address: kept and dropped with the
    /// reports that drew it, so a page served from here finds its charts here too.
    charts: HashMap<(Visibility, String), Arc<str>>,
}

impl Results {
    pub fn clear(&mut self) {
        self.by_report.clear();
        self.charts.clear();
        self.count = 0;
    }

    /// The chart `id` if it was drawn for a viewer who may see exactly `view`.
    pub fn chart(&self, view: &Visibility, id: &str) -> Option<Arc<str>> {
        self.charts.get(&(view.clone(), id.to_string())).cloned()
    }

    /// The slot for `key` at `generation` (a newer load empties the cache first).
    fn slot<R: Report>(&mut self, generation: u64, key: Key<R>) -> Slot<R::Output> {
        if self.generation != generation || self.count >= MAX_ENTRIES {
            self.clear();
            self.generation = generation;
        }
        let entries = self
            .by_report
            .entry(TypeId::of::<R>())
            .or_insert_with(|| Box::new(Entries::<R>::new()))
            .downcast_mut::<Entries<R>>()
            .expect("entries are stored under their report's type");
        let before = entries.len();
        let slot = entries.entry(key).or_default().clone();
        self.count += entries.len() - before;
        slot
    }
}

impl Warehouse {
    /// The report `R` with `params` for `who`: checked, audited and cached as `R`
    /// states, on the pool of blocking calls.
    pub async fn report<R: Report>(
        &self,
        who: &Principal,
        params: R::Params,
    ) -> Result<Arc<R::Output>, ReportError>
    where
        R::Output: Send + Sync,
    {
        let who = who.clone();
        self.blocking(move |this, conn| this.report_on::<R>(conn, &who, params))
            .await
    }

    /// [`Warehouse::report`] on a connection the caller holds (already off the runtime).
    pub fn report_on<R: Report>(
        &self,
        conn: &Connection,
        who: &Principal,
        params: R::Params,
    ) -> Result<Arc<R::Output>, ReportError> {
        self.get::<R>(conn, who, params, true)
    }

    /// The report, audited as it states when `audit` (everything that leaves the layer;
    /// a report built ahead of any request, by the warm-up after a load, is not).
    pub(super) fn get<R: Report>(
        &self,
        conn: &Connection,
        who: &Principal,
        params: R::Params,
        audit: bool,
    ) -> Result<Arc<R::Output>, ReportError> {
        let view = who.visibility(self.suppress_below);
        if !R::allowed(&view, &params) {
            return Err(ReportError::Forbidden);
        }
        let build = |view: &Visibility| -> Result<Arc<R::Output>, ReportError> {
            let cal = self.calendar(conn)?;
            let ctx = Ctx {
                conn,
                cal: &cal,
                warehouse: self,
                who,
            };
            let (built, drawn) = crate::chart::drawn_during(|| R::build(&ctx, &params, view));
            let built = built?;
            if let Some(results) = self.results() {
                let mut results = results.lock().unwrap_or_else(|e| e.into_inner());
                for (id, svg) in drawn {
                    results.charts.insert((view.clone(), id), svg);
                }
            }
            Ok(Arc::new(built))
        };
        let audited = |out: Arc<R::Output>| -> Result<Arc<R::Output>, ReportError> {
            if let Some((action, subject)) = R::audit(&params, &out).filter(|_| audit) {
                self.accounts()
                    .map_err(|e| ReportError::Audit(e.to_string()))
                    .and_then(|accounts| {
                        queries::accounts::audit(&accounts, who, action, &subject)
                            .map_err(|e| ReportError::Audit(e.to_string()))
                    })?;
            }
            Ok(out)
        };
        let Some(results) = self.results().filter(|_| R::CACHED) else {
            return audited(build(&view)?);
        };
        let generation = Warehouse::generation(conn)?;
        let slot = results.lock().unwrap_or_else(|e| e.into_inner()).slot::<R>(
            generation,
            Key {
                params: params.clone(),
                view: view.clone(),
            },
        );
        let value = {
            // Held while building: a second request for the same key waits here.
            let mut entry = slot.lock().unwrap_or_else(|e| e.into_inner());
            match entry.as_ref() {
                Some(hit) => hit.clone(),
                None => {
                    let value = build(&view)?;
                    *entry = Some(value.clone());
                    value
                }
            }
        };
        audited(value)
    }
}
