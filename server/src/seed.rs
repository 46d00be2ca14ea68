//! `rollcall seed`: write the demo trust as nightly extracts.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use chrono::NaiveDate;
use indicatif::{ProgressBar, ProgressStyle};
use seed_data::{calendar, SeedOptions};

#[derive(clap::Args)]
pub struct SeedArgs {
    /// The folder to write extracts into.
    #[arg(long)]
    out: PathBuf,
    /// The last night of data (default: the last school day before today).
    #[arg(long)]
    as_of: Option<NaiveDate>,
    /// A larger trust, e.g. `academies=60,pupils=50000,years=3` (also `nights=N`).
    #[arg(long)]
    scale: Option<String>,
    /// The random seed (the same seed writes the same bytes).
    #[arg(long)]
    seed: Option<u64>,
}

pub fn default_as_of() -> NaiveDate {
    calendar::last_school_day_before(chrono::Local::now().date_naive())
}

pub fn options(
    as_of: Option<NaiveDate>,
    scale: Option<&str>,
    seed: Option<u64>,
) -> anyhow::Result<SeedOptions> {
    let mut opts = SeedOptions::demo(as_of.unwrap_or_else(default_as_of));
    if let Some(scale) = scale {
        opts.apply_scale(scale)
            .map_err(|e| anyhow::anyhow!("--scale: {e}"))?;
    }
    if let Some(seed) = seed {
        opts.seed = seed;
    }
    Ok(opts)
}

/// Writes the trust with a progress bar; returns the extract folders in load order.
pub fn write(opts: &SeedOptions, out: &std::path::Path) -> anyhow::Result<Vec<PathBuf>> {
    let started = Instant::now();
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{spinner} seeding [{bar:30}] {pos}/{len} extracts {msg}")
            .expect("template")
            .progress_chars("=> "),
    );
    let summary = seed_data::generate(opts, out, &mut |path, done, total| {
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        bar.set_message(
            path.file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default(),
        );
    })?;
    bar.finish_and_clear();
    println!(
        "seeded {} academies, {} enrolments: {} extracts, {} mark rows, {:.1} MB in {:.1}s (as of {}) -> {}",
        opts.academies,
        summary.pupils,
        summary.extracts.len(),
        summary.mark_rows,
        summary.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64(),
        opts.as_of,
        out.display()
    );
    Ok(summary.extracts)
}

pub fn run(args: SeedArgs) -> anyhow::Result<ExitCode> {
    let opts = options(args.as_of, args.scale.as_deref(), args.seed)?;
    write(&opts, &args.out)?;
    Ok(ExitCode::SUCCESS)
}

