//! What is loaded: each academy's rows and last extract.

use duckdb::Connection;

use crate::db::query_all;

pub use crate::types::AcademyStatus;

pub fn academy_status(conn: &Connection) -> Result<Vec<AcademyStatus>, duckdb::Error> {
    query_all(conn, include_str!("../sql/academy_status.sql"), [], |r| {
        Ok(AcademyStatus {
            urn: r.get(0)?,
            name: r.get(1)?,
            phase: r.get(2)?,
            local_authority: r.get(3)?,
            source_system: r.get(4)?,
            pupils: r.get(5)?,
            marks: r.get(6)?,
            first_mark: r.get(7)?,
            last_mark: r.get(8)?,
            last_extracted_at: r.get(9)?,
            last_status: r.get(10)?,
            last_window_from: r.get(11)?,
            last_window_to: r.get(12)?,
            last_rows_loaded: r.get(13)?,
            last_rows_rejected: r.get(14)?,
            loads: r.get(15)?,
            rejected_loads: r.get(16)?,
        })
    })
}

pub use crate::types::PhaseSummary;

pub fn phase_summary(conn: &Connection) -> Result<Vec<PhaseSummary>, duckdb::Error> {
    query_all(conn, include_str!("../sql/phase_summary.sql"), [], |r| {
        Ok(PhaseSummary {
            academic_year: r.get(0)?,
            phase: r.get(1)?,
            enrolments: r.get(2)?,
            absence_rate: r.get(3)?,
            pa_rate: r.get(4)?,
            sa_rate: r.get(5)?,
        })
    })
}
