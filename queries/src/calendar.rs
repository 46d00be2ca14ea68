//! School calendars, read from the data: the days on which registers were taken, split
//! into half terms at breaks of a week or more and into terms at breaks of two weeks or
//! more (Christmas, Easter). Extracts carry no term dates, so this is what the registers
//! themselves say. Each academy has its own ([`Calendars`]): academies in one trust sit
//! in different local authorities with different half terms, so every named window
//! ("this half term", "the same point last year") is resolved per academy, and the
//! trust's figures are the sum of its academies' own windows.

use std::collections::BTreeMap;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A half-term break is at least a week; the Christmas and Easter breaks at least two.
const HALF_TERM_GAP: i64 = 7;
const TERM_GAP: i64 = 14;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One academic year of school days, with its terms and half terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolYear {
    /// The calendar year it starts in.
    pub start_year: i32,
    pub days: Vec<NaiveDate>,
    pub half_terms: Vec<Period>,
    pub terms: Vec<Period>,
}

pub fn academic_year(date: NaiveDate) -> i32 {
    if date.month() >= 9 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// 1 September of the academic year that starts in `start_year`.
pub fn year_start(start_year: i32) -> NaiveDate {
    NaiveDate::from_ymd_opt(start_year, 9, 1).expect("1 September")
}

/// `2025` as `2025/26`.
pub fn year_label(start_year: i32) -> String {
    format!("{start_year}/{:02}", (start_year + 1) % 100)
}

fn term_name(first_day: NaiveDate) -> &'static str {
    match first_day.month() {
        8..=12 => "Autumn",
        1..=3 => "Spring",
        _ => "Summer",
    }
}

/// Monday of the week holding `date`.
pub fn week_start(date: NaiveDate) -> NaiveDate {
    date - Duration::days(date.weekday().num_days_from_monday() as i64)
}

impl SchoolYear {
    fn from_days(start_year: i32, days: Vec<NaiveDate>) -> SchoolYear {
        let mut segments: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        for &d in &days {
            match segments.last_mut() {
                Some((_, to)) if (d - *to).num_days() < HALF_TERM_GAP => *to = d,
                _ => segments.push((d, d)),
            }
        }
        type Span = (NaiveDate, NaiveDate);
        let mut terms: Vec<(Span, Vec<Span>)> = Vec::new();
        for seg in segments {
            match terms.last_mut() {
                Some(((_, to), halves)) if (seg.0 - *to).num_days() < TERM_GAP => {
                    *to = seg.1;
                    halves.push(seg);
                }
                _ => terms.push((seg, vec![seg])),
            }
        }
        let mut half_terms = Vec::new();
        let mut term_periods = Vec::new();
        for ((from, to), halves) in terms {
            let name = term_name(from);
            let year = if name == "Autumn" {
                start_year
            } else {
                start_year + 1
            };
            term_periods.push(Period {
                name: format!("{name} {year}"),
                from,
                to,
            });
            for (i, (hf, ht)) in halves.iter().enumerate() {
                half_terms.push(Period {
                    name: format!("{name} {} {year}", i + 1),
                    from: *hf,
                    to: *ht,
                });
            }
        }
        SchoolYear {
            start_year,
            days,
            half_terms,
            terms: term_periods,
        }
    }

    /// Index of the school week (0 = the year's first) holding `date`.
    pub fn school_week(&self, date: NaiveDate) -> Option<usize> {
        let weeks = self.week_starts();
        let ws = week_start(date);
        weeks.iter().position(|w| *w == ws).or_else(|| {
            // A date in a holiday: the last school week before it.
            weeks.iter().rposition(|w| *w <= ws)
        })
    }

    /// The Monday of every week with at least one school day.
    pub fn week_starts(&self) -> Vec<NaiveDate> {
        let mut out: Vec<NaiveDate> = self.days.iter().map(|d| week_start(*d)).collect();
        out.dedup();
        out
    }
}

