//! The widget's clock (milliseconds since the epoch).
//!
//! `now_ms` reads `Date.now()`, so browser tests move time with Playwright's
//! `page.clock` instead of waiting; every decision function takes `now_ms` as
//! a parameter, so native tests pass whatever time they need.

/// One day in milliseconds.
pub const DAY_MS: f64 = 86_400_000.0;

/// `days` days in milliseconds.
pub fn days(days: u32) -> f64 {
    f64::from(days) * DAY_MS
}

/// Whether `since_ms` lies less than `window_days` before `now_ms`. A zero
/// window never holds; a time in the future (the clock was set back) counts
/// as within the window, which errs on the side of not asking again.
pub fn within_days(since_ms: Option<f64>, window_days: u32, now_ms: f64) -> bool {
    window_days > 0 && since_ms.is_some_and(|t| now_ms - t < days(window_days))
}

/// Now, in milliseconds since the Unix epoch.
#[cfg(target_arch = "wasm32")]
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// Now, in milliseconds since the Unix epoch (native builds, for tests).
#[cfg(not(target_arch = "wasm32"))]
pub fn now_ms() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |d| d.as_millis() as f64)
}

/// RFC 3339 UTC time for `ms`, e.g. `2026-11-23T10:00:00.000Z`.
pub fn rfc3339(ms: f64) -> String {
    let ms = ms.max(0.0) as u64;
    let (secs, millis) = (ms / 1000, ms % 1000);
    let (day, rem) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(day as i64);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{millis:03}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Gregorian date of a day count since 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_formats_utc_with_millis() {
        assert_eq!(rfc3339(0.0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_795_428_000_000.0), "2026-11-23T10:00:00.000Z");
        assert_eq!(rfc3339(951_782_400_123.0), "2000-02-29T00:00:00.123Z");
        assert_eq!(rfc3339(4_107_542_399_999.0), "2100-02-28T23:59:59.999Z");
        assert!(touchpoint_protocol::response::is_rfc3339(
            &rfc3339(now_ms())
        ));
    }

    #[test]
    fn within_days_windows() {
        let now = 100.0 * DAY_MS;
        assert!(within_days(Some(now - DAY_MS), 2, now));
        assert!(!within_days(Some(now - 2.0 * DAY_MS), 2, now));
        assert!(!within_days(Some(now), 0, now));
        assert!(!within_days(None, 30, now));
        assert!(within_days(Some(now + DAY_MS), 1, now), "clock set back");
    }
}
