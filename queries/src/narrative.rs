//! The plain-English paragraph of a termly summary, written from its figures: every
//! sentence quotes the figures it rests on, as the page shows them (one decimal place),
//! and says "up", "down", "above" or "below" only when those shown figures differ.
//! Nothing here reads the warehouse; it is a function of a [`PlaceSummary`].

use std::cmp::Ordering;

use crate::types::{Compared, Count, PlaceSummary, Rates, SefFacts};

/// One decimal place, exactly as the page prints a rate (`{:.1}`, which rounds a
/// tie to even: 2.25 shows as 2.2), so the words and the tables never disagree.
fn shown(x: f64) -> f64 {
    format!("{x:.1}").parse().unwrap_or(x)
}

/// How `now` compares with `then` as shown.
fn compare(now: f64, then: f64) -> Ordering {
    let (a, b) = (shown(now), shown(then));
    if (a - b).abs() < 0.05 {
        Ordering::Equal
    } else if a > b {
        Ordering::Greater
    } else {
        Ordering::Less
    }
}

fn pct(x: f64) -> String {
    format!("{:.1}%", shown(x))
}

/// The difference in points as shown (so the words and the table agree).
fn points(a: f64, b: f64) -> String {
    let d = (shown(a) - shown(b)).abs();
    let unit = if (d - 1.0).abs() < 0.05 {
        "percentage point"
    } else {
        "percentage points"
    };
    format!("{d:.1} {unit}")
}

/// A comparison's rate and label, where it has one.
fn rate_of(c: &Option<Compared>, rate: fn(&Rates) -> Option<f64>) -> Option<(f64, &str)> {
    c.as_ref()
        .and_then(|c| Some((rate(&c.rates)?, c.label.as_str())))
}

/// "above 5.3% for England (…)", "below …", "the same as …".
fn level(x: f64, other: f64, whose: &str) -> String {
    let word = match compare(x, other) {
        Ordering::Greater => "above",
        Ordering::Less => "below",
        Ordering::Equal => "the same as",
    };
    format!("{word} {} for {whose}", pct(other))
}

/// "up from 13.4% in Summer 2026", "down from …", "the same as in Summer 2026".
fn since(x: f64, then: f64, label: &str) -> String {
    match compare(x, then) {
        Ordering::Greater => format!("up from {} in {label}", pct(then)),
        Ordering::Less => format!("down from {} in {label}", pct(then)),
        Ordering::Equal => format!("the same as in {label}"),
    }
}

fn pupils(n: u64) -> String {
    match n {
        0 => "no pupils".to_string(),
        1 => "1 pupil".to_string(),
        n => format!("{n} pupils"),
    }
}

fn count(c: Count, threshold: u64) -> String {
    match c {
        Count::Shown(n) => pupils(n),
        Count::Suppressed => format!("fewer than {threshold} pupils"),
    }
}