/// The school calendar: every academic year the registers cover.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    pub years: Vec<SchoolYear>,
}

impl Calendar {
    /// Builds the calendar from school days (dates with a possible session), in order.
    pub fn from_days(days: &[NaiveDate]) -> Calendar {
        let mut years: Vec<SchoolYear> = Vec::new();
        let mut current: Vec<NaiveDate> = Vec::new();
        let mut year = None;
        for &d in days {
            let y = academic_year(d);
            if year != Some(y) {
                if let Some(prev) = year {
                    years.push(SchoolYear::from_days(prev, std::mem::take(&mut current)));
                }
                year = Some(y);
            }
            current.push(d);
        }
        if let Some(prev) = year {
            years.push(SchoolYear::from_days(prev, current));
        }
        Calendar { years }
    }

    pub fn year(&self, start_year: i32) -> Option<&SchoolYear> {
        self.years.iter().find(|y| y.start_year == start_year)
    }

    pub fn latest_day(&self) -> Option<NaiveDate> {
        self.years.last().and_then(|y| y.days.last().copied())
    }

    /// School days from `from` to `to`, both counted.
    pub fn days_between(&self, from: NaiveDate, to: NaiveDate) -> u64 {
        self.years
            .iter()
            .flat_map(|y| y.days.iter())
            .filter(|d| (from..=to).contains(*d))
            .count() as u64
    }

    /// `date` moved to the same school week and weekday one academic year earlier.
    ///
    /// A date before the year's first school week (1 September, in most years: the
    /// year-to-date window starts there whatever weekday it is) moves to the same
    /// number of days after 1 September of the year before, no later than that year's
    /// first school day, so that the window it starts covers the same school weeks.
    /// `None` when either year has no school days loaded.
    pub fn same_point_last_year(&self, date: NaiveDate) -> Option<NaiveDate> {
        let this = self.year(academic_year(date))?;
        let last = self.year(academic_year(date) - 1)?;
        let weeks = last.week_starts();
        let first_week = *this.week_starts().first()?;
        let last_first_day = *last.days.first()?;
        if date < first_week {
            let since_start = (date - year_start(this.start_year)).num_days();
            let moved = year_start(last.start_year) + Duration::days(since_start);
            return Some(moved.min(last_first_day));
        }
        let week = this.school_week(date)?;
        let monday = *weeks.get(week).or(weeks.last())?;
        let offset = (date - week_start(date)).num_days();
        Some(monday + Duration::days(offset))
    }
}

/// The window a page or API call asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum WindowKind {
    #[default]
    YearToDate,
    ThisTerm,
    LastTerm,
    HalfTerm,
    Week,
    Custom,
}

impl WindowKind {
    pub const ALL: [WindowKind; 6] = [
        WindowKind::YearToDate,
        WindowKind::ThisTerm,
        WindowKind::LastTerm,
        WindowKind::HalfTerm,
        WindowKind::Week,
        WindowKind::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            WindowKind::YearToDate => "ytd",
            WindowKind::ThisTerm => "term",
            WindowKind::LastTerm => "last-term",
            WindowKind::HalfTerm => "half-term",
            WindowKind::Week => "week",
            WindowKind::Custom => "custom",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            WindowKind::YearToDate => "Year to date",
            WindowKind::ThisTerm => "This term",
            WindowKind::LastTerm => "Last term",
            WindowKind::HalfTerm => "This half term",
            WindowKind::Week => "Last week",
            WindowKind::Custom => "Custom dates",
        }
    }

    pub fn parse(s: &str) -> Option<WindowKind> {
        WindowKind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// A resolved window: its dates, a name for people, and last year's aligned window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub kind: WindowKind,
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The same window a year earlier, aligned by school week (none before the data).
    pub last_year: Option<(NaiveDate, NaiveDate)>,
}

