//! Failed admin tokens (bearer headers and the login form), counted per
//! client address and overall. Past either limit within the window, every
//! token attempt — the right one too — is refused until the window ends,
//! so guessing cannot go on; a valid session cookie is not an attempt and
//! keeps working.
//!
//! Windows are fixed: they start at the first failure and last
//! [`WINDOW`]. Clients are held in an LRU of at most [`TRACKED`] entries,
//! so memory is bounded whatever the number of addresses.

use super::client_key;
use lru::LruCache;
use std::net::IpAddr;
use std::num::NonZeroUsize;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Failures per client address within [`WINDOW`] (`--auth-failures-per-ip`).
pub const DEFAULT_PER_IP: u32 = 10;
/// Failures from all addresses together within [`WINDOW`]
/// (`--auth-failures-global`).
pub const DEFAULT_GLOBAL: u32 = 1000;
/// How long failures are remembered.
pub const WINDOW: Duration = Duration::from_secs(15 * 60);
/// Most client addresses remembered at once (the least recent go first).
pub const TRACKED: usize = 100_000;

#[derive(Debug, Clone, Copy)]
struct Window {
    start: Instant,
    count: u32,
}

impl Window {
    fn fresh(now: Instant) -> Window {
        Window {
            start: now,
            count: 0,
        }
    }

    fn current(self, now: Instant) -> Window {
        if self.count == 0 || now.saturating_duration_since(self.start) >= WINDOW {
            Window::fresh(now)
        } else {
            self
        }
    }

    /// Seconds until the window ends, when it holds `limit` failures.
    fn blocked(self, limit: u32, now: Instant) -> Option<u64> {
        let w = self.current(now);
        (limit > 0 && w.count >= limit).then(|| {
            let left = WINDOW.saturating_sub(now.saturating_duration_since(w.start));
            (left.as_secs_f64().ceil() as u64).max(1)
        })
    }
}

struct Counts {
    clients: LruCache<IpAddr, Window>,
    all: Window,
}

/// Why an attempt is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocked {
    /// This address failed too often; retry after this many seconds.
    Client(u64),
    /// All addresses together failed too often.
    Everyone(u64),
}

impl Blocked {
    pub fn retry_after(self) -> u64 {
        match self {
            Blocked::Client(s) | Blocked::Everyone(s) => s,
        }
    }
}

/// Failed token attempts per client and overall.
pub struct AuthFailures {
    per_ip: u32,
    global: u32,
    counts: Mutex<Counts>,
}

impl AuthFailures {
    /// At most `per_ip` failures per address and `global` overall within
    /// [`WINDOW`]; 0 turns that limit off.
    pub fn new(per_ip: u32, global: u32) -> AuthFailures {
        let now = Instant::now();
        AuthFailures {
            per_ip,
            global,
            counts: Mutex::new(Counts {
                clients: LruCache::new(NonZeroUsize::new(TRACKED).expect("TRACKED > 0")),
                all: Window::fresh(now),
            }),
        }
    }

    fn counts(&self) -> std::sync::MutexGuard<'_, Counts> {
        self.counts.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether an attempt from `ip` is refused now.
    pub fn blocked(&self, ip: IpAddr) -> Option<Blocked> {
        self.blocked_at(ip, Instant::now())
    }

    pub fn blocked_at(&self, ip: IpAddr, now: Instant) -> Option<Blocked> {
        let mut counts = self.counts();
        if let Some(s) = counts.all.blocked(self.global, now) {
            return Some(Blocked::Everyone(s));
        }
        let client = counts.clients.get(&client_key(ip)).copied()?;
        client.blocked(self.per_ip, now).map(Blocked::Client)
    }

    /// Counts a failure from `ip`; says whether this one reached the
    /// global limit (worth a line in the log of its own).
    pub fn record(&self, ip: IpAddr) -> bool {
        self.record_at(ip, Instant::now())
    }

    pub fn record_at(&self, ip: IpAddr, now: Instant) -> bool {
        let mut counts = self.counts();
        let key = client_key(ip);
        let client = counts
            .clients
            .get(&key)
            .map_or(Window::fresh(now), |w| w.current(now));
        counts.clients.put(
            key,
            Window {
                count: client.count.saturating_add(1),
                ..client
            },
        );
        let mut all = counts.all.current(now);
        all.count = all.count.saturating_add(1);
        counts.all = all;
        self.global > 0 && all.count == self.global
    }

    /// The right token from `ip`: its earlier typos are forgiven.
    pub fn forgive(&self, ip: IpAddr) {
        self.counts().clients.pop(&client_key(ip));
    }

    /// How many addresses are remembered.
    pub fn tracked(&self) -> usize {
        self.counts().clients.len()
    }
}

impl Default for AuthFailures {
    fn default() -> AuthFailures {
        AuthFailures::new(DEFAULT_PER_IP, DEFAULT_GLOBAL)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn ten_failures_block_the_address_for_the_rest_of_the_window() {
        let f = AuthFailures::new(10, 0);
        let t0 = Instant::now();
        let a = ip("203.0.113.7");
        for n in 0..10 {
            assert_eq!(f.blocked_at(a, t0), None, "attempt {n}");
            f.record_at(a, t0 + Duration::from_secs(n));
        }
        let at = t0 + Duration::from_secs(60);
        assert_eq!(f.blocked_at(a, at), Some(Blocked::Client(840)));
        assert_eq!(f.blocked_at(ip("203.0.113.8"), at), None, "others are not");
        assert_eq!(
            f.blocked_at(a, t0 + WINDOW - Duration::from_millis(1)),
            Some(Blocked::Client(1))
        );
        assert_eq!(f.blocked_at(a, t0 + WINDOW), None, "the window ended");
        f.record_at(a, t0 + WINDOW);
        assert_eq!(
            f.blocked_at(a, t0 + WINDOW),
            None,
            "a new window, one failure"
        );
    }

    #[test]
    fn the_right_token_forgives_typos_and_ipv6_counts_per_64() {
        let f = AuthFailures::new(2, 0);
        let t0 = Instant::now();
        f.record_at(ip("2001:db8::1"), t0);
        f.forgive(ip("2001:db8::1"));
        f.record_at(ip("2001:db8::1"), t0);
        assert_eq!(f.blocked_at(ip("2001:db8::1"), t0), None);
        f.record_at(ip("2001:db8::ffff"), t0);
        assert!(f.blocked_at(ip("2001:db8::2"), t0).is_some(), "same /64");
        assert!(f.blocked_at(ip("2001:db8:0:1::1"), t0).is_none());
    }

    #[test]
    fn the_global_ceiling_blocks_everyone() {
        let f = AuthFailures::new(10, 5);
        let t0 = Instant::now();
        let reached: Vec<bool> = (0..5u8)
            .map(|n| f.record_at(IpAddr::from([198, 51, 100, n]), t0))
            .collect();
        assert_eq!(reached, [false, false, false, false, true]);
        assert_eq!(
            f.blocked_at(ip("192.0.2.1"), t0 + Duration::from_secs(100)),
            Some(Blocked::Everyone(800))
        );
        assert_eq!(f.blocked_at(ip("192.0.2.1"), t0 + WINDOW), None);
    }

    #[test]
    fn memory_is_bounded_and_zero_turns_limits_off() {
        let f = AuthFailures::new(0, 0);
        let t0 = Instant::now();
        for n in 0..(TRACKED as u32 + 10) {
            f.record_at(IpAddr::from(n.to_be_bytes()), t0);
        }
        assert_eq!(f.tracked(), TRACKED);
        assert_eq!(f.blocked_at(ip("0.0.0.1"), t0), None);
    }
}
