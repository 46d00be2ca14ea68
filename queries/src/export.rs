//! `rollcall export parquet DIR`: the warehouse as Parquet files another engine can
//! read (Spark SQL, Trino, DuckDB itself), partitioned Hive-style:
//!
//! - `marks/academic_year=YYYY/urn=NNNNNN/*.parquet` (the big table);
//! - `pupils/urn=NNNNNN/*.parquet`, `ap_placements/urn=…`, `reduced_timetables/urn=…`;
//! - `academies.parquet`, `codes.parquet` (how each code counts).
//!
//! Pupils are exported without names, UPNs or MIS ids unless asked for: the figures
//! need none of them. See docs/scaling.md for the metric SQL on other engines.

use std::path::{Path, PathBuf};

use duckdb::Connection;

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {message}")]
    Folder { path: PathBuf, message: String },
    #[error("writing Parquet: {0}")]
    Duck(#[from] duckdb::Error),
}

/// What was written: (table, rows).
pub type Written = Vec<(&'static str, u64)>;

/// A path as an SQL string literal. `COPY ... TO` takes no bound parameter for its
/// target, so this is the one place a value is quoted into SQL: the operator's own
/// folder, with quotes doubled.
fn literal(path: &Path) -> Result<String, ExportError> {
    let s = path.to_str().ok_or_else(|| ExportError::Folder {
        path: path.to_path_buf(),
        message: "not valid UTF-8".into(),
    })?;
    Ok(format!("'{}'", s.replace('\'', "''")))
}

const IDENTIFIERS: &str = "p.pupil_id, p.upn, p.surname, p.forename,";

/// Writes the warehouse under `dir` (which must be empty or not exist yet).
pub fn parquet(
    conn: &Connection,
    dir: &Path,
    with_identifiers: bool,
) -> Result<Written, ExportError> {
    let folder = |message: String| ExportError::Folder {
        path: dir.to_path_buf(),
        message,
    };
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(|e| folder(e.to_string()))?
            .next()
            .is_some()
    {
        return Err(folder("not empty: export into a new folder".into()));
    }
    std::fs::create_dir_all(dir).map_err(|e| folder(e.to_string()))?;
    let pupils = include_str!("../sql/export_pupils.sql").replace(
        "{identifiers}",
        if with_identifiers { IDENTIFIERS } else { "" },
    );
    let by_urn = |table: &str| {
        // Signed types only, as for marks (sql/export_marks.sql).
        format!(
            "SELECT a.urn, t.* EXCLUDE (academy_id) REPLACE (CAST(t.pupil_key AS BIGINT) AS pupil_key, \
             CAST(t.sessions_per_week AS INTEGER) AS sessions_per_week) \
             FROM {table} t JOIN academies a USING (academy_id)"
        )
    };
    let jobs: [(&'static str, String, &str); 6] = [
        (
            "marks",
            include_str!("../sql/export_marks.sql").to_string(),
            "academic_year, urn",
        ),
        ("pupils", pupils, "urn"),
        ("ap_placements", by_urn("ap_placements"), "urn"),
        ("reduced_timetables", by_urn("reduced_timetables"), "urn"),
        (
            "academies",
            "SELECT * EXCLUDE (academy_id) FROM academies ORDER BY urn".to_string(),
            "",
        ),
        (
            "codes",
            "SELECT CAST(code AS VARCHAR) AS code, * EXCLUDE (code) FROM codes".to_string(),
            "",
        ),
    ];
    // Rows need not keep the warehouse's order in the files, and DuckDB is held to
    // 1 GB: at 60 academies the partitioned write otherwise peaks at 3.4 GiB resident
    // (1.1 GiB with the limit, 7.9 s instead of 5.0 s). Settings of this connection only.
    conn.execute_batch("SET preserve_insertion_order = false; SET memory_limit = '1GB'")?;
    let mut written = Vec::new();
    for (table, select, partition) in jobs {
        let sql = if partition.is_empty() {
            format!(
                "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION zstd)",
                literal(&dir.join(format!("{table}.parquet")))?
            )
        } else {
            format!(
                "COPY ({select}) TO {} (FORMAT parquet, COMPRESSION zstd, PARTITION_BY ({partition}))",
                literal(&dir.join(table))?
            )
        };
        let rows = conn.execute(&sql, [])?;
        written.push((table, rows as u64));
    }
    Ok(written)
}

/// Views named as the warehouse's tables over an export, for querying it in DuckDB
/// (the partition columns read back with their types).
pub fn attach_views(conn: &Connection, dir: &Path) -> Result<(), ExportError> {
    for (table, partitioned, types) in [
        ("marks", true, "{'academic_year': INTEGER, 'urn': VARCHAR}"),
        ("pupils", true, "{'urn': VARCHAR}"),
        ("ap_placements", true, "{'urn': VARCHAR}"),
        ("reduced_timetables", true, "{'urn': VARCHAR}"),
        ("academies", false, ""),
        ("codes", false, ""),
    ] {
        if partitioned && !has_parquet(&dir.join(table)) {
            // Nothing of this table was written (no placements, say).
            continue;
        }
        let source = if partitioned {
            format!(
                "read_parquet({}, hive_partitioning = true, hive_types = {types})",
                literal(&dir.join(table).join("**").join("*.parquet"))?
            )
        } else {
            format!(
                "read_parquet({})",
                literal(&dir.join(format!("{table}.parquet")))?
            )
        };
        conn.execute_batch(&format!(
            "CREATE OR REPLACE VIEW {table} AS SELECT * FROM {source}"
        ))?;
    }
    Ok(())
}

/// True when `dir` holds a Parquet file at any depth.
fn has_parquet(dir: &Path) -> bool {
    std::fs::read_dir(dir).is_ok_and(|entries| {
        entries.filter_map(Result::ok).any(|e| {
            let path = e.path();
            if path.is_dir() {
                has_parquet(&path)
            } else {
                path.extension().is_some_and(|x| x == "parquet")
            }
        })
    })
}

/// The portable figures query (`sql/portable/figures_by_academy.sql`) over whatever
/// `marks`, `pupils` and `codes` are in `conn`: per URN, (enrolments, possible,
/// attending, authorised, unauthorised, PA, SA).
pub fn portable_figures(
    conn: &Connection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> Result<Vec<(String, [u64; 7])>, duckdb::Error> {
    let sql = include_str!("../sql/portable/figures_by_academy.sql");
    crate::db::query_all(conn, sql, duckdb::params![from, to], |r| {
        let mut v = [0u64; 7];
        for (i, x) in v.iter_mut().enumerate() {
            *x = r.get::<_, i64>(i + 1)? as u64;
        }
        Ok((r.get(0)?, v))
    })
}
