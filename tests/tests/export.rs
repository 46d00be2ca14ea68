//! `rollcall export parquet`: the warehouse as Hive-partitioned Parquet, and the
//! portable metric SQL (docs/scaling.md) over those files giving exactly the figures
//! the warehouse gives.

use queries::types::Scope;
use rollcall_tests::{date as d, query_rows, Warehouse};

fn seeded() -> Warehouse {
    rollcall_tests::seeded_trust("academies=3,pupils=150,years=2,nights=1")
}

#[test]
fn the_export_is_partitioned_and_gives_the_warehouse_figures() {
    let w = seeded();
    let conn = w.conn();
    let dir = w.dir.path().join("export");
    let written = queries::export::parquet(&conn, &dir, false).unwrap();
    let marks = w.count("SELECT count(*) FROM marks");
    assert_eq!(written[0], ("marks", marks as u64));
    assert_eq!(written[1].1 as i64, w.count("SELECT count(*) FROM pupils"));

    // Partitioned by academic year, then academy.
    let urns: Vec<String> = queries::figures::academies(&conn)
        .unwrap()
        .into_iter()
        .map(|a| a.urn)
        .collect();
    for year in [2023, 2024] {
        for urn in &urns {
            let part = dir.join(format!("marks/academic_year={year}/urn={urn}"));
            assert!(part.is_dir(), "{}", part.display());
        }
    }
    // Nothing to identify a pupil unless asked for.
    let files = duckdb::Connection::open_in_memory().unwrap();
    queries::export::attach_views(&files, &dir).unwrap();
    let columns: Vec<String> =
        query_rows(&files, "SELECT column_name FROM (DESCRIBE pupils)", |r| {
            r.get(0)
        });
    assert!(columns.contains(&"date_of_birth".to_string()));
    for private in ["surname", "forename", "upn", "pupil_id"] {
        assert!(!columns.contains(&private.to_string()), "{private}");
    }
    let read: i64 = files
        .query_row("SELECT count(*) FROM marks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(read, marks);

    // The portable query over the files equals the warehouse's own figures, for the
    // whole of both years and for one term.
    for (from, to) in [
        (d(2023, 9, 1), d(2025, 3, 14)),
        (d(2024, 9, 1), d(2024, 12, 20)),
    ] {
        let (academies, _) = queries::figures::by_academy(&conn, from, to, Scope::All).unwrap();
        let mut expected: Vec<(String, [u64; 7])> = academies
            .into_iter()
            .map(|(a, f)| {
                (
                    a.urn,
                    [
                        f.enrolments,
                        f.possible_sessions,
                        f.attending_sessions,
                        f.authorised_sessions,
                        f.unauthorised_sessions,
                        f.pa_enrolments,
                        f.sa_enrolments,
                    ],
                )
            })
            .collect();
        expected.sort();
        let over_files = queries::export::portable_figures(&files, from, to).unwrap();
        assert_eq!(over_files, expected, "{from} to {to}");
        assert!(expected.iter().all(|(_, v)| v[1] > 0 && v[5] > 0));
    }

    // Into a folder that is not empty: refused, nothing overwritten.
    let again = queries::export::parquet(&conn, &dir, false).unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
}

#[test]
fn identifiers_only_when_asked_for() {
    let w = seeded();
    let dir = w.dir.path().join("with");
    queries::export::parquet(&w.conn(), &dir, true).unwrap();
    let files = duckdb::Connection::open_in_memory().unwrap();
    queries::export::attach_views(&files, &dir).unwrap();
    let named: i64 = files
        .query_row(
            "SELECT count(*) FROM pupils WHERE surname IS NOT NULL AND upn IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert!(named > 100);
}