/// Resolves `kind` against the calendar; `custom` needs `from` and `to`.
pub fn resolve(
    cal: &Calendar,
    kind: WindowKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Window, String> {
    let latest = cal
        .latest_day()
        .ok_or_else(|| "no attendance has been loaded yet".to_string())?;
    let year = cal
        .year(academic_year(latest))
        .expect("the latest day's year");
    let term_of = |d: NaiveDate| year.terms.iter().rposition(|t| t.from <= d);
    let (name, from, to) = match kind {
        WindowKind::YearToDate => (
            format!("{} to date", year_label(year.start_year)),
            year_start(year.start_year),
            latest,
        ),
        WindowKind::ThisTerm => {
            let t = &year.terms[term_of(latest).unwrap_or(0)];
            (format!("{} to date", t.name), t.from, latest)
        }
        WindowKind::LastTerm => {
            let i = term_of(latest).unwrap_or(0);
            let t = if i > 0 {
                year.terms[i - 1].clone()
            } else {
                cal.year(year.start_year - 1)
                    .and_then(|y| y.terms.last().cloned())
                    .ok_or_else(|| "no term before this one is loaded".to_string())?
            };
            (t.name.clone(), t.from, t.to)
        }
        WindowKind::HalfTerm => {
            let h = year
                .half_terms
                .iter()
                .rfind(|h| h.from <= latest)
                .expect("a half term");
            (format!("{} to date", h.name), h.from, latest)
        }
        WindowKind::Week => {
            let monday = week_start(latest);
            (
                format!("Week beginning {}", monday.format("%-d %b %Y")),
                monday,
                monday + Duration::days(6),
            )
        }
        WindowKind::Custom => {
            let (Some(f), Some(t)) = (from, to) else {
                return Err("custom dates need both from and to".into());
            };
            if t < f {
                return Err(format!("to ({t}) is before from ({f})"));
            }
            (
                format!("{} to {}", f.format("%-d %b %Y"), t.format("%-d %b %Y")),
                f,
                t,
            )
        }
    };
    let last_year = match (cal.same_point_last_year(from), cal.same_point_last_year(to)) {
        (Some(f), Some(t)) => Some((f, t)),
        _ => None,
    };
    Ok(Window {
        kind,
        name,
        from,
        to,
        last_year,
    })
}

/// Every academy's own calendar, and the trust's (all academies' school days together:
/// what "the latest day loaded" means for the trust).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendars {
    pub trust: Calendar,
    pub academies: BTreeMap<String, Calendar>,
}

impl Calendars {
    /// From (URN, school day) pairs in date order.
    pub fn from_days(days: &[(String, NaiveDate)]) -> Calendars {
        let mut all: Vec<NaiveDate> = days.iter().map(|(_, d)| *d).collect();
        all.dedup();
        let mut by_academy: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
        for (urn, d) in days {
            by_academy.entry(urn.clone()).or_default().push(*d);
        }
        Calendars {
            trust: Calendar::from_days(&all),
            academies: by_academy
                .into_iter()
                .map(|(urn, days)| (urn, Calendar::from_days(&days)))
                .collect(),
        }
    }

    /// Adds term dates the trust config names for academies whose registers cannot
    /// tell (a new academy): each span (first and last day of a half term) gives its
    /// weekdays, up to the trust's latest day, in academic years where the academy has
    /// no registers. The registers win otherwise.
    pub fn with_term_dates(
        mut self,
        dates: &BTreeMap<String, Vec<(NaiveDate, NaiveDate)>>,
    ) -> Calendars {
        let Some(latest) = self.trust.latest_day() else {
            return self;
        };
        for (urn, spans) in dates {
            let mut days: Vec<NaiveDate> = self
                .academies
                .get(urn)
                .map(|c| {
                    c.years
                        .iter()
                        .flat_map(|y| y.days.iter().copied())
                        .collect()
                })
                .unwrap_or_default();
            let registered: Vec<i32> = self
                .academies
                .get(urn)
                .map(|c| c.years.iter().map(|y| y.start_year).collect())
                .unwrap_or_default();
            for (from, to) in spans {
                days.extend(
                    from.iter_days()
                        .take_while(|d| d <= to && *d <= latest)
                        .filter(|d| is_weekday(*d) && !registered.contains(&academic_year(*d))),
                );
            }
            days.sort();
            days.dedup();
            if !days.is_empty() {
                self.academies
                    .insert(urn.clone(), Calendar::from_days(&days));
            }
        }
        self
    }