/// The summary's sentences, in reading order. `threshold` is the suppression
/// threshold, for saying "fewer than N" where a count is hidden.
pub fn sentences(s: &PlaceSummary, threshold: u64) -> Vec<String> {
    let mut out = Vec::new();
    let term = s.term.label();
    let now = &s.now;

    // Attendance against the previous term.
    if let Some(a) = now.attendance {
        let mut line = format!("Attendance in {term} was {}", pct(a));
        if let Some((p, label)) = s
            .previous
            .as_ref()
            .and_then(|p| Some((p.rates.attendance?, &p.label)))
        {
            line += &match compare(a, p) {
                Ordering::Greater => format!(", up {} on {label} ({})", points(a, p), pct(p)),
                Ordering::Less => format!(", down {} on {label} ({})", points(a, p), pct(p)),
                Ordering::Equal => format!(", the same as in {label}"),
            };
        }
        line.push('.');
        out.push(line);
    }

    // Against the same term last year.
    if let (Some(a), Some((l, label))) = (
        now.attendance,
        s.last_year
            .as_ref()
            .and_then(|p| Some((p.rates.attendance?, &p.label))),
    ) {
        out.push(match compare(a, l) {
            Ordering::Greater => format!(
                "That is {} higher than in {label} ({}).",
                points(a, l),
                pct(l)
            ),
            Ordering::Less => format!(
                "That is {} lower than in {label} ({}).",
                points(a, l),
                pct(l)
            ),
            Ordering::Equal => format!("That is the same as in {label} ({}).", pct(l)),
        });
    }

    // Overall absence against England and the trust.
    if let Some(x) = now.absence {
        let mut parts = Vec::new();
        if let Some((n, label)) = rate_of(&s.national, |r| r.absence) {
            parts.push(level(x, n, label));
        }
        if let Some((t, _)) = rate_of(&s.trust, |r| r.absence) {
            parts.push(level(x, t, "the trust as a whole"));
        }
        if !parts.is_empty() {
            out.push(format!(
                "Overall absence was {}, {}.",
                pct(x),
                parts.join(" and ")
            ));
        }
    }

    // Persistent and severe absence, against the previous term and England.
    if let Some(pa) = now.pa {
        let mut line = format!(
            "{} of pupils were persistently absent (missing 10% or more of their sessions)",
            pct(pa)
        );
        let mut clauses = Vec::new();
        if let Some((p, label)) = rate_of(&s.previous, |r| r.pa) {
            clauses.push(since(pa, p, label));
        }
        if let Some((n, label)) = rate_of(&s.national, |r| r.pa) {
            clauses.push(level(pa, n, label));
        }
        if !clauses.is_empty() {
            line += ", ";
            line += &clauses.join(", ");
        }
        line.push('.');
        out.push(line);
    }
    if let Some(sa) = now.sa {
        let mut line = format!(
            "{} were severely absent (missing half or more of their sessions)",
            pct(sa)
        );
        if let Some((p, label)) = rate_of(&s.previous, |r| r.sa) {
            line += ", ";
            line += &since(sa, p, label);
        }
        line.push('.');
        out.push(line);
    }

    // What stands out among the gaps: the widest shown, against England's where
    // published and against last year.
    let widest = s
        .gaps
        .iter()
        .filter(|g| !g.suppressed)
        .filter_map(|g| Some((g, g.absence?)))
        .filter(|(_, gap)| shown(*gap).abs() >= 0.05)
        .max_by(|a, b| a.1.abs().total_cmp(&b.1.abs()));
    if let Some((g, gap)) = widest {
        let higher = if gap > 0.0 { "higher" } else { "lower" };
        let mut line = format!(
            "The widest gap between groups is {}: absence {} {higher}",
            g.name,
            points(gap, 0.0),
        );
        if let Some((n, _)) = g.national {
            line += &match compare(gap, n) {
                Ordering::Greater => format!(", wider than the national gap ({n:+.1})"),
                Ordering::Less => format!(", narrower than the national gap ({n:+.1})"),
                Ordering::Equal => format!(", in line with the national gap ({n:+.1})"),
            };
        }
        if let Some(l) = g.last_absence {
            line += &match compare(gap.abs(), l.abs()) {
                Ordering::Greater => format!("; it has widened since last year ({l:+.1})"),
                Ordering::Less => format!("; it has narrowed since last year ({l:+.1})"),
                Ordering::Equal => format!("; the same as last year ({l:+.1})"),
            };
        }
        line.push('.');
        out.push(line);
    }

    // Alternative provision and reduced timetables.
    out.push(format!(
        "During the term {} {} on alternative provision and {} on a reduced timetable.",
        count(s.ap, threshold),
        if s.ap == Count::Shown(1) {
            "was"
        } else {
            "were"
        },
        count(s.reduced_timetable, threshold)
    ));
    out
}

