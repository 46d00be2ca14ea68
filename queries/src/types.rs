//! Result types shared by the warehouse and the web app (no DuckDB needed).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// One academy's loaded data, for the home page and `rollcall status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcademyStatus {
    pub urn: String,
    pub name: String,
    pub phase: String,
    pub local_authority: String,
    pub source_system: String,
    pub pupils: u64,
    pub marks: u64,
    pub first_mark: Option<String>,
    pub last_mark: Option<String>,
    /// The newest extract received (UTC), loaded or not.
    pub last_extracted_at: Option<String>,
    pub last_status: Option<String>,
    pub last_window_from: Option<String>,
    pub last_window_to: Option<String>,
    pub last_rows_loaded: Option<u64>,
    pub last_rows_rejected: Option<u64>,
    pub loads: u64,
    pub rejected_loads: u64,
}

/// Absence figures for one phase (or `all`) in one academic year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseSummary {
    /// The calendar year the academic year starts in.
    pub academic_year: i32,
    pub phase: String,
    pub enrolments: u64,
    pub absence_rate: f64,
    pub pa_rate: f64,
    pub sa_rate: f64,
}

/// Session counts for one group of enrolments (an academy, the trust, a cohort), with
/// the rates computed from them. Rates are percentages, unrounded.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    pub enrolments: u64,
    pub possible_sessions: u64,
    pub attending_sessions: u64,
    pub authorised_sessions: u64,
    pub unauthorised_sessions: u64,
    pub pa_enrolments: u64,
    pub sa_enrolments: u64,
    /// Counts withheld from this viewer (small, or giving a small one away): zero here,
    /// their rates none (shown as x).
    #[serde(default, skip_serializing_if = "Withheld::is_none")]
    pub withheld: Withheld,
}

/// Which of a [`Figures`]' pupil counts are withheld from the viewer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Withheld {
    /// Everything: the group is too small to show (or would give a small one away).
    pub all: bool,
    pub pa: bool,
    pub sa: bool,
}

impl Withheld {
    pub fn is_none(&self) -> bool {
        !self.all && !self.pa && !self.sa
    }
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

impl Figures {
    /// Figures withheld whole: no counts, no rates.
    pub fn withheld() -> Figures {
        Figures {
            withheld: Withheld {
                all: true,
                pa: true,
                sa: true,
            },
            ..Figures::default()
        }
    }

    /// Were any of these figures withheld from the viewer?
    pub fn is_withheld(&self) -> bool {
        !self.withheld.is_none()
    }

    pub fn absent_sessions(&self) -> u64 {
        self.authorised_sessions + self.unauthorised_sessions
    }
    pub fn attendance_rate(&self) -> Option<f64> {
        // Withheld figures hold no sessions, so every session rate is none.
        pct(self.attending_sessions, self.possible_sessions)
    }
    pub fn absence_rate(&self) -> Option<f64> {
        pct(self.absent_sessions(), self.possible_sessions)
    }
    pub fn authorised_rate(&self) -> Option<f64> {
        pct(self.authorised_sessions, self.possible_sessions)
    }
    pub fn unauthorised_rate(&self) -> Option<f64> {
        pct(self.unauthorised_sessions, self.possible_sessions)
    }
    pub fn pa_rate(&self) -> Option<f64> {
        pct(self.pa_enrolments, self.enrolments).filter(|_| !self.withheld.pa)
    }
    pub fn sa_rate(&self) -> Option<f64> {
        pct(self.sa_enrolments, self.enrolments).filter(|_| !self.withheld.sa)
    }
}

/// An academy as the figures show it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AcademyRef {
    pub urn: String,
    pub name: String,
    pub phase: String,
    pub local_authority: String,
}

/// One group's figures (a cohort value, a year group ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GroupFigures {
    pub group: String,
    pub figures: Figures,
}

/// Published figures to compare with: England, a region or a local authority.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Benchmark {
    /// "England", "East of England", "Bedford" ...
    pub area: String,
    /// national, regional, local-authority
    pub level: String,
    /// Primary, Secondary, Special, Total
    pub phase: String,
    pub period: String,
    pub absence_rate: Option<f64>,
    pub authorised_rate: Option<f64>,
    pub unauthorised_rate: Option<f64>,
    pub pa_rate: Option<f64>,
    pub source: String,
}

/// One week's absence for a trend chart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeekPoint {
    /// Monday of the week.
    pub week: chrono::NaiveDate,
    pub possible_sessions: u64,
    pub absent_sessions: u64,
}

impl WeekPoint {
    pub fn absence_rate(&self) -> Option<f64> {
        pct(self.absent_sessions, self.possible_sessions)
    }
}

/// Which pupils a figure covers.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Everyone on roll, reception and sixth form included.
    #[default]
    All,
    /// DfE's national scope: ages 5-15 on 31 August at the start of the year, with
    /// 15-year-olds' sessions in the second half of the summer term removed.
    Dfe,
}

impl Scope {
    pub fn parse(s: &str) -> Option<Scope> {
        match s {
            "all" => Some(Scope::All),
            "dfe" => Some(Scope::Dfe),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scope::All => "all",
            Scope::Dfe => "dfe",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Scope::All => "All on roll",
            Scope::Dfe => "DfE comparable (ages 5-15)",
        }
    }

