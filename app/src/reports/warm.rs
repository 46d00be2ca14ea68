//! The warm-up after a load: the reports people open first each morning (the overview
//! in both scopes, each academy, cohorts, every kind of heatmap, AP and reduced
//! timetables, action lists, data quality, the governors' summary and its PDF, each
//! self-evaluation pack and its PDF) and the API's summary, cohorts by FSM and year
//! group, heatmaps and provision exports, for the default window, built
//! into the cache for every kind of viewer the trust has accounts for. Nothing leaves
//! the layer, so nothing is audited: a viewing is audited when someone opens it.

use queries::db::Connection;
use queries::types::{Dimension, Principal, Role, Scope};

use super::params::WindowChoice;
use super::{
    academy, actions, cohorts, figures, governors, heatmaps, notifications, overview, provision,
    quality, sef, Report, ReportError,
};
use crate::ssr::Warehouse;

/// What one warm-up did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Warmed {
    /// Viewers (distinct visibilities) warmed for.
    pub viewers: usize,
    /// Reports built or found built.
    pub reports: usize,
}

/// One stand-in per distinct visibility among `accounts` (enabled ones), and the whole
/// trust's.
pub fn viewers(accounts: &[queries::accounts::User], threshold: u64) -> Vec<Principal> {
    let everything = Principal {
        actor: "warm-up".into(),
        name: "Warm-up".into(),
        role: Role::Trust,
        academies: Vec::new(),
    };
    let mut out = vec![everything];
    for u in accounts.iter().filter(|u| !u.disabled) {
        let p = Principal {
            actor: "warm-up".into(),
            name: "Warm-up".into(),
            role: u.role,
            academies: u.academies.clone(),
        };
        if !out
            .iter()
            .any(|o| o.visibility(threshold) == p.visibility(threshold))
        {
            out.push(p);
        }
    }
    out
}

/// One report to build for one viewer, on the connection it is handed.
type Job<'a> = Box<dyn FnOnce(&Connection) -> Result<(), ReportError> + Send + 'a>;

/// Builds the morning's reports for each of `viewers`: on `conn` and, beside it, on up
/// to `workers - 1` connections of their own, each taking the next report from one
/// queue (trust-wide reports first, which the academies' build on; two that need the
/// same part wait for one build of it). A report a viewer may not open is passed over;
/// the first other failure ends the warm-up.
pub fn warm(
    w: &Warehouse,
    conn: &Connection,
    viewers: &[Principal],
    workers: usize,
) -> Result<Warmed, ReportError> {
    let academies: Vec<String> = queries::figures::academies(conn)?
        .into_iter()
        .map(|a| a.urn)
        .collect();
    let today = chrono::Utc::now().date_naive();
    let window = WindowChoice::default();
    let mut jobs: Vec<Job<'_>> = Vec::new();
    for who in viewers {
        let view = who.visibility(w.suppress_below);
        let cohorts = cohorts::ssr::Params {
            window,
            filter: Default::default(),
            by: queries::types::Dimension::Fsm,
        };
        let heatmaps = heatmaps::ssr::Params {
            window,
            choice: Default::default(),
        };
        let summary = governors::SummaryParams::default().checked()?;
        let placements = provision::ListParams {
            academy: None,
            sort: "academy".into(),
        };
        let dfe = WindowChoice {
            scope: Scope::Dfe,
            ..window
        };
        jobs.push(job::<overview::Report>(w, who, window));
        jobs.push(job::<overview::Report>(w, who, dfe));
        jobs.push(job::<figures::Report>(w, who, window));
        jobs.push(job::<cohorts::Report>(w, who, cohorts));
        for by in [Dimension::Fsm, Dimension::YearGroup] {
            let groups = cohorts::ssr::GroupsParams {
                window,
                filter: Default::default(),
                by,
                academy: None,
            };
            jobs.push(job::<cohorts::Groups>(w, who, groups));
        }
        jobs.push(job::<heatmaps::Report>(w, who, heatmaps));
        // The heatmaps' other kinds, on the page and in the API.
        for (kind, rolling) in [
            ("academy-week", false),
            ("academy-week", true),
            ("academy-year", false),
            ("day-session", false),
        ] {
            let choice = heatmaps::HeatmapChoice {
                kind: kind.into(),
                measure: if rolling { "rolling-absence" } else { "" }.into(),
                academy: None,
            };
            jobs.push(job::<heatmaps::Report>(
                w,
                who,
                heatmaps::ssr::Params { window, choice },
            ));
        }
        for (kind, rolling) in [
            ("academy-week", false),
            ("academy-year", false),
            ("day-session", false),
        ] {
            let cells = heatmaps::ssr::CellsParams {
                window,
                kind: kind.into(),
                rolling,
                academy: None,
            };
            jobs.push(job::<heatmaps::CellsReport>(w, who, cells));
        }
        jobs.push(job::<governors::Report>(w, who, summary.clone()));
        jobs.push(job::<governors::Pdf>(w, who, summary));
        jobs.push(job::<provision::Lists>(w, who, placements));
        if view.sees_pupils() {
            jobs.push(job::<actions::Lists>(
                w,
                who,
                actions::ListsParams::new(None, None),
            ));
            jobs.push(job::<notifications::Due>(w, who, None));
            jobs.push(job::<quality::Report>(w, who, today));
            for ap in [true, false] {
                let export = provision::ExportParams {
                    ap,
                    academy: None,
                    from: None,
                    to: None,
                };
                jobs.push(job::<provision::Export>(w, who, export));
            }
        }
        for urn in academies.iter().filter(|u| view.sees_academy(u)) {
            let urn = urn.clone();
            let pack = sef::Params {
                urn: urn.clone(),
                scope: Scope::Dfe,
            };
            jobs.push(job::<academy::Report>(
                w,
                who,
                academy::ssr::Params { urn, window },
            ));
            if view.sees_pupils() {
                jobs.push(job::<sef::Report>(w, who, pack.clone()));
                jobs.push(job::<sef::Pdf>(w, who, pack));
            }
        }
    }
    run(w, conn, jobs, workers, viewers.len())
}

