//! The attendance lead's daily lists: thresholds crossed this week, pupils at risk of
//! persistent absence, the penalty-notice threshold, possible children missing
//! education, unexplained absence left open, certificates. Pupil level: trust and
//! academy staff only; every viewing and export is in the audit log.

use queries::cases::CaseBrief;
use queries::types::{AcademyRef, ActionTable, PupilRef, ACTION_LISTS};
use serde::{Deserialize, Serialize};

use std::cmp::Ordering;

/// Rows on one page of a list.
pub const PAGE_ROWS: usize = 50;

/// Which list, whose, and how to work through it: the pupils of one year group, sorted
/// by a column, a page at a time.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct ActionChoice {
    pub list: String,
    pub academy: Option<String>,
    pub open_n_days: Option<u64>,
    /// Only pupils in this year group (as the extract has it: `R`, `9`).
    pub year: Option<String>,
    /// Only pupils whose case is at this stage ([`queries::cases::Stage::key`]).
    pub stage: Option<String>,
    /// The column to sort by: 0 the pupil, 1 the year group, 2 the academy, then the
    /// list's own columns; the list's own order when `None`.
    pub sort: Option<usize>,
    /// Sorted largest (or latest) first.
    pub desc: bool,
    /// From 1.
    pub page: Option<usize>,
}

impl ActionChoice {
    pub fn list(&self) -> &str {
        crate::reports::params::one_of(&ACTION_LISTS, &self.list, "thresholds")
    }

    /// The whole list `list` (the CSV's parameters): academy and days open.
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

    /// Another list's page, keeping who (academy, year group, stage) and the days open; its
    /// columns differ, so not the sort.
    pub fn tab(&self, list: &str) -> String {
        let mut q = format!("/actions?{}", self.query(list));
        if let Some(y) = &self.year {
            q.push_str(&format!("&year={}", crate::format::url_encode(y)));
        }
        if let Some(s) = &self.stage {
            q.push_str(&format!("&stage={}", crate::format::url_encode(s)));
        }
        q
    }

    /// This list sorted by `column`: the other way round when it is already sorted by
    /// it; from the first page.
    pub fn sorted_by(&self, column: usize) -> String {
        let desc = self.sort == Some(column) && !self.desc;
        let mut q = self.tab(self.list());
        q.push_str(&format!("&sort={column}"));
        if desc {
            q.push_str("&dir=desc");
        }
        q
    }

    /// This list, sorted as it is, at page `page`.
    pub fn at_page(&self, page: usize) -> String {
        let mut q = self.tab(self.list());
        if let Some(c) = self.sort {
            q.push_str(&format!("&sort={c}"));
            if self.desc {
                q.push_str("&dir=desc");
            }
        }
        q.push_str(&format!("&page={page}"));
        q
    }
}

/// Where a page of a list sits in the whole.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paging {
    /// Rows the year-group filter keeps.
    pub rows: usize,
    /// Rows in the whole list (this academy's, or every one the viewer may see).
    pub of: usize,
    /// From 1; at most `pages`.
    pub page: usize,
    pub pages: usize,
    /// The year groups on the whole list, in order, for the filter.
    pub year_groups: Vec<String>,
}

impl Paging {
    /// The first and last row shown, from 1 (`None` when nothing is).
    pub fn showing(&self) -> Option<(usize, usize)> {
        let first = (self.page - 1) * PAGE_ROWS + 1;
        (self.rows > 0).then(|| (first, (first + PAGE_ROWS - 1).min(self.rows)))
    }
}

/// Two cells compared as a person reads them: numbers by value (`9.5%` before
/// `10.0%`, `+5.5 points` before `+12.0 points`), otherwise as text ignoring case; an
/// empty cell last.
pub fn compare_cells(a: &str, b: &str) -> Ordering {
    // The first word as a number: `12.5%`, `1,200`, `+5.5` (of `+5.5 points`).
    let number = |s: &str| {
        let first = s.split_whitespace().next()?;
        first
            .trim_end_matches('%')
            .replace(',', "")
            .parse::<f64>()
            .ok()
    };
    match (a.is_empty(), b.is_empty()) {
        (true, true) => return Ordering::Equal,
        (true, false) => return Ordering::Greater,
        (false, true) => return Ordering::Less,
        _ => {}
    }
    if let (Some(x), Some(y)) = (number(a), number(b)) {
        return x.total_cmp(&y);
    }
    a.to_lowercase().cmp(&b.to_lowercase())
}

