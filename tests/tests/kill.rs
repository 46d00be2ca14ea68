//! A loading process killed with SIGKILL mid-load leaves the warehouse as it was, and
//! the next load completes. The test re-runs its own binary as the loading child.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use queries::{Db, Loader, Stage, Status, TrustConfig};
use rollcall_tests::{pupil, snapshot, ExtractSpec};

const CHILD_ENV: &str = "ROLLCALL_KILL_TEST_CHILD";

/// A big extract: 3,000 pupils x 2 terms of sessions, so writing takes a while.
fn big_extract(parent: &Path) -> std::path::PathBuf {
    let pupils: Vec<String> = (0..3000).map(|i| pupil(&format!("K{i}"))).collect();
    let mut marks = String::from(rollcall_tests::MARKS_HEADER);
    marks.push('\n');
    let start = chrono::NaiveDate::from_ymd_opt(2024, 9, 2).unwrap();
    for d in 0..150 {
        let day = start + chrono::Duration::days(d);
        if chrono::Datelike::weekday(&day).number_from_monday() > 5 {
            continue;
        }
        for i in 0..3000 {
            marks.push_str(&format!("K{i},{day},AM,/,\nK{i},{day},PM,I,\n"));
        }
    }
    ExtractSpec::new("100002", "2024-09-02", "2025-01-29", "2025-01-30T02:10:00Z")
        .pupils(&pupils)
        .file("marks.csv", marks)
        .write_dir(parent, "big")
}

/// The child half of the test below, which runs it with `--ignored`.
#[test]
#[ignore = "run by sigkill_mid_load_leaves_the_warehouse_as_before as its child"]
fn kill_child_loader() {
    let args = std::env::var(CHILD_ENV).expect("run as the child of the kill test");
    let (db_path, extract) = args.split_once('|').unwrap();
    let db = Db::open(Path::new(db_path)).unwrap();
    let config = TrustConfig::default();
    let mut out = std::io::stdout();
    Loader::new(&db, &config)
        .load_with_progress(Path::new(extract), &mut |stage| {
            if stage == Stage::Writing {
                writeln!(out, "WRITING").unwrap();
                out.flush().unwrap();
            }
        })
        .unwrap();
    println!("COMMITTED");
}

#[test]
fn sigkill_mid_load_leaves_the_warehouse_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let db_path = dir.path().join("rollcall.duckdb");
    let config = TrustConfig::default();
    // Something already in the warehouse.
    {
        let db = Db::open(&db_path).unwrap();
        let first = ExtractSpec::new("100001", "2025-01-06", "2025-01-06", "2025-01-07T02:10:00Z")
            .pupils(&[pupil("P1")])
            .marks(&["P1,2025-01-06,AM,/,"])
            .write_dir(dir.path(), "first");
        assert_eq!(
            Loader::new(&db, &config).load(&first).unwrap().status,
            Status::Loaded
        );
    }
    let before = snapshot(&Db::open(&db_path).unwrap().connect().unwrap());
    let extract = big_extract(dir.path());

    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "kill_child_loader",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CHILD_ENV,
            format!("{}|{}", db_path.display(), extract.display()),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut writing = false;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if line.contains("WRITING") {
            writing = true;
            break;
        }
    }
    assert!(writing, "the child reached the write phase");
    // SIGKILL, at once, while the transaction is open.
    child.kill().unwrap();
    child.wait().unwrap();
    let rest: Vec<String> = lines.map_while(Result::ok).collect();
    assert!(
        !rest.iter().any(|l| l.contains("COMMITTED")),
        "the kill came before the commit"
    );

    let db = Db::open(&db_path).unwrap();
    assert_eq!(
        snapshot(&db.connect().unwrap()),
        before,
        "the warehouse is as before"
    );
    // The next load completes.
    let o = Loader::new(&db, &config).load(&extract).unwrap();
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
    let marks: i64 = db
        .connect()
        .unwrap()
        .query_row("SELECT count(*) FROM marks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(marks as u64, 1 + o.counts.marks_loaded);
    assert!(o.counts.marks_loaded > 500_000);
}
