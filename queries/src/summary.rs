//! Termly summaries: for a term, each academy's (and the trust's) figures against the
//! previous term, the same term last year, the trust and England; its cohort gaps; its
//! pupils on alternative provision and reduced timetables; and the sentences
//! ([`crate::narrative`]) that say what changed. One query per window serves every
//! academy, so a trust of 60 costs the same handful of queries as one academy.

use std::collections::HashMap;

use chrono::NaiveDate;
use duckdb::Connection;

use crate::calendar::{Calendar, Calendars, Period};
use crate::cohorts::{self, GAPS};
use crate::suppress::Mask;
use crate::types::{
    AcademyRef, CohortFilter, CohortRow, Compared, Dimension, Figures, GapLine, GroupFigures,
    PlaceSummary, Rates, Scope, TermRef, Visibility,
};

fn slug(name: &str) -> String {
    name.to_lowercase().replace(' ', "-")
}

/// Every term the registers cover up to the latest loaded day, newest first.
pub fn terms(cal: &Calendar) -> Vec<TermRef> {
    let Some(latest) = cal.latest_day() else {
        return Vec::new();
    };
    let mut out: Vec<TermRef> = cal
        .years
        .iter()
        .flat_map(|y| y.terms.iter())
        .filter(|t| t.from <= latest)
        .map(|t| TermRef {
            slug: slug(&t.name),
            name: t.name.clone(),
            from: t.from,
            to: t.to.min(latest),
            in_progress: is_last_term_loaded(cal, t),
        })
        .collect();
    out.reverse();
    out
}

/// True when `t` is the last term the registers reach: it is shown "to" the latest
/// loaded day (a term is known complete once a later one has begun).
fn is_last_term_loaded(cal: &Calendar, t: &Period) -> bool {
    cal.years
        .last()
        .and_then(|y| y.terms.last())
        .is_some_and(|last| last.from == t.from)
}

/// The term before `term`, in any year.
fn previous_term(cal: &Calendar, term: &TermRef) -> Option<Period> {
    cal.years
        .iter()
        .flat_map(|y| y.terms.iter())
        .rfind(|t| t.to < term.from)
        .cloned()
}

/// The same term a year earlier: the whole term, or (while `term` is in progress) its
/// first weeks up to the same point.
fn last_year_term(cal: &Calendar, term: &TermRef) -> Option<(String, NaiveDate, NaiveDate)> {
    let season = term.name.split(' ').next()?;
    let year = crate::calendar::academic_year(term.from);
    let last = cal
        .year(year - 1)?
        .terms
        .iter()
        .find(|t| t.name.starts_with(season))?;
    if term.in_progress {
        let to = cal.same_point_last_year(term.to)?.min(last.to);
        Some((
            format!("{} to {}", last.name, to.format("%-d %b %Y")),
            last.from,
            to,
        ))
    } else {
        Some((last.name.clone(), last.from, last.to))
    }
}

/// England's figure to set beside a term: DfE's figures for the same academic year
/// where published (the autumn term alone for an autumn term), else the latest
/// published, with its period in the label.
pub fn national_for(phase: Option<&str>, term: &TermRef) -> Option<Compared> {
    national_for_year(
        phase,
        crate::calendar::academic_year(term.from),
        term.name.starts_with("Autumn"),
    )
}

/// England's figure for the academic year starting in `year` (`autumn`: the autumn
/// term alone), or the latest published for a later year.
pub fn national_for_year(phase: Option<&str>, year: i32, autumn: bool) -> Option<Compared> {
    let phase_name = crate::benchmarks::phase_of(phase.unwrap_or(""));
    let history = crate::benchmarks::national_history();
    let from_history = |period: &str| {
        history
            .iter()
            .find(|b| b.period == period && b.phase == phase_name)
            .cloned()
    };
    let ytd = || {
        crate::benchmarks::for_academy(phase.unwrap_or(""), "")
            .into_iter()
            .find(|b| b.level == "national")
    };
    let bench = match year {
        2022 => from_history("2022/23"),
        2023 => from_history("2023/24"),
        2024 if autumn => from_history("autumn 2024/25"),
        2024 => from_history("autumn and spring 2024/25"),
        y if y >= 2025 => ytd(),
        _ => None,
    }?;
    let phase_label = if phase_name == "Total" {
        "all schools".to_string()
    } else {
        phase_name.to_lowercase()
    };
    Some(Compared {
        label: format!("England ({phase_label}, {})", bench.period),
        rates: Rates::of_benchmark(&bench),
    })
}

