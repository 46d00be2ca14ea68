//! Case records: what an academy's attendance staff did for a pupil (a letter, a call, a
//! meeting, a notice...), when, with what outcome and what comes next, and the stage of
//! *Working together to improve school attendance* (2024) the case has reached.
//!
//! Cases are written while the server runs, so they live in the accounts store (SQLite,
//! one short transaction a change), not in the warehouse, and they name a pupil by the
//! academy's URN and the MIS pupil id: stable across loads, never a warehouse key. The
//! actions are append-only (a correction is a later entry), and every recording is
//! audited in the same transaction that writes it.
//!
//! The types and rules here build without the `engine` feature (the browser shows the
//! same stages); the store's functions need it.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// Where a case stands, in *Working together*'s order: support first, enforcement only
/// when support has not worked or was not engaged with. The notifications to the local
/// authority are duties, not stages: they leave the stage where it was.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// Nothing recorded this academic year: the school expects and monitors.
    #[default]
    Monitor,
    /// A letter, a call or a visit: listen and understand.
    Understand,
    /// An attendance meeting or a support plan: facilitate support.
    Support,
    /// An attendance contract or an early help referral: formalise support.
    Formalise,
    /// A notice to improve or a penalty notice asked for: enforce.
    Enforce,
}

impl Stage {
    pub const ALL: [Stage; 5] = [
        Stage::Monitor,
        Stage::Understand,
        Stage::Support,
        Stage::Formalise,
        Stage::Enforce,
    ];

    /// As in a URL (`?stage=support`).
    pub fn key(self) -> &'static str {
        match self {
            Stage::Monitor => "monitor",
            Stage::Understand => "understand",
            Stage::Support => "support",
            Stage::Formalise => "formalise",
            Stage::Enforce => "enforce",
        }
    }

    pub fn parse(s: &str) -> Option<Stage> {
        Stage::ALL.into_iter().find(|k| k.key() == s)
    }

    /// As a person reads it, numbered so that a sort by it is in order.
    pub fn label(self) -> &'static str {
        match self {
            Stage::Monitor => "1 Expect and monitor",
            Stage::Understand => "2 Listen and understand",
            Stage::Support => "3 Facilitate support",
            Stage::Formalise => "4 Formalise support",
            Stage::Enforce => "5 Enforce",
        }
    }
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ActionKind {
    Letter,
    PhoneCall,
    HomeVisit,
    /// A Supportive Attendance Meeting.
    Meeting,
    SupportPlan,
    AttendanceContract,
    EarlyHelp,
    NoticeToImprove,
    PenaltyNoticeRequest,
    /// The local authority told: possible child missing education.
    NotifiedCme,
    /// The local authority told: 15 school days of illness in view (section 19).
    NotifiedSection19,
    /// The local authority told: a reduced timetable started or was extended.
    NotifiedReducedTimetable,
}

impl ActionKind {
    pub const ALL: [ActionKind; 12] = [
        ActionKind::Letter,
        ActionKind::PhoneCall,
        ActionKind::HomeVisit,
        ActionKind::Meeting,
        ActionKind::SupportPlan,
        ActionKind::AttendanceContract,
        ActionKind::EarlyHelp,
        ActionKind::NoticeToImprove,
        ActionKind::PenaltyNoticeRequest,
        ActionKind::NotifiedCme,
        ActionKind::NotifiedSection19,
        ActionKind::NotifiedReducedTimetable,
    ];

