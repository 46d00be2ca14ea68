//! The penalty-notice evidence pack: one PDF for one pupil, for the local authority's
//! penalty-notice team. The national framework's rule quoted; the rolling window of 10
//! school weeks in which the pupil's unauthorised absence reached the threshold, with
//! its register; and the letters, meetings, support and notice to improve the case
//! records, with their dates. Staff of the academy and the trust; every pack made is
//! audited as an export.

/// The rule, as the pack quotes it.
pub const RULE: &str = "A penalty notice must be considered when a pupil has 10 sessions of \
    unauthorised absence (codes G, N, O and U) within a rolling period of 10 school weeks. \
    The sessions need not be consecutive, and the period can span terms and school years; a \
    school week is any week with at least one school session. A parent may receive at most \
    two penalty notices for the same child within three years, and a notice to improve, \
    with an improvement period of three to six weeks, usually comes first. (DfE, Working \
    together to improve school attendance, and the national framework for penalty \
    notices, in force from 19 August 2024.)";

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::RULE;
    use crate::document::{Block, Document};
    use crate::reports::actions::{Lists, ListsParams};
    use crate::reports::{Ctx, ReportError};
    use crate::ssr::WarehouseError;
    use chrono::NaiveDate;
    use queries::cases::ActionKind;
    use queries::types::{PenaltyWindow, Visibility};

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub urn: String,
        pub pupil_id: String,
        pub today: NaiveDate,
    }

    /// The pack: its file name and PDF.
    pub struct Evidence;

    fn day(d: NaiveDate) -> String {
        d.format("%-d %b %Y").to_string()
    }

    const SESSIONS: [&str; 10] = [
        "Mon AM", "Mon PM", "Tue AM", "Tue PM", "Wed AM", "Wed PM", "Thu AM", "Thu PM", "Fri AM",
        "Fri PM",
    ];

    impl crate::reports::Report for Evidence {
        type Params = Params;
        type Output = (String, Vec<u8>);
        const CACHED: bool = false;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            view.sees_pupils() && view.sees_academy(&p.urn)
        }

        fn audit(p: &Params, _: &Self::Output) -> Option<(&'static str, String)> {
            Some((
                "export pupils",
                format!(
                    "penalty-notice evidence pack, pupil {} at {}",
                    p.pupil_id, p.urn
                ),
            ))
        }

        fn build(ctx: &Ctx<'_>, p: &Params, _: &Visibility) -> Result<Self::Output, ReportError> {
            let lists = ctx.report::<Lists>(ListsParams::new(Some(p.urn.clone()), None))?;
            let ours = |w: &&PenaltyWindow| w.pupil.urn == p.urn && w.pupil.pupil_id == p.pupil_id;
            // The window ending now if the pupil is over the threshold now; otherwise
            // this year's fullest.
            let window = lists
                .penalty_now
                .iter()
                .find(ours)
                .or_else(|| lists.penalty_this_year.iter().find(ours))
                .cloned();
            let Some(year) = queries::actions::Year::of(ctx.cal) else {
                return Err(ReportError::NotFound("nothing is loaded".into()));
            };
            let (from, to) = window
                .as_ref()
                .map_or((year.from, year.to), |w| (w.from, w.to));
            let Some(record) = queries::pupil::record(ctx.conn, &p.urn, &p.pupil_id, from, to)?
            else {
                return Err(ReportError::NotFound(format!(
                    "no pupil {} at {}",
                    p.pupil_id, p.urn
                )));
            };
            let store = ctx.warehouse.accounts()?;
            let actions = queries::cases::actions(&store, &p.urn, &p.pupil_id)
                .map_err(WarehouseError::from)?;
            let pupil = &record.pupil;
            let mut blocks = vec![
                Block::Title(format!("Penalty notice evidence: {}", pupil.name)),
                Block::Subtitle(format!(
                    "{} (URN {}) · UPN {} · MIS id {} · {} · born {} · made {}",
                    record.academy_name,
                    p.urn,
                    pupil.upn.clone().unwrap_or_else(|| "–".into()),
                    pupil.pupil_id,
                    queries::types::Dimension::YearGroup.group_label(&pupil.year_group),
                    day(record.details.date_of_birth),
                    day(p.today),
                )),
                Block::Heading("The rule".into()),
                Block::Text(RULE.into()),
                Block::Heading("The rolling window".into()),
            ];
            match &window {
                Some(w) => blocks.push(Block::Text(format!(
                    "{} sessions of unauthorised absence in the 10 school weeks from {} to {}{}.",
                    w.sessions,
                    day(w.from),
                    day(w.to),
                    if w.now {
                        ", the 10 school weeks to the latest register loaded"
                    } else {
                        " (the fullest such window this academic year)"
                    }
                ))),
                None => blocks.push(Block::Text(format!(
                    "{} has not reached the threshold in any rolling 10 school weeks this \
                     academic year, to {}. The register below is the year's.",
                    pupil.name,
                    day(year.to)
                ))),
            }
            let unauthorised = ["G", "N", "O", "U"];
            let mut by_code = std::collections::BTreeMap::<String, u64>::new();
            for (_, marks) in &record.weeks {
                for (code, _) in marks.iter().flatten() {
                    if unauthorised.contains(&code.as_str()) {
                        *by_code.entry(code.clone()).or_default() += 1;
                    }
                }
            }
            blocks.push(Block::Table {
                head: vec![
                    "Unauthorised absence in the window".into(),
                    "Sessions".into(),
                ],
                rows: unauthorised
                    .iter()
                    .map(|c| {
                        let label = match *c {
                            "G" => "G: holiday not authorised",
                            "N" => "N: reason not yet given",
                            "O" => "O: absent in other unauthorised circumstances",
                            _ => "U: arrived after registers closed",
                        };
                        vec![
                            label.to_string(),
                            by_code.get(*c).copied().unwrap_or(0).to_string(),
                        ]
                    })
                    .collect(),
            });
            blocks.push(Block::Heading("The register in the window".into()));
            blocks.push(Block::Table {
                head: std::iter::once("Week of".to_string())
                    .chain(SESSIONS.iter().map(|s| s.to_string()))
                    .collect(),
                rows: record
                    .weeks
                    .iter()
                    .map(|(monday, marks)| {
                        std::iter::once(day(*monday))
                            .chain(
                                marks.iter().map(|m| {
                                    m.as_ref().map(|(c, _)| c.clone()).unwrap_or_default()
                                }),
                            )
                            .collect()
                    })
                    .collect(),
            });
            blocks.push(Block::Heading(
                "Letters, meetings, support and notices recorded".into(),
            ));
            if actions.is_empty() {
                blocks.push(Block::Text("No actions are recorded on this case.".into()));
            } else {
                blocks.push(Block::Table {
                    head: ["Date", "Action", "Outcome", "Recorded by"]
                        .map(String::from)
                        .to_vec(),
                    rows: actions
                        .iter()
                        .map(|a| {
                            vec![
                                day(a.on),
                                a.kind.label().to_string(),
                                a.outcome.clone(),
                                a.by.clone(),
                            ]
                        })
                        .collect(),
                });
            }
            let notices: Vec<String> = actions
                .iter()
                .filter(|a| a.kind == ActionKind::NoticeToImprove)
                .map(|a| day(a.on))
                .collect();
            blocks.push(Block::Note(if notices.is_empty() {
                "No notice to improve is recorded on this case; the national framework \
                 expects one usually to come first."
                    .into()
            } else {
                format!("Notice to improve issued: {}.", notices.join(", "))
            }));
            blocks.push(Block::Note(format!(
                "Made by Rollcall from the registers as loaded to {}, and the actions the \
                 academy's staff recorded. Codes as the Department for Education defines them.",
                day(record.to)
            )));
            let pdf = Document {
                title: format!("Penalty notice evidence: {}", pupil.name),
                blocks,
            }
            .pdf()
            .map_err(ReportError::Failed)?;
            Ok((format!("evidence-{}-{}.pdf", p.urn, p.pupil_id), pdf))
        }
    }
}
