//! The lake: the warehouse as Parquet tables that Spark, Trino or DuckDB read, for one
//! trust or for many trusts side by side (docs/scaling.md).
//!
//! ```text
//! LAKE/current -> snapshots/00000007          the snapshot readers read (a symlink)
//! LAKE/snapshots/00000007/_manifest.json      every file of the snapshot, written last
//! LAKE/snapshots/00000007/marks/academic_year=2025/<source>-<fingerprint>.parquet
//! LAKE/snapshots/00000007/pupils/<source>-<fingerprint>.parquet
//! LAKE/snapshots/00000007/codes/shared-<fingerprint>.parquet
//! ```
//!
//! - **Stable keys.** Every row about a pupil carries `urn` and `pupil_ref`, a keyed hash
//!   (HMAC-SHA-256) of the URN and the MIS's pupil id under the trust's own lake key
//!   ([`Source`]): the same pupil has the same reference in every export, two trusts'
//!   rows never share one, and the MIS id itself is not in the files. A spell is
//!   (`urn`, `pupil_ref`, `entry_date`). No warehouse counter leaves the warehouse.
//! - **A directory per table**; `marks` and `calendar` partitioned by academic year
//!   (Hive style, `academic_year=YYYY`), marks sorted by academy, pupil, date and
//!   session. Each trust ("source") writes one file per table and partition, named by
//!   its source id, so trusts share a lake without touching each other's files. `codes`
//!   and `academic_years` are the same for everyone: one shared file each.
//! - **Incremental.** Each file's name carries a fingerprint of its rows. An export
//!   compares each partition's fingerprint with the current snapshot's and writes only
//!   the partitions that changed; the rest are hard links to the files already there.
//! - **Atomic.** A snapshot is built in a hidden folder, its manifest written last, then
//!   renamed into place and published by swapping the `current` symlink (a rename).
//!   A reader that resolves `current` once ([`Snapshot::current`]) reads one complete
//!   snapshot however long it takes; the newest [`KEEP`] snapshots are kept.
//!   Exports into one lake take turns (a lock file).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};

use duckdb::Connection;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::query_all;

/// What `_manifest.json` says it is.
pub const FORMAT: &str = "rollcall-lake/1";
/// Snapshots kept: the current one and the two before it, for readers still on them...
pub const KEEP: usize = 3;
/// ...and any published less than this long ago, however many exports came since.
pub const RETAIN: std::time::Duration = std::time::Duration::from_secs(15 * 60);
const MANIFEST: &str = "_manifest.json";

#[derive(Debug, thiserror::Error)]
pub enum LakeError {
    #[error("{path}: {message}")]
    Io { path: PathBuf, message: String },
    #[error("{path}: not a snapshot of a Rollcall lake: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error(
        "academy {urn} is in the lake as {trust}'s (source {writer}): an academy belongs to one \
         writer; if that writer is gone (a lost key), retire it first: \
         `rollcall export --retire {writer}` (docs/scaling.md)"
    )]
    Claimed {
        urn: String,
        trust: String,
        writer: String,
    },
    #[error("writing the lake: {0}")]
    Duck(#[from] duckdb::Error),
}