    pub fn dfe(self) -> bool {
        self == Scope::Dfe
    }
}

/// A pupil characteristic to group by.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Sex,
    YearGroup,
    KeyStage,
    SenProvision,
    Fsm,
    Eal,
    Ethnicity,
    LookedAfter,
}

impl Dimension {
    pub const ALL: [Dimension; 8] = [
        Dimension::Sex,
        Dimension::YearGroup,
        Dimension::KeyStage,
        Dimension::SenProvision,
        Dimension::Fsm,
        Dimension::Eal,
        Dimension::Ethnicity,
        Dimension::LookedAfter,
    ];

    /// The name in URLs, the API and SQL.
    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Sex => "sex",
            Dimension::YearGroup => "year_group",
            Dimension::KeyStage => "key_stage",
            Dimension::SenProvision => "sen_provision",
            Dimension::Fsm => "fsm",
            Dimension::Eal => "eal",
            Dimension::Ethnicity => "ethnicity",
            Dimension::LookedAfter => "looked_after",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }

    /// What a person calls it.
    pub fn label(self) -> &'static str {
        match self {
            Dimension::Sex => "Sex",
            Dimension::YearGroup => "Year group",
            Dimension::KeyStage => "Key stage",
            Dimension::SenProvision => "SEN provision",
            Dimension::Fsm => "Free school meals",
            Dimension::Eal => "English as an additional language",
            Dimension::Ethnicity => "Ethnicity",
            Dimension::LookedAfter => "Looked after",
        }
    }

    /// Every group this dimension can have, in reading order (ethnicity: DfE's major
    /// groups).
    pub fn groups(self) -> &'static [&'static str] {
        match self {
            Dimension::Sex => &["F", "M"],
            Dimension::YearGroup => &[
                "N1", "N2", "R", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
                "13",
            ],
            Dimension::KeyStage => &["EY", "KS1", "KS2", "KS3", "KS4", "KS5"],
            Dimension::SenProvision => &["N", "K", "E"],
            Dimension::Fsm | Dimension::Eal => &["Y", "N"],
            Dimension::Ethnicity => &[
                "White",
                "Mixed",
                "Asian",
                "Black",
                "Chinese",
                "Any other ethnic group",
                "Unclassified",
            ],
            Dimension::LookedAfter => &["Y", "N", "U"],
        }
    }

    /// A group's place in reading order (unknown groups last).
    pub fn order(self, group: &str) -> usize {
        self.groups()
            .iter()
            .position(|g| *g == group)
            .unwrap_or(usize::MAX)
    }

    /// What a person calls a group of this dimension ("FSM", "EHC plan", "Year 10").
    pub fn group_label(self, group: &str) -> String {
        let fixed = match (self, group) {
            (Dimension::Sex, "F") => "Girls",
            (Dimension::Sex, "M") => "Boys",
            (Dimension::YearGroup, "R") => "Reception",
            (Dimension::YearGroup, "N1") => "Nursery (N1)",
            (Dimension::YearGroup, "N2") => "Nursery (N2)",
            (Dimension::YearGroup, y) => return format!("Year {y}"),
            (Dimension::KeyStage, "EY") => "Early years",
            (Dimension::KeyStage, ks) => return ks.to_string(),
            (Dimension::SenProvision, "N") => "No SEN",
            (Dimension::SenProvision, "K") => "SEN support",
            (Dimension::SenProvision, "E") => "EHC plan",
            (Dimension::Fsm, "Y") => "FSM",
            (Dimension::Fsm, "N") => "Not FSM",
            (Dimension::Eal, "Y") => "EAL",
            (Dimension::Eal, "N") => "Not EAL",
            (Dimension::LookedAfter, "Y") => "Looked after",
            (Dimension::LookedAfter, "N") => "Not looked after",
            (Dimension::LookedAfter, "U") => "Not recorded",
            (_, other) => return other.to_string(),
        };
        fixed.to_string()
    }
}

/// Which pupils a cohort view keeps: for each dimension, one group or any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CohortFilter {
    pub sex: Option<String>,
    pub year_group: Option<String>,
    pub key_stage: Option<String>,
    pub sen_provision: Option<String>,
    pub fsm: Option<String>,
    pub eal: Option<String>,
    pub ethnicity: Option<String>,
    pub looked_after: Option<String>,
}

impl CohortFilter {
    /// The group kept for `d`, if any.
    pub fn get(&self, d: Dimension) -> Option<&str> {
        match d {
            Dimension::Sex => self.sex.as_deref(),
            Dimension::YearGroup => self.year_group.as_deref(),
            Dimension::KeyStage => self.key_stage.as_deref(),
            Dimension::SenProvision => self.sen_provision.as_deref(),
            Dimension::Fsm => self.fsm.as_deref(),
            Dimension::Eal => self.eal.as_deref(),
            Dimension::Ethnicity => self.ethnicity.as_deref(),
            Dimension::LookedAfter => self.looked_after.as_deref(),
        }
    }

