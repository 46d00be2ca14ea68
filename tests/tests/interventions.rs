//! `interventions.csv` in a nightly extract: past actions from the MIS into pupils'
//! cases, through the real loader and the real store. All or nothing (a faulty row
//! named, nothing of the file written, the registers still loaded); the same actions
//! sent again added once; every imported action and every import audited.

use queries::Status;
use rollcall_tests::{date as d, ExtractSpec, Warehouse};

const A: &str = "100001";
const HEADER: &str = "pupil_id,date,kind,outcome,next_step,next_due,recorded_by,reference\n";

fn extract(taken: &str, interventions: &str) -> ExtractSpec {
    let days = rollcall_tests::weekdays(&[(d(2025, 9, 1), d(2025, 9, 26))]);
    let marks = rollcall_tests::registers_by_index(&["P1", "P2"], &days, |_, _, s| {
        rollcall_tests::present(s)
    });
    let pupils = rollcall_tests::year8_pupils(&["P1", "P2"]);
    ExtractSpec::new(A, "2025-09-01", "2025-09-26", taken)
        .pupils(&pupils)
        .marks(&marks)
        .file("interventions.csv", format!("{HEADER}{interventions}"))
}

fn held(w: &Warehouse) -> Vec<(String, String, String, String)> {
    let conn = w.accounts();
    let mut stmt = conn
        .prepare("SELECT pupil_id, kind, by_name, source_ref FROM case_actions ORDER BY action_id")
        .unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn past_actions_come_in_with_the_extract_once_and_all_or_nothing() {
    let w = Warehouse::new();
    let first = "P1,2025-09-10,letter,Letter at 95%,,,Mrs Patel,SIMS-101\n\
                 P2,15/09/2025,meeting,Mum came,Review,29/09/2025,,SIMS-102\n";
    let o = w.load_spec(&extract("2025-09-27T02:00:00Z", first), "n1");
    rollcall_tests::assert_loaded_whole(&o);
    assert!(
        o.notes
            .iter()
            .any(|n| n == "interventions.csv: 2 actions added to pupils' cases, 0 already held"),
        "{:?}",
        o.notes
    );
    assert_eq!(
        held(&w),
        vec![
            (
                "P1".into(),
                "letter".into(),
                "Mrs Patel".into(),
                "SIMS-101".into()
            ),
            (
                "P2".into(),
                "meeting".into(),
                "Imported from the MIS".into(),
                "SIMS-102".into()
            ),
        ]
    );
    // The next night sends the same two and one more: one added.
    let more = format!("{first}P1,2025-09-26,phone-call,,,,,SIMS-103\n");
    let o = w.load_spec(&extract("2025-09-28T02:00:00Z", &more), "n2");
    assert_eq!(o.status, Status::Loaded);
    assert!(
        o.notes
            .iter()
            .any(|n| n.ends_with("1 actions added to pupils' cases, 2 already held")),
        "{:?}",
        o.notes
    );
    assert_eq!(held(&w).len(), 3);
    // A faulty row: the registers load, nothing of the file is written, the fault named.
    let bad =
        format!("{more}P9,2025-09-26,letter,,,,,SIMS-104\nP1,2025-09-26,visit,,,,,SIMS-105\n");
    let o = w.load_spec(&extract("2025-09-29T02:00:00Z", &bad), "n3");
    assert_eq!(o.status, Status::Loaded);
    let note = o
        .notes
        .iter()
        .find(|n| n.starts_with("interventions.csv"))
        .unwrap();
    assert!(
        note.contains("not imported, nothing of it written"),
        "{note}"
    );
    assert!(
        note.contains("line 5, column pupil_id: \"P9\" is not a pupil of this academy"),
        "{note}"
    );
    assert!(
        note.contains("line 6, column kind: \"visit\" is not a kind of action"),
        "{note}"
    );
    assert_eq!(held(&w).len(), 3);
    // Audited: each action imported, and each import.
    assert_eq!(
        w.audited(
            "action = 'record action' AND actor = 'loader' AND subject LIKE '%imported: SIMS-%'"
        ),
        3
    );
    assert_eq!(
        w.audited("action = 'import actions' AND subject LIKE 'interventions.csv at 100001:%'"),
        2
    );
    // The store refuses a second copy of a reference even written by hand.
    let dup = w.accounts().execute(
        "INSERT INTO case_actions (urn, pupil_id, kind, done_on, recorded_by, by_name, source_ref)
         VALUES ('100001', 'P1', 'letter', '2025-09-10', 'x', 'x', 'SIMS-101')",
        [],
    );
    assert!(dup.is_err());
}
