//! Loading nightly extracts into the warehouse.
//!
//! One extract is one transaction: it commits whole or leaves the warehouse exactly as
//! it was (a crash or a kill mid-load included; DuckDB's write-ahead log rolls an
//! uncommitted transaction back). Rows go in by DuckDB's appender (Arrow batches for the
//! marks) into staging tables and from there by set-based SQL, never row by row.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use duckdb::arrow::array::{
    ArrayRef, Date32Array, StringArray, UInt16Array, UInt32Array, UInt8Array,
};
use duckdb::arrow::datatypes::{DataType, Field, Schema};
use duckdb::arrow::record_batch::RecordBatch;
use duckdb::{params, Appender, Connection};
use serde::Serialize;

use crate::config::TrustConfig;
use crate::db::{Db, DbError};
use crate::extract::{self, Extract, FileFault, Manifest};
use crate::parse::{self, academic_year, FileSummary, Parsed};
use crate::rows::RowFault;

/// Rejected rows kept in the database per extract (the full list is in the report).
const REJECTED_ROWS_KEPT: usize = 10_000;
/// Marks per Arrow batch handed to the appender.
const BATCH_ROWS: usize = 1 << 16;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    Loaded,
    /// The same extract was loaded before: nothing changed.
    AlreadyLoaded,
    Rejected,
    /// The extract was valid but writing it failed (a write error, a full disk): the
    /// warehouse is as it was, and the load log says why.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Loaded => "loaded",
            Status::AlreadyLoaded => "already-loaded",
            Status::Rejected => "rejected",
            Status::Failed => "failed",
        }
    }
}

/// What happened to one extract.
#[derive(Debug, Clone, Serialize)]
pub struct LoadOutcome {
    pub source: PathBuf,
    pub load_id: Option<u64>,
    pub urn: Option<String>,
    pub academy: Option<String>,
    pub extracted_at: Option<DateTime<Utc>>,
    pub window: Option<(NaiveDate, NaiveDate)>,
    pub status: Status,
    /// Why a rejected extract was rejected.
    pub reason: Option<String>,
    pub files: Vec<FileSummary>,
    pub rejected_rows: Vec<RowFault>,
    pub notes: Vec<String>,
    #[serde(flatten)]
    pub counts: LoadCounts,
    pub archived_as: Option<PathBuf>,
    /// The full report of a loaded extract's rejected rows, when it had any.
    pub report: Option<PathBuf>,
    pub duration: Duration,
}

/// What a load wrote: pupils and marks loaded, and the marks in its window it replaced
/// or kept.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct LoadCounts {
    pub pupils_loaded: u64,
    pub marks_loaded: u64,
    /// Marks in the window before this load that it replaced or removed.
    pub marks_replaced: u64,
    /// Marks in the window kept because the row that would have replaced them was
    /// rejected (the pupil's row, or the session's).
    pub marks_held: u64,
}

impl LoadOutcome {
    /// Nothing known yet of the extract at `source`.
    pub fn new(source: &Path) -> LoadOutcome {
        LoadOutcome {
            source: source.to_path_buf(),
            load_id: None,
            urn: None,
            academy: None,
            extracted_at: None,
            window: None,
            status: Status::Rejected,
            reason: None,
            files: Vec::new(),
            rejected_rows: Vec::new(),
            notes: Vec::new(),
            counts: LoadCounts::default(),
            archived_as: None,
            report: None,
            duration: Duration::ZERO,
        }
    }

    /// A load that failed before it could be recorded in the warehouse (the warehouse
    /// itself failing): the caller reports it and goes on.
    pub fn failure(source: &Path, error: impl std::fmt::Display) -> LoadOutcome {
        LoadOutcome {
            status: Status::Failed,
            reason: Some(format!("the warehouse failed: {error}")),
            ..LoadOutcome::new(source)
        }
    }

    pub fn rows_loaded(&self) -> u64 {
        if self.status != Status::Loaded {
            return 0;
        }
        self.files.iter().map(|f| f.rows - f.rejected).sum()
    }

    pub fn rows_rejected(&self) -> u64 {
        self.files.iter().map(|f| f.rejected).sum()
    }

    /// The one-line summary printed per extract.
    pub fn summary_line(&self) -> String {
        let who = match (&self.urn, &self.academy) {
            (Some(u), Some(n)) => format!("{u} {n}"),
            (Some(u), None) => u.clone(),
            _ => self.source.display().to_string(),
        };
        let window = self
            .window
            .map(|(f, t)| format!(" {f}..{t}"))
            .unwrap_or_default();
        let secs = self.duration.as_secs_f64();
        match self.status {
            Status::Loaded => format!(
                "loaded   {who}{window}: {} rows loaded ({} marks, {} pupils), {} rejected, {} marks held over, {secs:.2}s",
                self.rows_loaded(),
                self.counts.marks_loaded,
                self.counts.pupils_loaded,
                self.rows_rejected(),
                self.counts.marks_held
            ),
            Status::AlreadyLoaded => {
                format!("skipped  {who}{window}: already loaded, nothing changed")
            }
            Status::Rejected => format!(
                "REJECTED {who}{window}: {} ({} rows rejected)",
                self.reason.as_deref().unwrap_or("rejected"),
                self.rows_rejected()
            ),
            Status::Failed => format!(
                "FAILED   {who}{window}: {} (nothing of it was written)",
                self.reason.as_deref().unwrap_or("the write failed")
            ),
        }
    }

    /// A full report: the summary, notes and every rejected row.
    pub fn report_text(&self) -> String {
        let mut s = format!(
            "{}\nsource: {}\n",
            self.summary_line(),
            self.source.display()
        );
        for f in &self.files {
            s.push_str(&format!(
                "{}: {} rows ({}), {} rejected\n",
                f.file, f.rows, f.encoding, f.rejected
            ));
        }
        for n in &self.notes {
            s.push_str(&format!("note: {n}\n"));
        }
        for r in &self.rejected_rows {
            s.push_str(&format!("rejected: {r}\n"));
        }
        s
    }
}