    /// As stored, in forms and in the API.
    pub fn key(self) -> &'static str {
        match self {
            ActionKind::Letter => "letter",
            ActionKind::PhoneCall => "phone-call",
            ActionKind::HomeVisit => "home-visit",
            ActionKind::Meeting => "meeting",
            ActionKind::SupportPlan => "support-plan",
            ActionKind::AttendanceContract => "attendance-contract",
            ActionKind::EarlyHelp => "early-help",
            ActionKind::NoticeToImprove => "notice-to-improve",
            ActionKind::PenaltyNoticeRequest => "penalty-notice-request",
            ActionKind::NotifiedCme => "la-cme",
            ActionKind::NotifiedSection19 => "la-section19",
            ActionKind::NotifiedReducedTimetable => "la-reduced-timetable",
        }
    }

    pub fn parse(s: &str) -> Option<ActionKind> {
        ActionKind::ALL.into_iter().find(|k| k.key() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            ActionKind::Letter => "Letter sent",
            ActionKind::PhoneCall => "Phone call",
            ActionKind::HomeVisit => "Home visit",
            ActionKind::Meeting => "Supportive attendance meeting",
            ActionKind::SupportPlan => "Support plan agreed",
            ActionKind::AttendanceContract => "Attendance contract",
            ActionKind::EarlyHelp => "Early help referral",
            ActionKind::NoticeToImprove => "Notice to improve",
            ActionKind::PenaltyNoticeRequest => "Penalty notice requested",
            ActionKind::NotifiedCme => "Local authority told: possible child missing education",
            ActionKind::NotifiedSection19 => "Local authority told: illness (section 19)",
            ActionKind::NotifiedReducedTimetable => "Local authority told: reduced timetable",
        }
    }

    /// The stage this action shows the case has reached; `None` for a notification.
    pub fn stage(self) -> Option<Stage> {
        Some(match self {
            ActionKind::Letter | ActionKind::PhoneCall | ActionKind::HomeVisit => Stage::Understand,
            ActionKind::Meeting | ActionKind::SupportPlan => Stage::Support,
            ActionKind::AttendanceContract | ActionKind::EarlyHelp => Stage::Formalise,
            ActionKind::NoticeToImprove | ActionKind::PenaltyNoticeRequest => Stage::Enforce,
            ActionKind::NotifiedCme
            | ActionKind::NotifiedSection19
            | ActionKind::NotifiedReducedTimetable => return None,
        })
    }
}

/// One action on a pupil's case, as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseAction {
    pub id: i64,
    pub urn: String,
    pub pupil_id: String,
    pub kind: ActionKind,
    /// The day it was done.
    pub on: NaiveDate,
    /// Who recorded it: the account's name.
    pub by: String,
    /// Free text, staff only: what came of it.
    pub outcome: String,
    /// Free text, staff only: what is to happen next, and by when.
    pub next_step: String,
    pub next_due: Option<NaiveDate>,
    /// When it was recorded (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    pub recorded_at: String,
}

/// A case at a glance: its stage, its last action and what is due next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct CaseBrief {
    pub stage: Stage,
    pub last: Option<(ActionKind, NaiveDate)>,
    /// The newest action's next step, when it set a date for it.
    pub next_due: Option<NaiveDate>,
    /// `next_due` is before today.
    pub overdue: bool,
    /// Actions this academic year.
    pub actions: usize,
}

/// 1 September of the academic year `on` falls in.
pub fn year_start(on: NaiveDate) -> NaiveDate {
    let year = if on.month() >= 9 {
        on.year()
    } else {
        on.year() - 1
    };
    NaiveDate::from_ymd_opt(year, 9, 1).expect("1 September exists")
}

/// The case of `actions` (one pupil's, any order) on `today`, from this academic year's
/// actions only (a new year's case starts at "expect and monitor", with nothing due
/// from last year): its stage is the furthest any of them reached; its last action the
/// newest; what is due next the next step of the newest action that moved the case on or
/// set a date (a later note that the local authority was told does not answer a review
/// still to come), overdue when that date is before today.
pub fn brief(actions: &[CaseAction], today: NaiveDate) -> CaseBrief {
    let from = year_start(today);
    let this_year: Vec<&CaseAction> = actions.iter().filter(|a| a.on >= from).collect();
    let newest = |keep: &dyn Fn(&CaseAction) -> bool| {
        this_year
            .iter()
            .filter(|a| keep(a))
            .max_by_key(|a| (a.on, a.id))
            .copied()
    };
    let stage = this_year
        .iter()
        .filter_map(|a| a.kind.stage())
        .max()
        .unwrap_or_default();
    let next_due =
        newest(&|a| a.kind.stage().is_some() || a.next_due.is_some()).and_then(|a| a.next_due);
    CaseBrief {
        stage,
        last: newest(&|_| true).map(|a| (a.kind, a.on)),
        next_due,
        overdue: next_due.is_some_and(|d| d < today),
        actions: this_year.len(),
    }
}