    /// Keeps only group `g` of `d` (or any, with `None`). A value that is not one of
    /// the dimension's groups is an error naming it.
    pub fn set(&mut self, d: Dimension, g: Option<String>) -> Result<(), String> {
        if let Some(v) = &g {
            if !d.groups().contains(&v.as_str()) {
                return Err(format!(
                    "\"{v}\" is not a {} group ({})",
                    d.as_str(),
                    d.groups().join(", ")
                ));
            }
        }
        let slot = match d {
            Dimension::Sex => &mut self.sex,
            Dimension::YearGroup => &mut self.year_group,
            Dimension::KeyStage => &mut self.key_stage,
            Dimension::SenProvision => &mut self.sen_provision,
            Dimension::Fsm => &mut self.fsm,
            Dimension::Eal => &mut self.eal,
            Dimension::Ethnicity => &mut self.ethnicity,
            Dimension::LookedAfter => &mut self.looked_after,
        };
        *slot = g;
        Ok(())
    }

    pub fn is_empty(&self) -> bool {
        Dimension::ALL.iter().all(|d| self.get(*d).is_none())
    }

    /// "Year 10, FSM, Girls", or "All pupils".
    pub fn describe(&self) -> String {
        let parts: Vec<String> = Dimension::ALL
            .iter()
            .filter_map(|d| self.get(*d).map(|g| d.group_label(g)))
            .collect();
        if parts.is_empty() {
            "All pupils".into()
        } else {
            parts.join(", ")
        }
    }
}

/// One cohort's figures at one academy (or the trust, `urn` None).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CohortRow {
    /// None: everyone the filter keeps.
    pub dimension: Option<Dimension>,
    pub urn: Option<String>,
    pub group: String,
    pub figures: Figures,
}

/// What an account may see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// All academies, pupil level; manages users and tokens.
    Trust,
    /// A principal or attendance staff: their academies, pupil level.
    Academy,
    /// Their academy or the trust: aggregates only, small numbers suppressed.
    Governor,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Trust => "trust",
            Role::Academy => "academy",
            Role::Governor => "governor",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        [Role::Trust, Role::Academy, Role::Governor]
            .into_iter()
            .find(|r| r.as_str() == s)
    }
}

/// Who is asking: a signed-in user or an API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    /// The user's email, or `token:ID`.
    pub actor: String,
    pub name: String,
    pub role: Role,
    /// The academies (URNs) this principal is limited to; empty means the whole trust.
    pub academies: Vec<String>,
}

impl Principal {
    /// May this principal see figures for the academy `urn`?
    pub fn sees_academy(&self, urn: &str) -> bool {
        self.academies.is_empty() || self.academies.iter().any(|a| a == urn)
    }

    /// May this principal see pupil-level data (names, UPNs, pupil rows)?
    pub fn sees_pupils(&self) -> bool {
        self.role != Role::Governor
    }

    /// May this principal see the trust's totals?
    pub fn sees_trust(&self) -> bool {
        self.role == Role::Trust || self.academies.is_empty() || self.role == Role::Academy
    }

    /// What this principal may see, with the trust's small-number `threshold`.
    pub fn visibility(&self, threshold: u64) -> Visibility {
        let mut academies = self.academies.clone();
        academies.sort();
        academies.dedup();
        Visibility {
            academies,
            pupils: self.sees_pupils(),
            suppress_below: (!self.sees_pupils()).then_some(threshold),
        }
    }
}

/// What a principal may see, worked out once per request from the principal and the
/// trust's threshold: which academies, pupil level or aggregates only, and the
/// small-number threshold. It holds nothing about who the viewer is beyond that, so two
/// viewers who may see the same share results, and no others do.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Visibility {
    /// The academies (URNs, sorted) the viewer is limited to; empty: the whole trust.
    pub academies: Vec<String>,
    /// Pupil-level data (names, UPNs, pupils' rows), or aggregates only.
    pub pupils: bool,
    /// Aggregates-only viewers: counts of 1 to this minus one are hidden, with whatever
    /// would reveal them. `None` for roles that see pupils.
    pub suppress_below: Option<u64>,
}

impl Visibility {
    /// The whole trust, pupil level: what the loader, the bench and the trust role see.
    pub fn everything() -> Self {
        Visibility {
            academies: Vec::new(),
            pupils: true,
            suppress_below: None,
        }
    }

    /// May the viewer see figures for the academy `urn`?
    pub fn sees_academy(&self, urn: &str) -> bool {
        self.academies.is_empty() || self.academies.iter().any(|a| a == urn)
    }

    /// May the viewer see pupil-level data?
    pub fn sees_pupils(&self) -> bool {
        self.pupils
    }

    /// May the viewer see the pupils of `academy`, or (`None`) of every academy they
    /// see? The rule of every pupil-level list, queue and export.
    pub fn sees_pupils_at(&self, academy: Option<&str>) -> bool {
        self.pupils && academy.is_none_or(|a| self.sees_academy(a))
    }

    /// May the viewer see the trust's totals (everyone but a governor of one academy)?
    pub fn sees_trust(&self) -> bool {
        self.pupils || self.academies.is_empty()
    }

    /// The threshold to suppress below, for aggregates-only viewers.
    pub fn threshold(&self) -> Option<u64> {
        self.suppress_below
    }
}

