//! Helpers for Rollcall's integration tests: extracts built by hand, exactly as the
//! contract (extract-format.md) describes them, and snapshots of the warehouse.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use queries::db::Connection;
use queries::{Db, LoadOutcome, Loader, Status, TrustConfig};

pub const PUPILS_HEADER: &str = "pupil_id,upn,surname,forename,date_of_birth,sex,year_group,entry_date,leaving_date,sen_provision,fsm,eal,ethnicity,looked_after";
pub const MARKS_HEADER: &str = "pupil_id,date,session,code,minutes_late";

/// The password every test account is given.
pub const PASSWORD: &str = "a long test password";

/// Adds an account with the test password.
pub fn add_account(
    conn: &queries::accounts::Conn,
    email: &str,
    name: &str,
    role: queries::types::Role,
    academies: &[String],
) {
    queries::accounts::add_user(conn, email, name, role, academies, PASSWORD, false).unwrap();
}

/// A date, for fixtures: `date(2025, 1, 6)`.
pub fn date(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The present mark for a session: `/` in the morning (0), `\` in the afternoon.
pub fn present(session: u8) -> &'static str {
    if session == 0 {
        "/"
    } else {
        "\\"
    }
}

/// A register code function for [`register`]: `code` where `when(date, session)`,
/// present otherwise.
pub fn present_but(
    code: &'static str,
    when: impl Fn(chrono::NaiveDate, u8) -> bool,
) -> impl Fn(chrono::NaiveDate, u8) -> &'static str {
    move |day, s| if when(day, s) { code } else { present(s) }
}

/// Asserts that a load went in, with its report as the message.
#[track_caller]
pub fn assert_loaded(o: &LoadOutcome) {
    assert_eq!(o.status, Status::Loaded, "{}", o.report_text());
}

/// Asserts that a load went in whole: loaded, and no row rejected.
#[track_caller]
pub fn assert_loaded_whole(o: &LoadOutcome) {
    assert_loaded(o);
    assert_eq!(o.rows_rejected(), 0, "{}", o.report_text());
}

/// A pupils.csv row with sensible values for everything but the id.
pub fn pupil(id: &str) -> String {
    format!("{id},,Smith,Alex,2015-01-10,F,5,2021-09-01,,N,N,N,WBRI,N")
}

/// An extract to write as a folder or a zip; the manifest's counts and hashes are
/// computed from the files unless a test overrides them.
#[derive(Clone)]
pub struct ExtractSpec {
    pub urn: String,
    pub name: String,
    pub phase: String,
    pub extracted_at: String,
    pub from: String,
    pub to: String,
    pub files: Vec<(String, Vec<u8>)>,
    /// Applied to the manifest JSON after it is built.
    pub tweak: Option<fn(&mut serde_json::Value)>,
    pub omit_manifest: bool,
}

impl ExtractSpec {
    pub fn new(urn: &str, from: &str, to: &str, extracted_at: &str) -> Self {
        ExtractSpec {
            urn: urn.into(),
            name: format!("Academy {urn}"),
            phase: "primary".into(),
            extracted_at: extracted_at.into(),
            from: from.into(),
            to: to.into(),
            files: Vec::new(),
            tweak: None,
            omit_manifest: false,
        }
    }

    pub fn file(mut self, name: &str, bytes: impl Into<Vec<u8>>) -> Self {
        self.files.retain(|(n, _)| n != name);
        self.files.push((name.into(), bytes.into()));
        self
    }

    /// pupils.csv from rows (the header is added).
    pub fn pupils(self, rows: &[String]) -> Self {
        let text = std::iter::once(PUPILS_HEADER.to_string())
            .chain(rows.iter().cloned())
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        self.file("pupils.csv", text)
    }

    /// marks.csv from rows like `P1,2025-01-06,AM,/,` (the header is added).
    pub fn marks<S: AsRef<str>>(self, rows: &[S]) -> Self {
        let text = std::iter::once(MARKS_HEADER)
            .chain(rows.iter().map(AsRef::as_ref))
            .collect::<Vec<_>>()
            .join("\n")
            + "\n";
        self.file("marks.csv", text)
    }

    /// The same extract taken at another time (`extracted_at`).
    pub fn taken_at(mut self, extracted_at: &str) -> Self {
        self.extracted_at = extracted_at.into();
        self
    }

    pub fn manifest(&self) -> serde_json::Value {
        let mut files = serde_json::Map::new();
        for (name, bytes) in &self.files {
            files.insert(
                name.clone(),
                serde_json::json!({
                    "rows": queries::extract::count_rows(bytes),
                    "sha256": queries::extract::sha256_hex(bytes),
                }),
            );
        }
        let mut m = serde_json::json!({
            "format": "attendance-extract/1",
            "academy": {"urn": self.urn, "name": self.name, "phase": self.phase,
                        "local_authority": "Bedford"},
            "extracted_at": self.extracted_at,
            "source_system": "SIMS",
            "marks_from": self.from,
            "marks_to": self.to,
            "files": files,
        });
        if let Some(t) = self.tweak {
            t(&mut m);
        }
        m
    }

    pub fn write_dir(&self, parent: &Path, name: &str) -> PathBuf {
        let dir = parent.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        for (file, bytes) in &self.files {
            std::fs::write(dir.join(file), bytes).unwrap();
        }
        if !self.omit_manifest {
            std::fs::write(
                dir.join("manifest.json"),
                serde_json::to_vec_pretty(&self.manifest()).unwrap(),
            )
            .unwrap();
        }
        dir
    }

    /// A zip with the files inside a folder, as MIS exports do; `extra` entries are
    /// added with their names as given (for zip-safety tests).
    pub fn write_zip(&self, parent: &Path, name: &str, extra: &[(&str, &[u8])]) -> PathBuf {
        let path = parent.join(format!("{name}.zip"));
        let file = std::fs::File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        let mut entries: Vec<(String, Vec<u8>)> = self
            .files
            .iter()
            .map(|(n, b)| (format!("{name}/{n}"), b.clone()))
            .collect();
        if !self.omit_manifest {
            entries.push((
                format!("{name}/manifest.json"),
                serde_json::to_vec_pretty(&self.manifest()).unwrap(),
            ));
        }
        for (n, b) in &entries {
            zip.start_file(n.as_str(), opts).unwrap();
            zip.write_all(b).unwrap();
        }
        for (n, b) in extra {
            zip.start_file(*n, opts).unwrap();
            zip.write_all(b).unwrap();
        }
        zip.finish().unwrap();
        path
    }
}

/// Monday to Friday in each inclusive range, in order: a hand-built extract's school days.
pub fn weekdays(ranges: &[(chrono::NaiveDate, chrono::NaiveDate)]) -> Vec<chrono::NaiveDate> {
    use chrono::Datelike;
    ranges
        .iter()
        .flat_map(|(from, to)| from.iter_days().take_while(move |d| d <= to))
        .filter(|d| d.weekday().number_from_monday() <= 5)
        .collect()
}

/// A pupil's marks.csv rows: `code(date, session)` (0 AM, 1 PM) for every day and session.
pub fn register(
    id: &str,
    days: &[chrono::NaiveDate],
    code: impl Fn(chrono::NaiveDate, u8) -> &'static str,
) -> Vec<String> {
    days.iter()
        .flat_map(|day| {
            [0u8, 1].map(|s| {
                format!(
                    "{id},{day},{},{},",
                    if s == 0 { "AM" } else { "PM" },
                    code(*day, s)
                )
            })
        })
        .collect()
}

/// Each pupil's marks.csv rows, as [`register`] with `code(id, date, session)`.
pub fn registers(
    ids: impl IntoIterator<Item = String>,
    days: &[chrono::NaiveDate],
    code: impl Fn(&str, chrono::NaiveDate, u8) -> &'static str,
) -> Vec<String> {
    ids.into_iter()
        .flat_map(|id| register(&id, days, |day, s| code(&id, day, s)))
        .collect()
}

/// A trust from the seed generator (`scale` as `rollcall seed --scale` takes it, as of
/// 14 March 2025), every extract loaded.
pub fn seeded_trust(scale: &str) -> Warehouse {
    seeded_trust_on(date(2025, 3, 14), scale)
}

/// [`seeded_trust`] as of `today`.
pub fn seeded_trust_on(today: chrono::NaiveDate, scale: &str) -> Warehouse {
    let w = Warehouse::new();
    let mut opts = seed_data::SeedOptions::demo(today);
    opts.apply_scale(scale).unwrap();
    for e in seed_data::generate(&opts, &w.dir.path().join("seed"), &mut |_, _, _| {})
        .unwrap()
        .extracts
    {
        assert_eq!(w.load(&e).status, queries::Status::Loaded);
    }
    w
}

/// A warehouse in a temp folder, loaded through the real loader.
pub struct Warehouse {
    pub dir: tempfile::TempDir,
    pub db: Arc<Db>,
    pub config: TrustConfig,
}

impl Warehouse {
    pub fn new() -> Self {
        Self::with_config(TrustConfig::default())
    }

    pub fn with_config(config: TrustConfig) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Db::open(&dir.path().join("data/rollcall.duckdb")).unwrap());
        Warehouse { dir, db, config }
    }

    pub fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    pub fn inputs(&self) -> PathBuf {
        let p = self.dir.path().join("in");
        std::fs::create_dir_all(&p).unwrap();
        p
    }

    /// Loads `path` through the real loader, and checks that the figures it keeps per
    /// day still equal the same figures made afresh from the marks, whatever the load did.
    pub fn load(&self, path: &Path) -> LoadOutcome {
        let outcome = Loader::new(&self.db, &self.config)
            .with_store(&self.data_dir())
            .load(path)
            .unwrap();
        assert_day_figures_fresh(&self.conn());
        outcome
    }

    /// Writes `spec` as a folder named `name` and loads it.
    pub fn load_spec(&self, spec: &ExtractSpec, name: &str) -> LoadOutcome {
        let dir = spec.write_dir(&self.inputs(), name);
        self.load(&dir)
    }

    /// The database shared, as the web server holds it.
    pub fn shared(&self) -> Arc<Db> {
        self.db.clone()
    }

    pub fn conn(&self) -> Connection {
        self.db.connect().unwrap()
    }

    /// A connection to the accounts store (accounts, tokens, the audit log).
    pub fn accounts(&self) -> queries::accounts::Conn {
        self.db.accounts().connect().unwrap()
    }

    /// How many audit log entries `filter` (an SQL condition) matches.
    pub fn audited(&self, filter: &str) -> i64 {
        self.accounts()
            .query_row(
                &format!("SELECT count(*) FROM audit_log WHERE {filter}"),
                [],
                |r| r.get(0),
            )
            .unwrap()
    }

    /// From now on every audit write fails (the store refuses new entries).
    pub fn break_audit_log(&self) {
        self.accounts()
            .execute_batch(
                "CREATE TRIGGER audit_log_broken BEFORE INSERT ON audit_log
                 BEGIN SELECT RAISE(ABORT, 'broken by the test'); END;",
            )
            .unwrap();
    }

    pub fn count(&self, sql: &str) -> i64 {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// The one text value `sql` selects.
    pub fn string(&self, sql: &str) -> String {
        self.conn().query_row(sql, [], |r| r.get(0)).unwrap()
    }

    /// Writes `spec` as a folder named `name`, loads it and asserts that it went in
    /// whole (no row rejected).
    #[track_caller]
    pub fn load_whole(&self, spec: &ExtractSpec, name: &str) -> LoadOutcome {
        let o = self.load_spec(spec, name);
        assert_loaded_whole(&o);
        o
    }

    /// Every mark as `pupil_id date session code`, sorted.
    pub fn marks(&self) -> Vec<String> {
        query_rows(
            &self.conn(),
            "SELECT p.pupil_id || ' ' || m.date::VARCHAR || ' ' ||
                    CASE m.session WHEN 0 THEN 'AM' ELSE 'PM' END || ' ' || m.code::VARCHAR
             FROM marks m JOIN pupils p USING (pupil_key) ORDER BY 1",
            |r| r.get(0),
        )
    }
}

impl Default for Warehouse {
    fn default() -> Self {
        Self::new()
    }
}

/// The figures the loader keeps per day (`enrolment_days`, `academy_days`,
/// `unmarked_sessions`) are exactly
/// what the marks, spells and pupils now give, row for row.
#[track_caller]
pub fn assert_day_figures_fresh(conn: &Connection) {
    for (table, afresh) in [
        ("enrolment_days", "enrolment_days_from_marks(NULL)"),
        ("academy_days", "academy_days_from_marks(NULL)"),
        ("unmarked_sessions", "unmarked_sessions_from_marks(NULL)"),
    ] {
        let differ = |a: &str, b: &str| -> Vec<String> {
            query_rows(
                conn,
                &format!("SELECT CAST(x AS VARCHAR) FROM (FROM {a} EXCEPT ALL FROM {b}) x LIMIT 5"),
                |r| r.get(0),
            )
        };
        let (stale, missing) = (differ(table, afresh), differ(afresh, table));
        assert!(
            stale.is_empty() && missing.is_empty(),
            "{table} is not what the marks give: kept but wrong {stale:?}; missing {missing:?}"
        );
    }
}

/// Every row of `sql`, each read by `row`.
pub fn query_rows<T>(
    conn: &Connection,
    sql: &str,
    row: impl FnMut(&duckdb::Row<'_>) -> duckdb::Result<T>,
) -> Vec<T> {
    conn.prepare(sql)
        .unwrap()
        .query_map([], row)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

/// Everything the loader writes, summarised: equal snapshots mean an unchanged warehouse.
pub fn snapshot(conn: &Connection) -> Vec<String> {
    let queries = [
        "SELECT 'academies ' || count(*) || ' ' || coalesce(sum(hash(urn, name, phase, local_authority)), 0) FROM academies",
        "SELECT 'pupils ' || count(*) || ' ' || coalesce(sum(hash(pupil_key, academy_id, pupil_id, surname, sex, nc_year, entry_date, leaving_date, fsm)), 0) FROM pupils",
        "SELECT 'marks ' || count(*) || ' ' || coalesce(sum(hash(academy_id, pupil_key, date, session, code, minutes_late)), 0) FROM marks",
        "SELECT 'ap ' || count(*) || ' ' || coalesce(sum(hash(pupil_key, provider, start_date)), 0) FROM ap_placements",
        "SELECT 'rt ' || count(*) || ' ' || coalesce(sum(hash(pupil_key, start_date, planned_end_date)), 0) FROM reduced_timetables",
        "SELECT 'enrolment_days ' || count(*) || ' ' || coalesce(sum(hash(academy_id, pupil_key, date, dfe_scope, possible, attending, authorised, unauthorised, unexplained, missing, am_code, pm_code)), 0) FROM enrolment_days",
        "SELECT 'academy_days ' || count(*) || ' ' || coalesce(sum(hash(academy_id, date, marks, school_day)), 0) FROM academy_days",
        "SELECT 'unmarked_sessions ' || count(*) || ' ' || coalesce(sum(hash(academy_id, pupil_key, date, session)), 0) FROM unmarked_sessions",
        "SELECT 'loads ' || count(*) || ' ' || count(*) FILTER (WHERE status = 'loaded') FROM loads",
        "SELECT 'rejected_rows ' || count(*) FROM rejected_rows",
    ];
    queries
        .iter()
        .map(|q| conn.query_row(q, [], |r| r.get::<_, String>(0)).unwrap())
        .collect()
}

/// `GET uri` on a router: the status and the body.
pub async fn get(app: &axum::Router, uri: &str) -> (axum::http::StatusCode, Vec<u8>) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let resp = app
        .clone()
        .oneshot(
            axum::http::Request::get(uri)
                .body(axum::body::Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, body)
}

/// `GET uri` on a router, which must answer 200 (the message names the URI): the body
/// as JSON.
pub async fn get_json(app: &axum::Router, uri: &str) -> serde_json::Value {
    let (status, body) = get(app, uri).await;
    assert_eq!(
        status,
        axum::http::StatusCode::OK,
        "{uri}: {}",
        String::from_utf8_lossy(&body)
    );
    serde_json::from_slice(&body).unwrap()
}

/// A form posted as a browser with JavaScript on would (same origin, answer as JSON),
/// with the session `cookie` if any: the status, the body, and the session cookie set.
pub async fn post_form(
    app: &axum::Router,
    uri: &str,
    cookie: Option<&str>,
    body: String,
) -> (axum::http::StatusCode, String, Option<String>) {
    use axum::http::header;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::post(uri)
        .header(header::HOST, "rollcall.test")
        .header(header::ORIGIN, "http://rollcall.test")
        .header(header::ACCEPT, "application/json")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    let resp = app
        .clone()
        .oneshot(req.body(axum::body::Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = resp.status();
    let set_cookie = resp
        .headers()
        .get(header::SET_COOKIE)
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_string());
    let body = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        String::from_utf8_lossy(&body).into_owned(),
        set_cookie,
    )
}

/// Signs in through the sign-in form: the session cookie (`name=value`).
pub async fn sign_in_with(app: &axum::Router, email: &str, password: &str) -> Option<String> {
    let form = format!(
        "email={}&password={}&next=/",
        email.replace('@', "%40"),
        password.replace(' ', "+")
    );
    let (status, _, cookie) = post_form(app, "/session", None, form).await;
    assert_eq!(status, axum::http::StatusCode::SEE_OTHER);
    cookie.filter(|_| status == axum::http::StatusCode::SEE_OTHER)
}

/// The path of the server function `name` (the name, then its hash, so that
/// `get_provision` is not `get_provision_report`).
pub fn server_fn_path(name: &str) -> String {
    leptos::server_fn::axum::server_fn_paths()
        .find(|(p, _)| {
            p.trim_start_matches("/api/")
                .strip_prefix(name)
                .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
        })
        .map(|(p, _)| p.to_string())
        .unwrap_or_else(|| panic!("server function {name}"))
}

/// The whole server, its guard included, over `w` (not in demo mode).
pub fn whole_server(w: &Warehouse) -> axum::Router {
    server::serve::router(
        app::ssr::Warehouse::new(w.shared()),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
        server::auth::Auth::new(w.shared(), false),
        false,
        w.data_dir().join("inbox"),
    )
}

/// The whole server over `w` with `w`'s trust config (letters, contacts, thresholds).
pub fn whole_server_configured(w: &Warehouse) -> axum::Router {
    server::serve::router(
        app::ssr::Warehouse::new(w.shared()).with_config(&w.config),
        server::serve::leptos_options("127.0.0.1:3000".parse().unwrap()),
        server::auth::Auth::new(w.shared(), false),
        false,
        w.data_dir().join("inbox"),
    )
}

/// The API's routes on `w` as `who` (what the guard would attach).
pub fn api_as(w: &Warehouse, who: queries::types::Principal) -> axum::Router {
    server::api::routes(app::ssr::Warehouse::new(w.shared())).layer(axum::Extension(who))
}

/// A signed-in principal for tests: `academies` empty is the whole trust.
pub fn principal(role: queries::types::Role, academies: &[&str]) -> queries::types::Principal {
    queries::types::Principal {
        actor: format!("{}@trust.test", role.as_str()),
        name: role.as_str().to_string(),
        role,
        academies: academies.iter().map(|a| a.to_string()).collect(),
    }
}

/// Held by each test that renders pages through the whole server, so that no two do at
/// once in one test process. Each `#[tokio::test]` runs its own runtime, and Leptos's
/// reactive system is process-wide: two runtimes rendering pages at once left a page's
/// render waiting for ever, about one run in twenty under load (the server itself runs
/// one runtime). The guard is released when the test ends, pass or fail.
pub async fn one_at_a_time() -> tokio::sync::MutexGuard<'static, ()> {
    static PAGES: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    PAGES.lock().await
}

