//! English school calendars by rule: terms, half terms, Easter, bank holidays and INSET
//! days, close to what most local authorities publish.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// What a weekday in the academic year is for a school.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A normal school day: registers are taken.
    School,
    /// Staff training day: pupils on roll get `#` for both sessions.
    Inset,
    /// Holiday, half term, bank holiday or weekend: no marks.
    Closed,
}

/// One academic year's calendar (1 September to 31 August).
#[derive(Debug, Clone)]
pub struct SchoolYear {
    /// The calendar year it starts in: 2025 for 2025/26.
    pub start_year: i32,
    /// Term ranges (first day, last day), inclusive: autumn, spring, summer.
    pub terms: [[NaiveDate; 2]; 3],
    /// Half-term holidays (Monday to Friday).
    pub half_terms: [(NaiveDate, NaiveDate); 3],
    pub bank_holidays: Vec<NaiveDate>,
    pub inset_days: Vec<NaiveDate>,
}

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("valid date")
}

/// Western Easter Sunday (the anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let dd = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - dd - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    d(year, month as u32, day as u32)
}

fn next_weekday(mut day: NaiveDate, wd: Weekday) -> NaiveDate {
    while day.weekday() != wd {
        day += Duration::days(1);
    }
    day
}

fn prev_weekday(mut day: NaiveDate, wd: Weekday) -> NaiveDate {
    while day.weekday() != wd {
        day -= Duration::days(1);
    }
    day
}

fn is_weekend(day: NaiveDate) -> bool {
    matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_school_weekday(mut day: NaiveDate) -> NaiveDate {
    while is_weekend(day) {
        day += Duration::days(1);
    }
    day
}

impl SchoolYear {
    pub fn new(start_year: i32) -> SchoolYear {
        let y = start_year;
        let autumn_start = next_school_weekday(d(y, 9, 1));
        let second_day = next_school_weekday(autumn_start + Duration::days(1));
        let autumn_ht = next_weekday(d(y, 10, 24), Weekday::Mon);
        let autumn_end = prev_weekday(d(y, 12, 20), Weekday::Fri);
        let spring_start = next_weekday(d(y + 1, 1, 4), Weekday::Mon);
        let spring_ht = next_weekday(d(y + 1, 2, 12), Weekday::Mon);
        let easter = easter_sunday(y + 1);
        let good_friday = easter - Duration::days(2);
        let easter_monday = easter + Duration::days(1);
        // The Easter holiday: the fortnight from the Monday of Holy Week.
        let holiday_start = prev_weekday(good_friday, Weekday::Mon);
        let spring_end = holiday_start - Duration::days(3);
        let summer_start = holiday_start + Duration::days(14);
        let early_may = next_weekday(d(y + 1, 5, 1), Weekday::Mon);
        let spring_bank = prev_weekday(d(y + 1, 5, 31), Weekday::Mon);
        let summer_ht = spring_bank;
        let summer_end = {
            let mut last = d(y + 1, 7, 22);
            while is_weekend(last) {
                last -= Duration::days(1);
            }
            last
        };
        let after_summer_ht = summer_ht + Duration::days(7);
        SchoolYear {
            start_year,
            terms: [
                [autumn_start, autumn_end],
                [spring_start, spring_end],
                [summer_start, summer_end],
            ],
            half_terms: [
                (autumn_ht, autumn_ht + Duration::days(4)),
                (spring_ht, spring_ht + Duration::days(4)),
                (summer_ht, summer_ht + Duration::days(4)),
            ],
            bank_holidays: vec![good_friday, easter_monday, early_may, spring_bank],
            inset_days: vec![
                autumn_start,
                second_day,
                spring_start,
                after_summer_ht,
                summer_end,
            ],
        }
    }

    /// The same year with the autumn and spring half terms a week later, as a
    /// neighbouring local authority sets them (a trust's academies need not share term
    /// dates).
    pub fn with_later_half_terms(mut self) -> SchoolYear {
        for h in &mut self.half_terms[..2] {
            h.0 += Duration::days(7);
            h.1 += Duration::days(7);
        }
        self
    }

    /// The year as an academy keeps it.
    pub fn for_academy(start_year: i32, later_half_terms: bool) -> SchoolYear {
        let year = SchoolYear::new(start_year);
        if later_half_terms {
            year.with_later_half_terms()
        } else {
            year
        }
    }

    pub fn first_day(&self) -> NaiveDate {
        self.terms[0][0]
    }

    pub fn last_day(&self) -> NaiveDate {
        self.terms[2][1]
    }

    /// The whole academic year: 1 September to 31 August.
    pub fn window(&self) -> (NaiveDate, NaiveDate) {
        (d(self.start_year, 9, 1), d(self.start_year + 1, 8, 31))
    }

    pub fn kind(&self, day: NaiveDate) -> DayKind {
        if is_weekend(day)
            || !self.terms.iter().any(|[a, b]| day >= *a && day <= *b)
            || self.half_terms.iter().any(|(a, b)| day >= *a && day <= *b)
            || self.bank_holidays.contains(&day)
        {
            DayKind::Closed
        } else if self.inset_days.contains(&day) {
            DayKind::Inset
        } else {
            DayKind::School
        }
    }

    /// Every day the school is open to staff (school days and INSET days), in order.
    pub fn open_days(&self) -> Vec<(NaiveDate, DayKind)> {
        let mut out = Vec::new();
        let mut day = self.first_day();
        while day <= self.last_day() {
            let k = self.kind(day);
            if k != DayKind::Closed {
                out.push((day, k));
            }
            day += Duration::days(1);
        }
        out
    }

    /// True in the last school week of a term (absence rises then).
    pub fn last_week_of_term(&self, day: NaiveDate) -> bool {
        self.terms
            .iter()
            .any(|[_, end]| day <= *end && *end - day < Duration::days(7))
    }
}

/// The academic year (its start year) a date falls in.
pub fn academic_year(day: NaiveDate) -> i32 {
    if day.month() >= 9 {
        day.year()
    } else {
        day.year() - 1
    }
}

/// The last school day strictly before `today`.
pub fn last_school_day_before(today: NaiveDate) -> NaiveDate {
    let mut day = today - Duration::days(1);
    loop {
        if SchoolYear::new(academic_year(day)).kind(day) == DayKind::School {
            return day;
        }
        day -= Duration::days(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn easter_dates() {
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
    }

    #[test]
    fn year_2024_25_looks_like_a_real_one() {
        let y = SchoolYear::new(2024);
        assert_eq!(y.kind(d(2024, 9, 2)), DayKind::Inset);
        assert_eq!(y.kind(d(2024, 9, 3)), DayKind::Inset);
        assert_eq!(y.kind(d(2024, 9, 4)), DayKind::School);
        assert_eq!(y.kind(d(2024, 10, 28)), DayKind::Closed);
        assert_eq!(y.kind(d(2024, 12, 20)), DayKind::School);
        assert_eq!(y.kind(d(2025, 4, 18)), DayKind::Closed);
        assert_eq!(y.kind(d(2025, 5, 5)), DayKind::Closed);
        assert_eq!(y.kind(d(2025, 5, 26)), DayKind::Closed);
        let school_days = y
            .open_days()
            .iter()
            .filter(|(_, k)| *k == DayKind::School)
            .count();
        assert!((185..=195).contains(&school_days), "{school_days}");
    }

    #[test]
    fn as_of_defaults_to_the_last_school_day() {
        assert_eq!(last_school_day_before(d(2026, 11, 22)), d(2026, 11, 20));
        assert_eq!(last_school_day_before(d(2026, 11, 24)), d(2026, 11, 23));
    }
}
