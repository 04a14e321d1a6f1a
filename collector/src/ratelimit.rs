//! Per-client request budgets on the public endpoints, one bucket per kind
//! of request (config reads, posts, logins) so a page view fetching the
//! config does not eat the visitor's answer budget; and the count of failed
//! admin tokens ([`failures`]).
//!
//! Buckets are `governor` keyed GCRA limiters, one state per IP address
//! (per /64 for IPv6, which a client usually holds whole). Stale states
//! are dropped by `retain_recent` at most once a minute (once a second
//! while more than [`MAX_TRACKED`] clients are held), never per request.

pub mod failures;

use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::Quota;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// `POST /v1/responses` per client per minute (`--rate-limit`).
pub const DEFAULT_POSTS_PER_MINUTE: u32 = 60;
/// `GET /v1/config` per client per minute (`--config-rate-limit`): one a
/// page view, so several visitors behind one address fit.
pub const DEFAULT_CONFIG_PER_MINUTE: u32 = 300;
/// `POST /login` per client per minute (`--login-rate-limit`).
pub const DEFAULT_LOGIN_PER_MINUTE: u32 = 10;
/// Past this many clients held, stale ones are dropped every second.
pub const MAX_TRACKED: usize = 200_000;
const SWEEP_EVERY: Duration = Duration::from_secs(60);
const SWEEP_WHEN_FULL: Duration = Duration::from_secs(1);

type Keyed<C> = governor::RateLimiter<
    IpAddr,
    DefaultKeyedStateStore<IpAddr>,
    C,
    NoOpMiddleware<<C as Clock>::Instant>,
>;

/// The key a client is counted under: its address, or its /64 for IPv6
/// (an IPv4-mapped address counts as the IPv4 one).
pub fn client_key(ip: IpAddr) -> IpAddr {
    match ip.to_canonical() {
        IpAddr::V6(v6) => {
            let mut seg = v6.segments();
            seg[4..].fill(0);
            IpAddr::V6(seg.into())
        }
        v4 => v4,
    }
}

/// A burst of `per_minute` requests per client, refilled evenly over a
/// minute; `per_minute` 0 turns it off.
pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter: Option<Keyed<C>>,
    clock: C,
    last_sweep: Mutex<Instant>,
    sweeps: AtomicU64,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock + Clone> RateLimiter<C> {
    /// A limiter on `clock` (tests pass a fake one).
    pub fn with_clock(per_minute: u32, clock: C) -> RateLimiter<C> {
        let limiter = NonZeroU32::new(per_minute).map(|n| {
            governor::RateLimiter::new(Quota::per_minute(n), Default::default(), clock.clone())
        });
        RateLimiter {
            limiter,
            clock,
            last_sweep: Mutex::new(Instant::now()),
            sweeps: AtomicU64::new(0),
        }
    }

    /// Takes one request from `ip`'s budget; when none is left, the whole
    /// seconds to wait for the next.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        self.sweep(limiter);
        limiter.check_key(&client_key(ip)).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            (wait.as_secs_f64().ceil() as u64).max(1)
        })
    }

    /// How many times stale clients were swept out so far.
    pub fn sweeps(&self) -> u64 {
        self.sweeps.load(Ordering::Relaxed)
    }

    /// How many clients are held (those seen within about a minute).
    pub fn tracked(&self) -> usize {
        self.limiter.as_ref().map_or(0, |l| l.len())
    }

    /// Forgets clients whose budget is full again: once a minute, or once
    /// a second past [`MAX_TRACKED`]; one request does it while the others
    /// go on (`try_lock`).
    fn sweep(&self, limiter: &Keyed<C>) {
        let Ok(mut last) = self.last_sweep.try_lock() else {
            return;
        };
        let since = last.elapsed();
        if since >= SWEEP_EVERY || (since >= SWEEP_WHEN_FULL && limiter.len() > MAX_TRACKED) {
            *last = Instant::now();
            self.sweeps.fetch_add(1, Ordering::Relaxed);
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }

    #[cfg(test)]
    fn sweep_now(&self) {
        if let Some(l) = &self.limiter {
            l.retain_recent();
        }
    }
}

/// Which budget a route draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bucket {
    /// `GET /v1/config`.
    Config,
    /// `POST /v1/responses`.
    Posts,
    /// `POST /login`.
    Login,
}

impl Bucket {
    /// Its name in metrics.
    pub fn name(self) -> &'static str {
        match self {
            Bucket::Config => "config",
            Bucket::Posts => "posts",
            Bucket::Login => "login",
        }
    }
}

/// The three budgets.
pub struct Limits {
    pub config: RateLimiter,
    pub posts: RateLimiter,
    pub login: RateLimiter,
}

