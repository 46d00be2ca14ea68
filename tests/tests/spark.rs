//! The portable SQL on Spark (PySpark in local mode, Java 17) over a lake snapshot of the
//! seed trust gives the warehouse's own counts: every portable query, both scopes, two
//! windows (tests/spark/portable.py runs them; docs/scaling.md).
//!
//! Needs `python3` with `pyspark` and a Java runtime. `.ci/setup` (for `.ci/run`) installs
//! PySpark and sets
//! `ROLLCALL_REQUIRE_SPARK=1`, so there a missing Spark fails the test; elsewhere the test
//! says it was skipped.

use std::process::Command;

use queries::lake::{self, PortableRow, Snapshot, Source, PORTABLE};
use queries::types::Scope;
use rollcall_tests::{lake_windows, warehouse_figures};

fn spark_available() -> bool {
    Command::new("python3")
        .args(["-c", "import pyspark"])
        .status()
        .is_ok_and(|s| s.success())
}

#[test]
fn the_portable_sql_on_spark_gives_the_warehouse_figures() {
    if !spark_available() {
        assert!(
            std::env::var_os("ROLLCALL_REQUIRE_SPARK").is_none(),
            "ROLLCALL_REQUIRE_SPARK is set but python3 cannot import pyspark"
        );
        eprintln!("SKIPPED: python3 cannot import pyspark (pip install pyspark==3.5.3)");
        return;
    }
    let w = rollcall_tests::lake_trust();
    let conn = w.conn();
    let lake_dir = w.dir.path().join("lake");
    lake::export(&conn, &lake_dir, &Source::from_key([9; 32], "Trust"), false).unwrap();
    let snapshot = Snapshot::current(&lake_dir).unwrap().unwrap();

    let mut jobs = Vec::new();
    let mut expected: Vec<Vec<PortableRow>> = Vec::new();
    for (from, to) in lake_windows() {
        let (first, last) = lake::years_of(from, to);
        for scope in [Scope::All, Scope::Dfe] {
            let [by_academy, by_cohort] = warehouse_figures(&conn, from, to, scope);
            for (q, rows) in PORTABLE.iter().zip([by_academy, by_cohort]) {
                jobs.push(serde_json::json!({
                    "query": q.name, "from": from.to_string(), "to": to.to_string(),
                    "first_year": first, "last_year": last, "dfe": scope == Scope::Dfe,
                }));
                assert!(!rows.is_empty());
                expected.push(rows);
            }
        }
    }
    let jobs_path = w.dir.path().join("jobs.json");
    let out_path = w.dir.path().join("spark.json");
    std::fs::write(&jobs_path, serde_json::to_string(&jobs).unwrap()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/spark/portable.py");
    let output = Command::new("python3")
        .arg(script)
        .arg(&snapshot.dir)
        .arg(&jobs_path)
        .arg(&out_path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "Spark failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&out_path).unwrap()).unwrap();
    let results = out["results"].as_array().unwrap();
    assert_eq!(results.len(), expected.len());
    for ((result, want), q) in results.iter().zip(&expected).zip(PORTABLE.iter().cycle()) {
        let mut got: Vec<PortableRow> = result["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                let row = row.as_array().unwrap();
                let labels = row[..q.labels]
                    .iter()
                    .map(|v| v.as_str().unwrap().to_string())
                    .collect();
                let mut c = [0u64; 7];
                for (i, v) in row[q.labels..].iter().enumerate() {
                    c[i] = v.as_u64().unwrap();
                }
                (labels, c)
            })
            .collect();
        got.sort();
        assert_eq!(&got, want, "{}", result["job"]);
        eprintln!(
            "{}: {} rows equal on Spark in {:.2} s",
            result["job"],
            got.len(),
            result["seconds"].as_f64().unwrap()
        );
    }
    eprintln!(
        "Spark session started in {:.1} s",
        out["startup_seconds"].as_f64().unwrap()
    );
}
