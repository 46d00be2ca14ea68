//! The trust config file (TOML): the trust's name, how its academies' own
//! non-statutory marks map to statutory codes, and the loader's limits.
//!
//! ```toml
//! name = "Riverside Learning Trust"
//! reject_limit_percent = 1.0
//! suppress_below = 5        # governors see smaller pupil groups suppressed
//! at_risk_weeks = 4         # at risk of PA: the recent rate over this many school weeks
//! at_risk_margin = 0.0      # ...projected to within this many points of 10% absence
//!
//! [marks]
//! "@" = "L"   # a school's own "late" mark
//! "!" = "O"
//!
//! # The lake that `rollcall export` writes, and `serve` after each night's loads
//! # (docs/scaling.md); identifiers (names, UPNs, MIS ids) only when asked for.
//! [lake]
//! dir = "/srv/rollcall-lake"
//! with_identifiers = false
//!
//! # Term dates for an academy whose registers cannot tell yet (a new academy): each
//! # half term's first and last day. The registers win in any year they cover.
//! [term_dates]
//! "140199" = [["2026-09-03", "2026-10-23"], ["2026-11-02", "2026-12-18"]]
//!
//! # Who parents contact at each academy, for the letters.
//! [contacts]
//! "140101" = "Mrs J Patel, attendance officer, on 01234 567890"
//!
//! # The trust's own letter at a threshold (95, 93, 90, 80 or 50); merge fields in
//! # braces (docs/letters.md). A threshold left out keeps Rollcall's letter.
//! [letters.90]
//! subject = "{pupil_name}'s attendance"
//! body = """
//! {salutation},
//!
//! {pupil_name}'s attendance is {attendance}...
//! """
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;

use crate::codes::{self, Code};
use crate::provision::DEFAULT_CONTACT_LIMIT;
use crate::suppress::DEFAULT_THRESHOLD;

/// The setting `raw.name`, read by `fn setting` and named in its error as in the file.
macro_rules! setting {
    ($raw:ident . $name:ident, $default:expr, $range:expr) => {
        setting(stringify!($name), $raw.$name, $default, $range)
    };
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Invalid { path: String, message: String },
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    name: Option<String>,
    reject_limit_percent: Option<f64>,
    suppress_below: Option<u64>,
    ap_contact_limit_days: Option<u64>,
    at_risk_weeks: Option<u64>,
    at_risk_margin: Option<f64>,
    #[serde(default)]
    marks: BTreeMap<String, String>,
    #[serde(default)]
    term_dates: BTreeMap<String, Vec<[String; 2]>>,
    #[serde(default)]
    contacts: BTreeMap<String, String>,
    #[serde(default)]
    letters: BTreeMap<String, RawLetter>,
    lake: Option<LakeSettings>,
}

/// Where the trust's lake is (docs/scaling.md).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct LakeSettings {
    pub dir: std::path::PathBuf,
    #[serde(default)]
    pub with_identifiers: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLetter {
    subject: String,
    body: String,
}

/// A trust's settings, validated.
#[derive(Debug, Clone)]
pub struct TrustConfig {
    pub name: String,
    /// An extract is rejected whole when a file's rejected rows exceed this share of it.
    pub reject_limit_percent: f64,
    /// Governors see pupil groups of fewer than this many enrolments suppressed.
    pub suppress_below: u64,
    /// School days after the last welfare contact with an AP provider before a
    /// placement is flagged.
    pub ap_contact_limit_days: u64,
    /// Who the action lists call at risk of persistent absence.
    pub at_risk: crate::types::AtRiskRule,
    /// Half terms (first and last day) by URN, for academies whose registers cannot
    /// tell ([`crate::calendar::Calendars::with_term_dates`]).
    pub term_dates: BTreeMap<String, Vec<(chrono::NaiveDate, chrono::NaiveDate)>>,
    /// Who parents contact at each academy (by URN), for the letters.
    pub contacts: BTreeMap<String, String>,
    /// The letter at each threshold: the trust's where it wrote one, Rollcall's otherwise.
    pub letters: Vec<crate::letters::Template>,
    /// The lake to export to, if the trust keeps one.
    pub lake: Option<LakeSettings>,
    mark_map: BTreeMap<String, &'static Code>,
}

impl Default for TrustConfig {
    fn default() -> Self {
        TrustConfig {
            name: "Trust".to_string(),
            reject_limit_percent: 1.0,
            suppress_below: DEFAULT_THRESHOLD,
            ap_contact_limit_days: DEFAULT_CONTACT_LIMIT,
            at_risk: Default::default(),
            term_dates: BTreeMap::new(),
            contacts: BTreeMap::new(),
            letters: crate::letters::defaults(),
            lake: None,
            mark_map: BTreeMap::new(),
        }
    }
}

