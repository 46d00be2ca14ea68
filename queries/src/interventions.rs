//! Past actions from an MIS: `interventions.csv` (docs/extracts.md) loaded into the
//! cases of one academy, all or nothing. Every row is checked first (a known pupil of
//! the academy, a kind of action, dates, lengths) and every fault is named by file, line,
//! column and value; one fault and nothing is written. Each row carries the MIS's own
//! reference for the action, so importing the same file twice adds nothing; the import
//! is written in one transaction, each action with its audit entry.

use std::collections::HashSet;

use chrono::NaiveDate;
use rusqlite::{params, Connection};

use crate::accounts::AccountError;
use crate::cases::{ActionKind, Checked, MAX_TEXT};
use crate::extract::{decode, parse_date};
use crate::types::{Principal, Role};

pub const FILE: &str = "interventions.csv";
/// The most rows one file may hold (a large academy's years of actions).
pub const MAX_ROWS: usize = 200_000;
/// Faults reported before the rest are only counted.
const MAX_FAULTS: usize = 50;

/// One checked row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub line: u64,
    pub pupil_id: String,
    pub reference: String,
    pub by_name: String,
    pub action: Checked,
}

/// The rows of `bytes`, checked; or every fault (the first [`MAX_FAULTS`] named, the
/// rest counted). `known` says whether the academy has a pupil with that MIS id.
pub fn parse(
    bytes: &[u8],
    today: NaiveDate,
    known: &dyn Fn(&str) -> bool,
) -> Result<Vec<Row>, Vec<String>> {
    let (text, _) = decode(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => return Err(vec![format!("{FILE}: the header row cannot be read: {e}")]),
    };
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let mut faults = Vec::new();
    let mut missing = Vec::new();
    for required in ["pupil_id", "date", "kind", "reference"] {
        if col(required).is_none() {
            missing.push(required);
        }
    }
    if !missing.is_empty() {
        return Err(vec![format!(
            "{FILE}: no column {} in the header row",
            missing.join(", ")
        )]);
    }
    let at = |name: &str| col(name);
    let (c_pupil, c_date, c_kind, c_ref) = (
        at("pupil_id").unwrap(),
        at("date").unwrap(),
        at("kind").unwrap(),
        at("reference").unwrap(),
    );
    let (c_outcome, c_next, c_due, c_by) = (
        at("outcome"),
        at("next_step"),
        at("next_due"),
        at("recorded_by"),
    );
    let mut rows = Vec::new();
    let mut references = HashSet::new();
    let mut extra = 0usize;
    for (i, record) in reader.records().enumerate() {
        let line = i as u64 + 2;
        if i >= MAX_ROWS {
            return Err(vec![format!(
                "{FILE}: more than {MAX_ROWS} rows: split the file"
            )]);
        }
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                faults.push(format!("{FILE}, line {line}: {e}"));
                continue;
            }
        };
        let get = |c: Option<usize>| c.and_then(|c| record.get(c)).unwrap_or("").trim();
        let mut fault = |column: &str, value: &str, why: &str| {
            if faults.len() < MAX_FAULTS {
                faults.push(format!(
                    "{FILE}, line {line}, column {column}: \"{value}\" {why}"
                ));
            } else {
                extra += 1;
            }
        };
        let pupil_id = get(Some(c_pupil));
        if pupil_id.is_empty() || !known(pupil_id) {
            fault("pupil_id", pupil_id, "is not a pupil of this academy");
        }
        let kind = ActionKind::parse(get(Some(c_kind)));
        if kind.is_none() {
            fault("kind", get(Some(c_kind)), "is not a kind of action");
        }
        let on = parse_date(get(Some(c_date)));
        match on {
            None => fault(
                "date",
                get(Some(c_date)),
                "is not a date (YYYY-MM-DD or DD/MM/YYYY)",
            ),
            Some(d) if d > today => fault("date", get(Some(c_date)), "is after today"),
            Some(d) if d < NaiveDate::from_ymd_opt(2000, 1, 1).expect("a date") => {
                fault("date", get(Some(c_date)), "is before 2000")
            }
            _ => {}
        }
        let due = match get(c_due) {
            "" => Some(None),
            s => match parse_date(s) {
                Some(d) => Some(Some(d)),
                None => {
                    fault("next_due", s, "is not a date (YYYY-MM-DD or DD/MM/YYYY)");
                    None
                }
            },
        };
        if let (Some(on), Some(Some(due))) = (on, due) {
            if due < on {
                fault("next_due", &due.to_string(), "is before the action's date");
            }
        }
        let reference = get(Some(c_ref));
        if reference.is_empty() {
            fault(
                "reference",
                reference,
                "is empty: each action needs the MIS's reference",
            );
        } else if !references.insert(reference.to_string()) {
            fault("reference", reference, "is in the file twice");
        }
        for (name, c) in [
            ("outcome", c_outcome),
            ("next_step", c_next),
            ("recorded_by", c_by),
        ] {
            if get(c).chars().count() > MAX_TEXT {
                fault(
                    name,
                    &get(c).chars().take(20).collect::<String>(),
                    "is longer than 2000 characters",
                );
            }
        }
        if let (Some(kind), Some(on), Some(next_due)) = (kind, on, due) {
            rows.push(Row {
                line,
                pupil_id: pupil_id.to_string(),
                reference: reference.to_string(),
                by_name: match get(c_by) {
                    "" => "Imported from the MIS".to_string(),
                    s => s.to_string(),
                },
                action: Checked {
                    kind,
                    on,
                    outcome: get(c_outcome).to_string(),
                    next_step: get(c_next).to_string(),
                    next_due,
                },
            });
        }
    }
    if extra > 0 {
        faults.push(format!("{FILE}: {extra} more faults"));
    }
    if faults.is_empty() {
        Ok(rows)
    } else {
        Err(faults)
    }
}

