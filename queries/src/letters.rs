//! Letters to parents at attendance thresholds: a template per threshold (the trust may
//! write its own in its config), merge fields filled from the pupil's figures and the
//! academy's contact, one letter a page in a batch.
//!
//! A template is plain text with merge fields in braces (`{pupil_name}`); a blank line
//! starts a new paragraph. A field the letter does not know is refused when the config
//! is read, not when a letter is made.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Letters go out as attendance falls below these.
pub const THRESHOLDS: [u8; 5] = [95, 93, 90, 80, 50];

/// The merge fields a template may use, with what each holds.
pub const FIELDS: [(&str, &str); 12] = [
    ("pupil_name", "the pupil's forename and surname"),
    ("year_group", "the pupil's year group"),
    (
        "salutation",
        "the parent's salutation when the extract carries one, otherwise \"Dear parent or carer\"",
    ),
    (
        "attendance",
        "attendance this academic year to date, e.g. 89.5%",
    ),
    ("sessions_missed", "sessions missed this academic year"),
    (
        "possible_sessions",
        "sessions the pupil could have attended",
    ),
    ("days_missed", "sessions missed as school days (two a day)"),
    ("from", "the first day counted"),
    ("to", "the last day counted (the latest register loaded)"),
    ("threshold", "the threshold crossed, e.g. 90%"),
    ("academy_name", "the academy's name"),
    (
        "academy_contact",
        "who to contact at the academy (the trust config)",
    ),
];

/// One threshold's letter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    /// Attendance fell below this (95, 93, 90, 80 or 50).
    pub threshold: u8,
    pub subject: String,
    pub body: String,
}

impl Template {
    /// The letter for `fields` (every name in [`FIELDS`]): its subject and paragraphs.
    pub fn fill(&self, fields: &BTreeMap<&str, String>) -> (String, Vec<String>) {
        let subject = merge(&self.subject, fields);
        let paragraphs = merge(&self.body, fields)
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        (subject, paragraphs)
    }

