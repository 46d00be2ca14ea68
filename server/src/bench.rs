//! `rollcall bench`: the server time of every page and API route on a loaded warehouse
//! (warm, p50 and p95 over N requests, through the real router, no network), each
//! against the floor: the aggregate the page needs computed by one raw DuckDB query.

use std::sync::Arc;
use std::time::{Duration, Instant};

use app::ssr::Warehouse;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use queries::calendar::{self, WindowKind};
use queries::Db;
use tower::ServiceExt;

use crate::Paths;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Requests per route (after 3 warm-up requests).
    #[arg(long, default_value_t = 30)]
    pub requests: usize,
    /// Only the routes containing one of these (comma-separated), e.g. `governors,sef`.
    #[arg(long, value_delimiter = ',')]
    pub only: Vec<String>,
    /// Warm-ups to time the first request after (one sample per route each).
    #[arg(long, default_value_t = 5)]
    pub warmups: usize,
    /// Then a load test over loopback: this many clients at once, each sending the
    /// routes in turn (0: none).
    #[arg(long, default_value_t = 0)]
    pub clients: usize,
    /// How long the load test runs, in seconds.
    #[arg(long, default_value_t = 60)]
    pub seconds: u64,
}

struct Timing {
    p50: Duration,
    p95: Duration,
    p99: Duration,
}

fn percentiles(mut samples: Vec<Duration>) -> Timing {
    samples.sort();
    let at =
        |q: f64| samples[((samples.len() as f64 * q).ceil() as usize).clamp(1, samples.len()) - 1];
    Timing {
        p50: at(0.5),
        p95: at(0.95),
        p99: at(0.99),
    }
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1000.0)
}

/// Peak resident memory of this process so far (VmHWM), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// One `GET uri`, timed, and the size of its body in bytes; an answer other than 200
/// is an error.
async fn time_one(app: &axum::Router, uri: &str) -> anyhow::Result<(Duration, usize)> {
    let started = Instant::now();
    let resp = app
        .clone()
        .oneshot(Request::get(uri).body(Body::empty())?)
        .await?;
    let status = resp.status();
    let body = resp.into_body().collect().await?.to_bytes();
    if status != StatusCode::OK {
        anyhow::bail!("{uri} answered {status}");
    }
    Ok((started.elapsed(), body.len()))
}

/// Times `n` requests after 3 to warm up; with `fresh`, each computes its result
/// afresh (the result cache emptied first, outside the timing). Also the body's size.
async fn time_route(
    app: &axum::Router,
    uri: &str,
    n: usize,
    fresh: Option<&Warehouse>,
) -> anyhow::Result<(Timing, usize)> {
    let mut samples = Vec::with_capacity(n);
    let mut bytes = 0;
    for i in 0..n + 3 {
        if let Some(w) = fresh {
            w.clear_results();
        }
        let (took, size) = time_one(app, uri).await?;
        bytes = size;
        if i >= 3 {
            samples.push(took);
        }
    }
    Ok((percentiles(samples), bytes))
}

/// `GET uri` over a connection of its own to `addr`: the status, once the whole answer
/// has arrived (within 30 seconds).
async fn get_over_tcp(addr: std::net::SocketAddr, uri: &str) -> anyhow::Result<u16> {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    let request = format!("GET {uri} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), stream.read_to_end(&mut answer)).await??;
    let status = answer
        .get(9..12)
        .and_then(|s| std::str::from_utf8(s).ok())
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| anyhow::anyhow!("{uri}: no HTTP status in the answer"))?;
    Ok(status)
}

/// The load test: `app` served on a loopback port of its own, `clients` at once each
/// sending `uris` in turn (from a different starting point) for `seconds`; every
/// answer but a 200 counts as an error. Bounded by its clients and its time.
async fn load_test(
    app: axum::Router,
    uris: Vec<String>,
    clients: usize,
    seconds: u64,
) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app).await });
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let uris = Arc::new(uris);
    let mut tasks = Vec::new();
    for client in 0..clients {
        let uris = uris.clone();
        tasks.push(tokio::spawn(async move {
            let (mut took, mut errors) = (Vec::new(), 0usize);
            for uri in uris.iter().cycle().skip(client) {
                if Instant::now() >= until {
                    break;
                }
                let sent = Instant::now();
                match get_over_tcp(addr, uri).await {
                    Ok(200) => took.push(sent.elapsed()),
                    Ok(status) => {
                        errors += 1;
                        tracing::warn!("load test: {uri} answered {status}");
                    }
                    Err(e) => {
                        errors += 1;
                        tracing::warn!("load test: {uri}: {e}");
                    }
                }
            }
            (took, errors)
        }));
    }
    let (mut took, mut errors) = (Vec::new(), 0);
    for task in tasks {
        let (t, e) = task.await?;
        took.extend(t);
        errors += e;
    }
    server.abort();
    let elapsed = started.elapsed().as_secs_f64();
    let answered = took.len();
    let t = percentiles(if took.is_empty() {
        vec![Duration::ZERO]
    } else {
        took
    });
    println!(
        "load test: {clients} clients, {} routes in turn, {elapsed:.0} s: {answered} answered (200), {errors} errors, {:.1} requests/s, p50 {} ms, p95 {} ms, p99 {} ms",
        uris.len(),
        answered as f64 / elapsed,
        ms(t.p50),
        ms(t.p95),
        ms(t.p99)
    );
    Ok(())
}

