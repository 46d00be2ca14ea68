//! Small-number suppression for governors, in one place: every aggregate view a
//! governor sees goes through [`for_viewer`].
//!
//! Primary suppression hides a group of fewer than `threshold` enrolments (but not an
//! empty one). Secondary suppression: when exactly one group of a set is hidden, its
//! figures could be worked out from the set's total (shown elsewhere) and the other
//! groups, so the smallest other group is hidden too.

use std::collections::{BTreeSet, HashSet};

use crate::disclosure::{self, Hidden, Table};
use crate::types::{CohortRow, Dimension, Figures, GroupFigures, Visibility};

/// Trust config default: groups of fewer than 5 pupils are hidden from governors.
pub const DEFAULT_THRESHOLD: u64 = 5;

/// A group as a viewer may see it: its figures, or none when suppressed.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Shown {
    pub group: String,
    /// `None` when suppressed.
    pub figures: Option<crate::types::Figures>,
}

/// Which groups to hide: primary then secondary suppression.
pub fn suppressed(groups: &[GroupFigures], threshold: u64) -> Vec<bool> {
    let mut hide: Vec<bool> = groups
        .iter()
        .map(|g| g.figures.enrolments > 0 && g.figures.enrolments < threshold)
        .collect();
    if hide.iter().filter(|h| **h).count() == 1 && groups.len() > 1 {
        let smallest = groups
            .iter()
            .enumerate()
            .filter(|(i, g)| !hide[*i] && g.figures.enrolments > 0)
            .min_by_key(|(_, g)| g.figures.enrolments)
            .map(|(i, _)| i);
        if let Some(i) = smallest {
            hide[i] = true;
        }
    }
    hide
}

/// The groups as a viewer who sees `view` may see them: aggregates-only viewers get
/// small groups suppressed; roles that see pupils get every group.
pub fn for_viewer(view: &Visibility, groups: Vec<GroupFigures>) -> Vec<Shown> {
    let hide = match view.threshold() {
        None => vec![false; groups.len()],
        Some(threshold) => suppressed(&groups, threshold),
    };
    groups
        .into_iter()
        .zip(hide)
        .map(|(g, h)| Shown {
            group: g.group,
            figures: (!h).then_some(g.figures),
        })
        .collect()
}

/// A count of pupils as a viewer who sees `view` may see it: `None` (shown as x) for an
/// aggregates-only viewer when it is below the threshold and not zero.
pub fn count(view: &Visibility, n: u64) -> Option<u64> {
    match view.threshold() {
        Some(threshold) if n > 0 && n < threshold => None,
        _ => Some(n),
    }
}

/// A count an aggregates-only viewer may be shown, or not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Measure {
    Enrolments,
    /// Persistently absent enrolments.
    Pa,
    /// Severely absent enrolments.
    Sa,
}

impl Measure {
    pub const ALL: [Measure; 3] = [Measure::Enrolments, Measure::Pa, Measure::Sa];

    pub fn of(self, f: &Figures) -> u64 {
        match self {
            Measure::Enrolments => f.enrolments,
            Measure::Pa => f.pa_enrolments,
            Measure::Sa => f.sa_enrolments,
        }
    }
}

/// A published count: its place (`None`: the trust), its dimension (`None`: all
/// pupils, group "All"), its group and its measure.
pub type CountKey = (Option<String>, Option<Dimension>, String, Measure);

/// The key stage of a year group (as `key_stage_label` in SQL).
fn key_stage_of(year_group: &str) -> Option<&'static str> {
    Some(match year_group {
        "N1" | "N2" | "R" => "EY",
        "1" | "2" => "KS1",
        "3" | "4" | "5" | "6" => "KS2",
        "7" | "8" | "9" => "KS3",
        "10" | "11" => "KS4",
        "12" | "13" => "KS5",
        _ => return None,
    })
}

/// Dimensions published together: a family's first dimension gives the inner counts;
/// key stages are sums of year groups.
const FAMILIES: [&[Dimension]; 7] = [
    &[Dimension::Sex],
    &[Dimension::YearGroup, Dimension::KeyStage],
    &[Dimension::SenProvision],
    &[Dimension::Fsm],
    &[Dimension::Eal],
    &[Dimension::Ethnicity],
    &[Dimension::LookedAfter],
];

