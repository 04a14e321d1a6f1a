//! Per-client rate limit on the public endpoints: a token bucket per IP
//! address (per /64 for IPv6, which a client usually holds whole).

use axum::http::{HeaderMap, HeaderName};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::Instant;

/// Requests per minute per client unless configured otherwise.
pub const DEFAULT_PER_MINUTE: u32 = 60;
/// Past this many tracked clients, full buckets are forgotten.
const PRUNE_AT: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// Allows a burst of `per_minute` requests, refilled evenly over a minute.
pub struct RateLimiter {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
    /// Behind a proxy: the header it appends the client's address to.
    client_ip_header: Option<HeaderName>,
}

fn client_key(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut seg = v6.segments();
                seg[4..].fill(0);
                IpAddr::V6(seg.into())
            }
        },
        v4 => v4,
    }
}

impl RateLimiter {
    /// `per_minute` 0 turns the limit off.
    pub fn new(per_minute: u32) -> RateLimiter {
        RateLimiter {
            per_minute,
            buckets: Mutex::new(HashMap::new()),
            client_ip_header: None,
        }
    }

    /// Takes the client address from `header` (e.g. `X-Forwarded-For`):
    /// the right-most address in it, the one the proxy in front appended,
    /// so a client cannot pick its own bucket. Only for a collector that is
    /// reachable through that proxy alone.
    pub fn with_client_ip_header(mut self, header: HeaderName) -> RateLimiter {
        self.client_ip_header = Some(header);
        self
    }

    /// The client's address: from the configured header when it holds one,
    /// else the socket's peer.
    pub fn client_ip(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        self.client_ip_header
            .as_ref()
            .and_then(|h| {
                headers
                    .get_all(h)
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .flat_map(|v| v.split(','))
                    .next_back()
                    .and_then(|ip| ip.trim().parse().ok())
            })
            .unwrap_or(peer)
    }

    pub fn per_minute(&self) -> u32 {
        self.per_minute
    }

    /// Takes one token for `ip`; when none is left, the whole seconds to
    /// wait for the next.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        self.check_at(ip, Instant::now())
    }

    pub fn check_at(&self, ip: IpAddr, now: Instant) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let capacity = f64::from(self.per_minute);
        let per_sec = capacity / 60.0;
        let refill = |b: &Bucket| {
            let elapsed = now.saturating_duration_since(b.at).as_secs_f64();
            (b.tokens + elapsed * per_sec).min(capacity)
        };
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= PRUNE_AT {
            buckets.retain(|_, b| refill(b) < capacity);
        }
        let bucket = buckets.entry(client_key(ip)).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let tokens = refill(bucket);
        bucket.at = now;
        if tokens >= 1.0 {
            bucket.tokens = tokens - 1.0;
            Ok(())
        } else {
            bucket.tokens = tokens;
            Err(((1.0 - tokens) / per_sec).ceil().max(1.0) as u64)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn a_burst_then_one_per_second_at_sixty_a_minute() {
        let limiter = RateLimiter::new(60);
        let ip: IpAddr = "203.0.113.7".parse().unwrap();
        let t0 = Instant::now();
        for i in 0..60 {
            assert_eq!(limiter.check_at(ip, t0), Ok(()), "request {i}");
        }
        assert_eq!(limiter.check_at(ip, t0), Err(1));
        let other: IpAddr = "203.0.113.8".parse().unwrap();
        assert_eq!(
            limiter.check_at(other, t0),
            Ok(()),
            "each client has its own bucket"
        );
        assert_eq!(
            limiter.check_at(ip, t0 + Duration::from_millis(1000)),
            Ok(())
        );
        assert_eq!(
            limiter.check_at(ip, t0 + Duration::from_millis(1100)),
            Err(1)
        );
    }

    #[test]
    fn slow_limits_say_how_long_to_wait() {
        let limiter = RateLimiter::new(2);
        let ip: IpAddr = "::1".parse().unwrap();
        let t0 = Instant::now();
        assert!(limiter.check_at(ip, t0).is_ok() && limiter.check_at(ip, t0).is_ok());
        assert_eq!(limiter.check_at(ip, t0), Err(30));
    }

    #[test]
    fn behind_a_proxy_the_appended_address_counts() {
        let peer: IpAddr = "10.0.0.1".parse().unwrap();
        let mut h = HeaderMap::new();
        let plain = RateLimiter::new(1);
        h.insert("x-forwarded-for", "1.2.3.4, 198.51.100.9".parse().unwrap());
        assert_eq!(plain.client_ip(&h, peer), peer, "ignored unless configured");
        let proxied =
            RateLimiter::new(1).with_client_ip_header(HeaderName::from_static("x-forwarded-for"));
        assert_eq!(
            proxied.client_ip(&h, peer),
            "198.51.100.9".parse::<IpAddr>().unwrap()
        );
        h.insert("x-forwarded-for", "garbage".parse().unwrap());
        assert_eq!(proxied.client_ip(&h, peer), peer);
    }

    #[test]
    fn ipv6_clients_share_their_64_and_zero_turns_it_off() {
        let limiter = RateLimiter::new(1);
        let t0 = Instant::now();
        assert!(limiter.check_at("2001:db8::1".parse().unwrap(), t0).is_ok());
        assert!(limiter
            .check_at("2001:db8::2".parse().unwrap(), t0)
            .is_err());
        assert!(limiter
            .check_at("2001:db8:0:1::1".parse().unwrap(), t0)
            .is_ok());
        let off = RateLimiter::new(0);
        for _ in 0..1000 {
            assert!(off.check_at("::1".parse().unwrap(), t0).is_ok());
        }
    }
}
