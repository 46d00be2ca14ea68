//! What each academy has sent and what the warehouse holds, for the academies the viewer
//! may see.

#[cfg(feature = "ssr")]
pub use ssr::Report;

#[cfg(feature = "ssr")]
pub mod ssr {
    use queries::types::{AcademyStatus, Visibility};

    use crate::reports::{Ctx, ReportError};

    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = ();
        type Output = Vec<AcademyStatus>;

        fn build(
            ctx: &Ctx<'_>,
            _: &(),
            view: &Visibility,
        ) -> Result<Vec<AcademyStatus>, ReportError> {
            Ok(queries::status::academy_status(ctx.conn)?
                .into_iter()
                .filter(|r| view.sees_academy(&r.urn))
                .collect())
        }
    }
}
