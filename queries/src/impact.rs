//! Whether it works: attendance in the school weeks before and after each kind of action
//! on a case, against pupils of the same academy who were in the same attendance band
//! over the same weeks and had no action; and how long an academy takes from a pupil's
//! attendance falling below 90% to the first action on their case.
//!
//! The comparison is like for like in one respect only (the band before), so it is an
//! indication, not proof: staff choose whom to act for, and the reasons they choose
//! (what they know of the family) may themselves change attendance. Small counts say
//! little; each figure comes with the counts it rests on.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::week_start;
use crate::cases::ActionKind;
use crate::letters::THRESHOLDS;

/// School weeks before and after an action.
pub const WEEKS: usize = 6;
/// The threshold whose crossing starts the clock for process compliance.
pub const COMPLIANCE_THRESHOLD: u8 = 90;

/// Each pupil's sessions by school week (its Monday): (possible, attending).
pub type Weekly = HashMap<String, BTreeMap<NaiveDate, (u64, u64)>>;

/// One kind of action at one academy, before and after.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Impact {
    pub kind: ActionKind,
    /// Pupils with this action (their first of the kind this year) with six school
    /// weeks either side in the registers.
    pub actions: usize,
    /// Actions too recent for six school weeks after them, or too early for six before.
    pub not_yet: usize,
    /// Mean attendance (%) of those pupils in the weeks before and after.
    pub before: Option<f64>,
    pub after: Option<f64>,
    /// Comparison pupil-windows: for each action, the academy's pupils in the same band
    /// over the same weeks with no action up to the end of the weeks after.
    pub compared: usize,
    /// Mean change (percentage points) of the comparison groups.
    pub comparison_change: Option<f64>,
    /// Mean over actions with a comparison group of (the pupil's change − their group's
    /// mean change), percentage points.
    pub difference: Option<f64>,
}

impl Impact {
    pub fn change(&self) -> Option<f64> {
        Some(self.after? - self.before?)
    }
}

/// The band a rate is in: the lowest letter threshold it is below (`None`: at or
/// above 95%).
pub fn band(rate: f64) -> Option<u8> {
    let mut ts = THRESHOLDS;
    ts.sort();
    ts.into_iter().find(|t| rate < f64::from(*t))
}

fn rate(weeks: &BTreeMap<NaiveDate, (u64, u64)>, of: &[NaiveDate]) -> Option<f64> {
    let (possible, attending) = of
        .iter()
        .filter_map(|w| weeks.get(w))
        .fold((0, 0), |(p, a), (wp, wa)| (p + wp, a + wa));
    (possible > 0).then(|| 100.0 * attending as f64 / possible as f64)
}

fn mean(xs: &[f64]) -> Option<f64> {
    (!xs.is_empty()).then(|| xs.iter().sum::<f64>() / xs.len() as f64)
}

/// The school weeks before and after the week of `on`, if the registers have six of
/// each.
fn windows(weeks: &[NaiveDate], on: NaiveDate) -> Option<(&[NaiveDate], &[NaiveDate])> {
    let w = week_start(on);
    let i = weeks.partition_point(|x| *x < w);
    let j = weeks.partition_point(|x| *x <= w);
    (i >= WEEKS && j + WEEKS <= weeks.len()).then(|| (&weeks[i - WEEKS..i], &weeks[j..j + WEEKS]))
}