/// A job that builds `R` with `params` for `who` into the cache.
fn job<R: Report>(w: &Warehouse, who: &Principal, params: R::Params) -> Job<'static> {
    let (w, who) = (w.clone(), who.clone());
    Box::new(move |conn| w.prepare::<R>(conn, &who, params))
}

/// Runs `jobs` in order on `workers` connections (`conn` and new ones).
fn run(
    w: &Warehouse,
    conn: &Connection,
    jobs: Vec<Job<'_>>,
    workers: usize,
    viewers: usize,
) -> Result<Warmed, ReportError> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;
    let queue = Mutex::new(jobs.into_iter());
    let built = AtomicUsize::new(0);
    let failed: Mutex<Option<ReportError>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let work = |conn: &Connection| {
        while !stop.load(Ordering::Relaxed) {
            let Some(job) = queue.lock().unwrap_or_else(|e| e.into_inner()).next() else {
                return;
            };
            match job(conn) {
                Ok(()) => {
                    built.fetch_add(1, Ordering::Relaxed);
                }
                Err(ReportError::Forbidden | ReportError::NotFound(_)) => {}
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    failed
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get_or_insert(e);
                }
            }
        }
    };
    std::thread::scope(|scope| {
        for _ in 1..workers.max(1) {
            scope.spawn(|| match w.db().connect() {
                Ok(own) => work(&own),
                Err(e) => tracing::warn!("warm-up: a worker's connection: {e}"),
            });
        }
        work(conn);
    });
    if let Some(e) = failed.into_inner().unwrap_or_else(|e| e.into_inner()) {
        return Err(e);
    }
    Ok(Warmed {
        viewers,
        reports: built.into_inner(),
    })
}

impl Warehouse {
    /// [`warm`] on the pool, for every kind of viewer among the trust's accounts.
    pub async fn warm(&self) -> Result<Warmed, ReportError> {
        self.blocking(|this, conn| {
            let accounts = this.accounts()?;
            let users = queries::accounts::list_users(&accounts)
                .map_err(crate::ssr::WarehouseError::from)?;
            warm(
                this,
                conn,
                &viewers(&users, this.suppress_below),
                this.workers(),
            )
        })
        .await
    }

    /// Builds `R` for `who` into the cache, unaudited: nothing leaves the layer.
    fn prepare<R: Report>(
        &self,
        conn: &Connection,
        who: &Principal,
        params: R::Params,
    ) -> Result<(), ReportError> {
        self.get::<R>(conn, who, params, false).map(drop)
    }
}
