//! The log: stderr, as text for people or JSON lines for log shippers
//! (`--log-format json`). What reaches it is chosen where it is written:
//! request lines carry method, route, path, status, reason and time, never
//! headers, bodies or query strings.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

/// Libraries whose debug lines can hold what must never be logged
/// (tokio-postgres prints statement parameters — comments — at debug;
/// the HTTP stack prints webhook hosts and paths). They stay at info
/// unless `RUST_LOG` names them.
pub const QUIET_BELOW_INFO: &[&str] = &[
    "tokio_postgres",
    "deadpool",
    "reqwest",
    "hyper",
    "hyper_util",
    "h2",
    "rustls",
    "tower_http",
];

/// `RUST_LOG` (`spec`; `info` when empty or unusable), the libraries above
/// capped at info unless it names them.
pub fn filter(spec: &str) -> EnvFilter {
    let mut filter = EnvFilter::try_new(spec)
        .ok()
        .filter(|_| !spec.trim().is_empty())
        .unwrap_or_else(|| EnvFilter::new("info"));
    for name in QUIET_BELOW_INFO {
        if !spec.contains(name) {
            filter = filter.add_directive(format!("{name}=info").parse().expect("a directive"));
        }
    }
    filter
}

/// Logs to stderr as `text` or `json` (one object a line), filtered by
/// `RUST_LOG` through [`filter`].
pub fn init(format: &str) {
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter(&std::env::var("RUST_LOG").unwrap_or_default()))
        .with_writer(std::io::stderr);
    if format == "json" {
        builder.json().init();
    } else {
        builder.with_ansi(std::io::stderr().is_terminal()).init();
    }
}

#[cfg(test)]
mod tests {
    use super::filter;

    #[test]
    fn libraries_stay_at_info_unless_named() {
        let quiet = filter("debug").to_string();
        assert!(quiet.contains("tokio_postgres=info"), "{quiet}");
        let named = filter("debug,tokio_postgres=debug").to_string();
        assert!(!named.contains("tokio_postgres=info"), "{named}");
        assert!(filter("").to_string().contains("info"));
    }
}
