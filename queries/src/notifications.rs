//! The statutory notifications queue: pupils whose academy must tell the local authority
//! something, from the registers and the reduced timetables, and whether a case record
//! says it was told.
//!
//! - **Possible child missing education** (`cme`): absent without the school's permission
//!   (every possible session `G`, `N` or `O`) for 10 consecutive school days; due from
//!   the tenth.
//! - **Illness, section 19** (`section19`): 15 school days of illness (30 sessions coded
//!   `I`, a school day being two sessions), consecutive or not, this academic year; due
//!   from the day of the thirtieth session.
//! - **Reduced timetable** (`reduced-timetable`): one in force this year is due from its
//!   start; one still running past its planned end has been extended, and that is due
//!   again from the day after the planned end.
//!
//! A notification is answered by a case action of the matching kind dated on or after
//! the day the matter began (the run's first day, the year's, the timetable's start or
//! the day after its planned end), or, for a timetable's start, by the MIS's
//! `la_notified`. One not answered within [`NOTIFY_WITHIN`] school days of falling due
//! is overdue.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::cases::ActionKind;
use crate::types::PupilRef;

/// School days of absence without permission, in a row, before the local authority is
/// told (pupil registration regulations; the start of children-missing-education
/// enquiries).
pub const CME_DAYS: u64 = 10;
/// School days of illness, consecutive or not, at which the section 19 duty applies.
pub const ILLNESS_DAYS: u64 = 15;
/// A notification not recorded this many school days after it fell due is overdue
/// (Rollcall's default: a school week).
pub const NOTIFY_WITHIN: u64 = 5;

/// What the local authority is to be told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeKind {
    Cme,
    #[serde(rename = "section19")]
    Section19,
    ReducedTimetable,
}

impl NoticeKind {
    pub const ALL: [NoticeKind; 3] = [
        NoticeKind::Cme,
        NoticeKind::Section19,
        NoticeKind::ReducedTimetable,
    ];

    /// As in the API and URLs.
    pub fn key(self) -> &'static str {
        match self {
            NoticeKind::Cme => "cme",
            NoticeKind::Section19 => "section19",
            NoticeKind::ReducedTimetable => "reduced-timetable",
        }
    }

    pub fn parse(s: &str) -> Option<NoticeKind> {
        NoticeKind::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            NoticeKind::Cme => "Possible child missing education",
            NoticeKind::Section19 => "Illness: section 19",
            NoticeKind::ReducedTimetable => "Reduced timetable",
        }
    }

    /// The case action that records telling the local authority.
    pub fn action(self) -> ActionKind {
        match self {
            NoticeKind::Cme => ActionKind::NotifiedCme,
            NoticeKind::Section19 => ActionKind::NotifiedSection19,
            NoticeKind::ReducedTimetable => ActionKind::NotifiedReducedTimetable,
        }
    }
}

/// A notification that fell due, from last night's registers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub pupil: PupilRef,
    pub kind: NoticeKind,
    /// The day the duty to tell the local authority arose.
    pub due_since: NaiveDate,
    /// School days of the run (CME), of illness (section 19), or of the timetable so far
    /// (from its start, or for an extension from the day after its planned end).
    pub school_days: u64,
    /// A notification recorded on or after this day answers it.
    pub answered_from: NaiveDate,
    /// What happened, in words.
    pub what: String,
    /// The MIS says the local authority was told (a reduced timetable's `la_notified`).
    pub mis_notified: bool,
    /// School days at the academy after `due_since`, to its latest day loaded.
    pub days_since_due: u64,
}

/// A notification due, and whether it was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub due: Due,
    /// The first notification of this kind recorded on the case that answers it.
    pub notified_on: Option<NaiveDate>,
    /// Not notified, and more than [`NOTIFY_WITHIN`] school days since it fell due.
    pub overdue: bool,
}

impl Notice {
    pub fn notified(&self) -> bool {
        self.notified_on.is_some() || self.due.mis_notified
    }
}

/// Each pupil's notifications to the local authority as their cases record them: by
/// (URN, pupil id), the kind and the day.
pub type Told = HashMap<(String, String), Vec<(ActionKind, NaiveDate)>>;