/// A self-evaluation pack's strengths and concerns, each stated from a figure in the
/// pack: the year to date against England, the trust and last year; the trend across
/// years; gaps against England's; and alternative provision and reduced timetables
/// needing action. A figure level with its comparison (as shown) is neither.
pub fn findings(f: &SefFacts) -> (Vec<String>, Vec<String>) {
    let (mut strengths, mut concerns) = (Vec::new(), Vec::new());
    let mut put = |o: Ordering, lower_is_good: bool, good: String, bad: String| match o {
        Ordering::Equal => {}
        o if (o == Ordering::Less) == lower_is_good => strengths.push(good),
        _ => concerns.push(bad),
    };
    let now = &f.now;
    type Measure = (&'static str, fn(&Rates) -> Option<f64>);
    let measures: [Measure; 3] = [
        ("Overall absence", |r| r.absence),
        ("Unauthorised absence", |r| r.unauthorised),
        ("Persistent absence", |r| r.pa),
    ];
    for (name, rate) in measures {
        let Some(x) = rate(now) else { continue };
        if let Some((n, label)) = rate_of(&f.national, rate) {
            let line = format!("{name} ({}) is {}.", pct(x), level(x, n, label));
            put(compare(x, n), true, line.clone(), line);
        }
    }
    if let (Some(x), Some((t, _))) = (now.absence, rate_of(&f.trust, |r| r.absence)) {
        put(
            compare(x, t),
            true,
            format!(
                "Overall absence ({}) is below the trust's ({}).",
                pct(x),
                pct(t)
            ),
            format!(
                "Overall absence ({}) is above the trust's ({}).",
                pct(x),
                pct(t)
            ),
        );
    }
    for (name, rate) in [measures[0], measures[2]] {
        if let (Some(x), Some((l, label))) = (rate(now), rate_of(&f.last_year, rate)) {
            put(
                compare(x, l),
                true,
                format!(
                    "{name} is down {} on the same point last year ({}, {label}).",
                    points(x, l),
                    pct(l)
                ),
                format!(
                    "{name} is up {} on the same point last year ({}, {label}).",
                    points(x, l),
                    pct(l)
                ),
            );
        }
    }
    // The trend: falling (or rising) every year, as shown, over at least three years.
    for (name, rate) in [measures[0], measures[2]] {
        let series: Vec<(String, f64)> = f
            .years
            .iter()
            .filter_map(|(y, r)| Some((y.clone(), rate(r)?)))
            .collect();
        if series.len() < 3 {
            continue;
        }
        let steps: Vec<Ordering> = series.windows(2).map(|w| compare(w[1].1, w[0].1)).collect();
        let listed = series
            .iter()
            .map(|(y, x)| format!("{} in {y}", pct(*x)))
            .collect::<Vec<_>>()
            .join(", ");
        if steps.iter().all(|o| *o == Ordering::Less) {
            strengths.push(format!("{name} has fallen every year: {listed}."));
        } else if steps.iter().all(|o| *o == Ordering::Greater) {
            concerns.push(format!("{name} has risen every year: {listed}."));
        }
    }
    for g in f.gaps.iter().filter(|g| !g.suppressed) {
        let (Some(gap), Some((n, _))) = (g.absence, g.national) else {
            continue;
        };
        match compare(gap, n) {
            Ordering::Less => strengths.push(format!(
                "The absence gap for {} ({gap:+.1} points) is narrower than England's ({n:+.1}).",
                g.name
            )),
            Ordering::Greater => concerns.push(format!(
                "The absence gap for {} ({gap:+.1} points) is wider than England's ({n:+.1}).",
                g.name
            )),
            Ordering::Equal => {}
        }
    }
    let plural = |n: u64, one: &str, many: &str| {
        if n == 1 {
            format!("1 {one}")
        } else {
            format!("{n} {many}")
        }
    };
    if f.overdue_contacts > 0 {
        concerns.push(format!(
            "{} had no welfare contact within {} school days.",
            plural(
                f.overdue_contacts,
                "pupil on alternative provision has",
                "pupils on alternative provision have"
            ),
            f.contact_limit
        ));
    }
    if f.timetables_past_end > 0 {
        concerns.push(format!(
            "{} run past {} planned end date.",
            plural(
                f.timetables_past_end,
                "reduced timetable has",
                "reduced timetables have"
            ),
            if f.timetables_past_end == 1 {
                "its"
            } else {
                "their"
            }
        ));
    }
    if f.reviews_overdue > 0 {
        concerns.push(format!(
            "{} overdue.",
            plural(
                f.reviews_overdue,
                "reduced timetable's review is",
                "reduced timetables' reviews are"
            )
        ));
    }
    (strengths, concerns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{GapLine, Scope, TermRef};
    use chrono::NaiveDate;

    fn rates(attendance: f64, pa: f64, sa: f64) -> Rates {
        Rates {
            attendance: Some(attendance),
            absence: Some(100.0 - attendance),
            pa: Some(pa),
            sa: Some(sa),
            ..Rates::default()
        }
    }

    fn summary() -> PlaceSummary {
        let d = |m, day| NaiveDate::from_ymd_opt(2025, m, day).unwrap();
        PlaceSummary {
            name: "Oak Academy".into(),
            urn: Some("100001".into()),
            phase: Some("primary".into()),
            term: TermRef {
                slug: "autumn-2025".into(),
                name: "Autumn 2025".into(),
                from: d(9, 1),
                to: d(12, 19),
                in_progress: false,
            },
            scope: Scope::Dfe,
            now: rates(95.0, 12.0, 1.0),
            previous: Some(Compared {
                label: "Summer 2025".into(),
                rates: rates(94.0, 15.0, 1.0),
            }),
            last_year: Some(Compared {
                label: "Autumn 2024".into(),
                rates: rates(95.5, 12.0, 2.0),
            }),
            trust: Some(Compared {
                label: "The trust".into(),
                rates: rates(94.6, 14.0, 2.0),
            }),
            national: Some(Compared {
                label: "England (primary, 2025/26 to date)".into(),
                rates: Rates {
                    absence: Some(4.8),
                    pa: Some(12.0),
                    ..Rates::default()
                },
            }),
            gaps: vec![
                GapLine {
                    name: "FSM against not FSM".into(),
                    of_label: "FSM".into(),
                    against_label: "not FSM".into(),
                    absence: Some(3.0),
                    pa: Some(10.0),
                    last_absence: Some(4.0),
                    suppressed: false,
                    national: Some((4.8, 17.3)),
                },
                GapLine {
                    name: "Looked after against not looked after".into(),
                    of_label: "looked after".into(),
                    against_label: "not looked after".into(),
                    absence: None,
                    pa: None,
                    last_absence: None,
                    suppressed: true,
                    national: None,
                },
            ],
            ap: Count::Shown(3),
            reduced_timetable: Count::Suppressed,
            sentences: Vec::new(),
        }
    }

    #[test]
    fn rising_falling_and_the_same_follow_the_figures_as_shown() {
        let s = sentences(&summary(), 5);
        assert_eq!(
            s[0],
            "Attendance in Autumn 2025 was 95.0%, up 1.0 percentage point on Summer 2025 (94.0%)."
        );
        assert_eq!(
            s[1],
            "That is 0.5 percentage points lower than in Autumn 2024 (95.5%)."
        );
        assert_eq!(
            s[2],
            "Overall absence was 5.0%, above 4.8% for England (primary, 2025/26 to date) and below 5.4% for the trust as a whole."
        );
        assert_eq!(
            s[3],
            "12.0% of pupils were persistently absent (missing 10% or more of their sessions), down from 15.0% in Summer 2025, the same as 12.0% for England (primary, 2025/26 to date)."
        );
        assert_eq!(
            s[4],
            "1.0% were severely absent (missing half or more of their sessions), the same as in Summer 2025."
        );
        assert_eq!(
            s[5],
            "The widest gap between groups is FSM against not FSM: absence 3.0 percentage points higher, narrower than the national gap (+4.8); it has narrowed since last year (+4.0)."
        );
        assert_eq!(
            s[6],
            "During the term 3 pupils were on alternative provision and fewer than 5 pupils on a reduced timetable."
        );
    }

    #[test]
    fn differences_too_small_to_show_are_not_called_changes() {
        let mut s = summary();
        // 95.04 and 94.96 both show as 95.0%.
        s.now.attendance = Some(95.04);
        s.previous.as_mut().unwrap().rates.attendance = Some(94.96);
        let out = sentences(&s, 5);
        assert!(
            out[0].ends_with(", the same as in Summer 2025."),
            "{}",
            out[0]
        );
        // Below national when the shown figure is lower.
        s.now.absence = Some(4.64);
        let out = sentences(&s, 5);
        assert!(out[2].starts_with("Overall absence was 4.6%, below 4.8% for England"));
    }

    #[test]
    fn missing_comparisons_and_suppressed_gaps_make_no_claims() {
        let mut s = summary();
        s.previous = None;
        s.last_year = None;
        s.national = None;
        s.trust = None;
        for g in &mut s.gaps {
            g.suppressed = true;
            g.absence = None;
        }
        s.ap = Count::Shown(1);
        s.reduced_timetable = Count::Shown(0);
        let out = sentences(&s, 5);
        assert_eq!(out[0], "Attendance in Autumn 2025 was 95.0%.");
        assert!(!out.iter().any(|l| l.contains("That is")));
        assert!(!out.iter().any(|l| l.contains("gap")));
        assert!(!out.iter().any(|l| l.starts_with("Overall absence")));
        assert_eq!(
            out.last().unwrap(),
            "During the term 1 pupil was on alternative provision and no pupils on a reduced timetable."
        );
    }

    #[test]
    fn a_gap_in_favour_of_the_group_says_less() {
        let mut s = summary();
        s.gaps[0].absence = Some(-2.35);
        s.gaps[0].national = None;
        s.gaps[0].last_absence = None;
        let out = sentences(&s, 5);
        assert!(out.iter().any(|l| l
            == "The widest gap between groups is FSM against not FSM: absence 2.4 percentage points lower."));
    }

    fn facts() -> SefFacts {
        let s = summary();
        SefFacts {
            now: Rates {
                unauthorised: Some(1.5),
                ..s.now.clone()
            },
            last_year: Some(Compared {
                label: "2024/25".into(),
                rates: rates(94.2, 14.0, 1.0),
            }),
            trust: s.trust.clone(),
            national: Some(Compared {
                label: "England (primary, 2025/26 to date)".into(),
                rates: Rates {
                    absence: Some(5.3),
                    unauthorised: Some(1.5),
                    pa: Some(11.0),
                    ..Rates::default()
                },
            }),
            years: vec![
                ("2023/24".into(), rates(93.0, 16.0, 2.0)),
                ("2024/25".into(), rates(94.0, 15.0, 2.0)),
                ("2025/26".into(), rates(95.0, 12.0, 1.0)),
            ],
            gaps: s.gaps.clone(),
            overdue_contacts: 2,
            contact_limit: 10,
            timetables_past_end: 1,
            reviews_overdue: 0,
        }
    }

    #[test]
    fn strengths_and_concerns_are_stated_from_the_figures() {
        let (strengths, concerns) = findings(&facts());
        assert_eq!(
            strengths,
            [
                "Overall absence (5.0%) is below 5.3% for England (primary, 2025/26 to date).",
                "Overall absence (5.0%) is below the trust's (5.4%).",
                "Overall absence is down 0.8 percentage points on the same point last year (5.8%, 2024/25).",
                "Persistent absence is down 2.0 percentage points on the same point last year (14.0%, 2024/25).",
                "Overall absence has fallen every year: 7.0% in 2023/24, 6.0% in 2024/25, 5.0% in 2025/26.",
                "Persistent absence has fallen every year: 16.0% in 2023/24, 15.0% in 2024/25, 12.0% in 2025/26.",
                "The absence gap for FSM against not FSM (+3.0 points) is narrower than England's (+4.8).",
            ]
        );
        // Unauthorised absence level with England: neither.
        assert_eq!(
            concerns,
            [
                "Persistent absence (12.0%) is above 11.0% for England (primary, 2025/26 to date).",
                "2 pupils on alternative provision have had no welfare contact within 10 school days.",
                "1 reduced timetable has run past its planned end date.",
            ]
        );
    }

    #[test]
    fn a_trend_that_does_not_move_one_way_is_neither() {
        let mut f = facts();
        f.years[1].1.absence = Some(7.5);
        f.years[1].1.pa = Some(15.96);
        let (strengths, concerns) = findings(&f);
        assert!(!strengths
            .iter()
            .any(|s| s.starts_with("Overall absence has")));
        // 15.96 shows as 16.0%, level with 2023/24: not "every year".
        assert!(!strengths
            .iter()
            .any(|s| s.starts_with("Persistent absence has")));
        assert!(!concerns.iter().any(|s| s.contains("every year")));
        // Rising every year is a concern.
        f.years[0].1.absence = Some(4.0);
        f.years[1].1.absence = Some(4.5);
        let (_, concerns) = findings(&f);
        assert!(concerns.contains(&"Overall absence has risen every year: 4.0% in 2023/24, 4.5% in 2024/25, 5.0% in 2025/26.".to_string()));
    }
}
