//! `/api/v1/summary` and `/api/v1/cohorts` on a seeded trust, every field checked
//! against an independent calculation in Rust over the raw marks.

use std::collections::BTreeMap;

use axum::http::StatusCode;
use chrono::{Datelike, NaiveDate};
use queries::codes::{self, Category};
use rollcall_tests::{api_as, date, get, get_json, principal, Warehouse};
use seed_data::year_group;
use serde_json::Value;

/// Which group a pupil's session falls in.
type GroupKey = dyn Fn(&Pupil, NaiveDate, u8) -> Option<String>;

struct Pupil {
    urn: String,
    dob: NaiveDate,
    entry: NaiveDate,
    leaving: Option<NaiveDate>,
    sex: String,
    nc_year: i32,
    year_group_year: i32,
    sen: String,
    fsm: bool,
    eal: bool,
    ethnicity: Option<String>,
    looked_after: Option<bool>,
}

struct Raw {
    pupils: BTreeMap<u32, Pupil>,
    /// (pupil_key, date, session, code)
    marks: Vec<(u32, NaiveDate, u8, String)>,
    academies: Vec<(String, String, String)>,
}

fn academic_year(d: NaiveDate) -> i32 {
    if d.month() >= 9 {
        d.year()
    } else {
        d.year() - 1
    }
}

fn in_dfe_scope(dob: NaiveDate, d: NaiveDate) -> bool {
    let ay = academic_year(d);
    let start = NaiveDate::from_ymd_opt(ay, 8, 31).unwrap();
    // Age on 31 August at the start of the academic year, counted the long way.
    let mut age = start.year() - dob.year();
    if (dob.month(), dob.day()) > (start.month(), start.day()) {
        age -= 1;
    }
    if !(5..=15).contains(&age) {
        return false;
    }
    if age == 15 && (5..=8).contains(&d.month()) {
        // Spring bank holiday: the last Monday in May; the second half starts a week later.
        let mut bank = NaiveDate::from_ymd_opt(d.year(), 5, 31).unwrap();
        while bank.weekday() != chrono::Weekday::Mon {
            bank -= chrono::Duration::days(1);
        }
        if d >= bank + chrono::Duration::days(7) {
            return false;
        }
    }
    true
}

fn read_raw(w: &Warehouse) -> Raw {
    let conn = w.conn();
    let mut pupils = BTreeMap::new();
    let mut stmt = conn
        .prepare("SELECT p.pupil_key, a.urn, p.date_of_birth, p.entry_date, p.leaving_date, p.sex, p.nc_year, p.year_group_year, p.sen_provision, p.fsm, p.eal, p.ethnicity, p.looked_after FROM pupils p JOIN academies a USING (academy_id)")
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        pupils.insert(
            r.get::<_, u32>(0).unwrap(),
            Pupil {
                urn: r.get(1).unwrap(),
                dob: r.get(2).unwrap(),
                entry: r.get(3).unwrap(),
                leaving: r.get(4).unwrap(),
                sex: r.get(5).unwrap(),
                nc_year: r.get::<_, i32>(6).unwrap(),
                year_group_year: r.get::<_, i32>(7).unwrap(),
                sen: r.get(8).unwrap(),
                fsm: r.get(9).unwrap(),
                eal: r.get(10).unwrap(),
                ethnicity: r.get(11).unwrap(),
                looked_after: r.get(12).unwrap(),
            },
        );
    }
    let mut stmt = conn
        .prepare("SELECT pupil_key, date, session, code::VARCHAR FROM marks")
        .unwrap();
    let marks = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let mut stmt = conn
        .prepare("SELECT urn, name, phase FROM academies")
        .unwrap();
    let academies = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    Raw {
        pupils,
        marks,
        academies,
    }
}

#[derive(Default, Clone, Copy)]
struct Counts {
    possible: u64,
    attending: u64,
    authorised: u64,
    unauthorised: u64,
}

impl Counts {
    fn absent(&self) -> u64 {
        self.authorised + self.unauthorised
    }
}