    /// The academy's own calendar; the trust's for one with no registers loaded.
    pub fn of(&self, urn: &str) -> &Calendar {
        self.academies.get(urn).unwrap_or(&self.trust)
    }

    /// Whether every academy's terms and half terms are the trust's.
    pub fn shared(&self) -> bool {
        let periods = |c: &Calendar| -> Vec<(NaiveDate, NaiveDate)> {
            c.years
                .iter()
                .flat_map(|y| y.half_terms.iter().map(|h| (h.from, h.to)))
                .collect()
        };
        let trust = periods(&self.trust);
        self.academies.values().all(|c| periods(c) == trust)
    }
}

/// A `Calendars` reads as the trust's calendar where one calendar is asked for (the
/// trust's latest day, its terms for the trust-wide lists); per-academy questions go
/// through [`Calendars::of`].
impl std::ops::Deref for Calendars {
    type Target = Calendar;

    fn deref(&self) -> &Calendar {
        &self.trust
    }
}

/// One academy's resolved window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AcademyWindow {
    pub urn: String,
    pub window: Window,
}

/// A named window resolved for each academy on its own calendar: the trust's figures
/// are the sum of these.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Windows {
    pub kind: WindowKind,
    /// For people: the window's name when every academy's is the same, else the kind
    /// ("This half term, each academy's own"; `from`..`to` give the span).
    pub name: String,
    /// The earliest start and the latest end of any academy's window.
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Whether every academy's dates are the same.
    pub same_dates: bool,
    pub academies: Vec<AcademyWindow>,
}

impl Windows {
    /// The academy's own window, if it has one.
    pub fn of(&self, urn: &str) -> Option<&Window> {
        self.academies
            .iter()
            .find(|a| a.urn == urn)
            .map(|a| &a.window)
    }

    /// Each academy's dates as the SQL macro `academy_windows` reads them:
    /// `URN:from:to` joined by `;` (a bound parameter, never spliced).
    pub fn spec(&self) -> String {
        spec(
            self.academies
                .iter()
                .map(|a| (a.urn.as_str(), a.window.from, a.window.to)),
        )
    }

    /// The same for each academy's window last year (academies with none left out),
    /// with the earliest start and latest end; `None` when no academy has one.
    pub fn last_year(&self) -> Option<(String, NaiveDate, NaiveDate)> {
        let spans: Vec<(&str, NaiveDate, NaiveDate)> = self
            .academies
            .iter()
            .filter_map(|a| a.window.last_year.map(|(f, t)| (a.urn.as_str(), f, t)))
            .collect();
        let from = spans.iter().map(|s| s.1).min()?;
        let to = spans.iter().map(|s| s.2).max()?;
        Some((spec(spans.into_iter()), from, to))
    }
}

/// `URN:from:to;...` for the SQL macro `academy_windows`.
pub fn spec<'a>(spans: impl Iterator<Item = (&'a str, NaiveDate, NaiveDate)>) -> String {
    spans
        .map(|(urn, f, t)| format!("{urn}:{f}:{t}"))
        .collect::<Vec<_>>()
        .join(";")
}

