//! Alternative provision and reduced timetables on a hand-built academy: every flag and
//! count worked out by hand, with the boundaries (exactly the contact limit, a review
//! due today, a planned end today) and a placement spanning two academic years.
//!
//! One extract, 1 July to 13 September 2024 (registers 1-19 July and 2-13 September:
//! 15 school days in July, 10 in September); "now" is 13 September 2024.
//! - P1: school-arranged AP from 8 July 2024, ongoing (two academic years), mornings at
//!   the provider (`B`), afternoons in school; absent (`O`) on the morning of 2 Sept.
//!   Last welfare contact Friday 12 July: 5 + 10 school days since (limit 10: overdue).
//! - P2: LA-arranged AP from 2 Sept, but never a `K` in the registers; contact 12 Sept.
//! - P3: a `B` on 9 Sept AM with no placement.
//! - P4: reduced timetable from 2 Sept, planned end 6 Sept (passed), review 10 Sept
//!   (overdue), parents' agreement not recorded, LA notified; `C2` every afternoon.
//! - P5: reduced timetable from 9 Sept, review 20 Sept, LA not notified; no `C2`.
//! - P6: a `C2` on 3 Sept AM with no record.
//! - P7: reduced timetable from 2 Sept with planned end and review both today; `C2`
//!   on Friday afternoons (2).
//! - P8: school-arranged AP from 2 Sept, contact Friday 30 August: exactly 10 school
//!   days since (not overdue); `B` every morning.

use chrono::{Datelike, NaiveDate};
use queries::provision;
use queries::types::Mismatch;
use rollcall_tests::{date as d, present, ExtractSpec, Warehouse};

const A: &str = "100001";

/// Pupil `id`'s mark on `day`, session `s` (0 AM, 1 PM).
fn code(id: &str, day: NaiveDate, s: u8) -> &'static str {
    let sept = day >= d(2024, 9, 2);
    match id {
        "P1" if day == d(2024, 9, 2) && s == 0 => "O",
        "P1" if day >= d(2024, 7, 8) && s == 0 => "B",
        "P3" if day == d(2024, 9, 9) && s == 0 => "B",
        "P4" if sept && s == 1 => "C2",
        "P6" if day == d(2024, 9, 3) && s == 0 => "C2",
        "P7" if sept && s == 1 && day.weekday().number_from_monday() == 5 => "C2",
        "P8" if sept && s == 0 => "B",
        _ => present(s),
    }
}

fn academy() -> Warehouse {
    let w = Warehouse::new();
    let rows = rollcall_tests::registers(
        (1..=8).map(|i| format!("P{i}")),
        // The school days of the extract.
        &rollcall_tests::weekdays(&[
            (d(2024, 7, 1), d(2024, 7, 19)),
            (d(2024, 9, 2), d(2024, 9, 13)),
        ]),
        code,
    );
    let pupils: Vec<String> = (1..=8)
        .map(|i| format!("P{i},,Pupil{i},Test,2012-10-01,F,7,2021-09-01,,N,N,N,WBRI,N"))
        .collect();
    let spec = ExtractSpec::new(A, "2024-07-01", "2024-09-13", "2024-09-14T02:00:00Z")
        .pupils(&pupils)
        .marks(&rows)
        .file(
            "ap_placements.csv",
            "pupil_id,provider,provider_urn,arranged_by,start_date,end_date,sessions_per_week,last_contact_date\n\
             P1,Skills Hub,,school,2024-07-08,,5,2024-07-12\n\
             P2,County PRU,,local-authority,2024-09-02,,3,2024-09-12\n\
             P8,Farm School,,school,2024-09-02,,5,2024-08-30\n",
        )
        .file(
            "reduced_timetables.csv",
            "pupil_id,start_date,planned_end_date,next_review_date,end_date,sessions_per_week,reason,parents_agreed,la_notified\n\
             P4,2024-09-02,2024-09-06,2024-09-10,,5,medical,N,Y\n\
             P5,2024-09-09,2024-10-18,2024-09-20,,8,anxiety,Y,N\n\
             P7,2024-09-02,2024-09-13,2024-09-13,,9,medical,Y,Y\n",
        );
    w.load_whole(&spec, "x");
    w
}

