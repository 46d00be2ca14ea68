//! The morning's pages: built ahead after a load (the warm-up), for every kind of viewer
//! the trust has accounts for, with nothing audited until someone looks; and light, their
//! charts fetched apart, each only by a viewer who was shown it.

use queries::accounts;
use queries::types::Principal;
use queries::types::Role;
use rollcall_tests::{get, one_at_a_time, principal, Warehouse};

/// A trust of two small academies, and their URNs.
fn two_academies() -> (Warehouse, Vec<String>) {
    let w = rollcall_tests::seeded_trust("academies=2,pupils=80,years=1,nights=1");
    let urns = queries::figures::academies(&w.conn())
        .unwrap()
        .into_iter()
        .map(|a| a.urn)
        .collect();
    (w, urns)
}

/// The pages and documents as `who` reaches them past the guard.
fn pages_as(warehouse: &app::ssr::Warehouse, who: Principal) -> axum::Router {
    server::serve::app_routes(
        warehouse.clone(),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
    )
    .layer(axum::Extension(who))
}

#[tokio::test(flavor = "multi_thread")]
async fn after_the_warm_up_the_morning_s_reports_are_served_without_a_query() {
    let _turn = one_at_a_time().await;
    let (w, urns) = two_academies();
    let conn = w.accounts();
    for (email, role, academies) in [
        ("lead@trust.test", Role::Trust, vec![]),
        ("staff@trust.test", Role::Academy, vec![urns[0].clone()]),
        ("head@trust.test", Role::Academy, vec![urns[0].clone()]),
        ("governor@trust.test", Role::Governor, vec![]),
        ("local@trust.test", Role::Governor, vec![urns[1].clone()]),
    ] {
        accounts::add_user(
            &conn,
            email,
            email,
            role,
            &academies,
            "a long password",
            false,
        )
        .unwrap();
    }
    let warehouse = app::ssr::Warehouse::new(w.shared());
    let audited = w.audited("true");
    let done = warehouse.warm().await.unwrap();
    // The whole trust (the lead shares it), one academy's staff (the head shares it),
    // the trust's governors and one academy's governors.
    assert_eq!(done.viewers, 4);
    assert!(done.reports >= 20, "{done:?}");
    assert_eq!(
        w.audited("true"),
        audited,
        "the warm-up showed no one anything"
    );

    // With the figures and the marks gone, only what the warm-up built can be served.
    w.conn()
        .execute_batch(
            "ALTER TABLE enrolment_days RENAME TO enrolment_days_gone;
             ALTER TABLE marks RENAME TO marks_gone;",
        )
        .unwrap();
    let routes = |who| pages_as(&warehouse, who);
    let lead = routes(principal(Role::Trust, &[]));
    let u = &urns[0];
    for uri in [
        "/".to_string(),
        format!("/academy/{u}"),
        "/cohorts".into(),
        "/heatmaps".into(),
        "/provision".into(),
        "/actions".into(),
        "/data-quality".into(),
        "/governors".into(),
        "/governors/summary.pdf".into(),
        format!("/governors?place={u}"),
        "/governors?place=trust".into(),
        format!("/academy/{u}/sef"),
        format!("/academy/{u}/sef.pdf"),
        "/?window=ytd&scope=dfe".into(),
        "/heatmaps?kind=academy-week&measure=rolling-absence".into(),
        "/heatmaps?kind=academy-year".into(),
        "/heatmaps?kind=day-session".into(),
        "/api/v1/summary".into(),
        "/api/v1/summary?format=csv".into(),
        "/api/v1/cohorts?by=fsm".into(),
        "/api/v1/cohorts?by=year_group".into(),
        "/api/v1/heatmap?kind=academy-week".into(),
        "/api/v1/heatmap?kind=academy-year".into(),
        "/api/v1/heatmap?kind=day-session".into(),
        "/api/v1/provision?kind=ap".into(),
        "/api/v1/provision?kind=reduced-timetable".into(),
        "/api/v1/actions?list=thresholds".into(),
    ] {
        assert_eq!(get(&lead, &uri).await.0, 200, "{uri}");
    }
    let staff = routes(principal(Role::Academy, &[u]));
    assert_eq!(get(&staff, "/").await.0, 200);
    assert_eq!(get(&staff, "/actions").await.0, 200);
    let governor = routes(principal(Role::Governor, &[]));
    assert_eq!(get(&governor, "/governors").await.0, 200);
    assert_eq!(get(&governor, "/").await.0, 200);
    // What was not warmed needs the figures: another window fails without them.
    assert_ne!(get(&lead, "/?window=half-term").await.0, 200);
    // A viewing is audited when it happens, warmed or not.
    assert!(w.audited("subject LIKE 'action list%'") > 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_page_carries_its_charts_addresses_and_each_chart_answers_only_its_viewers() {
    let _turn = one_at_a_time().await;
    let (w, urns) = two_academies();
    let warehouse = app::ssr::Warehouse::new(w.shared());
    let routes = |who| pages_as(&warehouse, who);
    let lead = routes(principal(Role::Trust, &[]));
    let (status, body) = get(&lead, "/").await;
    assert_eq!(status, 200);
    let page = String::from_utf8(body).unwrap();
    assert!(!page.contains("<svg"), "the overview sends no drawing");
    let charts: Vec<&str> = page
        .split("src=\"/charts/")
        .skip(1)
        .map(|rest| &rest[..rest.find('"').unwrap()])
        .collect();
    // The trust's trend and a small multiple per academy.
    assert_eq!(charts.len(), 1 + urns.len(), "{charts:?}");
    for file in &charts {
        let (status, svg) = get(&lead, &format!("/charts/{file}")).await;
        assert_eq!(status, 200, "{file}");
        let svg = String::from_utf8(svg).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("<title>"), "{file}");
    }
    // Staff of the second academy were never shown the trust's trend: not theirs.
    let staff = routes(principal(Role::Academy, &[&urns[1]]));
    assert_eq!(get(&staff, &format!("/charts/{}", charts[0])).await.0, 404);
    assert_eq!(get(&lead, "/charts/0123.svg").await.0, 404);
}

/// One place's governors' summary is cut from the summary of everything its viewer may
/// see (so the warm-up's summary serves every place): for every place and every kind of
/// viewer, it equals the summary worked out for that place alone.
#[tokio::test(flavor = "multi_thread")]
async fn a_place_s_governors_summary_is_the_one_worked_out_for_it_alone() {
    use app::reports::governors::{self, SummaryChoice};
    let _turn = one_at_a_time().await;
    let (w, urns) = two_academies();
    let warehouse = app::ssr::Warehouse::new(w.shared());
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    let viewers = [
        principal(Role::Trust, &[]),
        principal(Role::Governor, &[]),
        principal(Role::Governor, &[&urns[1]]),
        principal(Role::Academy, &[&urns[0]]),
    ];
    let mut places: Vec<String> = vec!["trust".into(), "not-a-urn".into()];
    places.extend(urns.iter().cloned());
    let mut shown = 0;
    for who in &viewers {
        let view = who.visibility(warehouse.suppress_below);
        for scope in [queries::types::Scope::Dfe, queries::types::Scope::All] {
            for place in &places {
                let choice = SummaryChoice {
                    term: None,
                    place: place.clone(),
                    scope,
                };
                let alone = governors::ssr::governors(
                    &conn,
                    &cal,
                    &choice,
                    &view,
                    warehouse.suppress_below,
                    &warehouse.trust_name,
                )
                .unwrap();
                let cut = warehouse
                    .report::<governors::Report>(who, choice)
                    .await
                    .unwrap();
                assert_eq!(*cut, alone, "{place} for {view:?}");
                shown += usize::from(alone.is_some_and(|d| !d.summaries.is_empty()));
            }
        }
    }
    // The trust lead sees all three places, in both scopes; the others fewer.
    assert!(shown >= 9, "{shown}");
}
