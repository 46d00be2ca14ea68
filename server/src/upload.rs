//! `POST /api/v1/extracts`: an academy's MIS (or a connector) pushes a nightly extract
//! as a `.zip` body with an `upload` token for that academy.
//!
//! Nothing an uploader sends is held in memory: the body streams to a file, refused
//! early past [`Uploads::max_bytes`] (at once when its `Content-Length` says so); the
//! zip is then checked against the extract limits (entries, and what they inflate to,
//! counted as they inflate, see [`queries::extract::check_zip`]) keeping only its
//! manifest, which must name the token's academy. An upload that passes goes to the
//! inbox (202, with its inbox name); one that does not is answered 400 or 403 with the
//! reason, logged, and kept in the quarantine folder beside a note of why, for the
//! trust to look at: it is never retried.

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json, Router};
use http_body_util::BodyExt;
use queries::types::Principal;
use serde_json::json;
use tokio::io::AsyncWriteExt;

use crate::api::ApiError;
use app::reports::params;

/// Where uploads go and how large one may be.
#[derive(Debug, Clone)]
pub struct Uploads {
    pub inbox: PathBuf,
    pub quarantine: PathBuf,
    /// The most a body may be, in bytes.
    pub max_bytes: u64,
}

/// The most files the quarantine holds before refused uploads are logged, not kept.
const QUARANTINE_FILES: usize = 200;

/// The default for `--max-upload-mb`: a year of a large secondary's extract is some
/// tens of MB zipped.
pub const DEFAULT_MAX_MB: u64 = 256;

impl Uploads {
    /// Uploads to `inbox`, refused ones kept in `quarantine` beside it.
    pub fn new(inbox: PathBuf) -> Self {
        let quarantine = inbox
            .parent()
            .map(|p| p.join("quarantine"))
            .unwrap_or_else(|| PathBuf::from("quarantine"));
        Uploads {
            inbox,
            quarantine,
            max_bytes: DEFAULT_MAX_MB << 20,
        }
    }

    pub fn with_max_bytes(mut self, max_bytes: u64) -> Self {
        self.max_bytes = max_bytes;
        self
    }
}

impl From<PathBuf> for Uploads {
    fn from(inbox: PathBuf) -> Self {
        Uploads::new(inbox)
    }
}

/// Why an upload was refused.
enum Refused {
    TooLarge(u64),
    Bad(String),
    OtherAcademy(String),
    Io(std::io::Error),
}

impl IntoResponse for Refused {
    fn into_response(self) -> Response {
        match self {
            Refused::TooLarge(max) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                Json(json!({"error": format!("the body is larger than {max} bytes")})),
            )
                .into_response(),
            Refused::Bad(why) => ApiError::from(params::bad("body", why)).into_response(),
            Refused::OtherAcademy(urn) => (
                StatusCode::FORBIDDEN,
                Json(json!({"error": format!("the extract is for academy {urn}; this token uploads for another")})),
            )
                .into_response(),
            Refused::Io(e) => {
                tracing::error!(target: "rollcall::upload", "upload: {e}");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    Json(json!({"error": "the upload could not be stored"})),
                )
                    .into_response()
            }
        }
    }
}

/// Streams `body` to `path`, at most `max` bytes.
async fn store(mut body: Body, path: &Path, max: u64) -> Result<(), Refused> {
    // A name of its own (`create_new`): two uploads never share a file.
    let mut file = tokio::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .await
        .map_err(Refused::Io)?;
    let mut written = 0u64;
    while let Some(frame) = body.frame().await {
        // Past the limit layer's cap the body ends in an error: the same refusal.
        let frame = frame.map_err(|_| Refused::TooLarge(max))?;
        let Ok(chunk) = frame.into_data() else {
            continue;
        };
        written += chunk.len() as u64;
        if written > max {
            return Err(Refused::TooLarge(max));
        }
        file.write_all(&chunk).await.map_err(Refused::Io)?;
    }
    file.flush().await.map_err(Refused::Io)
}