#[test]
fn placements_attendance_and_welfare_contact() {
    let w = academy();
    let conn = w.conn();
    let all = provision::placements(&conn, None).unwrap();
    let by = |id: &str| all.iter().find(|p| p.pupil.pupil_id == id).unwrap();
    assert_eq!(all.len(), 3);
    let p1 = by("P1");
    assert_eq!(p1.as_of, d(2024, 9, 13));
    // 10 July mornings + 9 September mornings at the provider, one absence.
    assert_eq!((p1.ap_sessions, p1.absent_sessions), (19, 1));
    assert_eq!(p1.possible_sessions, 2 * 20);
    assert_eq!(p1.attendance_rate(), Some(95.0));
    assert_eq!(p1.school_days_since_contact, 15);
    assert!(p1.active() && p1.contact_overdue(10));
    assert!(!p1.contact_overdue(15), "the limit is configurable");
    // Exactly the limit is not past it.
    let p8 = by("P8");
    assert_eq!(p8.school_days_since_contact, 10);
    assert!(!p8.contact_overdue(10) && p8.contact_overdue(9));
    assert_eq!((p8.ap_sessions, p8.absent_sessions), (10, 0));
    let p2 = by("P2");
    assert_eq!((p2.ap_sessions, p2.school_days_since_contact), (0, 1));
    assert_eq!(p2.attendance_rate(), None);
    assert_eq!(p2.arranged_by, "local-authority");
    assert!(p1.flags(10).iter().any(|f| f.contains("overdue (15")));
    assert!(p8.flags(10).is_empty());
}

#[test]
fn timetables_and_what_needs_action() {
    let w = academy();
    let conn = w.conn();
    let all = provision::timetables(&conn, Some(A)).unwrap();
    let by = |id: &str| all.iter().find(|t| t.pupil.pupil_id == id).unwrap();
    let p4 = by("P4");
    assert_eq!(p4.c2_sessions, 10);
    assert_eq!(p4.weeks(), 1, "2 to 13 September: 12 days");
    assert!(p4.planned_end_passed() && p4.review_overdue());
    assert_eq!(
        p4.actions(),
        vec![
            "past its planned end",
            "review overdue",
            "parents' agreement not recorded"
        ]
    );
    let p5 = by("P5");
    assert_eq!(p5.c2_sessions, 0);
    assert_eq!(p5.actions(), vec!["local authority not notified"]);
    // Planned end and review both today: neither passed.
    let p7 = by("P7");
    assert_eq!(p7.c2_sessions, 2);
    assert!(!p7.planned_end_passed() && !p7.review_overdue());
    assert!(p7.actions().is_empty());
}

#[test]
fn every_consistency_flag() {
    let w = academy();
    let conn = w.conn();
    let placements = provision::placements(&conn, None).unwrap();
    let timetables = provision::timetables(&conn, None).unwrap();
    let found = provision::inconsistencies(
        &conn,
        None,
        d(2024, 9, 2),
        d(2024, 9, 13),
        &placements,
        &timetables,
    )
    .unwrap();
    let mut got: Vec<(Mismatch, &str, u64)> = found
        .iter()
        .map(|i| (i.kind, i.pupil.pupil_id.as_str(), i.sessions))
        .collect();
    got.sort_by_key(|g| (g.0 as u8, g.1.to_string()));
    assert_eq!(
        got,
        vec![
            (Mismatch::C2WithoutTimetable, "P6", 1),
            (Mismatch::TimetableWithoutC2, "P5", 0),
            (Mismatch::ApSessionsWithoutPlacement, "P3", 1),
            (Mismatch::PlacementWithoutSessions, "P2", 0),
        ]
    );
    let p6 = found.iter().find(|i| i.pupil.pupil_id == "P6").unwrap();
    assert_eq!(
        (p6.first, p6.last),
        (Some(d(2024, 9, 3)), Some(d(2024, 9, 3)))
    );
    // In July nothing disagrees: P1's B marks are covered by its placement.
    let july =
        provision::inconsistencies(&conn, None, d(2024, 7, 1), d(2024, 7, 19), &placements, &[])
            .unwrap();
    assert!(july.is_empty(), "{july:?}");
}