fn time_sql(
    db: &Db,
    sql: &str,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    n: usize,
) -> anyhow::Result<Timing> {
    let conn = db.connect()?;
    let mut samples = Vec::with_capacity(n);
    for i in 0..n + 3 {
        let started = Instant::now();
        let mut stmt = conn.prepare(sql)?;
        let rows = stmt.query_map(duckdb::params![from, to], |r| r.get::<_, Option<i64>>(0))?;
        let _ = rows.count();
        if i >= 3 {
            samples.push(started.elapsed());
        }
    }
    Ok(percentiles(samples))
}

/// The floor for the overview: every academy's and every week's sessions by category
/// in one pass over the window's marks.
const FLOOR_OVERVIEW: &str = "SELECT count(*) FROM (
    SELECT m.academy_id, date_trunc('week', m.date) AS week, m.pupil_key,
           count(*) FILTER (WHERE c.possible), count(*) FILTER (WHERE c.authorised OR c.unauthorised)
    FROM marks m JOIN codes c ON c.code = m.code
    WHERE m.date BETWEEN ? AND ? GROUP BY ALL)";
/// The floor for an academy page or a summary: sessions by category per enrolment.
const FLOOR_ENROLMENTS: &str = "SELECT count(*) FROM (
    SELECT m.academy_id, m.pupil_key,
           count(*) FILTER (WHERE c.possible), count(*) FILTER (WHERE c.authorised OR c.unauthorised)
    FROM marks m JOIN codes c ON c.code = m.code
    WHERE m.date BETWEEN ? AND ? GROUP BY ALL)";

