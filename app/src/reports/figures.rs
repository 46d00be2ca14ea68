//! Each academy's and the trust's figures over a window, beside the same window last
//! year: the API's summary. Academies the viewer may see; counts as the window's mask
//! shows them to this viewer.

#[cfg(feature = "ssr")]
pub use ssr::{Report, Summary};

#[cfg(feature = "ssr")]
pub mod ssr {
    use queries::calendar::Windows;
    use queries::types::{AcademyRef, Figures, Visibility};

    use crate::reports::mask::mask;
    use crate::reports::params::{windows, WindowChoice};
    use crate::reports::{Ctx, ReportError};

    /// Figures by academy (those the viewer may see) and for the trust.
    pub type ByAcademy = (Vec<(AcademyRef, Figures)>, Figures);

    #[derive(Debug, Clone, PartialEq)]
    pub struct Summary {
        /// Each academy's own window.
        pub windows: Windows,
        pub now: ByAcademy,
        /// Over each academy's same window last year, where there is one.
        pub last_year: Option<ByAcademy>,
    }

    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = WindowChoice;
        type Output = Summary;

        fn build(
            ctx: &Ctx<'_>,
            p: &WindowChoice,
            view: &Visibility,
        ) -> Result<Summary, ReportError> {
            let w = windows(ctx.cal, p).map_err(ReportError::NotFound)?;
            let shown = |(academies, trust): ByAcademy,
                         last_year: bool|
             -> Result<ByAcademy, ReportError> {
                let m = mask(ctx, &w, p.scope, last_year)?;
                let academies = academies
                    .into_iter()
                    .filter(|(a, _)| view.sees_academy(&a.urn))
                    .map(|(a, f)| {
                        let f = m.shown(Some(&a.urn), None, "All", &f);
                        (a, f)
                    })
                    .collect();
                let trust = if view.sees_trust() {
                    m.shown(None, None, "All", &trust)
                } else {
                    Figures::withheld()
                };
                Ok((academies, trust))
            };
            let now = queries::figures::by_academy_in(ctx.conn, &w.spec(), w.from, w.to, p.scope)?;
            let last_year = match w.last_year() {
                Some((spec, f, t)) => Some(shown(
                    queries::figures::by_academy_in(ctx.conn, &spec, f, t, p.scope)?,
                    true,
                )?),
                None => None,
            };
            Ok(Summary {
                now: shown(now, false)?,
                last_year,
                windows: w,
            })
        }
    }
}