/// The figures for each kind of action at one academy: `weeks` its school weeks
/// (Mondays, in order), `pupils` its pupils' weekly sessions, `actions` the actions on its
/// cases this year as (pupil, kind, day).
pub fn impact(
    weeks: &[NaiveDate],
    pupils: &Weekly,
    actions: &[(String, ActionKind, NaiveDate)],
) -> Vec<Impact> {
    // Each pupil's first action of any stage: who had "no action yet".
    let mut first_any: HashMap<&str, NaiveDate> = HashMap::new();
    for (p, kind, on) in actions {
        if kind.stage().is_some() {
            let e = first_any.entry(p.as_str()).or_insert(*on);
            *e = (*e).min(*on);
        }
    }
    let mut out = Vec::new();
    for kind in ActionKind::ALL.into_iter().filter(|k| k.stage().is_some()) {
        let mut first: BTreeMap<&str, NaiveDate> = BTreeMap::new();
        for (p, _, on) in actions.iter().filter(|(_, k, _)| *k == kind) {
            let e = first.entry(p.as_str()).or_insert(*on);
            *e = (*e).min(*on);
        }
        if first.is_empty() {
            continue;
        }
        let (mut befores, mut afters, mut diffs, mut group_changes) =
            (vec![], vec![], vec![], vec![]);
        let (mut not_yet, mut compared) = (0, 0);
        for (pupil, on) in first {
            let measured = windows(weeks, on).and_then(|(before, after)| {
                let own = pupils.get(pupil)?;
                Some((before, after, rate(own, before)?, rate(own, after)?))
            });
            let Some((before, after, b, a)) = measured else {
                not_yet += 1;
                continue;
            };
            befores.push(b);
            afters.push(a);
            let end = *after.last().expect("six weeks") + Duration::days(6);
            let changes: Vec<f64> = pupils
                .iter()
                .filter(|(q, _)| {
                    q.as_str() != pupil && first_any.get(q.as_str()).is_none_or(|d| *d > end)
                })
                .filter_map(|(_, w)| {
                    let (qb, qa) = (rate(w, before)?, rate(w, after)?);
                    (band(qb) == band(b)).then_some(qa - qb)
                })
                .collect();
            if let Some(m) = mean(&changes) {
                compared += changes.len();
                group_changes.push(m);
                diffs.push((a - b) - m);
            }
        }
        out.push(Impact {
            kind,
            actions: befores.len(),
            not_yet,
            before: mean(&befores),
            after: mean(&afters),
            compared,
            comparison_change: mean(&group_changes),
            difference: mean(&diffs),
        });
    }
    out
}

/// How quickly an academy acts once a pupil's attendance this year falls below 90%.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Compliance {
    /// Pupils whose attendance this year fell below the threshold (at the end of a school
    /// week).
    pub crossed: usize,
    /// Of them, with an action since.
    pub acted: usize,
    /// Median days from the crossing week's Monday to the first action.
    pub median_days: Option<f64>,
    /// With no action yet, and the longest of their waits (days to `today`).
    pub waiting: usize,
    pub longest_wait: Option<i64>,
}

/// [`Compliance`] at one academy from this year's school weeks (`year_weeks`), its
/// pupils' weekly sessions and this year's actions.
pub fn compliance(
    year_weeks: &[NaiveDate],
    pupils: &Weekly,
    actions: &[(String, ActionKind, NaiveDate)],
    today: NaiveDate,
) -> Compliance {
    let mut days = Vec::new();
    let mut out = Compliance::default();
    for (pupil, weeks) in pupils {
        let (mut possible, mut attending) = (0u64, 0u64);
        let crossed = year_weeks.iter().find(|w| {
            if let Some((p, a)) = weeks.get(*w) {
                possible += p;
                attending += a;
            }
            possible > 0
                && (attending as f64) < f64::from(COMPLIANCE_THRESHOLD) / 100.0 * possible as f64
        });
        let Some(crossed) = crossed else { continue };
        out.crossed += 1;
        let first = actions
            .iter()
            .filter(|(p, k, on)| p == pupil && k.stage().is_some() && on >= crossed)
            .map(|(_, _, on)| *on)
            .min();
        match first {
            Some(on) => {
                out.acted += 1;
                days.push((on - *crossed).num_days());
            }
            None => {
                out.waiting += 1;
                let wait = (today - *crossed).num_days();
                out.longest_wait = Some(out.longest_wait.map_or(wait, |l| l.max(wait)));
            }
        }
    }
    days.sort();
    out.median_days = match days.len() {
        0 => None,
        n if n % 2 == 1 => Some(days[n / 2] as f64),
        n => Some((days[n / 2 - 1] + days[n / 2]) as f64 / 2.0),
    };
    out
}

#[cfg(feature = "engine")]
pub use engine::weekly;

#[cfg(feature = "engine")]
mod engine {
    use duckdb::{params, Connection};

    use super::*;

