//! The lake (`queries::lake`, docs/scaling.md): the portable SQL over a snapshot gives
//! the warehouse's own figures, both scopes, two windows; two trusts share a lake and
//! keep their figures; an export after a night's load rewrites only what changed; a
//! reader during an export reads one whole snapshot.

use std::os::unix::fs::MetadataExt;

use chrono::Datelike;
use std::path::{Path, PathBuf};

use queries::lake::{self, PortableRow, Snapshot, Source, PORTABLE};
use queries::types::Scope;
use rollcall_tests::{date as d, lake_windows, query_rows, warehouse_figures, Warehouse};

/// Each portable query over the lake's current snapshot, in DuckDB.
fn lake_figures(
    lake: &Path,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    scope: Scope,
) -> [Vec<PortableRow>; 2] {
    let conn = duckdb::Connection::open_in_memory().unwrap();
    Snapshot::current(lake)
        .unwrap()
        .expect("published")
        .attach(&conn)
        .unwrap();
    PORTABLE.map(|q| {
        let mut rows = q.run(&conn, from, to, scope == Scope::Dfe).unwrap();
        rows.sort();
        rows
    })
}

fn source(byte: u8, trust: &str) -> Source {
    Source::from_key([byte; 32], trust)
}

/// The lake's figures for `urns` only.
fn only(rows: &[PortableRow], urns: &[String], at: usize) -> Vec<PortableRow> {
    rows.iter()
        .filter(|(labels, _)| urns.contains(&labels[at]))
        .cloned()
        .collect()
}

#[test]
fn the_portable_sql_over_the_lake_gives_the_warehouse_figures_both_scopes_two_windows() {
    let w = rollcall_tests::lake_trust();
    let conn = w.conn();
    let lake = w.dir.path().join("lake");
    let done = lake::export(&conn, &lake, &source(7, "Trust"), false).unwrap();
    assert_eq!(
        done.rows("marks"),
        w.count("SELECT count(*) FROM marks") as u64
    );
    assert_eq!(
        done.rows("pupils"),
        w.count("SELECT count(*) FROM pupils") as u64
    );
    assert_eq!(
        done.rows("spells"),
        w.count("SELECT count(*) FROM spells") as u64
    );
    assert!(
        w.count(
            "SELECT count(*) FROM (SELECT pupil_key FROM spells GROUP BY 1 HAVING count(*) > 1)"
        ) > 0,
        "the seed has pupils with two spells, so the spells join is exercised"
    );

    // A directory per table; marks and the calendar by academic year, no academy level.
    let snapshot = Snapshot::current(&lake).unwrap().unwrap();
    for table in [
        "marks",
        "calendar",
        "pupils",
        "spells",
        "academies",
        "codes",
        "academic_years",
    ] {
        assert!(snapshot.dir.join(table).is_dir(), "{table}");
    }
    for year in [2023, 2024] {
        let part = snapshot.dir.join(format!("marks/academic_year={year}"));
        let files: Vec<PathBuf> = std::fs::read_dir(&part)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "one file a year for one trust: {files:?}");
    }

    // Stable keys and nothing that names a pupil: no warehouse counter, no MIS id.
    let files = duckdb::Connection::open_in_memory().unwrap();
    snapshot.attach(&files).unwrap();
    for table in ["marks", "pupils", "spells"] {
        let columns: Vec<String> = query_rows(
            &files,
            &format!("SELECT column_name FROM (DESCRIBE {table})"),
            |r| r.get(0),
        );
        assert!(columns.contains(&"pupil_ref".to_string()), "{table}");
        for private in [
            "pupil_key",
            "pupil_id",
            "upn",
            "surname",
            "forename",
            "date_of_birth",
        ] {
            assert!(
                !columns.contains(&private.to_string()),
                "{table}: {private}"
            );
        }
    }
    let (id, urn) = (
        w.string("SELECT pupil_id FROM pupils ORDER BY pupil_key LIMIT 1"),
        w.string("SELECT a.urn FROM pupils p JOIN academies a USING (academy_id) ORDER BY pupil_key LIMIT 1"),
    );
    let reference = source(7, "Trust").pupil_ref(&urn, &id);
    assert_eq!(reference.len(), 32);
    let found: i64 = files
        .query_row(
            "SELECT count(*) FROM pupils WHERE urn = ? AND pupil_ref = ?",
            [&urn, &reference],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(
        found, 1,
        "the reference is the keyed hash of URN and MIS id"
    );

    for (from, to) in lake_windows() {
        let all = warehouse_figures(&conn, from, to, Scope::All);
        let dfe = warehouse_figures(&conn, from, to, Scope::Dfe);
        assert_ne!(all, dfe, "the scopes differ in {from}..{to}");
        for (labels, c) in &all[0] {
            let joined_later = labels[0] == rollcall_tests::LATE_URN;
            let summer_only = labels[0] == rollcall_tests::SUMMER_URN;
            if (joined_later || summer_only) && from.year() == 2024 {
                assert_eq!(c, &[0; 7], "no rows in the autumn: a row of zeros");
            } else {
                assert!(c[1] > 0 && c[5] > 0, "{labels:?} {c:?}");
            }
        }
        assert_eq!(
            lake_figures(&lake, from, to, Scope::All),
            all,
            "{from}..{to}, all"
        );
        assert_eq!(
            lake_figures(&lake, from, to, Scope::Dfe),
            dfe,
            "{from}..{to}, DfE"
        );
    }
}

