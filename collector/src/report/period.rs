//! The period a report covers and how it is cut into trend buckets.

use crate::clock;
use time::macros::format_description;
use time::Date;
use touchpoint_protocol::FieldError;

const DAY: i64 = 86_400;
/// Periods up to this many days trend per day; longer ones per week.
pub const DAILY_UP_TO_DAYS: i64 = 31;
/// Longest period a report may cover (ten years).
pub const MAX_DAYS: i64 = 3660;
/// Days covered when the query names none.
pub const DEFAULT_DAYS: u32 = 30;

/// Trend granularity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Granularity {
    Day,
    Week,
}

/// `[from, to)` in UTC seconds since the epoch, with its trend buckets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: i64,
    pub to: i64,
    pub granularity: Granularity,
}

fn bad(field: &str, error: String) -> FieldError {
    FieldError {
        field: Some(field.into()),
        error,
    }
}

/// A query bound: an RFC 3339 time, or a `YYYY-MM-DD` date (UTC), from
/// 1970-01-01 to 9999-12-31. A date used as `to` means the end of that day.
fn bound(field: &str, value: &str, end_of_day: bool) -> Result<i64, FieldError> {
    let date_only = format_description!("[year]-[month]-[day]");
    let (t, date) = match Date::parse(value, date_only) {
        Ok(date) => (date.midnight().assume_utc().unix_timestamp(), true),
        Err(_) => match clock::epoch_seconds(value) {
            Some(t) => (t, false),
            None => return Err(bad(
                field,
                format!("{value:?} is not a date; use YYYY-MM-DD or an RFC 3339 time such as 2026-11-23T10:00:00Z"),
            )),
        },
    };
    if !(clock::MIN_QUERY_EPOCH..=clock::MAX_QUERY_EPOCH).contains(&t) {
        return Err(bad(
            field,
            format!(
                "{value:?} is outside 1970-01-01 to 9999-12-31 (UTC); pick a time in that range"
            ),
        ));
    }
    // The end of 9999-12-31 stays within what RFC 3339 can write.
    Ok(if date && end_of_day {
        (t + DAY).min(clock::MAX_QUERY_EPOCH)
    } else {
        t
    })
}

/// Midnight (UTC) at the start of the day after `now`.
fn end_of_today(now: i64) -> i64 {
    (now.div_euclid(DAY) + 1) * DAY
}

impl Period {
    /// Reads `from`, `to` and `days` as the report and export endpoints take
    /// them. Without `from`, the period is the `days` (default 30) whole UTC
    /// days ending with `to` (default: the end of today).
    pub fn resolve(
        from: Option<&str>,
        to: Option<&str>,
        days: Option<u32>,
        now: i64,
    ) -> Result<Period, FieldError> {
        // `from` is read first, so a query bad in both names `from`.
        let from_bound = from.map(|f| bound("from", f, false)).transpose()?;
        let to = match to {
            Some(t) => bound("to", t, true)?,
            None => end_of_today(now),
        };
        let from = match (from_bound, days) {
            (Some(f), _) => f,
            (None, Some(d)) if d == 0 || i64::from(d) > MAX_DAYS => {
                return Err(bad(
                    "days",
                    format!("{d} is out of range (use 1 to {MAX_DAYS})"),
                ))
            }
            (None, d) => to - i64::from(d.unwrap_or(DEFAULT_DAYS)) * DAY,
        };
        if from >= to {
            return Err(bad(
                "from",
                format!(
                    "{} is not before `to` ({}); pick a start before the end",
                    clock::rfc3339(from),
                    clock::rfc3339(to)
                ),
            ));
        }
        if to - from > MAX_DAYS * DAY {
            return Err(bad(
                "from",
                format!("the period is longer than {MAX_DAYS} days; pick a shorter one"),
            ));
        }
        let granularity = if to - from <= DAILY_UP_TO_DAYS * DAY {
            Granularity::Day
        } else {
            Granularity::Week
        };
        Ok(Period {
            from,
            to,
            granularity,
        })
    }

