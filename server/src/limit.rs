//! How many wrong passwords sign-in takes before it holds back, and from where.
//!
//! Each attempt is counted before its password is checked, in the same lock as the
//! check that it may go ahead: forty guesses at once count forty, and at most the limit
//! of them are checked. What is counted, each over a 15-minute window from its first
//! failure:
//! - an account from one address (5): the guesser is held back, the account's owner at
//!   another address is not;
//! - an account from anywhere (20): guessing spread over many addresses;
//! - an address, whatever the accounts (50): one address trying many accounts, high
//!   enough for a school's staff behind one address.
//!
//! The address is the connection's peer; `X-Forwarded-For` is believed only when the
//! peer is a configured proxy (see [`client_address`]). Memory is bounded: at most
//! [`MAX_ENTRIES`] counters; when full of live ones, new attempts wait (refused) rather
//! than evict a guesser's count.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How long a failure counts.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Wrong passwords for one account from one address.
pub const PER_ACCOUNT_AND_ADDRESS: u32 = 5;
/// Wrong passwords for one account from any address.
pub const PER_ACCOUNT: u32 = 20;
/// Wrong passwords from one address, any account.
pub const PER_ADDRESS: u32 = 50;
/// The most counters held at once (each well under 200 bytes).
pub const MAX_ENTRIES: usize = 100_000;

#[derive(Debug)]
struct Entry {
    count: u32,
    since: Instant,
}

/// The counters, behind one lock.
#[derive(Debug, Default)]
pub struct Limiter {
    entries: Mutex<HashMap<String, Entry>>,
    max_entries: Option<usize>,
}

/// An attempt allowed to go ahead, already counted as a failure.
#[derive(Debug)]
#[must_use = "an attempt that succeeds must say so"]
pub struct Attempt {
    keys: Vec<String>,
}

impl Limiter {
    /// A limiter holding at most `max` counters (tests use a small one).
    pub fn with_capacity(max: usize) -> Self {
        Limiter {
            entries: Mutex::default(),
            max_entries: Some(max),
        }
    }

    fn cap(&self) -> usize {
        self.max_entries.unwrap_or(MAX_ENTRIES)
    }

    /// How many counters are held.
    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Entry>> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A sign-in attempt for `email` from `address`: `None` when it must wait, or the
    /// attempt, counted as a failure until [`Limiter::succeeded`] says otherwise.
    pub fn begin(&self, email: &str, address: &str) -> Option<Attempt> {
        let keys = [
            (
                format!("account+address:{email} {address}"),
                PER_ACCOUNT_AND_ADDRESS,
            ),
            (format!("account:{email}"), PER_ACCOUNT),
            (format!("address:{address}"), PER_ADDRESS),
        ];
        let now = Instant::now();
        let mut map = self.lock();
        let live = |e: &Entry| now.duration_since(e.since) < WINDOW;
        for (key, limit) in &keys {
            if map.get(key).is_some_and(|e| live(e) && e.count >= *limit) {
                return None;
            }
        }
        let new = keys
            .iter()
            .filter(|(k, _)| !map.get(k).is_some_and(live))
            .count();
        if map.len() + new > self.cap() {
            map.retain(|_, e| live(e));
            if map.len() + new > self.cap() {
                tracing::warn!(
                    "sign-in limiter full ({} counters): attempt refused",
                    map.len()
                );
                return None;
            }
        }
        for (key, _) in &keys {
            let e = map.entry(key.clone()).or_insert(Entry {
                count: 0,
                since: now,
            });
            if !live(e) {
                *e = Entry {
                    count: 0,
                    since: now,
                };
            }
            e.count += 1;
        }
        Some(Attempt {
            keys: keys.into_iter().map(|(k, _)| k).collect(),
        })
    }

    /// The password was right: the attempt is not a failure, and the account's
    /// failures from this address are forgotten.
    pub fn succeeded(&self, attempt: Attempt) {
        let mut map = self.lock();
        for (i, key) in attempt.keys.iter().enumerate() {
            if i == 0 {
                map.remove(key);
            } else if let Some(e) = map.get_mut(key) {
                e.count = e.count.saturating_sub(1);
            }
        }
    }
}

/// The address a request came from: the connection's peer, or, when the peer is one of
/// `trusted` proxies, the nearest address in `X-Forwarded-For` that is not one of them
/// (an address a client wrote there itself is further left, and never reached).
pub fn client_address(
    peer: Option<IpAddr>,
    forwarded_for: Option<&str>,
    trusted: &[IpAddr],
) -> Option<IpAddr> {
    let peer = peer?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let Some(chain) = forwarded_for else {
        return Some(peer);
    };
    for hop in chain.rsplit(',') {
        match hop.trim().parse::<IpAddr>() {
            Ok(ip) if trusted.contains(&ip) => continue,
            Ok(ip) => return Some(ip),
            // A hop that is not an address: nothing left of it can be believed.
            Err(_) => return Some(peer),
        }
    }
    Some(peer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_is_held_back_only_where_it_is_guessed() {
        let l = Limiter::default();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            assert!(l.begin("alice", "10.0.0.1").is_some());
        }
        assert!(l.begin("alice", "10.0.0.1").is_none());
        let a = l.begin("alice", "10.0.0.2").expect("another address");
        l.succeeded(a);
        assert!(l.begin("bob", "10.0.0.1").is_some());
    }

    #[test]
    fn a_right_password_forgets_the_failures_from_that_address() {
        let l = Limiter::default();
        for _ in 0..PER_ACCOUNT_AND_ADDRESS - 1 {
            let _ = l.begin("alice", "10.0.0.1").unwrap();
        }
        l.succeeded(l.begin("alice", "10.0.0.1").unwrap());
        for _ in 0..PER_ACCOUNT_AND_ADDRESS {
            assert!(l.begin("alice", "10.0.0.1").is_some());
        }
    }

    #[test]
    fn guessing_one_account_from_many_addresses_is_held_back() {
        let l = Limiter::default();
        for i in 0..PER_ACCOUNT {
            assert!(l.begin("alice", &format!("10.0.1.{i}")).is_some());
        }
        assert!(l.begin("alice", "10.0.2.1").is_none());
    }

    #[test]
    fn memory_is_bounded_and_a_full_limiter_refuses_rather_than_forgets() {
        let l = Limiter::with_capacity(30);
        let mut allowed = 0;
        for i in 0..100 {
            if l.begin(&format!("user{i}"), "10.0.0.1").is_some() {
                allowed += 1;
            }
        }
        assert!(l.len() <= 30, "{} counters", l.len());
        assert!(allowed < 100);
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let proxy = [ip("127.0.0.1")];
        // Straight from a client: its own header is ignored.
        assert_eq!(
            client_address(Some(ip("203.0.113.5")), Some("198.51.100.1"), &proxy),
            Some(ip("203.0.113.5"))
        );
        // Through the proxy: the address the proxy saw (the last hop it appended).
        assert_eq!(
            client_address(
                Some(ip("127.0.0.1")),
                Some("198.51.100.1, 203.0.113.5"),
                &proxy
            ),
            Some(ip("203.0.113.5"))
        );
        // Garbage in the chain: the proxy itself.
        assert_eq!(
            client_address(Some(ip("127.0.0.1")), Some("x, not-an-ip"), &proxy),
            Some(ip("127.0.0.1"))
        );
        assert_eq!(client_address(None, Some("198.51.100.1"), &proxy), None);
    }
}