/// Per (group key, pupil) session counts in a window: the independent calculation.
fn tally(
    raw: &Raw,
    from: NaiveDate,
    to: NaiveDate,
    dfe: bool,
    key: &dyn Fn(&Pupil, NaiveDate, u8) -> Option<String>,
) -> BTreeMap<(String, u32), Counts> {
    let mut out: BTreeMap<(String, u32), Counts> = BTreeMap::new();
    for (pk, date, session, code) in &raw.marks {
        if *date < from || *date > to {
            continue;
        }
        let p = &raw.pupils[pk];
        if *date < p.entry || p.leaving.is_some_and(|l| *date > l) {
            continue;
        }
        if dfe && !in_dfe_scope(p.dob, *date) {
            continue;
        }
        let cat = codes::lookup(code).unwrap().category;
        if !cat.is_possible() {
            continue;
        }
        let Some(k) = key(p, *date, *session) else {
            continue;
        };
        let c = out.entry((k, *pk)).or_default();
        c.possible += 1;
        match cat {
            Category::Present | Category::Approved => c.attending += 1,
            Category::Authorised => c.authorised += 1,
            Category::Unauthorised => c.unauthorised += 1,
            _ => unreachable!(),
        }
    }
    out
}

/// Group figures from per-enrolment counts, as a JSON object of the API's fields.
fn fields(enrolments: impl Iterator<Item = Counts>) -> Value {
    let (mut n, mut poss, mut att, mut auth, mut unauth, mut pa, mut sa) =
        (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    for c in enrolments {
        n += 1;
        poss += c.possible;
        att += c.attending;
        auth += c.authorised;
        unauth += c.unauthorised;
        let absent = c.absent() as f64;
        if absent / c.possible as f64 >= 0.1 {
            pa += 1;
        }
        if absent / c.possible as f64 >= 0.5 {
            sa += 1;
        }
    }
    let rate = |x: u64, of: u64| {
        if of == 0 {
            Value::Null
        } else {
            (100.0 * x as f64 / of as f64).into()
        }
    };
    serde_json::json!({
        "enrolments": n, "possible_sessions": poss, "attending_sessions": att,
        "authorised_sessions": auth, "unauthorised_sessions": unauth,
        "attendance_rate": rate(att, poss), "absence_rate": rate(auth + unauth, poss),
        "authorised_rate": rate(auth, poss), "unauthorised_rate": rate(unauth, poss),
        "pa_enrolments": pa, "pa_rate": rate(pa, n), "sa_enrolments": sa, "sa_rate": rate(sa, n),
    })
}

/// Every field of the independent calculation (`fields`) is the API's.
fn assert_same(got: &Value, want: &Value, what: &str) {
    for f in want.as_object().unwrap().keys() {
        match (got[f].as_f64(), want[f].as_f64()) {
            (Some(g), Some(w)) => {
                assert!((g - w).abs() < 1e-9, "{what} {f}: api {g}, independent {w}")
            }
            _ => assert_eq!(got[f], want[f], "{what} {f}"),
        }
    }
}

fn seeded() -> Warehouse {
    rollcall_tests::seeded_trust_on(date(2026, 11, 20), "pupils=1500,years=2,nights=2")
}

/// The API as the trust role, which sees every academy.
fn api_for_trust(w: &Warehouse) -> axum::Router {
    api_as(w, principal(queries::types::Role::Trust, &[]))
}

/// The seeded trust, its rows read back for an independent calculation, and the API as
/// the trust role.
fn seeded_with_raw() -> (Warehouse, Raw, axum::Router) {
    let w = seeded();
    let raw = read_raw(&w);
    let app = api_for_trust(&w);
    (w, raw, app)
}

/// The API's `groups` are those of the independent calculation (`per`, keyed by group
/// and pupil), with its figures.
fn assert_groups(v: &Value, per: &BTreeMap<(String, u32), Counts>, what: &str) {
    let mut groups: BTreeMap<String, Vec<Counts>> = BTreeMap::new();
    for ((g, _), c) in per {
        groups.entry(g.clone()).or_default().push(*c);
    }
    let got = v["groups"].as_array().unwrap();
    assert_eq!(got.len(), groups.len(), "{what}");
    for g in got {
        let name = g["group"].as_str().unwrap();
        let want = fields(groups[name].iter().copied());
        assert_same(g, &want, &format!("{what}: {name}"));
    }
}

fn ethnic_group(e: &Option<String>) -> String {
    match e.as_deref() {
        None | Some("REFU") | Some("NOBT") => "Unclassified".into(),
        Some("CHNE") => "Chinese".into(),
        Some(e) => match &e[..1] {
            "W" => "White",
            "M" => "Mixed",
            "A" => "Asian",
            "B" => "Black",
            _ => "Any other ethnic group",
        }
        .into(),
    }
}

fn key_stage(n: i32) -> String {
    match n {
        ..=0 => "EY",
        1..=2 => "KS1",
        3..=6 => "KS2",
        7..=9 => "KS3",
        10..=11 => "KS4",
        _ => "KS5",
    }
    .into()
}

#[tokio::test(flavor = "multi_thread")]
async fn summary_and_cohorts_match_an_independent_calculation() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let (_w, raw, app) = seeded_with_raw();
    let windows = [
        ("2025-09-01", "2026-07-31"),
        ("2026-05-18", "2026-10-16"),
        ("2026-09-01", "2026-11-20"),
    ];
    for (from, to) in windows {
        let (f, t) = (from.parse().unwrap(), to.parse().unwrap());
        for scope in ["all", "dfe"] {
            let dfe = scope == "dfe";
            let v = get_json(
                &app,
                &format!("/api/v1/summary?from={from}&to={to}&scope={scope}"),
            )
            .await;
            let per = tally(&raw, f, t, dfe, &|p, _, _| Some(p.urn.clone()));
            assert_same(
                &v["trust"],
                &fields(per.values().copied()),
                &format!("trust {from} {scope}"),
            );
            assert_eq!(
                v["academies"].as_array().unwrap().len(),
                raw.academies.len()
            );
            for a in v["academies"].as_array().unwrap() {
                let urn = a["urn"].as_str().unwrap();
                let want = fields(per.iter().filter(|((u, _), _)| u == urn).map(|(_, c)| *c));
                assert_same(a, &want, &format!("{urn} {from} {scope}"));
                assert!(raw
                    .academies
                    .iter()
                    .any(|(u, n, ph)| u == urn && a["name"] == *n && a["phase"] == *ph));
            }
            let dims: [(&str, &GroupKey); 8] = [
                ("sex", &|p, _, _| Some(p.sex.clone())),
                ("fsm", &|p, _, _| Some(if p.fsm { "Y" } else { "N" }.into())),
                ("eal", &|p, _, _| Some(if p.eal { "Y" } else { "N" }.into())),
                ("sen_provision", &|p, _, _| Some(p.sen.clone())),
                ("ethnicity", &|p, _, _| Some(ethnic_group(&p.ethnicity))),
                ("year_group", &|p, d, _| {
                    Some(year_group(p.nc_year + academic_year(d) - p.year_group_year))
                }),
                ("key_stage", &|p, d, _| {
                    Some(key_stage(p.nc_year + academic_year(d) - p.year_group_year))
                }),
                ("looked_after", &|p, _, _| {
                    Some(match p.looked_after {
                        Some(true) => "Y".into(),
                        Some(false) => "N".into(),
                        None => "U".into(),
                    })
                }),
            ];
            for (by, key) in dims {
                for academy in [None, Some(raw.academies[0].0.clone())] {
                    let q = academy
                        .as_ref()
                        .map(|u| format!("&academy={u}"))
                        .unwrap_or_default();
                    let uri =
                        format!("/api/v1/cohorts?by={by}&from={from}&to={to}&scope={scope}{q}");
                    let v = get_json(&app, &uri).await;
                    let per = tally(&raw, f, t, dfe, &|p, d, s| {
                        academy
                            .as_ref()
                            .is_none_or(|u| &p.urn == u)
                            .then(|| key(p, d, s))
                            .flatten()
                    });
                    assert_groups(&v, &per, &format!("{by} {from} {scope} {q}"));
                }
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_summary_carries_each_academys_window_and_the_same_point_last_year() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let (_w, raw, app) = seeded_with_raw();
    let v = get_json(&app, "/api/v1/summary").await;
    let date = |x: &Value| -> NaiveDate { x.as_str().unwrap().parse().unwrap() };
    // Each academy's last-year figures over its own last-year window, from the raw
    // marks; the trust's are the sum of every academy's own.
    let mut trust = Vec::new();
    for a in v["academies"].as_array().unwrap() {
        let urn = a["urn"].as_str().unwrap();
        let (from, to) = (date(&a["from"]), date(&a["to"]));
        assert!(from <= to, "{urn}");
        let last = &a["last_year"];
        assert!(last.is_object(), "{urn}: no comparison with last year: {a}");
        let (lf, lt) = (date(&last["from"]), date(&last["to"]));
        assert_eq!(academic_year(lf) + 1, academic_year(from), "{urn}");
        assert_eq!(lt.weekday(), to.weekday(), "{urn}");
        let per = tally(&raw, lf, lt, false, &|p, _, _| Some(p.urn.clone()));
        let mine: Vec<Counts> = per
            .iter()
            .filter(|((u, _), _)| u == urn)
            .map(|(_, c)| *c)
            .collect();
        assert_same(
            last,
            &fields(mine.iter().copied()),
            &format!("{urn} last year"),
        );
        trust.extend(mine);
    }
    assert_same(
        &v["trust"]["last_year"],
        &fields(trust.into_iter()),
        "trust last year",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_parameters_get_400_naming_the_parameter_and_csv_matches_json() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = seeded();
    let app = api_for_trust(&w);
    for (uri, parameter) in [
        ("/api/v1/summary?from=2025-13-01&to=2026-01-01", "from"),
        ("/api/v1/summary?from=2025-09-01", "to"),
        ("/api/v1/summary?from=2025-09-01&to=2025-08-01", "to"),
        ("/api/v1/summary?scope=everyone", "scope"),
        ("/api/v1/summary?format=xml", "format"),
        ("/api/v1/summary?window=fortnight", "window"),
        ("/api/v1/cohorts?by=shoe_size", "by"),
        ("/api/v1/cohorts", "by"),
    ] {
        let (status, body) = get(&app, uri).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{uri}");
        let v: Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["parameter"], parameter, "{uri}");
        assert!(v["error"].as_str().unwrap().starts_with(parameter), "{uri}");
    }
    let (status, _) = get(&app, "/api/v1/cohorts?by=sex&academy=999999").await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, json) = get(&app, "/api/v1/summary?from=2025-09-01&to=2026-07-31").await;
    let (status, csv) = get(
        &app,
        "/api/v1/summary?from=2025-09-01&to=2026-07-31&format=csv",
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let v: Value = serde_json::from_slice(&json).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let header = reader.headers().unwrap().clone();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), v["academies"].as_array().unwrap().len() + 1);
    let trust = rows.last().unwrap();
    for (i, h) in header.iter().enumerate().skip(4) {
        // Last year's figures are a nested object in JSON, `last_year_*` columns in CSV.
        let from_json = match h.strip_prefix("last_year_") {
            Some(k) => &v["trust"]["last_year"][k],
            None => &v["trust"][h],
        };
        let cell = &trust[i];
        match (from_json.as_f64(), from_json.as_str()) {
            (Some(x), _) => assert!((cell.parse::<f64>().unwrap() - x).abs() < 1e-9, "{h}"),
            (None, Some(s)) => assert_eq!(cell, s, "{h}"),
            (None, None) => assert_eq!(cell, "", "{h}"),
        }
    }
    assert!(
        header.iter().any(|h| h == "last_year_pa_rate"),
        "{header:?}"
    );
    // Without dates the window is the year to date.
    let v = get_json(&app, "/api/v1/summary").await;
    assert_eq!(v["from"], "2026-09-01");
    assert_eq!(v["to"], "2026-11-20");
}

/// The Monday of a date's week.
fn monday(d: NaiveDate) -> NaiveDate {
    d - chrono::Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// (URN or None for the trust, column) -> (denominator, count).
type HeatCells = BTreeMap<(Option<String>, String), (u64, u64)>;

/// Adds `(of, count)` to an academy's cell in `column` and to the trust's.
fn add_to_academy_and_trust(cells: &mut HeatCells, urn: &str, column: &str, of: u64, count: u64) {
    for place in [Some(urn.to_string()), None] {
        let e = cells.entry((place, column.to_string())).or_default();
        e.0 += of;
        e.1 += count;
    }
}

/// The cells of a heatmap answer.
fn heat_cells(v: &Value, column: &str, of: &str, count: &str) -> HeatCells {
    v["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let col = match &c[column] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            (
                (c["urn"].as_str().map(String::from), col),
                (c[of].as_u64().unwrap(), c[count].as_u64().unwrap()),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn filters_and_heatmaps_match_an_independent_calculation() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let (_w, raw, app) = seeded_with_raw();
    for (from, to) in [("2026-09-01", "2026-11-20"), ("2026-01-05", "2026-03-27")] {
        let (f, t): (NaiveDate, NaiveDate) = (from.parse().unwrap(), to.parse().unwrap());
        for scope in ["all", "dfe"] {
            let dfe = scope == "dfe";
            let q = format!("from={from}&to={to}&scope={scope}");
            let json = |uri: String| {
                let app = app.clone();
                async move { get_json(&app, &uri).await }
            };

            // Combined filters: FSM girls in key stage 2, by SEN provision.
            let v = json(format!(
                "/api/v1/cohorts?by=sen_provision&sex=F&fsm=Y&key_stage=KS2&{q}"
            ))
            .await;
            let per = tally(&raw, f, t, dfe, &|p, d, _| {
                let ks = key_stage(p.nc_year + academic_year(d) - p.year_group_year);
                (p.sex == "F" && p.fsm && ks == "KS2").then(|| p.sen.clone())
            });
            assert!(!per.is_empty(), "the seed has FSM girls in KS2");
            assert_groups(&v, &per, &format!("filtered {from} {scope}"));

            // Sessions per (academy, pupil, week).
            let weekly = tally(&raw, f, t, dfe, &|p, d, _| {
                Some(format!("{}|{}", p.urn, monday(d)))
            });
            let mut by_enrolment: BTreeMap<(String, u32), BTreeMap<String, Counts>> =
                BTreeMap::new();
            let mut weeks: Vec<String> = Vec::new();
            for ((k, pk), c) in &weekly {
                let (urn, week) = k.split_once('|').unwrap();
                by_enrolment
                    .entry((urn.to_string(), *pk))
                    .or_default()
                    .insert(week.to_string(), *c);
                weeks.push(week.to_string());
            }
            weeks.sort();
            weeks.dedup();

            // PA to date at each week's end.
            let mut want = HeatCells::new();
            for week in &weeks {
                for ((urn, _), per_week) in &by_enrolment {
                    let (mut possible, mut absent) = (0, 0);
                    for (_, c) in per_week.range(..=week.clone()) {
                        possible += c.possible;
                        absent += c.absent();
                    }
                    if possible == 0 {
                        continue;
                    }
                    let pa = u64::from(absent * 10 >= possible);
                    add_to_academy_and_trust(&mut want, urn, week, 1, pa);
                }
            }
            let v = json(format!("/api/v1/heatmap?kind=academy-week&{q}")).await;
            assert_eq!(
                heat_cells(&v, "week", "enrolments", "pa_enrolments"),
                want,
                "PA to date {from} {scope}"
            );

            // Absence over the last four school weeks (of the academy, or the trust).
            let mut sums: BTreeMap<Option<String>, BTreeMap<String, (u64, u64)>> = BTreeMap::new();
            for ((urn, _), per_week) in &by_enrolment {
                for (week, c) in per_week {
                    for place in [Some(urn.clone()), None] {
                        let e = sums
                            .entry(place)
                            .or_default()
                            .entry(week.clone())
                            .or_default();
                        e.0 += c.possible;
                        e.1 += c.absent();
                    }
                }
            }
            let mut want = BTreeMap::new();
            for (place, per_week) in &sums {
                let list: Vec<(&String, &(u64, u64))> = per_week.iter().collect();
                for i in 0..list.len() {
                    let last_four = &list[i.saturating_sub(3)..=i];
                    let possible = last_four.iter().map(|x| x.1 .0).sum::<u64>();
                    let absent = last_four.iter().map(|x| x.1 .1).sum::<u64>();
                    want.insert((place.clone(), list[i].0.clone()), (possible, absent));
                }
            }
            let v = json(format!(
                "/api/v1/heatmap?kind=academy-week&measure=rolling-absence&{q}"
            ))
            .await;
            assert_eq!(
                heat_cells(&v, "week", "possible_sessions", "absent_sessions"),
                want,
                "rolling {from} {scope}"
            );

            // Day and session.
            let per = tally(&raw, f, t, dfe, &|p, d, s| {
                Some(format!(
                    "{}|{}",
                    p.urn,
                    d.weekday().number_from_monday() * 10 + s as u32
                ))
            });
            let mut want = HeatCells::new();
            for ((k, _), c) in &per {
                let (urn, slot) = k.split_once('|').unwrap();
                let slot: u32 = slot.parse().unwrap();
                let col = format!(
                    "{}{}",
                    slot / 10,
                    if slot.is_multiple_of(10) { "AM" } else { "PM" }
                );
                add_to_academy_and_trust(&mut want, urn, &col, c.possible, c.absent());
            }
            let v = json(format!("/api/v1/heatmap?kind=day-session&{q}")).await;
            let got: HeatCells = v["cells"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| {
                    (
                        (
                            c["urn"].as_str().map(String::from),
                            format!("{}{}", c["weekday"], c["session"].as_str().unwrap()),
                        ),
                        (
                            c["possible_sessions"].as_u64().unwrap(),
                            c["absent_sessions"].as_u64().unwrap(),
                        ),
                    )
                })
                .collect();
            assert_eq!(got, want, "day and session {from} {scope}");

            // PA by year group per academy.
            let per = tally(&raw, f, t, dfe, &|p, d, _| {
                Some(format!(
                    "{}|{}",
                    p.urn,
                    year_group(p.nc_year + academic_year(d) - p.year_group_year)
                ))
            });
            let mut want = HeatCells::new();
            for ((k, _), c) in &per {
                let (urn, yg) = k.split_once('|').unwrap();
                let pa = u64::from(c.absent() * 10 >= c.possible);
                let e = want
                    .entry((Some(urn.to_string()), yg.to_string()))
                    .or_default();
                e.0 += 1;
                e.1 += pa;
            }
            let trust_rows: HeatCells = {
                let per = tally(&raw, f, t, dfe, &|p, d, _| {
                    Some(year_group(p.nc_year + academic_year(d) - p.year_group_year))
                });
                let mut m = HeatCells::new();
                for ((yg, _), c) in &per {
                    let e = m.entry((None, yg.clone())).or_default();
                    e.0 += 1;
                    e.1 += u64::from(c.absent() * 10 >= c.possible);
                }
                m
            };
            want.extend(trust_rows);
            let v = json(format!("/api/v1/heatmap?kind=academy-year&{q}")).await;
            assert_eq!(
                heat_cells(&v, "year_group", "enrolments", "pa_enrolments"),
                want,
                "year groups {from} {scope}"
            );
        }
    }
}