    /// Length of one trend bucket in seconds.
    pub fn bucket_secs(&self) -> i64 {
        match self.granularity {
            Granularity::Day => DAY,
            Granularity::Week => 7 * DAY,
        }
    }

    /// How many buckets cover the period (the last may be partial).
    pub fn buckets(&self) -> usize {
        let len = self.bucket_secs();
        ((self.to - self.from + len - 1) / len) as usize
    }

    /// Start of bucket `i`.
    pub fn bucket_start(&self, i: usize) -> i64 {
        self.from + i as i64 * self.bucket_secs()
    }

    /// Whole days covered, rounded up.
    pub fn days(&self) -> i64 {
        (self.to - self.from + DAY - 1) / DAY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2026-11-23T10:00:00Z
    const NOW: i64 = 1_795_428_000;

    fn day(s: &str) -> i64 {
        bound("x", s, false).unwrap()
    }

    #[test]
    fn default_is_the_last_thirty_whole_days() {
        let p = Period::resolve(None, None, None, NOW).unwrap();
        assert_eq!(p.to, day("2026-11-24"));
        assert_eq!(p.from, day("2026-10-25"));
        assert_eq!(p.granularity, Granularity::Day);
        assert_eq!(p.buckets(), 30);
    }

    #[test]
    fn a_date_as_to_includes_that_day() {
        let p = Period::resolve(Some("2026-11-01"), Some("2026-11-30"), None, NOW).unwrap();
        assert_eq!((p.from, p.to), (day("2026-11-01"), day("2026-12-01")));
        assert_eq!(p.days(), 30);
        let p = Period::resolve(Some("2026-11-01T12:00:00+02:00"), None, None, NOW).unwrap();
        assert_eq!(p.from, day("2026-11-01") + 10 * 3600);
    }

    #[test]
    fn ninety_days_trend_per_week() {
        let p = Period::resolve(None, None, Some(90), NOW).unwrap();
        assert_eq!(p.granularity, Granularity::Week);
        assert_eq!(p.buckets(), 13, "90 days = 12 weeks and a partial one");
        assert_eq!(p.bucket_start(1), p.from + 7 * DAY);
    }

    #[test]
    fn bad_bounds_name_their_field() {
        let e = Period::resolve(Some("last week"), None, None, NOW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("from"));
        assert!(e.error.contains("YYYY-MM-DD"), "{}", e.error);
        let e = Period::resolve(Some("2026-11-30"), Some("2026-11-01"), None, NOW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("from"));
        let e = Period::resolve(None, None, Some(0), NOW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("days"));
        let e = Period::resolve(None, Some("2026-13-01"), None, NOW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("to"));
    }

    #[test]
    fn bounds_outside_1970_to_9999_name_their_field() {
        for (from, to, field) in [
            ("0000-01-01T00:00:00+01:00", "0000-01-02", "from"),
            ("1969-12-31", "1970-01-02", "from"),
            ("1970-01-01T00:00:00+00:01", "1970-01-02", "from"),
            ("2026-11-01", "0000-01-02", "to"),
            ("2026-11-01", "-0001-01-01", "to"),
            ("2026-11-01", "+10000-01-01", "to"),
        ] {
            let e = Period::resolve(Some(from), Some(to), None, NOW).unwrap_err();
            assert_eq!(e.field.as_deref(), Some(field), "{from}..{to}: {e}");
        }
        let e = Period::resolve(None, Some("0000-01-02"), Some(7), NOW).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("to"));
        // The edges themselves are fine.
        let p = Period::resolve(Some("1970-01-01"), Some("1970-01-01"), None, NOW).unwrap();
        assert_eq!((p.from, p.to), (0, DAY));
        let p = Period::resolve(Some("9999-12-01"), Some("9999-12-31"), None, NOW).unwrap();
        assert_eq!(p.to, clock::MAX_QUERY_EPOCH);
        assert_eq!(clock::rfc3339(p.to), "9999-12-31T23:59:59Z");
    }
}