/// Takes the lake's lock (`LAKE/.lock`): writers take turns.
fn lock(lake: &Path) -> Result<File, LakeError> {
    let path = lake.join(".lock");
    let mut options = fs::OpenOptions::new();
    options.create(true).truncate(false).write(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o640);
    let file = options.open(&path).map_err(io(&path))?;
    file.lock().map_err(io(&path))?;
    Ok(file)
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> LakeError + '_ {
    move |e| LakeError::Io {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// A trust as a writer of the lake: its key for pupil references, and the id its files
/// are named by (derived from the key, so it cannot collide with another trust's).
pub struct Source {
    key: [u8; 32],
    pub id: String,
    pub trust: String,
}

impl Source {
    /// The key kept at `path` (64 hex digits, readable by its owner only), made on first use.
    pub fn load_or_create(path: &Path, trust: &str) -> Result<Source, LakeError> {
        let key = match fs::read_to_string(path) {
            Ok(text) => {
                let bytes = hex::decode(text.trim()).ok().filter(|b| b.len() == 32);
                bytes.ok_or_else(|| LakeError::Io {
                    path: path.to_path_buf(),
                    message: "not a lake key (64 hex digits)".into(),
                })?
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let mut key = [0u8; 32];
                rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut key);
                if let Some(dir) = path.parent() {
                    fs::create_dir_all(dir).map_err(io(dir))?;
                }
                let mut options = fs::OpenOptions::new();
                options.write(true).create_new(true);
                #[cfg(unix)]
                std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
                let mut file = options.open(path).map_err(io(path))?;
                writeln!(file, "{}", hex::encode(key)).map_err(io(path))?;
                file.sync_all().map_err(io(path))?;
                key.to_vec()
            }
            Err(e) => return Err(io(path)(e)),
        };
        Ok(Source::from_key(key.try_into().expect("32 bytes"), trust))
    }

    pub fn from_key(key: [u8; 32], trust: &str) -> Source {
        let id =
            hex::encode(&Sha256::digest([b"rollcall-lake-source:".as_slice(), &key].concat())[..6]);
        Source {
            key,
            id,
            trust: trust.to_string(),
        }
    }

    /// The pupil's reference in the lake: 32 hex digits of HMAC-SHA-256(key, URN, pupil id).
    pub fn pupil_ref(&self, urn: &str, pupil_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.key).expect("any key length");
        mac.update(urn.as_bytes());
        mac.update(&[0x1f]);
        mac.update(pupil_id.as_bytes());
        hex::encode(&mac.finalize().into_bytes()[..16])
    }
}

/// One file of a snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct FileEntry {
    pub table: String,
    /// Relative to the snapshot folder.
    pub path: String,
    /// The writer's source id, or `shared`.
    pub source: String,
    /// `academic_year=YYYY` for a partitioned table.
    pub partition: Option<String>,
    pub rows: u64,
    pub bytes: u64,
    pub fingerprint: String,
}

/// A writer's last export into the snapshot.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct SourceEntry {
    pub trust: String,
    pub exported_at: String,
    pub academies: Vec<String>,
}

/// `_manifest.json`: everything a snapshot holds.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub snapshot: u64,
    pub created_at: String,
    pub sources: BTreeMap<String, SourceEntry>,
    pub files: Vec<FileEntry>,
}

/// A published snapshot: its folder and manifest.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