impl TrustConfig {
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.display().to_string(),
            source,
        })?;
        Self::parse(&text).map_err(|message| ConfigError::Invalid {
            path: path.display().to_string(),
            message,
        })
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        let raw: RawConfig = toml::from_str(text).map_err(|e| e.to_string())?;
        let mut mark_map = BTreeMap::new();
        for (mark, target) in raw.marks {
            if codes::lookup(&mark).is_some() {
                return Err(format!(
                    "marks: \"{mark}\" is a statutory code and cannot be remapped"
                ));
            }
            let code = codes::lookup(&target).ok_or_else(|| {
                format!("marks: \"{mark}\" maps to \"{target}\", which is not a DfE code")
            })?;
            mark_map.insert(mark, code);
        }
        let reject_limit_percent = setting!(raw.reject_limit_percent, 1.0, 0.0..=100.0)?;
        let suppress_below = setting!(raw.suppress_below, DEFAULT_THRESHOLD, 2..=100)?;
        let ap_contact_limit_days =
            setting!(raw.ap_contact_limit_days, DEFAULT_CONTACT_LIMIT, 1..=200)?;
        let defaults = crate::types::AtRiskRule::default();
        let weeks = setting!(raw.at_risk_weeks, defaults.weeks, 1..=20)?;
        let margin = raw.at_risk_margin.unwrap_or(defaults.margin);
        if !(0.0..=5.0).contains(&margin) || ((margin * 10.0).round() - margin * 10.0).abs() > 1e-9
        {
            return Err(format!(
                "at_risk_margin: {margin} is not between 0 and 5 percentage points, to one decimal place"
            ));
        }
        let mut term_dates = BTreeMap::new();
        for (urn, spans) in raw.term_dates {
            if urn.len() != 6 || !urn.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("term_dates: \"{urn}\" is not a 6-digit URN"));
            }
            let mut parsed = Vec::new();
            for [from, to] in spans {
                let date = |s: &str| {
                    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| {
                        format!("term_dates: {urn}: \"{s}\" is not a date (YYYY-MM-DD)")
                    })
                };
                let (f, t) = (date(&from)?, date(&to)?);
                if t < f {
                    return Err(format!("term_dates: {urn}: {to} is before {from}"));
                }
                parsed.push((f, t));
            }
            term_dates.insert(urn, parsed);
        }
        for urn in raw.contacts.keys() {
            if urn.len() != 6 || !urn.chars().all(|c| c.is_ascii_digit()) {
                return Err(format!("contacts: \"{urn}\" is not a 6-digit URN"));
            }
        }
        let mut letters = crate::letters::defaults();
        for (threshold, letter) in raw.letters {
            let t = threshold
                .parse::<u8>()
                .ok()
                .filter(|t| crate::letters::THRESHOLDS.contains(t))
                .ok_or_else(|| {
                    format!("letters: \"{threshold}\" is not a threshold (95, 93, 90, 80 or 50)")
                })?;
            let template = crate::letters::Template {
                threshold: t,
                subject: letter.subject,
                body: letter.body,
            };
            template.check().map_err(|e| format!("letters: {e}"))?;
            if let Some(slot) = letters.iter_mut().find(|l| l.threshold == t) {
                *slot = template;
            }
        }
        if let Some(lake) = &raw.lake {
            if lake.dir.as_os_str().is_empty() {
                return Err("lake: dir is empty".to_string());
            }
        }
        Ok(TrustConfig {
            lake: raw.lake,
            contacts: raw.contacts,
            letters,
            name: raw.name.unwrap_or_else(|| "Trust".to_string()),
            reject_limit_percent,
            suppress_below,
            ap_contact_limit_days,
            at_risk: crate::types::AtRiskRule { weeks, margin },
            term_dates,
            mark_map,
        })
    }

    /// The statutory code a trust's own mark stands for, if the config maps it.
    pub fn map_mark(&self, raw: &str) -> Option<&'static Code> {
        self.mark_map.get(raw).copied()
    }
}