/// Pupils by the furthest stage their case reached with actions dated `from` to `to`:
/// `actions` are (pupil, kind, day) of one academy; the counts are of stages 2 to 5
/// ([`Stage::Understand`] .. [`Stage::Enforce`]), a pupil counted once, at the
/// furthest. Pupils with no such action (or only notifications) are not counted.
pub fn reached<'a>(
    actions: impl IntoIterator<Item = (&'a str, ActionKind, NaiveDate)>,
    from: NaiveDate,
    to: NaiveDate,
) -> [u64; 4] {
    let mut furthest: std::collections::HashMap<&str, Stage> = Default::default();
    for (pupil, kind, on) in actions {
        if let Some(stage) = kind.stage().filter(|_| (from..=to).contains(&on)) {
            let s = furthest.entry(pupil).or_insert(stage);
            *s = (*s).max(stage);
        }
    }
    let mut counts = [0; 4];
    for stage in furthest.into_values() {
        counts[stage as usize - 1] += 1;
    }
    counts
}

/// An action without its text: (pupil id, kind, day).
pub type Dated = (String, ActionKind, NaiveDate);

/// Longest free text kept in an action (characters).
pub const MAX_TEXT: usize = 2000;

/// An action to record, as a form sends it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct NewAction {
    pub urn: String,
    pub pupil_id: String,
    /// [`ActionKind::key`].
    pub kind: String,
    /// `YYYY-MM-DD`.
    pub on: String,
    pub outcome: String,
    pub next_step: String,
    /// `YYYY-MM-DD`, or empty.
    pub next_due: String,
}

/// A [`NewAction`] checked: what is wrong with it, in words a person can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub kind: ActionKind,
    pub on: NaiveDate,
    pub outcome: String,
    pub next_step: String,
    pub next_due: Option<NaiveDate>,
}

impl NewAction {
    /// Checks the action on `today`: a known kind, a date neither in the future nor
    /// before 2000, a next step due on or after it, text within [`MAX_TEXT`].
    pub fn check(&self, today: NaiveDate) -> Result<Checked, String> {
        let kind = ActionKind::parse(self.kind.trim())
            .ok_or_else(|| format!("\"{}\" is not a kind of action", self.kind))?;
        let date = |field: &str, s: &str| {
            NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                .map_err(|_| format!("{field}: \"{s}\" is not a date (YYYY-MM-DD)"))
        };
        let on = date("the date", &self.on)?;
        if on > today {
            return Err(format!("the date {on} is after today ({today})"));
        }
        if on.year() < 2000 {
            return Err(format!("the date {on} is before 2000"));
        }
        let next_due = match self.next_due.trim() {
            "" => None,
            s => Some(date("next step due", s)?),
        };
        if let Some(due) = next_due.filter(|d| *d < on) {
            return Err(format!(
                "the next step is due ({due}) before the action ({on})"
            ));
        }
        let text = |field: &str, s: &str| {
            let s = s.trim();
            if s.chars().count() > MAX_TEXT {
                Err(format!("{field} is longer than {MAX_TEXT} characters"))
            } else {
                Ok(s.to_string())
            }
        };
        let next_step = text("the next step", &self.next_step)?;
        if next_due.is_some() && next_step.is_empty() {
            return Err("a next step with a date needs saying what it is".into());
        }
        Ok(Checked {
            kind,
            on,
            outcome: text("the outcome", &self.outcome)?,
            next_step,
            next_due,
        })
    }
}