#[test]
fn identifiers_only_when_asked_for() {
    let w = rollcall_tests::seeded_trust("academies=1,pupils=60,years=1,nights=1");
    let lake = w.dir.path().join("lake");
    lake::export(&w.conn(), &lake, &source(1, "Trust"), true).unwrap();
    let files = duckdb::Connection::open_in_memory().unwrap();
    Snapshot::current(&lake)
        .unwrap()
        .unwrap()
        .attach(&files)
        .unwrap();
    let named: i64 = files
        .query_row(
            "SELECT count(*) FROM pupils WHERE surname IS NOT NULL AND upn IS NOT NULL \
             AND pupil_id IS NOT NULL AND date_of_birth IS NOT NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(named, w.count("SELECT count(*) FROM pupils"));
}

/// A second trust from the same generator (another seed), its academies under other URNs.
fn other_trust() -> Warehouse {
    let w = Warehouse::new();
    let mut opts = seed_data::SeedOptions::demo(d(2025, 3, 14));
    opts.apply_scale("academies=2,pupils=100,years=2,nights=1")
        .unwrap();
    opts.seed = 77;
    let extracts = seed_data::generate(&opts, &w.dir.path().join("seed"), &mut |_, _, _| {})
        .unwrap()
        .extracts;
    for e in extracts {
        let path = e.join("manifest.json");
        let mut manifest: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let urn = manifest["academy"]["urn"]
            .as_str()
            .unwrap()
            .replacen('1', "2", 1);
        manifest["academy"]["urn"] = urn.into();
        std::fs::write(&path, manifest.to_string()).unwrap();
        assert_eq!(w.load(&e).status, queries::Status::Loaded);
    }
    w
}

#[test]
fn two_trusts_in_one_lake_keep_their_own_figures() {
    let a = rollcall_tests::seeded_trust("academies=2,pupils=100,years=2,nights=1");
    let b = other_trust();
    let urns = |w: &Warehouse| -> Vec<String> {
        query_rows(&w.conn(), "SELECT urn FROM academies ORDER BY urn", |r| {
            r.get(0)
        })
    };
    let (urns_a, urns_b) = (urns(&a), urns(&b));
    assert!(
        urns_a.iter().all(|u| !urns_b.contains(u)),
        "{urns_a:?} {urns_b:?}"
    );
    // Both warehouses number their pupils from 1: a lake keyed on that counter would
    // match one trust's marks to the other's pupils.
    assert_eq!(a.count("SELECT min(pupil_key) FROM pupils"), 1);
    assert_eq!(b.count("SELECT min(pupil_key) FROM pupils"), 1);

    let lake = a.dir.path().join("shared-lake");
    let (source_a, source_b) = (source(1, "Trust A"), source(2, "Trust B"));
    lake::export(&a.conn(), &lake, &source_a, false).unwrap();
    lake::export(&b.conn(), &lake, &source_b, false).unwrap();
    // Trust A's next export carries trust B's files over untouched.
    let again = lake::export(&a.conn(), &lake, &source_a, false).unwrap();
    assert!(again.written.is_empty(), "{:?}", again.written);
    let snapshot = Snapshot::current(&lake).unwrap().unwrap();
    assert_eq!(snapshot.manifest.sources.len(), 2);
    assert_eq!(
        snapshot.rows("marks"),
        (a.count("SELECT count(*) FROM marks") + b.count("SELECT count(*) FROM marks")) as u64
    );
    // codes and academic_years are the same for everyone: once in the lake.
    assert_eq!(
        snapshot
            .manifest
            .files
            .iter()
            .filter(|f| f.table == "codes")
            .count(),
        1
    );

    for (from, to) in lake_windows() {
        for scope in [Scope::All, Scope::Dfe] {
            let [by_academy, by_cohort] = lake_figures(&lake, from, to, scope);
            for (w, urns) in [(&a, &urns_a), (&b, &urns_b)] {
                let [academies, cohorts] = warehouse_figures(&w.conn(), from, to, scope);
                assert_eq!(
                    only(&by_academy, urns, 0),
                    academies,
                    "{from}..{to} {scope:?}"
                );
                assert_eq!(only(&by_cohort, urns, 1), cohorts, "{from}..{to} {scope:?}");
            }
            assert_eq!(by_academy.len(), urns_a.len() + urns_b.len());
        }
    }
}

/// A trust's extracts, the last night's last academy held back; and that extract.
fn trust_but_one_night() -> (Warehouse, PathBuf) {
    let w = Warehouse::new();
    let mut opts = seed_data::SeedOptions::demo(d(2025, 3, 14));
    opts.apply_scale("academies=2,pupils=100,years=2,nights=2")
        .unwrap();
    let mut extracts = seed_data::generate(&opts, &w.dir.path().join("seed"), &mut |_, _, _| {})
        .unwrap()
        .extracts;
    extracts.sort();
    let last = extracts.pop().unwrap();
    for e in extracts {
        assert_eq!(w.load(&e).status, queries::Status::Loaded);
    }
    (w, last)
}

fn inode(path: &Path) -> u64 {
    std::fs::metadata(path).unwrap().ino()
}

#[test]
fn an_export_after_a_nights_load_rewrites_only_the_changed_partitions() {
    let (w, night) = trust_but_one_night();
    let lake = w.dir.path().join("lake");
    let me = source(3, "Trust");
    let first = lake::export(&w.conn(), &lake, &me, false).unwrap();
    assert!(first.kept.is_empty());
    let before = Snapshot::current(&lake).unwrap().unwrap();

    // Nothing loaded since: nothing written.
    let idle = lake::export(&w.conn(), &lake, &me, false).unwrap();
    assert!(idle.written.is_empty(), "{:?}", idle.written);

    rollcall_tests::assert_loaded(&w.load(&night));
    let after_load = lake::export(&w.conn(), &lake, &me, false).unwrap();
    let written: Vec<(String, Option<String>)> = after_load
        .written
        .iter()
        .map(|f| (f.table.clone(), f.partition.clone()))
        .collect();
    let this_year = Some("academic_year=2024".to_string());
    assert!(
        written.contains(&("marks".to_string(), this_year.clone())),
        "{written:?}"
    );
    for (table, partition) in &written {
        assert!(
            partition.is_none() || partition == &this_year,
            "only this year's partitions change: {table} {partition:?}"
        );
        assert!(
            !["codes", "academic_years"].contains(&table.as_str()),
            "{table}"
        );
    }
    // Last year's marks: the same file (a hard link), not written again.
    let last_year = |s: &Snapshot| {
        let f = s
            .manifest
            .files
            .iter()
            .find(|f| f.table == "marks" && f.partition.as_deref() == Some("academic_year=2023"))
            .unwrap();
        s.dir.join(&f.path)
    };
    let now = Snapshot::current(&lake).unwrap().unwrap();
    assert_eq!(now.manifest.snapshot, before.manifest.snapshot + 2);
    assert_eq!(inode(&last_year(&now)), inode(&last_year(&before)));
    assert!(after_load
        .kept
        .iter()
        .any(|f| f.partition.as_deref() == Some("academic_year=2023")));
    // And the snapshot holds the night: the same figures as the warehouse.
    let (from, to) = (d(2023, 9, 1), d(2025, 3, 14));
    assert_eq!(
        lake_figures(&lake, from, to, Scope::All),
        warehouse_figures(&w.conn(), from, to, Scope::All)
    );
    // The previous snapshot is still there, whole, for whoever still reads it.
    assert_eq!(
        Snapshot::at(&before.dir).unwrap().rows("marks"),
        before.rows("marks")
    );
}

#[test]
fn a_reader_during_an_export_reads_one_whole_snapshot() {
    let (w, night) = trust_but_one_night();
    let lake = w.dir.path().join("lake");
    let me = source(4, "Trust");
    lake::export(&w.conn(), &lake, &me, false).unwrap();
    let before = w.count("SELECT count(*) FROM marks") as u64;
    rollcall_tests::assert_loaded(&w.load(&night));
    let after = w.count("SELECT count(*) FROM marks") as u64;
    assert_ne!(before, after);

    // Crashed exports' leftovers are not snapshots and are cleared by the next: one
    // that died while writing, and one that died between its two renames.
    for left in [".00000002.partial", "00000002"] {
        let folder = lake.join("snapshots").join(left).join("marks");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("junk.parquet"), b"half a file").unwrap();
    }

    let (first_read, go) = std::sync::mpsc::channel::<()>();
    let writer = {
        let (db, lake) = (w.shared(), lake.clone());
        std::thread::spawn(move || {
            let conn = db.connect().unwrap();
            // Once the reader has read the first snapshot.
            go.recv().unwrap();
            // A new snapshot each time: the night's marks, then the pupils file
            // alternately with and without identifiers.
            for i in 0..6 {
                lake::export(&conn, &lake, &source(4, "Trust"), i % 2 == 1).unwrap();
            }
        })
    };
    let mut seen = std::collections::BTreeSet::new();
    let read = |seen: &mut std::collections::BTreeSet<u64>| {
        let snapshot = Snapshot::current(&lake).unwrap().unwrap();
        let conn = duckdb::Connection::open_in_memory().unwrap();
        snapshot.attach(&conn).unwrap();
        let (marks, pupils): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT count(*) FROM marks), (SELECT count(*) FROM pupils)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(marks as u64, snapshot.rows("marks"));
        assert_eq!(pupils as u64, snapshot.rows("pupils"));
        assert!([before, after].contains(&(marks as u64)), "{marks}");
        seen.insert(snapshot.manifest.snapshot);
    };
    read(&mut seen);
    first_read.send(()).unwrap();
    while !writer.is_finished() {
        read(&mut seen);
    }
    writer.join().unwrap();
    read(&mut seen);
    assert!(!lake.join("snapshots/.00000002.partial").exists());
    let last = Snapshot::current(&lake).unwrap().unwrap();
    assert_eq!(last.manifest.snapshot, 7, "{seen:?}");
    assert_eq!(last.rows("marks"), after);
    assert!(
        seen.contains(&1) && seen.contains(&7),
        "the reader read the first and the last snapshot: {seen:?}"
    );
}

