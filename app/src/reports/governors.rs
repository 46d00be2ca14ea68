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
pub use ssr::{Pdf, Report};

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
