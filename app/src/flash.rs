//! What a form's last change did, shown once on the next view of its page: with
//! JavaScript off a form post is answered by a redirect back, so the outcome (an error
//! to put right, a secret to pass on) waits here, keyed by the browser's session and
//! the page. In this process's memory only (a secret in it is never written anywhere),
//! for ten minutes at most, a thousand entries at most.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What the last change did: a message, and a secret to pass on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Flash {
    pub ok: bool,
    pub message: String,
    pub secret: Option<String>,
}

impl Flash {
    pub fn done(message: impl Into<String>) -> Flash {
        Flash {
            ok: true,
            message: message.into(),
            secret: None,
        }
    }

    pub fn refused(message: impl Into<String>) -> Flash {
        Flash {
            ok: false,
            message: message.into(),
            secret: None,
        }
    }
}

#[cfg(feature = "ssr")]
type Waiting = std::collections::HashMap<(String, &'static str), (std::time::Instant, Flash)>;

#[cfg(feature = "ssr")]
static FLASHES: std::sync::LazyLock<std::sync::Mutex<Waiting>> =
    std::sync::LazyLock::new(Default::default);

#[cfg(feature = "ssr")]
const FLASH_FOR: std::time::Duration = std::time::Duration::from_secs(600);

#[cfg(feature = "ssr")]
async fn session_id() -> Result<Option<String>, ServerFnError> {
    let session = leptos_axum::extract::<tower_sessions::Session>()
        .await
        .map_err(|e| ServerFnError::new(format!("no session: {e:?}")))?;
    Ok(session.id().map(|i| i.to_string()))
}

/// Keeps `flash` for the next view of `page` in this browser session.
#[cfg(feature = "ssr")]
pub async fn keep(page: &'static str, flash: Flash) -> Result<(), ServerFnError> {
    let Some(id) = session_id().await? else {
        return Ok(());
    };
    let mut flashes = FLASHES.lock().unwrap_or_else(|e| e.into_inner());
    flashes.retain(|_, (at, _)| at.elapsed() < FLASH_FOR);
    if flashes.len() < 1000 {
        flashes.insert((id, page), (std::time::Instant::now(), flash));
    }
    Ok(())
}

/// What waits for this view of `page`, taken (shown once).
#[cfg(feature = "ssr")]
pub async fn take(page: &'static str) -> Result<Option<Flash>, ServerFnError> {
    let Some(id) = session_id().await? else {
        return Ok(None);
    };
    let mut flashes = FLASHES.lock().unwrap_or_else(|e| e.into_inner());
    Ok(flashes
        .remove(&(id, page))
        .filter(|(at, _)| at.elapsed() < FLASH_FOR)
        .map(|(_, f)| f))
}

/// A flash as the page shows it: a status message.
#[component]
pub fn FlashView(f: Flash) -> impl IntoView {
    view! {
        <div class=if f.ok { "flash" } else { "flash error" } role="status" id="flash">
            <p>{f.message}</p>
            {f.secret.map(|s| view! {
                <p><code class="secret">{s}</code></p>
                <p class="hint">"It is not stored, and will not be shown again."</p>
            })}
        </div>
    }
}
