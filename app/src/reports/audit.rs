//! The audit log: who signed in, viewed or exported what (the trust role only). Never
//! kept: it changes with every viewing.

#[cfg(feature = "ssr")]
pub use ssr::Report;

#[cfg(feature = "ssr")]
pub mod ssr {
    use queries::types::{AuditEntry, Visibility};

    use crate::reports::{Ctx, ReportError};

    pub struct Report;

    impl crate::reports::Report for Report {
        /// How many entries, newest first.
        type Params = u32;
        type Output = Vec<AuditEntry>;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, _: &u32) -> bool {
            view.sees_pupils() && view.academies.is_empty()
        }

        fn build(ctx: &Ctx<'_>, n: &u32, _: &Visibility) -> Result<Vec<AuditEntry>, ReportError> {
            Ok(queries::accounts::recent_audit(ctx.conn, *n)?)
        }
    }
}
