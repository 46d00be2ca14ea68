//! The plain-English paragraph of a termly summary, written from its figures: every
//! sentence quotes the figures it rests on, as the page shows them (one decimal place),
//! and says "up", "down", "above" or "below" only when those shown figures differ.
//! Nothing here reads the warehouse; it is a function of a [`PlaceSummary`].

use std::cmp::Ordering;

use crate::types::{Count, PlaceSummary};

/// One decimal place, as the page shows a rate.
fn shown(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
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
        if let Some((n, label)) = s
            .national
            .as_ref()
            .and_then(|n| Some((n.rates.absence?, &n.label)))
        {
            parts.push(match compare(x, n) {
                Ordering::Greater => format!("above {} for {label}", pct(n)),
                Ordering::Less => format!("below {} for {label}", pct(n)),
                Ordering::Equal => format!("the same as {} for {label}", pct(n)),
            });
        }
        if let Some(t) = s.trust.as_ref().and_then(|t| t.rates.absence) {
            parts.push(match compare(x, t) {
                Ordering::Greater => format!("above {} for the trust as a whole", pct(t)),
                Ordering::Less => format!("below {} for the trust as a whole", pct(t)),
                Ordering::Equal => format!("the same as {} for the trust as a whole", pct(t)),
            });
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
        if let Some((p, label)) = s
            .previous
            .as_ref()
            .and_then(|p| Some((p.rates.pa?, &p.label)))
        {
            clauses.push(match compare(pa, p) {
                Ordering::Greater => format!("up from {} in {label}", pct(p)),
                Ordering::Less => format!("down from {} in {label}", pct(p)),
                Ordering::Equal => format!("the same as in {label}"),
            });
        }
        if let Some((n, label)) = s
            .national
            .as_ref()
            .and_then(|n| Some((n.rates.pa?, &n.label)))
        {
            clauses.push(match compare(pa, n) {
                Ordering::Greater => format!("above {} for {label}", pct(n)),
                Ordering::Less => format!("below {} for {label}", pct(n)),
                Ordering::Equal => format!("the same as {} for {label}", pct(n)),
            });
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
        if let Some((p, label)) = s
            .previous
            .as_ref()
            .and_then(|p| Some((p.rates.sa?, &p.label)))
        {
            line += &match compare(sa, p) {
                Ordering::Greater => format!(", up from {} in {label}", pct(p)),
                Ordering::Less => format!(", down from {} in {label}", pct(p)),
                Ordering::Equal => format!(", the same as in {label}"),
            };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Compared, GapLine, Rates, Scope, TermRef};
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
        s.gaps[0].absence = Some(-2.25);
        s.gaps[0].national = None;
        s.gaps[0].last_absence = None;
        let out = sentences(&s, 5);
        assert!(out.iter().any(|l| l
            == "The widest gap between groups is FSM against not FSM: absence 2.3 percentage points lower."));
    }
}