pub type Sets = HashMap<(Option<String>, Dimension), Vec<GroupFigures>>;

pub fn sets(rows: Vec<CohortRow>) -> Sets {
    let mut out: Sets = HashMap::new();
    for r in rows {
        if let Some(d) = r.dimension {
            out.entry((r.urn, d)).or_default().push(GroupFigures {
                group: r.group,
                figures: r.figures,
            });
        }
    }
    out
}

/// A gap's two groups as the viewer may see them through `mask`: (of, against, either
/// suppressed).
fn pair(
    sets: &Sets,
    urn: &Option<String>,
    d: Dimension,
    of: &str,
    against: &str,
    mask: &Mask,
) -> (Option<Figures>, Option<Figures>, bool) {
    let Some(groups) = sets.get(&(urn.clone(), d)) else {
        return (None, None, false);
    };
    let find = |g: &str| match groups.iter().find(|x| x.group == g) {
        None => (None, false),
        Some(x) => {
            let seen = mask.figures(urn.as_deref(), Some(d), g, &x.figures);
            let hidden = seen.is_none();
            (seen, hidden)
        }
    };
    let ((a, ha), (b, hb)) = (find(of), find(against));
    (a, b, ha || hb)
}

fn gap_of(
    a: &Option<Figures>,
    b: &Option<Figures>,
    rate: fn(&Figures) -> Option<f64>,
) -> Option<f64> {
    Some(rate(a.as_ref()?)? - rate(b.as_ref()?)?)
}

/// Gaps for one place, as the viewer may see them through the windows' masks (this
/// window's and last year's; `Mask::open()` for staff).
pub fn gaps(
    now: &Sets,
    last: &Sets,
    urn: &Option<String>,
    (now_mask, last_mask): (&Mask, &Mask),
) -> Vec<GapLine> {
    GAPS.iter()
        .map(|def| {
            let (a, b, suppressed) = pair(now, urn, def.dimension, def.of, def.against, now_mask);
            let (la, lb, _) = pair(last, urn, def.dimension, def.of, def.against, last_mask);
            GapLine {
                name: def.name.to_string(),
                of_label: def.dimension.group_label(def.of),
                against_label: def.dimension.group_label(def.against),
                absence: gap_of(&a, &b, Figures::absence_rate),
                pa: gap_of(&a, &b, Figures::pa_rate),
                last_absence: gap_of(&la, &lb, Figures::absence_rate),
                suppressed,
                national: crate::benchmarks::national_gap(def.dimension, def.of, def.against),
            }
        })
        .collect()
}

/// Figures for every academy and the trust (under `None`) over one window.
pub fn by_place(
    conn: &Connection,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
) -> Result<HashMap<Option<String>, Figures>, duckdb::Error> {
    by_place_in(conn, &crate::figures::all_alike(from, to), from, to, scope)
}

/// [`by_place`] over each academy's own window (`spec`, spanning `from`..`to`).
pub fn by_place_in(
    conn: &Connection,
    spec: &str,
    from: NaiveDate,
    to: NaiveDate,
    scope: Scope,
) -> Result<HashMap<Option<String>, Figures>, duckdb::Error> {
    let (academies, trust) = crate::figures::by_academy_in(conn, spec, from, to, scope)?;
    let mut out: HashMap<Option<String>, Figures> = academies
        .into_iter()
        .map(|(a, f)| (Some(a.urn), f))
        .collect();
    out.insert(None, trust);
    Ok(out)
}

/// What a summary is asked for.
pub struct Request<'a> {
    pub term: &'a TermRef,
    pub scope: Scope,
    /// The places, in order: `None` is the trust.
    pub places: &'a [Option<AcademyRef>],
    pub trust_name: &'a str,
    pub viewer: &'a Visibility,
    pub threshold: u64,
}

