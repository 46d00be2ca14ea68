//! The loader against a real DuckDB file: every rule of extract-format.md.

use queries::{Status, TrustConfig};
use rollcall_tests::{pupil, snapshot, ExtractSpec, Warehouse, MARKS_HEADER, PUPILS_HEADER};

const URN: &str = "100001";

/// Two pupils, one week (Mon 6 to Fri 10 January 2025), all present.
fn week() -> ExtractSpec {
    let mut marks = Vec::new();
    for day in 6..=10 {
        for p in ["P1", "P2"] {
            marks.push(format!("{p},2025-01-{day:02},AM,/,"));
            marks.push(format!("{p},2025-01-{day:02},PM,\\,"));
        }
    }
    let marks: Vec<&str> = marks.iter().map(String::as_str).collect();
    ExtractSpec::new(URN, "2025-01-06", "2025-01-10", "2025-01-11T02:10:00Z")
        .pupils(&[pupil("P1"), pupil("P2")])
        .marks(&marks)
}

fn reason(o: &queries::LoadOutcome) -> String {
    o.reason.clone().unwrap_or_default()
}

#[test]
fn a_valid_extract_loads_whole() {
    let w = Warehouse::new();
    let o = w.load_spec(&week(), "ok");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    assert_eq!(o.marks_loaded, 20);
    assert_eq!(o.pupils_loaded, 2);
    assert_eq!(o.rows_rejected(), 0);
    assert_eq!(w.count("SELECT count(*) FROM marks"), 20);
    assert_eq!(w.count("SELECT count(*) FROM pupils"), 2);
    assert_eq!(
        w.count("SELECT count(*) FROM loads WHERE status = 'loaded' AND rows_loaded = 22"),
        1
    );
    // The original is archived as it came.
    let archived = o.archived_as.clone().expect("archived");
    assert!(archived.join("marks.csv").exists());
    assert!(archived.starts_with(w.data_dir().join("archive").join(URN)));
}

fn assert_rejected_whole(w: &Warehouse, o: &queries::LoadOutcome, file: &str, words: &str) {
    assert_eq!(o.status, Status::Rejected, "{}", o.report_text());
    let r = reason(o);
    assert!(r.starts_with(file), "reason names the file {file}: {r}");
    assert!(r.contains(words), "reason says '{words}': {r}");
    assert_eq!(w.count("SELECT count(*) FROM marks"), 0);
    assert_eq!(w.count("SELECT count(*) FROM pupils"), 0);
    assert_eq!(w.count("SELECT count(*) FROM academies"), 0);
    assert_eq!(
        w.count("SELECT count(*) FROM loads WHERE status = 'rejected'"),
        1
    );
    // Quarantined with its report.
    let q = o.archived_as.clone().expect("quarantined");
    assert!(
        q.starts_with(w.data_dir().join("quarantine")),
        "{}",
        q.display()
    );
    let report = std::fs::read_dir(w.data_dir().join("quarantine"))
        .unwrap()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().ends_with(".report.txt"))
        .expect("a report beside the quarantined extract");
    let text = std::fs::read_to_string(report.path()).unwrap();
    assert!(text.contains(words), "{text}");
}