/// Progress of one load, for terminals and for tests that interrupt a load.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Read,
    Validated,
    /// The transaction is open and the warehouse is being written.
    Writing,
    Committed,
}

/// Where received extracts are kept: `archive/` for loaded ones, `quarantine/` for
/// rejected ones with their report.
#[derive(Debug, Clone)]
pub struct Store {
    pub root: PathBuf,
}

impl Store {
    pub fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    pub fn quarantine_dir(&self) -> PathBuf {
        self.root.join("quarantine")
    }
}

pub struct Loader<'a> {
    db: &'a Db,
    config: &'a TrustConfig,
    store: Option<Store>,
}

#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("database error: {0}")]
    Duck(#[from] duckdb::Error),
    #[error("{0}")]
    Io(#[from] std::io::Error),
}

impl<'a> Loader<'a> {
    pub fn new(db: &'a Db, config: &'a TrustConfig) -> Self {
        Loader {
            db,
            config,
            store: None,
        }
    }

    /// Keep originals and quarantined extracts under `root`.
    pub fn with_store(mut self, root: &Path) -> Self {
        self.store = Some(Store {
            root: root.to_path_buf(),
        });
        self
    }

    pub fn load(&self, source: &Path) -> Result<LoadOutcome, LoadError> {
        self.load_with_progress(source, &mut |_| {})
    }

    /// Loads one extract. `Err` is reserved for the warehouse itself failing; a bad
    /// extract is an `Ok` outcome with status `Rejected`.
    pub fn load_with_progress(
        &self,
        source: &Path,
        progress: &mut dyn FnMut(Stage),
    ) -> Result<LoadOutcome, LoadError> {
        let started = Instant::now();
        let started_at = Utc::now();
        let mut outcome = LoadOutcome::new(source);
        let conn = self.db.connect()?;
        let ex = match step("read", || extract::read(source)) {
            Ok(ex) => ex,
            Err(fault) => return self.reject(&conn, outcome, None, fault, started, started_at),
        };
        progress(Stage::Read);
        let m = &ex.manifest;
        outcome.urn = Some(m.academy.urn.clone());
        outcome.academy = Some(m.academy.name.clone());
        outcome.extracted_at = Some(m.extracted_at);
        outcome.window = Some((m.marks_from, m.marks_to));

        if let Some(load_id) = already_loaded(&conn, m)? {
            outcome.status = Status::AlreadyLoaded;
            outcome.load_id = Some(load_id);
            outcome.duration = started.elapsed();
            return Ok(outcome);
        }
        if let Some(fault) = stale(&conn, m)? {
            return self.reject(&conn, outcome, Some(&ex), fault, started, started_at);
        }
        let parsed = match step("parse", || parse::parse(&ex, self.config)) {
            Ok(p) => p,
            Err(fault) => {
                return self.reject(&conn, outcome, Some(&ex), fault, started, started_at)
            }
        };
        progress(Stage::Validated);
        outcome.files = parsed.files.clone();
        outcome.rejected_rows = parsed.faults.clone();
        outcome.notes = parsed.notes.clone();
        if let Some(fault) = over_limit(&parsed.files, self.config.reject_limit_percent) {
            return self.reject(&conn, outcome, Some(&ex), fault, started, started_at);
        }

        let archived_as = step("archive", || self.archive(&ex))?;
        outcome.archived_as = archived_as.clone();
        progress(Stage::Writing);
        conn.execute_batch("BEGIN TRANSACTION")?;
        let written = write(&conn, &ex, &parsed, &mut outcome).and_then(|academy_id| {
            outcome.status = Status::Loaded;
            outcome.duration = started.elapsed();
            let load_id = log_load(
                &conn,
                &outcome,
                m,
                "loaded",
                archived_as.as_deref(),
                started_at,
            )?;
            record_held(&conn, m, academy_id, load_id)?;
            outcome.load_id = Some(load_id);
            Ok(())
        });
        match written {
            Ok(()) => step("commit", || conn.execute_batch("COMMIT"))?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return self.failed(&conn, outcome, m, e.to_string(), started, started_at);
            }
        }
        progress(Stage::Committed);
        if let Some(bytes) = ex.files.get(extract::INTERVENTIONS) {
            let note = self.import_interventions(&conn, m, bytes);
            outcome.notes.push(note);
        }
        outcome.status = Status::Loaded;
        outcome.duration = started.elapsed();
        // Every rejected row, beyond those the load log keeps. The load has committed:
        // a report that cannot be written is said, not a reason to call it failed.
        match self.report_rejections(&outcome, started_at) {
            Ok(report) => outcome.report = report,
            Err(e) => {
                tracing::error!(source = %outcome.source.display(), error = %e, "the rejected-rows report could not be written");
                outcome.notes.push(format!(
                    "the report of every rejected row could not be written: {e}"
                ));
            }
        }
        Ok(outcome)
    }

    /// Imports a loaded extract's `interventions.csv` into the academy's cases (the
    /// accounts store), all or nothing, after the warehouse has committed: what it did,
    /// as a note for the load's report. Its pupils are those the academy now has.
    fn import_interventions(
        &self,
        conn: &Connection,
        m: &extract::Manifest,
        bytes: &[u8],
    ) -> String {
        let urn = &m.academy.urn;
        let known = |p: &str| crate::pupil::exists(conn, urn, p).unwrap_or(false);
        let rows = match crate::interventions::parse(bytes, m.extracted_at.date_naive(), &known) {
            Ok(rows) => rows,
            Err(faults) => {
                return format!(
                    "{}: not imported, nothing of it written: {}",
                    extract::INTERVENTIONS,
                    faults.join("; ")
                )
            }
        };
        let who = crate::types::Principal {
            actor: "loader".into(),
            name: format!(
                "The nightly extract from {}",
                m.source_system.as_deref().unwrap_or("the MIS")
            ),
            role: crate::types::Role::Trust,
            academies: Vec::new(),
        };
        let done = self
            .db
            .accounts()
            .connect()
            .map_err(|e| e.to_string())
            .and_then(|mut store| {
                crate::interventions::import(&mut store, &who, urn, &rows)
                    .map_err(|e| e.to_string())
            });
        match done {
            Ok(i) => format!(
                "{}: {} actions added to pupils' cases, {} already held",
                extract::INTERVENTIONS,
                i.added,
                i.already
            ),
            Err(e) => {
                tracing::error!(urn = %urn, error = %e, "interventions could not be imported");
                format!(
                    "{}: not imported, nothing of it written: {e}",
                    extract::INTERVENTIONS
                )
            }
        }
    }

    fn archive(&self, ex: &Extract) -> Result<Option<PathBuf>, LoadError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        let m = &ex.manifest;
        let name = format!(
            "{}_{}",
            m.extracted_at.format("%Y%m%dT%H%M%SZ"),
            &m.sha256[..12]
        );
        let dest = store.archive_dir().join(&m.academy.urn).join(name);
        copy_original(&ex.source, &dest)?;
        Ok(Some(dest))
    }

    /// The full report of a loaded extract's rejected rows (the load log keeps the
    /// first [`REJECTED_ROWS_KEPT`]): beside the quarantined extracts' reports.
    fn report_rejections(
        &self,
        outcome: &LoadOutcome,
        started_at: DateTime<Utc>,
    ) -> Result<Option<PathBuf>, LoadError> {
        let Some(store) = &self.store else {
            return Ok(None);
        };
        if outcome.rejected_rows.is_empty() {
            return Ok(None);
        }
        let dir = store.quarantine_dir();
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!(
            "{}_{}.report.txt",
            started_at.format("%Y%m%dT%H%M%S%.3fZ"),
            source_name(&outcome.source)
        ));
        std::fs::write(&path, outcome.report_text())?;
        Ok(Some(path))
    }

    /// Records a load whose write failed (the transaction is rolled back): a load-log
    /// row with status `failed` and the error, in a transaction of its own.
    fn failed(
        &self,
        conn: &Connection,
        mut outcome: LoadOutcome,
        m: &Manifest,
        error: String,
        started: Instant,
        started_at: DateTime<Utc>,
    ) -> Result<LoadOutcome, LoadError> {
        tracing::error!(source = %outcome.source.display(), %error, "load failed");
        outcome.status = Status::Failed;
        outcome.reason = Some(format!("the warehouse write failed: {error}"));
        outcome.counts = LoadCounts::default();
        outcome.duration = started.elapsed();
        conn.execute_batch("BEGIN TRANSACTION")?;
        match log_load(
            conn,
            &outcome,
            m,
            "failed",
            outcome.archived_as.as_deref(),
            started_at,
        ) {
            Ok(id) => {
                conn.execute_batch("COMMIT")?;
                outcome.load_id = Some(id);
                Ok(outcome)
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                Err(e.into())
            }
        }
    }

    fn reject(
        &self,
        conn: &Connection,
        mut outcome: LoadOutcome,
        ex: Option<&Extract>,
        fault: FileFault,
        started: Instant,
        started_at: DateTime<Utc>,
    ) -> Result<LoadOutcome, LoadError> {
        outcome.status = Status::Rejected;
        outcome.reason = Some(fault.to_string());
        outcome.duration = started.elapsed();
        if let Some(store) = &self.store {
            let stamp = started_at.format("%Y%m%dT%H%M%S%.3fZ");
            let base = source_name(&outcome.source);
            let dest = store.quarantine_dir().join(format!("{stamp}_{base}"));
            if outcome.source.exists() {
                copy_original(&outcome.source, &dest)?;
            }
            std::fs::write(
                store
                    .quarantine_dir()
                    .join(format!("{stamp}_{base}.report.txt")),
                outcome.report_text(),
            )?;
            outcome.archived_as = Some(dest);
        }
        conn.execute_batch("BEGIN TRANSACTION")?;
        let logged = log_load(
            conn,
            &outcome,
            ex.map(|e| &e.manifest).unwrap_or(&placeholder_manifest()),
            "rejected",
            outcome.archived_as.as_deref(),
            started_at,
        );
        match logged {
            Ok(id) => {
                conn.execute_batch("COMMIT")?;
                outcome.load_id = Some(id);
            }
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e.into());
            }
        }
        Ok(outcome)
    }
}