/// Each academy's own dates for a term of the trust's calendar (the term of the same
/// name on the academy's calendar; to its latest day while in progress), its previous
/// term and the same term last year: `academy_windows` specs with their spans.
struct OwnTerms {
    now: (String, NaiveDate, NaiveDate),
    /// Each academy's own dates for the term.
    dates: HashMap<String, (NaiveDate, NaiveDate)>,
    previous: Option<(String, NaiveDate, NaiveDate)>,
    last_year: Option<(String, NaiveDate, NaiveDate)>,
}

fn own_terms(cals: &Calendars, term: &TermRef) -> OwnTerms {
    let mut now = Vec::new();
    let mut dates = HashMap::new();
    let mut previous = Vec::new();
    let mut last_year = Vec::new();
    for (urn, cal) in &cals.academies {
        let Some(latest) = cal.latest_day() else {
            continue;
        };
        let Some(own) = cal
            .years
            .iter()
            .flat_map(|y| y.terms.iter())
            .find(|t| t.name == term.name && t.from <= latest)
        else {
            continue;
        };
        let mine = TermRef {
            slug: term.slug.clone(),
            name: own.name.clone(),
            from: own.from,
            to: own.to.min(latest),
            in_progress: is_last_term_loaded(cal, own),
        };
        now.push((urn.as_str(), mine.from, mine.to));
        dates.insert(urn.clone(), (mine.from, mine.to));
        if let Some(p) = previous_term(cal, &mine) {
            previous.push((urn.as_str(), p.from, p.to));
        }
        if let Some((_, f, t)) = last_year_term(cal, &mine) {
            last_year.push((urn.as_str(), f, t));
        }
    }
    let spanned = |spans: Vec<(&str, NaiveDate, NaiveDate)>| {
        let from = spans.iter().map(|s| s.1).min()?;
        let to = spans.iter().map(|s| s.2).max()?;
        Some((crate::calendar::spec(spans.into_iter()), from, to))
    };
    OwnTerms {
        now: spanned(now).unwrap_or_else(|| {
            (
                crate::figures::all_alike(term.from, term.to),
                term.from,
                term.to,
            )
        }),
        dates,
        previous: spanned(previous),
        last_year: spanned(last_year),
    }
}