#[test]
fn file_level_faults_reject_the_whole_extract() {
    type Case = (
        &'static str,
        fn(ExtractSpec) -> ExtractSpec,
        &'static str,
        &'static str,
    );
    let cases: Vec<Case> = vec![
        (
            "no-manifest",
            |mut s| {
                s.omit_manifest = true;
                s
            },
            "manifest.json",
            "missing",
        ),
        (
            "bad-format",
            |mut s| {
                s.tweak = Some(|m| m["format"] = "attendance-extract/9".into());
                s
            },
            "manifest.json",
            "format",
        ),
        ("bad-json", |s| s, "manifest.json", "not a valid manifest"),
        (
            "bad-urn",
            |mut s| {
                s.urn = "12345".into();
                s
            },
            "manifest.json",
            "6-digit URN",
        ),
        (
            "bad-phase",
            |mut s| {
                s.phase = "college".into();
                s
            },
            "manifest.json",
            "academy.phase",
        ),
        (
            "window",
            |mut s| {
                s.from = "2025-01-10".into();
                s.to = "2025-01-06".into();
                s
            },
            "manifest.json",
            "not a date range",
        ),
        (
            "no-marks-listed",
            |mut s| {
                s.tweak = Some(|m| {
                    m["files"].as_object_mut().unwrap().remove("marks.csv");
                });
                s
            },
            "manifest.json",
            "does not list marks.csv",
        ),
        (
            "hash",
            |mut s| {
                s.tweak = Some(|m| m["files"]["marks.csv"]["sha256"] = "00".repeat(32).into());
                s
            },
            "marks.csv",
            "SHA-256",
        ),
        (
            "count",
            |mut s| {
                s.tweak = Some(|m| m["files"]["pupils.csv"]["rows"] = 3.into());
                s
            },
            "pupils.csv",
            "2 data rows, the manifest says 3",
        ),
        (
            "column",
            |s| {
                s.file("pupils.csv", "pupil_id,date_of_birth,sex,year_group,entry_date,sen_provision,fsm\nP1,2015-01-01,F,5,2021-09-01,N,N\n")
            },
            "pupils.csv",
            "required column eal",
        ),
        (
            "marks-column",
            |s| s.file("marks.csv", "pupil_id,date,code\nP1,2025-01-06,/\n"),
            "marks.csv",
            "required column session",
        ),
    ];
    for (name, make, file, words) in cases {
        let w = Warehouse::new();
        let spec = make(week());
        let dir = spec.write_dir(&w.inputs(), name);
        if name == "bad-json" {
            std::fs::write(dir.join("manifest.json"), "{ not json").unwrap();
        }
        if name == "count" {
            // keep the listed hash right so the count is what fails
        }
        let o = w.load(&dir);
        assert_rejected_whole(&w, &o, file, words);
    }
}

#[test]
fn a_file_listed_but_missing_is_a_broken_transfer() {
    let w = Warehouse::new();
    let spec = week();
    let dir = spec.write_dir(&w.inputs(), "missing");
    std::fs::remove_file(dir.join("marks.csv")).unwrap();
    let o = w.load(&dir);
    assert_rejected_whole(&w, &o, "marks.csv", "listed in the manifest but missing");
}

/// Loads `week()` with one marks row replaced and returns the outcome (limit 100% so
/// that a single fault never rejects the extract).
fn with_bad_mark(row: &str) -> (Warehouse, queries::LoadOutcome) {
    let w = Warehouse::with_config(TrustConfig::parse("reject_limit_percent = 100.0").unwrap());
    let mut spec = week();
    let marks = String::from_utf8(spec.files[1].1.clone()).unwrap();
    let replaced = marks.replacen("P2,2025-01-10,PM,\\,", row, 1);
    assert_ne!(marks, replaced);
    spec = spec.file("marks.csv", replaced);
    let o = w.load_spec(&spec, "bad-row");
    (w, o)
}

#[test]
fn row_level_faults_reject_the_row_with_file_line_column_and_value() {
    // The replaced row is the last of the file: line 21 (header is line 1).
    let cases = [
        (
            "P2,2025-01-10,PM,A,",
            "code",
            "A",
            "not a DfE attendance code",
        ),
        ("P2,2025-01-10,PM,-,", "code", "-", "no mark yet"),
        ("P2,2025-01-32,PM,/,", "date", "2025-01-32", "not a date"),
        (
            "P2,2025-01-13,PM,/,",
            "date",
            "2025-01-13",
            "outside the extract's window",
        ),
        ("P9,2025-01-10,PM,/,", "pupil_id", "P9", "not in pupils.csv"),
        ("P2,2025-01-10,EVE,/,", "session", "EVE", "not AM or PM"),
        ("P2,2025-01-10,AM,/,", "session", "AM", "duplicate mark"),
        ("P2,2025-01-10,PM,H,", "code", "H", "retired on 2024-08-19"),
        (
            "P2,2025-01-10,PM,L,late",
            "minutes_late",
            "late",
            "whole number",
        ),
        ("P2,2025-01-10,PM,,", "code", "", "required value is empty"),
    ];
    for (row, column, value, words) in cases {
        let (w, o) = with_bad_mark(row);
        assert_eq!(o.status, Status::Loaded, "{row}: {}", o.report_text());
        assert_eq!(o.rows_rejected(), 1, "{row}");
        let f = &o.rejected_rows[0];
        assert_eq!(
            (f.file.as_str(), f.line, f.column.as_str(), f.value.as_str()),
            ("marks.csv", 21, column, value),
            "{row}: {f}"
        );
        assert!(f.reason.contains(words), "{row}: {}", f.reason);
        assert_eq!(w.count("SELECT count(*) FROM marks"), 19, "{row}");
        assert_eq!(
            w.count("SELECT count(*) FROM rejected_rows WHERE file = 'marks.csv' AND line = 21"),
            1
        );
    }
}

