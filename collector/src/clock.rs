//! Times as the collector handles them: UTC seconds since the epoch inside,
//! RFC 3339 on the wire.

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

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

/// `2026-11-23T10:00:00Z`.
pub fn rfc3339(epoch: i64) -> String {
    let t = OffsetDateTime::from_unix_timestamp(epoch).unwrap_or(OffsetDateTime::UNIX_EPOCH);
    t.format(&Rfc3339).expect("a UTC time formats as RFC 3339")
}

/// Now as `2026-11-23T10:00:00.123Z` (the form SQLite's `strftime('%f')` writes).
pub fn now_rfc3339_millis() -> String {
    let t = OffsetDateTime::now_utc();
    let fmt = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&fmt).expect("a UTC time formats")
}

/// `2026-11-23`.
pub fn date(epoch: i64) -> String {
    rfc3339(epoch)[..10].to_string()
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
}
