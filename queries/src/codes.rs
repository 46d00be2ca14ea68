//! Attendance codes and how each one counts (../shared/domain.md, "Codes from 19
//! August 2024"). This table is the single source of truth: the schema's `codes` table
//! is filled from it, the loader validates against it and the figures join to it.

use chrono::NaiveDate;

/// How a session with a given code counts in DfE's figures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// `/`, `\`, `L`: in school.
    Present,
    /// Approved educational activity: counts as attending.
    Approved,
    Authorised,
    Unauthorised,
    /// Not a possible session (`D`, `X`, `Q`, `Y1`..`Y7`, legacy `Y`).
    NotCounted,
    /// `Z` (not yet on roll) and `#` (planned whole-school closure).
    Administrative,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Present => "present",
            Category::Approved => "approved",
            Category::Authorised => "authorised",
            Category::Unauthorised => "unauthorised",
            Category::NotCounted => "not_counted",
            Category::Administrative => "administrative",
        }
    }

    /// Whether a session with this code is a possible session.
    pub fn is_possible(self) -> bool {
        matches!(
            self,
            Category::Present | Category::Approved | Category::Authorised | Category::Unauthorised
        )
    }
}

/// One attendance code.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub code: &'static str,
    pub category: Category,
    /// Only valid for sessions before 2024-08-19 (pre-2024 code set).
    pub legacy: bool,
    pub meaning: &'static str,
}

/// The day the 2024 regulations (SI 2024/208) and the new code set took effect.
pub fn new_codes_from() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 8, 19).expect("valid date")
}

const fn c(code: &'static str, category: Category, meaning: &'static str) -> Code {
    Code {
        code,
        category,
        legacy: false,
        meaning,
    }
}

const fn legacy(code: &'static str, category: Category, meaning: &'static str) -> Code {
    Code {
        code,
        category,
        legacy: true,
        meaning,
    }
}

use Category::*;

/// Every code Rollcall stores. The order is the order of the `mark_code` enum type.
#[rustfmt::skip]
pub const CODES: &[Code] = &[
    c("/", Present, "Present (AM)"),
    c("\\", Present, "Present (PM)"),
    c("L", Present, "Late, arrived before the register closed"),
    c("K", Approved, "Education arranged by the local authority"),
    c("V", Approved, "Educational visit or trip"),
    c("P", Approved, "Approved sporting activity"),
    c("W", Approved, "Work experience"),
    c("B", Approved, "Other approved supervised off-site activity (school-arranged AP)"),
    c("C1", Authorised, "Leave: regulated performance or employment abroad"),
    c("C2", Authorised, "Leave: part-time (reduced) timetable"),
    c("C", Authorised, "Leave: exceptional circumstances"),
    c("M", Authorised, "Medical or dental appointment"),
    c("J1", Authorised, "Interview"),
    c("S", Authorised, "Study leave"),
    c("T", Authorised, "Traveller travelling for work"),
    c("R", Authorised, "Religious observance"),
    c("I", Authorised, "Illness"),
    c("E", Authorised, "Suspended or excluded, no alternative provision"),
    c("G", Unauthorised, "Holiday not granted by the school"),
    c("N", Unauthorised, "Reason not yet provided"),
    c("O", Unauthorised, "Other unauthorised absence"),
    c("U", Unauthorised, "Arrived after the register closed"),
    c("D", NotCounted, "Dual registered, attending the other school"),
    c("X", NotCounted, "Below compulsory school age, not required to attend"),
    c("Q", NotCounted, "Unable to attend: no access arrangements"),
    c("Y1", NotCounted, "Unable to attend: transport"),
    c("Y2", NotCounted, "Unable to attend: widespread travel disruption"),
    c("Y3", NotCounted, "Unable to attend: part of premises closed"),
    c("Y4", NotCounted, "Unable to attend: whole school site closed"),
    c("Y5", NotCounted, "Unable to attend: in custody"),
    c("Y6", NotCounted, "Unable to attend: public health rule"),
    c("Y7", NotCounted, "Unable to attend: other unavoidable cause"),
    c("Z", Administrative, "Pupil not yet on roll"),
    c("#", Administrative, "Planned whole-school closure"),
    legacy("H", Authorised, "Authorised holiday (before August 2024)"),
    legacy("F", Authorised, "Extended family holiday (retired 2014, before August 2024)"),
    legacy("J", Approved, "Interview (before August 2024)"),
    legacy("Y", NotCounted, "Enforced closure (before August 2024)"),
];