/// Runs one step of a load, and logs how long it took at debug level
/// (`RUST_LOG=queries::loader=debug`): where a night's load spends its time.
fn step<T, E>(name: &'static str, f: impl FnOnce() -> Result<T, E>) -> Result<T, E> {
    let started = Instant::now();
    let out = f();
    tracing::debug!(
        step = name,
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "load step"
    );
    out
}

/// The file or folder name an extract came as.
fn source_name(source: &Path) -> String {
    source
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "extract".into())
}

/// Stands in for the manifest of an extract whose manifest could not be read.
fn placeholder_manifest() -> Manifest {
    Manifest {
        academy: extract::ManifestAcademy {
            urn: String::new(),
            name: String::new(),
            phase: String::new(),
            local_authority: String::new(),
        },
        extracted_at: DateTime::<Utc>::MIN_UTC,
        source_system: None,
        marks_from: NaiveDate::MIN,
        marks_to: NaiveDate::MIN,
        files: Default::default(),
        sha256: String::new(),
    }
}

/// Copies an extract as it came (a zip file or a folder of files).
fn copy_original(source: &Path, dest: &Path) -> std::io::Result<()> {
    if let Some(parent) = dest.parent() {
        std::fs::create_dir_all(parent)?;
    }
    if source.is_dir() {
        std::fs::create_dir_all(dest)?;
        for entry in std::fs::read_dir(source)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                std::fs::copy(entry.path(), dest.join(entry.file_name()))?;
            }
        }
    } else {
        let dest = match source.extension() {
            Some(ext) => dest.with_extension(ext),
            None => dest.to_path_buf(),
        };
        std::fs::copy(source, dest)?;
    }
    Ok(())
}

