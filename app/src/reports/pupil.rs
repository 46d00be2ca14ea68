//! One pupil's record and register for the year: staff of their academy and the trust,
//! every viewing audited.

#[cfg(feature = "ssr")]
pub use ssr::{Params, Report};

#[cfg(feature = "ssr")]
pub mod ssr {
    use queries::types::{PupilRecord, Visibility};

    use crate::reports::{Ctx, ReportError};

    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub urn: String,
        pub pupil_id: String,
    }

    /// `None` when the academy has no such pupil (or nothing is loaded).
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = Params;
        type Output = Option<PupilRecord>;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            view.sees_pupils() && view.sees_academy(&p.urn)
        }

        fn audit(p: &Params, out: &Option<PupilRecord>) -> Option<(&'static str, String)> {
            out.as_ref()
                .map(|_| ("view pupil", format!("pupil {} at {}", p.pupil_id, p.urn)))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &Params,
            _: &Visibility,
        ) -> Result<Option<PupilRecord>, ReportError> {
            let Some(year) = queries::actions::Year::of(ctx.cal) else {
                return Ok(None);
            };
            Ok(queries::pupil::record(
                ctx.conn,
                &p.urn,
                &p.pupil_id,
                year.from,
                year.to,
            )?)
        }
    }
}
