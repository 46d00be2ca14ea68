//! Result types shared by the warehouse and the web app (no DuckDB needed).

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
}

fn pct(part: u64, whole: u64) -> Option<f64> {
    (whole > 0).then(|| 100.0 * part as f64 / whole as f64)
}

impl Figures {
    pub fn absent_sessions(&self) -> u64 {
        self.authorised_sessions + self.unauthorised_sessions
    }
    pub fn attendance_rate(&self) -> Option<f64> {
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
        pct(self.pa_enrolments, self.enrolments)
    }
    pub fn sa_rate(&self) -> Option<f64> {
        pct(self.sa_enrolments, self.enrolments)
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Dimension {
    Sex,
    YearGroup,
    SenProvision,
    Fsm,
    Eal,
    Ethnicity,
}

impl Dimension {
    pub const ALL: [Dimension; 6] = [
        Dimension::Sex,
        Dimension::YearGroup,
        Dimension::SenProvision,
        Dimension::Fsm,
        Dimension::Eal,
        Dimension::Ethnicity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Dimension::Sex => "sex",
            Dimension::YearGroup => "year_group",
            Dimension::SenProvision => "sen_provision",
            Dimension::Fsm => "fsm",
            Dimension::Eal => "eal",
            Dimension::Ethnicity => "ethnicity",
        }
    }

    pub fn parse(s: &str) -> Option<Dimension> {
        Dimension::ALL.into_iter().find(|d| d.as_str() == s)
    }
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