#[test]
fn counts_by_half_term_and_on_roll() {
    let w = academy();
    let conn = w.conn();
    let cal = queries::figures::calendars(&conn).unwrap();
    let placements = provision::placements(&conn, None).unwrap();
    let timetables = provision::timetables(&conn, None).unwrap();
    let counts = provision::by_half_term(&cal, &placements, &timetables, Some(A));
    let got: Vec<(NaiveDate, u64, u64)> = counts
        .iter()
        .map(|c| (c.from, c.ap, c.reduced_timetable))
        .collect();
    // July (2023/24): P1 only. September (2024/25): P1 (spanning both years), P2, P8;
    // timetables P4, P5, P7.
    assert_eq!(got, vec![(d(2024, 7, 1), 1, 0), (d(2024, 9, 2), 3, 3)]);
    assert_eq!(provision::on_roll(&conn).unwrap(), vec![(A.to_string(), 8)]);
    // Another academy's view is empty.
    assert!(
        provision::by_half_term(&cal, &placements, &timetables, Some("999999"))
            .iter()
            .all(|c| c.ap == 0 && c.reduced_timetable == 0)
    );
}

async fn api(w: &Warehouse, role: queries::types::Role, uri: &str) -> (u16, Vec<u8>) {
    let academies: &[&str] = if role == queries::types::Role::Trust {
        &[]
    } else {
        &[A]
    };
    let app = rollcall_tests::api_as(w, rollcall_tests::principal(role, academies));
    let (status, body) = rollcall_tests::get(&app, uri).await;
    (status.as_u16(), body)
}

#[tokio::test(flavor = "multi_thread")]
async fn the_provision_api() {
    let _pages = rollcall_tests::one_at_a_time().await;
    use queries::types::Role;
    let w = academy();
    let (status, body) = api(&w, Role::Academy, "/api/v1/provision?kind=ap").await;
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let cells = v["cells"].as_array().unwrap();
    assert_eq!(cells.len(), 3);
    let p1 = cells.iter().find(|c| c["pupil_id"] == "P1").unwrap();
    assert_eq!(p1["ap_sessions"], 19);
    assert_eq!(p1["attendance_rate"], 95.0);
    assert_eq!(p1["school_days_since_contact"], 15);
    assert_eq!(p1["contact_overdue"], true);
    assert_eq!(p1["start_date"], "2024-07-08");
    // In force in July: P1 only; CSV has the same rows as JSON.
    let (_, body) = api(
        &w,
        Role::Trust,
        "/api/v1/provision?kind=ap&from=2024-07-01&to=2024-07-19&format=csv",
    )
    .await;
    let mut csv = csv::Reader::from_reader(body.as_slice());
    assert_eq!(&csv.headers().unwrap()[1], "pupil_id");
    let rows: Vec<csv::StringRecord> = csv.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][1], "P1");
    let (_, body) = api(&w, Role::Trust, "/api/v1/provision?kind=reduced-timetable").await;
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let p4 = v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["pupil_id"] == "P4")
        .unwrap()
        .clone();
    assert_eq!(p4["c2_sessions"], 10);
    assert_eq!(p4["review_overdue"], true);
    assert_eq!(p4["planned_end_passed"], true);
    // Governors get no pupil-level rows; a bad kind is a 400 naming it.
    assert_eq!(
        api(&w, Role::Governor, "/api/v1/provision?kind=ap").await.0,
        403
    );
    let (status, body) = api(&w, Role::Trust, "/api/v1/provision?kind=pru").await;
    assert_eq!(status, 400);
    let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["parameter"], "kind");
}