/// The queue: each notification due, answered by the earliest matching one `told`
/// records on or after the matter began; overdue ones first, then the oldest due.
pub fn queue(due: &[Due], told: &Told) -> Vec<Notice> {
    let mut out: Vec<Notice> = due
        .iter()
        .map(|d| {
            let notified_on = told
                .get(&(d.pupil.urn.clone(), d.pupil.pupil_id.clone()))
                .into_iter()
                .flatten()
                .filter(|(k, on)| *k == d.kind.action() && *on >= d.answered_from)
                .map(|(_, on)| *on)
                .min();
            let overdue =
                notified_on.is_none() && !d.mis_notified && d.days_since_due > NOTIFY_WITHIN;
            Notice {
                due: d.clone(),
                notified_on,
                overdue,
            }
        })
        .collect();
    out.sort_by(|a, b| {
        b.overdue
            .cmp(&a.overdue)
            .then(a.notified().cmp(&b.notified()))
            .then(a.due.due_since.cmp(&b.due.due_since))
            .then(a.due.pupil.urn.cmp(&b.due.pupil.urn))
            .then(a.due.pupil.pupil_id.cmp(&b.due.pupil.pupil_id))
            .then(a.due.kind.cmp(&b.due.kind))
    });
    out
}

/// How many are due, overdue and made.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Counts {
    pub due: usize,
    pub overdue: usize,
    pub notified: usize,
}

pub fn counts(queue: &[Notice]) -> Counts {
    Counts {
        due: queue.len(),
        overdue: queue.iter().filter(|n| n.overdue).count(),
        notified: queue.iter().filter(|n| n.notified()).count(),
    }
}

#[cfg(feature = "engine")]
pub use engine::due;

#[cfg(feature = "engine")]
mod engine {
    use duckdb::{params, Connection};

    use super::*;
    use crate::actions::Year;
    use crate::calendar::Calendars;
    use crate::db::query_all;
    use crate::figures::pupil_at;
    use crate::types::MissingRun;

    fn day(d: NaiveDate) -> String {
        d.format("%-d %b %Y").to_string()
    }

