//! Times as the collector handles them: UTC seconds since the epoch inside,
//! RFC 3339 on the wire.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// The first instant a query may name: 1970-01-01T00:00:00Z.
pub const MIN_QUERY_EPOCH: i64 = 0;
/// The last instant a query may name: 9999-12-31T23:59:59Z (RFC 3339 has
/// four-digit years).
pub const MAX_QUERY_EPOCH: i64 = 253_402_300_799;
/// 0000-01-01T00:00:00Z, the first instant RFC 3339 can write.
const MIN_RFC3339_EPOCH: i64 = -62_167_219_200;

/// Seconds since the Unix epoch of an RFC 3339 time (any offset); `None`
/// when it cannot be read.
pub fn epoch_seconds(rfc3339: &str) -> Option<i64> {
    // RFC 3339 allows a space (or lower-case t) between date and time.
    let mut s = rfc3339.to_string();
    if s.len() > 10 && matches!(s.as_bytes()[10], b' ' | b't') {
        s.replace_range(10..11, "T");
    }
    OffsetDateTime::parse(&s, &Rfc3339)
        .ok()
        .map(OffsetDateTime::unix_timestamp)
}

/// Now, in seconds since the Unix epoch.
pub fn now_epoch() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Now, in milliseconds since the Unix epoch (alert outbox times).
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// `2026-11-23T10:00:00Z`. Total: a time before year 0 or after 9999 (which
/// RFC 3339 cannot write) is written as the nearest one it can.
pub fn rfc3339(epoch: i64) -> String {
    let epoch = epoch.clamp(MIN_RFC3339_EPOCH, MAX_QUERY_EPOCH);
    OffsetDateTime::from_unix_timestamp(epoch)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".into())
}

/// Now as `2026-11-23T10:00:00.123Z` (the form SQLite's `strftime('%f')` writes).
pub fn now_rfc3339_millis() -> String {
    let t = OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    // Now is always within years 0–9999; the fallback only keeps this total.
    t.format(&fmt)
        .unwrap_or_else(|_| rfc3339(t.unix_timestamp()))
}

/// `2026-11-23`.
pub fn date(epoch: i64) -> String {
    let mut s = rfc3339(epoch);
    s.truncate(10);
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_and_fractions_are_read() {
        assert_eq!(epoch_seconds("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(epoch_seconds("1970-01-01T01:00:00+01:00"), Some(0));
        assert_eq!(epoch_seconds("1970-01-01 00:00:01.5z"), Some(1));
        assert_eq!(epoch_seconds("yesterday"), None);
        assert_eq!(rfc3339(86_400), "1970-01-02T00:00:00Z");
        assert_eq!(date(86_399), "1970-01-01");
    }

    #[test]
    fn any_epoch_formats_without_a_panic() {
        // 0000-01-01T00:00:00+01:00 is in year -1 in UTC.
        let before_year_0 = epoch_seconds("0000-01-01T00:00:00+01:00").unwrap();
        assert_eq!(rfc3339(before_year_0), "0000-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MIN), "0000-01-01T00:00:00Z");
        assert_eq!(rfc3339(i64::MAX), "9999-12-31T23:59:59Z");
        assert_eq!(rfc3339(MAX_QUERY_EPOCH), "9999-12-31T23:59:59Z");
        assert_eq!(date(i64::MAX), "9999-12-31");
        assert_eq!(epoch_seconds("2026-11-23\u{e9}"), None);
    }
}
