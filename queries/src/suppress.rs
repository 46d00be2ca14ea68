//! Small-number suppression for governors, in one place: every aggregate view a
//! governor sees goes through [`for_viewer`].
//!
//! Primary suppression hides a group of fewer than `threshold` enrolments (but not an
//! empty one). Secondary suppression: when exactly one group of a set is hidden, its
//! figures could be worked out from the set's total (shown elsewhere) and the other
//! groups, so the smallest other group is hidden too.

use crate::types::{GroupFigures, Visibility};

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