impl Snapshot {
    /// The snapshot `LAKE/current` points to now (None for a lake not written yet).
    /// Resolved once: the folder stays the same snapshot even if an export publishes
    /// another while it is read.
    pub fn current(lake: &Path) -> Result<Option<Snapshot>, LakeError> {
        let link = lake.join("current");
        let target = match fs::read_link(&link) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io(&link)(e)),
        };
        let dir = lake.join(target);
        Snapshot::at(&dir).map(Some)
    }

    /// The snapshot in `dir` (a folder under `LAKE/snapshots`).
    pub fn at(dir: &Path) -> Result<Snapshot, LakeError> {
        let path = dir.join(MANIFEST);
        let text = fs::read_to_string(&path).map_err(io(&path))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| LakeError::Manifest {
            path: path.clone(),
            message: e.to_string(),
        })?;
        if manifest.format != FORMAT {
            return Err(LakeError::Manifest {
                path,
                message: format!("format {:?}, not {FORMAT:?}", manifest.format),
            });
        }
        Ok(Snapshot {
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// Rows of `table` in the snapshot, as its manifest counts them.
    pub fn rows(&self, table: &str) -> u64 {
        self.manifest
            .files
            .iter()
            .filter(|f| f.table == table)
            .map(|f| f.rows)
            .sum()
    }

    /// Views named as the lake's tables over this snapshot's files, for DuckDB.
    pub fn attach(&self, conn: &Connection) -> Result<(), LakeError> {
        for table in TABLES {
            let files: Vec<&FileEntry> = self
                .manifest
                .files
                .iter()
                .filter(|f| f.table == table.name)
                .collect();
            if files.is_empty() {
                // Not in this snapshot: no view left over from another one.
                conn.execute_batch(&format!("DROP VIEW IF EXISTS {}", table.name))?;
                continue;
            }
            let list = files
                .iter()
                .map(|f| literal(&self.dir.join(&f.path)))
                .collect::<Result<Vec<_>, _>>()?
                .join(", ");
            let source = if table.by_year {
                format!(
                    "read_parquet([{list}], hive_partitioning = true, \
                     hive_types = {{'academic_year': INTEGER}}, union_by_name = true)"
                )
            } else {
                // Trusts with and without identifiers write pupils with other columns.
                format!("read_parquet([{list}], union_by_name = true)")
            };
            conn.execute_batch(&format!(
                "CREATE OR REPLACE VIEW {} AS SELECT * FROM {source}",
                table.name
            ))?;
        }
        // The sessions the portable queries read, over those views.
        if self.rows("marks") > 0 {
            conn.execute_batch(&format!(
                "CREATE OR REPLACE VIEW possible_sessions AS {POSSIBLE_SESSIONS}"
            ))?;
        } else {
            conn.execute_batch("DROP VIEW IF EXISTS possible_sessions")?;
        }
        Ok(())
    }
}

/// A path as an SQL string literal. `COPY ... TO` and `read_parquet` of a list take no
/// bound parameter, so this is where a path is quoted into SQL: the lake's own files,
/// with quotes doubled.
fn literal(path: &Path) -> Result<String, LakeError> {
    let s = path.to_str().ok_or_else(|| LakeError::Io {
        path: path.to_path_buf(),
        message: "not valid UTF-8".into(),
    })?;
    Ok(format!("'{}'", s.replace('\'', "''")))
}

/// A table of the lake and the query that writes it ({years} is a partition's
/// `BETWEEN` bounds; `lake_refs` the export's pupil references).
struct Table {
    name: &'static str,
    /// Partitioned by academic year.
    by_year: bool,
    /// One file for every trust (the rules, not the trust's data).
    shared: bool,
    select: &'static str,
    order: &'static str,
}

const TABLES: [Table; 9] = [
    Table {
        name: "marks",
        by_year: true,
        shared: false,
        select: "SELECT r.urn, r.pupil_ref, m.date, CAST(m.session AS INTEGER) AS session, \
                 CAST(m.code AS VARCHAR) AS code, CAST(m.minutes_late AS INTEGER) AS minutes_late \
                 FROM marks m JOIN lake_refs r USING (pupil_key) WHERE m.date {years}",
        // Each pupil's marks together, by date: sorting on the warehouse's integer key
        // takes a fraction of the memory of sorting on the 32-character reference.
        order: "r.urn, m.pupil_key, m.date, m.session",
    },
    Table {
        name: "calendar",
        by_year: true,
        shared: false,
        select: "SELECT a.urn, d.date FROM academy_days d JOIN academies a USING (academy_id) \
                 WHERE d.school_day AND d.date {years}",
        order: "urn, date",
    },
    Table {
        name: "pupils",
        by_year: false,
        shared: false,
        // The academic year of birth, not the date: the DfE scope needs no more
        // (age on 31 August = academic year - birth_academic_year - 1).
        select: "SELECT r.urn, r.pupil_ref, {identifiers} \
                 CAST(academic_year(p.date_of_birth) AS INTEGER) AS birth_academic_year, p.sex, \
                 CAST(p.nc_year AS INTEGER) AS nc_year, \
                 CAST(p.year_group_year AS INTEGER) AS year_group_year, \
                 p.sen_provision, p.fsm, p.eal, p.ethnicity, p.looked_after \
                 FROM pupils p JOIN lake_refs r USING (pupil_key)",
        order: "urn, pupil_ref",
    },
    Table {
        name: "spells",
        by_year: false,
        shared: false,
        select: "SELECT r.urn, r.pupil_ref, s.entry_date, s.leaving_date \
                 FROM spells s JOIN lake_refs r USING (pupil_key)",
        order: "urn, pupil_ref, entry_date",
    },
    Table {
        name: "ap_placements",
        by_year: false,
        shared: false,
        select: "SELECT r.urn, r.pupil_ref, t.provider, t.provider_urn, t.arranged_by, \
                 t.start_date, t.end_date, CAST(t.sessions_per_week AS INTEGER) AS sessions_per_week, \
                 t.last_contact_date FROM ap_placements t JOIN lake_refs r USING (pupil_key)",
        order: "urn, pupil_ref, start_date",
    },
    Table {
        name: "reduced_timetables",
        by_year: false,
        shared: false,
        select: "SELECT r.urn, r.pupil_ref, t.start_date, t.planned_end_date, \
                 t.next_review_date, t.end_date, \
                 CAST(t.sessions_per_week AS INTEGER) AS sessions_per_week, t.reason, \
                 t.parents_agreed, t.la_notified \
                 FROM reduced_timetables t JOIN lake_refs r USING (pupil_key)",
        order: "urn, pupil_ref, start_date",
    },
    Table {
        name: "academies",
        by_year: false,
        shared: false,
        select: "SELECT urn, name, phase, local_authority, source_system FROM academies",
        order: "urn",
    },
    Table {
        name: "codes",
        by_year: false,
        shared: true,
        select: "SELECT CAST(code AS VARCHAR) AS code, category, possible, attending, \
                 authorised, unauthorised, legacy, meaning FROM codes",
        order: "code",
    },
    Table {
        // The DfE scope's dates for every year a lake could hold, from the warehouse's
        // own rule (the `summer_second_half_start` macro): the same file for every trust.
        name: "academic_years",
        by_year: false,
        shared: true,
        select: "SELECT CAST(y AS INTEGER) AS academic_year, \
                 make_date(CAST(y AS INTEGER), 9, 1) AS first_day, \
                 make_date(CAST(y AS INTEGER) + 1, 8, 31) AS last_day, \
                 summer_second_half_start(CAST(y AS INTEGER) + 1) AS summer_second_half_start \
                 FROM range(2000, 2100) t(y)",
        order: "academic_year",
    },
];

const IDENTIFIERS: &str = "p.pupil_id, p.upn, p.surname, p.forename, p.date_of_birth,";

/// What an export did.
#[derive(Debug, Clone, Default)]
pub struct Exported {
    pub snapshot: u64,
    pub dir: PathBuf,
    /// Files written afresh (their partitions changed).
    pub written: Vec<FileEntry>,
    /// Files carried over from the previous snapshot unchanged (hard links).
    pub kept: Vec<FileEntry>,
}

impl Exported {
    /// Rows of `table` this trust has in the snapshot.
    pub fn rows(&self, table: &str) -> u64 {
        self.written
            .iter()
            .chain(&self.kept)
            .filter(|f| f.table == table)
            .map(|f| f.rows)
            .sum()
    }
}

/// Writes the warehouse (`conn`) into the lake at `lake` as `source`, and publishes it as
/// the lake's new current snapshot: other trusts' files carried over, this trust's
/// partitions that did not change kept as they were, the others written afresh. The
/// warehouse is read in one transaction: a load committed meanwhile is in the next.
pub fn export(
    conn: &Connection,
    lake: &Path,
    source: &Source,
    with_identifiers: bool,
) -> Result<Exported, LakeError> {
    let snapshots = lake.join("snapshots");
    make_dir(&snapshots)?;
    let lock = lock(lake)?;
    let previous = Snapshot::current(lake)?;
    let number = previous.as_ref().map_or(0, |s| s.manifest.snapshot) + 1;
    let staging = prepare(&snapshots, number)?;

    conn.execute_batch("BEGIN TRANSACTION")?;
    let built = write_snapshot(conn, previous.as_ref(), &staging, source, with_identifiers);
    match &built {
        Ok(_) => conn.execute_batch("COMMIT")?,
        // The export's own error is the one to report; the transaction only read.
        Err(_) => {
            let _ = conn.execute_batch("ROLLBACK");
        }
    }
    let (files, written, kept, academies) = built?;

    let now = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut sources = previous
        .as_ref()
        .map(|s| s.manifest.sources.clone())
        .unwrap_or_default();
    sources.insert(
        source.id.clone(),
        SourceEntry {
            trust: source.trust.clone(),
            exported_at: now.clone(),
            academies,
        },
    );
    let manifest = Manifest {
        format: FORMAT.to_string(),
        snapshot: number,
        created_at: now,
        sources,
        files,
    };
    let manifest_path = staging.join(MANIFEST);
    write_private(
        &manifest_path,
        serde_json::to_string_pretty(&manifest)
            .expect("serialisable")
            .as_bytes(),
    )?;
    sync_folders(&staging)?;

    let dir = snapshots.join(format!("{number:08}"));
    publish(lake, &staging, &dir, number)?;
    collect_garbage(&snapshots)?;
    drop(lock);
    Ok(Exported {
        snapshot: number,
        dir,
        written,
        kept,
    })
}

/// Publishes a snapshot without `writer`'s files: a writer that is gone (a trust that
/// lost its lake key, and exports again under a new one). Returns the snapshot's number.
pub fn retire(lake: &Path, writer: &str) -> Result<u64, LakeError> {
    let snapshots = lake.join("snapshots");
    let current = Snapshot::current(lake)?;
    if current.is_none() {
        return Err(LakeError::Io {
            path: lake.to_path_buf(),
            message: "no lake here (no current snapshot)".into(),
        });
    }
    let lock = lock(lake)?;
    let current = Snapshot::current(lake)?;
    let Some(previous) = current.filter(|s| s.manifest.sources.contains_key(writer)) else {
        return Err(LakeError::Io {
            path: lake.to_path_buf(),
            message: format!("no writer {writer} in the current snapshot"),
        });
    };
    let number = previous.manifest.snapshot + 1;
    let staging = prepare(&snapshots, number)?;
    let mut manifest = previous.manifest.clone();
    manifest.files.retain(|f| f.source != writer);
    manifest.sources.remove(writer);
    for f in &manifest.files {
        link(&previous, &staging, f)?;
    }
    manifest.snapshot = number;
    manifest.created_at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    write_private(
        &staging.join(MANIFEST),
        serde_json::to_string_pretty(&manifest)
            .expect("serialisable")
            .as_bytes(),
    )?;
    sync_folders(&staging)?;
    publish(
        lake,
        &staging,
        &snapshots.join(format!("{number:08}")),
        number,
    )?;
    collect_garbage(&snapshots)?;
    drop(lock);
    Ok(number)
}

/// What [`write_snapshot`] made: every file of the snapshot, those written, those kept,
/// and the trust's academies.
type Built = (Vec<FileEntry>, Vec<FileEntry>, Vec<FileEntry>, Vec<String>);

/// Fills `staging` with the snapshot's files, reading the warehouse in the caller's
/// transaction.
fn write_snapshot(
    conn: &Connection,
    previous: Option<&Snapshot>,
    staging: &Path,
    source: &Source,
    with_identifiers: bool,
) -> Result<Built, LakeError> {
    let academies: Vec<String> =
        query_all(conn, "SELECT urn FROM academies ORDER BY urn", [], |r| {
            r.get(0)
        })?;
    let before: Vec<FileEntry> = previous
        .map(|s| s.manifest.files.clone())
        .unwrap_or_default();
    if let Some(previous) = previous {
        for (id, other) in &previous.manifest.sources {
            if let Some(urn) = other
                .academies
                .iter()
                .find(|u| *id != source.id && academies.contains(u))
            {
                return Err(LakeError::Claimed {
                    urn: urn.clone(),
                    trust: other.trust.clone(),
                    writer: id.clone(),
                });
            }
        }
    }
    pupil_refs(conn, source)?;
    let years: Vec<i32> = query_all(
        conn,
        "SELECT DISTINCT academic_year(date) FROM academy_days ORDER BY 1",
        [],
        |r| r.get(0),
    )?;

    // Other trusts' files, as they are.
    let (mut files, mut written, mut kept) = (Vec::new(), Vec::new(), Vec::new());
    for f in &before {
        if f.source != source.id && f.source != "shared" {
            link(previous.expect("files come from it"), staging, f)?;
            files.push(f.clone());
        }
    }

    for table in &TABLES {
        let partitions: Vec<Option<i32>> = if table.by_year {
            years.iter().copied().map(Some).collect()
        } else {
            vec![None]
        };
        let owner = if table.shared { "shared" } else { &source.id };
        for year in partitions {
            let select = table
                .select
                .replace(
                    "{identifiers}",
                    if with_identifiers { IDENTIFIERS } else { "" },
                )
                .replace(
                    "{years}",
                    &year.map_or(String::new(), |y| {
                        format!("BETWEEN DATE '{y}-09-01' AND DATE '{}-08-31'", y + 1)
                    }),
                );
            let (rows, sum): (i64, String) = conn.query_row(
                &format!(
                    "SELECT count(*), CAST(coalesce(sum(hash(x)), 0) AS VARCHAR) FROM ({select}) x"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )?;
            if year.is_some() && rows == 0 {
                continue;
            }
            let fingerprint =
                hex::encode(&Sha256::digest(format!("{select}\n{rows}\n{sum}").as_bytes())[..8]);
            let partition = year.map(|y| format!("academic_year={y}"));
            let folder = match &partition {
                Some(p) => format!("{}/{p}", table.name),
                None => table.name.to_string(),
            };
            let path = format!("{folder}/{owner}-{fingerprint}.parquet");
            let same = before.iter().find(|f| {
                f.table == table.name
                    && f.source == owner
                    && f.partition == partition
                    && f.fingerprint == fingerprint
            });
            if let Some(f) = same {
                link(previous.expect("found in it"), staging, f)?;
                files.push(f.clone());
                kept.push(f.clone());
                continue;
            }
            let target = staging.join(&path);
            make_dir(target.parent().expect("in a folder"))?;
            conn.execute_batch(&format!(
                "COPY ({select} ORDER BY {}) TO {} (FORMAT parquet, COMPRESSION zstd, \
                 ROW_GROUP_SIZE 1048576)",
                table.order,
                literal(&target)?
            ))?;
            let bytes = seal(&target)?;
            let entry = FileEntry {
                table: table.name.to_string(),
                path,
                source: owner.to_string(),
                partition,
                rows: rows as u64,
                bytes,
                fingerprint,
            };
            files.push(entry.clone());
            written.push(entry);
        }
    }
    conn.execute_batch("DROP TABLE IF EXISTS lake_refs")?;
    Ok((files, written, kept, academies))
}

/// Clears what exports that died left (never published, so nobody reads it: staging
/// folders, and a snapshot renamed into place whose `current` swap never happened) and
/// makes the staging folder of snapshot `number`. Called under the lock.
fn prepare(snapshots: &Path, number: u64) -> Result<PathBuf, LakeError> {
    for entry in fs::read_dir(snapshots).map_err(io(snapshots))? {
        let path = entry.map_err(io(snapshots))?.path();
        let name = path.file_name().unwrap_or_default().to_string_lossy();
        let unpublished =
            name.ends_with(".partial") || name.parse::<u64>().is_ok_and(|n| n >= number);
        if unpublished {
            fs::remove_dir_all(&path).map_err(io(&path))?;
        }
    }
    let staging = snapshots.join(format!(".{number:08}.partial"));
    make_dir(&staging)?;
    Ok(staging)
}

/// A folder of the lake (and its parents), readable by its owner and group only.
fn make_dir(dir: &Path) -> Result<(), LakeError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o750);
    builder.create(dir).map_err(io(dir))
}

