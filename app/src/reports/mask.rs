//! Which counts of one window an aggregates-only viewer may not see: one answer per
//! window and viewer, shared by every report that shows that window's counts (the
//! overview, an academy, cohorts, the year-group heatmap, the summary API), so nothing
//! one route hides another shows. Roles that see pupils get the open mask.

#[cfg(feature = "ssr")]
pub use ssr::{mask, MaskParams, Masks, WindowMask};

#[cfg(feature = "ssr")]
pub mod ssr {
    use std::sync::Arc;

    use chrono::NaiveDate;
    use queries::calendar::Windows;
    use queries::suppress::Mask;
    use queries::types::{CohortFilter, Figures, Scope, Visibility};

    use crate::reports::params::{windows, WindowChoice};
    use crate::reports::{Ctx, ReportError};

    /// A window as its academies have it: each academy's own dates (`spec`, as
    /// [`Windows::spec`]) spanning `from`..`to`, and the scope.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct MaskParams {
        pub spec: String,
        pub from: NaiveDate,
        pub to: NaiveDate,
        pub scope: Scope,
    }

    pub struct WindowMask;

    impl crate::reports::Report for WindowMask {
        type Params = MaskParams;
        type Output = Mask;

        fn build(ctx: &Ctx<'_>, p: &MaskParams, view: &Visibility) -> Result<Mask, ReportError> {
            if view.threshold().is_none() {
                return Ok(Mask::open());
            }
            let rows = queries::cohorts::figures_in(
                ctx.conn,
                &p.spec,
                p.from,
                p.to,
                p.scope,
                None,
                &CohortFilter::default(),
            )?;
            Ok(Mask::protect(&rows, view))
        }
    }

    /// The mask of `windows` (this year's, or last year's with `last_year`) for the
    /// viewer of `ctx`.
    pub fn mask(
        ctx: &Ctx<'_>,
        windows: &Windows,
        scope: Scope,
        last_year: bool,
    ) -> Result<Arc<Mask>, ReportError> {
        let (spec, from, to) = if last_year {
            match windows.last_year() {
                Some(w) => w,
                None => return Ok(Arc::new(Mask::open())),
            }
        } else {
            (windows.spec(), windows.from, windows.to)
        };
        ctx.report::<WindowMask>(MaskParams {
            spec,
            from,
            to,
            scope,
        })
    }

    /// The chosen window's masks, this year's and the same window last year's, as every
    /// report of that window shows its counts to the viewer of `ctx`.
    pub struct Masks {
        pub now: Arc<Mask>,
        pub last_year: Arc<Mask>,
    }

    impl Masks {
        pub fn of(ctx: &Ctx<'_>, choice: &WindowChoice) -> Result<Masks, ReportError> {
            let w = windows(ctx.cal, choice).map_err(ReportError::NotFound)?;
            Ok(Masks {
                now: mask(ctx, &w, choice.scope, false)?,
                last_year: mask(ctx, &w, choice.scope, true)?,
            })
        }

        /// A place's figures (an academy's, or the trust's with `None`) now and the
        /// same window last year, as the viewer may see them.
        pub fn mask_totals(
            &self,
            urn: Option<&str>,
            now: &mut Figures,
            last_year: &mut Option<Figures>,
        ) {
            *now = self.now.shown(urn, None, "All", now);
            *last_year = last_year
                .as_ref()
                .map(|f| self.last_year.shown(urn, None, "All", f));
        }
    }
}
