//! Turning an extract's CSV files into validated rows (extract-format.md, "CSV files").

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use crate::codes;
use crate::config::TrustConfig;
use crate::extract::{self, Extract, FileFault};
use crate::rows::{CsvFile, Row, RowFault};
use crate::types::PupilDetails;

/// A spell on roll: from the entry date to the leaving date (open when none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Spell {
    pub entry_date: NaiveDate,
    pub leaving_date: Option<NaiveDate>,
}

impl Spell {
    /// Whether two spells share a day.
    pub fn overlaps(&self, other: &Spell) -> bool {
        let ends_after = |s: &Spell, d: NaiveDate| s.leaving_date.is_none_or(|l| l >= d);
        ends_after(self, other.entry_date) && ends_after(other, self.entry_date)
    }
}

/// A pupil with its attributes from the newest spell listed (entry and leaving date
/// are that spell's) and every spell pupils.csv lists for it, in date order.
#[derive(Debug, Clone)]
pub struct PupilRow {
    pub pupil_id: String,
    pub upn: Option<String>,
    pub surname: Option<String>,
    pub forename: Option<String>,
    pub nc_year: i8,
    pub details: PupilDetails,
    pub spells: Vec<Spell>,
}

/// A pupil whose pupils.csv row was rejected: the warehouse keeps the pupil's previous
/// record and marks (extract-format.md: a rejected row never removes what it would
/// have replaced).
#[derive(Debug, Clone)]
pub struct HeldPupil {
    pub pupil_id: String,
    pub fault: RowFault,
}

/// A rejected marks.csv row that names a pupil, a date inside the window and a
/// session: the previous mark for that session stays.
#[derive(Debug, Clone)]
pub struct HeldMark {
    pub pupil_id: String,
    pub date: NaiveDate,
    /// 0 = AM, 1 = PM.
    pub session: u8,
    pub fault: RowFault,
}

/// Valid marks, column by column (ready for an Arrow batch).
#[derive(Debug, Default)]
pub struct MarkColumns {
    /// Index into `Parsed::pupils`.
    pub pupil: Vec<u32>,
    pub date: Vec<NaiveDate>,
    /// 0 = AM, 1 = PM.
    pub session: Vec<u8>,
    pub code: Vec<&'static str>,
    pub minutes_late: Vec<Option<u16>>,
}

impl MarkColumns {
    pub fn len(&self) -> usize {
        self.pupil.len()
    }

    pub fn is_empty(&self) -> bool {
        self.pupil.is_empty()
    }
}

#[derive(Debug, Clone)]
pub struct ApRow {
    pub pupil: u32,
    pub provider: String,
    pub provider_urn: Option<String>,
    pub arranged_by: String,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub sessions_per_week: u8,
    pub last_contact_date: Option<NaiveDate>,
}

#[derive(Debug, Clone)]
pub struct RtRow {
    pub pupil: u32,
    pub start_date: NaiveDate,
    pub planned_end_date: NaiveDate,
    pub next_review_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub sessions_per_week: u8,
    pub reason: Option<String>,
    pub parents_agreed: bool,
    pub la_notified: bool,
}

/// Rows read and rejected in one file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct FileSummary {
    pub file: String,
    pub encoding: String,
    pub rows: u64,
    pub rejected: u64,
}

#[derive(Debug, Default)]
pub struct Parsed {
    pub pupils: Vec<PupilRow>,
    pub marks: MarkColumns,
    pub ap: Option<Vec<ApRow>>,
    pub rt: Option<Vec<RtRow>>,
    pub faults: Vec<RowFault>,
    pub files: Vec<FileSummary>,
    pub notes: Vec<String>,
    /// Pupils whose row was rejected, one entry each (the first fault).
    pub held_pupils: Vec<HeldPupil>,
    /// Rejected marks that would have replaced a mark (not those of held pupils).
    pub held_marks: Vec<HeldMark>,
    /// Pupils with a rejected ap_placements.csv / reduced_timetables.csv row: their
    /// previous placements / timetables are kept and none of this extract's loaded.
    pub ap_held: HashSet<String>,
    pub rt_held: HashSet<String>,
}

pub use crate::calendar::academic_year;

/// `N1` = -2, `N2` = -1, `R` = 0, `1`..`13`.
pub fn nc_year(year_group: &str) -> Option<i8> {
    match year_group {
        "N1" => Some(-2),
        "N2" => Some(-1),
        "R" => Some(0),
        other => other.parse::<i8>().ok().filter(|n| (1..=13).contains(n)),
    }
}