/// A summary per place asked for, each with its sentences. Each academy's figures are
/// over its own dates for the term (its own calendar); the trust's are their sum.
pub fn summaries(
    conn: &Connection,
    cals: &Calendars,
    req: &Request<'_>,
) -> Result<Vec<PlaceSummary>, duckdb::Error> {
    let cal: &Calendar = &cals.trust;
    let term = req.term;
    let own = own_terms(cals, term);
    let now = by_place_in(conn, &own.now.0, own.now.1, own.now.2, req.scope)?;
    let previous = match (previous_term(cal, term), &own.previous) {
        (Some(p), Some((spec, f, t))) => {
            Some((p.name.clone(), by_place_in(conn, spec, *f, *t, req.scope)?))
        }
        _ => None,
    };
    let last_year = match (last_year_term(cal, term), &own.last_year) {
        (Some((name, _, _)), Some((spec, f, t))) => {
            Some((name, *f, *t, by_place_in(conn, spec, *f, *t, req.scope)?))
        }
        _ => None,
    };
    // Each window's groups, and what the viewer may see of them: one mask per window
    // (this term, the previous term, last year's), so that nothing one part of the
    // summary hides another shows.
    let filter = CohortFilter::default();
    let groups_of =
        |w: &Option<(String, NaiveDate, NaiveDate)>| -> Result<Vec<CohortRow>, duckdb::Error> {
            match w {
                Some((spec, f, t)) => {
                    cohorts::figures_in(conn, spec, *f, *t, req.scope, None, &filter)
                }
                None => Ok(Vec::new()),
            }
        };
    let masked = |rows: &[CohortRow]| match req.viewer.threshold() {
        Some(_) => Mask::protect(rows, req.viewer),
        None => Mask::open(),
    };
    let rows_now = groups_of(&Some(own.now.clone()))?;
    let rows_last = match &last_year {
        Some(_) => groups_of(&own.last_year)?,
        None => Vec::new(),
    };
    let rows_previous = match (&previous, req.viewer.threshold()) {
        (Some(_), Some(_)) => groups_of(&own.previous)?,
        _ => Vec::new(),
    };
    let (mask_now, mask_last, mask_previous) = (
        masked(&rows_now),
        masked(&rows_last),
        masked(&rows_previous),
    );
    let gaps_now = sets(rows_now);
    let gaps_last = sets(rows_last);
    let placements = crate::provision::placements(conn, None)?;
    let timetables = crate::provision::timetables(conn, None)?;
    // In force during the term: the pupil's academy's own dates for it.
    let in_term = |urn: &str, start: NaiveDate, end: Option<NaiveDate>| {
        let (from, to) = own.dates.get(urn).copied().unwrap_or((term.from, term.to));
        start <= to && end.is_none_or(|e| e >= from)
    };
    // Pupils on AP and reduced timetables in the term, by academy and for the trust,
    // protected together (the trust's count is their sum).
    let places: Vec<Option<String>> = now.keys().cloned().collect();
    let on = |urn: &Option<String>, rt: bool| -> u64 {
        let mine = |u: &str| urn.as_deref().is_none_or(|x| x == u);
        if rt {
            timetables
                .iter()
                .filter(|t| mine(&t.pupil.urn) && in_term(&t.pupil.urn, t.start_date, t.end_date))
                .count() as u64
        } else {
            placements
                .iter()
                .filter(|p| mine(&p.pupil.urn) && in_term(&p.pupil.urn, p.start_date, p.end_date))
                .count() as u64
        }
    };
    let counts = |rt: bool| -> HashMap<Option<String>, Option<u64>> {
        let n: Vec<(Option<String>, u64)> = places.iter().map(|u| (u.clone(), on(u, rt))).collect();
        let hidden = crate::suppress::by_place(&n, req.viewer);
        n.into_iter()
            .zip(hidden)
            .map(|((u, n), h)| (u, (!h).then_some(n)))
            .collect()
    };
    let (ap_counts, rt_counts) = (counts(false), counts(true));
    let mut out = Vec::new();
    for place in req.places {
        let urn = place.as_ref().map(|a| a.urn.clone());
        let Some(figures) = now.get(&urn) else {
            continue;
        };
        let u = urn.as_deref();
        let figures = &mask_now.shown(u, None, "All", figures);
        let phase = place.as_ref().map(|a| a.phase.clone());
        let mut s = PlaceSummary {
            name: place
                .as_ref()
                .map_or_else(|| req.trust_name.to_string(), |a| a.name.clone()),
            urn: urn.clone(),
            phase: phase.clone(),
            term: term.clone(),
            scope: req.scope,
            now: Rates::of(figures),
            previous: previous.as_ref().and_then(|(name, m)| {
                m.get(&urn).map(|f| Compared {
                    label: name.clone(),
                    rates: Rates::of(&mask_previous.shown(u, None, "All", f)),
                })
            }),
            last_year: last_year.as_ref().and_then(|(name, _, _, m)| {
                m.get(&urn).map(|f| Compared {
                    label: name.clone(),
                    rates: Rates::of(&mask_last.shown(u, None, "All", f)),
                })
            }),
            // The trust beside an academy, for those who see the trust.
            trust: urn.as_ref().and_then(|_| {
                now.get(&None)
                    .and_then(|f| mask_now.figures(None, None, "All", f))
                    .filter(|_| req.viewer.threshold().is_none() || req.viewer.sees_trust())
                    .map(|f| Compared {
                        label: "The trust".to_string(),
                        rates: Rates::of(&f),
                    })
            }),
            national: national_for(phase.as_deref(), term),
            gaps: gaps(&gaps_now, &gaps_last, &urn, (&mask_now, &mask_last)),
            ap: ap_counts.get(&urn).copied().flatten().into(),
            reduced_timetable: rt_counts.get(&urn).copied().flatten().into(),
            sentences: Vec::new(),
        };
        s.sentences = crate::narrative::sentences(&s, req.threshold);
        out.push(s);
    }
    Ok(out)
}