#[test]
fn pupil_row_faults_and_their_marks() {
    let w = Warehouse::with_config(TrustConfig::parse("reject_limit_percent = 100.0").unwrap());
    let bad = [
        ("P3,,A,B,2015-01-10,X,5,2021-09-01,,N,N,N,,", "sex", "X"),
        (
            "P4,,A,B,2015-01-10,F,Y5,2021-09-01,,N,N,N,,",
            "year_group",
            "Y5",
        ),
        (
            "P5,,A,B,2015-01-10,F,5,2021-09-01,,Q,N,N,,",
            "sen_provision",
            "Q",
        ),
        (
            "P6,,A,B,2015-01-10,F,5,2021-09-01,,N,maybe,N,,",
            "fsm",
            "maybe",
        ),
        (
            "P7,ABC,A,B,2015-01-10,F,5,2021-09-01,,N,N,N,,",
            "upn",
            "ABC",
        ),
        (
            "P8,,A,B,10-01-2015,F,5,2021-09-01,,N,N,N,,",
            "date_of_birth",
            "10-01-2015",
        ),
        (
            "P9,,A,B,2015-01-10,F,5,2021-09-01,2020-01-01,N,N,N,,",
            "leaving_date",
            "2020-01-01",
        ),
        (
            "P1,,A,B,2015-01-10,F,5,2021-09-01,,N,N,N,,",
            "pupil_id",
            "P1",
        ),
    ];
    let mut rows = vec![pupil("P1"), pupil("P2")];
    rows.extend(bad.iter().map(|b| b.0.to_string()));
    let spec = week()
        .pupils(&rows)
        .marks(&["P1,2025-01-06,AM,/,", "P3,2025-01-06,AM,/,"]);
    let o = w.load_spec(&spec, "pupil-faults");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    for (i, (_, column, value)) in bad.iter().enumerate() {
        let f = o
            .rejected_rows
            .iter()
            .find(|f| f.file == "pupils.csv" && f.line == 4 + i as u64)
            .unwrap_or_else(|| panic!("line {} rejected", 4 + i));
        assert_eq!(
            (f.column.as_str(), f.value.as_str()),
            (*column, *value),
            "{f}"
        );
    }
    // P3's row was rejected, so its mark is too.
    let m = o
        .rejected_rows
        .iter()
        .find(|f| f.file == "marks.csv")
        .unwrap();
    assert_eq!(
        (m.line, m.column.as_str(), m.value.as_str()),
        (3, "pupil_id", "P3")
    );
    assert_eq!(w.count("SELECT count(*) FROM pupils"), 2);
    assert_eq!(w.marks(), vec!["P1 2025-01-06 AM /"]);
}

#[test]
fn rejected_rows_over_the_limit_reject_the_extract() {
    // 20 marks, 1 bad = 5%: over the default 1%.
    let w = Warehouse::new();
    let mut spec = week();
    let marks = String::from_utf8(spec.files[1].1.clone()).unwrap();
    spec = spec.file(
        "marks.csv",
        marks.replacen("P2,2025-01-10,PM,\\,", "P2,2025-01-10,PM,A,", 1),
    );
    let o = w.load_spec(&spec, "over");
    assert_rejected_whole(
        &w,
        &o,
        "marks.csv",
        "1 of 20 rows rejected (5.00%), more than the 1% limit",
    );
    assert_eq!(o.rejected_rows.len(), 1);
    assert_eq!(w.count("SELECT count(*) FROM rejected_rows"), 1);
    // The same extract under a 5% limit loads: exactly at the limit is not over it.
    let w = Warehouse::with_config(TrustConfig::parse("reject_limit_percent = 5.0").unwrap());
    let o = w.load_spec(&spec, "at-limit");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
}

