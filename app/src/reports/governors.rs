//! Governors' termly summary: for a chosen term, each academy the viewer may see (and
//! the trust) against the previous term, the same term last year, the trust and
//! England; gaps, suppressed for governors; pupils on AP and reduced timetables; and a
//! paragraph written from those figures. The page, and the PDF (one A4 page a place).

use queries::types::{Compared, PlaceSummary, Rates, Scope, TermRef};
use serde::{Deserialize, Serialize};

use crate::view::{pct, pp};

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SummaryParams {
    /// A term's slug (`autumn-2025`); the latest term when absent.
    pub term: Option<String>,
    /// `all` (every place the viewer may see), `trust`, or a URN.
    pub place: Option<String>,
    /// `dfe` (the default: like for like with England) or `all`.
    pub scope: Option<String>,
}

/// A summary's parameters, checked: the term (its slug; the latest when `None`), the
/// place (`all`, `trust` or a URN) and the scope.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SummaryChoice {
    pub term: Option<String>,
    pub place: String,
    pub scope: Scope,
}

impl SummaryParams {
    /// The parameters checked: a scope that is not all or dfe names the parameter.
    pub fn checked(&self) -> Result<SummaryChoice, crate::reports::params::ParamError> {
        Ok(SummaryChoice {
            term: self.term.clone().filter(|t| !t.is_empty()),
            place: self.place().to_string(),
            scope: crate::reports::params::scope(self.scope.as_deref(), Scope::Dfe)?,
        })
    }

    pub fn scope(&self) -> Scope {
        self.scope
            .as_deref()
            .and_then(Scope::parse)
            .unwrap_or(Scope::Dfe)
    }

    pub fn place(&self) -> &str {
        self.place
            .as_deref()
            .filter(|p| !p.is_empty())
            .unwrap_or("all")
    }