/// A PDF's text, as poppler's `pdftotext -layout` reads it (pages end with a form feed).
pub fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("read.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout".as_ref(), path.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils) is installed");
    assert!(out.status.success(), "pdftotext: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// A request through `app` as a browser on this site would send it (same origin), with
/// the session `cookie`: the status, the content type, and the body's bytes.
pub async fn send_bytes(
    app: &axum::Router,
    method: &str,
    uri: &str,
    cookie: &str,
    body: String,
) -> (axum::http::StatusCode, String, Vec<u8>) {
    use axum::http::header;
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let req = axum::http::Request::builder()
        .method(method)
        .uri(uri)
        .header(header::HOST, "rollcall.test")
        .header(header::ORIGIN, "http://rollcall.test")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .header(header::COOKIE, cookie)
        .body(axum::body::Body::from(body))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|c| c.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    (status, kind, body)
}

/// pupils.csv rows for `ids`: each id its own surname, forename "Pupil", Year 8 on roll
/// from 1 September 2024.
pub fn year8_pupils(ids: &[&str]) -> Vec<String> {
    ids.iter()
        .map(|p| format!("{p},,{p},Pupil,2012-10-01,F,8,2024-09-01,,N,N,N,WBRI,N"))
        .collect()
}

/// marks.csv rows for `ids` on `days`, as [`registers`], the code chosen by the pupil,
/// the day's index in `days` and the session.
pub fn registers_by_index(
    ids: &[&str],
    days: &[chrono::NaiveDate],
    code: impl Fn(&str, usize, u8) -> &'static str,
) -> Vec<String> {
    registers(ids.iter().map(|p| p.to_string()), days, |p, day, s| {
        code(p, days.iter().position(|x| *x == day).unwrap(), s)
    })
}

/// Records an action with no text on a pupil's case as staff of `urn`, through the store.
pub fn record_plain(
    w: &Warehouse,
    urn: &str,
    pupil: &str,
    kind: queries::cases::ActionKind,
    on: chrono::NaiveDate,
) {
    let who = principal(queries::types::Role::Academy, &[urn]);
    let action = queries::cases::Checked {
        kind,
        on,
        outcome: String::new(),
        next_step: String::new(),
        next_due: None,
    };
    queries::cases::record(&mut w.accounts(), &who, urn, pupil, &action).unwrap();
}

/// A [`queries::types::Figures`]' seven counts, in the portable queries' order.
pub fn counts(f: &queries::types::Figures) -> [u64; 7] {
    [
        f.enrolments,
        f.possible_sessions,
        f.attending_sessions,
        f.authorised_sessions,
        f.unauthorised_sessions,
        f.pa_enrolments,
        f.sa_enrolments,
    ]
}

/// The warehouse's own figures in the lake's portable queries' shape
/// (`queries::lake::PORTABLE`): by academy, and by characteristic per academy (no
/// filter), sorted.
pub fn warehouse_figures(
    conn: &duckdb::Connection,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
    scope: queries::types::Scope,
) -> [Vec<queries::lake::PortableRow>; 2] {
    let (academies, _) = queries::figures::by_academy(conn, from, to, scope).unwrap();
    let mut by_academy: Vec<queries::lake::PortableRow> = academies
        .into_iter()
        .map(|(a, f)| (vec![a.urn], counts(&f)))
        .collect();
    let mut by_cohort: Vec<queries::lake::PortableRow> = queries::cohorts::figures(
        conn,
        from,
        to,
        scope,
        None,
        &queries::types::CohortFilter::default(),
    )
    .unwrap()
    .into_iter()
    .filter_map(|r| {
        let urn = r.urn?;
        let dimension = r.dimension.map_or("all", |d| d.as_str());
        Some((
            vec![dimension.to_string(), urn, r.group],
            counts(&r.figures),
        ))
    })
    .collect();
    by_academy.sort();
    by_cohort.sort();
    [by_academy, by_cohort]
}

/// The trust the lake tests export: the seed trust (three primary academies, two
/// academic years); an academy that joined in January 2025 with registers from then
/// only (an autumn window has an academy with no rows) and a pupil with two spells; and
/// a secondary's summer term 2024 with 14, 15 and 16-year-olds, the 15-year-olds absent
/// every afternoon of the second half (DfE's scope removes those sessions).
pub fn lake_trust() -> Warehouse {
    let w = seeded_trust("academies=3,pupils=150,years=2,nights=1");
    let days = weekdays(&[(date(2025, 1, 6), date(2025, 3, 14))]);
    let ids: Vec<String> = (1..=12).map(|i| format!("J{i}")).collect();
    // J2 left at the end of January and was re-admitted after half term: two spells.
    // The MIS sent the off-roll days' registers too (absent, `O`): they count nowhere.
    let mut pupils: Vec<String> = ids
        .iter()
        .filter(|id| *id != "J2")
        .map(|id| pupil(id))
        .collect();
    pupils.push("J2,,Smith,Sam,2015-01-10,M,5,2021-09-01,2025-01-31,N,N,N,WBRI,N".into());
    pupils.push("J2,,Smith,Sam,2015-01-10,M,5,2025-02-24,,N,N,N,WBRI,N".into());
    let off_roll = |d: &chrono::NaiveDate| *d > date(2025, 1, 31) && *d < date(2025, 2, 24);
    let on_roll: Vec<chrono::NaiveDate> = days.iter().copied().filter(|d| !off_roll(d)).collect();
    let mut marks = registers(
        ids.iter().filter(|id| *id != "J2").cloned(),
        &days,
        |id, _, s| if id == "J1" && s == 0 { "N" } else { "/" },
    );
    marks.extend(register(
        "J2",
        &on_roll,
        |_, s| if s == 1 { "O" } else { "/" },
    ));
    let gap: Vec<chrono::NaiveDate> = days.iter().copied().filter(off_roll).collect();
    marks.extend(register("J2", &gap, |_, _| "O"));
    let spec = ExtractSpec::new("149901", "2025-01-06", "2025-03-14", "2025-03-14T02:00:00Z")
        .pupils(&pupils)
        .marks(&marks);
    assert_loaded_whole(&w.load_spec(&spec, "joined-in-january"));

    let summer = weekdays(&[
        (date(2024, 4, 15), date(2024, 5, 24)),
        (date(2024, 6, 3), date(2024, 7, 19)),
    ]);
    let second_half = date(2024, 6, 3);
    let born = |id: &str| match id {
        "S1" | "S2" | "S3" | "S4" | "S5" => ("2008-03-01", "11"),
        "S6" | "S7" | "S8" => ("2009-03-01", "10"),
        _ => ("2007-03-01", "12"),
    };
    let ids: Vec<String> = (1..=10).map(|i| format!("S{i}")).collect();
    let pupils: Vec<String> = ids
        .iter()
        .map(|id| {
            let (dob, year) = born(id);
            format!("{id},,Jones,Kim,{dob},F,{year},2019-09-01,,N,N,N,WBRI,N")
        })
        .collect();
    let marks = registers(ids.clone(), &summer, |id, d, s| {
        let fifteen = born(id).0 == "2008-03-01";
        if (fifteen && d >= second_half && s == 1) || (id == "S9" && s == 0) {
            "O"
        } else {
            "/"
        }
    });
    let mut spec = ExtractSpec::new(
        SUMMER_URN,
        "2024-04-15",
        "2024-07-19",
        "2024-07-20T02:00:00Z",
    )
    .pupils(&pupils)
    .marks(&marks);
    spec.phase = "secondary".into();
    assert_loaded_whole(&w.load_spec(&spec, "summer-term"));
    w
}

/// The windows the lake's checks run over: the whole of both years of [`lake_trust`]
/// (across a summer term, so DfE's scope removes 15-year-olds' sessions) and one autumn
/// term.
pub fn lake_windows() -> [(chrono::NaiveDate, chrono::NaiveDate); 2] {
    [
        (date(2023, 9, 1), date(2025, 3, 14)),
        (date(2024, 9, 1), date(2024, 12, 20)),
    ]
}

/// The secondary with only the summer term 2024 in [`lake_trust`].
pub const SUMMER_URN: &str = "149902";

/// The late academy's URN in [`lake_trust`].
pub const LATE_URN: &str = "149901";