/// Which counts of one window an aggregates-only viewer may not see: the same answer
/// for every report of that window, so that nothing one route hides another shows.
///
/// Built by [`Mask::protect`] over everything the viewer can fetch for the window: each
/// place's total (an academy's, the trust's) and its groups in every dimension, for
/// enrolments, persistent and severe absence. Every count of 1 to threshold - 1 is
/// hidden (primary suppression); then, measure by measure, complementary suppression
/// over each dimension's academy x group table with all its margins (each academy's
/// total, the trust's groups and total; key stages as sums of year groups) until, by
/// the exact audit of [`crate::disclosure`], no hidden count can be worked out from the
/// shown ones. A group whose enrolments are hidden is hidden in every measure; a group
/// whose persistent-absence count alone is hidden shows its enrolments and absence,
/// with PA as x. Margins are treated as exact sums (a pupil in two year groups in one
/// window makes them larger: that only hides more).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mask {
    hidden: HashSet<CountKey>,
}

impl Mask {
    /// Nothing hidden: for roles that see pupils.
    pub fn open() -> Mask {
        Mask::default()
    }

    /// The mask for a viewer who sees `view`, over `rows` (every place's groups for the
    /// window, as [`crate::cohorts::figures_in`] gives them without a filter).
    pub fn protect(rows: &[CohortRow], view: &Visibility) -> Mask {
        let Some(threshold) = view.threshold() else {
            return Mask::open();
        };
        // Every academy's counts are in the tables (the trust's figures add them all
        // up); those the viewer is not shown are unknowns to them, like hidden ones.
        let academies: Vec<String> = rows
            .iter()
            .filter_map(|r| r.urn.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        // The trust's figures only for those who see the whole trust.
        let published = |k: &CountKey| match &k.0 {
            Some(u) => view.sees_academy(u),
            None => view.sees_trust(),
        };
        let value = |urn: Option<&String>, d: Option<Dimension>, g: &str, m: Measure| {
            rows.iter()
                .find(|r| r.urn.as_ref() == urn && r.dimension == d && r.group == g)
                .map_or(0, |r| m.of(&r.figures))
        };
        let mut hidden: HashSet<CountKey> = HashSet::new();
        // Primary suppression of every published count.
        for r in rows {
            for m in Measure::ALL {
                let key = (r.urn.clone(), r.dimension, r.group.clone(), m);
                if published(&key) && disclosure::is_small(m.of(&r.figures), threshold) {
                    hidden.insert(key);
                }
            }
        }
        for m in Measure::ALL {
            // A group hidden for its enrolments is unknown in every measure.
            if m != Measure::Enrolments {
                let whole: Vec<CountKey> = hidden
                    .iter()
                    .filter(|k| k.3 == Measure::Enrolments)
                    .map(|(u, d, g, _)| (u.clone(), *d, g.clone(), m))
                    .collect();
                hidden.extend(whole);
            }
            // A total hidden in one family is unknown in the others: go round until
            // nothing more is hidden.
            loop {
                let before = hidden.len();
                for family in FAMILIES {
                    let (table, keys) = family_table(rows, &academies, family, m, &value);
                    if table.cells.is_empty() {
                        continue;
                    }
                    let mut start = Hidden::none(&table);
                    for (i, k) in keys.cells.iter().enumerate() {
                        start.cells[i] = hidden.contains(k) || !published(k);
                    }
                    for (s, k) in keys.sums.iter().enumerate() {
                        start.sums[s] = hidden.contains(k) || !published(k);
                    }
                    let h = disclosure::protect_from(&table, threshold, start, &[]);
                    for (i, k) in keys.cells.iter().enumerate() {
                        if h.cells[i] {
                            hidden.insert(k.clone());
                        }
                    }
                    for (s, k) in keys.sums.iter().enumerate() {
                        if h.sums[s] {
                            hidden.insert(k.clone());
                        }
                    }
                }
                if hidden.len() == before {
                    break;
                }
            }
        }
        Mask { hidden }
    }

    /// Is this count hidden from the viewer?
    pub fn hides(&self, urn: Option<&str>, d: Option<Dimension>, group: &str, m: Measure) -> bool {
        self.hidden
            .contains(&(urn.map(str::to_string), d, group.to_string(), m))
    }

    /// A group's figures as the viewer may see them: `None` when its enrolments are
    /// hidden; otherwise with each hidden count withheld (zero, its rate none).
    pub fn figures(
        &self,
        urn: Option<&str>,
        d: Option<Dimension>,
        group: &str,
        f: &Figures,
    ) -> Option<Figures> {
        if self.hides(urn, d, group, Measure::Enrolments) {
            return None;
        }
        let mut f = f.clone();
        if self.hides(urn, d, group, Measure::Pa) {
            f.pa_enrolments = 0;
            f.withheld.pa = true;
        }
        if self.hides(urn, d, group, Measure::Sa) {
            f.sa_enrolments = 0;
            f.withheld.sa = true;
        }
        Some(f)
    }

    /// [`Mask::figures`], with figures withheld whole where the group is hidden.
    pub fn shown(
        &self,
        urn: Option<&str>,
        d: Option<Dimension>,
        group: &str,
        f: &Figures,
    ) -> Figures {
        self.figures(urn, d, group, f)
            .unwrap_or_else(Figures::withheld)
    }

    /// How many counts are hidden.
    pub fn len(&self) -> usize {
        self.hidden.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hidden.is_empty()
    }
}

/// Which of one measure's counts by place to hide from a viewer who sees `view`: the
/// academies' counts (`Some(urn)`) and the trust's (`None`, their sum), as a heatmap's
/// week column or the counts on alternative provision publish them. Small counts are
/// hidden, then whatever would give one away through the trust's sum (the exact audit
/// of [`crate::disclosure`]); counts the viewer is not shown count as unknowns.
pub fn by_place(counts: &[(Option<String>, u64)], view: &Visibility) -> Vec<bool> {
    let Some(threshold) = view.threshold() else {
        return vec![false; counts.len()];
    };
    let academies: Vec<usize> = (0..counts.len())
        .filter(|&i| counts[i].0.is_some())
        .collect();
    let table = Table {
        cells: academies.iter().map(|&i| counts[i].1).collect(),
        sums: vec![(0..academies.len()).collect()],
    };
    let mut start = Hidden::none(&table);
    for (c, &i) in academies.iter().enumerate() {
        start.cells[c] = counts[i]
            .0
            .as_deref()
            .is_some_and(|u| !view.sees_academy(u));
    }
    start.sums[0] = !view.sees_trust();
    let h = disclosure::protect_from(&table, threshold, start, &[]);
    counts
        .iter()
        .map(|(u, n)| match u {
            Some(u) => academies
                .iter()
                .position(|&i| counts[i].0.as_deref() == Some(u.as_str()))
                .is_some_and(|c| h.cells[c]),
            // The trust's sum as the table has it (or its own count, if small).
            None => h.sums[0] || disclosure::is_small(*n, threshold),
        })
        .collect()
}

/// A published count by place, dimension, group and measure (0 where none).
type CountOf<'a> = dyn Fn(Option<&String>, Option<Dimension>, &str, Measure) -> u64 + 'a;

/// What each inner count and sum of a family's table stands for.
struct FamilyKeys {
    cells: Vec<CountKey>,
    sums: Vec<CountKey>,
}

/// A family's academy x group table for one measure, with every margin.
fn family_table(
    rows: &[CohortRow],
    academies: &[String],
    family: &[Dimension],
    m: Measure,
    value: &CountOf<'_>,
) -> (Table, FamilyKeys) {
    let base = family[0];
    let mut groups: Vec<String> = rows
        .iter()
        .filter(|r| r.dimension == Some(base))
        .map(|r| r.group.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    groups.sort_by_key(|g| base.order(g));
    // Only the groups a place has: a group with no pupils there is not published, and
    // everyone knows it is zero (hiding it would protect nothing).
    let present = |u: &String, g: &String| {
        rows.iter()
            .any(|r| r.urn.as_ref() == Some(u) && r.dimension == Some(base) && &r.group == g)
    };
    let mut table = Table::default();
    let mut keys = FamilyKeys {
        cells: Vec::new(),
        sums: Vec::new(),
    };
    // cell[a][g]: the index of academy a's group g, where it has one.
    let mut cell: Vec<Vec<Option<usize>>> = Vec::new();
    for a in academies {
        let mut row = Vec::new();
        for g in &groups {
            if present(a, g) {
                row.push(Some(table.cells.len()));
                table.cells.push(value(Some(a), Some(base), g, m));
                keys.cells.push((Some(a.clone()), Some(base), g.clone(), m));
            } else {
                row.push(None);
            }
        }
        cell.push(row);
    }
    let all = "All".to_string();
    let mut sum = |members: Vec<usize>, key: CountKey| {
        if !members.is_empty() {
            table.sums.push(members);
            keys.sums.push(key);
        }
    };
    let cols = groups.len();
    let cell = &cell;
    let members = |rows: &[usize], cols_of: &dyn Fn(usize) -> bool| -> Vec<usize> {
        rows.iter()
            .flat_map(|&i| {
                (0..cols)
                    .filter(|&j| cols_of(j))
                    .filter_map(move |j| cell[i][j])
            })
            .collect()
    };
    let every: Vec<usize> = (0..academies.len()).collect();
    for (i, a) in academies.iter().enumerate() {
        sum(
            members(&[i], &|_| true),
            (Some(a.clone()), None, all.clone(), m),
        );
    }
    for (j, g) in groups.iter().enumerate() {
        sum(
            members(&every, &|c| c == j),
            (None, Some(base), g.clone(), m),
        );
    }
    sum(members(&every, &|_| true), (None, None, all.clone(), m));
    for &d in &family[1..] {
        // Key stages: sums of the year groups in each.
        for ks in d.groups() {
            let in_ks = |j: usize| key_stage_of(&groups[j]) == Some(ks);
            for (i, a) in academies.iter().enumerate() {
                sum(
                    members(&[i], &in_ks),
                    (Some(a.clone()), Some(d), ks.to_string(), m),
                );
            }
            sum(members(&every, &in_ks), (None, Some(d), ks.to_string(), m));
        }
    }
    (table, keys)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::{Figures, Principal, Role};

    fn g(name: &str, enrolments: u64) -> GroupFigures {
        GroupFigures {
            group: name.into(),
            figures: Figures {
                enrolments,
                possible_sessions: enrolments * 100,
                ..Figures::default()
            },
        }
    }

    fn hidden(groups: &[GroupFigures]) -> Vec<&str> {
        suppressed(groups, 5)
            .iter()
            .zip(groups)
            .filter(|(h, _)| **h)
            .map(|(_, g)| g.group.as_str())
            .collect()
    }

    #[test]
    fn primary_and_secondary() {
        // One small group: it and the next smallest are hidden.
        assert_eq!(
            hidden(&[g("A", 40), g("B", 3), g("C", 12), g("D", 30)]),
            ["B", "C"]
        );
        // Two small groups: each is hidden and neither can be worked out alone.
        assert_eq!(hidden(&[g("A", 40), g("B", 3), g("C", 2)]), ["B", "C"]);
        // Exactly the threshold is shown.
        assert!(hidden(&[g("A", 5), g("B", 40)]).is_empty());
        // A group of one.
        assert_eq!(hidden(&[g("A", 1), g("B", 40)]), ["A", "B"]);
        // Empty groups are not counted as small.
        assert!(hidden(&[g("A", 0), g("B", 40)]).is_empty());
        // A lone small group has nothing to pair with.
        assert_eq!(hidden(&[g("A", 2)]), ["A"]);
    }

    /// FSM groups at two academies: A has 3 FSM and 40 not; B 12 and 30; with their
    /// persistently absent counts `pa`.
    fn fsm_rows(pa: [u64; 4]) -> Vec<CohortRow> {
        fsm_rows_of([3, 40, 12, 30], pa)
    }

    /// FSM groups at A (Y, N) and B (Y, N) of `n` enrolments, `pa` of them persistently
    /// absent; the trust's groups and every total.
    fn fsm_rows_of(n: [u64; 4], pa: [u64; 4]) -> Vec<CohortRow> {
        let row = |urn: Option<&str>, d: Option<Dimension>, g: &str, n: u64, pa: u64| CohortRow {
            dimension: d,
            urn: urn.map(String::from),
            group: g.into(),
            figures: Figures {
                enrolments: n,
                pa_enrolments: pa,
                possible_sessions: n * 100,
                ..Figures::default()
            },
        };
        let fsm = Some(Dimension::Fsm);
        vec![
            row(Some("A"), fsm, "Y", n[0], pa[0]),
            row(Some("A"), fsm, "N", n[1], pa[1]),
            row(Some("B"), fsm, "Y", n[2], pa[2]),
            row(Some("B"), fsm, "N", n[3], pa[3]),
            row(None, fsm, "Y", n[0] + n[2], pa[0] + pa[2]),
            row(None, fsm, "N", n[1] + n[3], pa[1] + pa[3]),
            row(Some("A"), None, "All", n[0] + n[1], pa[0] + pa[1]),
            row(Some("B"), None, "All", n[2] + n[3], pa[2] + pa[3]),
            row(None, None, "All", n.iter().sum(), pa.iter().sum()),
        ]
    }

    fn trust_governor() -> Visibility {
        Visibility {
            academies: Vec::new(),
            pupils: false,
            suppress_below: Some(5),
        }
    }

    /// An attacker's view of one measure: the FSM table's hidden counts as unknowns,
    /// every shown count and total as an equation. Returns what they can solve.
    fn solvable(rows: &[CohortRow], mask: &Mask, m: Measure) -> Vec<disclosure::Item> {
        let cells = [("A", "Y"), ("A", "N"), ("B", "Y"), ("B", "N")];
        let counts: Vec<Vec<u64>> = ["A", "B"]
            .iter()
            .map(|a| {
                ["Y", "N"]
                    .iter()
                    .map(|g| {
                        let r = rows
                            .iter()
                            .find(|r| r.urn.as_deref() == Some(*a) && r.group == *g)
                            .unwrap();
                        m.of(&r.figures)
                    })
                    .collect()
            })
            .collect();
        let table = Table::two_way(&counts);
        let mut h = Hidden::none(&table);
        for (i, (a, g)) in cells.iter().enumerate() {
            h.cells[i] = mask.hides(Some(a), Some(Dimension::Fsm), g, m);
        }
        let sums = [
            (Some("A"), None, "All"),
            (Some("B"), None, "All"),
            (None, Some(Dimension::Fsm), "Y"),
            (None, Some(Dimension::Fsm), "N"),
            (None, None, "All"),
        ];
        for (s, (u, d, g)) in sums.iter().enumerate() {
            h.sums[s] = mask.hides(*u, *d, g, m);
        }
        disclosure::disclosed(&table, &h)
    }

    #[test]
    fn a_three_pupil_group_beside_forty_is_hidden_and_not_given_away_by_the_trust_column() {
        let rows = fsm_rows([0, 8, 6, 9]);
        // One set at a time (the old rule) hides A's 3 and A's 40, but B's 12 and the
        // trust's 15 are shown: 15 - 12 = 3.
        let a: Vec<GroupFigures> = rows[..2]
            .iter()
            .map(|r| GroupFigures {
                group: r.group.clone(),
                figures: r.figures.clone(),
            })
            .collect();
        assert_eq!(suppressed(&a, 5), vec![true, true]);
        let mask = Mask::protect(&rows, &trust_governor());
        assert!(mask.hides(Some("A"), Some(Dimension::Fsm), "Y", Measure::Enrolments));
        for m in Measure::ALL {
            assert!(solvable(&rows, &mask, m).is_empty(), "{m:?}");
        }
        assert!(mask
            .figures(Some("A"), Some(Dimension::Fsm), "Y", &rows[0].figures)
            .is_none());
        // Staff see everything.
        let staff = Visibility {
            pupils: true,
            suppress_below: None,
            ..trust_governor()
        };
        assert!(Mask::protect(&rows, &staff).is_empty());
    }

    #[test]
    fn a_persistent_absence_count_of_one_in_forty_is_withheld_and_the_group_still_shown() {
        let rows = fsm_rows_of([10, 40, 12, 30], [0, 1, 6, 9]);
        let mask = Mask::protect(&rows, &trust_governor());
        let f = mask
            .figures(Some("A"), Some(Dimension::Fsm), "N", &rows[1].figures)
            .expect("40 enrolments are shown");
        assert_eq!(f.enrolments, 40);
        assert_eq!((f.pa_enrolments, f.pa_rate()), (0, None));
        assert!(f.absence_rate().is_some());
        assert!(solvable(&rows, &mask, Measure::Pa).is_empty());
        // A's total PA (1) is small itself, so hidden too.
        assert!(mask.hides(Some("A"), None, "All", Measure::Pa));
    }

    #[test]
    fn year_groups_are_not_given_away_by_key_stages() {
        // One academy: Y3 has 2 pupils, Y4-Y6 20 each; KS2 = 62 and the total 62 shown.
        let row = |d: Dimension, g: &str, n: u64| CohortRow {
            dimension: Some(d),
            urn: Some("A".into()),
            group: g.into(),
            figures: Figures {
                enrolments: n,
                ..Figures::default()
            },
        };
        let mut rows = vec![
            row(Dimension::YearGroup, "3", 2),
            row(Dimension::YearGroup, "4", 20),
            row(Dimension::YearGroup, "5", 20),
            row(Dimension::YearGroup, "6", 20),
            row(Dimension::KeyStage, "KS2", 62),
        ];
        rows.push(CohortRow {
            dimension: None,
            urn: Some("A".into()),
            group: "All".into(),
            figures: Figures {
                enrolments: 62,
                ..Figures::default()
            },
        });
        let governor = Visibility {
            academies: vec!["A".into()],
            pupils: false,
            suppress_below: Some(5),
        };
        let mask = Mask::protect(&rows, &governor);
        let hidden: Vec<&str> = ["3", "4", "5", "6"]
            .into_iter()
            .filter(|g| {
                mask.hides(
                    Some("A"),
                    Some(Dimension::YearGroup),
                    g,
                    Measure::Enrolments,
                )
            })
            .collect();
        // Y3 and one more (or the totals): 62 - 20 - 20 - 20 would give Y3 away.
        assert!(hidden.contains(&"3") && hidden.len() >= 2, "{hidden:?}");
    }

    #[test]
    fn ap_counts_of_three_and_seven_do_not_give_the_three_away_through_the_trust() {
        let counts = vec![
            (Some("A".to_string()), 3),
            (Some("B".to_string()), 7),
            (None, 10),
        ];
        let hidden = by_place(&counts, &trust_governor());
        // The old rule hid only the 3, and 10 - 7 = 3.
        assert!(hidden[0], "{hidden:?}");
        assert!(hidden[1] || hidden[2], "{hidden:?}");
        let staff = Visibility {
            pupils: true,
            suppress_below: None,
            ..trust_governor()
        };
        assert_eq!(by_place(&counts, &staff), [false, false, false]);
    }

    #[test]
    fn only_governors_get_suppression() {
        let mut viewer = Principal {
            actor: "gov".into(),
            name: "Gov".into(),
            role: Role::Governor,
            academies: vec!["140101".into()],
        };
        let shown = for_viewer(
            &viewer.visibility(5),
            vec![g("F", 2), g("M", 30), g("X", 20)],
        );
        assert!(shown[0].figures.is_none() && shown[2].figures.is_none());
        assert_eq!(shown[1].figures.as_ref().unwrap().enrolments, 30);
        viewer.role = Role::Academy;
        assert!(
            for_viewer(&viewer.visibility(5), vec![g("F", 2), g("M", 30)])
                .iter()
                .all(|s| s.figures.is_some())
        );
    }
}
