//! Letters to parents for pupils on this week's thresholds list: the trust's template
//! for the threshold each pupil's attendance crossed, filled from their figures, one
//! letter a page in one PDF, and a "letter sent" action recorded on each pupil's case.
//! Staff of the academy only (the trust reads cases and writes none). Making the batch
//! is audited as an export; each recording as a write.

/// Most letters in one batch (a year group of a large secondary).
pub const MAX_BATCH: usize = 400;

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::MAX_BATCH;
    use crate::document::{Block, Document};
    use crate::reports::actions::{Lists, ListsParams};
    use crate::reports::{params, Ctx, ReportError};
    use crate::ssr::Warehouse;
    use chrono::NaiveDate;
    use queries::accounts::AccountError;
    use queries::calendar::academic_year;
    use queries::cases::{ActionKind, Checked};
    use queries::letters::{threshold_for, Facts};
    use queries::types::{Principal, Visibility};

    /// A batch: the academy, its pupils (MIS ids, sorted, each once) and the day.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Batch {
        pub urn: String,
        pub pupils: Vec<String>,
        pub today: NaiveDate,
    }

    impl Batch {
        /// A batch of `pupils` as a form sent them: each once, at least one, at most
        /// [`MAX_BATCH`].
        pub fn new(
            urn: String,
            mut pupils: Vec<String>,
            today: NaiveDate,
        ) -> Result<Batch, ReportError> {
            pupils.retain(|p| !p.trim().is_empty());
            pupils.sort();
            pupils.dedup();
            if pupils.is_empty() {
                return Err(params::bad("pupil", "tick at least one pupil").into());
            }
            if pupils.len() > MAX_BATCH {
                return Err(params::bad(
                    "pupil",
                    format!(
                        "{} pupils: at most {MAX_BATCH} letters in one batch",
                        pupils.len()
                    ),
                )
                .into());
            }
            Ok(Batch { urn, pupils, today })
        }
    }

    /// The letters made: the PDF's file name and bytes, and each pupil's threshold.
    #[derive(Debug, Clone)]
    pub struct Letters {
        pub file: String,
        pub pdf: Vec<u8>,
        pub issued: Vec<(String, u8)>,
    }

    /// Staff of the academy `urn`.
    fn may_issue(view: &Visibility, urn: &str) -> bool {
        crate::reports::cases::may_record(view, urn)
    }

    /// The letters of a batch, from the thresholds list as last night's load made it.
    pub struct Make;

    impl crate::reports::Report for Make {
        type Params = Batch;
        type Output = Letters;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, b: &Batch) -> bool {
            may_issue(view, &b.urn)
        }

        fn audit(b: &Batch, out: &Letters) -> Option<(&'static str, String)> {
            Some((
                "export pupils",
                format!(
                    "letters at {}, {} pupils: {}",
                    b.urn,
                    out.issued.len(),
                    b.pupils.join(", ")
                ),
            ))
        }

        fn build(ctx: &Ctx<'_>, b: &Batch, view: &Visibility) -> Result<Letters, ReportError> {
            let lists = ctx.report::<Lists>(ListsParams::new(Some(b.urn.clone()), None))?;
            let academy = params::academies(ctx.conn, view)?
                .into_iter()
                .find(|a| a.urn == b.urn)
                .ok_or_else(|| ReportError::NotFound(format!("no academy with URN {}", b.urn)))?;
            let w = ctx.warehouse;
            let contact = w
                .contacts
                .get(&b.urn)
                .cloned()
                .unwrap_or_else(|| format!("the attendance team at {}", academy.name));
            let mut blocks = Vec::new();
            let mut issued = Vec::new();
            let mut missing = Vec::new();
            for id in &b.pupils {
                let Some(c) = lists
                    .crossings
                    .iter()
                    .find(|c| c.pupil.urn == b.urn && &c.pupil.pupil_id == id)
                else {
                    missing.push(id.clone());
                    continue;
                };
                let threshold = threshold_for(c.crossed_below, c.attendance_now);
                let template = w
                    .letters
                    .iter()
                    .find(|t| t.threshold == threshold)
                    .ok_or_else(|| ReportError::Failed(format!("no letter at {threshold}%")))?;
                let from = ctx
                    .cal
                    .of(&b.urn)
                    .year(academic_year(c.as_of))
                    .and_then(|y| y.days.first().copied())
                    .unwrap_or(c.as_of);
                let facts = Facts {
                    pupil_name: &c.pupil.name,
                    year_group: &c.pupil.year_group,
                    salutation: None,
                    attendance: c.attendance_now,
                    sessions_missed: c.absent,
                    possible_sessions: c.possible,
                    from,
                    to: c.as_of,
                    threshold,
                    academy_name: &academy.name,
                    academy_contact: &contact,
                };
                let (subject, paragraphs) = template.fill(&facts.fields());
                if !blocks.is_empty() {
                    blocks.push(Block::PageBreak);
                }
                blocks.push(Block::Title(academy.name.clone()));
                // No UPN: it is not for use outside schools and local authorities.
                blocks.push(Block::Subtitle(format!(
                    "{} · Private and confidential: to the parent or carer of {}",
                    b.today.format("%-d %B %Y"),
                    c.pupil.name,
                )));
                blocks.push(Block::Heading(subject));
                blocks.extend(paragraphs.into_iter().map(Block::Text));
                issued.push((id.clone(), threshold));
            }
            if !missing.is_empty() {
                return Err(params::bad(
                    "pupil",
                    format!(
                        "not on this week's thresholds list at {}: {}",
                        b.urn,
                        missing.join(", ")
                    ),
                )
                .into());
            }
            let pdf = Document {
                title: format!("{}: attendance letters, {}", academy.name, b.today),
                blocks,
            }
            .pdf()
            .map_err(ReportError::Failed)?;
            Ok(Letters {
                file: format!("letters-{}-{}.pdf", b.urn, b.today),
                pdf,
                issued,
            })
        }
    }

    /// Records a "letter sent" on each case of `letters` (one transaction, each with its
    /// audit entry), as `who` (a blocking call). A letter at the same threshold already
    /// recorded on the case today (the form sent twice) is not recorded again.
    pub fn record(
        w: &Warehouse,
        who: &Principal,
        b: &Batch,
        letters: &Letters,
    ) -> Result<(), ReportError> {
        let n = letters.issued.len();
        let mut store = w.accounts()?;
        let mut actions: Vec<(String, Checked)> = Vec::new();
        for (id, threshold) in &letters.issued {
            let outcome = format!("Letter at {threshold}% attendance (one of {n} made together)");
            let prefix = format!("Letter at {threshold}% attendance");
            let already = queries::cases::actions(&store, &b.urn, id)
                .map_err(crate::ssr::WarehouseError::from)?
                .iter()
                .any(|a| {
                    a.kind == ActionKind::Letter
                        && a.on == b.today
                        && a.outcome.starts_with(&prefix)
                });
            if !already {
                actions.push((
                    id.clone(),
                    Checked {
                        kind: ActionKind::Letter,
                        on: b.today,
                        outcome,
                        next_step: String::new(),
                        next_due: None,
                    },
                ));
            }
        }
        if actions.is_empty() {
            return Ok(());
        }
        match queries::cases::record_many(&mut store, who, &b.urn, &actions) {
            Ok(_) => Ok(()),
            Err(AccountError::Invalid(_)) => Err(ReportError::Forbidden),
            Err(e) => Err(ReportError::Audit(e.to_string())),
        }
    }
}
