//! The demo-trust generator: writes a deterministic trust as nightly extracts in the
//! format of extract-format.md (version 1), streamed to disk with bounded memory.
//!
//! Layout: one folder per extract, `OUT/YYYYMMDD-URN/`, named by the night it was
//! taken, so that loading the folders in name order loads them in the order they came.
//! Completed academic years come as one full-year extract each; the current year as a
//! series of nightly year-to-date extracts in which later nights correct earlier codes
//! (`N` becoming `I`, `M`, `O`, ...), as real registers do.

pub mod calendar;
pub mod marks;
pub mod trust;

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{Duration, NaiveDate};
use sha2::{Digest, Sha256};

use calendar::{academic_year, DayKind, SchoolYear};
use trust::{AcademySpec, Pupil};

/// What to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub seed: u64,
    pub academies: usize,
    /// Pupils on roll at any one time, about.
    pub pupils: usize,
    /// Academic years, the current one included.
    pub years: usize,
    /// The last night of the series (the current year's data runs to here).
    pub as_of: NaiveDate,
    /// Nightly year-to-date extracts in the current year.
    pub nights: usize,
}

impl SeedOptions {
    /// The default demo trust: 8 academies, about 6,000 pupils, three years.
    pub fn demo(as_of: NaiveDate) -> SeedOptions {
        SeedOptions {
            seed: 20_240_904,
            academies: 8,
            pupils: 6_000,
            years: 3,
            as_of,
            nights: 5,
        }
    }

    /// Parses `academies=60,pupils=50000,years=3` (any subset) over these options.
    pub fn apply_scale(&mut self, scale: &str) -> Result<(), String> {
        for part in scale.split(',').filter(|p| !p.trim().is_empty()) {
            let (key, value) = part
                .split_once('=')
                .ok_or_else(|| format!("\"{part}\" is not key=value"))?;
            let n: usize = value
                .trim()
                .parse()
                .map_err(|_| format!("{key}: \"{value}\" is not a whole number"))?;
            match key.trim() {
                "academies" if n >= 1 => self.academies = n,
                "pupils" if n >= 10 => self.pupils = n,
                "years" if (1..=10).contains(&n) => self.years = n,
                "nights" if (1..=30).contains(&n) => self.nights = n,
                other => return Err(format!("{other}={n} is not a scale this generator takes")),
            }
        }
        Ok(())
    }
}

/// What was written.
#[derive(Debug, Clone, Default)]
pub struct SeedSummary {
    pub extracts: Vec<PathBuf>,
    pub pupils: u64,
    pub mark_rows: u64,
    pub bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
}

/// A file writer that hashes and counts lines as it goes.
struct HashingWriter {
    path: PathBuf,
    out: BufWriter<File>,
    hasher: Sha256,
    lines: u64,
    bytes: u64,
}

impl HashingWriter {
    fn create(path: PathBuf) -> Result<Self, SeedError> {
        let file = File::create(&path).map_err(|source| SeedError::Io {
            path: path.display().to_string(),
            source,
        })?;
        Ok(HashingWriter {
            path,
            out: BufWriter::with_capacity(1 << 20, file),
            hasher: Sha256::new(),
            lines: 0,
            bytes: 0,
        })
    }

    fn line(&mut self, text: &str) -> Result<(), SeedError> {
        self.hasher.update(text.as_bytes());
        self.hasher.update(b"\n");
        self.lines += 1;
        self.bytes += text.len() as u64 + 1;
        let path = &self.path;
        self.out
            .write_all(text.as_bytes())
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|source| SeedError::Io {
                path: path.display().to_string(),
                source,
            })
    }

    /// Flushes; returns (data rows, sha256, bytes).
    fn finish(mut self) -> Result<(u64, String, u64), SeedError> {
        self.out.flush().map_err(|source| SeedError::Io {
            path: self.path.display().to_string(),
            source,
        })?;
        Ok((
            self.lines.saturating_sub(1),
            hex::encode(self.hasher.finalize()),
            self.bytes,
        ))
    }
}

/// The year group an NC year is written as in pupils.csv: N1, N2, R, then 1 to 13.
pub fn year_group(nc: i32) -> String {
    match nc {
        -2 => "N1".into(),
        -1 => "N2".into(),
        0 => "R".into(),
        n => n.to_string(),
    }
}

fn yn(b: bool) -> &'static str {
    if b {
        "Y"
    } else {
        "N"
    }
}

fn opt_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.to_string()).unwrap_or_default()
}