/// Which audit entries to show: each part that is set narrows them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AuditFilter {
    /// The person (an email) or token (`token:ID`), exactly.
    pub actor: Option<String>,
    /// Text in what was viewed or changed: an academy's URN, a pupil's id.
    pub subject: Option<String>,
    /// From this day (`YYYY-MM-DD`, UTC), inclusive.
    pub from: Option<String>,
    /// To this day, inclusive.
    pub to: Option<String>,
}

/// One line of the audit log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub at: String,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub subject: String,
}

/// A pupil as pupil-level lists show them (for roles that see pupils).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PupilRef {
    pub urn: String,
    pub pupil_id: String,
    pub upn: Option<String>,
    pub name: String,
    pub year_group: String,
}

/// An alternative-provision placement and how it is going.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Placement {
    pub pupil: PupilRef,
    pub academy_name: String,
    pub provider: String,
    pub provider_urn: Option<String>,
    /// `school` (code `B`) or `local-authority` (code `K`).
    pub arranged_by: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub sessions_per_week: u8,
    pub last_contact_date: Option<NaiveDate>,
    /// The academy's latest loaded day: what "now" means for it.
    pub as_of: NaiveDate,
    /// From the start to the end (or `as_of`): sessions at the provision (`B`/`K`),
    /// absent, and possible in all.
    pub ap_sessions: u64,
    pub absent_sessions: u64,
    pub possible_sessions: u64,
    /// School days (days the pupil had a possible session) after the last welfare
    /// contact (or from the start when none is recorded) up to `as_of`.
    pub school_days_since_contact: u64,
}

impl Placement {
    pub fn active(&self) -> bool {
        self.start_date <= self.as_of && self.end_date.is_none_or(|e| e >= self.as_of)
    }

    /// Attendance while placed: sessions at the provision against those and the
    /// absences over the placement.
    pub fn attendance_rate(&self) -> Option<f64> {
        let of = self.ap_sessions + self.absent_sessions;
        (of > 0).then(|| 100.0 * self.ap_sessions as f64 / of as f64)
    }

    /// Welfare contact overdue: an active placement more than `limit` school days
    /// since the last contact.
    pub fn contact_overdue(&self, limit: u64) -> bool {
        self.active() && self.school_days_since_contact > limit
    }

    /// What needs action, in words.
    pub fn flags(&self, limit: u64) -> Vec<String> {
        let mut out = Vec::new();
        if self.contact_overdue(limit) {
            out.push(format!(
                "welfare contact overdue ({} school days)",
                self.school_days_since_contact
            ));
        }
        if self.active() && self.last_contact_date.is_none() {
            out.push("no welfare contact recorded".into());
        }
        if self.attendance_rate().is_some_and(|r| r < 90.0) {
            out.push("attendance at provision below 90%".into());
        }
        out
    }
}

/// A reduced (part-time) timetable and what needs doing about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Timetable {
    pub pupil: PupilRef,
    pub academy_name: String,
    pub start_date: NaiveDate,
    pub planned_end_date: NaiveDate,
    pub next_review_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub sessions_per_week: u8,
    pub reason: Option<String>,
    pub parents_agreed: bool,
    pub la_notified: bool,
    pub as_of: NaiveDate,
    /// `C2` sessions from the start to the end (or `as_of`).
    pub c2_sessions: u64,
}

impl Timetable {
    pub fn active(&self) -> bool {
        self.start_date <= self.as_of && self.end_date.is_none_or(|e| e >= self.as_of)
    }

    /// Whole weeks from the start to the end (or `as_of`).
    pub fn weeks(&self) -> i64 {
        let until = self.end_date.unwrap_or(self.as_of).min(self.as_of);
        ((until - self.start_date).num_days() + 1).max(0) / 7
    }

    pub fn planned_end_passed(&self) -> bool {
        self.active() && self.planned_end_date < self.as_of
    }

    pub fn review_overdue(&self) -> bool {
        self.active() && self.next_review_date < self.as_of
    }

    /// What needs doing, in words, for an active timetable.
    pub fn actions(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if !self.active() {
            return out;
        }
        if self.planned_end_passed() {
            out.push("past its planned end");
        }
        if self.review_overdue() {
            out.push("review overdue");
        }
        if !self.parents_agreed {
            out.push("parents' agreement not recorded");
        }
        if !self.la_notified {
            out.push("local authority not notified");
        }
        out
    }
}

/// Registers and records that disagree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mismatch {
    /// `C2` sessions on days no reduced-timetable record covers.
    C2WithoutTimetable,
    /// A reduced-timetable record with no `C2` session so far.
    TimetableWithoutC2,
    /// `B` or `K` sessions on days no placement covers.
    ApSessionsWithoutPlacement,
    /// A placement with no `B` or `K` session so far.
    PlacementWithoutSessions,
}