pub fn run(paths: &Paths, args: BenchArgs) -> anyhow::Result<std::process::ExitCode> {
    let db = Arc::new(Db::open(&paths.database())?);
    let conn = db.connect()?;
    let marks: i64 = conn.query_row("SELECT count(*) FROM marks", [], |r| r.get(0))?;
    let pupils: i64 = conn.query_row("SELECT count(*) FROM pupils", [], |r| r.get(0))?;
    let academies = queries::figures::academies(&conn)?;
    let cal = queries::figures::calendar(&conn)?;
    let ytd =
        calendar::resolve(&cal, WindowKind::YearToDate, None, None).map_err(anyhow::Error::msg)?;
    drop(conn);
    let first = academies
        .first()
        .ok_or_else(|| anyhow::anyhow!("nothing loaded in {}", paths.database().display()))?
        .urn
        .clone();
    let routes: Vec<(String, &str)> = vec![
        ("/".into(), FLOOR_OVERVIEW),
        ("/?window=ytd&scope=dfe".into(), FLOOR_OVERVIEW),
        (format!("/academy/{first}"), FLOOR_ENROLMENTS),
        ("/loads".into(), ""),
        ("/api/v1/summary".into(), FLOOR_ENROLMENTS),
        ("/api/v1/summary?format=csv".into(), FLOOR_ENROLMENTS),
        ("/api/v1/cohorts?by=fsm".into(), FLOOR_ENROLMENTS),
        ("/api/v1/cohorts?by=year_group".into(), FLOOR_ENROLMENTS),
        (
            format!("/api/v1/cohorts?by=ethnicity&academy={first}"),
            FLOOR_ENROLMENTS,
        ),
        ("/cohorts".into(), FLOOR_ENROLMENTS),
        (
            "/cohorts?by=year_group&sex=F&fsm=Y".into(),
            FLOOR_ENROLMENTS,
        ),
        ("/heatmaps".into(), FLOOR_OVERVIEW),
        (
            "/heatmaps?kind=academy-week&measure=rolling-absence".into(),
            FLOOR_OVERVIEW,
        ),
        ("/heatmaps?kind=academy-year".into(), FLOOR_ENROLMENTS),
        ("/heatmaps?kind=day-session".into(), FLOOR_ENROLMENTS),
        (
            format!("/heatmaps?kind=pupils&academy={first}"),
            FLOOR_OVERVIEW,
        ),
        ("/api/v1/heatmap?kind=academy-week".into(), FLOOR_OVERVIEW),
        ("/api/v1/heatmap?kind=day-session".into(), FLOOR_ENROLMENTS),
        ("/provision".into(), ""),
        (format!("/provision/report/{first}"), ""),
        ("/api/v1/provision?kind=ap".into(), ""),
        ("/actions".into(), FLOOR_ENROLMENTS),
        ("/actions?list=penalty".into(), FLOOR_ENROLMENTS),
        ("/data-quality".into(), ""),
        ("/api/v1/actions?list=cme".into(), FLOOR_ENROLMENTS),
        ("/api/v1/actions?list=penalty".into(), FLOOR_ENROLMENTS),
        ("/api/v1/actions?list=thresholds".into(), FLOOR_ENROLMENTS),
        ("/api/v1/provision?kind=reduced-timetable".into(), ""),
        ("/notifications".into(), FLOOR_ENROLMENTS),
        ("/api/v1/notifications".into(), FLOOR_ENROLMENTS),
        ("/impact".into(), FLOOR_ENROLMENTS),
        (format!("/governors?place={first}"), FLOOR_ENROLMENTS),
        ("/governors".into(), FLOOR_ENROLMENTS),
        ("/governors/summary.pdf".into(), FLOOR_ENROLMENTS),
        (format!("/academy/{first}/sef"), FLOOR_ENROLMENTS),
        (format!("/academy/{first}/sef.pdf"), FLOOR_ENROLMENTS),
        (format!("/academy/{first}/sef/trend.png"), ""),
    ];
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Leptos's route set-up spawns onto the runtime it finds.
    let _entered = runtime.enter();
    // The work behind the guard, as the trust role sees it (the guard's own account
    // look-up is not in these figures).
    let trust = queries::types::Principal {
        actor: "bench".into(),
        name: "Bench".into(),
        role: queries::types::Role::Trust,
        academies: Vec::new(),
    };
    // One set of routes (Leptos's route set-up is not to be run twice in a process),
    // timed with every result computed afresh (the work a page does after each night's
    // load), then as the server runs, where repeat requests share the result until the
    // next load.
    let warehouse = Warehouse::new(db.clone());
    let app = crate::serve::app_routes(
        warehouse.clone(),
        crate::serve::leptos_options("127.0.0.1:3000".parse()?),
    )
    .layer(axum::Extension(trust));
    println!(
        "warehouse: {} academies, {pupils} enrolments, {marks} marks; window {} ({} to {}); {} requests per route",
        academies.len(),
        ytd.name,
        ytd.from,
        ytd.to,
        args.requests
    );
    let chosen =
        |uri: &str| args.only.is_empty() || args.only.iter().any(|o| uri.contains(o.as_str()));
    let routes: Vec<&(String, &str)> = routes.iter().filter(|(uri, _)| chosen(uri)).collect();
    // The first request after a load with the warm-up the server runs: each round
    // empties the cache, warms up, then sends every route once.
    let mut after_warm_up: Vec<Vec<Duration>> = vec![Vec::new(); routes.len()];
    for _ in 0..args.warmups {
        warehouse.clear_results();
        let started = Instant::now();
        let done = runtime.block_on(warehouse.warm())?;
        println!(
            "warm-up: {} reports for {} kinds of viewer in {} ms",
            done.reports,
            done.viewers,
            ms(started.elapsed())
        );
        for (samples, (uri, _)) in after_warm_up.iter_mut().zip(&routes) {
            samples.push(runtime.block_on(time_one(&app, uri))?.0);
        }
    }
    println!(
        "| route | cold p50 ms | cold p95 ms | after warm-up p50 ms | after warm-up p95 ms | warm p50 ms | warm p95 ms | floor p50 ms | cold / floor | after warm-up / floor | kB |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for ((uri, floor_sql), first) in routes.iter().zip(after_warm_up) {
        let (cold, _) = runtime.block_on(time_route(&app, uri, args.requests, Some(&warehouse)))?;
        let (warm, bytes) = runtime.block_on(time_route(&app, uri, args.requests, None))?;
        let first = (!first.is_empty()).then(|| percentiles(first));
        let (floor, ratios) = if floor_sql.is_empty() {
            ("–".to_string(), "– | –".to_string())
        } else {
            let f = time_sql(&db, floor_sql, ytd.from, ytd.to, args.requests)?;
            let ratio = |t: Duration| format!("{:.2}", t.as_secs_f64() / f.p50.as_secs_f64());
            let after = first.as_ref().map_or("–".to_string(), |t| ratio(t.p50));
            (ms(f.p50), format!("{} | {after}", ratio(cold.p50)))
        };
        let (first_p50, first_p95) = first
            .as_ref()
            .map_or(("–".into(), "–".into()), |t| (ms(t.p50), ms(t.p95)));
        println!(
            "| `{uri}` | {} | {} | {first_p50} | {first_p95} | {} | {} | {floor} | {ratios} | {:.0} |",
            ms(cold.p50),
            ms(cold.p95),
            ms(warm.p50),
            ms(warm.p95),
            bytes as f64 / 1000.0
        );
    }
    if args.clients > 0 {
        let uris = routes.iter().map(|(uri, _)| uri.clone()).collect();
        runtime.block_on(load_test(app, uris, args.clients, args.seconds))?;
    }
    if let Some(mib) = peak_rss_mib() {
        println!("peak resident memory: {mib:.0} MiB");
    }
    Ok(std::process::ExitCode::SUCCESS)
}
