//! Uploads as an attacker would send them: a zip bomb, a body too large to hold, an
//! extract for another academy. A test binary of its own, so that its peak memory is
//! the server's answer to the bomb and nothing else.

use std::io::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use queries::accounts::{self, TokenScope};
use rollcall_tests::{ExtractSpec, Warehouse};
use tower::ServiceExt;

const A: &str = "140101";
const GIB: u64 = 1 << 30;

fn upload(token: &str, body: Body) -> Request<Body> {
    Request::post("/api/v1/extracts")
        .header(header::HOST, "rollcall.test")
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .header(header::CONTENT_TYPE, "application/zip")
        .body(body)
        .unwrap()
}

/// The status `app` answers `req` with.
async fn status(app: &axum::Router, req: Request<Body>) -> StatusCode {
    app.clone().oneshot(req).await.unwrap().status()
}

/// The most memory this process has held (VmHWM), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap();
    kb * 1024
}

/// A zip with a good manifest for `A` and twenty entries that each inflate to 1 GiB of
/// zeros: 20 GiB from about 20 MB. The first entry is compressed once, streaming, and
/// copied raw.
fn bomb(dir: &std::path::Path) -> std::path::PathBuf {
    let one = dir.join("one.zip");
    {
        let mut zip = zip::ZipWriter::new(std::fs::File::create(&one).unwrap());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(true);
        zip.start_file("x/marks.csv", opts).unwrap();
        let zeros = vec![b'0'; 1 << 20];
        for _ in 0..1024 {
            zip.write_all(&zeros).unwrap();
        }
        zip.finish().unwrap();
    }
    let path = dir.join("bomb.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let spec = ExtractSpec::new(A, "2024-09-02", "2024-09-13", "2024-09-13T18:00:00Z");
    zip.start_file("x/manifest.json", zip::write::SimpleFileOptions::default())
        .unwrap();
    zip.write_all(&serde_json::to_vec(&spec.manifest()).unwrap())
        .unwrap();
    let mut source = zip::ZipArchive::new(std::fs::File::open(&one).unwrap()).unwrap();
    for i in 0..20 {
        let entry = source.by_index_raw(0).unwrap();
        assert_eq!(entry.size(), GIB);
        zip.raw_copy_file_rename(entry, format!("x/part-{i}.csv"))
            .unwrap();
    }
    zip.finish().unwrap();
    path
}

#[tokio::test(flavor = "multi_thread")]
async fn bombs_and_huge_bodies_are_refused_in_bounded_memory_and_the_server_keeps_serving() {
    let _pages = rollcall_tests::one_at_a_time().await;
    let w = Warehouse::new();
    let (_, token) =
        accounts::create_token(&w.accounts(), "mis", TokenScope::Upload, Some(A)).unwrap();
    let app = rollcall_tests::whole_server(&w);
    let dir = tempfile::tempdir().unwrap();

    // A zip whose entries inflate to 20 GiB.
    let zip = std::fs::read(bomb(dir.path())).unwrap();
    assert!(zip.len() < 64 << 20, "{} bytes", zip.len());
    let refused = status(&app, upload(&token, Body::from(zip))).await;
    assert_eq!(refused, StatusCode::BAD_REQUEST);
    let inbox = w.data_dir().join("inbox");
    let queued = std::fs::read_dir(&inbox)
        .map(|d| d.flatten().count())
        .unwrap_or(0);
    assert_eq!(queued, 0, "nothing reaches the inbox");
    let kept: Vec<String> = std::fs::read_dir(w.data_dir().join("quarantine"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        kept.iter().any(|n| n.ends_with(".zip.txt")),
        "kept with a note: {kept:?}"
    );

    // A 2 GiB body: refused on its Content-Length, before it is read.
    let pulled = Arc::new(AtomicU64::new(0));
    let stream = zeros(pulled.clone());
    let mut req = upload(&token, Body::from_stream(stream));
    req.headers_mut().insert(
        header::CONTENT_LENGTH,
        (2 * GIB).to_string().parse().unwrap(),
    );
    assert_eq!(status(&app, req).await, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(
        pulled.load(Ordering::Relaxed) <= 16 << 20,
        "{} bytes read of a refused body",
        pulled.load(Ordering::Relaxed)
    );

    // The same without a Content-Length: refused once past the cap, not held.
    let pulled = Arc::new(AtomicU64::new(0));
    let stream = zeros(pulled.clone());
    let refused = status(&app, upload(&token, Body::from_stream(stream))).await;
    assert_eq!(refused, StatusCode::PAYLOAD_TOO_LARGE);
    let read = pulled.load(Ordering::Relaxed);
    assert!(read <= (server::upload::DEFAULT_MAX_MB + 2) << 20, "{read}");

    let peak = peak_rss();
    assert!(peak < 200 << 20, "peak resident memory {} MB", peak >> 20);

    // Still serving: a good extract is queued.
    let spec = ExtractSpec::new(A, "2024-09-02", "2024-09-13", "2024-09-13T18:00:00Z")
        .pupils(&[rollcall_tests::pupil("P1")])
        .marks(&["P1,2024-09-02,AM,/,"]);
    let send_zip = |spec: ExtractSpec, name: &str| {
        let zip = std::fs::read(spec.write_zip(dir.path(), name, &[])).unwrap();
        status(&app, upload(&token, Body::from(zip)))
    };
    let queued = || std::fs::read_dir(&inbox).unwrap().flatten().count();
    assert_eq!(send_zip(spec, "good").await, StatusCode::ACCEPTED);
    assert_eq!(queued(), 1);

    // An extract for another academy: refused, and kept with its reason.
    let other = ExtractSpec::new("140102", "2024-09-02", "2024-09-13", "2024-09-13T18:00:00Z")
        .pupils(&[rollcall_tests::pupil("P1")]);
    assert_eq!(send_zip(other, "other").await, StatusCode::FORBIDDEN);
    assert_eq!(queued(), 1);
}

/// An endless body of 1 MiB chunks of zeros, counting in `pulled` what is read.
fn zeros(
    pulled: Arc<AtomicU64>,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static {
    futures_stream(move || {
        pulled.fetch_add(1 << 20, Ordering::Relaxed);
        Ok(axum::body::Bytes::from(vec![0u8; 1 << 20]))
    })
}

/// An endless stream of chunks from `next`.
fn futures_stream<F>(
    mut next: F,
) -> impl futures_util::Stream<Item = Result<axum::body::Bytes, std::io::Error>> + Send + 'static
where
    F: FnMut() -> Result<axum::body::Bytes, std::io::Error> + Send + 'static,
{
    futures_util::stream::poll_fn(move |_| std::task::Poll::Ready(Some(next())))
}
