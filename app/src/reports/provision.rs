//! Alternative provision and reduced timetables: every placement and timetable with
//! what needs action, counts by half term, the share of pupils on either, and where the
//! registers and the records disagree (pupil lists for staff and the trust, audited;
//! counts, suppressed, for governors); and each academy's half-termly report for the
//! local authority and the trust (pupil level, audited).

use chrono::NaiveDate;
use queries::types::{AcademyRef, Inconsistency, Placement, Timetable};
use serde::{Deserialize, Serialize};

/// Pupils on AP and reduced timetables in one half term; `None` where suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HalfTermRow {
    pub half_term: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub ap: Option<u64>,
    pub reduced_timetable: Option<u64>,
}

/// On AP and reduced timetables now, against the roll; `None` where suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareRow {
    pub urn: Option<String>,
    pub name: String,
    pub on_roll: u64,
    pub ap: Option<u64>,
    pub reduced_timetable: Option<u64>,
}

impl ShareRow {
    pub fn share(&self) -> Option<f64> {
        let n = self.ap? + self.reduced_timetable?;
        (self.on_roll > 0).then(|| 100.0 * n as f64 / self.on_roll as f64)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisionData {
    pub academies: Vec<AcademyRef>,
    pub academy: Option<String>,
    pub sees_pupils: bool,
    pub contact_limit: u64,
    /// Pupil level: empty for governors.
    pub placements: Vec<Placement>,
    pub timetables: Vec<Timetable>,
    pub inconsistencies: Vec<Inconsistency>,
    pub shares: Vec<ShareRow>,
    pub half_terms: Vec<HalfTermRow>,
    pub trend: crate::chart::Chart,
    pub sort: String,
    /// What the lists cover: an academy's name, "your academies" or "the trust".
    pub place: String,
}

/// One academy's report for one half term.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProvisionReport {
    pub academy: AcademyRef,
    pub half_term: HalfTermRow,
    /// Every half term the registers describe, for the chooser.
    pub half_terms: Vec<(usize, String)>,
    pub chosen: usize,
    pub contact_limit: u64,
    pub placements: Vec<Placement>,
    pub timetables: Vec<Timetable>,
    pub inconsistencies: Vec<Inconsistency>,
    pub on_roll: u64,
}

#[cfg(feature = "ssr")]
pub use ssr::{Export, ExportParams, Exported, LaReport, ListParams, Lists, ReportParams};

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::charts::{line, LineChart, Series, PALETTE};
    use crate::reports::{params, Ctx, ReportError};
    use queries::calendar::{Calendars, WindowKind};
    use queries::db::Connection;
    use queries::provision;
    use queries::types::{PupilRef, Visibility};