/// One extract to write: an academy, a window and the night it was taken.
struct ExtractPlan {
    window: (NaiveDate, NaiveDate),
    /// The night of the extract: marks up to here, codes as known then.
    night: NaiveDate,
    year: i32,
}

/// Writes the trust. `progress` hears about each extract written.
pub fn generate(
    opts: &SeedOptions,
    out: &Path,
    progress: &mut dyn FnMut(&Path, usize, usize),
) -> Result<SeedSummary, SeedError> {
    std::fs::create_dir_all(out).map_err(|source| SeedError::Io {
        path: out.display().to_string(),
        source,
    })?;
    let current = academic_year(opts.as_of);
    let first = current - opts.years as i32 + 1;
    let specs = trust::academies(opts.academies, opts.pupils, opts.seed);
    let mut plans = Vec::new();
    for year in first..current {
        let cal = SchoolYear::new(year);
        plans.push(ExtractPlan {
            window: cal.window(),
            night: cal.last_day(),
            year,
        });
    }
    let cal = SchoolYear::new(current);
    let school_days: Vec<NaiveDate> = cal
        .open_days()
        .into_iter()
        .filter(|(d, k)| *k == DayKind::School && *d <= opts.as_of)
        .map(|(d, _)| d)
        .collect();
    let nights = &school_days[school_days.len().saturating_sub(opts.nights)..];
    for night in nights {
        plans.push(ExtractPlan {
            window: (cal.window().0, *night),
            night: *night,
            year: current,
        });
    }
    let total = specs.len() * plans.len();
    let mut summary = SeedSummary::default();
    let mut done = 0;
    for spec in &specs {
        let pupils = trust::pupils(spec, first, current, opts.as_of, opts.seed);
        summary.pupils += pupils.len() as u64;
        for plan in &plans {
            let path = write_extract(opts, spec, &pupils, plan, out, &mut summary)?;
            done += 1;
            progress(&path, done, total);
            summary.extracts.push(path);
        }
    }
    summary.extracts.sort();
    Ok(summary)
}

