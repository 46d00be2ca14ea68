//! The reports layer's own promises, on a real warehouse: one build per key even when
//! requests miss together, no entry shared between viewers who see differently, every
//! pupil-level viewing audited, and no pupil-level result when the audit fails.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use app::reports::{Ctx, Report, ReportError};
use app::ssr::Warehouse as Web;
use queries::types::{Principal, Role, Visibility};
use rollcall_tests::{principal as who, ExtractSpec, Warehouse};

const A: &str = "100001";

fn loaded() -> Warehouse {
    let w = Warehouse::new();
    let spec = ExtractSpec::new(A, "2025-09-01", "2025-09-05", "2025-09-06T02:00:00Z")
        .pupils(&[rollcall_tests::pupil("P1")])
        .marks(&[
            "P1,2025-09-01,AM,/,",
            "P1,2025-09-01,PM,\\,",
            "P1,2025-09-02,AM,I,",
        ]);
    assert_eq!(w.load_spec(&spec, "night").status, queries::Status::Loaded);
    w
}

static BUILDS: AtomicUsize = AtomicUsize::new(0);

/// Counts its builds, slowly, and says what it was built for.
struct Slow;

impl Report for Slow {
    type Params = u8;
    type Output = String;
    fn build(_: &Ctx<'_>, p: &u8, view: &Visibility) -> Result<String, ReportError> {
        BUILDS.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(Duration::from_millis(300));
        Ok(format!(
            "{p} for {:?} {:?}",
            view.academies, view.suppress_below
        ))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn one_build_per_key_and_none_shared_between_viewers_who_see_differently() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = loaded();
    let web = Web::new(w.shared());
    let trust = who(Role::Trust, &[]);
    // Four requests miss at once: one builds, the others wait for it.
    let calls: Vec<_> = (0..4)
        .map(|_| {
            let (web, trust) = (web.clone(), trust.clone());
            tokio::spawn(async move { web.report::<Slow>(&trust, 1).await.unwrap() })
        })
        .collect();
    for c in calls {
        assert_eq!(c.await.unwrap().as_str(), "1 for [] None");
    }
    assert_eq!(BUILDS.load(Ordering::SeqCst), 1);
    // Another trust user sees the same, so shares the entry; a governor does not.
    let other = Principal {
        actor: "another@trust.test".into(),
        ..trust.clone()
    };
    assert_eq!(
        web.report::<Slow>(&other, 1).await.unwrap().as_str(),
        "1 for [] None"
    );
    assert_eq!(BUILDS.load(Ordering::SeqCst), 1);
    let governor = who(Role::Governor, &[A]);
    let g = web.report::<Slow>(&governor, 1).await.unwrap();
    assert_eq!(g.as_str(), format!("1 for [\"{A}\"] Some(5)"));
    let staff = who(Role::Academy, &[A]);
    assert_eq!(
        web.report::<Slow>(&staff, 1).await.unwrap().as_str(),
        format!("1 for [\"{A}\"] None")
    );
    assert_eq!(BUILDS.load(Ordering::SeqCst), 3);
    // A new load starts again.
    let spec = ExtractSpec::new(A, "2025-09-01", "2025-09-05", "2025-09-07T02:00:00Z")
        .pupils(&[rollcall_tests::pupil("P1")])
        .marks(&["P1,2025-09-01,AM,/,"]);
    assert_eq!(w.load_spec(&spec, "next").status, queries::Status::Loaded);
    web.report::<Slow>(&trust, 1).await.unwrap();
    assert_eq!(BUILDS.load(Ordering::SeqCst), 4);
    // Without the cache (the bench's cold figures), every call builds.
    let fresh = web.without_result_cache();
    fresh.report::<Slow>(&trust, 1).await.unwrap();
    fresh.report::<Slow>(&trust, 1).await.unwrap();
    assert_eq!(BUILDS.load(Ordering::SeqCst), 6);
}

/// Pupil level, for one academy's staff.
struct Names;

impl Report for Names {
    type Params = String;
    type Output = Vec<String>;
    fn allowed(view: &Visibility, urn: &String) -> bool {
        view.sees_pupils() && view.sees_academy(urn)
    }
    fn audit(urn: &String, names: &Vec<String>) -> Option<(&'static str, String)> {
        Some(("view pupils", format!("{} names at {urn}", names.len())))
    }
    fn build(ctx: &Ctx<'_>, urn: &String, _: &Visibility) -> Result<Vec<String>, ReportError> {
        let mut stmt = ctx.conn.prepare(
            "SELECT pupil_id FROM pupils JOIN academies USING (academy_id) WHERE urn = ?",
        )?;
        let rows = stmt.query_map([urn], |r| r.get(0))?;
        Ok(rows.collect::<Result<_, _>>()?)
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn pupil_level_reports_are_audited_on_every_viewing_and_refused_unaudited() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = loaded();
    let web = Web::new(w.shared());
    let audited = || w.audited("action = 'view pupils'");
    let staff = who(Role::Academy, &[A]);
    for n in 1..=3 {
        assert_eq!(
            *web.report::<Names>(&staff, A.into()).await.unwrap(),
            ["P1"]
        );
        assert_eq!(audited(), n, "cached or not, each viewing is in the log");
    }
    // Refused before anything is read or logged.
    for p in [who(Role::Governor, &[A]), who(Role::Academy, &["100002"])] {
        let e = web.report::<Names>(&p, A.into()).await.unwrap_err();
        assert!(matches!(e, ReportError::Forbidden), "{e}");
    }
    assert_eq!(audited(), 3);
    w.break_audit_log();
    let e = web.report::<Names>(&staff, A.into()).await.unwrap_err();
    assert!(matches!(e, ReportError::Audit(_)), "{e}");
}