const PUPIL_REQUIRED: &[&str] = &[
    "pupil_id",
    "date_of_birth",
    "sex",
    "year_group",
    "entry_date",
    "sen_provision",
    "fsm",
    "eal",
];
const PUPIL_OPTIONAL: &[&str] = &[
    "upn",
    "surname",
    "forename",
    "leaving_date",
    "ethnicity",
    "looked_after",
];
const MARK_REQUIRED: &[&str] = &["pupil_id", "date", "session", "code"];
const MARK_OPTIONAL: &[&str] = &["minutes_late"];
const AP_REQUIRED: &[&str] = &[
    "pupil_id",
    "provider",
    "arranged_by",
    "start_date",
    "sessions_per_week",
];
const AP_OPTIONAL: &[&str] = &["provider_urn", "end_date", "last_contact_date"];
const RT_REQUIRED: &[&str] = &[
    "pupil_id",
    "start_date",
    "planned_end_date",
    "next_review_date",
    "sessions_per_week",
    "parents_agreed",
    "la_notified",
];
const RT_OPTIONAL: &[&str] = &["end_date", "reason"];

/// Parses every file of an extract. File-level faults (a missing column) come back as
/// `Err`; row-level faults are collected in `Parsed::faults`.
pub fn parse(ex: &Extract, config: &TrustConfig) -> Result<Parsed, FileFault> {
    let mut out = Parsed::default();
    let roll = Roll {
        index: parse_pupils(ex, &mut out)?,
        held: out.held_pupils.clone(),
    };
    parse_marks(ex, config, &roll, &mut out)?;
    if let Some(bytes) = ex.files.get(extract::AP_PLACEMENTS) {
        let file = CsvFile::open(extract::AP_PLACEMENTS, bytes, AP_REQUIRED, AP_OPTIONAL)?;
        out.ap = Some(parse_ap(&file, &roll, &mut out));
    }
    if let Some(bytes) = ex.files.get(extract::REDUCED_TIMETABLES) {
        let file = CsvFile::open(extract::REDUCED_TIMETABLES, bytes, RT_REQUIRED, RT_OPTIONAL)?;
        out.rt = Some(parse_rt(&file, &roll, &mut out));
    }
    for name in &ex.unlisted {
        out.notes.push(format!(
            "{name} is not listed in the manifest and was ignored"
        ));
    }
    Ok(out)
}

fn summarise(out: &mut Parsed, file: &CsvFile, rows: u64, faults_before: usize) {
    for col in &file.ignored_columns {
        out.notes.push(format!(
            "{}: column {col} is not in format version 1 and was ignored",
            file.name
        ));
    }
    out.files.push(FileSummary {
        file: file.name.to_string(),
        encoding: file.encoding.to_string(),
        rows,
        rejected: (out.faults.len() - faults_before) as u64,
    });
}

/// A file every extract holds (pupils.csv, marks.csv), opened.
fn open_required(
    ex: &Extract,
    name: &'static str,
    required: &[&str],
    optional: &[&str],
) -> Result<CsvFile, FileFault> {
    CsvFile::open(name, &ex.files[name], required, optional)
}

/// One accepted pupils.csv row: a spell and the attributes it was listed with.
struct PupilLine {
    line: u64,
    row: PupilRow,
}