/// A file just written: owner and group only, on disk before the snapshot is published.
/// Returns its size.
fn seal(path: &Path) -> Result<u64, LakeError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o640)).map_err(io(path))?;
    }
    let file = File::open(path).map_err(io(path))?;
    file.sync_all().map_err(io(path))?;
    Ok(file.metadata().map_err(io(path))?.len())
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<(), LakeError> {
    let mut file = File::create(path).map_err(io(path))?;
    file.write_all(bytes).map_err(io(path))?;
    drop(file);
    seal(path).map(|_| ())
}

/// Syncs every folder under `dir` (and `dir`): the names of the files in them are on
/// disk before the snapshot is published.
fn sync_folders(dir: &Path) -> Result<(), LakeError> {
    for entry in fs::read_dir(dir).map_err(io(dir))? {
        let path = entry.map_err(io(dir))?.path();
        if path.is_dir() {
            sync_folders(&path)?;
        }
    }
    File::open(dir).and_then(|f| f.sync_all()).map_err(io(dir))
}

/// The names of the published snapshot folders, oldest first.
fn numbered(snapshots: &Path) -> Result<Vec<String>, LakeError> {
    let mut names = Vec::new();
    for entry in fs::read_dir(snapshots).map_err(io(snapshots))? {
        let name = entry.map_err(io(snapshots))?.file_name();
        let name = name.to_string_lossy();
        if name.len() == 8 && name.chars().all(|c| c.is_ascii_digit()) {
            names.push(name.into_owned());
        }
    }
    names.sort();
    Ok(names)
}

