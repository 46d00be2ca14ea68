//! Reading one nightly extract (a folder, or a `.zip` of that folder) into memory and
//! checking it at file level (../shared/extract-format.md): the manifest, the files it
//! lists, their row counts and SHA-256 hashes. Nothing is written anywhere: zip entries
//! are read into memory, never extracted, so no entry can land outside its folder.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use sha2::{Digest, Sha256};

pub const FORMAT: &str = "attendance-extract/1";
pub const PHASES: &[&str] = &[
    "primary",
    "secondary",
    "all-through",
    "special",
    "alternative-provision",
];
pub const PUPILS: &str = "pupils.csv";
pub const MARKS: &str = "marks.csv";
pub const AP_PLACEMENTS: &str = "ap_placements.csv";
pub const REDUCED_TIMETABLES: &str = "reduced_timetables.csv";
/// Past actions on pupils' cases, from the MIS (`crate::interventions`).
pub const INTERVENTIONS: &str = "interventions.csv";
const KNOWN_FILES: &[&str] = &[
    PUPILS,
    MARKS,
    AP_PLACEMENTS,
    REDUCED_TIMETABLES,
    INTERVENTIONS,
];
/// How much of a zip is read before it is refused (zip bombs): an extract is a
/// manifest and four CSV files, the largest (a year of a big secondary's marks) some
/// tens of MB. Sizes are what the entries inflate to, counted as they inflate (a zip's
/// own size fields may lie), and no entry is inflated past its limit.
pub const MAX_ZIP_ENTRIES: usize = 64;
/// The most one file may inflate to.
pub const MAX_ENTRY_BYTES: u64 = 512 << 20;
/// The most all of a zip's files together may inflate to.
pub const MAX_ZIP_BYTES: u64 = 1 << 30;
/// The most a manifest may be.
const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// A fault that rejects the whole extract.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct FileFault {
    pub file: String,
    pub message: String,
}