#[tokio::test(flavor = "multi_thread")]
async fn every_provision_export_is_audited_and_none_goes_unaudited() {
    let _pages = rollcall_tests::one_at_a_time().await;
    use queries::types::Role;
    let w = academy();
    let audited =
        |w: &Warehouse| w.audited("action = 'export pupils' AND subject LIKE 'provision%'");
    for uri in [
        "/api/v1/provision?kind=ap",
        "/api/v1/provision?kind=reduced-timetable&format=csv",
    ] {
        let before = audited(&w);
        assert_eq!(api(&w, Role::Trust, uri).await.0, 200, "{uri}");
        assert_eq!(audited(&w), before + 1, "{uri}");
    }
    // When the audit log cannot be written, names and UPNs are not served.
    w.break_audit_log();
    let (status, body) = api(&w, Role::Trust, "/api/v1/provision?kind=ap").await;
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(&body));
    assert!(!String::from_utf8_lossy(&body).contains("P1"));
}

/// Report `R` with `params` as `who`: served, or why not.
async fn view<R: app::reports::Report>(
    web: &app::ssr::Warehouse,
    who: &queries::types::Principal,
    params: R::Params,
) -> Result<(), app::reports::ReportError> {
    web.report::<R>(who, params).await.map(|_| ())
}

/// Every pupil-level report, in every format the product serves it, writes its audit
/// line on every request; when the audit log cannot be written, none of them serves.
#[tokio::test(flavor = "multi_thread")]
async fn every_pupil_level_route_and_format_is_audited_and_none_goes_unaudited() {
    let _pages = rollcall_tests::one_at_a_time().await;
    use app::reports::{actions, heatmaps, params::WindowChoice, provision, pupil, quality};
    use queries::types::Role;
    let w = academy();
    let staff = rollcall_tests::principal(Role::Academy, &[A]);
    let web = app::ssr::Warehouse::new(w.shared());
    let uris = [
        "/api/v1/provision?kind=ap",
        "/api/v1/provision?kind=ap&format=csv",
        "/api/v1/provision?kind=reduced-timetable",
        "/api/v1/provision?kind=reduced-timetable&format=csv",
        "/api/v1/actions?list=cme",
        "/api/v1/actions?list=thresholds&format=csv",
    ];
    // What the pages' server functions call, each a pupil-level report.
    let pages = |web: app::ssr::Warehouse, staff: queries::types::Principal| async move {
        let today = chrono::NaiveDate::from_ymd_opt(2024, 9, 14).unwrap();
        let lists = provision::ListParams {
            academy: None,
            sort: String::new(),
        };
        let la_report = provision::ReportParams {
            urn: A.into(),
            half_term: None,
        };
        let record = pupil::Params {
            urn: A.into(),
            pupil_id: "P1".into(),
        };
        let choice = heatmaps::HeatmapChoice {
            kind: "pupils".into(),
            measure: String::new(),
            academy: Some(A.into()),
        };
        let heatmap = heatmaps::ssr::Params {
            window: WindowChoice::default(),
            choice,
        };
        vec![
            view::<actions::Report>(&web, &staff, Default::default()).await,
            view::<provision::Lists>(&web, &staff, lists).await,
            view::<provision::LaReport>(&web, &staff, la_report).await,
            view::<pupil::Report>(&web, &staff, record).await,
            view::<heatmaps::Report>(&web, &staff, heatmap).await,
            view::<quality::Report>(&web, &staff, today).await,
        ]
    };
    let audited = || w.audited("true");
    // Twice: the second from the cache, audited all the same.
    for _ in 0..2 {
        for uri in uris {
            let before = audited();
            assert_eq!(api(&w, Role::Academy, uri).await.0, 200, "{uri}");
            assert_eq!(audited(), before + 1, "{uri}");
        }
        let before = audited();
        for (i, r) in pages(web.clone(), staff.clone())
            .await
            .into_iter()
            .enumerate()
        {
            r.unwrap_or_else(|e| panic!("page report {i}: {e}"));
        }
        assert_eq!(audited(), before + 6, "one line per page viewing");
    }
    w.break_audit_log();
    for uri in uris {
        let (status, body) = api(&w, Role::Academy, uri).await;
        assert_eq!(status, 500, "{uri}");
        assert!(!String::from_utf8_lossy(&body).contains("P1"), "{uri}");
    }
    for (i, r) in pages(web, staff).await.into_iter().enumerate() {
        assert!(
            matches!(r, Err(app::reports::ReportError::Audit(_))),
            "page report {i} served unaudited"
        );
    }
}
