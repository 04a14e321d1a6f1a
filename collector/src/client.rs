//! Who is asking: the client's address and whether it came over HTTPS.
//!
//! The client is the socket's peer, unless the peer is one of the
//! `--trusted-proxies`; then it is the right-most address in
//! `X-Forwarded-For` (or `--client-ip-header`) that is not a trusted proxy
//! itself. A client can write what it likes to the left of that, so
//! nothing else in the header is believed. HTTPS is `--public-url https://…`,
//! or `X-Forwarded-Proto: https` from a trusted proxy.

use axum::http::{HeaderMap, HeaderName};
use ipnet::IpNet;
use std::net::{IpAddr, SocketAddr};

/// The header a trusted proxy appends the client's address to, by default.
pub const DEFAULT_IP_HEADER: &str = "x-forwarded-for";
const PROTO_HEADER: &str = "x-forwarded-proto";

/// The requester, as far as the collector can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Client {
    pub ip: IpAddr,
    /// Served over HTTPS (the cookie then gets `Secure` and `__Host-`).
    pub https: bool,
}

/// How to tell the client from the peer.
#[derive(Debug, Clone)]
pub struct Clients {
    trusted: Vec<IpNet>,
    ip_header: HeaderName,
    https: bool,
}

impl Default for Clients {
    /// No proxy trusted, plain HTTP: the peer is the client.
    fn default() -> Clients {
        Clients {
            trusted: Vec::new(),
            ip_header: HeaderName::from_static(DEFAULT_IP_HEADER),
            https: false,
        }
    }
}

impl Clients {
    /// Trusts these proxies' `X-Forwarded-*` headers.
    pub fn trusting(mut self, proxies: Vec<IpNet>) -> Clients {
        self.trusted = proxies;
        self
    }

    /// The header trusted proxies write the client's address to.
    pub fn ip_header(mut self, header: HeaderName) -> Clients {
        self.ip_header = header;
        self
    }

    /// Every request is HTTPS (the public URL is `https://…`).
    pub fn https(mut self, https: bool) -> Clients {
        self.https = https;
        self
    }

    pub fn trusts_any(&self) -> bool {
        !self.trusted.is_empty()
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        let ip = ip.to_canonical();
        self.trusted.iter().any(|net| net.contains(&ip))
    }

    /// The client behind `peer`.
    pub fn resolve(&self, headers: &HeaderMap, peer: IpAddr) -> Client {
        let peer = peer.to_canonical();
        if !self.trusted(peer) {
            return Client {
                ip: peer,
                https: self.https,
            };
        }
        let forwarded_https = headers
            .get(PROTO_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .is_some_and(|p| p.trim().eq_ignore_ascii_case("https"));
        Client {
            ip: self.forwarded_ip(headers, peer),
            https: self.https || forwarded_https,
        }
    }

    /// Right to left through the header: the first address that is not a
    /// trusted proxy; an unreadable entry stops the walk at the last
    /// trusted hop before it.
    fn forwarded_ip(&self, headers: &HeaderMap, peer: IpAddr) -> IpAddr {
        let hops: Vec<&str> = headers
            .get_all(&self.ip_header)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = parse_hop(hop) else {
                break;
            };
            client = ip;
            if !self.trusted(ip) {
                break;
            }
        }
        client
    }
}

/// `203.0.113.7`, `2001:db8::1`, `[2001:db8::1]:443` or `203.0.113.7:5000`.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(|ip| ip.to_canonical())
}

/// `--trusted-proxies`: comma-separated CIDRs (`10.0.0.0/8`) or single
/// addresses (`192.0.2.10`).
pub fn parse_cidrs(list: &str) -> Result<Vec<IpNet>, String> {
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<IpNet>()
                .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
                .map(|net| net.trunc())
                .map_err(|_| {
                    format!(
                        "--trusted-proxies: {s:?} is not an address or CIDR (e.g. 10.0.0.0/8, 192.0.2.10)"
                    )
                })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn xff(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(DEFAULT_IP_HEADER, value.parse().unwrap());
        h
    }

    #[test]
    fn without_trusted_proxies_the_peer_is_the_client() {
        let c = Clients::default();
        let got = c.resolve(&xff("198.51.100.9"), ip("10.0.0.1"));
        assert_eq!(got.ip, ip("10.0.0.1"));
        let mut h = xff("198.51.100.9");
        h.insert(PROTO_HEADER, "https".parse().unwrap());
        assert!(
            !c.resolve(&h, ip("10.0.0.1")).https,
            "an untrusted peer's proto is ignored"
        );
        assert!(c.clone().https(true).resolve(&h, ip("10.0.0.1")).https);
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_address_counts() {
        let c = Clients::default().trusting(parse_cidrs("10.0.0.0/8, 192.0.2.10").unwrap());
        let peer = ip("10.0.0.1");
        let cases = [
            ("198.51.100.9", "198.51.100.9"),
            ("1.2.3.4, 198.51.100.9", "198.51.100.9"),
            ("1.2.3.4, 198.51.100.9, 192.0.2.10", "198.51.100.9"),
            ("198.51.100.9, 10.1.2.3", "198.51.100.9"),
            ("garbage, 198.51.100.9", "198.51.100.9"),
            ("198.51.100.9, garbage", "10.0.0.1"),
            ("10.9.9.9", "10.9.9.9"),
            ("[2001:db8::7]:443", "2001:db8::7"),
            ("198.51.100.9:5000", "198.51.100.9"),
        ];
        for (header, want) in cases {
            assert_eq!(c.resolve(&xff(header), peer).ip, ip(want), "{header}");
        }
        assert_eq!(c.resolve(&HeaderMap::new(), peer).ip, peer, "no header");
        assert_eq!(
            c.resolve(&xff("198.51.100.9"), ip("203.0.113.5")).ip,
            ip("203.0.113.5"),
            "an untrusted peer cannot pick its address"
        );
        assert_eq!(
            c.resolve(&xff("198.51.100.9"), ip("::ffff:10.0.0.1")).ip,
            ip("198.51.100.9"),
            "a mapped IPv4 peer is trusted like the IPv4 one"
        );
        let mut h = xff("198.51.100.9");
        h.append(DEFAULT_IP_HEADER, "203.0.113.1".parse().unwrap());
        assert_eq!(
            c.resolve(&h, peer).ip,
            ip("203.0.113.1"),
            "repeated headers read as one list"
        );
        h.insert(PROTO_HEADER, "HTTPS".parse().unwrap());
        assert!(c.resolve(&h, peer).https);
    }

    #[test]
    fn cidr_lists_are_checked() {
        assert_eq!(parse_cidrs("").unwrap(), vec![]);
        assert_eq!(
            parse_cidrs("10.1.2.3/8,::1").unwrap(),
            vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()]
        );
        let e = parse_cidrs("10.0.0.0/8, example.com").unwrap_err();
        assert!(e.contains("\"example.com\""), "{e}");
        assert!(parse_cidrs("10.0.0.0/33").is_err());
    }
}