/// Year groups in school order: nursery, reception, then years 1 to 13.
fn compare_years(a: &str, b: &str) -> Ordering {
    let order = |y: &str| queries::types::Dimension::YearGroup.order(y);
    order(a).cmp(&order(b)).then_with(|| compare_cells(a, b))
}

/// The page of `table` that `choice` asks for: its year group's rows, sorted by the
/// chosen column (ties keep the list's own order), the `page`th [`PAGE_ROWS`]; a page
/// past the end is the last. `academy_name` names a row's academy (the sort by academy).
pub fn page_of(
    mut table: ActionTable,
    choice: &ActionChoice,
    academy_name: impl Fn(&str) -> String,
) -> (ActionTable, Paging) {
    let of = table.rows.len();
    let mut year_groups: Vec<String> = table
        .rows
        .iter()
        .map(|(p, _)| p.year_group.clone())
        .collect();
    year_groups.sort_by(|a, b| compare_years(a, b));
    year_groups.dedup();
    if let Some(y) = &choice.year {
        table.rows.retain(|(p, _)| &p.year_group == y);
    }
    if let Some(column) = choice.sort {
        let key = |(p, cells): &(queries::types::PupilRef, Vec<String>)| -> String {
            match column {
                0 => p.name.clone(),
                1 => p.year_group.clone(),
                2 => academy_name(&p.urn),
                c => cells.get(c - 3).cloned().unwrap_or_default(),
            }
        };
        let mut keyed: Vec<(String, (queries::types::PupilRef, Vec<String>))> =
            table.rows.drain(..).map(|r| (key(&r), r)).collect();
        keyed.sort_by(|(a, _), (b, _)| {
            let o = if column == 1 {
                compare_years(a, b)
            } else {
                compare_cells(a, b)
            };
            // Empty cells stay last either way round.
            if choice.desc && !a.is_empty() && !b.is_empty() {
                o.reverse()
            } else {
                o
            }
        });
        table.rows = keyed.into_iter().map(|(_, r)| r).collect();
    }
    let rows = table.rows.len();
    let pages = rows.div_ceil(PAGE_ROWS).max(1);
    let page = choice.page.unwrap_or(1).clamp(1, pages);
    table.rows = table
        .rows
        .into_iter()
        .skip((page - 1) * PAGE_ROWS)
        .take(PAGE_ROWS)
        .collect();
    (
        table,
        Paging {
            rows,
            of,
            page,
            pages,
            year_groups,
        },
    )
}

