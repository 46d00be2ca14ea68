//! The audit log: who signed in, viewed, exported or changed what (the trust role
//! only). Never kept: it changes with every viewing.

#[cfg(feature = "ssr")]
pub use ssr::{Export, Report};

#[cfg(feature = "ssr")]
pub mod ssr {
    use queries::types::{AuditEntry, AuditFilter, Visibility};

    use crate::reports::{Ctx, ReportError};

    /// The most entries the page shows.
    pub const SHOWN: u32 = 500;
    /// The most entries one download holds.
    pub const EXPORTED: u32 = 100_000;

    fn entries(
        ctx: &Ctx<'_>,
        filter: &AuditFilter,
        n: u32,
    ) -> Result<Vec<AuditEntry>, ReportError> {
        for (name, value) in [("from", &filter.from), ("to", &filter.to)] {
            if let Some(v) = value {
                crate::reports::params::date(name, v)?;
            }
        }
        let accounts = ctx.warehouse.accounts()?;
        Ok(queries::accounts::search_audit(&accounts, filter, n)
            .map_err(crate::ssr::WarehouseError::from)?)
    }

    fn trust(view: &Visibility) -> bool {
        view.sees_pupils() && view.academies.is_empty()
    }

    /// The page: the newest entries the filter keeps.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = AuditFilter;
        type Output = Vec<AuditEntry>;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, _: &AuditFilter) -> bool {
            trust(view)
        }

        fn build(
            ctx: &Ctx<'_>,
            f: &AuditFilter,
            _: &Visibility,
        ) -> Result<Vec<AuditEntry>, ReportError> {
            entries(ctx, f, SHOWN)
        }
    }

    /// The download: every entry the filter keeps (up to [`EXPORTED`]); the download is
    /// itself an entry.
    pub struct Export;

    impl crate::reports::Report for Export {
        type Params = AuditFilter;
        type Output = Vec<AuditEntry>;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, _: &AuditFilter) -> bool {
            trust(view)
        }

        fn audit(f: &AuditFilter, out: &Vec<AuditEntry>) -> Option<(&'static str, String)> {
            let part = |name: &str, v: &Option<String>| v.as_ref().map(|v| format!(" {name}={v}"));
            let filter: String = [
                part("actor", &f.actor),
                part("subject", &f.subject),
                part("from", &f.from),
                part("to", &f.to),
            ]
            .into_iter()
            .flatten()
            .collect();
            Some(("export audit log", format!("{} entries{filter}", out.len())))
        }

        fn build(
            ctx: &Ctx<'_>,
            f: &AuditFilter,
            _: &Visibility,
        ) -> Result<Vec<AuditEntry>, ReportError> {
            entries(ctx, f, EXPORTED)
        }
    }
}