fn already_loaded(conn: &Connection, m: &Manifest) -> Result<Option<u64>, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT load_id FROM loads WHERE status = 'loaded' AND urn = ? AND manifest_sha256 = ?
         ORDER BY load_id LIMIT 1",
    )?;
    let mut rows = stmt.query(params![m.academy.urn, m.sha256])?;
    Ok(match rows.next()? {
        Some(r) => Some(r.get(0)?),
        None => None,
    })
}

/// An extract is stale when one extracted at the same time or later, for the same
/// academy and an overlapping window, is already loaded.
fn stale(conn: &Connection, m: &Manifest) -> Result<Option<FileFault>, duckdb::Error> {
    let mut stmt = conn.prepare(
        "SELECT load_id, extracted_at::VARCHAR FROM loads
         WHERE status = 'loaded' AND urn = ? AND extracted_at >= ?
           AND marks_from <= ? AND marks_to >= ?
         ORDER BY extracted_at DESC LIMIT 1",
    )?;
    let mut rows = stmt.query(params![
        m.academy.urn,
        m.extracted_at.naive_utc(),
        m.marks_to,
        m.marks_from
    ])?;
    Ok(match rows.next()? {
        Some(r) => {
            let id: u64 = r.get(0)?;
            let at: String = r.get(1)?;
            Some(FileFault::new(
                "manifest.json",
                format!(
                    "stale extract: extracted_at {} is not newer than load #{id} ({at} UTC) for an overlapping window",
                    m.extracted_at.format("%Y-%m-%dT%H:%M:%SZ")
                ),
            ))
        }
        None => None,
    })
}

fn over_limit(files: &[FileSummary], limit_percent: f64) -> Option<FileFault> {
    files.iter().find_map(|f| {
        let share = if f.rows == 0 {
            0.0
        } else {
            f.rejected as f64 * 100.0 / f.rows as f64
        };
        (f.rejected > 0 && share > limit_percent).then(|| {
            FileFault::new(
                &f.file,
                format!(
                    "{} of {} rows rejected ({share:.2}%), more than the {limit_percent}% limit",
                    f.rejected, f.rows
                ),
            )
        })
    })
}

