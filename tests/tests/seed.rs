//! The demo trust, generated and loaded through the real loader, looks like England:
//! absence near national by phase, PA ~17-20%, SA ~2%, the FSM gap.

use chrono::NaiveDate;
use queries::Status;
use rollcall_tests::Warehouse;
use seed_data::SeedOptions;

#[test]
fn the_demo_trust_is_realistic() {
    let w = Warehouse::new();
    let mut opts = SeedOptions::demo(NaiveDate::from_ymd_opt(2026, 11, 20).unwrap());
    opts.nights = 2;
    let out = w.dir.path().join("seed");
    let summary = seed_data::generate(&opts, &out, &mut |_, _, _| {}).unwrap();
    assert_eq!(summary.extracts.len(), 8 * (2 + 2));
    // About 6,000 on roll at a time; more enrolments over three years.
    assert!(
        (7_000..=9_000).contains(&summary.pupils),
        "{}",
        summary.pupils
    );
    for extract in &summary.extracts {
        let o = w.load(extract);
        assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
        assert_eq!(o.rows_rejected(), 0);
    }
    let rows = queries::status::phase_summary(&w.conn()).unwrap();
    for r in &rows {
        println!(
            "{} {:<10} {:>6} absence {:>5.2}% PA {:>5.2}% SA {:>4.2}%",
            r.academic_year, r.phase, r.enrolments, r.absence_rate, r.pa_rate, r.sa_rate
        );
    }
    let get = |year: i32, phase: &str| {
        rows.iter()
            .find(|r| r.academic_year == year && r.phase == phase)
            .unwrap()
    };
    // Complete years against the ranges asked for.
    for year in [2024, 2025] {
        let all = get(year, "all");
        assert!((5_000..=6_500).contains(&all.enrolments), "{all:?}");
        assert!(
            (4.0..=6.0).contains(&get(year, "primary").absence_rate),
            "{year} primary"
        );
        assert!(
            (7.5..=9.5).contains(&get(year, "secondary").absence_rate),
            "{year} secondary"
        );
        assert!(
            (11.0..=14.0).contains(&get(year, "special").absence_rate),
            "{year} special"
        );
        assert!(
            (17.0..=21.0).contains(&all.pa_rate),
            "{year} PA {}",
            all.pa_rate
        );
        assert!(
            (1.0..=3.0).contains(&all.sa_rate),
            "{year} SA {}",
            all.sa_rate
        );
    }
    // The FSM gap and the Friday afternoon dip are in the data.
    let conn = w.conn();
    let rate = |sql: &str| -> f64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let by = |cond: &str| {
        rate(&format!(
            "SELECT 100.0 * count(*) FILTER (WHERE c.authorised OR c.unauthorised) / count(*) FILTER (WHERE c.possible)
             FROM marks m JOIN codes c USING (code) JOIN pupils p USING (pupil_key) WHERE {cond}"
        ))
    };
    let (fsm, not_fsm) = (by("p.fsm"), by("NOT p.fsm"));
    assert!(
        fsm > 1.6 * not_fsm,
        "FSM {fsm:.2}% vs not FSM {not_fsm:.2}%"
    );
    let (fri_pm, tue_am) = (
        by("dayofweek(m.date) = 5 AND m.session = 1"),
        by("dayofweek(m.date) = 2 AND m.session = 0"),
    );
    assert!(
        fri_pm > 1.25 * tue_am,
        "Friday PM {fri_pm:.2}% vs Tuesday AM {tue_am:.2}%"
    );
    // Later nights corrected earlier codes: the last night has fewer N than the first had.
    let open_n =
        rate("SELECT count(*)::DOUBLE FROM marks WHERE code = 'N' AND date >= '2026-11-19'");
    assert!(open_n > 0.0);
}
