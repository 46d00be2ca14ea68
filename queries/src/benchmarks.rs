//! DfE's published figures to compare with, shipped with Rollcall (never read from
//! outside at run time): 2025/26 year to date for England, regions and local
//! authorities by phase (seed-data/benchmarks/), and national full-year figures.

use std::sync::OnceLock;

use crate::types::Benchmark;

const YTD_2025_26: &str = include_str!("../../seed-data/benchmarks/dfe_attendance_ytd_2025-26.csv");
const YTD_SOURCE: &str =
    "DfE attendance data dashboard, 2025/26 year to date (state-funded schools)";
const RELEASE_SOURCE: &str = "DfE Pupil absence in schools in England (state-funded schools)";

/// The benchmark phase for an academy's phase.
pub fn phase_of(academy_phase: &str) -> &'static str {
    match academy_phase {
        "primary" => "Primary",
        "secondary" => "Secondary",
        "special" => "Special",
        _ => "Total",
    }
}

fn num(s: &str) -> Option<f64> {
    s.trim().parse::<f64>().ok()
}

fn ytd() -> &'static [(Benchmark, String)] {
    static ROWS: OnceLock<Vec<(Benchmark, String)>> = OnceLock::new();
    ROWS.get_or_init(|| {
        let mut reader = csv::Reader::from_reader(YTD_2025_26.as_bytes());
        reader
            .records()
            .filter_map(Result::ok)
            .map(|r| {
                let level = match &r[1] {
                    "National" => "national",
                    "Regional" => "regional",
                    _ => "local-authority",
                };
                let area = match level {
                    "national" => "England".to_string(),
                    "regional" => r[2].to_string(),
                    _ => r[3].to_string(),
                };
                (
                    Benchmark {
                        area,
                        level: level.to_string(),
                        phase: r[4].to_string(),
                        period: "2025/26 to date".to_string(),
                        absence_rate: num(&r[8]),
                        authorised_rate: num(&r[9]),
                        unauthorised_rate: num(&r[10]),
                        pa_rate: num(&r[11]),
                        source: YTD_SOURCE.to_string(),
                    },
                    // The region an LA is in.
                    r[2].to_string(),
                )
            })
            .collect()
    })
}

/// England, the LA's region and the LA, for a phase (2025/26 year to date); missing
/// where DfE publishes none or suppressed it.
pub fn for_academy(academy_phase: &str, local_authority: &str) -> Vec<Benchmark> {
    let phase = phase_of(academy_phase);
    let rows = ytd();
    let la = rows.iter().find(|(b, _)| {
        b.level == "local-authority"
            && b.area.eq_ignore_ascii_case(local_authority)
            && b.phase == phase
    });
    let region_name = la.map(|(_, region)| region.clone()).or_else(|| {
        rows.iter()
            .find(|(b, _)| {
                b.level == "local-authority" && b.area.eq_ignore_ascii_case(local_authority)
            })
            .map(|(_, r)| r.clone())
    });
    let mut out: Vec<Benchmark> = rows
        .iter()
        .filter(|(b, _)| b.level == "national" && b.phase == phase)
        .map(|(b, _)| b.clone())
        .collect();
    if let Some(region) = region_name {
        out.extend(
            rows.iter()
                .filter(|(b, _)| b.level == "regional" && b.area == region && b.phase == phase)
                .map(|(b, _)| b.clone()),
        );
    }
    if let Some((b, _)) = la {
        out.push(b.clone());
    }
    out
}