/// Every pupil's reference, computed here (HMAC in Rust, the same as any other writer
/// of this trust's lake computes it), into a temporary table of this connection.
fn pupil_refs(conn: &Connection, source: &Source) -> Result<(), LakeError> {
    let pupils: Vec<(i64, String, String)> = query_all(
        conn,
        "SELECT CAST(p.pupil_key AS BIGINT), a.urn, p.pupil_id \
         FROM pupils p JOIN academies a USING (academy_id)",
        [],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    conn.execute_batch(
        "CREATE OR REPLACE TEMP TABLE lake_refs \
         (pupil_key UINTEGER PRIMARY KEY, urn VARCHAR NOT NULL, pupil_ref VARCHAR NOT NULL)",
    )?;
    let mut appender = conn.appender("lake_refs")?;
    for (key, urn, pupil_id) in pupils {
        let pupil_ref = source.pupil_ref(&urn, &pupil_id);
        appender.append_row(duckdb::params![key, urn, pupil_ref])?;
    }
    appender.flush()?;
    Ok(())
}

/// `f` of the previous snapshot, into the one being built (same file, no copy).
fn link(previous: &Snapshot, staging: &Path, f: &FileEntry) -> Result<(), LakeError> {
    let to = staging.join(&f.path);
    make_dir(to.parent().expect("in a folder"))?;
    fs::hard_link(previous.dir.join(&f.path), &to).map_err(io(&to))
}

/// Moves the finished snapshot into place and points `current` at it, each step a
/// rename: a reader sees the previous snapshot or this one, never part of one.
fn publish(lake: &Path, staging: &Path, dir: &Path, number: u64) -> Result<(), LakeError> {
    fs::rename(staging, dir).map_err(io(dir))?;
    let next = lake.join(".current.partial");
    let _ = fs::remove_file(&next);
    std::os::unix::fs::symlink(format!("snapshots/{number:08}"), &next).map_err(io(&next))?;
    let current = lake.join("current");
    fs::rename(&next, &current).map_err(io(&current))?;
    // The renames themselves survive a crash once the folders are synced.
    for folder in [lake, &lake.join("snapshots")] {
        File::open(folder)
            .and_then(|f| f.sync_all())
            .map_err(io(folder))?;
    }
    Ok(())
}

/// Deletes snapshots older than the newest [`KEEP`] that stopped being current more
/// than [`RETAIN`] ago (when the next one was published). Their files live on in newer
/// snapshots where still current: hard links.
fn collect_garbage(snapshots: &Path) -> Result<(), LakeError> {
    let names = numbered(snapshots)?;
    let old = names.len().saturating_sub(KEEP);
    for pair in names.windows(2).take(old) {
        let published = |name: &String| {
            fs::metadata(snapshots.join(name))
                .and_then(|m| m.modified())
                .ok()
                .and_then(|t| t.elapsed().ok())
        };
        if published(&pair[1]).is_some_and(|since| since >= RETAIN) {
            let dir = snapshots.join(&pair[0]);
            fs::remove_dir_all(&dir).map_err(io(&dir))?;
        }
    }
    Ok(())
}

/// A portable query of `queries/sql/portable/`: its name (the file's, without `.sql`),
/// its text, and how many label columns come before its seven counts.
pub struct Portable {
    pub name: &'static str,
    pub sql: &'static str,
    pub labels: usize,
}

/// The view `possible_sessions` both portable queries read: every possible session on
/// roll, with its academic year and whether it is in DfE's scope.
pub const POSSIBLE_SESSIONS: &str = include_str!("../sql/portable/possible_sessions.sql");

/// Every portable query: the headline figures by academy, and by pupil characteristic.
pub const PORTABLE: [Portable; 2] = [
    Portable {
        name: "figures_by_academy",
        sql: include_str!("../sql/portable/figures_by_academy.sql"),
        labels: 1,
    },
    Portable {
        name: "figures_by_cohort",
        sql: include_str!("../sql/portable/figures_by_cohort.sql"),
        labels: 3,
    },
];

/// A row of a portable query: its labels (the URN; or dimension, URN and group) and its
/// counts (enrolments, possible, attending, authorised, unauthorised, PA, SA).
pub type PortableRow = (Vec<String>, [u64; 7]);

/// The academic years (by the year they start) that `from`..`to` touches: the
/// portable queries' partition filter.
pub fn years_of(from: chrono::NaiveDate, to: chrono::NaiveDate) -> (i32, i32) {
    (
        crate::calendar::academic_year(from),
        crate::calendar::academic_year(to),
    )
}

impl Portable {
    /// Runs the query over whatever tables `conn` has under the lake's names and the
    /// [`POSSIBLE_SESSIONS`] view over them ([`Snapshot::attach`] makes both), with its
    /// parameters bound in order.
    pub fn run(
        &self,
        conn: &Connection,
        from: chrono::NaiveDate,
        to: chrono::NaiveDate,
        dfe: bool,
    ) -> Result<Vec<PortableRow>, duckdb::Error> {
        let (first, last) = years_of(from, to);
        query_all(
            conn,
            self.sql,
            duckdb::params![from, to, first, last, dfe],
            |r| {
                let labels = (0..self.labels)
                    .map(|i| r.get::<_, String>(i))
                    .collect::<Result<Vec<_>, _>>()?;
                let mut counts = [0u64; 7];
                for (i, c) in counts.iter_mut().enumerate() {
                    *c = r.get::<_, i64>(self.labels + i)? as u64;
                }
                Ok((labels, counts))
            },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pupil_reference_is_stable_and_the_trusts_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("data/lake.key");
        let first = Source::load_or_create(&path, "Trust").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let again = Source::load_or_create(&path, "Trust").unwrap();
        let r = first.pupil_ref("140101", "P0001");
        assert_eq!(r, again.pupil_ref("140101", "P0001"));
        assert_eq!(first.id, again.id);
        assert_eq!(r.len(), 32);
        // Another academy, another pupil, another trust's key: another reference.
        assert_ne!(r, first.pupil_ref("140102", "P0001"));
        assert_ne!(r, first.pupil_ref("140101", "P0002"));
        // The separator keeps ("14010", "1P0001") apart from ("140101", "P0001").
        assert_ne!(r, first.pupil_ref("14010", "1P0001"));
        let other = Source::from_key([1; 32], "Other");
        assert_ne!(r, other.pupil_ref("140101", "P0001"));
        assert_ne!(first.id, other.id);
        // Not the MIS id, nor a plain hash of it.
        assert!(!r.contains("P0001"));
        assert_ne!(r, hex::encode(&Sha256::digest(b"140101\x1fP0001")[..16]));

        fs::write(&path, "not a key").unwrap();
        let e = Source::load_or_create(&path, "Trust").err().unwrap();
        assert!(e.to_string().contains("not a lake key"), "{e}");
    }
}