fn days(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

/// Writes a validated extract inside the caller's transaction; the academy's id.
fn write(
    conn: &Connection,
    ex: &Extract,
    parsed: &Parsed,
    outcome: &mut LoadOutcome,
) -> Result<u16, duckdb::Error> {
    let m = &ex.manifest;
    let academy_id = upsert_academy(conn, m)?;
    step("stage pupils", || stage_pupils(conn, parsed, m))?;
    step("note what days hang on", || {
        note_what_days_hang_on(conn, academy_id)
    })?;
    let at = m.extracted_at.naive_utc();
    // Attributes come from the newest extract that named the pupil.
    conn.execute(
        "UPDATE pupils SET upn = s.upn, surname = s.surname, forename = s.forename,
             date_of_birth = s.date_of_birth, sex = s.sex, nc_year = s.nc_year,
             year_group_year = s.year_group_year, entry_date = s.entry_date,
             leaving_date = s.leaving_date, sen_provision = s.sen_provision, fsm = s.fsm,
             eal = s.eal, ethnicity = s.ethnicity, looked_after = s.looked_after,
             attributes_at = ?
         FROM stage_pupils s
         WHERE pupils.academy_id = ? AND pupils.pupil_id = s.pupil_id
           AND pupils.attributes_at <= ?",
        params![at, academy_id, at],
    )?;
    let inserted = conn.execute(
        "INSERT INTO pupils
         SELECT nextval('pupil_key_seq'), ?, s.pupil_id, s.upn, s.surname, s.forename,
                s.date_of_birth, s.sex, s.nc_year, s.year_group_year, s.entry_date,
                s.leaving_date, s.sen_provision, s.fsm, s.eal, s.ethnicity, s.looked_after, ?
         FROM stage_pupils s
         WHERE NOT EXISTS (SELECT 1 FROM pupils p WHERE p.academy_id = ? AND p.pupil_id = s.pupil_id)
         ORDER BY s.idx",
        params![academy_id, at, academy_id],
    )?;
    tracing::debug!(inserted, "new enrolments");
    outcome.counts.pupils_loaded = parsed.pupils.len() as u64;

    step("spells", || merge_spells(conn, parsed, academy_id, at))?;
    stage_held(conn, parsed)?;

    step("stage marks", || stage_marks(conn, parsed))?;
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE held_pupil_keys (pupil_key UINTEGER, pupil_id VARCHAR);
         CREATE OR REPLACE TEMP TABLE held_mark_keys (pupil_key UINTEGER, pupil_id VARCHAR,
             date DATE, session UTINYINT);",
    )?;
    conn.execute(
        "INSERT INTO held_pupil_keys
         SELECT DISTINCT p.pupil_key, p.pupil_id
         FROM stage_held h JOIN pupils p ON p.academy_id = ? AND p.pupil_id = h.pupil_id
         WHERE h.session IS NULL",
        params![academy_id],
    )?;
    conn.execute(
        "INSERT INTO held_mark_keys
         SELECT DISTINCT p.pupil_key, p.pupil_id, h.date, h.session
         FROM stage_held h JOIN pupils p ON p.academy_id = ? AND p.pupil_id = h.pupil_id
         WHERE h.session IS NOT NULL
           AND NOT EXISTS (SELECT 1 FROM stage_marks s JOIN stage_pupils sp ON sp.idx = s.idx
                           WHERE sp.pupil_id = h.pupil_id AND s.date = h.date
                             AND s.session = h.session)",
        params![academy_id],
    )?;
    // The extract is authoritative for its window: marks there are exactly its marks,
    // plus those held over for its rejected rows (a rejected row never removes what it
    // would have replaced).
    let started = Instant::now();
    outcome.counts.marks_replaced = conn.execute(
        "DELETE FROM marks
         WHERE academy_id = ? AND date BETWEEN ? AND ?
           AND pupil_key NOT IN (SELECT pupil_key FROM held_pupil_keys)
           AND NOT EXISTS (SELECT 1 FROM held_mark_keys h
                           WHERE h.pupil_key = marks.pupil_key AND h.date = marks.date
                             AND h.session = marks.session)",
        params![academy_id, m.marks_from, m.marks_to],
    )? as u64;
    outcome.counts.marks_held = conn.query_row(
        "SELECT count(*) FROM marks WHERE academy_id = ? AND date BETWEEN ? AND ?",
        params![academy_id, m.marks_from, m.marks_to],
        |r| r.get(0),
    )?;
    outcome.counts.marks_loaded = conn.execute(
        "INSERT INTO marks
         SELECT ?, p.pupil_key, s.date, s.session, s.code::mark_code, s.minutes_late
         FROM stage_marks s
         JOIN stage_pupils sp ON sp.idx = s.idx
         JOIN pupils p ON p.academy_id = ? AND p.pupil_id = sp.pupil_id
         ORDER BY s.date, p.pupil_key, s.session",
        params![academy_id, academy_id],
    )? as u64;
    tracing::debug!(
        step = "marks",
        ms = started.elapsed().as_secs_f64() * 1000.0,
        "load step"
    );

    refresh_day_figures(conn, academy_id, m.marks_from, m.marks_to)?;

    if let Some(ap) = &parsed.ap {
        let columns = "idx UINTEGER, provider VARCHAR, provider_urn VARCHAR,
            arranged_by VARCHAR, start_date DATE, end_date DATE, sessions_per_week UTINYINT,
            last_contact_date DATE";
        let (table, held) = ("ap_placements", &parsed.ap_held);
        replace_pupil_records(conn, academy_id, table, held, columns, |app| {
            for r in ap {
                app.append_row(params![
                    r.pupil,
                    r.provider,
                    r.provider_urn,
                    r.arranged_by,
                    r.start_date,
                    r.end_date,
                    r.sessions_per_week,
                    r.last_contact_date
                ])?;
            }
            Ok(())
        })?;
    }
    if let Some(rt) = &parsed.rt {
        let columns = "idx UINTEGER, start_date DATE, planned_end_date DATE,
            next_review_date DATE, end_date DATE, sessions_per_week UTINYINT, reason VARCHAR,
            parents_agreed BOOLEAN, la_notified BOOLEAN";
        let (table, held) = ("reduced_timetables", &parsed.rt_held);
        replace_pupil_records(conn, academy_id, table, held, columns, |app| {
            for r in rt {
                app.append_row(params![
                    r.pupil,
                    r.start_date,
                    r.planned_end_date,
                    r.next_review_date,
                    r.end_date,
                    r.sessions_per_week,
                    r.reason,
                    r.parents_agreed,
                    r.la_notified
                ])?;
            }
            Ok(())
        })?;
    }
    Ok(academy_id)
}

/// What every day row of an enrolment hangs on besides its marks: the date of birth (the
/// DfE scope) and the spells (on roll or not), per enrolment of `academy_id`.
const DAYS_HANG_ON: &str = "SELECT p.pupil_key, p.date_of_birth,
        (SELECT list((s.entry_date, s.leaving_date) ORDER BY s.entry_date)
         FROM spells s WHERE s.pupil_key = p.pupil_key) AS spells
    FROM pupils p WHERE p.academy_id = ?";

/// Notes, before an extract changes them, what the academy's day rows hang on besides
/// the marks ([`DAYS_HANG_ON`]), for [`refresh_day_figures`].
fn note_what_days_hang_on(conn: &Connection, academy_id: u16) -> Result<(), duckdb::Error> {
    conn.execute(
        &format!("CREATE OR REPLACE TEMP TABLE days_hung_on AS {DAYS_HANG_ON}"),
        params![academy_id],
    )?;
    Ok(())
}

