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
    academy, actions, cohorts, figures, governors, heatmaps, overview, provision, quality, sef,
    Report, ReportError,
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

/// Builds the morning's reports for each of `viewers` on `conn`. A report a viewer may
/// not open is passed over; the first other failure ends the warm-up.
pub fn warm(
    w: &Warehouse,
    conn: &Connection,
    viewers: &[Principal],
) -> Result<Warmed, ReportError> {
    let academies: Vec<String> = queries::figures::academies(conn)?
        .into_iter()
        .map(|a| a.urn)
        .collect();
    let today = chrono::Utc::now().date_naive();
    let window = WindowChoice::default();
    let mut done = Warmed {
        viewers: viewers.len(),
        ..Warmed::default()
    };
    for who in viewers {
        let view = who.visibility(w.suppress_below);
        let mut build = |built: Result<(), ReportError>| match built {
            Ok(()) => {
                done.reports += 1;
                Ok(())
            }
            Err(ReportError::Forbidden | ReportError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        };
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
        build(w.prepare::<overview::Report>(conn, who, window))?;
        build(w.prepare::<overview::Report>(conn, who, dfe))?;
        build(w.prepare::<figures::Report>(conn, who, window))?;
        build(w.prepare::<cohorts::Report>(conn, who, cohorts))?;
        for by in [Dimension::Fsm, Dimension::YearGroup] {
            let groups = cohorts::ssr::GroupsParams {
                window,
                filter: Default::default(),
                by,
                academy: None,
            };
            build(w.prepare::<cohorts::Groups>(conn, who, groups))?;
        }
        build(w.prepare::<heatmaps::Report>(conn, who, heatmaps))?;
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
            build(w.prepare::<heatmaps::Report>(
                conn,
                who,
                heatmaps::ssr::Params { window, choice },
            ))?;
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
            build(w.prepare::<heatmaps::CellsReport>(conn, who, cells))?;
        }
        build(w.prepare::<governors::Report>(conn, who, summary.clone()))?;
        build(w.prepare::<governors::Pdf>(conn, who, summary))?;
        build(w.prepare::<provision::Lists>(conn, who, placements))?;
        if view.sees_pupils() {
            build(w.prepare::<actions::Report>(conn, who, Default::default()))?;
            build(w.prepare::<quality::Report>(conn, who, today))?;
            for ap in [true, false] {
                let export = provision::ExportParams {
                    ap,
                    academy: None,
                    from: None,
                    to: None,
                };
                build(w.prepare::<provision::Export>(conn, who, export))?;
            }
        }
        for urn in academies.iter().filter(|u| view.sees_academy(u)) {
            let urn = urn.clone();
            let pack = sef::Params {
                urn: urn.clone(),
                scope: Scope::Dfe,
            };
            build(w.prepare::<academy::Report>(conn, who, academy::ssr::Params { urn, window }))?;
            if view.sees_pupils() {
                build(w.prepare::<sef::Report>(conn, who, pack.clone()))?;
                build(w.prepare::<sef::Pdf>(conn, who, pack))?;
            }
        }
    }
    Ok(done)
}

impl Warehouse {
    /// [`warm`] on the pool, for every kind of viewer among the trust's accounts.
    pub async fn warm(&self) -> Result<Warmed, ReportError> {
        self.blocking(|this, conn| {
            let accounts = this.accounts()?;
            let users = queries::accounts::list_users(&accounts)
                .map_err(crate::ssr::WarehouseError::from)?;
            warm(this, conn, &viewers(&users, this.suppress_below))
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