/// Resolves `kind` for every academy on its own calendar (`custom`: the same dates for
/// all). An academy whose calendar cannot give the window (no earlier term loaded for
/// "last term") is left out of it, and so is one whose registers stop in an earlier
/// academic year than the trust's (its "year to date" would be a year gone), or, for
/// "last week", more than a fortnight before the trust's latest day.
pub fn resolve_each(
    cals: &Calendars,
    kind: WindowKind,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Windows, String> {
    let trust = resolve(&cals.trust, kind, from, to)?;
    let trust_latest = cals.trust.latest_day().unwrap_or(trust.to);
    let current = |latest: NaiveDate| match kind {
        WindowKind::Custom => true,
        WindowKind::Week => {
            academic_year(latest) == academic_year(trust_latest)
                && (trust_latest - latest).num_days() <= 14
        }
        _ => academic_year(latest) == academic_year(trust_latest),
    };
    let mut academies = Vec::new();
    for (urn, cal) in &cals.academies {
        if !cal.latest_day().is_some_and(current) {
            continue;
        }
        if let Ok(window) = resolve(cal, kind, from, to) {
            academies.push(AcademyWindow {
                urn: urn.clone(),
                window,
            });
        }
    }
    if academies.is_empty() {
        return Err(format!(
            "no academy has {} loaded",
            kind.label().to_lowercase()
        ));
    }
    let from = academies
        .iter()
        .map(|a| a.window.from)
        .min()
        .unwrap_or(trust.from);
    let to = academies
        .iter()
        .map(|a| a.window.to)
        .max()
        .unwrap_or(trust.to);
    let first = &academies[0].window;
    let same_dates = academies
        .iter()
        .all(|a| a.window.from == first.from && a.window.to == first.to);
    let name = if same_dates {
        first.name.clone()
    } else {
        format!("{}, each academy's own", kind.label())
    };
    Ok(Windows {
        kind,
        name,
        from,
        to,
        same_dates,
        academies,
    })
}

/// True for Monday..Friday.
pub fn is_weekday(d: NaiveDate) -> bool {
    !matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// Weekdays from `a` to `b`, inclusive.
    fn weekdays(a: NaiveDate, b: NaiveDate) -> Vec<NaiveDate> {
        let mut out = Vec::new();
        let mut x = a;
        while x <= b {
            if is_weekday(x) {
                out.push(x);
            }
            x += Duration::days(1);
        }
        out
    }

    fn two_years() -> Calendar {
        let mut days = Vec::new();
        for (a, b) in [
            (d(2024, 9, 4), d(2024, 10, 25)),
            (d(2024, 11, 4), d(2024, 12, 20)),
            (d(2025, 1, 7), d(2025, 2, 14)),
            (d(2025, 2, 24), d(2025, 4, 11)),
            (d(2025, 4, 28), d(2025, 5, 23)),
            (d(2025, 6, 2), d(2025, 7, 22)),
            (d(2025, 9, 3), d(2025, 10, 24)),
            (d(2025, 11, 3), d(2025, 11, 20)),
        ] {
            days.extend(weekdays(a, b).into_iter().filter(|x| *x != d(2025, 5, 5)));
        }
        Calendar::from_days(&days)
    }

    /// An English-style school year starting in `y`: term starts on the first
    /// Wednesday on or after 3 September, a week's half term late in October, two
    /// weeks at Christmas; then to `until` December only (enough for the tests).
    fn autumn_days(y: i32, until: u32) -> Vec<NaiveDate> {
        let mut start = d(y, 9, 3);
        while start.weekday() != Weekday::Wed {
            start += Duration::days(1);
        }
        let half_term = week_start(d(y, 10, 24));
        let mut days = weekdays(start, half_term - Duration::days(3));
        days.extend(weekdays(half_term + Duration::days(7), d(y, 12, until)));
        days
    }

    #[test]
    fn the_same_point_last_year_exists_whatever_weekday_1_september_is() {
        for y in 2022..=2030 {
            let mut days = autumn_days(y - 1, 20);
            days.extend(autumn_days(y, 10));
            let cal = Calendar::from_days(&days);
            let latest = cal.latest_day().unwrap();
            let ytd = resolve(&cal, WindowKind::YearToDate, None, None).unwrap();
            assert_eq!(ytd.from, d(y, 9, 1), "{y}");
            let (from, to) = ytd
                .last_year
                .unwrap_or_else(|| panic!("{y}: no comparison with last year"));
            // The window starts in September last year, before any school day...
            let last_first_day = cal.year(y - 1).unwrap().days[0];
            assert!(
                from >= d(y - 1, 9, 1) && from <= last_first_day,
                "{y}: {from}"
            );
            // ...and ends on the same weekday of the same school week.
            assert_eq!(to.weekday(), latest.weekday(), "{y}");
            let this = cal.year(y).unwrap();
            let last = cal.year(y - 1).unwrap();
            assert_eq!(
                this.school_week(latest),
                last.school_week(to),
                "{y}: school week of {latest} and {to}"
            );
            // Last year's window holds as many school weeks as this year's.
            let weeks_in = |year: &SchoolYear, a: NaiveDate, b: NaiveDate| {
                year.week_starts()
                    .iter()
                    .filter(|w| **w + Duration::days(4) >= a && **w <= b)
                    .count()
            };
            assert_eq!(
                weeks_in(this, ytd.from, ytd.to),
                weeks_in(last, from, to),
                "{y}"
            );
            // Every named window has its comparison too.
            for kind in [WindowKind::ThisTerm, WindowKind::HalfTerm, WindowKind::Week] {
                let w = resolve(&cal, kind, None, None).unwrap();
                assert!(w.last_year.is_some(), "{y} {kind:?}");
            }
        }
    }

    #[test]
    fn no_comparison_without_a_previous_year() {
        let cal = Calendar::from_days(&autumn_days(2026, 10));
        let ytd = resolve(&cal, WindowKind::YearToDate, None, None).unwrap();
        assert_eq!(ytd.last_year, None);
    }

    /// Two academies a week apart: A breaks 21-25 October 2024, B 28 October to 1
    /// November; both break 23 December to 3 January, and have 2023/24 too.
    fn two_academies() -> Calendars {
        let mut days: Vec<(String, NaiveDate)> = Vec::new();
        for (urn, half_term) in [("A", d(2024, 10, 21)), ("B", d(2024, 10, 28))] {
            let mut mine = autumn_days(2023, 20);
            mine.extend(weekdays(d(2024, 9, 4), half_term - Duration::days(3)));
            mine.extend(weekdays(half_term + Duration::days(7), d(2024, 12, 20)));
            mine.extend(weekdays(d(2025, 1, 6), d(2025, 1, 15)));
            days.extend(mine.into_iter().map(|x| (urn.to_string(), x)));
        }
        days.sort_by_key(|(_, x)| *x);
        Calendars::from_days(&days)
    }

    #[test]
    fn each_academy_has_its_own_half_terms() {
        let cals = two_academies();
        // The union has no week-long break in October: one long first half term.
        let trust = cals.trust.year(2024).unwrap();
        assert_eq!(
            (trust.half_terms[0].from, trust.half_terms[0].to),
            (d(2024, 9, 4), d(2024, 12, 20))
        );
        assert!(!cals.shared());
        let a = cals.of("A").year(2024).unwrap();
        let b = cals.of("B").year(2024).unwrap();
        assert_eq!(
            a.half_terms
                .iter()
                .map(|h| (h.name.as_str(), h.from, h.to))
                .collect::<Vec<_>>(),
            vec![
                ("Autumn 1 2024", d(2024, 9, 4), d(2024, 10, 18)),
                ("Autumn 2 2024", d(2024, 10, 28), d(2024, 12, 20)),
                ("Spring 1 2025", d(2025, 1, 6), d(2025, 1, 15)),
            ]
        );
        assert_eq!(b.half_terms[0].to, d(2024, 10, 25));
        assert_eq!(b.half_terms[1].from, d(2024, 11, 4));
    }

    #[test]
    fn every_named_window_resolves_per_academy() {
        let cals = two_academies();
        let each = |kind| resolve_each(&cals, kind, None, None).unwrap();
        // Both academies are in Spring 1 on 15 January: the same dates.
        let ytd = each(WindowKind::YearToDate);
        assert!(ytd.same_dates);
        assert_eq!((ytd.from, ytd.to), (d(2024, 9, 1), d(2025, 1, 15)));
        assert_eq!(ytd.name, "2024/25 to date");
        let term = each(WindowKind::ThisTerm);
        assert_eq!((term.from, term.to), (d(2025, 1, 6), d(2025, 1, 15)));
        let week = each(WindowKind::Week);
        assert_eq!((week.from, week.to), (d(2025, 1, 13), d(2025, 1, 19)));
        // Last term is the whole autumn for both.
        let last = each(WindowKind::LastTerm);
        assert_eq!(
            (last.of("A").unwrap().from, last.of("B").unwrap().to),
            (d(2024, 9, 4), d(2024, 12, 20))
        );
        // Each academy's last year aligns with its own school weeks.
        for urn in ["A", "B"] {
            let w = ytd.of(urn).unwrap();
            let (f, t) = w.last_year.unwrap();
            assert_eq!(f, d(2023, 9, 1), "{urn}");
            assert_eq!(t.weekday(), Weekday::Wed, "{urn}: {t}");
        }
        let (spec, from, to) = ytd.last_year().unwrap();
        assert!(spec.starts_with("A:2023-09-01:"), "{spec}");
        assert!(from <= to);
        assert_eq!(
            ytd.spec(),
            "A:2024-09-01:2025-01-15;B:2024-09-01:2025-01-15"
        );
    }

    #[test]
    fn half_term_windows_differ_when_the_breaks_do() {
        // Cut the registers at 30 October 2024: A is back from its half term, B is on
        // its own.
        let full = two_academies();
        let mut days: Vec<(String, NaiveDate)> = full
            .academies
            .iter()
            .flat_map(|(urn, cal)| {
                cal.years
                    .iter()
                    .flat_map(|y| y.days.iter().copied())
                    .filter(|x| *x <= d(2024, 10, 30))
                    .map(move |x| (urn.clone(), x))
            })
            .collect();
        days.sort_by_key(|(_, x)| *x);
        let cals = Calendars::from_days(&days);
        let half = resolve_each(&cals, WindowKind::HalfTerm, None, None).unwrap();
        assert!(!half.same_dates);
        let a = half.of("A").unwrap();
        let b = half.of("B").unwrap();
        assert_eq!((a.from, a.to), (d(2024, 10, 28), d(2024, 10, 30)));
        assert_eq!(a.name, "Autumn 2 2024 to date");
        assert_eq!((b.from, b.to), (d(2024, 9, 4), d(2024, 10, 25)));
        assert_eq!(b.name, "Autumn 1 2024 to date");
        assert_eq!(half.name, "This half term, each academy's own");
        // Last week: each academy's own latest week.
        let week = resolve_each(&cals, WindowKind::Week, None, None).unwrap();
        assert_eq!(week.of("A").unwrap().from, d(2024, 10, 28));
        assert_eq!(week.of("B").unwrap().from, d(2024, 10, 21));
        // Custom dates are the same for everyone.
        let custom = resolve_each(
            &cals,
            WindowKind::Custom,
            Some(d(2024, 10, 1)),
            Some(d(2024, 10, 31)),
        )
        .unwrap();
        assert!(custom.same_dates);
    }

    #[test]
    fn an_academy_whose_registers_stopped_last_year_is_left_out() {
        let mut days: Vec<(String, NaiveDate)> = autumn_days(2024, 20)
            .into_iter()
            .map(|x| ("A".to_string(), x))
            .collect();
        days.extend(
            autumn_days(2025, 10)
                .into_iter()
                .map(|x| ("B".to_string(), x)),
        );
        let cals = Calendars::from_days(&days);
        for kind in [
            WindowKind::YearToDate,
            WindowKind::ThisTerm,
            WindowKind::Week,
        ] {
            let each = resolve_each(&cals, kind, None, None).unwrap();
            let urns: Vec<&str> = each.academies.iter().map(|a| a.urn.as_str()).collect();
            assert_eq!(urns, vec!["B"], "{kind:?}");
        }
    }

    #[test]
    fn configured_term_dates_stand_in_where_registers_cannot_tell() {
        let cals = two_academies();
        let mut dates = BTreeMap::new();
        // C is new: no registers. B's configured dates are overruled by its registers.
        dates.insert(
            "C".to_string(),
            vec![
                (d(2024, 9, 2), d(2024, 10, 11)),
                (d(2024, 10, 28), d(2024, 12, 20)),
                (d(2025, 1, 6), d(2025, 2, 14)),
            ],
        );
        dates.insert("B".to_string(), vec![(d(2024, 9, 2), d(2024, 12, 20))]);
        let cals = cals.with_term_dates(&dates);
        let c = cals.of("C").year(2024).unwrap();
        assert_eq!(
            c.half_terms
                .iter()
                .map(|h| (h.from, h.to))
                .collect::<Vec<_>>(),
            vec![
                (d(2024, 9, 2), d(2024, 10, 11)),
                (d(2024, 10, 28), d(2024, 12, 20)),
                // Only to the trust's latest day.
                (d(2025, 1, 6), d(2025, 1, 15)),
            ]
        );
        assert_eq!(cals.of("B").year(2024).unwrap().half_terms.len(), 3);
        assert_eq!(
            cals.of("B").year(2024).unwrap().half_terms[0].to,
            d(2024, 10, 25)
        );
        let half = resolve_each(&cals, WindowKind::HalfTerm, None, None).unwrap();
        assert_eq!(half.of("C").unwrap().from, d(2025, 1, 6));
    }

    #[test]
    fn terms_and_half_terms_from_the_registers() {
        let cal = two_years();
        let y = cal.year(2024).unwrap();
        let names: Vec<_> = y.terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["Autumn 2024", "Spring 2025", "Summer 2025"]);
        assert_eq!(y.half_terms.len(), 6);
        assert_eq!(y.half_terms[4].name, "Summer 1 2025");
        // A bank holiday Monday does not split a half term.
        assert_eq!(y.half_terms[4].from, d(2025, 4, 28));
        assert_eq!(y.terms[1].to, d(2025, 4, 11));
    }

    #[test]
    fn windows_resolve_and_align_with_last_year() {
        let cal = two_years();
        let ytd = resolve(&cal, WindowKind::YearToDate, None, None).unwrap();
        assert_eq!((ytd.from, ytd.to), (d(2025, 9, 1), d(2025, 11, 20)));
        assert_eq!(ytd.name, "2025/26 to date");
        // Thursday of school week 12 (counting from 0) maps to Thursday of week 12 last year.
        let (lf, lt) = ytd.last_year.unwrap();
        assert_eq!(lt, d(2024, 11, 21));
        assert_eq!(lf, d(2024, 9, 2));
        let term = resolve(&cal, WindowKind::ThisTerm, None, None).unwrap();
        assert_eq!(term.from, d(2025, 9, 3));
        let last = resolve(&cal, WindowKind::LastTerm, None, None).unwrap();
        assert_eq!(
            (last.name.as_str(), last.from, last.to),
            ("Summer 2025", d(2025, 4, 28), d(2025, 7, 22))
        );
        let half = resolve(&cal, WindowKind::HalfTerm, None, None).unwrap();
        assert_eq!(half.from, d(2025, 11, 3));
        let week = resolve(&cal, WindowKind::Week, None, None).unwrap();
        assert_eq!((week.from, week.to), (d(2025, 11, 17), d(2025, 11, 23)));
        assert!(resolve(&cal, WindowKind::Custom, Some(d(2025, 1, 2)), None).is_err());
        assert!(resolve(
            &cal,
            WindowKind::Custom,
            Some(d(2025, 1, 2)),
            Some(d(2025, 1, 1))
        )
        .is_err());
    }
}