impl Mismatch {
    pub fn label(self) -> &'static str {
        match self {
            Mismatch::C2WithoutTimetable => "C2 sessions with no reduced-timetable record",
            Mismatch::TimetableWithoutC2 => "Reduced-timetable record with no C2 sessions",
            Mismatch::ApSessionsWithoutPlacement => "B/K sessions with no placement",
            Mismatch::PlacementWithoutSessions => "Placement with no B/K sessions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Inconsistency {
    pub kind: Mismatch,
    pub pupil: PupilRef,
    /// The code(s) concerned and how many sessions, with their first and last dates.
    pub detail: String,
    pub sessions: u64,
    pub first: Option<NaiveDate>,
    pub last: Option<NaiveDate>,
}

/// Attendance that crossed a threshold in the latest school week, or became
/// persistent absence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Crossing {
    pub pupil: PupilRef,
    pub as_of: NaiveDate,
    /// Year to date, now and before the latest school week.
    pub attendance_now: f64,
    pub attendance_before: f64,
    /// The lowest of 95, 93, 90, 80 and 50 that attendance fell below this week.
    pub crossed_below: Option<u8>,
    /// 10% absence or more now, and not before the latest school week.
    pub newly_pa: bool,
    /// 50% absence or more now (severe absence), and not before the latest school week.
    pub newly_sa: bool,
    pub possible: u64,
    pub absent: u64,
}

/// A pupil not yet persistently absent who, at their absence rate over the academy's
/// last few school weeks, would reach 10% by the end of the academic year.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AtRisk {
    pub pupil: PupilRef,
    pub as_of: NaiveDate,
    pub attendance_now: f64,
    pub possible: u64,
    pub absent: u64,
    /// Absence over the academy's last `weeks` school weeks (percent of possible).
    pub recent_absence: f64,
    /// Possible sessions for the whole year: so far, plus two for each of the
    /// academy's remaining school days.
    pub year_sessions: u64,
    /// Attendance at the end of the year if the recent rate goes on.
    pub projected_attendance: f64,
    /// Sessions they can still miss this year and stay under 10% of `year_sessions`.
    pub headroom: u64,
}

/// Who is at risk of persistent absence (the trust config's `at_risk_weeks` and
/// `at_risk_margin`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AtRiskRule {
    /// The recent rate is measured over the academy's last this-many school weeks.
    pub weeks: u64,
    /// Also list pupils projected to within this many percentage points of 10%.
    pub margin: f64,
}

impl Default for AtRiskRule {
    fn default() -> Self {
        AtRiskRule {
            weeks: 4,
            margin: 0.0,
        }
    }
}

impl AtRiskRule {
    /// The projected absence that lists a pupil, in tenths of a percent (100 = 10.0%).
    pub fn threshold_permille(&self) -> u64 {
        ((10.0 - self.margin.clamp(0.0, 10.0)) * 10.0).round() as u64
    }

    /// The rule in words, for the page and the CSV.
    pub fn describe(&self) -> String {
        let reach = if self.margin > 0.0 {
            format!("{:.1}% absence or more", 10.0 - self.margin)
        } else {
            "10% absence (persistent absence)".to_string()
        };
        format!(
            "Not persistently absent yet, but at their absence rate over the academy's last {} school weeks they would reach {reach} by the end of the academic year. The year's sessions are those so far plus two for each school day left (190 in a year, less the days the academy has had). Headroom: the sessions they can still miss and stay under 10%.",
            self.weeks
        )
    }
}

/// Unauthorised absence (G, N, O, U) in a rolling window of 10 school weeks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PenaltyWindow {
    pub pupil: PupilRef,
    pub sessions: u64,
    /// Monday of the window's first school week and Sunday of its last.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The window is the 10 school weeks ending with the latest week loaded.
    pub now: bool,
}

/// Consecutive school days of unexplained or unauthorised absence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingRun {
    pub pupil: PupilRef,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    pub school_days: u64,
    /// Still going on the latest day loaded.
    pub ongoing: bool,
    /// The run's tenth school day: the local authority must be told from then.
    pub notify_from: NaiveDate,
}

/// `N` marks still open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenN {
    pub pupil: PupilRef,
    pub sessions: u64,
    pub oldest: NaiveDate,
    /// School days since the oldest, and since the newest, of them.
    pub oldest_age: u64,
    pub newest_age: u64,
}

/// A certificate: 100% attendance this year, or the most improved this half term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Certificate {
    pub pupil: PupilRef,
    /// `full` (100% this year to date) or `improved` (this half term against the last).
    pub kind: String,
    pub attendance: f64,
    pub before: Option<f64>,
    pub improvement: Option<f64>,
}

/// Every action list at once (`queries::actions::lists`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionLists {
    pub crossings: Vec<Crossing>,
    pub at_risk: Vec<AtRisk>,
    pub penalty_now: Vec<PenaltyWindow>,
    pub penalty_this_year: Vec<PenaltyWindow>,
    pub missing: Vec<MissingRun>,
    pub open_n: Vec<OpenN>,
    pub certificates: Vec<Certificate>,
}

/// The action lists, as pages and the API name them.
pub const ACTION_LISTS: [(&str, &str); 6] = [
    ("thresholds", "Thresholds crossed this week"),
    ("at-risk", "At risk of persistent absence"),
    ("penalty", "Penalty-notice threshold"),
    ("cme", "Possible children missing education"),
    ("open-n", "Unexplained absence still open"),
    ("certificates", "Certificates"),
];