    /// Every pupil's sessions by week from `from` to `to`, by academy (URN) and pupil id
    /// (a pupil's spells at one academy together).
    pub fn weekly(
        conn: &Connection,
        urn: Option<&str>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<HashMap<String, Weekly>, duckdb::Error> {
        let mut stmt = conn.prepare_cached(include_str!("../sql/weekly_sessions.sql"))?;
        let mut out: HashMap<String, Weekly> = HashMap::new();
        let rows = stmt.query_map(params![urn, from, to], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, NaiveDate>(2)?,
                r.get::<_, i64>(3)?,
                r.get::<_, i64>(4)?,
            ))
        })?;
        for row in rows {
            let (urn, pupil, week, possible, attending) = row?;
            out.entry(urn)
                .or_default()
                .entry(pupil)
                .or_default()
                .insert(week, (possible as u64, attending as u64));
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// 14 school weeks from Monday 1 September 2025; each week 10 sessions.
    fn weeks() -> Vec<NaiveDate> {
        (0..14)
            .map(|i| d("2025-09-01") + Duration::weeks(i))
            .collect()
    }

    /// A pupil attending `before` of 10 sessions in each of weeks 0..7 and `after` in
    /// weeks 7..14.
    fn pupil(before: u64, after: u64) -> BTreeMap<NaiveDate, (u64, u64)> {
        weeks()
            .into_iter()
            .enumerate()
            .map(|(i, w)| (w, (10, if i < 7 { before } else { after })))
            .collect()
    }

    #[test]
    fn before_and_after_against_the_same_band_by_hand() {
        // A meeting on Wednesday of week 6 (15 October): before = weeks 0..6, after =
        // weeks 7..13. T: 8 of 10 before (80%), 9 after (90%): +10 points. C1 and C2
        // were in the same band (below 90) before: C1 8 then 8 (0), C2 8 then 10 (+20).
        // C3 is at 100% (another band); C4 had a letter in week 9 (inside the weeks
        // after): not a comparison.
        let mut pupils = Weekly::new();
        pupils.insert("T".into(), pupil(8, 9));
        pupils.insert("C1".into(), pupil(8, 8));
        pupils.insert("C2".into(), pupil(8, 10));
        pupils.insert("C3".into(), pupil(10, 10));
        pupils.insert("C4".into(), pupil(8, 6));
        let on = d("2025-10-15");
        let actions = vec![
            ("T".to_string(), ActionKind::Meeting, on),
            ("C4".to_string(), ActionKind::Letter, d("2025-11-05")),
        ];
        let got = impact(&weeks(), &pupils, &actions);
        let meeting = got.iter().find(|i| i.kind == ActionKind::Meeting).unwrap();
        assert_eq!(meeting.actions, 1);
        assert_eq!(meeting.before, Some(80.0));
        assert_eq!(meeting.after, Some(90.0));
        assert_eq!(meeting.change(), Some(10.0));
        assert_eq!(meeting.compared, 2);
        // (0 + 20) / 2 = +10: the meeting's +10 is no better than like pupils' change.
        assert_eq!(meeting.comparison_change, Some(10.0));
        assert_eq!(meeting.difference, Some(0.0));
        // C4's letter in week 9: six weeks after it run past the registers: not yet.
        let letter = got.iter().find(|i| i.kind == ActionKind::Letter).unwrap();
        assert_eq!((letter.actions, letter.not_yet), (0, 1));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn bands_follow_the_letter_thresholds() {
        assert_eq!(band(96.0), None);
        assert_eq!(band(95.0), None);
        assert_eq!(band(94.9), Some(95));
        assert_eq!(band(90.0), Some(93));
        assert_eq!(band(89.99), Some(90));
        assert_eq!(band(10.0), Some(50));
    }

    #[test]
    fn time_from_falling_below_90_to_the_first_action() {
        // A: 10 of 10 in week 0, 7 in week 1: 17 of 20 = 85% at the end of week 1 (8
        // September); a call on 12 September: 4 days. B: 8 of 10 (80%) in
        // week 0: crossed 1 September, a letter on 11 September: 10 days.
        // C: crossed week 0, nothing yet: waiting since 1 September. D: never below.
        let w = weeks();
        let mut pupils = Weekly::new();
        let mut a = pupil(10, 10);
        a.insert(w[1], (10, 7));
        pupils.insert("A".into(), a);
        pupils.insert("B".into(), pupil(8, 10));
        pupils.insert("C".into(), pupil(5, 5));
        pupils.insert("D".into(), pupil(10, 10));
        let actions = vec![
            ("A".to_string(), ActionKind::PhoneCall, d("2025-09-12")),
            // Before A crossed: not a response to it.
            ("A".to_string(), ActionKind::Letter, d("2025-09-05")),
            ("B".to_string(), ActionKind::Letter, d("2025-09-11")),
            // A notification is no stage.
            ("C".to_string(), ActionKind::NotifiedCme, d("2025-09-20")),
        ];
        let c = compliance(&w, &pupils, &actions, d("2025-10-01"));
        assert_eq!(c.crossed, 3);
        assert_eq!(c.acted, 2);
        assert_eq!(c.median_days, Some(7.0));
        assert_eq!(c.waiting, 1);
        assert_eq!(c.longest_wait, Some(30));
    }
}
