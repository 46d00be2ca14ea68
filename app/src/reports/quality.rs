//! Data quality: extracts that are late or failing, rejected and held-over rows, register
//! gaps, open unexplained absence and coding flags, for the academies the viewer may
//! see. Pupil level (held-over rows name pupils): staff and the trust, audited.

#[cfg(feature = "ssr")]
pub use ssr::Report;

#[cfg(feature = "ssr")]
pub mod ssr {
    use chrono::NaiveDate;
    use queries::types::{DataQuality, Visibility};

    use crate::reports::{Ctx, ReportError};

    pub struct Report;

    impl crate::reports::Report for Report {
        /// Today: the checks look back from it.
        type Params = NaiveDate;
        type Output = DataQuality;

        fn allowed(view: &Visibility, _: &NaiveDate) -> bool {
            view.sees_pupils()
        }

        fn audit(_: &NaiveDate, _: &DataQuality) -> Option<(&'static str, String)> {
            Some(("view pupils", "data quality".into()))
        }

        fn build(
            ctx: &Ctx<'_>,
            today: &NaiveDate,
            view: &Visibility,
        ) -> Result<DataQuality, ReportError> {
            Ok(queries::quality::report(
                ctx.conn,
                ctx.cal,
                *today,
                &view.academies,
            )?)
        }
    }
}