    /// The query string, for links (the PDF).
    pub fn query(&self, term: &str) -> String {
        format!(
            "?term={term}&place={}&scope={}",
            self.place(),
            self.scope().as_str()
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GovernorsData {
    pub terms: Vec<TermRef>,
    pub term: TermRef,
    pub scope: Scope,
    /// (value, name) for the place chooser.
    pub choices: Vec<(String, String)>,
    pub place: String,
    pub summaries: Vec<PlaceSummary>,
    pub threshold: u64,
    /// Pupils by the furthest stage their case reached in the term (read from the cases
    /// on every request; not part of the cached summary).
    #[serde(default)]
    pub stages: Option<StageTable>,
}

/// Pupils by the stage their case reached in a term, one row per place, as the viewer
/// may see them: counts that are small, or that would let one be worked out from the
/// rows' and columns' totals, are `None` (shown "x").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct StageTable {
    /// The places, academies first, then the trust when the viewer sees it: (URN or
    /// `None` for the trust, name, a count per stage 2 to 5 then their total).
    pub rows: Vec<(Option<String>, String, Vec<Option<u64>>)>,
}

impl StageTable {
    pub fn head() -> Vec<String> {
        std::iter::once(String::new())
            .chain(
                queries::cases::Stage::ALL[1..]
                    .iter()
                    .map(|s| s.label()[2..].to_string()),
            )
            .chain(std::iter::once("Any of these".to_string()))
            .collect()
    }

    /// The rows of `place` (`all`, `trust` or a URN) as table cells.
    pub fn cells(&self, place: &str) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .filter(|(urn, _, _)| match place {
                "all" => true,
                "trust" => urn.is_none(),
                u => urn.as_deref() == Some(u),
            })
            .map(|(_, name, counts)| {
                std::iter::once(name.clone())
                    .chain(counts.iter().map(|c| match c {
                        Some(n) => crate::format::count(*n),
                        None => "x".into(),
                    }))
                    .collect()
            })
            .collect()
    }
}

/// The stage table from each academy's counts (`counts`, in the order of `names`), with
/// the trust's row when `trust` is some name, suppressed below `threshold` (none when
/// `None`) so that no hidden count follows from the rows and columns shown.
pub fn stage_table(
    names: &[(String, String)],
    counts: &[[u64; 4]],
    trust: Option<&str>,
    threshold: Option<u64>,
) -> StageTable {
    use queries::disclosure::{protect, Table};
    let n = names.len();
    // Inner counts: academy x stage. Published sums: each academy's total, and with the
    // trust row each stage's trust-wide count and the trust's total.
    let mut table = Table {
        cells: counts.iter().flat_map(|c| c.iter().copied()).collect(),
        sums: (0..n)
            .map(|r| (0..4).map(|c| r * 4 + c).collect())
            .collect(),
    };
    if trust.is_some() {
        table
            .sums
            .extend((0..4).map(|c| (0..n).map(|r| r * 4 + c).collect()));
        table.sums.push((0..n * 4).collect());
    }
    let hidden = match threshold {
        Some(t) => protect(&table, t),
        None => queries::disclosure::Hidden::none(&table),
    };
    let shown = |v: u64, h: bool| (!h).then_some(v);
    let mut rows: Vec<(Option<String>, String, Vec<Option<u64>>)> = names
        .iter()
        .enumerate()
        .map(|(r, (urn, name))| {
            let mut cells: Vec<Option<u64>> = (0..4)
                .map(|c| shown(table.cells[r * 4 + c], hidden.cells[r * 4 + c]))
                .collect();
            cells.push(shown(table.sum(r), hidden.sums[r]));
            (Some(urn.clone()), name.clone(), cells)
        })
        .collect();
    if let Some(trust) = trust {
        let cells = (0..5)
            .map(|c| shown(table.sum(n + c), hidden.sums[n + c]))
            .collect();
        rows.push((None, trust.to_string(), cells));
    }
    StageTable { rows }
}

pub fn subtitle(s: &PlaceSummary) -> String {
    let mut parts = Vec::new();
    if let Some(urn) = &s.urn {
        parts.push(format!("URN {urn}"));
    } else {
        parts.push("The whole trust".to_string());
    }
    parts.push(format!(
        "{} to {}",
        s.term.from.format("%-d %b %Y"),
        s.term.to.format("%-d %b %Y")
    ));
    parts.push(s.scope.label().to_string());
    if let Some(n) = s.now.enrolments {
        parts.push(format!("{} enrolments", crate::format::count(n)));
    }
    parts.join(" · ")
}

fn rates_row(label: &str, r: &Rates) -> Vec<String> {
    vec![
        label.to_string(),
        pct(r.attendance),
        pct(r.absence),
        pct(r.pa),
        pct(r.sa),
    ]
}

/// Rows: this term, the previous term, last year, the trust, England.
pub fn comparison_table(s: &PlaceSummary) -> (Vec<String>, Vec<Vec<String>>) {
    let head = ["", "Attendance", "Absence", "PA", "SA"]
        .map(String::from)
        .to_vec();
    let mut rows = vec![rates_row(&s.term.label(), &s.now)];
    let mut other = |c: &Option<Compared>| {
        if let Some(c) = c {
            rows.push(rates_row(&c.label, &c.rates));
        }
    };
    other(&s.previous);
    other(&s.last_year);
    other(&s.trust);
    other(&s.national);
    (head, rows)
}

pub fn gaps_table(s: &PlaceSummary) -> (Vec<String>, Vec<Vec<String>>) {
    let head = ["Gap", "Absence", "PA", "England", "Last year"]
        .map(String::from)
        .to_vec();
    let rows = s
        .gaps
        .iter()
        .map(|g| {
            if g.suppressed {
                vec![
                    g.name.clone(),
                    "x".into(),
                    "x".into(),
                    national(g),
                    "x".into(),
                ]
            } else {
                vec![
                    g.name.clone(),
                    pp(g.absence),
                    pp(g.pa),
                    national(g),
                    pp(g.last_absence),
                ]
            }
        })
        .collect();
    (head, rows)
}

fn national(g: &queries::types::GapLine) -> String {
    g.national
        .map(|(a, _)| format!("{a:+.1} pp"))
        .unwrap_or_else(|| "–".into())
}

pub fn notes(s: &PlaceSummary, threshold: u64) -> String {
    format!(
        "Pupils on alternative provision during the term: {}; on a reduced timetable: {}. \
         Attendance and absence are shares of possible sessions; PA (persistent absence) is \
         the share of pupils missing 10% or more of their sessions, SA (severe absence) 50% \
         or more. Each academy's figures are over its own dates for the term (academies keep \
         their own half terms); the trust's are the sum of them. x: fewer than {threshold} \
         pupils, or a figure that would let one be worked out, hidden to protect them. \
         England: {}.",
        s.ap.cell(),
        s.reduced_timetable.cell(),
        if s.national.is_some() {
            "DfE's published figures for state-funded schools"
        } else {
            "no published figure for this year"
        }
    )
}

#[cfg(feature = "ssr")]
pub use ssr::{Pdf, Report, Stages};

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::document::{Block, Document};
    use crate::reports::{Ctx, Found, ReportError};
    use queries::calendar::Calendars;
    use queries::db::Connection;
    use queries::types::{AcademyRef, Visibility};

