//! The loader against a real DuckDB file: every rule of extract-format.md.

use chrono::NaiveDate;
use queries::{Status, TrustConfig};
use rollcall_tests::{
    assert_loaded, assert_loaded_whole, date, present, pupil, snapshot, weekdays, ExtractSpec,
    Warehouse, MARKS_HEADER, PUPILS_HEADER,
};

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
    ExtractSpec::new(URN, "2025-01-06", "2025-01-10", "2025-01-11T02:10:00Z")
        .pupils(&[pupil("P1"), pupil("P2")])
        .marks(&marks)
}

fn reason(o: &queries::LoadOutcome) -> String {
    o.reason.clone().unwrap_or_default()
}

/// A warehouse that rejects no extract for its rejected rows (limit 100%).
fn lenient() -> Warehouse {
    Warehouse::with_config(TrustConfig::parse("reject_limit_percent = 100.0").unwrap())
}

/// How many spells P1 has.
fn spells_of_p1(w: &Warehouse) -> i64 {
    w.count("SELECT count(*) FROM spells JOIN pupils USING (pupil_key) WHERE pupil_id = 'P1'")
}

#[test]
fn a_valid_extract_loads_whole() {
    let w = Warehouse::new();
    let o = w.load_spec(&week(), "ok");
    assert_loaded(&o);
    assert_eq!(o.counts.marks_loaded, 20);
    assert_eq!(o.counts.pupils_loaded, 2);
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

/// `week()` with its last marks row (line 21) replaced by `row`.
fn week_ending_with(row: &str) -> ExtractSpec {
    let spec = week();
    let marks = String::from_utf8(spec.files[1].1.clone()).unwrap();
    let replaced = marks.replacen("P2,2025-01-10,PM,\\,", row, 1);
    assert_ne!(marks, replaced);
    spec.file("marks.csv", replaced)
}

/// Loads `week()` with one marks row replaced and returns the outcome (limit 100% so
/// that a single fault never rejects the extract).
fn with_bad_mark(row: &str) -> (Warehouse, queries::LoadOutcome) {
    let w = lenient();
    let o = w.load_spec(&week_ending_with(row), "bad-row");
    (w, o)
}

#[test]
fn row_level_faults_reject_the_row_with_file_line_column_and_value() {
    // The replaced row is the last of the file: line 21 (header is line 1). The value
    // reported is the row's own in that column.
    let cases = [
        ("P2,2025-01-10,PM,A,", "code", "not a DfE attendance code"),
        ("P2,2025-01-10,PM,-,", "code", "no mark yet"),
        ("P2,2025-01-32,PM,/,", "date", "not a date"),
        (
            "P2,2025-01-13,PM,/,",
            "date",
            "outside the extract's window",
        ),
        ("P9,2025-01-10,PM,/,", "pupil_id", "not in pupils.csv"),
        ("P2,2025-01-10,EVE,/,", "session", "not AM or PM"),
        ("P2,2025-01-10,AM,/,", "session", "duplicate mark"),
        ("P2,2025-01-10,PM,H,", "code", "retired on 2024-08-19"),
        ("P2,2025-01-10,PM,L,late", "minutes_late", "whole number"),
        ("P2,2025-01-10,PM,,", "code", "required value is empty"),
    ];
    for (row, column, words) in cases {
        let at = MARKS_HEADER.split(',').position(|c| c == column).unwrap();
        let value = row.split(',').nth(at).unwrap();
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
    let w = lenient();
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
    assert_loaded(&o);
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
    let spec = week_ending_with("P2,2025-01-10,PM,A,");
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
    assert_loaded(&o);
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
    assert_loaded(&o);
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
    assert_loaded(&o);
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
    assert_loaded(&o);
    let name =
        w.string("SELECT surname || ' ' || forename || ' ' || date_of_birth::VARCHAR FROM pupils");
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
    assert_loaded(&o);
    assert_eq!(o.files[0].encoding, "Windows-1252");
    let name = w.string("SELECT surname FROM pupils");
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
    // P1 and P2's extract of (from, to, taken at), with `marks`.
    let night = |(from, to, at): (&str, &str, &str), marks: &[&str]| {
        ExtractSpec::new(URN, from, to, at)
            .pupils(&[pupil("P1"), pupil("P2")])
            .marks(marks)
    };
    // History: the week before, loaded first. Night 1: P1 unexplained on Monday AM, P2
    // present Monday AM.
    let history = night(
        ("2024-12-16", "2024-12-20", "2024-12-21T02:10:00Z"),
        &["P1,2024-12-20,AM,/,", "P1,2024-12-20,PM,\\,"],
    );
    let night1 = night(
        ("2025-01-06", "2025-01-06", "2025-01-07T02:10:00Z"),
        &[
            "P1,2025-01-06,AM,N,",
            "P1,2025-01-06,PM,N,",
            "P2,2025-01-06,AM,/,",
        ],
    );
    for (spec, name) in [(history, "h"), (night1, "n1")] {
        assert_eq!(w.load_spec(&spec, name).status, Status::Loaded, "{name}");
    }
    // Night 2: the N is now illness; P2's Monday AM mark was withdrawn; Tuesday added.
    let night2 = night(
        ("2025-01-06", "2025-01-07", "2025-01-08T02:10:00Z"),
        &[
            "P1,2025-01-06,AM,I,",
            "P1,2025-01-06,PM,I,",
            "P1,2025-01-07,AM,/,",
        ],
    );
    let o = w.load_spec(&night2, "n2");
    assert_loaded(&o);
    assert_eq!(o.counts.marks_replaced, 3);
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
    let older = week()
        .marks(&["P1,2025-01-06,AM,N,"])
        .taken_at("2025-01-10T02:10:00Z");
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
    let name = w.string("SELECT name FROM academies");
    assert_eq!(name, "Academy 100001");
}

#[test]
fn zip_extracts_load_and_zip_slip_is_refused() {
    let w = Warehouse::new();
    let zip = week().write_zip(&w.inputs(), "ok", &[]);
    let o = w.load(&zip);
    assert_loaded(&o);
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
    let next = week().file("reduced_timetables.csv", "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\n").taken_at("2025-01-12T02:10:00Z");
    assert_eq!(w.load_spec(&next, "n2").status, Status::Loaded);
    assert_eq!(w.count("SELECT count(*) FROM ap_placements"), 1);
    assert_eq!(w.count("SELECT count(*) FROM reduced_timetables"), 0);
    // Bad AP rows are rejected like any other row.
    let w = lenient();
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
    let next = week()
        .pupils(&[pupil("P1"), pupil("P2"), pupil("P3")])
        .marks(&["P3,2025-01-06,AM,N,"])
        .file("reduced_timetables.csv", rt)
        .taken_at("2025-01-12T02:10:00Z");
    let dir = next.write_dir(&w.inputs(), "second");
    let o = queries::Loader::new(&w.db, &w.config).load(&dir).unwrap();
    assert_eq!(
        o.status,
        Status::Failed,
        "the broken warehouse makes the load fail"
    );
    w.conn()
        .execute_batch("ALTER TABLE reduced_timetables_gone RENAME TO reduced_timetables")
        .unwrap();
    // Nothing of it was written; the load log says it failed, and why.
    let loads_line = |s: &[String]| {
        s.iter()
            .filter(|l| !l.starts_with("loads "))
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(loads_line(&snapshot(&w.conn())), loads_line(&before));
    assert_eq!(
        w.count("SELECT count(*) FROM loads WHERE status = 'failed' AND reason LIKE '%reduced_timetables%'"),
        1
    );
    // Mended, the same extract loads.
    assert_eq!(w.load(&dir).status, Status::Loaded);
    assert_eq!(w.marks(), vec!["P3 2025-01-06 AM N"]);
}

/// `n` pupils over one week (Mon 6 to Fri 10 January 2025), every session `code`.
fn class_week(n: usize, code: &str) -> (Vec<String>, Vec<String>) {
    let pupils: Vec<String> = (1..=n).map(|i| pupil(&format!("P{i}"))).collect();
    let mut marks = Vec::new();
    for i in 1..=n {
        for day in 6..=10 {
            for session in ["AM", "PM"] {
                marks.push(format!("P{i},2025-01-{day:02},{session},{code},"));
            }
        }
    }
    (pupils, marks)
}

fn class_spec(pupils: &[String], marks: &[String], extracted_at: &str) -> ExtractSpec {
    ExtractSpec::new(URN, "2025-01-06", "2025-01-10", extracted_at)
        .pupils(pupils)
        .marks(marks)
}

#[test]
fn a_rejected_row_never_removes_what_it_would_have_replaced() {
    // 120 pupils, 1,200 marks: one rejected pupil row (0.8%) and its 10 marks plus one
    // unmapped mark (11 of 1,200, 0.9%) stay under the default 1% limit.
    let w = Warehouse::new();
    let (pupils, marks) = class_week(120, "/");
    let night1 = class_spec(&pupils, &marks, "2025-01-11T02:10:00Z");
    assert_eq!(w.load_spec(&night1, "n1").status, Status::Loaded);

    // Night 2: the register is restated as illness for everyone, but P2's pupil row has
    // sex U (rejected) and P1's Monday AM mark has a code nobody mapped.
    let (mut pupils2, marks2) = class_week(120, "I");
    pupils2[1] = "P2,,Smith,Alex,2015-01-10,U,5,2021-09-01,,N,N,N,WBRI,N".into();
    let marks2: Vec<String> = marks2
        .into_iter()
        .map(|m| {
            if m == "P1,2025-01-06,AM,I," {
                "P1,2025-01-06,AM,@,".to_string()
            } else {
                m
            }
        })
        .collect();
    let night2 = class_spec(&pupils2, &marks2, "2025-01-12T02:10:00Z");
    let o = w.load_spec(&night2, "n2");
    assert_loaded(&o);
    assert_eq!(o.rows_rejected(), 12, "{}", o.report_text());
    // P2's ten marks and P1's Monday AM mark are kept.
    assert_eq!(o.counts.marks_held, 11);
    assert!(
        o.summary_line().contains("11 marks held over"),
        "{}",
        o.summary_line()
    );
    assert_eq!(
        w.count("SELECT marks_held FROM loads ORDER BY load_id DESC LIMIT 1"),
        11
    );
    let marks = w.marks();
    let of = |p: &str| -> Vec<&String> {
        marks
            .iter()
            .filter(|m| m.starts_with(&format!("{p} ")))
            .collect()
    };
    assert!(of("P2").iter().all(|m| m.ends_with(" /")), "{:?}", of("P2"));
    assert_eq!(of("P2").len(), 10);
    assert_eq!(of("P1")[0], "P1 2025-01-06 AM /");
    assert!(of("P1")[1..].iter().all(|m| m.ends_with(" I")));
    assert!(of("P3").iter().all(|m| m.ends_with(" I")));
    assert_eq!(marks.len(), 1200);
    // P2's previous record stands.
    assert_eq!(
        w.count("SELECT count(*) FROM pupils WHERE pupil_id = 'P2' AND sex = 'F'"),
        1
    );

    // The data-quality page lists both, with the row's fault.
    let today = chrono::NaiveDate::from_ymd_opt(2025, 1, 12).unwrap();
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    let dq = queries::quality::report(&conn, &cal, today, &[]).unwrap();
    let held: Vec<String> = dq
        .held_over
        .iter()
        .map(|h| {
            format!(
                "{} {} {}..{} {:?} {} {} line {} {}={}",
                h.urn,
                h.pupil_id,
                h.from,
                h.to,
                h.session,
                h.marks_kept,
                h.file,
                h.line,
                h.column,
                h.value
            )
        })
        .collect();
    assert_eq!(
        held,
        vec![
            "100001 P1 2025-01-06..2025-01-06 Some(0) 1 marks.csv line 2 code=@",
            "100001 P2 2025-01-06..2025-01-10 None 10 pupils.csv line 3 sex=U",
        ]
    );

    // Night 3 sends good rows: everything is replaced and nothing is listed.
    let (pupils3, marks3) = class_week(120, "M");
    let night3 = class_spec(&pupils3, &marks3, "2025-01-13T02:10:00Z");
    let o = w.load_spec(&night3, "n3");
    assert_loaded(&o);
    assert_eq!(o.counts.marks_held, 0);
    assert!(w.marks().iter().all(|m| m.ends_with(" M")));
    let dq = queries::quality::report(&conn, &cal, today, &[]).unwrap();
    assert!(dq.held_over.is_empty(), "{:?}", dq.held_over);
}

#[test]
fn a_rejected_placement_row_keeps_the_pupils_placements() {
    let w = lenient();
    let header = "pupil_id,provider,provider_urn,arranged_by,start_date,end_date,sessions_per_week,last_contact_date\n";
    let first = format!(
        "{header}P1,Riverside AP,,school,2024-11-04,,4,2025-01-06\nP2,Hillside AP,,school,2024-11-04,,2,\n"
    );
    assert_eq!(
        w.load_spec(&week().file("ap_placements.csv", first), "ap1")
            .status,
        Status::Loaded
    );
    // The next night P1's placement row has a bad date: P1 keeps the placement it had.
    let second = format!(
        "{header}P1,Riverside AP,,school,2024-13-04,,4,2025-01-06\nP2,Hillside AP,,school,2024-11-04,,3,\n"
    );
    let next = week()
        .file("ap_placements.csv", second)
        .taken_at("2025-01-12T02:10:00Z");
    let o = w.load_spec(&next, "ap2");
    assert_loaded(&o);
    assert_eq!(
        w.count("SELECT count(*) FROM ap_placements a JOIN pupils p USING (pupil_key) WHERE p.pupil_id = 'P1' AND a.sessions_per_week = 4"),
        1
    );
    assert_eq!(
        w.count("SELECT count(*) FROM ap_placements a JOIN pupils p USING (pupil_key) WHERE p.pupil_id = 'P2' AND a.sessions_per_week = 3"),
        1
    );
    assert_eq!(w.count("SELECT count(*) FROM ap_placements"), 2);
}

/// The trust's figures for 6 to 17 January 2025 (both scopes' all-pupils view).
fn january_figures(w: &Warehouse) -> queries::types::Figures {
    let (from, to) = (date(2025, 1, 6), date(2025, 1, 17));
    queries::figures::by_academy(&w.conn(), from, to, queries::figures::Scope::All)
        .unwrap()
        .1
}

#[test]
fn a_readmitted_pupil_keeps_the_first_spell() {
    let w = Warehouse::new();
    // Week 1: P1 on roll until Tuesday 7 January (present), P2 all week.
    let p1_left = "P1,,Smith,Alex,2015-01-10,F,5,2021-09-01,2025-01-07,N,N,N,WBRI,N".to_string();
    // A pupil's register over the school days of `from` to `to` January.
    let register = |id: &str, from, to, code: fn(NaiveDate, u8) -> &'static str| {
        rollcall_tests::register(
            id,
            &weekdays(&[(date(2025, 1, from), date(2025, 1, to))]),
            code,
        )
    };
    let mut marks1 = register("P1", 6, 7, |_, s| present(s));
    marks1.extend(register("P2", 6, 10, |_, s| present(s)));
    let week1 = ExtractSpec::new(URN, "2025-01-06", "2025-01-10", "2025-01-11T02:10:00Z")
        .pupils(&[p1_left.clone(), pupil("P2")])
        .marks(&marks1);
    assert_eq!(w.load_spec(&week1, "w1").status, Status::Loaded);
    // Week 2: P1 re-admitted on Wednesday 15 January, absent (O) from then; the
    // extract lists only the new spell.
    let p1_back = "P1,,Smith,Alex,2015-01-10,F,5,2025-01-15,,N,N,N,WBRI,N".to_string();
    let mut m2 = register("P1", 15, 17, |_, _| "O");
    m2.extend(register("P2", 13, 17, |_, s| present(s)));
    let week2 = ExtractSpec::new(URN, "2025-01-13", "2025-01-17", "2025-01-18T02:10:00Z")
        .pupils(&[p1_back.clone(), pupil("P2")])
        .marks(&m2);
    let o = w.load_spec(&week2, "w2");
    assert_loaded(&o);
    // Both spells are kept, and one enrolment counts both spells' sessions:
    // P1 4 + 6 possible (6 absent), P2 20 possible.
    assert_eq!(spells_of_p1(&w), 2);
    let f = january_figures(&w);
    assert_eq!(f.enrolments, 2);
    assert_eq!(f.possible_sessions, 30);
    assert_eq!(f.unauthorised_sessions, 6);
    assert_eq!(f.pa_enrolments, 1, "P1: 6 of 10 sessions absent");

    // Loaded the other way round (the later week first), the earlier spell still goes
    // in: no known spell overlaps it.
    let late = Warehouse::new();
    assert_eq!(late.load_spec(&week2, "w2").status, Status::Loaded);
    assert_eq!(late.load_spec(&week1, "w1").status, Status::Loaded);
    assert_eq!(spells_of_p1(&late), 2);
    assert_eq!(january_figures(&late).possible_sessions, 30);

    // An extract may list both spells (one row each); a third, overlapping row is
    // rejected with the line it overlaps.
    let both = ExtractSpec::new(URN, "2025-01-13", "2025-01-17", "2025-01-19T02:10:00Z")
        .pupils(&[p1_left, p1_back, pupil("P2")])
        .marks(&m2);
    let o = w.load_spec(&both, "both");
    assert_loaded_whole(&o);
    assert_eq!(january_figures(&w).possible_sessions, 30);
    assert_eq!(spells_of_p1(&w), 2);
    let w2 = lenient();
    let overlapping = ExtractSpec::new(URN, "2025-01-13", "2025-01-17", "2025-01-19T02:10:00Z")
        .pupils(&[
            "P1,,Smith,Alex,2015-01-10,F,5,2021-09-01,2025-01-16,N,N,N,WBRI,N".into(),
            "P1,,Smith,Alex,2015-01-10,F,5,2025-01-15,,N,N,N,WBRI,N".into(),
            pupil("P2"),
        ])
        .marks(&m2);
    let o = w2.load_spec(&overlapping, "overlap");
    let f = o
        .rejected_rows
        .iter()
        .find(|f| f.file == "pupils.csv")
        .expect("the overlapping spell is rejected");
    assert_eq!(
        (f.line, f.column.as_str(), f.value.as_str()),
        (3, "entry_date", "2025-01-15")
    );
    assert!(
        f.reason
            .contains("overlaps the spell from 2021-09-01 on line 2"),
        "{f}"
    );
}

#[test]
fn a_correction_of_the_entry_date_is_the_same_spell() {
    let w = Warehouse::new();
    assert_eq!(w.load_spec(&week(), "first").status, Status::Loaded);
    // The entry date was wrong: 2021-09-06, not 2021-09-01. No leaving date between.
    let next = week()
        .pupils(&[
            "P1,,Smith,Alex,2015-01-10,F,5,2021-09-06,,N,N,N,WBRI,N".into(),
            pupil("P2"),
        ])
        .taken_at("2025-01-12T02:10:00Z");
    assert_eq!(w.load_spec(&next, "second").status, Status::Loaded);
    assert_eq!(spells_of_p1(&w), 1);
    assert_eq!(
        w.count("SELECT count(*) FROM spells WHERE entry_date = DATE '2021-09-06'"),
        1
    );
}

#[test]
fn a_failed_load_is_logged_and_the_batch_goes_on() {
    let w = Warehouse::new();
    // A warehouse that refuses one extract's write: entry dates before 2000 fail a
    // check (standing in for a write error or a full disk).
    w.conn()
        .execute_batch(
            "DROP TABLE spells;
             CREATE TABLE spells (pupil_key UINTEGER NOT NULL,
                 entry_date DATE NOT NULL CHECK (entry_date > DATE '2000-01-01'),
                 leaving_date DATE);",
        )
        .unwrap();
    let bad = week().pupils(&[
        "P1,,Smith,Alex,2015-01-10,F,5,1999-09-01,,N,N,N,WBRI,N".into(),
        pupil("P2"),
    ]);
    let mut good = week();
    good.urn = "100002".into();
    let bad = bad.write_dir(&w.inputs(), "bad");
    let good = good.write_dir(&w.inputs(), "good");
    let outcomes = server::ingest::load_all(&w.db, &w.config, &w.data_dir(), &[bad, good]).unwrap();
    assert_eq!(outcomes[0].status, Status::Failed);
    assert!(
        outcomes[0].summary_line().starts_with("FAILED"),
        "{}",
        outcomes[0].summary_line()
    );
    assert!(
        outcomes[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("CHECK"),
        "{:?}",
        outcomes[0].reason
    );
    assert_eq!(outcomes[1].status, Status::Loaded);
    // The failure is in the load log with its error; nothing of it was written.
    assert_eq!(
        w.count("SELECT count(*) FROM loads WHERE status = 'failed' AND urn = '100001' AND reason LIKE '%CHECK%'"),
        1
    );
    assert_eq!(w.count("SELECT count(*) FROM pupils"), 2);
    assert_eq!(
        w.count("SELECT count(*) FROM marks m JOIN academies a USING (academy_id) WHERE a.urn = '100001'"),
        0
    );
}

#[test]
fn every_rejected_row_is_kept_in_the_report_beyond_those_in_the_warehouse() {
    // 12,000 marks naming pupils not in pupils.csv (no limit, for the test): the load
    // log keeps the first 10,000, the report every one.
    let w = lenient();
    let (pupils, mut marks) = class_week(1, "/");
    for i in 0..1_200 {
        for day in 6..=10 {
            for session in ["AM", "PM"] {
                marks.push(format!("X{i},2025-01-{day:02},{session},/,"));
            }
        }
    }
    let spec = class_spec(&pupils, &marks, "2025-01-11T02:10:00Z");
    let o = w.load_spec(&spec, "many");
    assert_eq!(o.status, Status::Loaded, "{}", o.summary_line());
    assert_eq!(o.rows_rejected(), 12_000);
    assert_eq!(w.count("SELECT count(*) FROM rejected_rows"), 10_000);
    let report = o.report.clone().expect("a report of every rejected row");
    assert!(report.starts_with(w.data_dir().join("quarantine")));
    let text = std::fs::read_to_string(report).unwrap();
    assert_eq!(
        text.lines().filter(|l| l.starts_with("rejected: ")).count(),
        12_000
    );
    assert!(text.contains("X1199"));
}