#[cfg(feature = "engine")]
pub use store::*;

#[cfg(feature = "engine")]
mod store {
    use std::collections::HashMap;

    use rusqlite::{params, Connection};

    use super::*;
    use crate::accounts::AccountError;
    use crate::types::{Principal, Role};

    /// May `who` record actions on the cases of the academy `urn`? Staff of that
    /// academy only: the trust reads every case, and writes none.
    pub fn may_record(who: &Principal, urn: &str) -> bool {
        who.role == Role::Academy && who.academies.iter().any(|a| a == urn)
    }

    /// Records `action`, checked, on the pupil's case, and the audit entry for it, in one
    /// transaction; the new action's id. The caller has made sure the academy has the
    /// pupil.
    pub fn record(
        conn: &mut Connection,
        who: &Principal,
        urn: &str,
        pupil_id: &str,
        action: &Checked,
    ) -> Result<i64, AccountError> {
        let ids = record_many(conn, who, urn, &[(pupil_id.to_string(), action.clone())])?;
        Ok(ids[0])
    }

    /// Records each (pupil id, action) at the academy `urn`, each with its audit entry,
    /// all in one transaction (all or none); the new actions' ids in order.
    pub fn record_many(
        conn: &mut Connection,
        who: &Principal,
        urn: &str,
        actions: &[(String, Checked)],
    ) -> Result<Vec<i64>, AccountError> {
        if !may_record(who, urn) {
            return Err(AccountError::Invalid(format!(
                "{} may not record actions at {urn}",
                who.actor
            )));
        }
        let tx = conn.transaction()?;
        let mut ids = Vec::with_capacity(actions.len());
        for (pupil_id, action) in actions {
            tx.execute(
                "INSERT INTO case_actions (urn, pupil_id, kind, done_on, recorded_by, by_name,
                                           outcome, next_step, next_due)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                params![
                    urn,
                    pupil_id,
                    action.kind.key(),
                    action.on.to_string(),
                    who.actor,
                    who.name,
                    action.outcome,
                    action.next_step,
                    action.next_due.map(|d| d.to_string())
                ],
            )?;
            let id = tx.last_insert_rowid();
            crate::accounts::audit(
                &tx,
                who,
                "record action",
                &format!(
                    "pupil {pupil_id} at {urn}: {} on {} (action {id})",
                    action.kind.key(),
                    action.on
                ),
            )?;
            ids.push(id);
        }
        tx.commit()?;
        Ok(ids)
    }

    const COLUMNS: &str = "action_id, urn, pupil_id, kind, done_on, by_name, outcome,
        next_step, next_due, recorded_at";

    /// A `YYYY-MM-DD` column as a date.
    fn date(r: &rusqlite::Row<'_>, i: usize) -> rusqlite::Result<Option<NaiveDate>> {
        let s: Option<String> = r.get(i)?;
        s.map(|s| {
            NaiveDate::parse_from_str(&s, "%Y-%m-%d").map_err(|e| {
                rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
            })
        })
        .transpose()
    }

    fn action(r: &rusqlite::Row<'_>) -> rusqlite::Result<CaseAction> {
        let kind: String = r.get(3)?;
        Ok(CaseAction {
            id: r.get(0)?,
            urn: r.get(1)?,
            pupil_id: r.get(2)?,
            kind: ActionKind::parse(&kind).ok_or_else(|| {
                rusqlite::Error::FromSqlConversionFailure(
                    3,
                    rusqlite::types::Type::Text,
                    format!("unknown action kind {kind:?}").into(),
                )
            })?,
            on: date(r, 4)?.ok_or(rusqlite::Error::InvalidColumnType(
                4,
                "done_on".into(),
                rusqlite::types::Type::Null,
            ))?,
            by: r.get(5)?,
            outcome: r.get(6)?,
            next_step: r.get(7)?,
            next_due: date(r, 8)?,
            recorded_at: r.get(9)?,
        })
    }

    /// One pupil's actions, oldest first.
    pub fn actions(
        conn: &Connection,
        urn: &str,
        pupil_id: &str,
    ) -> Result<Vec<CaseAction>, AccountError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM case_actions WHERE urn = ? AND pupil_id = ?
             ORDER BY done_on, action_id"
        ))?;
        let rows = stmt.query_map(params![urn, pupil_id], action)?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Every notification to the local authority the cases of the academies `urns`
    /// (every academy when empty) record, by (URN, pupil id): its kind and day.
    pub fn told(
        conn: &Connection,
        urns: &[String],
    ) -> Result<crate::notifications::Told, AccountError> {
        let mut stmt = conn.prepare_cached(
            "SELECT urn, pupil_id, kind, done_on FROM case_actions
             WHERE kind IN ('la-cme', 'la-section19', 'la-reduced-timetable')
               AND (?1 = '' OR urn IN (SELECT value FROM json_each(?1)))",
        )?;
        let mut out = crate::notifications::Told::new();
        let rows = stmt.query_map(params![urns_filter(urns)], |r| {
            let kind: String = r.get(2)?;
            Ok((
                (r.get::<_, String>(0)?, r.get::<_, String>(1)?),
                ActionKind::parse(&kind),
                date(r, 3)?,
            ))
        })?;
        for row in rows {
            if let (key, Some(kind), Some(on)) = row? {
                out.entry(key).or_default().push((kind, on));
            }
        }
        Ok(out)
    }

    /// Every action dated `from` to `to` at the academies `urns` (every academy when
    /// empty), by URN: (pupil id, kind, day). No free text.
    pub fn dated(
        conn: &Connection,
        urns: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<String, Vec<Dated>>, AccountError> {
        let mut stmt = conn.prepare_cached(
            "SELECT urn, pupil_id, kind, done_on FROM case_actions
             WHERE done_on BETWEEN ?2 AND ?3
               AND (?1 = '' OR urn IN (SELECT value FROM json_each(?1)))
             ORDER BY urn, done_on, action_id",
        )?;
        let rows = stmt.query_map(
            params![urns_filter(urns), from.to_string(), to.to_string()],
            |r| {
                let kind: String = r.get(2)?;
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    ActionKind::parse(&kind),
                    date(r, 3)?,
                ))
            },
        )?;
        let mut by_academy: HashMap<String, Vec<(String, ActionKind, NaiveDate)>> = HashMap::new();
        for row in rows {
            if let (urn, pupil, Some(kind), Some(on)) = row? {
                by_academy.entry(urn).or_default().push((pupil, kind, on));
            }
        }
        Ok(by_academy)
    }

    /// Each academy's pupils by the furthest stage reached from `from` to `to` (see
    /// [`reached`]), for the academies `urns` (every academy when empty).
    pub fn stages_reached(
        conn: &Connection,
        urns: &[String],
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<String, [u64; 4]>, AccountError> {
        Ok(dated(conn, urns, from, to)?
            .into_iter()
            .map(|(urn, actions)| {
                let counts = reached(
                    actions.iter().map(|(p, k, on)| (p.as_str(), *k, *on)),
                    from,
                    to,
                );
                (urn, counts)
            })
            .collect())
    }

    /// `urns` as the queries above filter by them: a JSON array, or empty for every
    /// academy.
    fn urns_filter(urns: &[String]) -> String {
        if urns.is_empty() {
            String::new()
        } else {
            serde_json::to_string(urns).expect("strings serialise")
        }
    }

    /// Every case of the academies `urns` (every academy when empty) at a glance, by
    /// (URN, pupil id), on `today`.
    pub fn briefs(
        conn: &Connection,
        urns: &[String],
        today: NaiveDate,
    ) -> Result<HashMap<(String, String), CaseBrief>, AccountError> {
        let mut stmt = conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM case_actions
             WHERE ?1 = '' OR urn IN (SELECT value FROM json_each(?1))
             ORDER BY urn, pupil_id"
        ))?;
        let filter = urns_filter(urns);
        let mut by_case: HashMap<(String, String), Vec<CaseAction>> = HashMap::new();
        for a in stmt.query_map(params![filter], action)? {
            let a = a?;
            by_case
                .entry((a.urn.clone(), a.pupil_id.clone()))
                .or_default()
                .push(a);
        }
        Ok(by_case
            .into_iter()
            .map(|(k, actions)| (k, brief(&actions, today)))
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn act(id: i64, kind: ActionKind, on: &str, due: Option<&str>) -> CaseAction {
        CaseAction {
            id,
            urn: "140101".into(),
            pupil_id: "P1".into(),
            kind,
            on: d(on),
            by: "Staff".into(),
            outcome: String::new(),
            next_step: due.map(|_| "review".to_string()).unwrap_or_default(),
            next_due: due.map(d),
            recorded_at: String::new(),
        }
    }

    #[test]
    fn a_case_with_nothing_recorded_is_monitored() {
        let b = brief(&[], d("2026-11-20"));
        assert_eq!(b, CaseBrief::default());
        assert_eq!(b.stage, Stage::Monitor);
    }

    #[test]
    fn the_stage_is_the_furthest_this_year_and_notifications_leave_it() {
        use ActionKind::*;
        let today = d("2026-11-20");
        let acts = [
            // Last academic year's notice does not carry over.
            act(1, NoticeToImprove, "2026-06-10", None),
            act(2, Letter, "2026-09-15", None),
            act(3, Meeting, "2026-10-01", Some("2026-10-15")),
            act(4, PhoneCall, "2026-10-20", None),
            act(5, NotifiedCme, "2026-11-02", None),
        ];
        let b = brief(&acts, today);
        assert_eq!(b.stage, Stage::Support);
        assert_eq!(b.actions, 4);
        assert_eq!(b.last, Some((NotifiedCme, d("2026-11-02"))));
        // The newest step on (the call) set no next step: nothing is due; the meeting's
        // review was answered by the call.
        assert_eq!(b.next_due, None);
        assert!(!b.overdue);
        // On the last day of the academic year the June notice is this year's.
        assert_eq!(brief(&acts[..1], d("2026-08-31")).stage, Stage::Enforce);
        assert_eq!(brief(&acts[..1], d("2026-09-01")).stage, Stage::Monitor);
    }

    #[test]
    fn the_newest_action_says_what_is_due_and_it_is_overdue_the_day_after() {
        use ActionKind::*;
        let acts = [
            act(1, Meeting, "2026-10-01", Some("2026-10-15")),
            act(2, SupportPlan, "2026-10-05", Some("2026-11-19")),
        ];
        let on_the_day = brief(&acts, d("2026-11-19"));
        assert_eq!(on_the_day.next_due, Some(d("2026-11-19")));
        assert!(!on_the_day.overdue);
        assert!(brief(&acts, d("2026-11-20")).overdue);
        // Two on the same day: the later recorded one is the newer.
        let same_day = [
            act(7, Meeting, "2026-10-05", None),
            act(3, SupportPlan, "2026-10-05", Some("2026-12-01")),
        ];
        assert_eq!(brief(&same_day, d("2026-11-20")).next_due, None);
        assert_eq!(
            brief(&same_day, d("2026-11-20")).last,
            Some((Meeting, d("2026-10-05")))
        );
    }

    #[test]
    fn a_notification_leaves_the_review_due_and_a_new_year_starts_clean() {
        use ActionKind::*;
        let acts = [
            act(1, Meeting, "2026-06-10", Some("2026-07-20")),
            act(2, SupportPlan, "2026-07-01", Some("2026-07-15")),
            act(3, NotifiedSection19, "2026-07-10", None),
        ];
        // Still 2025/26: the plan's review is due, and overdue the day after.
        let july = brief(&acts, d("2026-07-16"));
        assert_eq!(july.last, Some((NotifiedSection19, d("2026-07-10"))));
        assert_eq!(july.next_due, Some(d("2026-07-15")));
        assert!(july.overdue);
        // 2026/27: nothing recorded yet this year, nothing carried over.
        assert_eq!(brief(&acts, d("2026-09-01")), CaseBrief::default());
        // A notification that sets a date of its own is what is due.
        let mut with_date = acts.to_vec();
        with_date.push(act(4, NotifiedCme, "2026-07-12", Some("2026-07-30")));
        assert_eq!(
            brief(&with_date, d("2026-07-16")).next_due,
            Some(d("2026-07-30"))
        );
    }

    #[test]
    fn pupils_are_counted_once_at_the_furthest_stage_in_the_dates() {
        use ActionKind::*;
        let acts = [
            ("A", Letter, d("2025-09-10")),
            ("A", Meeting, d("2025-10-01")),
            // Outside the dates: not counted.
            ("A", NoticeToImprove, d("2026-01-10")),
            ("B", PhoneCall, d("2025-12-19")),
            ("C", EarlyHelp, d("2025-09-01")),
            ("C", PhoneCall, d("2025-09-02")),
            // A notification alone is no stage.
            ("D", NotifiedCme, d("2025-10-01")),
            ("E", PenaltyNoticeRequest, d("2025-08-31")),
        ];
        let counts = reached(acts, d("2025-09-01"), d("2025-12-19"));
        // Understand: B; support: A; formalise: C; enforce: none.
        assert_eq!(counts, [1, 1, 1, 0]);
    }

    #[test]
    fn keys_and_labels_round_trip() {
        for k in ActionKind::ALL {
            assert_eq!(ActionKind::parse(k.key()), Some(k));
        }
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.key()), Some(s));
        }
        let mut labels: Vec<_> = Stage::ALL.iter().map(|s| s.label()).collect();
        labels.sort();
        assert_eq!(labels, Stage::ALL.map(|s| s.label()));
    }

    #[test]
    fn a_new_action_is_checked_with_reasons() {
        let today = d("2026-11-20");
        let ok = NewAction {
            urn: "140101".into(),
            pupil_id: "P1".into(),
            kind: "meeting".into(),
            on: "2026-11-20".into(),
            outcome: " Parent attended ".into(),
            next_step: "Review".into(),
            next_due: "2026-12-04".into(),
        };
        let c = ok.check(today).unwrap();
        assert_eq!(c.kind, ActionKind::Meeting);
        assert_eq!(c.outcome, "Parent attended");
        assert_eq!(c.next_due, Some(d("2026-12-04")));
        let wrong = |f: fn(&mut NewAction), says: &str| {
            let mut a = ok.clone();
            f(&mut a);
            let e = a.check(today).unwrap_err();
            assert!(e.contains(says), "{e}");
        };
        wrong(|a| a.kind = "lunch".into(), "\"lunch\" is not a kind");
        wrong(
            |a| a.on = "20/11/2026".into(),
            "\"20/11/2026\" is not a date",
        );
        wrong(|a| a.on = "2026-11-21".into(), "after today");
        wrong(|a| a.on = "1999-12-31".into(), "before 2000");
        wrong(|a| a.next_due = "2026-11-19".into(), "before the action");
        wrong(|a| a.next_step = String::new(), "needs saying what it is");
        wrong(|a| a.outcome = "x".repeat(MAX_TEXT + 1), "longer than 2000");
        let mut no_next = ok.clone();
        no_next.next_step.clear();
        no_next.next_due.clear();
        assert_eq!(no_next.check(today).unwrap().next_due, None);
    }
}