/// The handler.
pub async fn upload(
    State(uploads): State<Uploads>,
    Extension(who): Extension<Principal>,
    body: Body,
) -> Response {
    let Some(urn) = who.academies.first().cloned() else {
        return ApiError::forbidden().into_response();
    };
    let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S%3f");
    let name = format!("{stamp}-upload-{urn}-{}.zip", queries::accounts::secret(4));
    let tmp = uploads.inbox.join(format!(".incoming-{name}"));
    let result = async {
        tokio::fs::create_dir_all(&uploads.inbox)
            .await
            .map_err(Refused::Io)?;
        store(body, &tmp, uploads.max_bytes).await?;
        let (path, expected) = (tmp.clone(), urn.clone());
        tokio::task::spawn_blocking(move || {
            let manifest =
                queries::extract::check_zip(&path).map_err(|f| Refused::Bad(f.to_string()))?;
            match manifest["academy"]["urn"].as_str() {
                Some(u) if u == expected => Ok(()),
                Some(u) => Err(Refused::OtherAcademy(u.to_string())),
                None => Err(Refused::Bad("manifest.json names no academy URN".into())),
            }
        })
        .await
        .map_err(|e| Refused::Io(std::io::Error::other(e)))?
    }
    .await;
    match result {
        Ok(()) => match tokio::fs::rename(&tmp, uploads.inbox.join(&name)).await {
            Ok(()) => {
                tracing::info!(target: "rollcall::upload", "{} queued {name} for {urn}", who.actor);
                (
                    StatusCode::ACCEPTED,
                    Json(json!({"queued": name, "urn": urn})),
                )
                    .into_response()
            }
            Err(e) => Refused::Io(e).into_response(),
        },
        Err(refused) => {
            let why = match &refused {
                Refused::TooLarge(max) => format!("larger than {max} bytes"),
                Refused::Bad(why) => why.clone(),
                Refused::OtherAcademy(u) => format!("an extract for academy {u}"),
                Refused::Io(e) => e.to_string(),
            };
            tracing::warn!(target: "rollcall::upload", "{} upload for {urn} refused: {why}", who.actor);
            let whole = !matches!(refused, Refused::TooLarge(_));
            quarantine(&uploads, &tmp, &name, &who.actor, &why, whole).await;
            refused.into_response()
        }
    }
}

/// Keeps a refused upload that arrived `whole` with a note of why, while the quarantine
/// holds fewer than [`QUARANTINE_FILES`] files; a body refused for its size is not kept.
async fn quarantine(
    uploads: &Uploads,
    tmp: &Path,
    name: &str,
    actor: &str,
    why: &str,
    whole: bool,
) {
    let room = match std::fs::read_dir(&uploads.quarantine) {
        Ok(d) => d.count() < QUARANTINE_FILES,
        Err(_) => true,
    };
    let kept = whole && room;
    let dest = uploads.quarantine.join(format!("refused-{name}"));
    let moved = kept
        && tokio::fs::create_dir_all(&uploads.quarantine).await.is_ok()
        && tokio::fs::rename(tmp, &dest).await.is_ok();
    if moved {
        let note = format!("refused upload from {actor}\n{why}\n");
        let _ = tokio::fs::write(dest.with_extension("zip.txt"), note).await;
    } else {
        let _ = tokio::fs::remove_file(tmp).await;
    }
}

/// The upload route: the body cap checked first against `Content-Length`, then as it
/// streams.
pub fn routes(uploads: Uploads) -> Router {
    let cap = usize::try_from(uploads.max_bytes).unwrap_or(usize::MAX);
    Router::new()
        .route("/api/v1/extracts", axum::routing::post(upload))
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(tower_http::limit::RequestBodyLimitLayer::new(cap))
        .with_state(uploads)
}