    /// The summary for the places the viewer may see (suppressed for governors);
    /// `None` when the term or place is unknown, or not theirs.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = SummaryChoice;
        type Output = Option<GovernorsData>;

        fn build(
            ctx: &Ctx<'_>,
            p: &SummaryChoice,
            view: &Visibility,
        ) -> Result<Option<GovernorsData>, ReportError> {
            if p.place != "all" {
                // One place is its page of everything the viewer may see: each place's
                // summary is worked out from the same trust-wide figures and masks
                // whichever places are asked for, so the two cannot differ, and once
                // the whole summary is built (the warm-up builds it) a place is free.
                let all = ctx.report::<Report>(SummaryChoice {
                    place: "all".into(),
                    ..p.clone()
                })?;
                return Ok(one_place(all.as_ref().as_ref(), &p.place));
            }
            let w = ctx.warehouse;
            governors(ctx.conn, ctx.cal, p, view, w.suppress_below, &w.trust_name)
                .map_err(ReportError::NotFound)
        }
    }

    /// The summary of everything the viewer may see cut to one `place` (`trust` or a
    /// URN); `None` when the place is not among them.
    pub fn one_place(all: Option<&GovernorsData>, place: &str) -> Option<GovernorsData> {
        let all = all?;
        // The chooser lists exactly the places the viewer may see.
        if !all.choices.iter().any(|(value, _)| value == place) {
            return None;
        }
        let summaries: Vec<PlaceSummary> = all
            .summaries
            .iter()
            .filter(|s| match place {
                "trust" => s.urn.is_none(),
                urn => s.urn.as_deref() == Some(urn),
            })
            .cloned()
            .collect();
        Some(GovernorsData {
            summaries,
            place: place.to_string(),
            ..all.clone()
        })
    }

    /// Pupils by the stage their case reached from `from` to `to` at each academy the
    /// viewer sees, and the trust, suppressed for aggregates-only viewers. Read from the
    /// cases on every request.
    pub struct Stages;

    impl crate::reports::Report for Stages {
        type Params = (chrono::NaiveDate, chrono::NaiveDate);
        type Output = StageTable;
        const CACHED: bool = false;

        fn build(
            ctx: &Ctx<'_>,
            (from, to): &Self::Params,
            view: &Visibility,
        ) -> Result<StageTable, ReportError> {
            let academies = crate::reports::params::academies(ctx.conn, view)?;
            let store = ctx.warehouse.accounts()?;
            // Actions up to the latest register loaded, like every figure beside them: the
            // counts move once a night, not with each recording (a governor comparing
            // the page hour by hour must not see one pupil's case move).
            let to = ctx.cal.trust.latest_day().map_or(*to, |l| l.min(*to));
            let reached = queries::cases::stages_reached(&store, &view.academies, *from, to)
                .map_err(crate::ssr::WarehouseError::from)?;
            let names: Vec<(String, String)> = academies
                .iter()
                .map(|a| (a.urn.clone(), a.name.clone()))
                .collect();
            let counts: Vec<[u64; 4]> = academies
                .iter()
                .map(|a| reached.get(&a.urn).copied().unwrap_or_default())
                .collect();
            // The trust's row only for a viewer of the whole trust (staff of one academy
            // would see their own academy's counts again under the trust's name).
            let trust = view
                .academies
                .is_empty()
                .then(|| format!("{} (the trust)", ctx.warehouse.trust_name));
            Ok(stage_table(
                &names,
                &counts,
                trust.as_deref(),
                view.threshold(),
            ))
        }
    }

    /// The summary as a PDF, made from the page's data: (file name, bytes).
    pub struct Pdf;

    impl crate::reports::Report for Pdf {
        type Params = SummaryChoice;
        type Output = (String, Vec<u8>);

        fn build(
            ctx: &Ctx<'_>,
            p: &SummaryChoice,
            _: &Visibility,
        ) -> Result<(String, Vec<u8>), ReportError> {
            let data = Found::of(ctx.report::<Report>(p.clone())?, || {
                "no such term or academy".into()
            })?;
            let bytes = document(&data, &ctx.warehouse.trust_name)
                .pdf()
                .map_err(ReportError::Failed)?;
            Ok((format!("governors-summary-{}.pdf", data.term.slug), bytes))
        }
    }

    /// The summary as `viewer` may see it; `None` when the term or place is unknown
    /// (or not theirs), `Err` when nothing is loaded.
    pub fn governors(
        conn: &Connection,
        cal: &Calendars,
        p: &SummaryChoice,
        viewer: &Visibility,
        threshold: u64,
        trust_name: &str,
    ) -> Result<Option<GovernorsData>, String> {
        let terms = queries::summary::terms(cal);
        let Some(term) = (match &p.term {
            Some(slug) => terms.iter().find(|t| &t.slug == slug),
            _ => terms.first(),
        })
        .cloned() else {
            return if terms.is_empty() {
                Err("no attendance has been loaded yet".into())
            } else {
                Ok(None)
            };
        };
        let academies =
            crate::reports::params::academies(conn, viewer).map_err(|e| e.to_string())?;
        let mut choices = vec![("all".to_string(), "Everything I can see".to_string())];
        if viewer.sees_trust() {
            choices.push(("trust".into(), format!("{trust_name} (the trust)")));
        }
        choices.extend(academies.iter().map(|a| (a.urn.clone(), a.name.clone())));
        let place = p.place.clone();
        let places: Vec<Option<AcademyRef>> = match place.as_str() {
            "all" => viewer
                .sees_trust()
                .then_some(None)
                .into_iter()
                .chain(academies.iter().cloned().map(Some))
                .collect(),
            "trust" if viewer.sees_trust() => vec![None],
            urn => match academies.iter().find(|a| a.urn == urn) {
                Some(a) => vec![Some(a.clone())],
                None => return Ok(None),
            },
        };
        let summaries = queries::summary::summaries(
            conn,
            cal,
            &queries::summary::Request {
                term: &term,
                scope: p.scope,
                places: &places,
                trust_name,
                viewer,
                threshold,
            },
        )
        .map_err(|e| e.to_string())?;
        Ok(Some(GovernorsData {
            terms,
            term,
            scope: p.scope,
            choices,
            place,
            summaries,
            threshold,
            stages: None,
        }))
    }

    /// The summary as a document: one A4 page per place, aggregates only.
    pub fn document(d: &GovernorsData, trust_name: &str) -> Document {
        let mut blocks = Vec::new();
        for (i, s) in d.summaries.iter().enumerate() {
            if i > 0 {
                blocks.push(Block::PageBreak);
            }
            blocks.push(Block::Title(format!(
                "{}: attendance, {}",
                s.name,
                s.term.label()
            )));
            blocks.push(Block::Subtitle(subtitle(s)));
            blocks.push(Block::Heading("What changed and what stands out".into()));
            blocks.push(Block::Text(s.sentences.join(" ")));
            blocks.push(Block::Heading(
                "Against last term, last year, the trust and England".into(),
            ));
            let (head, rows) = comparison_table(s);
            blocks.push(Block::Table { head, rows });
            blocks.push(Block::Heading(
                "Gaps between groups (percentage points)".into(),
            ));
            let (head, rows) = gaps_table(s);
            blocks.push(Block::Table { head, rows });
            blocks.push(Block::Note(notes(s, d.threshold)));
        }
        Document {
            title: format!(
                "{trust_name}: governors' attendance summary, {}",
                d.term.label()
            ),
            blocks,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names() -> Vec<(String, String)> {
        ["A", "B", "C"]
            .map(|n| {
                (
                    format!("10000{}", n.as_bytes()[0] - b'A' + 1),
                    format!("Academy {n}"),
                )
            })
            .to_vec()
    }

    #[test]
    fn staff_see_every_count_with_the_trust_s_sums() {
        let t = stage_table(
            &names()[..2],
            &[[1, 2, 0, 0], [0, 0, 0, 3]],
            Some("Trust"),
            None,
        );
        let cells = t.cells("all");
        assert_eq!(cells[0], ["Academy A", "1", "2", "0", "0", "3"]);
        assert_eq!(cells[2], ["Trust", "1", "2", "0", "3", "6"]);
        assert_eq!(t.cells("trust").len(), 1);
        assert_eq!(t.cells("100002")[0][0], "Academy B");
        assert_eq!(StageTable::head().len(), 6);
    }

    #[test]
    fn a_small_count_is_hidden_with_enough_beside_it_that_no_total_gives_it_away() {
        let counts = [[10, 6, 7, 0], [12, 2, 9, 5], [8, 7, 6, 9]];
        let t = stage_table(&names(), &counts, Some("Trust"), Some(5));
        let grid: Vec<Vec<Option<u64>>> = t.rows.iter().map(|r| r.2.clone()).collect();
        // B's two pupils at "facilitate support" are hidden.
        assert_eq!(grid[1][1], None);
        // Checked by hand, not by the suppression's own algebra: no row (academy or
        // trust) and no column (stage, or the totals) has exactly one hidden number,
        // so no single total minus what is shown gives a hidden one; and at least four
        // inner counts are hidden (the least that protects a count in a table with
        // both margins).
        for row in &grid {
            assert_ne!(row.iter().filter(|c| c.is_none()).count(), 1, "{grid:?}");
        }
        for c in 0..5 {
            let hidden = grid.iter().filter(|r| r[c].is_none()).count();
            assert_ne!(hidden, 1, "column {c}: {grid:?}");
        }
        let inner_hidden: usize = grid[..3]
            .iter()
            .map(|r| r[..4].iter().filter(|c| c.is_none()).count())
            .sum();
        assert!(inner_hidden >= 4, "{grid:?}");
        // What is shown is the true count: the trust's total.
        assert_eq!(grid[3][4], Some(81));
        // A governor of one academy (no trust row): its own row, suppressed alone.
        let one = stage_table(&names()[..1], &[[3, 8, 0, 0]], None, Some(5));
        assert_eq!(one.rows.len(), 1);
        let row = &one.rows[0].2;
        assert_eq!(row[0], None, "3 is small");
        assert_eq!(
            row.iter().filter(|c| c.is_none()).count(),
            2,
            "and one more beside it, or the total gives it: {row:?}"
        );
    }
}