/// Waits up to three minutes for `path` to exist.
fn wait_for(path: &Path) {
    for _ in 0..1800 {
        if path.exists() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{} did not appear", path.display());
}

#[test]
fn a_running_server_exports_after_loads_and_on_request() {
    let w = rollcall_tests::seeded_trust("academies=1,pupils=60,years=1,nights=1");
    let paths = server::Paths {
        data_dir: w.data_dir(),
    };
    let (nightly, asked) = (w.dir.path().join("nightly"), w.dir.path().join("asked"));
    let mut config =
        queries::TrustConfig::parse(&format!("[lake]\ndir = \"{}\"\n", nightly.display())).unwrap();
    config.name = "Oak Trust".into();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let warehouse = app::ssr::Warehouse::new(w.shared()).with_config(&config);
    runtime.spawn(server::lake::export_after_loads(
        warehouse,
        server::Paths {
            data_dir: w.data_dir(),
        },
        config,
    ));
    // The configured lake, once the loads have settled.
    wait_for(&nightly.join("current"));
    let snapshot = Snapshot::current(&nightly).unwrap().unwrap();
    assert_eq!(
        snapshot.rows("marks"),
        w.count("SELECT count(*) FROM marks") as u64
    );
    assert_eq!(
        snapshot.manifest.sources.values().next().unwrap().trust,
        "Oak Trust"
    );
    // `rollcall export` while the server holds the warehouse: a request, answered.
    let answer = server::lake::request(&paths, &asked, false).unwrap();
    wait_for(&answer);
    let line = std::fs::read_to_string(&answer).unwrap();
    assert!(line.starts_with("lake snapshot 1 at "), "{line}");
    assert!(asked.join("current").exists());
    // Both exports are the same trust's: the key is kept, the references agree.
    let refs = |lake: &Path| -> Vec<String> {
        let conn = duckdb::Connection::open_in_memory().unwrap();
        Snapshot::current(lake)
            .unwrap()
            .unwrap()
            .attach(&conn)
            .unwrap();
        query_rows(&conn, "SELECT pupil_ref FROM pupils ORDER BY 1", |r| {
            r.get(0)
        })
    };
    assert_eq!(refs(&nightly), refs(&asked));
    assert!(paths.lake_key().exists());
    runtime.shutdown_background();
}

#[test]
fn an_academy_has_one_writer_and_a_lost_key_is_retired_not_counted_twice() {
    let w = rollcall_tests::seeded_trust("academies=1,pupils=60,years=1,nights=1");
    let lake = w.dir.path().join("lake");
    let (old, new) = (source(5, "Trust"), source(6, "Trust"));
    lake::export(&w.conn(), &lake, &old, false).unwrap();
    // The key is lost: the same academies under a new key are refused, not doubled.
    let refused = lake::export(&w.conn(), &lake, &new, false).unwrap_err();
    let message = refused.to_string();
    assert!(
        message.contains(&old.id) && message.contains("--retire"),
        "{message}"
    );
    let before = Snapshot::current(&lake).unwrap().unwrap();
    assert_eq!(before.manifest.snapshot, 1, "nothing published");

    let reader = duckdb::Connection::open_in_memory().unwrap();
    before.attach(&reader).unwrap();
    let retired = lake::retire(&lake, &old.id).unwrap();
    let empty = Snapshot::current(&lake).unwrap().unwrap();
    assert_eq!(empty.manifest.snapshot, retired);
    assert_eq!(empty.rows("marks"), 0);
    assert!(empty.manifest.files.iter().all(|f| f.source == "shared"));
    // Attached again, the views are this snapshot's: no marks view left from before.
    empty.attach(&reader).unwrap();
    assert!(reader
        .query_row("SELECT count(*) FROM marks", [], |r| r.get::<_, i64>(0))
        .is_err());
    lake::export(&w.conn(), &lake, &new, false).unwrap();
    let (from, to) = lake_windows()[1];
    assert_eq!(
        lake_figures(&lake, from, to, Scope::All),
        warehouse_figures(&w.conn(), from, to, Scope::All)
    );
    assert!(lake::retire(&lake, &old.id).is_err(), "already gone");
}