/// The setting `name`: `value`, or `default` when the file leaves it out, if it is
/// within `range`.
fn setting<T: PartialOrd + std::fmt::Display>(
    name: &str,
    value: Option<T>,
    default: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<T, String> {
    let value = value.unwrap_or(default);
    if range.contains(&value) {
        Ok(value)
    } else {
        Err(format!(
            "{name}: {value} is not between {} and {}",
            range.start(),
            range.end()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lake_is_a_folder_with_identifiers_only_when_asked() {
        let c = TrustConfig::parse("[lake]\ndir = \"/srv/lake\"\n").unwrap();
        let lake = c.lake.unwrap();
        assert_eq!(lake.dir, std::path::Path::new("/srv/lake"));
        assert!(!lake.with_identifiers);
        assert!(TrustConfig::default().lake.is_none());
        let e = TrustConfig::parse("[lake]\ndir = \"\"\n").unwrap_err();
        assert!(e.contains("lake: dir is empty"), "{e}");
        let e = TrustConfig::parse("[lake]\ndir = \"/x\"\nidentifiers = true\n").unwrap_err();
        assert!(e.contains("unknown field"), "{e}");
    }

    #[test]
    fn a_trust_writes_its_own_letters_with_known_fields_only() {
        let c = TrustConfig::parse(
            "[contacts]\n\"140101\" = \"Mrs Patel\"\n\
             [letters.90]\nsubject = \"About {pupil_name}\"\nbody = \"{salutation}, hello\"\n",
        )
        .unwrap();
        assert_eq!(c.contacts["140101"], "Mrs Patel");
        let ninety = c.letters.iter().find(|l| l.threshold == 90).unwrap();
        assert_eq!(ninety.subject, "About {pupil_name}");
        // The others are Rollcall's.
        assert_eq!(c.letters.len(), 5);
        let e =
            TrustConfig::parse("[letters.90]\nsubject = \"{parent}\"\nbody = \"\"\n").unwrap_err();
        assert!(e.contains("{parent}"), "{e}");
        let e = TrustConfig::parse("[letters.85]\nsubject = \"\"\nbody = \"\"\n").unwrap_err();
        assert!(e.contains("\"85\" is not a threshold"), "{e}");
        let e = TrustConfig::parse("[contacts]\nOakfield = \"x\"\n").unwrap_err();
        assert!(e.contains("not a 6-digit URN"), "{e}");
    }

    #[test]
    fn ap_contact_limit_defaults_to_ten_and_is_checked() {
        assert_eq!(TrustConfig::parse("").unwrap().ap_contact_limit_days, 10);
        assert_eq!(
            TrustConfig::parse("ap_contact_limit_days = 5\n")
                .unwrap()
                .ap_contact_limit_days,
            5
        );
        let err = TrustConfig::parse("ap_contact_limit_days = 0\n").unwrap_err();
        assert!(err.starts_with("ap_contact_limit_days: 0"), "{err}");
    }

    #[test]
    fn the_at_risk_rule_defaults_to_four_weeks_and_is_checked() {
        let rule = TrustConfig::parse("").unwrap().at_risk;
        assert_eq!((rule.weeks, rule.margin), (4, 0.0));
        assert_eq!(rule.threshold_permille(), 100);
        let rule = TrustConfig::parse("at_risk_weeks = 6\nat_risk_margin = 0.5\n")
            .unwrap()
            .at_risk;
        assert_eq!((rule.weeks, rule.threshold_permille()), (6, 95));
        assert!(TrustConfig::parse("at_risk_weeks = 0\n").is_err());
        assert!(TrustConfig::parse("at_risk_margin = 11.0\n").is_err());
    }

    #[test]
    fn term_dates_for_a_new_academy() {
        let cfg =
            TrustConfig::parse("[term_dates]\n\"140199\" = [[\"2026-09-03\", \"2026-10-23\"]]\n")
                .unwrap();
        let d = |m, day| chrono::NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert_eq!(cfg.term_dates["140199"], vec![(d(9, 3), d(10, 23))]);
        assert!(TrustConfig::parse("[term_dates]\n\"1401\" = []\n").is_err());
        let err =
            TrustConfig::parse("[term_dates]\n\"140199\" = [[\"2026-10-23\", \"2026-09-03\"]]\n")
                .unwrap_err();
        assert!(err.contains("before"), "{err}");
    }

    #[test]
    fn parses_mapping_and_rejects_bad_targets() {
        let cfg =
            TrustConfig::parse("name = \"Riverside\"\n[marks]\n\"@\" = \"L\"\n\"!\" = \"O\"\n")
                .unwrap();
        assert_eq!(cfg.name, "Riverside");
        assert_eq!(cfg.map_mark("@").unwrap().code, "L");
        assert!(cfg.map_mark("-").is_none());
        let err = TrustConfig::parse("[marks]\n\"@\" = \"Q9\"\n").unwrap_err();
        assert!(err.contains("not a DfE code"), "{err}");
        let err = TrustConfig::parse("[marks]\n\"I\" = \"O\"\n").unwrap_err();
        assert!(err.contains("statutory"), "{err}");
        assert_eq!(
            TrustConfig::parse("reject_limit_percent = 120.0").unwrap_err(),
            "reject_limit_percent: 120 is not between 0 and 100"
        );
        assert!(TrustConfig::parse("nmae = \"typo\"").is_err());
    }
}
