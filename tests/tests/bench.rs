//! `rollcall bench` end to end on a small warehouse (its figures are for
//! docs/performance.md, not for tests).
//!
//! A test binary of its own: the bench builds the whole app on a runtime of its own,
//! and Leptos keeps process-wide state that other tests' short-lived runtimes, running
//! beside it in one process, could leave it waiting on.

use rollcall_tests::Warehouse;

#[test]
fn the_bench_command_runs() {
    let w = rollcall_tests::seeded_trust("academies=3,pupils=200,years=1,nights=1");
    let paths = server::Paths {
        data_dir: w.data_dir(),
    };
    // The bench opens the database itself: release the test's handle first.
    let Warehouse { dir, db, .. } = w;
    drop(db);
    let code = server::bench::run(
        &paths,
        server::bench::BenchArgs {
            requests: 1,
            only: Vec::new(),
            warmups: 1,
            clients: 2,
            seconds: 1,
        },
    )
    .unwrap();
    assert_eq!(code, std::process::ExitCode::SUCCESS);
    drop(dir);
}