    /// Every `{field}` in the template is one the letters fill; the first that is not,
    /// named.
    pub fn check(&self) -> Result<(), String> {
        for text in [&self.subject, &self.body] {
            for name in fields_in(text) {
                if !FIELDS.iter().any(|(f, _)| *f == name) {
                    return Err(format!(
                        "the letter at {}% uses {{{name}}}, which is not a merge field (they are: {})",
                        self.threshold,
                        FIELDS.map(|(f, _)| f).join(", ")
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The names in braces in `text`.
fn fields_in(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                out.push(&after[..close]);
                rest = &after[close + 1..];
            }
            None => break,
        }
    }
    out
}

/// `text` with each `{field}` replaced by its value (one pass: a value holding braces is
/// left as it is).
fn merge(text: &str, fields: &BTreeMap<&str, String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        match after.find('}') {
            Some(close) => {
                let name = &after[..close];
                match fields.get(name) {
                    Some(v) => out.push_str(v),
                    None => out.push_str(&rest[open..open + close + 2]),
                }
                rest = &after[close + 1..];
            }
            None => {
                out.push_str(&rest[open..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The letters Rollcall sends when the trust has not written its own.
pub fn defaults() -> Vec<Template> {
    let body = |opening: &str, ask: &str| {
        format!(
            "{{salutation}},\n\n\
             {opening}\n\n\
             From {{from}} to {{to}}, {{pupil_name}} ({{year_group}}) attended {{attendance}} of \
             the sessions they could have attended, and missed {{sessions_missed}} of \
             {{possible_sessions}} sessions (about {{days_missed}} school days). Their attendance \
             has now fallen below {{threshold}}.\n\n\
             {ask}\n\n\
             If there is something making it hard for {{pupil_name}} to come to school, please \
             contact {{academy_contact}}. We would much rather hear from you early.\n\n\
             Yours sincerely,\n\n\
             {{academy_name}}"
        )
    };
    vec![
        Template {
            threshold: 95,
            subject: "{pupil_name}'s attendance".into(),
            body: body(
                "Every day at school counts, and we write to families when a pupil's attendance starts to slip, so that together we can help it back up early.",
                "There is no need to reply to this letter. We will keep an eye on attendance, and we are here to help if you would like to talk.",
            ),
        },
        Template {
            threshold: 93,
            subject: "{pupil_name}'s attendance".into(),
            body: body(
                "We are writing because {pupil_name}'s attendance this year is lower than we would want for them.",
                "Please help {pupil_name} to be in school every day they can. We will keep watching their attendance over the coming weeks.",
            ),
        },
        Template {
            threshold: 90,
            subject: "{pupil_name}'s attendance: persistent absence".into(),
            body: body(
                "We are concerned about {pupil_name}'s attendance. A pupil who misses 10% or more of their sessions is persistently absent, and that has a real effect on their learning and friendships.",
                "We would like to meet with you to understand what is happening and agree how we can support {pupil_name}. We will be in touch to arrange a meeting, or please contact us first.",
            ),
        },
        Template {
            threshold: 80,
            subject: "{pupil_name}'s attendance: a meeting".into(),
            body: body(
                "We are seriously concerned about {pupil_name}'s attendance, which is now well below the level at which a pupil is persistently absent.",
                "We need to meet with you to agree a plan to support {pupil_name}'s attendance. If attendance does not improve, the next steps may include a formal attendance contract or a referral for early help.",
            ),
        },
        Template {
            threshold: 50,
            subject: "{pupil_name}'s attendance: severe absence".into(),
            body: body(
                "{pupil_name} has now missed half or more of their sessions this year: they are severely absent, and we are very worried about them.",
                "We need to meet with you urgently. We will also work with the local authority and other services to make sure {pupil_name} gets the support they need.",
            ),
        },
    ]
}

/// What goes into one pupil's letter.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts<'a> {
    pub pupil_name: &'a str,
    pub year_group: &'a str,
    pub salutation: Option<&'a str>,
    pub attendance: f64,
    pub sessions_missed: u64,
    pub possible_sessions: u64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub threshold: u8,
    pub academy_name: &'a str,
    pub academy_contact: &'a str,
}

impl Facts<'_> {
    /// The merge fields, each as the letter prints it.
    pub fn fields(&self) -> BTreeMap<&'static str, String> {
        let day = |d: NaiveDate| d.format("%-d %B %Y").to_string();
        let days_missed = self.sessions_missed as f64 / 2.0;
        BTreeMap::from([
            ("pupil_name", self.pupil_name.to_string()),
            ("year_group", year_label(self.year_group)),
            (
                "salutation",
                self.salutation
                    .unwrap_or("Dear parent or carer")
                    .to_string(),
            ),
            ("attendance", format!("{:.1}%", self.attendance)),
            ("sessions_missed", self.sessions_missed.to_string()),
            ("possible_sessions", self.possible_sessions.to_string()),
            (
                "days_missed",
                if days_missed.fract() == 0.0 {
                    format!("{days_missed:.0}")
                } else {
                    format!("{days_missed:.1}")
                },
            ),
            ("from", day(self.from)),
            ("to", day(self.to)),
            ("threshold", format!("{}%", self.threshold)),
            ("academy_name", self.academy_name.to_string()),
            ("academy_contact", self.academy_contact.to_string()),
        ])
    }
}

fn year_label(y: &str) -> String {
    match y {
        "R" => "Reception".into(),
        "N1" | "N2" => "Nursery".into(),
        n => format!("Year {n}"),
    }
}

/// Which template a pupil gets: the threshold their attendance crossed this week, or
/// (when they are on the list as newly persistently or severely absent without a
/// crossing) the lowest threshold their attendance now is below.
pub fn threshold_for(crossed_below: Option<u8>, attendance_now: f64) -> u8 {
    crossed_below.unwrap_or_else(|| {
        THRESHOLDS
            .iter()
            .rev()
            .find(|t| attendance_now < f64::from(**t))
            .copied()
            .unwrap_or(95)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> Facts<'static> {
        Facts {
            pupil_name: "Amara Okafor",
            year_group: "8",
            salutation: None,
            attendance: 89.47,
            sessions_missed: 25,
            possible_sessions: 238,
            from: NaiveDate::from_ymd_opt(2026, 9, 3).unwrap(),
            to: NaiveDate::from_ymd_opt(2026, 11, 27).unwrap(),
            threshold: 90,
            academy_name: "Oakfield Academy",
            academy_contact: "Mrs Patel, attendance officer, on 01234 567890",
        }
    }

    #[test]
    fn a_letter_is_filled_from_the_pupil_s_figures() {
        let t = defaults().into_iter().find(|t| t.threshold == 90).unwrap();
        let (subject, paras) = t.fill(&facts().fields());
        assert_eq!(subject, "Amara Okafor's attendance: persistent absence");
        assert_eq!(paras[0], "Dear parent or carer,");
        assert!(
            paras[2].starts_with(
                "From 3 September 2026 to 27 November 2026, Amara Okafor (Year 8) attended 89.5% \
             of the sessions they could have attended, and missed 25 of 238 sessions (about \
             12.5 school days). Their attendance has now fallen below 90%."
            ),
            "{}",
            paras[2]
        );
        assert!(paras
            .iter()
            .any(|p| p.contains("Mrs Patel, attendance officer")));
        assert_eq!(paras.last().unwrap(), "Oakfield Academy");
        assert!(!paras.join(" ").contains('{'), "{paras:?}");
    }

    #[test]
    fn every_default_is_checked_and_an_unknown_field_is_named() {
        for t in defaults() {
            t.check().unwrap();
        }
        let bad = Template {
            threshold: 90,
            subject: "Hello {parent_name}".into(),
            body: String::new(),
        };
        let e = bad.check().unwrap_err();
        assert!(e.contains("{parent_name}") && e.contains("at 90%"), "{e}");
        // A value with braces in it is not merged again.
        let t = Template {
            threshold: 90,
            subject: "{pupil_name} {".into(),
            body: String::new(),
        };
        let mut f = facts().fields();
        f.insert("pupil_name", "{academy_name}".into());
        assert_eq!(t.fill(&f).0, "{academy_name} {");
    }

    #[test]
    fn the_template_is_the_threshold_crossed_or_the_band_attendance_is_in() {
        assert_eq!(threshold_for(Some(93), 92.0), 93);
        assert_eq!(threshold_for(None, 89.9), 90);
        assert_eq!(threshold_for(None, 49.0), 50);
        assert_eq!(threshold_for(None, 90.0), 93);
    }
}