fn write_extract(
    opts: &SeedOptions,
    spec: &AcademySpec,
    pupils: &[Pupil],
    plan: &ExtractPlan,
    out: &Path,
    summary: &mut SeedSummary,
) -> Result<PathBuf, SeedError> {
    let taken = plan.night + Duration::days(1);
    let dir = out.join(format!("{}-{}", taken.format("%Y%m%d"), spec.urn));
    std::fs::create_dir_all(&dir).map_err(|source| SeedError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    let (from, to) = plan.window;
    let on_roll: Vec<&Pupil> = pupils
        .iter()
        .filter(|p| p.entry <= to.min(plan.night) && p.leaving.is_none_or(|l| l >= from))
        .collect();
    let known = |d: Option<NaiveDate>| d.filter(|d| *d <= plan.night);
    let stated_year = academic_year(taken);

    let mut files = Vec::new();
    let mut pw = HashingWriter::create(dir.join("pupils.csv"))?;
    pw.line("pupil_id,upn,surname,forename,date_of_birth,sex,year_group,entry_date,leaving_date,sen_provision,fsm,eal,ethnicity,looked_after")?;
    for p in &on_roll {
        pw.line(&format!(
            "{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
            p.pupil_id,
            p.upn,
            p.surname,
            p.forename,
            p.date_of_birth,
            p.sex,
            year_group(p.nc_year(stated_year).clamp(-2, 13)),
            p.entry,
            opt_date(known(p.leaving)),
            p.sen,
            yn(p.fsm),
            yn(p.eal),
            p.ethnicity,
            yn(p.looked_after),
        ))?;
    }
    files.push(("pupils.csv", pw.finish()?));

    let cal = SchoolYear::for_academy(plan.year, spec.later_half_terms);
    let school_days: Vec<NaiveDate> = cal
        .open_days()
        .into_iter()
        .filter(|(_, k)| *k == DayKind::School)
        .map(|(d, _)| d)
        .collect();
    let night_index = school_days.partition_point(|d| *d <= plan.night);
    let mut mw = HashingWriter::create(dir.join("marks.csv"))?;
    mw.line("pupil_id,date,session,code,minutes_late")?;
    let mut buf = Vec::new();
    let mut line = String::new();
    for p in &on_roll {
        buf.clear();
        marks::pupil_year(spec, p, plan.year, &cal, plan.night, opts.seed, &mut buf);
        for m in &buf {
            let since = night_index.saturating_sub(school_days.partition_point(|d| *d <= m.date));
            line.clear();
            use std::fmt::Write as _;
            let _ = write!(
                line,
                "{},{},{},{},",
                p.pupil_id,
                m.date,
                if m.session == 0 { "AM" } else { "PM" },
                m.code_seen(since)
            );
            if let Some(min) = m.minutes_late {
                let _ = write!(line, "{min}");
            }
            mw.line(&line)?;
        }
    }
    let marks_file = mw.finish()?;
    summary.mark_rows += marks_file.0;
    files.push(("marks.csv", marks_file));

    let mut aw = HashingWriter::create(dir.join("ap_placements.csv"))?;
    aw.line("pupil_id,provider,provider_urn,arranged_by,start_date,end_date,sessions_per_week,last_contact_date")?;
    for p in &on_roll {
        if let Some(ap) = p.ap.as_ref().filter(|ap| ap.start <= plan.night) {
            aw.line(&format!(
                "{},{},{},{},{},{},{},{}",
                p.pupil_id,
                ap.provider,
                ap.provider_urn.unwrap_or(""),
                if ap.by_school {
                    "school"
                } else {
                    "local-authority"
                },
                ap.start,
                opt_date(known(ap.end)),
                ap.sessions_per_week,
                ap.last_contact.min(plan.night),
            ))?;
        }
    }
    files.push(("ap_placements.csv", aw.finish()?));

    let mut rw = HashingWriter::create(dir.join("reduced_timetables.csv"))?;
    rw.line("pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified")?;
    for p in &on_roll {
        if let Some(rt) =
            p.rt.as_ref()
                .filter(|rt| rt.recorded && rt.start <= plan.night)
        {
            rw.line(&format!(
                "{},{},{},{},{},{},{},{},{}",
                p.pupil_id,
                rt.start,
                rt.planned_end,
                rt.next_review,
                opt_date(known(rt.end)),
                rt.sessions_per_week,
                rt.reason,
                yn(rt.parents_agreed),
                yn(rt.la_notified),
            ))?;
        }
    }
    files.push(("reduced_timetables.csv", rw.finish()?));

    let mut listed = serde_json::Map::new();
    for (name, (rows, sha, bytes)) in &files {
        summary.bytes += bytes;
        listed.insert(
            name.to_string(),
            serde_json::json!({"rows": rows, "sha256": sha}),
        );
    }
    let manifest = serde_json::json!({
        "format": "attendance-extract/1",
        "academy": {
            "urn": spec.urn,
            "name": spec.name,
            "phase": spec.phase.as_str(),
            "local_authority": spec.local_authority,
        },
        "extracted_at": format!("{}T02:10:00Z", taken),
        "source_system": spec.source_system,
        "marks_from": from.to_string(),
        "marks_to": to.to_string(),
        "files": listed,
    });
    let text = serde_json::to_string_pretty(&manifest).expect("json");
    std::fs::write(dir.join("manifest.json"), &text).map_err(|source| SeedError::Io {
        path: dir.display().to_string(),
        source,
    })?;
    summary.bytes += text.len() as u64;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scale_parses_and_rejects_nonsense() {
        let mut o = SeedOptions::demo(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
        o.apply_scale("academies=60,pupils=50000,years=3").unwrap();
        assert_eq!((o.academies, o.pupils, o.years), (60, 50_000, 3));
        assert!(o.apply_scale("pupils=lots").is_err());
        assert!(o.apply_scale("teachers=4").is_err());
        assert!(o.apply_scale("years=0").is_err());
    }

    #[test]
    fn same_seed_same_bytes() {
        let as_of = NaiveDate::from_ymd_opt(2025, 10, 10).unwrap();
        let mut o = SeedOptions::demo(as_of);
        o.apply_scale("academies=2,pupils=60,years=1,nights=2")
            .unwrap();
        let a = tempfile_dir("a");
        let b = tempfile_dir("b");
        let sa = generate(&o, &a, &mut |_, _, _| {}).unwrap();
        let sb = generate(&o, &b, &mut |_, _, _| {}).unwrap();
        assert_eq!(sa.extracts.len(), 4);
        assert_eq!(sa.mark_rows, sb.mark_rows);
        for (x, y) in sa.extracts.iter().zip(&sb.extracts) {
            let mx = std::fs::read(x.join("manifest.json")).unwrap();
            let my = std::fs::read(y.join("manifest.json")).unwrap();
            assert_eq!(mx, my);
        }
        let _ = std::fs::remove_dir_all(a);
        let _ = std::fs::remove_dir_all(b);
    }

    fn tempfile_dir(tag: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("rollcall-seed-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        dir
    }
}