/// Adds each row's case to a list: its stage and when its next step is due (ISO dates,
/// so that a sort by the column is by date), "overdue" when it is past.
pub fn with_cases(table: &mut ActionTable, case_of: impl Fn(&PupilRef) -> CaseBrief) {
    table.columns.push("Stage".into());
    table.columns.push("Next step due".into());
    for (p, cells) in &mut table.rows {
        let case = case_of(p);
        cells.push(case.stage.label().to_string());
        cells.push(match case.next_due {
            Some(due) if case.overdue => format!("{due} (overdue)"),
            Some(due) => due.to_string(),
            None => String::new(),
        });
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActionsData {
    pub choice: ActionChoice,
    pub academies: Vec<AcademyRef>,
    pub counts: [usize; 6],
    /// The page's rows only.
    pub table: ActionTable,
    pub paging: Paging,
    pub open_n_days: u64,
    /// The academy whose letters this viewer may make from this list (its staff, on the
    /// thresholds list).
    #[serde(default)]
    pub letters_for: Option<String>,
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
            view.sees_pupils_at(p.academy.as_deref())
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

        /// A page cut from the cached lists, cheap to cut again: kept, every year
        /// group, sort and page a person clicks through would crowd the cache.
        const CACHED: bool = false;

        fn allowed(view: &Visibility, p: &ActionChoice) -> bool {
            view.sees_pupils_at(p.academy.as_deref())
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
            let mut whole = lists
                .table(&choice.list, &ctx.warehouse.at_risk, p.open_n_days)
                .ok_or_else(|| ReportError::NotFound("unknown list".into()))?;
            // Each pupil's case as it stands now (the lists are last night's; the cases
            // change all day).
            let store = ctx.warehouse.accounts()?;
            let today = crate::reports::cases::today();
            let cases = queries::cases::briefs(&store, &view.academies, today)
                .map_err(crate::ssr::WarehouseError::from)?;
            with_cases(&mut whole, |p| {
                cases
                    .get(&(p.urn.clone(), p.pupil_id.clone()))
                    .cloned()
                    .unwrap_or_default()
            });
            let of = whole.rows.len();
            if let Some(stage) = choice
                .stage
                .as_deref()
                .and_then(queries::cases::Stage::parse)
            {
                let label = stage.label();
                let at = whole.columns.len() - 2;
                whole.rows.retain(|(_, cells)| cells[at] == label);
            }
            let (table, mut paging) = page_of(whole, &choice, |urn| {
                academies
                    .iter()
                    .find(|a| a.urn == urn)
                    .map_or_else(|| urn.to_string(), |a| a.name.clone())
            });
            paging.of = of;
            let letters_for = match (&choice.academy, view.academies.as_slice()) {
                (Some(a), _) => Some(a.clone()),
                (None, [only]) => Some(only.clone()),
                _ => None,
            }
            .filter(|urn| {
                choice.list == "thresholds" && crate::reports::cases::may_record(view, urn)
            });
            Ok(ActionsData {
                letters_for,
                counts: lists.counts(),
                choice,
                academies,
                table,
                paging,
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
            view.sees_pupils_at(p.academy.as_deref())
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

#[cfg(test)]
mod tests {
    use super::*;
    use queries::types::PupilRef;

    fn row(name: &str, year: &str, urn: &str, cells: &[&str]) -> (PupilRef, Vec<String>) {
        (
            PupilRef {
                urn: urn.into(),
                pupil_id: name.into(),
                upn: None,
                name: name.into(),
                year_group: year.into(),
            },
            cells.iter().map(|c| c.to_string()).collect(),
        )
    }

    fn list(rows: Vec<(PupilRef, Vec<String>)>) -> ActionTable {
        ActionTable {
            list: "thresholds".into(),
            title: "Thresholds".into(),
            rule: String::new(),
            columns: vec!["Attendance now".into(), "Fell below".into()],
            rows,
        }
    }

    fn names(t: &ActionTable) -> Vec<&str> {
        t.rows.iter().map(|(p, _)| p.name.as_str()).collect()
    }

    #[test]
    fn cells_compare_as_a_person_reads_them() {
        assert_eq!(compare_cells("9.5%", "10.0%"), Ordering::Less);
        assert_eq!(compare_cells("1,200", "950"), Ordering::Greater);
        assert_eq!(compare_cells("+5.5 points", "+12.0 points"), Ordering::Less);
        assert_eq!(compare_cells("-3.0 points", "+1.0 points"), Ordering::Less);
        assert_eq!(compare_years("9", "10"), Ordering::Less);
        assert_eq!(compare_years("R", "1"), Ordering::Less);
        assert_eq!(compare_years("N1", "R"), Ordering::Less);
        assert_eq!(compare_cells("2026-09-30", "2026-10-01"), Ordering::Less);
        assert_eq!(compare_cells("", "1"), Ordering::Greater);
        assert_eq!(compare_cells("abbot", "Adams"), Ordering::Less);
    }

    #[test]
    fn a_list_is_filtered_by_year_sorted_by_any_column_and_paged() {
        let rows = vec![
            row("Cole", "10", "1", &["88.0%", "90%"]),
            row("Abbot", "R", "2", &["91.5%", ""]),
            row("Bell", "10", "1", &["79.9%", "80%"]),
            row("Drew", "7", "2", &["94.0%", "95%"]),
        ];
        let academy = |urn: &str| if urn == "1" { "Zed" } else { "Ash" }.to_string();
        let choose = |year: Option<&str>, sort: Option<usize>, desc: bool| ActionChoice {
            year: year.map(String::from),
            sort,
            desc,
            ..ActionChoice::default()
        };
        let (t, p) = page_of(list(rows.clone()), &choose(None, None, false), academy);
        assert_eq!(
            names(&t),
            ["Cole", "Abbot", "Bell", "Drew"],
            "the list's own order"
        );
        assert_eq!(p.year_groups, ["R", "7", "10"]);
        assert_eq!((p.rows, p.of, p.page, p.pages), (4, 4, 1, 1));

        let (t, p) = page_of(
            list(rows.clone()),
            &choose(Some("10"), None, false),
            academy,
        );
        assert_eq!(names(&t), ["Cole", "Bell"]);
        assert_eq!((p.rows, p.of), (2, 4));

        let by = |sort, desc| {
            names(&page_of(list(rows.clone()), &choose(None, Some(sort), desc), academy).0)
                .join(",")
        };
        assert_eq!(by(0, false), "Abbot,Bell,Cole,Drew");
        assert_eq!(
            by(1, false),
            "Abbot,Drew,Cole,Bell",
            "reception, 7, then 10 in list order"
        );
        assert_eq!(by(2, false), "Abbot,Drew,Cole,Bell", "Ash before Zed");
        assert_eq!(
            by(3, false),
            "Bell,Cole,Abbot,Drew",
            "by value, not as text"
        );
        assert_eq!(by(3, true), "Drew,Abbot,Cole,Bell");
        assert_eq!(
            by(4, true),
            "Drew,Cole,Bell,Abbot",
            "an empty cell last either way"
        );
        assert_eq!(
            by(9, false),
            "Cole,Abbot,Bell,Drew",
            "a column that is not there sorts nothing"
        );
    }

    #[test]
    fn pages_hold_fifty_rows_and_a_page_past_the_end_is_the_last() {
        let rows: Vec<_> = (0..120)
            .map(|i| row(&format!("P{i:03}"), "8", "1", &["1", ""]))
            .collect();
        let at = |page| {
            let c = ActionChoice {
                page: Some(page),
                ..ActionChoice::default()
            };
            page_of(list(rows.clone()), &c, |u| u.to_string())
        };
        let (t, p) = at(2);
        assert_eq!(
            (t.rows.len(), p.page, p.pages, p.showing()),
            (50, 2, 3, Some((51, 100)))
        );
        assert_eq!(t.rows[0].0.name, "P050");
        let (t, p) = at(9);
        assert_eq!(
            (t.rows.len(), p.page, p.showing()),
            (20, 3, Some((101, 120)))
        );
        let (t, p) = at(0);
        assert_eq!((t.rows[0].0.name.as_str(), p.page), ("P000", 1));
    }

    #[test]
    fn links_keep_what_the_person_chose() {
        let c = ActionChoice {
            list: "penalty".into(),
            academy: Some("140101".into()),
            year: Some("N1 & 2 é".into()),
            stage: Some("support".into()),
            sort: Some(4),
            page: Some(3),
            ..ActionChoice::default()
        };
        assert_eq!(
            c.tab("cme"),
            "/actions?list=cme&academy=140101&year=N1%20%26%202%20%C3%A9&stage=support"
        );
        assert_eq!(
            c.sorted_by(4),
            "/actions?list=penalty&academy=140101&year=N1%20%26%202%20%C3%A9&stage=support&sort=4&dir=desc"
        );
        assert_eq!(
            c.sorted_by(5),
            "/actions?list=penalty&academy=140101&year=N1%20%26%202%20%C3%A9&stage=support&sort=5"
        );
        assert_eq!(
            c.at_page(2),
            "/actions?list=penalty&academy=140101&year=N1%20%26%202%20%C3%A9&stage=support&sort=4&page=2"
        );
    }
}