fn parse_pupils(ex: &Extract, out: &mut Parsed) -> Result<HashMap<String, u32>, FileFault> {
    let file = open_required(ex, extract::PUPILS, PUPIL_REQUIRED, PUPIL_OPTIONAL)?;
    // Accepted rows by pupil, in the order pupils first appear; the first fault of each
    // pupil with a rejected row.
    let mut lines: Vec<(String, Vec<PupilLine>)> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut held: Vec<(String, usize)> = Vec::new();
    let mut held_ids: HashSet<String> = HashSet::new();
    let before = out.faults.len();
    let rows = file.for_each_row(&mut out.faults, |row, faults| {
        let pupil_id = row.req("pupil_id");
        let upn = row.opt("upn").map(str::to_string);
        if let Some(u) = &upn {
            if u.len() != 13 || !u.chars().all(|c| c.is_ascii_alphanumeric()) {
                row.fail("upn", "a UPN is 13 letters and digits");
            }
        }
        let date_of_birth = row.date("date_of_birth");
        let sex = row.one_of("sex", &["M", "F"]);
        let nc = row.req("year_group").and_then(|yg| {
            let n = nc_year(&yg);
            if n.is_none() {
                row.fail("year_group", "not one of N1, N2, R, 1..13");
            }
            n
        });
        let entry_date = row.date("entry_date");
        // A second row for the same spell is rejected; the first stands.
        let mut duplicate = false;
        if let (Some(id), Some(entry)) = (&pupil_id, entry_date) {
            let earlier = by_id.get(id).and_then(|&i| {
                lines[i]
                    .1
                    .iter()
                    .find(|l| l.row.details.entry_date == entry)
                    .map(|l| l.line)
            });
            if let Some(line) = earlier {
                duplicate = row.is_ok();
                row.fail(
                    "pupil_id",
                    format!("duplicate pupil_id with the same entry_date, first on line {line}"),
                );
            }
        }
        let leaving_date = row.opt_date("leaving_date");
        row.not_before(
            "leaving_date",
            leaving_date.flatten(),
            entry_date,
            "the entry date",
        );
        let sen = row.one_of("sen_provision", &["N", "K", "E"]);
        let fsm = row.boolean("fsm");
        let eal = row.boolean("eal");
        let ethnicity = row.opt("ethnicity").map(|e| e.to_ascii_uppercase());
        if let Some(e) = &ethnicity {
            if e.len() != 4 || !e.chars().all(|c| c.is_ascii_alphabetic()) {
                row.fail("ethnicity", "a DfE ethnicity code is 4 letters");
            }
        }
        let looked_after = row.opt_boolean("looked_after");
        let line = row.line;
        if row.finish(faults) {
            let id = pupil_id.expect("checked");
            let entry_date = entry_date.expect("checked");
            let leaving_date = leaving_date.expect("checked");
            let pupil = PupilRow {
                pupil_id: id.clone(),
                upn,
                surname: row.opt("surname").map(str::to_string),
                forename: row.opt("forename").map(str::to_string),
                nc_year: nc.expect("checked"),
                details: PupilDetails {
                    date_of_birth: date_of_birth.expect("checked"),
                    sex: sex.expect("checked"),
                    entry_date,
                    leaving_date,
                    sen_provision: sen.expect("checked"),
                    fsm: fsm.expect("checked"),
                    eal: eal.expect("checked"),
                    ethnicity,
                    looked_after: looked_after.expect("checked"),
                },
                spells: vec![Spell {
                    entry_date,
                    leaving_date,
                }],
            };
            let i = *by_id.entry(id.clone()).or_insert_with(|| {
                lines.push((id, Vec::new()));
                lines.len() - 1
            });
            lines[i].1.push(PupilLine { line, row: pupil });
        } else if let (Some(id), false) = (pupil_id, duplicate) {
            if held_ids.insert(id.clone()) {
                held.push((id, faults.len() - 1));
            }
        }
    });
    // Spells of one pupil may not overlap: the later-starting row is rejected.
    for (id, rows) in &mut lines {
        rows.sort_by_key(|l| l.row.details.entry_date);
        for pair in rows.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            if a.row.spells[0].overlaps(&b.row.spells[0]) {
                out.faults.push(RowFault {
                    file: file.name.to_string(),
                    line: b.line,
                    column: "entry_date".into(),
                    value: b.row.details.entry_date.to_string(),
                    reason: format!(
                        "this spell overlaps the spell from {} on line {}",
                        a.row.details.entry_date, a.line
                    ),
                });
                if held_ids.insert(id.clone()) {
                    held.push((id.clone(), out.faults.len() - 1));
                }
                break;
            }
        }
    }
    // A pupil with a rejected row keeps its previous record: its other rows are not
    // loaded either, and say why.
    let mut pupils = Vec::new();
    let mut index: HashMap<String, u32> = HashMap::new();
    for (id, rows) in lines {
        if let Some((_, fault)) = held.iter().find(|(h, _)| *h == id) {
            let first = out.faults[*fault].line;
            for l in rows.iter().filter(|l| l.line != first) {
                if out
                    .faults
                    .iter()
                    .any(|f| f.line == l.line && f.file == file.name)
                {
                    continue;
                }
                out.faults.push(RowFault {
                    file: file.name.to_string(),
                    line: l.line,
                    column: "pupil_id".into(),
                    value: id.clone(),
                    reason: format!(
                        "another row for this pupil (line {first}) was rejected, so the pupil's previous record is kept"
                    ),
                });
            }
            continue;
        }
        let spells: Vec<Spell> = rows.iter().map(|l| l.row.spells[0]).collect();
        let mut newest = rows.into_iter().last().expect("a row").row;
        newest.spells = spells;
        index.insert(id, pupils.len() as u32);
        pupils.push(newest);
    }
    out.held_pupils = held
        .into_iter()
        .map(|(pupil_id, fault)| HeldPupil {
            pupil_id,
            fault: out.faults[fault].clone(),
        })
        .collect();
    out.pupils = pupils;
    summarise(out, &file, rows, before);
    Ok(index)
}