impl FileFault {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> Self {
        FileFault {
            file: file.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestAcademy {
    pub urn: String,
    pub name: String,
    pub phase: String,
    pub local_authority: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ManifestFile {
    pub rows: u64,
    pub sha256: String,
}

#[derive(Debug, Clone, Deserialize)]
struct RawManifest {
    format: String,
    academy: ManifestAcademy,
    extracted_at: String,
    source_system: Option<String>,
    marks_from: String,
    marks_to: String,
    files: BTreeMap<String, ManifestFile>,
}

/// A checked manifest.
#[derive(Debug, Clone)]
pub struct Manifest {
    pub academy: ManifestAcademy,
    pub extracted_at: DateTime<Utc>,
    pub source_system: Option<String>,
    pub marks_from: NaiveDate,
    pub marks_to: NaiveDate,
    pub files: BTreeMap<String, ManifestFile>,
    /// SHA-256 of manifest.json as received: identifies the extract's content.
    pub sha256: String,
}

/// An extract read into memory, its files checked against the manifest.
#[derive(Debug)]
pub struct Extract {
    pub source: PathBuf,
    pub manifest: Manifest,
    /// Each listed CSV file's bytes as received.
    pub files: BTreeMap<String, Vec<u8>>,
    /// Files in the extract that the manifest does not list (ignored, reported).
    pub unlisted: Vec<String>,
}

/// Reads the raw files of an extract, from a folder or a zip.
pub fn read_raw(source: &Path) -> Result<BTreeMap<String, Vec<u8>>, FileFault> {
    let shown = source.display().to_string();
    if source.is_dir() {
        let mut files = BTreeMap::new();
        let entries =
            std::fs::read_dir(source).map_err(|e| FileFault::new(&shown, e.to_string()))?;
        for entry in entries {
            let entry = entry.map_err(|e| FileFault::new(&shown, e.to_string()))?;
            let path = entry.path();
            if !path.is_file() {
                continue;
            }
            let name = entry.file_name().to_string_lossy().to_string();
            let bytes = std::fs::read(&path).map_err(|e| FileFault::new(&name, e.to_string()))?;
            files.insert(name, bytes);
        }
        Ok(files)
    } else if source.is_file() {
        read_zip(source)
    } else {
        Err(FileFault::new(shown, "no such file or folder"))
    }
}

fn read_zip(source: &Path) -> Result<BTreeMap<String, Vec<u8>>, FileFault> {
    // Only what the loader reads is kept; the rest is counted and dropped.
    read_zip_keeping(source, &|name| {
        name == "manifest.json" || KNOWN_FILES.contains(&name)
    })
}

/// Checks a zip against the limits without keeping more than its manifest: every entry
/// is inflated (into nothing) only as far as its limit. The manifest's JSON.
pub fn check_zip(source: &Path) -> Result<serde_json::Value, FileFault> {
    let files = read_zip_keeping(source, &|name| name == "manifest.json")?;
    let manifest = files
        .get("manifest.json")
        .ok_or_else(|| FileFault::new("manifest.json", "missing"))?;
    serde_json::from_slice(manifest)
        .map_err(|e| FileFault::new("manifest.json", format!("not readable JSON: {e}")))
}

/// Reads a zip's extract files into memory, those that `keep` names; the others are
/// inflated into nothing, to count them against [`MAX_ZIP_BYTES`].
fn read_zip_keeping(
    source: &Path,
    keep: &dyn Fn(&str) -> bool,
) -> Result<BTreeMap<String, Vec<u8>>, FileFault> {
    let shown = source.display().to_string();
    let file = std::fs::File::open(source).map_err(|e| FileFault::new(&shown, e.to_string()))?;
    let mut archive = zip::ZipArchive::new(file)
        .map_err(|e| FileFault::new(&shown, format!("not a readable zip: {e}")))?;
    if archive.len() > MAX_ZIP_ENTRIES {
        return Err(FileFault::new(
            &shown,
            format!(
                "{} entries; an extract has at most {MAX_ZIP_ENTRIES}",
                archive.len()
            ),
        ));
    }
    let too_big = |name: &str, what: String| FileFault::new(name, format!("{what}; refused"));
    // The sizes the zip declares, before anything is inflated.
    let declared: u64 = (0..archive.len())
        .filter_map(|i| archive.by_index_raw(i).ok().map(|e| e.size()))
        .try_fold(0u64, |sum, n| sum.checked_add(n))
        .unwrap_or(u64::MAX);
    if declared > MAX_ZIP_BYTES {
        return Err(too_big(
            &shown,
            format!("its files would inflate to {declared} bytes, more than {MAX_ZIP_BYTES}"),
        ));
    }
    let mut files = BTreeMap::new();
    let mut inflated = 0u64;
    for i in 0..archive.len() {
        let mut entry = archive
            .by_index(i)
            .map_err(|e| FileFault::new(&shown, format!("zip entry {i}: {e}")))?;
        let raw_name = entry.name().to_string();
        if entry.is_dir() {
            continue;
        }
        // enclosed_name refuses absolute paths and any `..` that climbs out.
        let Some(path) = entry.enclosed_name() else {
            return Err(FileFault::new(
                &shown,
                format!("zip entry \"{raw_name}\" points outside its folder; refused"),
            ));
        };
        if entry.size() > MAX_ENTRY_BYTES {
            return Err(too_big(
                &raw_name,
                format!("{} bytes, more than {MAX_ENTRY_BYTES}", entry.size()),
            ));
        }
        // The extract's files sit at the top or inside one folder.
        let parts: Vec<_> = path.components().collect();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let wanted = parts.len() <= 2 && keep(&name);
        let limit = if name == "manifest.json" {
            MAX_MANIFEST_BYTES
        } else {
            MAX_ENTRY_BYTES
        }
        .min(MAX_ZIP_BYTES - inflated);
        let entry_size = entry.size();
        let mut reader = entry.by_ref().take(limit + 1);
        let read =
            |e: std::io::Error| FileFault::new(&raw_name, format!("cannot read from zip: {e}"));
        let (n, bytes) = if wanted {
            // Sized from the entry (within its limit), so the buffer does not double past it.
            let mut bytes = Vec::with_capacity(entry_size.min(limit) as usize);
            reader.read_to_end(&mut bytes).map_err(read)?;
            (bytes.len() as u64, Some(bytes))
        } else {
            (
                std::io::copy(&mut reader, &mut std::io::sink()).map_err(read)?,
                None,
            )
        };
        if n > limit {
            return Err(too_big(
                &raw_name,
                format!(
                    "inflates past {limit} bytes (its zip entry says {})",
                    entry.size()
                ),
            ));
        }
        inflated += n;
        if let Some(bytes) = bytes {
            if files.insert(name.clone(), bytes).is_some() {
                return Err(FileFault::new(
                    &shown,
                    format!("zip holds {name} more than once"),
                ));
            }
        }
    }
    Ok(files)
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Parses `YYYY-MM-DD` or `DD/MM/YYYY`.
pub fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .ok()
        .filter(|_| s.len() == 10)
        .or_else(|| {
            NaiveDate::parse_from_str(s, "%d/%m/%Y")
                .ok()
                .filter(|_| s.len() == 10)
        })
}

fn parse_manifest(bytes: &[u8]) -> Result<Manifest, FileFault> {
    let fault = |m: String| FileFault::new("manifest.json", m);
    let raw: RawManifest =
        serde_json::from_slice(bytes).map_err(|e| fault(format!("not a valid manifest: {e}")))?;
    if raw.format != FORMAT {
        return Err(fault(format!(
            "format \"{}\" is not one this loader reads (expected \"{FORMAT}\")",
            raw.format
        )));
    }
    let urn = raw.academy.urn.trim();
    if urn.len() != 6 || !urn.chars().all(|c| c.is_ascii_digit()) {
        return Err(fault(format!(
            "academy.urn \"{}\" is not a 6-digit URN",
            raw.academy.urn
        )));
    }
    if raw.academy.name.trim().is_empty() {
        return Err(fault("academy.name is empty".into()));
    }
    if !PHASES.contains(&raw.academy.phase.as_str()) {
        return Err(fault(format!(
            "academy.phase \"{}\" is not one of {}",
            raw.academy.phase,
            PHASES.join(", ")
        )));
    }
    let extracted_at = DateTime::parse_from_rfc3339(&raw.extracted_at)
        .map_err(|_| {
            fault(format!(
                "extracted_at \"{}\" is not an RFC 3339 time",
                raw.extracted_at
            ))
        })?
        .with_timezone(&Utc);
    let marks_from = NaiveDate::parse_from_str(&raw.marks_from, "%Y-%m-%d")
        .map_err(|_| fault(format!("marks_from \"{}\" is not a date", raw.marks_from)))?;
    let marks_to = NaiveDate::parse_from_str(&raw.marks_to, "%Y-%m-%d")
        .map_err(|_| fault(format!("marks_to \"{}\" is not a date", raw.marks_to)))?;
    if marks_to < marks_from {
        return Err(fault(format!(
            "the window {marks_from} to {marks_to} is not a date range"
        )));
    }
    for required in [PUPILS, MARKS] {
        if !raw.files.contains_key(required) {
            return Err(fault(format!("files does not list {required}")));
        }
    }
    Ok(Manifest {
        academy: ManifestAcademy {
            urn: urn.to_string(),
            ..raw.academy
        },
        extracted_at,
        source_system: raw.source_system,
        marks_from,
        marks_to,
        files: raw.files,
        sha256: sha256_hex(bytes),
    })
}

/// Counts a CSV file's data rows (records after the header).
pub fn count_rows(bytes: &[u8]) -> u64 {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .from_reader(bytes);
    let mut record = csv::ByteRecord::new();
    let mut n = 0;
    while reader.read_byte_record(&mut record).unwrap_or(false) {
        n += 1;
    }
    n
}

/// Reads an extract and checks it at file level.
pub fn read(source: &Path) -> Result<Extract, FileFault> {
    let mut raw = read_raw(source)?;
    let manifest_bytes = raw
        .remove("manifest.json")
        .ok_or_else(|| FileFault::new("manifest.json", "missing"))?;
    let manifest = parse_manifest(&manifest_bytes)?;
    let mut files = BTreeMap::new();
    for (name, listed) in &manifest.files {
        if !KNOWN_FILES.contains(&name.as_str()) {
            // A later format version may add files; version 1 ignores them.
            continue;
        }
        let bytes = raw
            .remove(name)
            .ok_or_else(|| FileFault::new(name, "listed in the manifest but missing"))?;
        let hash = sha256_hex(&bytes);
        if !hash.eq_ignore_ascii_case(listed.sha256.trim()) {
            return Err(FileFault::new(
                name,
                format!(
                    "SHA-256 {hash} differs from the manifest's {} (broken transfer)",
                    listed.sha256
                ),
            ));
        }
        let rows = count_rows(&bytes);
        if rows != listed.rows {
            return Err(FileFault::new(
                name,
                format!(
                    "{rows} data rows, the manifest says {} (broken transfer)",
                    listed.rows
                ),
            ));
        }
        files.insert(name.clone(), bytes);
    }
    let unlisted = raw.into_keys().collect();
    Ok(Extract {
        source: source.to_path_buf(),
        manifest,
        files,
        unlisted,
    })
}

/// Decodes a CSV file: UTF-8 (with or without a byte-order mark) or, failing that,
/// Windows-1252 as Excel and SIMS write it.
pub fn decode(bytes: &[u8]) -> (std::borrow::Cow<'_, str>, &'static str) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(body) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), "UTF-8"),
        Err(_) => {
            let (text, _, _) = encoding_rs::WINDOWS_1252.decode(body);
            (text, "Windows-1252")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_both_accepted_forms() {
        let d = NaiveDate::from_ymd_opt(2025, 3, 4).unwrap();
        assert_eq!(parse_date("2025-03-04"), Some(d));
        assert_eq!(parse_date("04/03/2025"), Some(d));
        assert_eq!(parse_date("4/3/2025"), None);
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("03/04/25"), None);
        assert_eq!(parse_date(""), None);
    }

    #[test]
    fn decodes_bom_utf8_and_windows_1252() {
        let (t, enc) = decode(b"\xEF\xBB\xBFname\nZo\xC3\xAB\n");
        assert_eq!((t.as_ref(), enc), ("name\nZo\u{eb}\n", "UTF-8"));
        let (t, enc) = decode(b"name\nZo\xEB\n");
        assert_eq!((t.as_ref(), enc), ("name\nZo\u{eb}\n", "Windows-1252"));
    }

    #[test]
    fn counts_rows_with_quoted_newlines_and_crlf() {
        assert_eq!(count_rows(b"a,b\r\n1,\"x\r\ny\"\r\n2,z\r\n"), 2);
        assert_eq!(count_rows(b"a,b\n"), 0);
    }
}