/// What an import did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Imported {
    pub added: usize,
    /// Rows whose reference the academy's cases already hold.
    pub already: usize,
}

/// Writes `rows` into the cases of the academy `urn`, as `who` (the trust, or staff of
/// that academy: an import is the trust's data-protection decision as much as the
/// academy's), in one transaction with an audit entry for the import and each action.
pub fn import(
    conn: &mut Connection,
    who: &Principal,
    urn: &str,
    rows: &[Row],
) -> Result<Imported, AccountError> {
    let allowed = who.role == Role::Trust
        || (who.role == Role::Academy && who.academies.iter().any(|a| a == urn));
    if !allowed {
        return Err(AccountError::Invalid(format!(
            "{} may not import actions at {urn}",
            who.actor
        )));
    }
    let tx = conn.transaction()?;
    let mut added = 0;
    let mut already = 0;
    for row in rows {
        let n = tx.execute(
            "INSERT OR IGNORE INTO case_actions (urn, pupil_id, kind, done_on, recorded_by,
                 by_name, outcome, next_step, next_due, source_ref)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            params![
                urn,
                row.pupil_id,
                row.action.kind.key(),
                row.action.on.to_string(),
                who.actor,
                row.by_name,
                row.action.outcome,
                row.action.next_step,
                row.action.next_due.map(|d| d.to_string()),
                row.reference,
            ],
        )?;
        if n == 0 {
            already += 1;
            continue;
        }
        added += 1;
        let id = tx.last_insert_rowid();
        crate::accounts::audit(
            &tx,
            who,
            "record action",
            &format!(
                "pupil {} at {urn}: {} on {} (action {id}, imported: {})",
                row.pupil_id,
                row.action.kind.key(),
                row.action.on,
                row.reference
            ),
        )?;
    }
    crate::accounts::audit(
        &tx,
        who,
        "import actions",
        &format!("{FILE} at {urn}: {added} added, {already} already held"),
    )?;
    tx.commit()?;
    Ok(Imported { added, already })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const HEADER: &str = "pupil_id,date,kind,outcome,next_step,next_due,recorded_by,reference\n";

    #[test]
    fn good_rows_are_read_and_every_fault_is_named() {
        let known = |p: &str| p == "P1" || p == "P2";
        let good = format!(
            "{HEADER}P1,2025-10-01,meeting,Mum came,Review,15/10/2025,Mrs Patel,SIMS-1\n\
             P2,02/10/2025,letter,,,,,SIMS-2\n"
        );
        let rows = parse(good.as_bytes(), d("2025-11-01"), &known).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].action.kind, ActionKind::Meeting);
        assert_eq!(rows[0].action.next_due, Some(d("2025-10-15")));
        assert_eq!(rows[0].by_name, "Mrs Patel");
        assert_eq!(rows[1].action.on, d("2025-10-02"));
        assert_eq!(rows[1].by_name, "Imported from the MIS");
        let bad = format!(
            "{HEADER}P9,2025-10-01,meeting,,,,,R1\n\
             P1,2025-13-01,lunch,,,,,R2\n\
             P1,2025-10-01,letter,,,2025-09-01,,R2\n\
             P2,2026-01-01,letter,,,,,\n"
        );
        let faults = parse(bad.as_bytes(), d("2025-11-01"), &known).unwrap_err();
        assert_eq!(
            faults,
            vec![
                "interventions.csv, line 2, column pupil_id: \"P9\" is not a pupil of this academy",
                "interventions.csv, line 3, column kind: \"lunch\" is not a kind of action",
                "interventions.csv, line 3, column date: \"2025-13-01\" is not a date (YYYY-MM-DD or DD/MM/YYYY)",
                "interventions.csv, line 4, column next_due: \"2025-09-01\" is before the action's date",
                "interventions.csv, line 4, column reference: \"R2\" is in the file twice",
                "interventions.csv, line 5, column date: \"2026-01-01\" is after today",
                "interventions.csv, line 5, column reference: \"\" is empty: each action needs the MIS's reference",
            ]
        );
        let e = parse(b"pupil_id,date\nP1,2025-10-01\n", d("2025-11-01"), &known).unwrap_err();
        assert_eq!(
            e,
            vec!["interventions.csv: no column kind, reference in the header row"]
        );
    }
}