/// England by phase in DfE's full-year releases (domain.md, "National benchmarks").
pub fn national_history() -> Vec<Benchmark> {
    // (period, phase, absence, authorised, unauthorised, PA)
    type Row = (
        &'static str,
        &'static str,
        f64,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    );
    let rows: [Row; 16] = [
        ("2022/23", "Total", 7.4, Some(5.0), Some(2.4), Some(21.2)),
        ("2022/23", "Primary", 5.9, None, None, None),
        ("2022/23", "Secondary", 9.0, None, None, None),
        ("2022/23", "Special", 13.0, None, None, None),
        ("2023/24", "Total", 7.1, Some(4.7), Some(2.5), Some(20.0)),
        ("2023/24", "Primary", 5.5, None, None, None),
        ("2023/24", "Secondary", 8.9, None, None, None),
        ("2023/24", "Special", 13.0, None, None, None),
        ("autumn 2024/25", "Total", 6.38, None, None, None),
        ("autumn 2024/25", "Primary", 5.07, None, None, None),
        ("autumn 2024/25", "Secondary", 7.66, None, None, None),
        ("autumn 2024/25", "Special", 12.55, None, None, None),
        (
            "autumn and spring 2024/25",
            "Total",
            6.63,
            None,
            None,
            Some(17.63),
        ),
        (
            "autumn and spring 2024/25",
            "Primary",
            5.16,
            None,
            None,
            None,
        ),
        (
            "autumn and spring 2024/25",
            "Secondary",
            8.09,
            None,
            None,
            None,
        ),
        (
            "autumn and spring 2024/25",
            "Special",
            12.77,
            None,
            None,
            None,
        ),
    ];
    rows.iter()
        .map(|(period, phase, abs, auth, unauth, pa)| Benchmark {
            area: "England".into(),
            level: "national".into(),
            phase: phase.to_string(),
            period: period.to_string(),
            absence_rate: Some(*abs),
            authorised_rate: *auth,
            unauthorised_rate: *unauth,
            pa_rate: *pa,
            source: RELEASE_SOURCE.into(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn england_region_and_la_for_a_phase() {
        let b = for_academy("primary", "Bedford");
        let areas: Vec<_> = b
            .iter()
            .map(|b| (b.level.as_str(), b.area.as_str()))
            .collect();
        assert_eq!(
            areas,
            [
                ("national", "England"),
                ("regional", "East of England"),
                ("local-authority", "Bedford")
            ]
        );
        assert!((b[0].absence_rate.unwrap() - 5.27668054005052).abs() < 1e-12);
        assert!(for_academy("alternative-provision", "Nowhere")
            .iter()
            .all(|b| b.phase == "Total"));
    }
}

/// DfE's figures for one pupil group, nationally.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NationalGroup {
    pub dimension: crate::types::Dimension,
    pub group: &'static str,
    pub absence_rate: f64,
    pub pa_rate: f64,
}

/// The period and source of [`national_groups`].
pub const NATIONAL_GROUPS_PERIOD: &str = "autumn 2024/25";
pub const NATIONAL_GROUPS_SOURCE: &str =
    "DfE attendance data (daily), autumn term 2024/25, state-funded schools";

/// National absence and PA for the pupil groups DfE publishes (domain.md, "Pupil
/// groups, autumn 2024/25").
pub fn national_groups() -> [NationalGroup; 5] {
    use crate::types::Dimension::{Fsm, SenProvision};
    let g = |dimension, group, absence_rate, pa_rate| NationalGroup {
        dimension,
        group,
        absence_rate,
        pa_rate,
    };
    [
        g(Fsm, "Y", 10.0, 31.7),
        g(Fsm, "N", 5.2, 14.4),
        g(SenProvision, "E", 13.1, 35.1),
        g(SenProvision, "K", 10.1, 28.9),
        g(SenProvision, "N", 5.8, 17.0),
    ]
}

/// The national gap (absence, PA) in percentage points between two groups of a
/// dimension, where DfE publishes both.
pub fn national_gap(
    dimension: crate::types::Dimension,
    of: &str,
    against: &str,
) -> Option<(f64, f64)> {
    let groups = national_groups();
    let find = |g: &str| {
        groups
            .iter()
            .find(|n| n.dimension == dimension && n.group == g)
    };
    let (a, b) = (find(of)?, find(against)?);
    Some((a.absence_rate - b.absence_rate, a.pa_rate - b.pa_rate))
}