/// The pupils the other files may name: each accepted pupil's index in
/// `Parsed::pupils`, and the pupils whose pupils.csv row was rejected.
struct Roll {
    index: HashMap<String, u32>,
    held: Vec<HeldPupil>,
}

impl Roll {
    /// The index of the pupil a row names; the row fails when it names none.
    fn pupil_of(&self, row: &mut Row<'_>) -> Option<u32> {
        let id = row.req("pupil_id")?;
        let found = self.index.get(&id).copied();
        if found.is_none() {
            match self.held.iter().find(|h| h.pupil_id == id) {
                Some(h) => row.fail(
                    "pupil_id",
                    format!(
                        "the pupil's row in pupils.csv (line {}) was rejected, so the previous data is kept",
                        h.fault.line
                    ),
                ),
                None => row.fail("pupil_id", "not in pupils.csv"),
            }
        }
        found
    }

    /// Whether the pupil's pupils.csv row was rejected.
    fn is_held(&self, id: &str) -> bool {
        self.held.iter().any(|h| h.pupil_id == id)
    }
}

fn parse_marks(
    ex: &Extract,
    config: &TrustConfig,
    roll: &Roll,
    out: &mut Parsed,
) -> Result<(), FileFault> {
    let file = open_required(ex, extract::MARKS, MARK_REQUIRED, MARK_OPTIONAL)?;
    let (from, to) = (ex.manifest.marks_from, ex.manifest.marks_to);
    let mut seen: HashSet<(u32, NaiveDate, u8)> = HashSet::new();
    let mut marks = MarkColumns::default();
    let trust_map = |raw: &str| config.map_mark(raw);
    let before = out.faults.len();
    let mut held_marks = Vec::new();
    let rows = file.for_each_row(&mut out.faults, |row, faults| {
        let pupil_id = row.opt("pupil_id").map(str::to_string);
        let pupil = roll.pupil_of(row);
        let date = row.date("date");
        if let Some(d) = date {
            if d < from || d > to {
                row.fail("date", format!("outside the extract's window {from} to {to}"));
            }
        }
        let session = match row.req("session").map(|s| s.to_ascii_uppercase()) {
            Some(s) if s == "AM" => Some(0u8),
            Some(s) if s == "PM" => Some(1u8),
            Some(_) => {
                row.fail("session", "not AM or PM");
                None
            }
            None => None,
        };
        let code = match (row.req("code"), date) {
            (Some(raw), Some(d)) => match codes::resolve(&raw, d, &trust_map) {
                Ok(c) => Some(c),
                Err(e) => {
                    let reason = if raw == "-" {
                        "\"-\" means no mark yet (register not taken); leave the row out of the extract".to_string()
                    } else {
                        e.to_string()
                    };
                    row.fail("code", reason);
                    None
                }
            },
            _ => None,
        };
        let minutes = row.opt_number("minutes_late", 0..=600);
        let mut duplicate = false;
        if let (Some(p), Some(d), Some(s)) = (pupil, date, session) {
            if row.is_ok() && !seen.insert((p, d, s)) {
                duplicate = true;
                row.fail(
                    "session",
                    "duplicate mark for this pupil, date and session",
                );
            }
        }
        let ok = row.finish(faults);
        // A rejected row that says which session it was for keeps the previous mark
        // for that session (unless its pupil is held whole, or the session was given).
        // A row whose session cannot be read keeps both of that day's marks.
        if let (false, false, Some(id), Some(d)) = (ok, duplicate, &pupil_id, date) {
            if !roll.is_held(id) && d >= from && d <= to {
                let sessions: &[u8] = match session {
                    Some(0) => &[0],
                    Some(_) => &[1],
                    None => &[0, 1],
                };
                for s in sessions {
                    held_marks.push(HeldMark {
                        pupil_id: id.clone(),
                        date: d,
                        session: *s,
                        fault: faults.last().expect("the row's fault").clone(),
                    });
                }
            }
        }
        if ok {
            let code = code.expect("checked");
            marks.pupil.push(pupil.expect("checked"));
            marks.date.push(date.expect("checked"));
            marks.session.push(session.expect("checked"));
            marks.code.push(code.code);
            let late = matches!(code.code, "L" | "U");
            marks
                .minutes_late
                .push(minutes.flatten().filter(|_| late).map(|m| m as u16));
        }
    });
    out.marks = marks;
    out.held_marks = held_marks;
    summarise(out, &file, rows, before);
    Ok(())
}

