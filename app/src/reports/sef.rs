//! A principal's self-evaluation pack: the attendance section of the academy's
//! self-evaluation, with its evidence. The year to date and a three-year trend against
//! the trust and England; cohort gaps; reasons for absence; persistent and severe
//! absence by half term; alternative provision and reduced timetables; and strengths and
//! concerns stated from those figures. Its page, its PDF, and each table (CSV) and chart
//! (SVG, PNG). Aggregates only, for the academy's staff and the trust (governors have
//! their summary).

#[cfg(feature = "ssr")]
use crate::view::pct;
use queries::types::{AcademyRef, Rates, Scope};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackTable {
    pub key: String,
    pub title: String,
    pub head: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A chart of the pack, by the key of the table it draws.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackChart {
    pub key: String,
    pub chart: crate::chart::Chart,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SefPack {
    pub academy: AcademyRef,
    pub scope: Scope,
    /// "2025/26 to date" and its dates.
    pub window: String,
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
    pub now: Rates,
    pub strengths: Vec<String>,
    pub concerns: Vec<String>,
    /// In reading order; each section is a table and, where drawn, its chart.
    pub tables: Vec<PackTable>,
    pub charts: Vec<PackChart>,
}

impl SefPack {
    pub fn table(&self, key: &str) -> Option<&PackTable> {
        self.tables.iter().find(|t| t.key == key)
    }

    pub fn chart(&self, key: &str) -> Option<&PackChart> {
        self.charts.iter().find(|c| c.key == key)
    }
}

pub const NOTE: &str = "Attendance and absence are shares of possible sessions; PA (persistent \
absence) is the share of pupils missing 10% or more of their sessions, SA (severe absence) 50% \
or more. England, regions and local authorities: DfE's published figures for state-funded \
schools, for the period named. Gaps: the first group's rate less the second's, in percentage \
points.";

#[cfg(feature = "ssr")]
pub use ssr::{found, Params, Pdf, Png, Report};

#[cfg(feature = "ssr")]
pub mod ssr {
    use super::*;
    use crate::charts::{bar, line, BarChart, LineChart, Series, PALETTE};
    use crate::document::{Block, Document};
    use crate::reports::{Ctx, Found, ReportError};
    use chrono::NaiveDate;
    use queries::calendar::{year_label, Calendar, Calendars};
    use queries::cohorts;
    use queries::db::Connection;
    use queries::figures;
    use queries::summary::{self, by_place, national_for_year};
    use queries::types::{Compared, SefFacts, Visibility};
    use std::sync::Arc;

    /// An academy's pack, in a scope.
    #[derive(Debug, Clone, PartialEq, Eq, Hash)]
    pub struct Params {
        pub urn: String,
        pub scope: Scope,
    }

    /// The pack, for its academy's staff and the trust; `None` when there is no such
    /// academy.
    pub struct Report;

    impl crate::reports::Report for Report {
        type Params = Params;
        type Output = Option<SefPack>;

        fn allowed(view: &Visibility, p: &Params) -> bool {
            view.sees_pupils() && view.sees_academy(&p.urn)
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &Params,
            _: &Visibility,
        ) -> Result<Option<SefPack>, ReportError> {
            let w = ctx.warehouse;
            pack_with(
                ctx.conn,
                ctx,
                ctx.cal,
                &p.urn,
                p.scope,
                w.ap_contact_limit,
                &w.trust_name,
            )
            .map_err(ReportError::NotFound)
        }
    }

    /// What a pack compares its academy with across the trust: every place's figures
    /// over a window, and the trust's reasons for absence. Through the reports layer
    /// ([`Ctx`]) each is made once per load and window, whichever pack asks first (sixty
    /// packs, one trust-wide query each); on a bare connection, every time.
    pub trait TrustWide {
        fn places(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<Places>, String>;
        fn reasons(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<Reasons>, String>;
        /// Every academy's and the trust's pupil groups over one window (staff's view:
        /// nothing suppressed).
        fn groups(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<summary::Sets>, String>;
    }

    /// Every academy's figures and the trust's (`None`) over one window.
    pub type Places = std::collections::HashMap<Option<String>, queries::types::Figures>;
    /// Absent sessions by code: (code, meaning, authorised, sessions).
    pub type Reasons = Vec<(String, String, bool, u64)>;

    impl TrustWide for Connection {
        fn places(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<Places>, String> {
            by_place(self, from, to, scope)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        }
        fn reasons(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<Reasons>, String> {
            figures::by_code(self, from, to, scope, None)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        }
        fn groups(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<summary::Sets>, String> {
            cohorts::figures(self, from, to, scope, None, &Default::default())
                .map(|rows| Arc::new(summary::sets(rows)))
                .map_err(|e| e.to_string())
        }
    }

    impl TrustWide for Ctx<'_> {
        fn places(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<Places>, String> {
            self.whole_trust_part::<TrustPlaces>((from, to, scope))
                .map_err(|e| e.to_string())
        }
        fn reasons(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<Reasons>, String> {
            self.whole_trust_part::<TrustReasons>((from, to, scope))
                .map_err(|e| e.to_string())
        }
        fn groups(
            &self,
            from: NaiveDate,
            to: NaiveDate,
            scope: Scope,
        ) -> Result<Arc<summary::Sets>, String> {
            self.whole_trust_part::<TrustGroups>((from, to, scope))
                .map_err(|e| e.to_string())
        }
    }

    /// [`TrustWide::places`] as a report (internal: nothing of it leaves the layer).
    pub struct TrustPlaces;

    impl crate::reports::Report for TrustPlaces {
        type Params = (NaiveDate, NaiveDate, Scope);
        type Output = Places;

        fn build(
            ctx: &Ctx<'_>,
            &(from, to, scope): &Self::Params,
            _: &Visibility,
        ) -> Result<Places, ReportError> {
            Ok(by_place(ctx.conn, from, to, scope)?)
        }
    }

    /// [`TrustWide::reasons`] as a report (internal: nothing of it leaves the layer).
    pub struct TrustReasons;

    impl crate::reports::Report for TrustReasons {
        type Params = (NaiveDate, NaiveDate, Scope);
        type Output = Reasons;

        fn build(
            ctx: &Ctx<'_>,
            &(from, to, scope): &Self::Params,
            _: &Visibility,
        ) -> Result<Reasons, ReportError> {
            Ok(figures::by_code(ctx.conn, from, to, scope, None)?)
        }
    }

    /// [`TrustWide::groups`] as a report (internal: nothing of it leaves the layer).
    pub struct TrustGroups;

    impl crate::reports::Report for TrustGroups {
        type Params = (NaiveDate, NaiveDate, Scope);
        type Output = summary::Sets;

        fn build(
            ctx: &Ctx<'_>,
            &(from, to, scope): &Self::Params,
            _: &Visibility,
        ) -> Result<summary::Sets, ReportError> {
            let rows = cohorts::figures(ctx.conn, from, to, scope, None, &Default::default())?;
            Ok(summary::sets(rows))
        }
    }

    /// The pack [`Report`] made for `urn`; a 404 when there is no such academy.
    pub fn found(
        pack: std::sync::Arc<Option<SefPack>>,
        urn: &str,
    ) -> Result<Found<SefPack>, ReportError> {
        Found::of(pack, || format!("no academy with URN {urn}"))
    }

    /// The pack, as its page has it.
    fn the_pack(ctx: &Ctx<'_>, p: &Params) -> Result<Found<SefPack>, ReportError> {
        found(ctx.report::<Report>(p.clone())?, &p.urn)
    }

    /// The whole pack as a PDF: (file name, bytes).
    pub struct Pdf;

    impl crate::reports::Report for Pdf {
        type Params = Params;
        type Output = (String, Vec<u8>);

        fn allowed(view: &Visibility, p: &Params) -> bool {
            Report::allowed(view, p)
        }

        fn build(
            ctx: &Ctx<'_>,
            p: &Params,
            _: &Visibility,
        ) -> Result<(String, Vec<u8>), ReportError> {
            let pack = the_pack(ctx, p)?;
            let bytes = document(&pack).pdf().map_err(ReportError::Failed)?;
            Ok((format!("sef-attendance-{}.pdf", pack.academy.urn), bytes))
        }
    }

    /// One of the pack's charts as a PNG: (file name, bytes).
    pub struct Png;

    impl crate::reports::Report for Png {
        /// The pack and the chart's key.
        type Params = (Params, String);
        type Output = (String, Vec<u8>);

        fn allowed(view: &Visibility, p: &(Params, String)) -> bool {
            Report::allowed(view, &p.0)
        }

        fn build(
            ctx: &Ctx<'_>,
            (p, key): &(Params, String),
            _: &Visibility,
        ) -> Result<(String, Vec<u8>), ReportError> {
            let pack = the_pack(ctx, p)?;
            let chart = pack.chart(key).ok_or_else(|| {
                ReportError::NotFound(format!("the pack has no png called {key}"))
            })?;
            let bytes = crate::document::png(&chart.chart.svg, 2.0).map_err(ReportError::Failed)?;
            Ok((format!("sef-{}-{key}.png", pack.academy.urn), bytes))
        }
    }

    fn rates_row(label: String, r: &Rates) -> Vec<String> {
        vec![
            label,
            pct(r.attendance),
            pct(r.absence),
            pct(r.authorised),
            pct(r.unauthorised),
            pct(r.pa),
            pct(r.sa),
        ]
    }

    const RATE_HEAD: [&str; 7] = [
        "",
        "Attendance",
        "Absence",
        "Authorised",
        "Unauthorised",
        "PA",
        "SA",
    ];

    pub fn pack(
        conn: &Connection,
        cals: &Calendars,
        urn: &str,
        scope: Scope,
        contact_limit: u64,
        trust_name: &str,
    ) -> Result<Option<SefPack>, String> {
        pack_with(conn, conn, cals, urn, scope, contact_limit, trust_name)
    }

    /// [`pack`], its trust-wide comparisons from `trust_wide`.
    pub fn pack_with(
        conn: &Connection,
        trust_wide: &dyn TrustWide,
        cals: &Calendars,
        urn: &str,
        scope: Scope,
        contact_limit: u64,
        trust_name: &str,
    ) -> Result<Option<SefPack>, String> {
        let e = |e: queries::db::DuckError| e.to_string();
        // Every window of the pack (year to date, half terms, last year) is on the
        // academy's own calendar.
        let cal: &Calendar = cals.of(urn);
        let Some(academy) = crate::reports::params::academy(conn, urn).map_err(e)? else {
            return Ok(None);
        };
        let latest = cal
            .latest_day()
            .ok_or_else(|| "no attendance has been loaded yet".to_string())?;
        let year = queries::calendar::academic_year(latest);
        let from = chrono::NaiveDate::from_ymd_opt(year, 9, 1).ok_or("date")?;
        let mine = Some(urn.to_string());
        let phase = Some(academy.phase.as_str());
        // In the autumn term, England's autumn figure is the like for like.
        let autumn_only = cal
            .year(year)
            .and_then(|y| y.terms.get(1))
            .is_none_or(|spring| latest < spring.from);

        // The year to date, against the same point last year, the trust and England.
        let now_all = trust_wide.places(from, latest, scope)?;
        let now_f = now_all.get(&mine).cloned().unwrap_or_default();
        let trust_f = now_all.get(&None).cloned().unwrap_or_default();
        let last_window = match cal.same_point_last_year(latest) {
            Some(t) => Some((
                chrono::NaiveDate::from_ymd_opt(year - 1, 9, 1).ok_or("date")?,
                t,
            )),
            None => None,
        };
        // One academy's figures over a window: cut from every academy's, made once a
        // window for all the packs.
        let academy_over = |f: NaiveDate, t: NaiveDate| -> Result<Option<_>, String> {
            Ok(trust_wide.places(f, t, scope)?.get(&mine).cloned())
        };
        let last_f = match last_window {
            Some((f, t)) => academy_over(f, t)?,
            None => None,
        };
        let window = format!("{} to date", year_label(year));
        let national = national_for_year(phase, year, autumn_only);
        let last_year = last_f.as_ref().map(|f| Compared {
            label: format!("{} to the same week", year_label(year - 1)),
            rates: Rates::of(f),
        });
        let trust = Compared {
            label: format!("{trust_name} (the trust)"),
            rates: Rates::of(&trust_f),
        };
        let mut ytd_rows = vec![rates_row(
            format!("{} ({window})", academy.name),
            &Rates::of(&now_f),
        )];
        if let Some(l) = &last_year {
            ytd_rows.push(rates_row(l.label.clone(), &l.rates));
        }
        ytd_rows.push(rates_row(trust.label.clone(), &trust.rates));
        if let Some(n) = &national {
            ytd_rows.push(rates_row(n.label.clone(), &n.rates));
        }
        for b in queries::benchmarks::for_academy(&academy.phase, &academy.local_authority)
            .into_iter()
            .filter(|b| b.level != "national" && year >= 2025)
        {
            ytd_rows.push(rates_row(
                format!("{} ({}, {})", b.area, b.phase.to_lowercase(), b.period),
                &Rates::of_benchmark(&b),
            ));
        }

        // Three years: each whole year (this one to date), academy, trust, England.
        let years: Vec<i32> = cal
            .years
            .iter()
            .map(|y| y.start_year)
            .filter(|y| *y > year - 3 && *y <= year)
            .collect();
        let mut trend_rows = Vec::new();
        let mut trend: Vec<(String, Rates)> = Vec::new();
        let mut series: [Vec<(f64, f64)>; 3] = Default::default();
        for (i, y) in years.iter().enumerate() {
            let Some(sy) = cal.year(*y) else { continue };
            let (Some(f0), Some(t0)) = (sy.days.first(), sy.days.last()) else {
                continue;
            };
            let all = trust_wide.places(*f0, *t0, scope)?;
            let Some(a) = all.get(&mine) else { continue };
            let t = all.get(&None).cloned().unwrap_or_default();
            let n = if *y == year {
                national.clone()
            } else {
                national_for_year(phase, *y, false)
            };
            let label = if *y == year {
                window.clone()
            } else {
                year_label(*y)
            };
            let (ra, rt) = (Rates::of(a), Rates::of(&t));
            let rn = n.as_ref().map(|n| n.rates.clone()).unwrap_or_default();
            let x = i as f64;
            for (s, v) in series.iter_mut().zip([ra.absence, rt.absence, rn.absence]) {
                if let Some(v) = v {
                    s.push((x, v));
                }
            }
            trend_rows.push(vec![
                label.clone(),
                pct(ra.absence),
                pct(rt.absence),
                pct(rn.absence),
                pct(ra.pa),
                pct(rt.pa),
                pct(rn.pa),
                pct(ra.sa),
                n.map(|n| period_of(&n.label)).unwrap_or_else(|| "–".into()),
            ]);
            trend.push((label, ra));
        }
        let labels: Vec<String> = trend.iter().map(|(l, _)| l.clone()).collect();
        let names = |x: f64| labels.get(x.round() as usize).cloned().unwrap_or_default();
        let [a, t, n] = series;
        let trend_series = vec![
            Series {
                name: academy.name.clone(),
                points: a,
                colour: PALETTE[0],
                dashed: false,
            },
            Series {
                name: "Trust".into(),
                points: t,
                colour: PALETTE[1],
                dashed: false,
            },
            Series {
                name: "England".into(),
                points: n,
                colour: PALETTE[2],
                dashed: true,
            },
        ];
        let trend_svg = line(&LineChart {
            title: "Overall absence by year",
            x_label: "Academic year",
            y_label: "Absence",
            y_suffix: "%",
            x_names: &names,
            series: trend_series,
            width: 640,
            height: 300,
            description: format!(
                "Overall absence at {} each academic year, against the trust and England.",
                academy.name
            ),
        });
        // Gaps as staff see them (the pack is for staff: no suppression), with last year
        // and England.
        let open = queries::suppress::Mask::open();
        let gaps_now = trust_wide.groups(from, latest, scope)?;
        let gaps_last = match last_window {
            Some((f, t)) => trust_wide.groups(f, t, scope)?,
            None => Arc::new(summary::Sets::new()),
        };
        let gaps = summary::gaps(&gaps_now, &gaps_last, &mine, (&open, &open));
        let pp = crate::view::pp;
        let gap_rows: Vec<Vec<String>> = gaps
            .iter()
            .map(|g| {
                vec![
                    g.name.clone(),
                    pp(g.absence),
                    pp(g.pa),
                    pp(g.last_absence),
                    pp(g.national.map(|n| n.0)),
                    pp(g.national.map(|n| n.1)),
                ]
            })
            .collect();
        let gaps_svg = bar(&BarChart {
            title: "Absence gaps between groups",
            x_label: "Percentage points (group against its comparison)",
            bars: gaps.iter().map(|g| (g.name.clone(), g.absence)).collect(),
            reference: None,
            width: 640,
            description: format!(
                "The gap in overall absence for each pair of groups at {}, {window}, in percentage points.",
                academy.name
            ),
        });

        // Reasons: every absence code's sessions and share, against the trust's share.
        let reasons = figures::by_code(conn, from, latest, scope, Some(urn)).map_err(e)?;
        let trust_reasons = trust_wide.reasons(from, latest, scope)?;
        let total: u64 = reasons.iter().map(|r| r.3).sum();
        let trust_total: u64 = trust_reasons.iter().map(|r| r.3).sum();
        let share = |n: u64, of: u64| (of > 0).then(|| 100.0 * n as f64 / of as f64);
        let mut reason_rows: Vec<(u64, Vec<String>)> = reasons
            .iter()
            .map(|(code, meaning, authorised, n)| {
                let t = trust_reasons
                    .iter()
                    .find(|r| &r.0 == code)
                    .map_or(0, |r| r.3);
                (
                    *n,
                    vec![
                        format!("{code}: {meaning}"),
                        if *authorised {
                            "Authorised"
                        } else {
                            "Unauthorised"
                        }
                        .to_string(),
                        crate::format::count(*n),
                        pct(share(*n, total)),
                        pct(share(t, trust_total)),
                    ],
                )
            })
            .collect();
        reason_rows.sort_by_key(|r| std::cmp::Reverse(r.0));
        let reasons_svg = bar(&BarChart {
            title: "Absence by reason (share of absent sessions)",
            x_label: "Share of absent sessions, %",
            bars: reasons
                .iter()
                .filter(|r| r.3 > 0)
                .map(|r| (format!("{}: {}", r.0, r.1), share(r.3, total)))
                .take(10)
                .collect(),
            reference: None,
            width: 640,
            description: format!(
                "Each absence reason's share of absent sessions at {}, {window}.",
                academy.name
            ),
        });

        // PA and SA to the end of each half term, this year against last.
        let mut pa_rows = Vec::new();
        let mut half_names: Vec<String> = Vec::new();
        let mut pa_points: [Vec<(f64, f64)>; 2] = Default::default();
        let this_year = cal.year(year);
        let last_cal = cal.year(year - 1);
        if let Some(sy) = this_year {
            for (i, h) in sy
                .half_terms
                .iter()
                .enumerate()
                .filter(|(_, h)| h.from <= latest)
            {
                let to = h.to.min(latest);
                let now = academy_over(from, to)?
                    .map(|f| Rates::of(&f))
                    .unwrap_or_default();
                let last = match (
                    last_cal.and_then(|l| l.half_terms.get(i)),
                    cal.same_point_last_year(to),
                ) {
                    (Some(_), Some(lt)) => {
                        let lf = chrono::NaiveDate::from_ymd_opt(year - 1, 9, 1).ok_or("date")?;
                        academy_over(lf, lt)?.map(|f| Rates::of(&f))
                    }
                    _ => None,
                };
                let x = half_names.len() as f64;
                half_names.push(h.name.clone());
                for (points, v) in pa_points
                    .iter_mut()
                    .zip([now.pa, last.as_ref().and_then(|l| l.pa)])
                {
                    if let Some(v) = v {
                        points.push((x, v));
                    }
                }
                pa_rows.push(vec![
                    format!("To {} ({})", to.format("%-d %b %Y"), h.name),
                    pct(now.pa),
                    pct(last.as_ref().and_then(|l| l.pa)),
                    pct(now.sa),
                    pct(last.as_ref().and_then(|l| l.sa)),
                ]);
            }
        }

        let half_name = |x: f64| {
            half_names
                .get(x.round() as usize)
                .cloned()
                .unwrap_or_default()
        };
        let [pa_now, pa_last] = pa_points;
        let pa_svg = line(&LineChart {
            title: "Persistent absence, year to date at each half term",
            x_label: "Half term",
            y_label: "Persistently absent",
            y_suffix: "%",
            x_names: &half_name,
            series: vec![
                Series {
                    name: year_label(year),
                    points: pa_now,
                    colour: PALETTE[0],
                    dashed: false,
                },
                Series {
                    name: format!("{} (same point)", year_label(year - 1)),
                    points: pa_last,
                    colour: PALETTE[1],
                    dashed: true,
                },
            ],
            width: 640,
            height: 300,
            description: format!(
                "The share of pupils persistently absent at {}, year to date at the end of each half term, this year against last.",
                academy.name
            ),
        });

        // Alternative provision and reduced timetables.
        let placements = queries::provision::placements(conn, Some(urn)).map_err(e)?;
        let timetables = queries::provision::timetables(conn, Some(urn)).map_err(e)?;
        let counts = queries::provision::by_half_term(cals, &placements, &timetables, Some(urn));
        let provision_rows: Vec<Vec<String>> = counts
            .iter()
            .filter(|c| queries::calendar::academic_year(c.from) == year)
            .map(|c| {
                vec![
                    c.half_term.clone(),
                    c.ap.to_string(),
                    c.reduced_timetable.to_string(),
                ]
            })
            .collect();
        let active_ap: Vec<_> = placements.iter().filter(|p| p.active()).collect();
        let overdue = active_ap
            .iter()
            .filter(|p| p.contact_overdue(contact_limit))
            .count() as u64;
        let active_rt: Vec<_> = timetables.iter().filter(|t| t.active()).collect();
        let past_end = active_rt.iter().filter(|t| t.planned_end_passed()).count() as u64;
        let reviews = active_rt.iter().filter(|t| t.review_overdue()).count() as u64;
        let placed_sessions: u64 = active_ap.iter().map(|p| p.ap_sessions).sum();
        let placed_of: u64 = active_ap
            .iter()
            .map(|p| p.ap_sessions + p.absent_sessions)
            .sum();
        let provision_now = vec![
            vec![
                "On alternative provision now".into(),
                active_ap.len().to_string(),
            ],
            vec![
                "Attendance while placed (open placements)".into(),
                pct(share(placed_sessions, placed_of)),
            ],
            vec![
                format!("No welfare contact within {contact_limit} school days"),
                overdue.to_string(),
            ],
            vec![
                "On a reduced timetable now".into(),
                active_rt.len().to_string(),
            ],
            vec!["Past the planned end date".into(), past_end.to_string()],
            vec!["Review overdue".into(), reviews.to_string()],
        ];

        let (strengths, concerns) = queries::narrative::findings(&SefFacts {
            now: Rates::of(&now_f),
            last_year,
            trust: Some(trust),
            national,
            years: trend.clone(),
            gaps,
            overdue_contacts: overdue,
            contact_limit,
            timetables_past_end: past_end,
            reviews_overdue: reviews,
        });

        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let tables = vec![
            PackTable {
                key: "year-to-date".into(),
                title: format!("{window}: against last year, the trust and England"),
                head: s(&RATE_HEAD),
                rows: ytd_rows,
            },
            PackTable {
                key: "trend".into(),
                title: "Three-year trend".into(),
                head: s(&[
                    "Year",
                    "Absence",
                    "Trust",
                    "England",
                    "PA",
                    "Trust PA",
                    "England PA",
                    "SA",
                    "England's period",
                ]),
                rows: trend_rows,
            },
            PackTable {
                key: "persistent-absence".into(),
                title: "Persistent and severe absence, year to date at each half term".into(),
                head: s(&["", "PA", "PA last year", "SA", "SA last year"]),
                rows: pa_rows,
            },
            PackTable {
                key: "gaps".into(),
                title: "Gaps between groups, percentage points".into(),
                head: s(&[
                    "Gap",
                    "Absence",
                    "PA",
                    "Absence last year",
                    "England absence",
                    "England PA",
                ]),
                rows: gap_rows,
            },
            PackTable {
                key: "reasons".into(),
                title: "Reasons for absence".into(),
                head: s(&["Reason", "", "Sessions", "Share", "Trust share"]),
                rows: reason_rows.into_iter().map(|(_, r)| r).collect(),
            },
            PackTable {
                key: "provision".into(),
                title: "Alternative provision and reduced timetables now".into(),
                head: s(&["", "Pupils"]),
                rows: provision_now,
            },
            PackTable {
                key: "provision-by-half-term".into(),
                title: "Pupils on alternative provision and reduced timetables by half term".into(),
                head: s(&["Half term", "Alternative provision", "Reduced timetable"]),
                rows: provision_rows,
            },
        ];
        let charts = vec![
            PackChart {
                key: "trend".into(),
                chart: trend_svg,
            },
            PackChart {
                key: "persistent-absence".into(),
                chart: pa_svg,
            },
            PackChart {
                key: "gaps".into(),
                chart: gaps_svg,
            },
            PackChart {
                key: "reasons".into(),
                chart: reasons_svg,
            },
        ];
        Ok(Some(SefPack {
            academy,
            scope,
            window,
            from,
            to: latest,
            now: Rates::of(&now_f),
            strengths,
            concerns,
            tables,
            charts,
        }))
    }

    /// The pack as a document: headline, strengths and concerns, then each section.
    pub fn document(p: &SefPack) -> Document {
        let mut blocks = vec![
            Block::Title(format!("{}: attendance self-evaluation", p.academy.name)),
            Block::Subtitle(format!(
                "URN {} · {} · {} · {} ({} to {}) · {}",
                p.academy.urn,
                p.academy.phase,
                p.academy.local_authority,
                p.window,
                p.from.format("%-d %b %Y"),
                p.to.format("%-d %b %Y"),
                p.scope.label()
            )),
            Block::Text(format!(
                "Attendance {}, absence {}, persistently absent {}, severely absent {}.",
                pct(p.now.attendance),
                pct(p.now.absence),
                pct(p.now.pa),
                pct(p.now.sa)
            )),
            Block::Heading("Strengths".into()),
            Block::Bullets(or_none(&p.strengths)),
            Block::Heading("Concerns".into()),
            Block::Bullets(or_none(&p.concerns)),
        ];
        for t in &p.tables {
            blocks.push(Block::Heading(t.title.clone()));
            if let Some(c) = p.chart(&t.key) {
                blocks.push(Block::Chart(c.chart.svg.clone()));
            }
            blocks.push(Block::Table {
                head: t.head.clone(),
                rows: t.rows.clone(),
            });
        }
        blocks.push(Block::Note(NOTE.into()));
        Document {
            title: format!(
                "{}: attendance self-evaluation, {}",
                p.academy.name, p.window
            ),
            blocks,
        }
    }

    /// "2025/26 to date" from "England (primary, 2025/26 to date)".
    fn period_of(label: &str) -> String {
        label
            .rsplit_once(", ")
            .map_or(label, |(_, p)| p.trim_end_matches(')'))
            .to_string()
    }

    fn or_none(items: &[String]) -> Vec<String> {
        if items.is_empty() {
            vec!["None stand out from the figures.".into()]
        } else {
            items.to_vec()
        }
    }
}