/// One action list as a table: what the page shows and the CSV holds.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ActionTable {
    pub list: String,
    pub title: String,
    /// What puts a pupil on the list.
    pub rule: String,
    pub columns: Vec<String>,
    /// Each row: the pupil and the figures, as text, one per column after the pupil's.
    pub rows: Vec<(PupilRef, Vec<String>)>,
}

impl ActionLists {
    /// Keeps the rows of the academies `keep` says yes to.
    pub fn retain_academies(&mut self, keep: impl Fn(&str) -> bool) {
        self.crossings.retain(|r| keep(&r.pupil.urn));
        self.at_risk.retain(|r| keep(&r.pupil.urn));
        self.penalty_now.retain(|r| keep(&r.pupil.urn));
        self.penalty_this_year.retain(|r| keep(&r.pupil.urn));
        self.missing.retain(|r| keep(&r.pupil.urn));
        self.open_n.retain(|r| keep(&r.pupil.urn));
        self.certificates.retain(|r| keep(&r.pupil.urn));
    }

    /// How many rows each list has, in `ACTION_LISTS` order.
    pub fn counts(&self) -> [usize; 6] {
        let penalty = {
            let mut ids: Vec<&PupilRef> = self
                .penalty_now
                .iter()
                .chain(self.penalty_this_year.iter())
                .map(|w| &w.pupil)
                .collect();
            ids.sort_by(|a, b| (&a.urn, &a.pupil_id).cmp(&(&b.urn, &b.pupil_id)));
            ids.dedup();
            ids.len()
        };
        [
            self.crossings.len(),
            self.at_risk.len(),
            penalty,
            self.missing.len(),
            self.open_n.len(),
            self.certificates.len(),
        ]
    }

    /// One list as a table (`list` one of `ACTION_LISTS`' keys).
    pub fn table(&self, list: &str, at_risk: &AtRiskRule, open_n_days: u64) -> Option<ActionTable> {
        let pct = |v: f64| format!("{v:.1}%");
        let date = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        type Rows = Vec<(PupilRef, Vec<String>)>;
        let (title, rule, columns, rows): (&str, String, Vec<&str>, Rows) =
            match list {
                "thresholds" => (
                    ACTION_LISTS[0].1,
                    "Attendance this academic year fell below 95%, 93%, 90%, 80% or 50% in the latest school week (the lowest shown), or absence reached 10% (persistent absence) or 50% (severe absence) this week.".into(),
                    vec!["Attendance now", "Attendance a week ago", "Fell below", "Newly persistently absent", "Newly severely absent", "Absent sessions", "Possible sessions"],
                    self.crossings
                        .iter()
                        .map(|c| {
                            (
                                c.pupil.clone(),
                                vec![
                                    pct(c.attendance_now),
                                    pct(c.attendance_before),
                                    c.crossed_below.map(|t| format!("{t}%")).unwrap_or_default(),
                                    if c.newly_pa { "yes" } else { "" }.into(),
                                    if c.newly_sa { "yes" } else { "" }.into(),
                                    c.absent.to_string(),
                                    c.possible.to_string(),
                                ],
                            )
                        })
                        .collect(),
                ),
                "at-risk" => (
                    ACTION_LISTS[1].1,
                    at_risk.describe(),
                    vec!["Attendance now", "Absent sessions", "Recent absence", "Projected attendance at year end", "Year's sessions", "Headroom (sessions)"],
                    self.at_risk
                        .iter()
                        .map(|a| {
                            (
                                a.pupil.clone(),
                                vec![
                                    pct(a.attendance_now),
                                    a.absent.to_string(),
                                    pct(a.recent_absence),
                                    pct(a.projected_attendance),
                                    a.year_sessions.to_string(),
                                    a.headroom.to_string(),
                                ],
                            )
                        })
                        .collect(),
                ),
                "penalty" => (
                    ACTION_LISTS[2].1,
                    "10 or more sessions of unauthorised absence (G, N, O, U) in a rolling 10 school weeks: in the 10 school weeks ending with the latest week loaded (now), or in any window ending this academic year. A penalty notice must be considered.".into(),
                    vec!["Window", "Sessions", "From", "To"],
                    self.penalty_now
                        .iter()
                        .map(|w| ("now", w))
                        .chain(self.penalty_this_year.iter().filter(|w| !w.now).map(|w| ("this year", w)))
                        .map(|(which, w)| {
                            (
                                w.pupil.clone(),
                                vec![which.into(), w.sessions.to_string(), date(w.from), date(w.to)],
                            )
                        })
                        .collect(),
                ),
                "cme" => (
                    ACTION_LISTS[3].1,
                    "10 or more consecutive school days on which every session was absence that means the pupil was not in school without permission (G, N, O; not U, a pupil who arrived late) this academic year. The local authority is told after 10 school days.".into(),
                    vec!["First day", "Last day", "School days", "Still going"],
                    self.missing
                        .iter()
                        .map(|r| {
                            (
                                r.pupil.clone(),
                                vec![
                                    date(r.first_day),
                                    date(r.last_day),
                                    r.school_days.to_string(),
                                    if r.ongoing { "yes" } else { "" }.into(),
                                ],
                            )
                        })
                        .collect(),
                ),
                "open-n" => (
                    ACTION_LISTS[4].1,
                    format!("`N` marks (reason not yet provided) still in the registers {open_n_days} or more school days later, for pupils still on roll."),
                    vec!["Sessions", "Oldest", "Oldest, school days ago", "Newest, school days ago"],
                    self.open_n
                        .iter()
                        .map(|o| {
                            (
                                o.pupil.clone(),
                                vec![
                                    o.sessions.to_string(),
                                    date(o.oldest),
                                    o.oldest_age.to_string(),
                                    o.newest_age.to_string(),
                                ],
                            )
                        })
                        .collect(),
                ),
                "certificates" => (
                    ACTION_LISTS[5].1,
                    "100% attendance this academic year to date, and the most improved: attendance this half term at least 5 points above last half term.".into(),
                    vec!["Certificate", "Attendance", "Last half term", "Improvement"],
                    self.certificates
                        .iter()
                        .map(|c| {
                            (
                                c.pupil.clone(),
                                vec![
                                    if c.kind == "full" { "100% attendance" } else { "Most improved" }.into(),
                                    pct(c.attendance),
                                    c.before.map(pct).unwrap_or_default(),
                                    c.improvement.map(|i| format!("+{i:.1} points")).unwrap_or_default(),
                                ],
                            )
                        })
                        .collect(),
                ),
                _ => return None,
            };
        Some(ActionTable {
            list: list.to_string(),
            title: title.to_string(),
            rule,
            columns: columns.into_iter().map(String::from).collect(),
            rows,
        })
    }
}