/// Parses a file of per-pupil records (ap_placements.csv, reduced_timetables.csv):
/// `read` checks a row's own columns and gives what makes the row's record from the
/// pupil's index once the whole row is found good. Returns the records and the pupils
/// with a rejected row, who keep the records they had.
fn parse_pupil_records<T, R: FnOnce(u32) -> T>(
    file: &CsvFile,
    roll: &Roll,
    out: &mut Parsed,
    mut read: impl FnMut(&mut Row<'_>) -> R,
) -> (Vec<T>, HashSet<String>) {
    let before = out.faults.len();
    let mut records = Vec::new();
    let mut kept = HashSet::new();
    let rows = file.for_each_row(&mut out.faults, |row, faults| {
        let pupil_id = row.opt("pupil_id").map(str::to_string);
        let pupil = roll.pupil_of(row);
        let record = read(row);
        if row.finish(faults) {
            records.push(record(pupil.expect("checked")));
        } else if let Some(id) = pupil_id {
            kept.insert(id);
        }
    });
    summarise(out, file, rows, before);
    (records, kept)
}

fn parse_ap(file: &CsvFile, roll: &Roll, out: &mut Parsed) -> Vec<ApRow> {
    let (rows, kept) = parse_pupil_records(file, roll, out, |row| {
        let provider = row.req("provider");
        let provider_urn = row.opt("provider_urn").map(str::to_string);
        let arranged_by = row.one_of("arranged_by", &["school", "local-authority"]);
        let start = row.date("start_date");
        let end = row.opt_date("end_date");
        row.not_before("end_date", end.flatten(), start, "the start date");
        let spw = row.number("sessions_per_week", 1..=10);
        let contact = row.opt_date("last_contact_date");
        move |pupil| ApRow {
            pupil,
            provider: provider.expect("checked"),
            provider_urn,
            arranged_by: arranged_by.expect("checked"),
            start_date: start.expect("checked"),
            end_date: end.expect("checked"),
            sessions_per_week: spw.expect("checked") as u8,
            last_contact_date: contact.expect("checked"),
        }
    });
    out.ap_held = kept;
    rows
}

fn parse_rt(file: &CsvFile, roll: &Roll, out: &mut Parsed) -> Vec<RtRow> {
    let (rows, kept) = parse_pupil_records(file, roll, out, |row| {
        let start = row.date("start_date");
        let planned_end = row.date("planned_end_date");
        row.not_before("planned_end_date", planned_end, start, "the start date");
        let review = row.date("next_review_date");
        let end = row.opt_date("end_date");
        row.not_before("end_date", end.flatten(), start, "the start date");
        let spw = row.number("sessions_per_week", 0..=10);
        let reason = row.opt("reason").map(str::to_string);
        if reason.as_ref().is_some_and(|r| r.chars().count() > 40) {
            row.fail(
                "reason",
                "a short category is expected (40 characters at most), not free-text notes",
            );
        }
        let parents = row.boolean("parents_agreed");
        let la = row.boolean("la_notified");
        move |pupil| RtRow {
            pupil,
            start_date: start.expect("checked"),
            planned_end_date: planned_end.expect("checked"),
            next_review_date: review.expect("checked"),
            end_date: end.expect("checked"),
            sessions_per_week: spw.expect("checked") as u8,
            reason,
            parents_agreed: parents.expect("checked"),
            la_notified: la.expect("checked"),
        }
    });
    out.rt_held = kept;
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn academic_years_and_nc_years() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        assert_eq!(academic_year(d(2024, 9, 1)), 2024);
        assert_eq!(academic_year(d(2025, 8, 31)), 2024);
        assert_eq!(nc_year("R"), Some(0));
        assert_eq!(nc_year("N1"), Some(-2));
        assert_eq!(nc_year("13"), Some(13));
        assert_eq!(nc_year("14"), None);
        assert_eq!(nc_year("0"), None);
        assert_eq!(nc_year("Y7"), None);
    }
}
