//! The trust's school calendar, read from the data: the days on which registers were
//! taken, split into half terms at breaks of a week or more and into terms at breaks
//! of two weeks or more (Christmas, Easter). Extracts carry no term dates, so this is
//! what the registers themselves say.

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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
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