/// How an academy's nightly extracts are arriving.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExtractHealth {
    pub urn: String,
    pub name: String,
    /// When the latest loaded extract was taken, and the last day it holds.
    pub last_extracted_at: Option<chrono::NaiveDateTime>,
    pub last_day: Option<NaiveDate>,
    /// Hours from `last_extracted_at` to now.
    pub age_hours: Option<i64>,
    /// School nights in the period checked with no extract holding that day.
    pub nights_missed: Vec<NaiveDate>,
    pub nights_checked: u64,
    pub received: u64,
    pub rejected_extracts: u64,
    pub rows_rejected: u64,
    /// Why whole extracts were rejected.
    pub rejection_reasons: Vec<String>,
}

/// Rows rejected for one reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectedGroup {
    pub urn: String,
    pub file: String,
    pub column: String,
    pub reason: String,
    pub rows: u64,
    pub example: String,
}

/// Data a rejected row kept (extract-format.md): a pupil's previous record and marks
/// in the window when its pupils.csv row was rejected (`session` none), or the previous
/// mark for one session. Listed until a later extract sends a good row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeldOver {
    pub urn: String,
    pub pupil_id: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// 0 = AM, 1 = PM; none for the pupil's whole record.
    pub session: Option<u8>,
    pub marks_kept: u64,
    /// The extract (its load) whose row was rejected.
    pub load_id: u64,
    pub file: String,
    pub line: u64,
    pub column: String,
    pub value: String,
    pub reason: String,
}

/// A session on which some enrolments on roll had no mark.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RegisterGap {
    pub urn: String,
    pub date: NaiveDate,
    pub session: u8,
    pub pupils: u64,
}

/// Open `N` sessions at an academy by the age of each pupil's oldest, in school days:
/// 0-2, 3-5, 6-10, more than 10.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OpenNAges {
    pub urn: String,
    pub sessions: [u64; 4],
}

/// An academy's (or the trust's) absent sessions by code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodeMix {
    pub urn: Option<String>,
    pub name: String,
    pub absent: u64,
    pub unauthorised: u64,
    /// (code, sessions), most first.
    pub codes: Vec<(String, u64)>,
}

impl CodeMix {
    /// A code's share of absent sessions, in percent.
    pub fn share(&self, code: &str) -> f64 {
        let n = self
            .codes
            .iter()
            .find(|(c, _)| c == code)
            .map(|x| x.1)
            .unwrap_or(0);
        if self.absent == 0 {
            0.0
        } else {
            100.0 * n as f64 / self.absent as f64
        }
    }
}

/// A coding pattern worth a look, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CodingFlag {
    pub urn: String,
    pub name: String,
    pub code: String,
    pub message: String,
}

/// The data-quality page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataQuality {
    pub today: NaiveDate,
    /// Extracts and rejections are looked at over this many days before today.
    pub lookback_days: i64,
    pub extracts: Vec<ExtractHealth>,
    pub rejected: Vec<RejectedGroup>,
    pub held_over: Vec<HeldOver>,
    pub register_gaps: Vec<RegisterGap>,
    pub open_n: Vec<OpenNAges>,
    pub mixes: Vec<CodeMix>,
    pub flags: Vec<CodingFlag>,
    /// The period the register and coding checks cover.
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What pupils.csv says of a pupil: birth, sex, the spell on roll (entry and leaving
/// date) and the characteristics figures are grouped by.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilDetails {
    pub date_of_birth: NaiveDate,
    pub sex: String,
    pub entry_date: NaiveDate,
    pub leaving_date: Option<NaiveDate>,
    pub sen_provision: String,
    pub fsm: bool,
    pub eal: bool,
    pub ethnicity: Option<String>,
    pub looked_after: Option<bool>,
}