    /// Every notification due this academic year at one academy (or all, `urn` `None`):
    /// `missing` is this year's runs of absence without permission (the action lists'),
    /// of [`CME_DAYS`] or more.
    pub fn due(
        conn: &Connection,
        cals: &Calendars,
        urn: Option<&str>,
        missing: &[MissingRun],
    ) -> Result<Vec<Due>, duckdb::Error> {
        let Some(y) = Year::of(cals) else {
            return Ok(Vec::new());
        };
        let since = |urn: &str, d: NaiveDate| {
            let cal = cals.of(urn);
            cal.latest_day().map_or(0, |latest| {
                cal.days_between(d.succ_opt().unwrap_or(d), latest)
            })
        };
        let mut out = Vec::new();
        for run in missing
            .iter()
            .filter(|r| urn.is_none_or(|u| u == r.pupil.urn) && r.school_days >= CME_DAYS)
        {
            out.push(Due {
                pupil: run.pupil.clone(),
                kind: NoticeKind::Cme,
                due_since: run.notify_from,
                school_days: run.school_days,
                answered_from: run.first_day,
                what: format!(
                    "{} school days absent without permission, {} to {}{}",
                    run.school_days,
                    day(run.first_day),
                    day(run.last_day),
                    if run.ongoing { " (still absent)" } else { "" }
                ),
                mis_notified: false,
                days_since_due: since(&run.pupil.urn, run.notify_from),
            });
        }
        let sessions = 2 * ILLNESS_DAYS;
        let ill = query_all(
            conn,
            include_str!("../sql/notifications_illness.sql"),
            params![urn, y.from, y.to, sessions],
            |r| {
                Ok((
                    pupil_at(r, 0)?,
                    r.get::<_, NaiveDate>(6)?,
                    r.get::<_, NaiveDate>(7)?,
                    r.get::<_, i64>(8)?,
                ))
            },
        )?;
        for (pupil, first, due_since, sessions) in ill {
            let days_since_due = since(&pupil.urn, due_since);
            out.push(Due {
                kind: NoticeKind::Section19,
                due_since,
                school_days: sessions as u64 / 2,
                answered_from: y.from,
                what: format!(
                    "{sessions} sessions of illness this year, the first on {}",
                    day(first)
                ),
                mis_notified: false,
                days_since_due,
                pupil,
            });
        }
        let timetables = query_all(
            conn,
            include_str!("../sql/notifications_timetables.sql"),
            params![urn, y.from],
            |r| {
                Ok((
                    pupil_at(r, 0)?,
                    r.get::<_, NaiveDate>(6)?,
                    r.get::<_, NaiveDate>(7)?,
                    r.get::<_, Option<NaiveDate>>(8)?,
                    r.get::<_, bool>(9)?,
                    r.get::<_, NaiveDate>(10)?,
                ))
            },
        )?;
        for (pupil, start, planned_end, end, la_notified, until) in timetables {
            let cal = cals.of(&pupil.urn);
            let ended = end
                .map(|e| format!(", ended {}", day(e)))
                .unwrap_or_default();
            out.push(Due {
                kind: NoticeKind::ReducedTimetable,
                due_since: start,
                school_days: cal.days_between(start, until),
                answered_from: start,
                what: format!(
                    "started {}, planned to end {}{ended}",
                    day(start),
                    day(planned_end)
                ),
                mis_notified: la_notified,
                days_since_due: since(&pupil.urn, start),
                pupil: pupil.clone(),
            });
            if until > planned_end {
                let extended = planned_end.succ_opt().unwrap_or(planned_end);
                out.push(Due {
                    kind: NoticeKind::ReducedTimetable,
                    due_since: extended,
                    school_days: cal.days_between(extended, until),
                    answered_from: extended,
                    what: format!(
                        "still running after its planned end on {} (extended){ended}",
                        day(planned_end)
                    ),
                    mis_notified: false,
                    days_since_due: since(&pupil.urn, extended),
                    pupil,
                });
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn due(pupil: &str, kind: NoticeKind, since: &str, days_since: u64) -> Due {
        Due {
            pupil: PupilRef {
                urn: "140101".into(),
                pupil_id: pupil.into(),
                upn: None,
                name: pupil.into(),
                year_group: "9".into(),
            },
            kind,
            due_since: d(since),
            school_days: 10,
            answered_from: d("2026-11-02"),
            what: String::new(),
            mis_notified: false,
            days_since_due: days_since,
        }
    }

    #[test]
    fn a_notification_of_the_same_kind_since_the_matter_began_answers_it() {
        use NoticeKind::*;
        let mut told = Told::new();
        told.insert(
            ("140101".into(), "A".into()),
            vec![
                // Before the run began: an earlier matter.
                (ActionKind::NotifiedCme, d("2026-10-01")),
                (ActionKind::NotifiedCme, d("2026-11-16")),
                (ActionKind::NotifiedCme, d("2026-11-14")),
            ],
        );
        told.insert(
            ("140101".into(), "B".into()),
            // The wrong kind.
            vec![(ActionKind::NotifiedSection19, d("2026-11-16"))],
        );
        let q = queue(
            &[
                due("A", Cme, "2026-11-13", 9),
                due("B", Cme, "2026-11-13", 6),
                due("C", Cme, "2026-11-13", 5),
            ],
            &told,
        );
        let got: Vec<(&str, Option<NaiveDate>, bool)> = q
            .iter()
            .map(|n| (n.due.pupil.pupil_id.as_str(), n.notified_on, n.overdue))
            .collect();
        assert_eq!(
            got,
            vec![
                // Six school days since: overdue; five: not yet.
                ("B", None, true),
                ("C", None, false),
                ("A", Some(d("2026-11-14")), false),
            ]
        );
        assert_eq!(
            counts(&q),
            Counts {
                due: 3,
                overdue: 1,
                notified: 1
            }
        );
    }

    #[test]
    fn the_mis_saying_so_answers_a_timetable() {
        let mut t = due("T", NoticeKind::ReducedTimetable, "2026-09-07", 40);
        t.mis_notified = true;
        let q = queue(&[t], &Told::new());
        assert!(q[0].notified() && !q[0].overdue && q[0].notified_on.is_none());
    }

    #[cfg(feature = "engine")]
    #[test]
    fn keys_round_trip_and_match_the_api() {
        for k in NoticeKind::ALL {
            assert_eq!(NoticeKind::parse(k.key()), Some(k));
            assert_eq!(
                serde_json::to_value(k).unwrap(),
                serde_json::Value::from(k.key())
            );
        }
    }
}