/// A history of case actions for the demo trust, as its attendance staff might have
/// recorded them this year, so that every view of the cases shows something: letters
/// soon after a pupil's attendance fell below 90%, calls, meetings with reviews due,
/// support plans, a few contracts, referrals and notices to improve; most (not all)
/// notifications to the local authority. Deterministic (the same warehouse gets the same
/// history); written through the cases store like any recording, audited, as a demo
/// attendance officer of each academy. The number of actions written.
pub fn demo_cases(db: &queries::Db) -> anyhow::Result<usize> {
    use queries::cases::{ActionKind, Checked};
    use queries::types::{Principal, Role};
    use rand::{Rng, SeedableRng};

    let conn = db.connect()?;
    let cals = queries::figures::calendars(&conn)?;
    let Some(year) = queries::actions::Year::of(&cals) else {
        return Ok(0);
    };
    let lists = queries::actions::lists(
        &conn,
        &cals,
        None,
        &Default::default(),
        queries::actions::OPEN_N_DAYS,
    )?;
    let due = queries::notifications::due(&conn, &cals, None, &lists.missing)?;
    let weekly = queries::impact::weekly(&conn, None, year.from, year.to)?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(20_240_819);
    let mut by_academy: std::collections::BTreeMap<String, Vec<(String, Checked)>> =
        Default::default();
    let mut add =
        |urn: &str, pupil: &str, kind, on: NaiveDate, outcome: &str, next: Option<(&str, i64)>| {
            if on > year.to {
                return;
            }
            by_academy.entry(urn.to_string()).or_default().push((
                pupil.to_string(),
                Checked {
                    kind,
                    on,
                    outcome: outcome.to_string(),
                    next_step: next.map(|(s, _)| s.to_string()).unwrap_or_default(),
                    next_due: next.map(|(_, days)| on + chrono::Duration::days(days)),
                },
            ));
        };
    let days = |rng: &mut rand_chacha::ChaCha8Rng, lo: i64, hi: i64| {
        chrono::Duration::days(rng.gen_range(lo..=hi))
    };
    for (urn, pupils) in weekly.iter().collect::<std::collections::BTreeMap<_, _>>() {
        let weeks = cals
            .of(urn)
            .year(queries::calendar::academic_year(year.to))
            .map(|y| y.week_starts())
            .unwrap_or_default();
        for (pupil, sessions) in pupils.iter().collect::<std::collections::BTreeMap<_, _>>() {
            let (mut possible, mut attending) = (0u64, 0u64);
            let Some(crossed) = weeks.iter().find(|w| {
                if let Some((p, a)) = sessions.get(*w) {
                    possible += p;
                    attending += a;
                }
                possible > 0 && attending * 10 < possible * 9
            }) else {
                continue;
            };
            if !rng.gen_bool(0.85) {
                continue;
            }
            let letter = *crossed + days(&mut rng, 3, 9);
            add(
                urn,
                pupil,
                ActionKind::Letter,
                letter,
                "Letter at 90% attendance sent home",
                None,
            );
            if rng.gen_bool(0.5) {
                let call = letter + days(&mut rng, 1, 5);
                add(
                    urn,
                    pupil,
                    ActionKind::PhoneCall,
                    call,
                    "Spoke to a parent: illness and worries about friendships",
                    None,
                );
            }
            if rng.gen_bool(0.4) {
                let meeting = letter + days(&mut rng, 7, 14);
                add(
                    urn,
                    pupil,
                    ActionKind::Meeting,
                    meeting,
                    "Parent attended; barriers discussed",
                    Some(("Review attendance at a follow-up meeting", 28)),
                );
                if rng.gen_bool(0.45) {
                    let plan = meeting + days(&mut rng, 0, 3);
                    add(
                        urn,
                        pupil,
                        ActionKind::SupportPlan,
                        plan,
                        "Support plan agreed with the family",
                        Some(("Review the support plan", 42)),
                    );
                    if rng.gen_bool(0.2) {
                        let kind = if rng.gen_bool(0.5) {
                            ActionKind::AttendanceContract
                        } else {
                            ActionKind::EarlyHelp
                        };
                        add(
                            urn,
                            pupil,
                            kind,
                            plan + days(&mut rng, 21, 35),
                            "Agreed with the family",
                            Some(("Review progress", 28)),
                        );
                    } else if rng.gen_bool(0.08) {
                        add(
                            urn,
                            pupil,
                            ActionKind::NoticeToImprove,
                            plan + days(&mut rng, 28, 42),
                            "Sent by post and email",
                            Some(("End of the improvement period", 28)),
                        );
                    }
                }
            }
        }
    }
    for d in &due {
        if rng.gen_bool(0.7) {
            let on = d.due_since.max(d.answered_from) + days(&mut rng, 0, 3);
            add(
                &d.pupil.urn,
                &d.pupil.pupil_id,
                d.kind.action(),
                on,
                "Told the local authority by its online form",
                None,
            );
        }
    }
    let mut written = 0;
    let mut store = db.accounts().connect()?;
    for (urn, actions) in by_academy {
        let who = Principal {
            actor: format!("attendance-{urn}@demo.rollcall"),
            name: "Demo attendance officer".into(),
            role: Role::Academy,
            academies: vec![urn.clone()],
        };
        written += queries::cases::record_many(&mut store, &who, &urn, &actions)?.len();
    }
    Ok(written)
}
