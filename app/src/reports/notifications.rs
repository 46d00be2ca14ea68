//! The statutory notifications queue (`/notifications`, `GET /api/v1/notifications`):
//! pupils whose academy must tell the local authority of possible missing education, of
//! illness that brings in the section 19 duty, or of a reduced timetable started or
//! extended; when the case records say it was told, and which are overdue. Pupil level:
//! trust and academy staff only; every viewing and export is audited.
//!
//! What fell due comes from last night's registers (built once per load); whether it
//! was answered, from the case records, read on every request (they change all day).

use queries::notifications::{Counts, Notice, NoticeKind};
use queries::types::AcademyRef;
use serde::{Deserialize, Serialize};

/// Whose queue, and which of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(default)]
pub struct QueueChoice {
    pub academy: Option<String>,
    /// [`NoticeKind::key`]; every kind when `None`.
    pub kind: Option<String>,
    /// Only those not yet made.
    pub open: bool,
}

impl QueueChoice {
    pub fn kind(&self) -> Option<NoticeKind> {
        self.kind.as_deref().and_then(NoticeKind::parse)
    }

    /// The same choice as URL parameters (without the leading `?`).
    pub fn query(&self) -> String {
        let mut q = Vec::new();
        if let Some(a) = &self.academy {
            q.push(format!("academy={}", crate::format::url_encode(a)));
        }
        if let Some(k) = self.kind() {
            q.push(format!("kind={}", k.key()));
        }
        if self.open {
            q.push("open=1".to_string());
        }
        q.join("&")
    }
}

/// The queue as its page shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueueData {
    pub choice: QueueChoice,
    pub academies: Vec<AcademyRef>,
    /// Of every kind, for the academy chosen (the tabs).
    pub by_kind: Vec<(NoticeKind, Counts)>,
    /// Of the rows' kind (or every kind).
    pub counts: Counts,
    /// Overdue first, then those not yet made, then the oldest.
    pub rows: Vec<Notice>,
}

#[cfg(feature = "ssr")]
pub use ssr::{Due, Export, Queue};

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::reports::actions::{Lists, ListsParams};
    use crate::reports::{Ctx, ReportError};
    use crate::ssr::WarehouseError;
    use queries::types::Visibility;

    fn place(academy: &Option<String>) -> &str {
        academy.as_deref().unwrap_or("trust")
    }

    /// What fell due, from the registers (once per load, academy and viewer): the
    /// queue's pages and the API build on it.
    pub struct Due;

    impl crate::reports::Report for Due {
        type Params = Option<String>;
        type Output = Vec<queries::notifications::Due>;

        fn allowed(view: &Visibility, academy: &Option<String>) -> bool {
            view.sees_pupils_at(academy.as_deref())
        }

        fn build(
            ctx: &Ctx<'_>,
            academy: &Option<String>,
            view: &Visibility,
        ) -> Result<Self::Output, ReportError> {
            let lists = ctx.report::<Lists>(ListsParams::new(academy.clone(), None))?;
            let mut due =
                queries::notifications::due(ctx.conn, ctx.cal, academy.as_deref(), &lists.missing)?;
            due.retain(|d| view.sees_academy(&d.pupil.urn));
            Ok(due)
        }
    }

    /// The queue for `academy` (or every academy the viewer sees), of every kind: what
    /// fell due and what the cases say was done about it now.
    fn whole(
        ctx: &Ctx<'_>,
        academy: &Option<String>,
        view: &Visibility,
    ) -> Result<Vec<Notice>, ReportError> {
        let due = ctx.report::<Due>(academy.clone())?;
        let store = ctx.warehouse.accounts()?;
        let urns = match academy {
            Some(a) => vec![a.clone()],
            None => view.academies.clone(),
        };
        let told = queries::cases::told(&store, &urns).map_err(WarehouseError::from)?;
        Ok(queries::notifications::queue(&due, &told))
    }

    fn cut(rows: Vec<Notice>, kind: Option<NoticeKind>, open: bool) -> Vec<Notice> {
        rows.into_iter()
            .filter(|n| kind.is_none_or(|k| n.due.kind == k) && !(open && n.notified()))
            .collect()
    }

    /// The page.
    pub struct Queue;

    impl crate::reports::Report for Queue {
        type Params = QueueChoice;
        type Output = QueueData;
        /// The cases change between loads: built on every request (from the cached part).
        const CACHED: bool = false;

        fn allowed(view: &Visibility, p: &QueueChoice) -> bool {
            view.sees_pupils_at(p.academy.as_deref())
        }

        fn audit(p: &QueueChoice, _: &QueueData) -> Option<(&'static str, String)> {
            Some((
                "view pupils",
                format!("notifications queue, {}", place(&p.academy)),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            choice: &QueueChoice,
            view: &Visibility,
        ) -> Result<QueueData, ReportError> {
            let all = whole(ctx, &choice.academy, view)?;
            let by_kind = NoticeKind::ALL
                .into_iter()
                .map(|k| {
                    let of: Vec<Notice> = all.iter().filter(|n| n.due.kind == k).cloned().collect();
                    (k, queries::notifications::counts(&of))
                })
                .collect();
            let mut choice = choice.clone();
            choice.kind = choice.kind().map(|k| k.key().to_string());
            let of_kind = cut(all, choice.kind(), false);
            let counts = queries::notifications::counts(&of_kind);
            Ok(QueueData {
                academies: crate::reports::params::academies(ctx.conn, view)?,
                by_kind,
                counts,
                rows: cut(of_kind, None, choice.open),
                choice,
            })
        }
    }

    /// The API's export of the queue.
    pub struct Export;

    impl crate::reports::Report for Export {
        type Params = QueueChoice;
        type Output = Vec<Notice>;
        const CACHED: bool = false;

        fn allowed(view: &Visibility, p: &QueueChoice) -> bool {
            view.sees_pupils_at(p.academy.as_deref())
        }

        fn audit(p: &QueueChoice, _: &Vec<Notice>) -> Option<(&'static str, String)> {
            Some((
                "export pupils",
                format!("notifications queue, {}, by the API", place(&p.academy)),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &QueueChoice,
            view: &Visibility,
        ) -> Result<Vec<Notice>, ReportError> {
            Ok(cut(whole(ctx, &p.academy, view)?, p.kind(), p.open))
        }
    }
}
