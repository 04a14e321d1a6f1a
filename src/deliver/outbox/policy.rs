//! The outbox's rules as plain functions with time (and randomness) passed
//! in: coalescing, bounding, expiry, retry classification and backoff. No
//! browser here, so all of it is tested natively.

use crate::json;
use serde::Serialize;
use serde_json::Value;
use touchpoint_protocol::{Response, Status};

/// Most entries kept.
pub const MAX_ENTRIES: usize = 500;
/// Most bytes of the stored JSON array.
pub const MAX_BYTES: usize = 256 * 1024;
/// Entries not delivered within this long after their last change are given up.
pub const MAX_AGE_MS: f64 = 7.0 * 86_400_000.0;
/// First retry waits up to this long; each failure doubles it.
pub const BASE_DELAY_MS: f64 = 1_000.0;
/// Longest backoff between two tries (Retry-After may ask for more).
pub const MAX_DELAY_MS: f64 = 300_000.0;
/// Longest Retry-After honoured; a larger one is treated as this.
pub const MAX_RETRY_AFTER_MS: f64 = 86_400_000.0;
/// A request without an answer after this long is aborted and retried.
pub const TIMEOUT_MS: f64 = 10_000.0;

/// One stored entry: the latest merged state of a response, and when it last
/// changed (ms since epoch; expiry counts from there).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    /// The response to deliver, merged over every state change not yet confirmed.
    pub response: Response,
    /// When the latest state change was queued.
    pub queued_at: f64,
}

/// Adds a state change. A response already waiting is merged with
/// [`Response::merge`] (the collector's own rule), so sending the merged
/// state alone is equivalent to sending every change in order.
pub fn upsert(entries: &mut Vec<Entry>, response: &Response, now_ms: f64) {
    match entries
        .iter_mut()
        .find(|e| e.response.response_id == response.response_id)
    {
        Some(e) => {
            e.response = e.response.merge(response);
            e.queued_at = now_ms;
        }
        None => entries.push(Entry {
            response: response.clone(),
            queued_at: now_ms,
        }),
    }
}

/// Removes the entry of `sent` if it still holds exactly what was sent (a
/// newer state that arrived meanwhile stays, to be sent next). Returns
/// whether it was removed.
pub fn confirm(entries: &mut Vec<Entry>, sent: &Response) -> bool {
    let before = entries.len();
    entries.retain(|e| e.response != *sent);
    entries.len() != before
}

/// Gives up entries older than [`MAX_AGE_MS`]; returns how many.
pub fn expire(entries: &mut Vec<Entry>, now_ms: f64) -> usize {
    let before = entries.len();
    entries.retain(|e| now_ms - e.queued_at < MAX_AGE_MS);
    before - entries.len()
}

/// Keeps at most `max_entries` entries and `max_bytes` of encoded JSON,
/// dropping the least valuable first: `shown` before `dismissed` before
/// `answered`, oldest first within each. Returns the dropped responses.
pub fn bound(entries: &mut Vec<Entry>, max_entries: usize, max_bytes: usize) -> Vec<Response> {
    let mut sizes: Vec<usize> = entries.iter().map(encoded_len).collect();
    // "[" + entries joined by "," + "]"
    let mut total = 2 + sizes.iter().sum::<usize>() + sizes.len().saturating_sub(1);
    let mut dropped = Vec::new();
    while !entries.is_empty() && (entries.len() > max_entries || total > max_bytes) {
        let victim = (0..entries.len())
            .min_by(|&a, &b| {
                let key = |i: usize| (rank(entries[i].response.status), entries[i].queued_at);
                key(a)
                    .partial_cmp(&key(b))
                    .unwrap_or(std::cmp::Ordering::Equal)
            })
            .expect("not empty");
        total -= sizes.remove(victim) + usize::from(entries.len() > 1);
        dropped.push(entries.remove(victim).response);
    }
    dropped
}

