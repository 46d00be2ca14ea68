//! Prints the demo trust's absence, PA and SA by phase and year straight from the
//! generator (no warehouse): a quick check while tuning the generator.
//! `cargo run -p seed-data --example calibrate`

use chrono::NaiveDate;
use seed_data::calendar::SchoolYear;
use seed_data::{marks, trust, SeedOptions};

fn main() {
    let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
    let o = SeedOptions::demo(as_of);
    let specs = trust::academies(o.academies, o.pupils, o.seed);
    let mut buf = Vec::new();
    for year in 2024..=2026 {
        let cal = SchoolYear::new(year);
        let mut by_phase: std::collections::BTreeMap<&str, (u64, u64, u64, u64, u64)> =
            Default::default();
        for spec in &specs {
            let pupils = trust::pupils(spec, 2024, 2026, as_of, o.seed);
            for p in &pupils {
                buf.clear();
                marks::pupil_year(spec, p, year, &cal, as_of, o.seed, &mut buf);
                let possible = buf
                    .iter()
                    .filter(|m| {
                        !matches!(
                            m.code,
                            "D" | "X"
                                | "Q"
                                | "Y1"
                                | "Y2"
                                | "Y3"
                                | "Y4"
                                | "Y5"
                                | "Y6"
                                | "Y7"
                                | "Z"
                                | "#"
                        )
                    })
                    .count() as u64;
                let absent = buf
                    .iter()
                    .filter(|m| {
                        matches!(
                            m.code,
                            "C1" | "C2"
                                | "C"
                                | "M"
                                | "J1"
                                | "S"
                                | "T"
                                | "R"
                                | "I"
                                | "E"
                                | "G"
                                | "N"
                                | "O"
                                | "U"
                        )
                    })
                    .count() as u64;
                if possible == 0 {
                    continue;
                }
                for key in [spec.phase.as_str(), "all"] {
                    let e = by_phase.entry(key).or_default();
                    e.0 += 1;
                    e.1 += possible;
                    e.2 += absent;
                    e.3 += (absent * 10 >= possible) as u64;
                    e.4 += (absent * 2 >= possible) as u64;
                }
            }
        }
        for (phase, (n, poss, abs, pa, sa)) in by_phase {
            println!(
                "{year} {phase:<10} {n:>6} absence {:>5.2}% PA {:>5.2}% SA {:>4.2}%",
                100.0 * abs as f64 / poss as f64,
                100.0 * pa as f64 / n as f64,
                100.0 * sa as f64 / n as f64
            );
        }
    }
}