#[test]
fn legacy_codes_load_before_the_change_and_subcodes_map() {
    let w = Warehouse::new();
    let spec = ExtractSpec::new(URN, "2024-07-15", "2024-07-19", "2024-07-20T02:10:00Z")
        .pupils(&[pupil("P1")])
        .marks(&[
            "P1,2024-07-15,AM,H,",
            "P1,2024-07-15,PM,J,",
            "P1,2024-07-16,AM,I01,",
            "P1,2024-07-16,PM,Y,",
            "P1,2024-07-17,AM,C2,",
        ]);
    let o = w.load_spec(&spec, "legacy");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    assert_eq!(
        w.marks(),
        vec![
            "P1 2024-07-15 AM H",
            "P1 2024-07-15 PM J",
            "P1 2024-07-16 AM I",
            "P1 2024-07-16 PM Y",
            "P1 2024-07-17 AM C2"
        ]
    );
}

#[test]
fn trust_config_maps_non_statutory_marks() {
    let w = Warehouse::with_config(TrustConfig::parse("[marks]\n\"@\" = \"L\"\n").unwrap());
    let spec = week().marks(&["P1,2025-01-06,AM,@,7"]);
    let o = w.load_spec(&spec, "mapped");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    assert_eq!(w.marks(), vec!["P1 2025-01-06 AM L"]);
    assert_eq!(w.count("SELECT minutes_late FROM marks"), 7);
}