/// Brings the figures kept per day (migrations 0009, 0010) up to date with what this
/// extract wrote, inside its transaction: the academy's rows in the extract's window
/// (where its marks changed) and every row of each enrolment it added or whose date of
/// birth or spells it changed, deleted and made again from the marks.
fn refresh_day_figures(
    conn: &Connection,
    academy_id: u16,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(), duckdb::Error> {
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE refresh_pupils (pupil_key UINTEGER, new BOOLEAN)",
    )?;
    // A new enrolment has marks in the window only, but may have been on roll (and so
    // unmarked) before it; one that changed, on any day.
    conn.execute(
        &format!(
            "INSERT INTO refresh_pupils
             SELECT cur.pupil_key, prev.pupil_key IS NULL FROM ({DAYS_HANG_ON}) cur
             LEFT JOIN days_hung_on prev ON prev.pupil_key = cur.pupil_key
             WHERE prev.pupil_key IS NULL
                OR cur.date_of_birth IS DISTINCT FROM prev.date_of_birth
                OR cur.spells IS DISTINCT FROM prev.spells"
        ),
        params![academy_id],
    )?;
    let (new, changed): (i64, i64) = conn.query_row(
        "SELECT count(*) FILTER (WHERE new), count(*) FILTER (WHERE NOT new) FROM refresh_pupils",
        [],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    // What to remake: the window's rows (a date range, which reaches the scans of marks
    // and days beneath each table's macro), then, only when there are any, the rows of
    // the enrolments outside it that need it. One condition joining the two with OR
    // would keep the range from the scans: every night would remake the academy's years.
    let in_window = "academy_id = $1 AND date BETWEEN $2 AND $3";
    // A new enrolment has no marks outside the window (this extract wrote its first),
    // so no day rows there; one that changed may have.
    let changed_outside = "academy_id = $1 AND NOT (date BETWEEN $2 AND $3)
                   AND pupil_key IN (SELECT pupil_key FROM refresh_pupils WHERE NOT new)";
    // Either may have been on roll, unmarked, on days outside the window.
    let any_outside = "academy_id = $1 AND NOT (date BETWEEN $2 AND $3)
                   AND pupil_key IN (SELECT pupil_key FROM refresh_pupils)";
    let whole = |part| ("", part);
    let days_parts: &[(&str, &str)] = if changed > 0 {
        &[whole(in_window), whole(changed_outside)]
    } else {
        &[whole(in_window)]
    };
    // Registers not taken are made by a macro that reads only the academy's marks of
    // the days it makes (`academy_unmarked_sessions`, migration 0011).
    let unmarked_window = ("academy_unmarked_sessions($1, $2, $3)", in_window);
    let unmarked_outside = (
        "academy_unmarked_sessions($1, DATE '0001-01-01', DATE '9999-12-31')",
        any_outside,
    );
    let unmarked_parts: &[(&str, &str)] = if new + changed > 0 {
        &[unmarked_window, unmarked_outside]
    } else {
        &[unmarked_window]
    };
    let window = params![academy_id, from, to];
    // Each part: its rows deleted, then made again from `source` (the table's
    // `{table}_from_marks($1)` when empty), filtered by the part.
    let remake = |table: &'static str, order: &str, parts: &[(&str, &str)]| {
        step(table, || {
            for (source, part) in parts {
                let source = if source.is_empty() {
                    format!("{table}_from_marks($1)")
                } else {
                    source.to_string()
                };
                conn.execute(&format!("DELETE FROM {table} WHERE {part}"), window)?;
                conn.execute(
                    &format!(
                        "INSERT INTO {table}
                         SELECT * FROM {source} WHERE {part} ORDER BY {order}"
                    ),
                    window,
                )?;
            }
            Ok(())
        })
    };
    remake("enrolment_days", "date, pupil_key", days_parts)?;
    // An academy's days hang on its marks alone: the window's.
    remake("academy_days", "date", &[whole(in_window)])?;
    // After academy_days: the days registers were taken are read from it.
    remake(
        "unmarked_sessions",
        "date, session, pupil_key",
        unmarked_parts,
    )
}

/// Replaces the academy's rows of a per-pupil record table (`ap_placements`,
/// `reduced_timetables`) with the extract's, which `fill` stages with `columns`: `idx`
/// (the pupil's index in `stage_pupils`), then the table's columns after `academy_id`
/// and `pupil_key`, by name. Pupils with a rejected row in the file (`held`) or in
/// pupils.csv keep the rows they had, and get none of the extract's.
fn replace_pupil_records(
    conn: &Connection,
    academy_id: u16,
    table: &str,
    held: &HashSet<String>,
    columns: &str,
    fill: impl FnOnce(&mut Appender<'_>) -> Result<(), duckdb::Error>,
) -> Result<(), duckdb::Error> {
    stage(conn, "stage_records", columns, fill)?;
    stage_ids(conn, "stage_kept", held.iter())?;
    conn.execute(
        &format!(
            "DELETE FROM {table}
             WHERE academy_id = ?
               AND pupil_key NOT IN (SELECT pupil_key FROM held_pupil_keys)
               AND pupil_key NOT IN (SELECT p.pupil_key FROM pupils p JOIN stage_kept k
                                     ON p.academy_id = ? AND p.pupil_id = k.pupil_id)"
        ),
        params![academy_id, academy_id],
    )?;
    conn.execute(
        &format!(
            "INSERT INTO {table} BY NAME
             SELECT ? AS academy_id, p.pupil_key, s.* EXCLUDE (idx)
             FROM stage_records s JOIN stage_pupils sp ON sp.idx = s.idx
             JOIN pupils p ON p.academy_id = ? AND p.pupil_id = sp.pupil_id
             WHERE sp.pupil_id NOT IN (SELECT pupil_id FROM stage_kept)"
        ),
        params![academy_id, academy_id],
    )?;
    conn.execute_batch("DROP TABLE stage_records")
}

/// Lists what this load held over (`held_over`) until a later extract sends a good row:
/// a session's row goes when an extract restates its date, a pupil's when a good
/// pupils.csv row for the pupil arrives. Then drops the load's staging tables.
fn record_held(
    conn: &Connection,
    m: &Manifest,
    academy_id: u16,
    load_id: u64,
) -> Result<(), duckdb::Error> {
    conn.execute(
        "DELETE FROM held_over
         WHERE academy_id = ? AND session IS NOT NULL AND date_from BETWEEN ? AND ?",
        params![academy_id, m.marks_from, m.marks_to],
    )?;
    // A pupil's row goes when a good row for the pupil arrives, when the pupil is held
    // again (listed afresh below), or when this window restates all it held.
    conn.execute(
        "DELETE FROM held_over
         WHERE academy_id = ? AND session IS NULL
           AND (pupil_id IN (SELECT pupil_id FROM stage_pupils
                             UNION ALL SELECT pupil_id FROM held_pupil_keys)
                OR (date_from >= ? AND date_to <= ?))",
        params![academy_id, m.marks_from, m.marks_to],
    )?;
    conn.execute(
        "INSERT INTO held_over
         SELECT ?, k.pupil_id, ?, ?, NULL,
                (SELECT count(*) FROM marks m
                 WHERE m.pupil_key = k.pupil_key AND m.date BETWEEN ? AND ?),
                ?, h.file, h.line, h.column_name, h.value, h.reason
         FROM held_pupil_keys k
         JOIN stage_held h ON h.pupil_id = k.pupil_id AND h.session IS NULL",
        params![
            academy_id,
            m.marks_from,
            m.marks_to,
            m.marks_from,
            m.marks_to,
            load_id
        ],
    )?;
    conn.execute(
        "INSERT INTO held_over
         SELECT ?, k.pupil_id, k.date, k.date, k.session, 1,
                ?, h.file, h.line, h.column_name, h.value, h.reason
         FROM held_mark_keys k
         JOIN stage_held h ON h.pupil_id = k.pupil_id AND h.date = k.date
             AND h.session = k.session
         WHERE EXISTS (SELECT 1 FROM marks m WHERE m.pupil_key = k.pupil_key
                       AND m.date = k.date AND m.session = k.session)
         -- One row per session: the first rejected row that named it.
         QUALIFY row_number() OVER (PARTITION BY k.pupil_id, k.date, k.session
                                    ORDER BY h.line) = 1",
        params![academy_id, load_id],
    )?;
    conn.execute_batch(
        "DROP TABLE stage_marks; DROP TABLE stage_pupils; DROP TABLE stage_spells;
         DROP TABLE stage_held; DROP TABLE held_pupil_keys; DROP TABLE held_mark_keys;
         DROP TABLE IF EXISTS stage_kept;",
    )
}

/// A temporary table `name (pupil_id VARCHAR)` holding `ids`.
fn stage_ids<'i>(
    conn: &Connection,
    name: &str,
    ids: impl Iterator<Item = &'i String>,
) -> Result<(), duckdb::Error> {
    stage(conn, name, "pupil_id VARCHAR", |app| {
        for id in ids {
            app.append_row(params![id])?;
        }
        Ok(())
    })
}