/// Looks a statutory code up exactly.
pub fn lookup(code: &str) -> Option<&'static Code> {
    CODES.iter().find(|c| c.code == code)
}

/// Why a raw mark could not be turned into a statutory code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeError {
    Unknown,
    LegacyAfterChange(&'static str),
}

impl std::fmt::Display for CodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CodeError::Unknown => write!(
                f,
                "not a DfE attendance code (a school's own mark needs a mapping in the trust config)"
            ),
            CodeError::LegacyAfterChange(code) => write!(
                f,
                "code {code} was retired on 2024-08-19 and cannot be used for a later session"
            ),
        }
    }
}

/// Resolves a raw mark from an extract to a statutory code for a session on `date`:
/// exact statutory codes first, then the trust's own mapping, then MIS subcodes
/// (`I01` -> `I`), which map to their first letter.
pub fn resolve(
    raw: &str,
    date: NaiveDate,
    trust_map: &dyn Fn(&str) -> Option<&'static Code>,
) -> Result<&'static Code, CodeError> {
    let code = lookup(raw)
        .or_else(|| trust_map(raw))
        .or_else(|| subcode(raw))
        .ok_or(CodeError::Unknown)?;
    if code.legacy && date >= new_codes_from() {
        return Err(CodeError::LegacyAfterChange(code.code));
    }
    Ok(code)
}

/// `I01`, `M2`, `O12`: a letter followed by digits, not itself a statutory code.
fn subcode(raw: &str) -> Option<&'static Code> {
    let mut chars = raw.chars();
    let first = chars.next()?;
    let rest = chars.as_str();
    if !first.is_ascii_uppercase() || rest.is_empty() || !rest.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    lookup(&raw[..1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<&'static Code> {
        None
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn categories_follow_domain_table() {
        let cat = |c: &str| lookup(c).unwrap().category;
        for p in ["/", "\\", "L"] {
            assert_eq!(cat(p), Present, "{p}");
        }
        for a in ["K", "V", "P", "W", "B"] {
            assert_eq!(cat(a), Approved, "{a}");
        }
        for a in ["C1", "C2", "C", "M", "J1", "S", "T", "R", "I", "E"] {
            assert_eq!(cat(a), Authorised, "{a}");
        }
        for u in ["G", "N", "O", "U"] {
            assert_eq!(cat(u), Unauthorised, "{u}");
        }
        for n in ["D", "X", "Q", "Y1", "Y2", "Y3", "Y4", "Y5", "Y6", "Y7"] {
            assert_eq!(cat(n), NotCounted, "{n}");
            assert!(!cat(n).is_possible());
        }
        assert!(!cat("Z").is_possible());
        assert!(!cat("#").is_possible());
        assert_eq!(cat("J"), Approved);
        assert_eq!(cat("H"), Authorised);
        assert_eq!(cat("Y"), NotCounted);
    }

    #[test]
    fn subcodes_map_to_their_first_letter_but_two_character_codes_stay() {
        let day = d(2025, 1, 10);
        assert_eq!(resolve("I01", day, &none).unwrap().code, "I");
        assert_eq!(resolve("C2", day, &none).unwrap().code, "C2");
        assert_eq!(resolve("Y4", day, &none).unwrap().code, "Y4");
        assert_eq!(resolve("J1", day, &none).unwrap().code, "J1");
        assert_eq!(resolve("-", day, &none).unwrap_err(), CodeError::Unknown);
        assert_eq!(resolve("@", day, &none).unwrap_err(), CodeError::Unknown);
        assert_eq!(resolve("A", day, &none).unwrap_err(), CodeError::Unknown);
        assert_eq!(resolve("i", day, &none).unwrap_err(), CodeError::Unknown);
    }

    #[test]
    fn legacy_codes_only_before_the_change() {
        assert_eq!(resolve("H", d(2024, 8, 18), &none).unwrap().code, "H");
        assert_eq!(
            resolve("H", d(2024, 8, 19), &none).unwrap_err(),
            CodeError::LegacyAfterChange("H")
        );
        assert_eq!(
            resolve("J", d(2025, 2, 1), &none).unwrap_err(),
            CodeError::LegacyAfterChange("J")
        );
    }

    #[test]
    fn trust_mapping_applies_to_non_statutory_marks() {
        let map = |raw: &str| if raw == "@" { lookup("L") } else { None };
        assert_eq!(resolve("@", d(2025, 1, 10), &map).unwrap().code, "L");
    }
}