fn rank(status: Status) -> u8 {
    match status {
        Status::Shown => 0,
        Status::Dismissed => 1,
        Status::Answered => 2,
    }
}

fn encoded_len(e: &Entry) -> usize {
    serde_json::to_string(e).map_or(0, |s| s.len())
}

/// The stored form: a JSON array of entries.
pub fn encode(entries: &[Entry]) -> String {
    serde_json::to_string(entries).unwrap_or_else(|_| "[]".into())
}

/// Reads the stored form, skipping anything unreadable (another version's or
/// a damaged entry) rather than losing the rest. Responses go through the
/// protocol's own validation ([`Response::from_value`]): what the collector
/// would refuse is not worth keeping. Also returns how many were skipped.
pub fn decode(stored: &str) -> (Vec<Entry>, usize) {
    match json::parse(stored) {
        Ok(Value::Array(items)) => {
            let entries: Vec<Entry> = items.iter().filter_map(entry_from).collect();
            let skipped = items.len() - entries.len();
            (entries, skipped)
        }
        _ => (Vec::new(), 1),
    }
}

fn entry_from(v: &Value) -> Option<Entry> {
    Some(Entry {
        response: Response::from_value(v.get("response")?).ok()?,
        queued_at: v.get("queued_at")?.as_f64()?,
    })
}

/// What an HTTP status means for an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Stored by the collector: forget it.
    Delivered,
    /// Try again later (408, 429, 5xx; also network errors and timeouts).
    Retry,
    /// The collector refused it and will again: drop it with a warning.
    Rejected,
}

/// Classifies an HTTP status.
pub fn classify(status: u16) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        408 | 429 => Outcome::Retry,
        400..=499 => Outcome::Rejected,
        // 5xx, and anything unexpected (an opaque 0, a stray 3xx)
        _ => Outcome::Retry,
    }
}

/// Milliseconds to wait before try number `failures + 1`: exponential backoff
/// with full jitter (`rand01` uniform in [0, 1)), capped at [`MAX_DELAY_MS`],
/// and never less than the collector's `Retry-After`.
pub fn backoff_ms(failures: u32, rand01: f64, retry_after_ms: Option<f64>) -> f64 {
    let ceiling = (BASE_DELAY_MS * 2f64.powi(failures.min(30) as i32)).min(MAX_DELAY_MS);
    // A floor keeps a run of zero draws from hammering a struggling collector.
    let jittered = (ceiling * rand01.clamp(0.0, 1.0)).max(100.0);
    match retry_after_ms {
        Some(ms) => jittered.max(ms.clamp(0.0, MAX_RETRY_AFTER_MS)),
        None => jittered,
    }
}

/// Reads a `Retry-After` header: delta-seconds, or an HTTP date (parsed by
/// `parse_date` into ms since epoch) counted from `now_ms`.
pub fn retry_after_ms(
    header: &str,
    now_ms: f64,
    parse_date: impl Fn(&str) -> Option<f64>,
) -> Option<f64> {
    let header = header.trim();
    if let Ok(secs) = header.parse::<u64>() {
        return Some(secs as f64 * 1000.0);
    }
    parse_date(header).map(|at| (at - now_ms).max(0.0))
}

/// The console warning for a response the collector rejected, naming the
/// field from its `{"error", "field"}` body when there is one.
pub fn rejection_warning(status: u16, body: &str, response_id: &str) -> String {
    let parsed = json::parse(body).ok();
    let text = |k: &str| {
        parsed
            .as_ref()
            .and_then(|v| v.get(k))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let why = match (text("field"), text("error")) {
        (Some(f), Some(e)) => format!("field \"{f}\": {e}"),
        (None, Some(e)) => e,
        _ => body.chars().take(200).collect(),
    };
    format!(
        "touchpoint: the collector rejected response {response_id} (HTTP {status}), dropped: {why}"
    )
}

#[cfg(test)]
mod tests;