/// Makes the temp table `name` afresh with `columns` (as CREATE TABLE lists them), and
/// fills it by `fill` through an appender.
fn stage(
    conn: &Connection,
    name: &str,
    columns: &str,
    fill: impl FnOnce(&mut Appender<'_>) -> Result<(), duckdb::Error>,
) -> Result<(), duckdb::Error> {
    conn.execute_batch(&format!("CREATE OR REPLACE TEMP TABLE {name} ({columns})"))?;
    let mut app = conn.appender_to_catalog_and_db(name, "temp", "main")?;
    fill(&mut app)?;
    app.flush()
}

/// The spells of every pupil this extract is the newest word on: each spell listed
/// replaces the known spells it overlaps (a correction of the same spell); spells it
/// does not touch are kept (a re-admitted pupil's earlier spell).
fn merge_spells(
    conn: &Connection,
    parsed: &Parsed,
    academy_id: u16,
    at: chrono::NaiveDateTime,
) -> Result<(), duckdb::Error> {
    let columns = "pupil_id VARCHAR, entry_date DATE, leaving_date DATE";
    stage(conn, "stage_spells", columns, |app| {
        for p in &parsed.pupils {
            for s in &p.spells {
                app.append_row(params![p.pupil_id, s.entry_date, s.leaving_date])?;
            }
        }
        Ok(())
    })?;
    conn.execute(
        "DELETE FROM spells
         WHERE EXISTS (
             SELECT 1 FROM stage_spells s
             JOIN pupils p ON p.academy_id = ? AND p.pupil_id = s.pupil_id
             WHERE p.pupil_key = spells.pupil_key AND p.attributes_at = ?
               AND s.entry_date <= coalesce(spells.leaving_date, DATE '9999-12-31')
               AND spells.entry_date <= coalesce(s.leaving_date, DATE '9999-12-31'))",
        params![academy_id, at],
    )?;
    // Every spell listed goes in where this extract is the newest word on the pupil;
    // an older extract (a newer one already spoke) still adds a spell that no known spell
    // overlaps: an earlier spell loaded late is not lost.
    conn.execute(
        "INSERT INTO spells
         SELECT p.pupil_key, s.entry_date, s.leaving_date
         FROM stage_spells s
         JOIN pupils p ON p.academy_id = ? AND p.pupil_id = s.pupil_id
         WHERE p.attributes_at = ?
            OR NOT EXISTS (
               SELECT 1 FROM spells k
               WHERE k.pupil_key = p.pupil_key
                 AND s.entry_date <= coalesce(k.leaving_date, DATE '9999-12-31')
                 AND k.entry_date <= coalesce(s.leaving_date, DATE '9999-12-31'))",
        params![academy_id, at],
    )?;
    Ok(())
}

/// What this extract's rejected rows hold over: `held_pupil_keys` (pupils whose
/// pupils.csv row was rejected and who are known from before) and `held_mark_keys`
/// (sessions whose marks.csv row was rejected, unless a good row for the same session
/// came too).
fn stage_held(conn: &Connection, parsed: &Parsed) -> Result<(), duckdb::Error> {
    let columns = "pupil_id VARCHAR, date DATE, session UTINYINT, file VARCHAR,
        line UBIGINT, column_name VARCHAR, value VARCHAR, reason VARCHAR";
    stage(conn, "stage_held", columns, |app| {
        for h in &parsed.held_pupils {
            let f = &h.fault;
            app.append_row(params![
                h.pupil_id,
                None::<NaiveDate>,
                None::<u8>,
                f.file,
                f.line,
                f.column,
                f.value,
                f.reason
            ])?;
        }
        for h in &parsed.held_marks {
            let f = &h.fault;
            app.append_row(params![
                h.pupil_id, h.date, h.session, f.file, f.line, f.column, f.value, f.reason
            ])?;
        }
        Ok(())
    })
}

fn upsert_academy(conn: &Connection, m: &Manifest) -> Result<u16, duckdb::Error> {
    let a = &m.academy;
    let existing: Option<u16> = {
        let mut stmt = conn.prepare("SELECT academy_id FROM academies WHERE urn = ?")?;
        let mut rows = stmt.query(params![a.urn])?;
        match rows.next()? {
            Some(r) => Some(r.get(0)?),
            None => None,
        }
    };
    let at = m.extracted_at.naive_utc();
    match existing {
        Some(id) => {
            conn.execute(
                "UPDATE academies SET name = ?, phase = ?, local_authority = ?,
                     source_system = ?, updated_at = ?
                 WHERE academy_id = ? AND updated_at <= ?",
                params![
                    a.name,
                    a.phase,
                    a.local_authority,
                    m.source_system,
                    at,
                    id,
                    at
                ],
            )?;
            Ok(id)
        }
        None => {
            let id: u16 = conn.query_row(
                "SELECT coalesce(max(academy_id), 0) + 1 FROM academies",
                [],
                |r| r.get(0),
            )?;
            conn.execute(
                "INSERT INTO academies VALUES (?, ?, ?, ?, ?, ?, ?)",
                params![
                    id,
                    a.urn,
                    a.name,
                    a.phase,
                    a.local_authority,
                    m.source_system,
                    at
                ],
            )?;
            Ok(id)
        }
    }
}

fn stage_pupils(conn: &Connection, parsed: &Parsed, m: &Manifest) -> Result<(), duckdb::Error> {
    let columns = "idx UINTEGER, pupil_id VARCHAR, upn VARCHAR, surname VARCHAR,
        forename VARCHAR, date_of_birth DATE, sex VARCHAR, nc_year TINYINT,
        year_group_year SMALLINT, entry_date DATE, leaving_date DATE, sen_provision VARCHAR,
        fsm BOOLEAN, eal BOOLEAN, ethnicity VARCHAR, looked_after BOOLEAN";
    // The year group is the NC year on the extract date.
    let yg_year = academic_year(m.extracted_at.date_naive()) as i16;
    stage(conn, "stage_pupils", columns, |app| {
        for (i, p) in parsed.pupils.iter().enumerate() {
            let d = &p.details;
            app.append_row(params![
                i as u32,
                p.pupil_id,
                p.upn,
                p.surname,
                p.forename,
                d.date_of_birth,
                d.sex,
                p.nc_year,
                yg_year,
                d.entry_date,
                d.leaving_date,
                d.sen_provision,
                d.fsm,
                d.eal,
                d.ethnicity,
                d.looked_after
            ])?;
        }
        Ok(())
    })
}

fn stage_marks(conn: &Connection, parsed: &Parsed) -> Result<(), duckdb::Error> {
    let columns = "idx UINTEGER, date DATE, session UTINYINT, code VARCHAR,
        minutes_late USMALLINT";
    let schema = Arc::new(Schema::new(vec![
        Field::new("idx", DataType::UInt32, false),
        Field::new("date", DataType::Date32, false),
        Field::new("session", DataType::UInt8, false),
        Field::new("code", DataType::Utf8, false),
        Field::new("minutes_late", DataType::UInt16, true),
    ]));
    let marks = &parsed.marks;
    stage(conn, "stage_marks", columns, |app| {
        let mut start = 0;
        while start < marks.len() {
            let end = (start + BATCH_ROWS).min(marks.len());
            let arrays: Vec<ArrayRef> = vec![
                Arc::new(UInt32Array::from(marks.pupil[start..end].to_vec())),
                Arc::new(Date32Array::from(
                    marks.date[start..end]
                        .iter()
                        .map(|d| days(*d))
                        .collect::<Vec<_>>(),
                )),
                Arc::new(UInt8Array::from(marks.session[start..end].to_vec())),
                Arc::new(StringArray::from(marks.code[start..end].to_vec())),
                Arc::new(UInt16Array::from(marks.minutes_late[start..end].to_vec())),
            ];
            let batch = RecordBatch::try_new(schema.clone(), arrays)
                .map_err(|e| duckdb::Error::ToSqlConversionFailure(Box::new(e)))?;
            app.append_record_batch(batch)?;
            start = end;
        }
        Ok(())
    })
}

fn log_load(
    conn: &Connection,
    o: &LoadOutcome,
    m: &Manifest,
    status: &str,
    archived_as: Option<&Path>,
    started_at: DateTime<Utc>,
) -> Result<u64, duckdb::Error> {
    let known = !m.sha256.is_empty();
    let load_id: u64 = conn.query_row("SELECT nextval('load_id_seq')", [], |r| r.get(0))?;
    conn.execute(
        "INSERT INTO loads VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        params![
            load_id,
            known.then(|| m.academy.urn.clone()),
            known.then(|| m.academy.name.clone()),
            o.source.display().to_string(),
            archived_as.map(|p| p.display().to_string()),
            known.then(|| m.sha256.clone()),
            known.then(|| m.extracted_at.naive_utc()),
            known.then_some(m.marks_from),
            known.then_some(m.marks_to),
            m.source_system,
            status,
            o.reason,
            o.counts.pupils_loaded,
            o.counts.marks_loaded,
            o.rows_loaded(),
            o.rows_rejected(),
            started_at.naive_utc(),
            o.duration.as_millis() as u64,
            o.counts.marks_held,
        ],
    )?;
    let mut app = conn.appender("rejected_rows")?;
    for r in o.rejected_rows.iter().take(REJECTED_ROWS_KEPT) {
        app.append_row(params![
            load_id, r.file, r.line, r.column, r.value, r.reason
        ])?;
    }
    app.flush()?;
    Ok(load_id)
}
