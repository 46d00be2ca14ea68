//! The attendance lead's daily lists: thresholds crossed this week, pupils at risk of
//! persistent absence, the penalty-notice threshold, possible children missing
//! education, unexplained absence left open, certificates. Pupil level: trust and
//! academy staff only; every viewing and export is in the audit log.

use queries::types::{AcademyRef, ActionTable, ACTION_LISTS};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct ActionChoice {
    pub list: String,
    pub academy: Option<String>,
    pub open_n_days: Option<u64>,
}

impl ActionChoice {
    pub fn list(&self) -> &str {
        crate::reports::params::one_of(&ACTION_LISTS, &self.list, "thresholds")
    }

    pub fn query(&self, list: &str) -> String {
        let mut q = format!("list={list}");
        if let Some(a) = &self.academy {
            q.push_str(&format!("&academy={a}"));
        }
        if let Some(n) = self.open_n_days {
            q.push_str(&format!("&open_n_days={n}"));
        }
        q
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionsData {
    pub choice: ActionChoice,
    pub academies: Vec<AcademyRef>,
    pub counts: [usize; 6],
    pub table: ActionTable,
    pub open_n_days: u64,
}

#[cfg(feature = "ssr")]
pub use ssr::{Export, Lists, ListsParams, Report};

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::reports::{Ctx, ReportError};
    use queries::types::{ActionLists, Visibility};

    /// Which lists: one academy's or every academy the viewer may see, and how many
    /// school days an unexplained absence may stay open.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct ListsParams {
        pub academy: Option<String>,
        pub open_n_days: u64,
    }

    impl ListsParams {
        /// `open_n_days` as asked for, within a school year.
        pub fn new(academy: Option<String>, open_n_days: Option<u64>) -> Self {
            ListsParams {
                academy,
                open_n_days: open_n_days
                    .unwrap_or(queries::actions::OPEN_N_DAYS)
                    .min(190),
            }
        }
    }

    fn may_open(view: &Visibility, academy: &Option<String>) -> bool {
        view.sees_pupils() && academy.as_ref().is_none_or(|a| view.sees_academy(a))
    }

    fn place(academy: &Option<String>) -> &str {
        academy.as_deref().unwrap_or("trust")
    }

    /// Every list, with only the academies the viewer may see: the pages and the API
    /// build on it (built once per load and viewer, audited by whoever serves it).
    pub struct Lists;

    impl crate::reports::Report for Lists {
        type Params = ListsParams;
        type Output = ActionLists;

        fn allowed(view: &Visibility, p: &ListsParams) -> bool {
            may_open(view, &p.academy)
        }

        fn audit(p: &ListsParams, _: &ActionLists) -> Option<(&'static str, String)> {
            Some((
                "view pupils",
                format!("action lists, {}", place(&p.academy)),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &ListsParams,
            view: &Visibility,
        ) -> Result<ActionLists, ReportError> {
            let at_risk = ctx.warehouse.at_risk;
            let mut lists = queries::actions::lists(
                ctx.conn,
                ctx.cal,
                p.academy.as_deref(),
                &at_risk,
                p.open_n_days,
            )?;
            lists.retain_academies(|u| view.sees_academy(u));
            Ok(lists)
        }
    }

    /// The page: one list as a table, with every list's count.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = ActionChoice;
        type Output = ActionsData;

        fn allowed(view: &Visibility, p: &ActionChoice) -> bool {
            may_open(view, &p.academy)
        }

        fn audit(p: &ActionChoice, _: &ActionsData) -> Option<(&'static str, String)> {
            Some((
                "view pupils",
                format!("action list {}, {}", p.list(), place(&p.academy)),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            choice: &ActionChoice,
            view: &Visibility,
        ) -> Result<ActionsData, ReportError> {
            let p = ListsParams::new(choice.academy.clone(), choice.open_n_days);
            let lists = ctx.report::<Lists>(p.clone())?;
            let academies = crate::reports::params::academies(ctx.conn, view)?;
            let mut choice = choice.clone();
            choice.list = choice.list().to_string();
            let table = lists
                .table(&choice.list, &ctx.warehouse.at_risk, p.open_n_days)
                .ok_or_else(|| ReportError::NotFound("unknown list".into()))?;
            Ok(ActionsData {
                counts: lists.counts(),
                choice,
                academies,
                table,
                open_n_days: p.open_n_days,
            })
        }
    }

    /// The API's export of one list (every list's rows, as the API shapes them).
    pub struct Export;

    impl crate::reports::Report for Export {
        /// The lists and the one exported.
        type Params = (ListsParams, String);
        type Output = ActionLists;

        fn allowed(view: &Visibility, (p, _): &(ListsParams, String)) -> bool {
            may_open(view, &p.academy)
        }

        fn audit(
            (p, list): &(ListsParams, String),
            _: &ActionLists,
        ) -> Option<(&'static str, String)> {
            Some((
                "export pupils",
                format!("action list {list}, {}, by the API", place(&p.academy)),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            (p, _): &(ListsParams, String),
            _: &Visibility,
        ) -> Result<ActionLists, ReportError> {
            Ok(ActionLists::clone(&*ctx.report::<Lists>(p.clone())?))
        }
    }
}
