//! `rollcall bench` end to end on a small warehouse (its figures are for
//! docs/performance.md, not for tests).
//!
//! A test binary of its own: the bench builds the whole app on a runtime of its own,
//! and Leptos keeps process-wide state that other tests' short-lived runtimes, running
//! beside it in one process, could leave it waiting on.

use rollcall_tests::Warehouse;

#[test]
fn the_bench_command_runs() {
    let w = Warehouse::new();
    let mut opts =
        seed_data::SeedOptions::demo(chrono::NaiveDate::from_ymd_opt(2025, 3, 14).unwrap());
    opts.apply_scale("academies=3,pupils=200,years=1,nights=1")
        .unwrap();
    for e in seed_data::generate(&opts, &w.dir.path().join("seed"), &mut |_, _, _| {})
        .unwrap()
        .extracts
    {
        assert_eq!(w.load(&e).status, queries::Status::Loaded);
    }
    let paths = server::Paths {
        data_dir: w.data_dir(),
    };
    // The bench opens the database itself: release the test's handle first.
    let Warehouse { dir, db, .. } = w;
    drop(db);
    let code = server::bench::run(&paths, server::bench::BenchArgs { requests: 1 }).unwrap();
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    drop(dir);
}
