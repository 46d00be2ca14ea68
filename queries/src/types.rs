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