/// One pupil's record and register for a year, for the pupil page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PupilRecord {
    pub pupil: PupilRef,
    pub academy_name: String,
    #[serde(flatten)]
    pub details: PupilDetails,
    /// The year shown: its first and last days.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub possible: u64,
    pub attending: u64,
    pub absent: u64,
    /// Each week (its Monday) and its ten sessions, Monday AM to Friday PM.
    pub weeks: Vec<(NaiveDate, Vec<Option<Mark>>)>,
}

/// A register mark: its code and what it means.
pub type Mark = (String, String);

/// A row of a comparison as rates (percentages), from figures or from DfE's tables.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rates {
    pub attendance: Option<f64>,
    pub absence: Option<f64>,
    pub authorised: Option<f64>,
    pub unauthorised: Option<f64>,
    pub pa: Option<f64>,
    pub sa: Option<f64>,
    /// None for DfE's published figures.
    pub enrolments: Option<u64>,
}

impl Rates {
    pub fn of(f: &Figures) -> Rates {
        Rates {
            attendance: f.attendance_rate(),
            absence: f.absence_rate(),
            authorised: f.authorised_rate(),
            unauthorised: f.unauthorised_rate(),
            pa: f.pa_rate(),
            sa: f.sa_rate(),
            enrolments: (!f.withheld.all).then_some(f.enrolments),
        }
    }

    /// DfE's figures: attendance is 100 less absence; no severe absence published.
    pub fn of_benchmark(b: &Benchmark) -> Rates {
        Rates {
            attendance: b.absence_rate.map(|a| 100.0 - a),
            absence: b.absence_rate,
            authorised: b.authorised_rate,
            unauthorised: b.unauthorised_rate,
            pa: b.pa_rate,
            sa: None,
            enrolments: None,
        }
    }
}

/// A named row to compare against.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compared {
    pub label: String,
    pub rates: Rates,
}

/// A term (or the term so far) a summary can be asked for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TermRef {
    /// `autumn-2025`: the URL's name for it.
    pub slug: String,
    /// "Autumn 2025".
    pub name: String,
    pub from: NaiveDate,
    /// The term's last day, or the latest loaded day while it is in progress.
    pub to: NaiveDate,
    pub in_progress: bool,
}

impl TermRef {
    /// "Autumn 2025" or "Spring 2026 to 14 Mar 2026".
    pub fn label(&self) -> String {
        if self.in_progress {
            format!("{} to {}", self.name, self.to.format("%-d %b %Y"))
        } else {
            self.name.clone()
        }
    }
}

/// One gap between two groups in a summary, as the viewer may see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapLine {
    pub name: String,
    pub of_label: String,
    pub against_label: String,
    /// Absence of `of` less absence of `against`, percentage points.
    pub absence: Option<f64>,
    pub pa: Option<f64>,
    /// The same gap in the same weeks a year earlier.
    pub last_absence: Option<f64>,
    /// A group too small to show this viewer.
    pub suppressed: bool,
    /// DfE's national gap (absence, PA) where published.
    pub national: Option<(f64, f64)>,
}

/// A pupil count a governor may or may not see.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Count {
    Shown(u64),
    /// Fewer than the trust's suppression threshold (and more than none).
    Suppressed,
}

/// From [`crate::suppress::count`]: `None` is suppressed.
impl From<Option<u64>> for Count {
    fn from(n: Option<u64>) -> Count {
        n.map_or(Count::Suppressed, Count::Shown)
    }
}

impl Count {
    /// "12", or "x" when suppressed.
    pub fn cell(self) -> String {
        match self {
            Count::Shown(n) => n.to_string(),
            Count::Suppressed => "x".to_string(),
        }
    }
}

/// One academy's (or the trust's) attendance for a term against the previous term,
/// the same term last year, the trust and England; its gaps; AP and reduced
/// timetables; and sentences that say what changed, each from a figure shown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlaceSummary {
    pub name: String,
    /// None for the trust.
    pub urn: Option<String>,
    pub phase: Option<String>,
    pub term: TermRef,
    pub scope: Scope,
    pub now: Rates,
    pub previous: Option<Compared>,
    pub last_year: Option<Compared>,
    /// The trust, when this is an academy.
    pub trust: Option<Compared>,
    pub national: Option<Compared>,
    pub gaps: Vec<GapLine>,
    /// Pupils on alternative provision / a reduced timetable at some point in the term.
    pub ap: Count,
    pub reduced_timetable: Count,
    pub sentences: Vec<String>,
}

/// What a self-evaluation pack's strengths and concerns are stated from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SefFacts {
    /// The year to date.
    pub now: Rates,
    /// The same point last year.
    pub last_year: Option<Compared>,
    pub trust: Option<Compared>,
    pub national: Option<Compared>,
    /// Each academic year of the trend, oldest first: (year, rates).
    pub years: Vec<(String, Rates)>,
    pub gaps: Vec<GapLine>,
    /// Open AP placements with no welfare contact within `contact_limit` school days.
    pub overdue_contacts: u64,
    pub contact_limit: u64,
    /// Open reduced timetables past their planned end, and with a review overdue.
    pub timetables_past_end: u64,
    pub reviews_overdue: u64,
}