#[test]
fn encodings_bom_crlf_windows_1252_and_uk_dates() {
    let w = Warehouse::new();
    let mut pupils = format!(
        "{PUPILS_HEADER}\r\nP1,,Bront\u{eb},Zo\u{eb},10/01/2015,F,5,01/09/2021,,N,Y,N,WBRI,N\r\n"
    )
    .into_bytes();
    pupils.splice(0..0, b"\xEF\xBB\xBF".iter().copied());
    let marks = format!("{MARKS_HEADER}\r\nP1,06/01/2025,AM,L,12\r\n");
    let spec = week().file("pupils.csv", pupils).file("marks.csv", marks);
    let o = w.load_spec(&spec, "utf8");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    let name: String = w
        .conn()
        .query_row(
            "SELECT surname || ' ' || forename || ' ' || date_of_birth::VARCHAR FROM pupils",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(name, "Bront\u{eb} Zo\u{eb} 2015-01-10");
    assert_eq!(w.marks(), vec!["P1 2025-01-06 AM L"]);

    // The same pupil written by Excel as Windows-1252 (ë = 0xEB).
    let w = Warehouse::new();
    let pupils = format!(
        "{PUPILS_HEADER}\nP1,,Bront\u{eb},Zo\u{eb},2015-01-10,F,5,2021-09-01,,N,Y,N,WBRI,N\n"
    );
    let (cp1252, _, _) = encoding_rs::WINDOWS_1252.encode(&pupils);
    assert!(std::str::from_utf8(&cp1252).is_err());
    let spec = week()
        .file("pupils.csv", cp1252.into_owned())
        .marks(&["P1,2025-01-06,AM,/,"]);
    let o = w.load_spec(&spec, "cp1252");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    assert_eq!(o.files[0].encoding, "Windows-1252");
    let name: String = w
        .conn()
        .query_row("SELECT surname FROM pupils", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Bront\u{eb}");
}

#[test]
fn loading_the_same_extract_twice_changes_nothing() {
    let w = Warehouse::new();
    let dir = week().write_dir(&w.inputs(), "night");
    assert_eq!(w.load(&dir).status, Status::Loaded);
    let before = snapshot(&w.conn());
    let again = w.load(&dir);
    assert_eq!(again.status, Status::AlreadyLoaded);
    assert_eq!(snapshot(&w.conn()), before);
    // A zip of the same extract is the same extract.
    let zip = week().write_zip(&w.inputs(), "night", &[]);
    assert_eq!(w.load(&zip).status, Status::AlreadyLoaded);
    assert_eq!(snapshot(&w.conn()), before);
}

#[test]
fn a_later_night_restates_its_window_and_leaves_the_rest() {
    let w = Warehouse::new();
    // History: the week before, loaded first.
    let history = ExtractSpec::new(URN, "2024-12-16", "2024-12-20", "2024-12-21T02:10:00Z")
        .pupils(&[pupil("P1"), pupil("P2")])
        .marks(&["P1,2024-12-20,AM,/,", "P1,2024-12-20,PM,\\,"]);
    assert_eq!(w.load_spec(&history, "h").status, Status::Loaded);
    // Night 1: P1 unexplained on Monday AM, P2 present Monday AM.
    let night1 = ExtractSpec::new(URN, "2025-01-06", "2025-01-06", "2025-01-07T02:10:00Z")
        .pupils(&[pupil("P1"), pupil("P2")])
        .marks(&[
            "P1,2025-01-06,AM,N,",
            "P1,2025-01-06,PM,N,",
            "P2,2025-01-06,AM,/,",
        ]);
    assert_eq!(w.load_spec(&night1, "n1").status, Status::Loaded);
    // Night 2: the N is now illness; P2's Monday AM mark was withdrawn; Tuesday added.
    let night2 = ExtractSpec::new(URN, "2025-01-06", "2025-01-07", "2025-01-08T02:10:00Z")
        .pupils(&[pupil("P1"), pupil("P2")])
        .marks(&[
            "P1,2025-01-06,AM,I,",
            "P1,2025-01-06,PM,I,",
            "P1,2025-01-07,AM,/,",
        ]);
    let o = w.load_spec(&night2, "n2");
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    assert_eq!(o.marks_replaced, 3);
    assert_eq!(
        w.marks(),
        vec![
            "P1 2024-12-20 AM /",
            "P1 2024-12-20 PM \\",
            "P1 2025-01-06 AM I",
            "P1 2025-01-06 PM I",
            "P1 2025-01-07 AM /",
        ]
    );
    // Enrolments are not duplicated by later extracts.
    assert_eq!(w.count("SELECT count(*) FROM pupils"), 2);
}

#[test]
fn a_stale_extract_is_rejected() {
    let w = Warehouse::new();
    let newer = week();
    let mut older = week().marks(&["P1,2025-01-06,AM,N,"]);
    older.extracted_at = "2025-01-10T02:10:00Z".into();
    assert_eq!(w.load_spec(&newer, "newer").status, Status::Loaded);
    let before = snapshot(&w.conn());
    let o = w.load_spec(&older, "older");
    assert_eq!(o.status, Status::Rejected);
    assert!(reason(&o).contains("stale extract"), "{}", reason(&o));
    let after = snapshot(&w.conn());
    // Only the load log gained the rejection.
    assert_eq!(before[..5], after[..5]);
    assert_eq!(
        w.count("SELECT count(*) FROM loads WHERE status = 'rejected'"),
        1
    );
    // An older extract for a window that does not overlap is not stale.
    let mut other = ExtractSpec::new(URN, "2024-12-16", "2024-12-20", "2024-12-21T02:10:00Z")
        .pupils(&[pupil("P1")])
        .marks(&["P1,2024-12-16,AM,/,"]);
    other.name = "Old name".into();
    assert_eq!(w.load_spec(&other, "other").status, Status::Loaded);
    // ... and does not overwrite the newer academy details.
    let name: String = w
        .conn()
        .query_row("SELECT name FROM academies", [], |r| r.get(0))
        .unwrap();
    assert_eq!(name, "Academy 100001");
}

#[test]
fn zip_extracts_load_and_zip_slip_is_refused() {
    let w = Warehouse::new();
    let zip = week().write_zip(&w.inputs(), "ok", &[]);
    let o = w.load(&zip);
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    assert!(o.archived_as.unwrap().with_extension("zip").exists());

    for evil in ["../../escaped.csv", "/tmp/rollcall-absolute-escape.csv"] {
        let w = Warehouse::new();
        let zip = week().write_zip(&w.inputs(), "evil", &[(evil, b"x,y\n1,2\n")]);
        let o = w.load(&zip);
        assert_eq!(o.status, Status::Rejected, "{evil}");
        assert!(
            reason(&o).contains("points outside its folder"),
            "{}",
            reason(&o)
        );
        assert!(!w.dir.path().join("escaped.csv").exists());
        assert!(!w.inputs().join("../../escaped.csv").exists());
        assert!(!std::path::Path::new("/tmp/rollcall-absolute-escape.csv").exists());
        assert_eq!(w.count("SELECT count(*) FROM marks"), 0);
    }
}

#[test]
fn optional_files_replace_when_present_and_stay_when_absent() {
    let w = Warehouse::new();
    let ap = "pupil_id,provider,provider_urn,arranged_by,start_date,end_date,sessions_per_week,last_contact_date\nP1,Horizons AP,,school,2024-11-04,,4,2025-01-03\n";
    let rt = "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\nP2,2024-12-02,2025-01-31,2025-01-13,,6,medical,Y,N\n";
    let spec = week()
        .file("ap_placements.csv", ap)
        .file("reduced_timetables.csv", rt);
    assert_eq!(w.load_spec(&spec, "n1").status, Status::Loaded);
    assert_eq!(w.count("SELECT count(*) FROM ap_placements"), 1);
    assert_eq!(w.count("SELECT count(*) FROM reduced_timetables WHERE sessions_per_week = 6 AND NOT la_notified"), 1);
    // Next night: no AP file (placements stay), an empty timetable file (none now).
    let mut next = week().file("reduced_timetables.csv", "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\n");
    next.extracted_at = "2025-01-12T02:10:00Z".into();
    assert_eq!(w.load_spec(&next, "n2").status, Status::Loaded);
    assert_eq!(w.count("SELECT count(*) FROM ap_placements"), 1);
    assert_eq!(w.count("SELECT count(*) FROM reduced_timetables"), 0);
    // Bad AP rows are rejected like any other row.
    let w = Warehouse::with_config(TrustConfig::parse("reject_limit_percent = 100.0").unwrap());
    let bad = "pupil_id,provider,arranged_by,start_date,sessions_per_week\nP1,X,charity,2024-11-04,4\nP1,X,school,2024-11-04,11\n";
    let o = w.load_spec(&week().file("ap_placements.csv", bad), "bad-ap");
    let cols: Vec<_> = o
        .rejected_rows
        .iter()
        .map(|f| (f.line, f.column.clone()))
        .collect();
    assert_eq!(
        cols,
        vec![
            (2, "arranged_by".to_string()),
            (3, "sessions_per_week".to_string())
        ]
    );
}

#[test]
fn a_load_that_fails_midway_leaves_nothing() {
    let w = Warehouse::new();
    assert_eq!(w.load_spec(&week(), "first").status, Status::Loaded);
    let before = snapshot(&w.conn());
    // Break the warehouse so that the last write of the next load fails, after its
    // pupils and marks were written inside the transaction.
    w.conn()
        .execute_batch("ALTER TABLE reduced_timetables RENAME TO reduced_timetables_gone")
        .unwrap();
    let rt = "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\nP2,2024-12-02,2025-01-31,2025-01-13,,6,medical,Y,N\n";
    let mut next = week()
        .pupils(&[pupil("P1"), pupil("P2"), pupil("P3")])
        .marks(&["P3,2025-01-06,AM,N,"])
        .file("reduced_timetables.csv", rt);
    next.extracted_at = "2025-01-12T02:10:00Z".into();
    let dir = next.write_dir(&w.inputs(), "second");
    let err = queries::Loader::new(&w.db, &w.config).load(&dir);
    assert!(err.is_err(), "the broken warehouse makes the load fail");
    w.conn()
        .execute_batch("ALTER TABLE reduced_timetables_gone RENAME TO reduced_timetables")
        .unwrap();
    assert_eq!(snapshot(&w.conn()), before);
    // Mended, the same extract loads.
    assert_eq!(w.load(&dir).status, Status::Loaded);
    assert_eq!(w.marks(), vec!["P3 2025-01-06 AM N"]);
}