    /// The lists for one academy or every academy the viewer may see, and their order.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct ListParams {
        pub academy: Option<String>,
        pub sort: String,
    }

    /// The page's lists (pupil level for staff and the trust, audited) and counts
    /// (suppressed for governors).
    pub struct Lists;

    impl crate::reports::Report for Lists {
        type Params = ListParams;
        type Output = ProvisionData;

        fn allowed(view: &Visibility, p: &ListParams) -> bool {
            p.academy.as_ref().is_none_or(|a| view.sees_academy(a))
        }

        fn audit(_: &ListParams, out: &ProvisionData) -> Option<(&'static str, String)> {
            out.sees_pupils
                .then(|| ("view pupils", format!("provision lists, {}", out.place)))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &ListParams,
            view: &Visibility,
        ) -> Result<ProvisionData, ReportError> {
            provision(
                ctx.conn,
                ctx.cal,
                p.academy.clone(),
                p.sort.clone(),
                view,
                ctx.warehouse.ap_contact_limit,
            )
            .map_err(ReportError::NotFound)
        }
    }

    /// The API's export: placements (`ap`) or reduced timetables, for one academy or
    /// every academy the viewer may see, in force at some point from `from` to `to`.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct ExportParams {
        pub ap: bool,
        pub academy: Option<String>,
        pub from: Option<NaiveDate>,
        pub to: Option<NaiveDate>,
    }

    /// What the export holds.
    #[derive(Debug, Clone, PartialEq)]
    pub enum Exported {
        Placements(Vec<Placement>),
        Timetables(Vec<Timetable>),
    }

    /// Names and UPNs: staff and the trust only, every export audited before it leaves.
    pub struct Export;

    impl crate::reports::Report for Export {
        type Params = ExportParams;
        type Output = Exported;

        fn allowed(view: &Visibility, p: &ExportParams) -> bool {
            view.sees_pupils() && p.academy.as_ref().is_none_or(|a| view.sees_academy(a))
        }

        fn audit(p: &ExportParams, _: &Exported) -> Option<(&'static str, String)> {
            let kind = if p.ap { "ap" } else { "reduced-timetable" };
            let place = p.academy.as_deref().unwrap_or("trust");
            Some((
                "export pupils",
                format!("provision {kind}, {place}, by the API"),
            ))
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &ExportParams,
            view: &Visibility,
        ) -> Result<Exported, ReportError> {
            // A pupil of the viewer's, in force at some point from `from` to `to` (when given).
            let kept = |pupil: &PupilRef, start: NaiveDate, end: Option<NaiveDate>| {
                view.sees_academy(&pupil.urn)
                    && match (p.from, p.to) {
                        (Some(f), Some(t)) => start <= t && end.is_none_or(|e| e >= f),
                        _ => true,
                    }
            };
            let urn = p.academy.as_deref();
            Ok(if p.ap {
                let mut rows = provision::placements(ctx.conn, urn)?;
                rows.retain(|x| kept(&x.pupil, x.start_date, x.end_date));
                Exported::Placements(rows)
            } else {
                let mut rows = provision::timetables(ctx.conn, urn)?;
                rows.retain(|x| kept(&x.pupil, x.start_date, x.end_date));
                Exported::Timetables(rows)
            })
        }
    }

    /// An academy and one of its half terms (the latest when `None`).
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct ReportParams {
        pub urn: String,
        pub half_term: Option<usize>,
    }

    /// One academy's half-termly report for the local authority: pupil level, audited.
    pub struct LaReport;

    impl crate::reports::Report for LaReport {
        type Params = ReportParams;
        type Output = Option<ProvisionReport>;

        fn allowed(view: &Visibility, p: &ReportParams) -> bool {
            view.sees_pupils() && view.sees_academy(&p.urn)
        }

        fn audit(
            p: &ReportParams,
            out: &Option<ProvisionReport>,
        ) -> Option<(&'static str, String)> {
            out.as_ref().map(|r| {
                (
                    "view pupils",
                    format!(
                        "provision report, {} ({}), {}",
                        r.academy.name, p.urn, r.half_term.half_term
                    ),
                )
            })
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &ReportParams,
            _: &Visibility,
        ) -> Result<Option<ProvisionReport>, ReportError> {
            report(
                ctx.conn,
                ctx.cal,
                &p.urn,
                p.half_term,
                ctx.warehouse.ap_contact_limit,
            )
            .map_err(ReportError::NotFound)
        }
    }

    fn sort_lists(
        placements: &mut [Placement],
        timetables: &mut [Timetable],
        sort: &str,
        limit: u64,
    ) {
        match sort {
            "flags" => {
                placements.sort_by_key(|p| std::cmp::Reverse(p.flags(limit).len()));
                timetables.sort_by_key(|t| std::cmp::Reverse(t.actions().len()));
            }
            "start" => {
                placements.sort_by_key(|p| p.start_date);
                timetables.sort_by_key(|t| t.start_date);
            }
            "attendance" => {
                placements.sort_by(|a, b| {
                    a.attendance_rate()
                        .unwrap_or(101.0)
                        .total_cmp(&b.attendance_rate().unwrap_or(101.0))
                });
                timetables.sort_by_key(|t| std::cmp::Reverse(t.c2_sessions));
            }
            _ => {}
        }
        // Ongoing first, whatever the order within.
        placements.sort_by_key(|p| !p.active());
        timetables.sort_by_key(|t| !t.active());
    }

    pub fn provision(
        conn: &Connection,
        cal: &Calendars,
        academy: Option<String>,
        sort: String,
        viewer: &Visibility,
        limit: u64,
    ) -> Result<ProvisionData, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        let academies = params::academies(conn, viewer).map_err(e)?;
        let visible = |u: &str| {
            academies.iter().any(|a| a.urn == u) && academy.as_deref().is_none_or(|x| x == u)
        };
        let mut placements: Vec<Placement> = provision::placements(conn, academy.as_deref())
            .map_err(e)?
            .into_iter()
            .filter(|p| visible(&p.pupil.urn))
            .collect();
        let mut timetables: Vec<Timetable> = provision::timetables(conn, academy.as_deref())
            .map_err(e)?
            .into_iter()
            .filter(|t| visible(&t.pupil.urn))
            .collect();
        let ytd = queries::calendar::resolve(cal, WindowKind::YearToDate, None, None)?;
        let inconsistencies = if viewer.sees_pupils() {
            provision::inconsistencies(
                conn,
                academy.as_deref(),
                ytd.from,
                ytd.to,
                &placements,
                &timetables,
            )
            .map_err(e)?
            .into_iter()
            .filter(|i| visible(&i.pupil.urn))
            .collect()
        } else {
            Vec::new()
        };
        let on_roll = provision::on_roll(conn).map_err(e)?;
        let mut shares: Vec<ShareRow> = Vec::new();
        let count_now = |urn: Option<&str>| {
            let mine = |u: &str| urn.is_none_or(|x| x == u);
            (
                placements
                    .iter()
                    .filter(|p| mine(&p.pupil.urn) && p.active())
                    .count() as u64,
                timetables
                    .iter()
                    .filter(|t| mine(&t.pupil.urn) && t.active())
                    .count() as u64,
            )
        };
        for a in academies.iter().filter(|a| visible(&a.urn)) {
            let (ap, rt) = count_now(Some(&a.urn));
            shares.push(ShareRow {
                urn: Some(a.urn.clone()),
                name: a.name.clone(),
                on_roll: on_roll
                    .iter()
                    .find(|(u, _)| *u == a.urn)
                    .map(|x| x.1)
                    .unwrap_or(0),
                ap: Some(ap),
                reduced_timetable: Some(rt),
            });
        }
        if academy.is_none() && viewer.sees_trust() {
            let (ap, rt) = count_now(None);
            shares.push(ShareRow {
                urn: None,
                name: "Trust".into(),
                on_roll: shares.iter().map(|s| s.on_roll).sum(),
                ap: Some(ap),
                reduced_timetable: Some(rt),
            });
        }
        // Governors: small counts hidden, and whatever would give one away through the
        // trust's row (3 + 7 = 10 would show the 3).
        fn ap(r: &mut ShareRow) -> &mut Option<u64> {
            &mut r.ap
        }
        fn rt(r: &mut ShareRow) -> &mut Option<u64> {
            &mut r.reduced_timetable
        }
        for get in [ap, rt] {
            let counts: Vec<(Option<String>, u64)> = shares
                .iter_mut()
                .map(|r| (r.urn.clone(), get(r).unwrap_or(0)))
                .collect();
            for (r, hide) in shares
                .iter_mut()
                .zip(queries::suppress::by_place(&counts, viewer))
            {
                if hide {
                    *get(r) = None;
                }
            }
        }
        let counts = provision::by_half_term(cal, &placements, &timetables, None);
        let half_terms: Vec<HalfTermRow> = counts
            .iter()
            .map(|c| HalfTermRow {
                half_term: c.half_term.clone(),
                from: c.from,
                to: c.to,
                ap: queries::suppress::count(viewer, c.ap),
                reduced_timetable: queries::suppress::count(viewer, c.reduced_timetable),
            })
            .collect();
        let names: Vec<String> = half_terms.iter().map(|h| h.half_term.clone()).collect();
        let series = |name: &str, colour, f: &dyn Fn(&HalfTermRow) -> Option<u64>| Series {
            name: name.into(),
            points: half_terms
                .iter()
                .enumerate()
                .filter_map(|(i, h)| f(h).map(|n| ((i + 1) as f64, n as f64)))
                .collect(),
            colour,
            dashed: false,
        };
        let place = academy
            .as_ref()
            .and_then(|u| academies.iter().find(|a| &a.urn == u))
            .map(|a| a.name.clone())
            .unwrap_or_else(|| match academies.as_slice() {
                [only] if !viewer.sees_trust() => only.name.clone(),
                _ if !viewer.sees_trust() => "your academies".into(),
                _ => "the trust".into(),
            });
        let trend = line(&LineChart {
            title: &format!("Pupils on AP and reduced timetables by half term, {place}"),
            x_label: "Half term",
            y_label: "Pupils",
            y_suffix: "",
            x_names: &|x| {
                names
                    .get((x.round() as usize).saturating_sub(1))
                    .cloned()
                    .unwrap_or_default()
            },
            series: vec![
                series("Alternative provision", PALETTE[0], &|h| h.ap),
                series("Reduced timetable", PALETTE[1], &|h| h.reduced_timetable),
            ],
            width: 860,
            height: 300,
            description: format!(
                "The number of pupils with an alternative-provision placement or a reduced timetable in force at some point in each half term, {place}."
            ),
        });
        let sees_pupils = viewer.sees_pupils();
        if sees_pupils {
            sort_lists(&mut placements, &mut timetables, &sort, limit);
        } else {
            placements.clear();
            timetables.clear();
        }
        Ok(ProvisionData {
            academies,
            academy,
            sees_pupils,
            contact_limit: limit,
            placements,
            timetables,
            inconsistencies,
            shares,
            half_terms,
            trend,
            sort,
            place,
        })
    }

    pub fn report(
        conn: &Connection,
        cals: &Calendars,
        urn: &str,
        half_term: Option<usize>,
        limit: u64,
    ) -> Result<Option<ProvisionReport>, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        let Some(academy) = params::academy(conn, urn).map_err(e)? else {
            return Ok(None);
        };
        // The academy's own half terms.
        let all: Vec<queries::calendar::Period> = cals
            .of(urn)
            .years
            .iter()
            .flat_map(|y| y.half_terms.iter().cloned())
            .collect();
        if all.is_empty() {
            return Err("no registers loaded yet".into());
        }
        let chosen = half_term
            .filter(|i| *i < all.len())
            .unwrap_or(all.len() - 1);
        let h = &all[chosen];
        let in_force = |start: NaiveDate, end: Option<NaiveDate>| {
            start <= h.to && end.is_none_or(|e| e >= h.from)
        };
        let placements: Vec<Placement> = provision::placements(conn, Some(urn))
            .map_err(e)?
            .into_iter()
            .filter(|p| in_force(p.start_date, p.end_date))
            .collect();
        let timetables: Vec<Timetable> = provision::timetables(conn, Some(urn))
            .map_err(e)?
            .into_iter()
            .filter(|t| in_force(t.start_date, t.end_date))
            .collect();
        let inconsistencies =
            provision::inconsistencies(conn, Some(urn), h.from, h.to, &placements, &timetables)
                .map_err(e)?;
        let on_roll = provision::on_roll(conn)
            .map_err(e)?
            .into_iter()
            .find(|(u, _)| u == urn)
            .map(|x| x.1)
            .unwrap_or(0);
        Ok(Some(ProvisionReport {
            half_term: HalfTermRow {
                half_term: h.name.clone(),
                from: h.from,
                to: h.to,
                ap: Some(placements.len() as u64),
                reduced_timetable: Some(timetables.len() as u64),
            },
            half_terms: all
                .iter()
                .enumerate()
                .map(|(i, p)| (i, p.name.clone()))
                .collect(),
            chosen,
            academy,
            contact_limit: limit,
            placements,
            timetables,
            inconsistencies,
            on_roll,
        }))
    }
}