impl Limits {
    /// Requests per minute per client for each bucket (0 = no limit).
    pub fn new(config: u32, posts: u32, login: u32) -> Limits {
        Limits {
            config: RateLimiter::new(config),
            posts: RateLimiter::new(posts),
            login: RateLimiter::new(login),
        }
    }

    /// No limits (the tests' default).
    pub fn off() -> Limits {
        Limits::new(0, 0, 0)
    }

    pub fn bucket(&self, bucket: Bucket) -> &RateLimiter {
        match bucket {
            Bucket::Config => &self.config,
            Bucket::Posts => &self.posts,
            Bucket::Login => &self.login,
        }
    }
}

impl Default for Limits {
    fn default() -> Limits {
        Limits::new(
            DEFAULT_CONFIG_PER_MINUTE,
            DEFAULT_POSTS_PER_MINUTE,
            DEFAULT_LOGIN_PER_MINUTE,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use governor::clock::FakeRelativeClock;

    fn fake(per_minute: u32) -> (RateLimiter<FakeRelativeClock>, FakeRelativeClock) {
        let clock = FakeRelativeClock::default();
        (RateLimiter::with_clock(per_minute, clock.clone()), clock)
    }

    #[test]
    fn a_burst_then_one_per_second_at_sixty_a_minute() {
        let (limiter, clock) = fake(60);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        for i in 0..60 {
            assert_eq!(limiter.check(ip), Ok(()), "request {i}");
        }
        assert_eq!(limiter.check(ip), Err(1));
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        assert_eq!(
            limiter.check(other),
            Ok(()),
            "each client has its own bucket"
        );
        clock.advance(Duration::from_millis(1000));
        assert_eq!(limiter.check(ip), Ok(()));
        clock.advance(Duration::from_millis(100));
        assert_eq!(limiter.check(ip), Err(1));
    }

    #[test]
    fn slow_limits_say_how_long_to_wait() {
        let (limiter, _) = fake(2);
        let ip: IpAddr = "::1".parse().unwrap();
        assert!(limiter.check(ip).is_ok() && limiter.check(ip).is_ok());
        assert_eq!(limiter.check(ip), Err(30));
    }

    #[test]
    fn ipv6_clients_share_their_64_and_zero_turns_it_off() {
        let (limiter, _) = fake(1);
        assert!(limiter.check("2001:db8::1".parse().unwrap()).is_ok());
        assert!(limiter.check("2001:db8::2".parse().unwrap()).is_err());
        assert!(limiter.check("2001:db8:0:1::1".parse().unwrap()).is_ok());
        assert!(limiter.check("198.51.100.1".parse().unwrap()).is_ok());
        assert!(
            limiter
                .check("::ffff:198.51.100.1".parse().unwrap())
                .is_err(),
            "a mapped address is the IPv4 client"
        );
        let (off, _) = fake(0);
        for _ in 0..1000 {
            assert!(off.check("::1".parse().unwrap()).is_ok());
        }
        assert_eq!(off.tracked(), 0);
    }

    #[test]
    fn clients_whose_budget_is_full_again_are_forgotten() {
        let (limiter, clock) = fake(60);
        for n in 0..1000u32 {
            let ip = IpAddr::from(n.to_be_bytes());
            assert!(limiter.check(ip).is_ok());
        }
        assert_eq!(limiter.tracked(), 1000);
        clock.advance(Duration::from_millis(500));
        limiter.sweep_now();
        assert_eq!(limiter.tracked(), 1000, "each still owes half a token");
        // governor drops a state one emission interval (1 s here) after
        // its bucket is full again.
        clock.advance(Duration::from_millis(1600));
        limiter.sweep_now();
        assert_eq!(limiter.tracked(), 0, "full again: nothing to remember");
    }

    #[test]
    fn a_hundred_thousand_clients_cost_no_sweep_per_request() {
        let (limiter, _) = fake(60);
        for n in 0..100_000u32 {
            assert!(limiter.check(IpAddr::from(n.to_be_bytes())).is_ok());
        }
        assert_eq!(limiter.tracked(), 100_000);
        assert_eq!(limiter.sweeps(), 0, "no sweep within the minute");
        *limiter.last_sweep.lock().unwrap() -= SWEEP_EVERY;
        for n in 0..1000u32 {
            let _ = limiter.check(IpAddr::from(n.to_be_bytes()));
        }
        assert_eq!(
            limiter.sweeps(),
            1,
            "one sweep a minute, not one per request"
        );
    }

    #[test]
    fn buckets_are_separate() {
        let limits = Limits::new(1, 1, 1);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        assert!(limits.bucket(Bucket::Config).check(ip).is_ok());
        assert!(limits.bucket(Bucket::Config).check(ip).is_err());
        assert!(limits.bucket(Bucket::Posts).check(ip).is_ok());
        assert!(limits.bucket(Bucket::Login).check(ip).is_ok());
    }
}
