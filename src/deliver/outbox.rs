//! The persistent outbox: every response state change is stored first, then
//! sent with retries; beacons on page hide (issue 5).
//!
//! Storage is the source of truth: `touchpoint:outbox` in localStorage (the
//! memory fallback when that throws) holds a JSON array of
//! [`policy::Entry`] `{"response": {…wire response…}, "queued_at": ms}`, one
//! per `response_id`, holding the merged latest state. Every change re-reads
//! it first, so two tabs of the same site never overwrite each other's
//! answers. An entry leaves only when a `fetch` confirms it (2xx), the
//! collector rejects it for good (4xx other than 408/429), the bounds push it
//! out, or it is 7 days old. Sending twice is safe: the collector upserts by
//! `response_id` with [`touchpoint_protocol::Response::merge`].

pub mod policy;

#[cfg(target_arch = "wasm32")]
mod net;

use super::storage;
use crate::clock;
use policy::Entry;
use std::cell::RefCell;
use touchpoint_protocol::{Response, Status};

/// localStorage key of the outbox.
pub const STORAGE_KEY: &str = "touchpoint:outbox";

/// Requests in flight at once, all responses together. Keeps the keepalive
/// body quota (64 KB per page) from refusing requests when a backlog drains.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
const MAX_IN_FLIGHT: usize = 4;

#[derive(Default)]
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
struct State {
    endpoint: Option<String>,
    /// `consent(false)`: nothing more is stored or sent.
    stopped: bool,
    listening: bool,
    /// Response ids with a request in flight (one per id at a time).
    in_flight: Vec<String>,
    /// (response id, failed tries, earliest next try in ms). A Vec: a few
    /// entries at most, and a map type would add its own code to the wasm.
    failures: Vec<(String, u32, f64)>,
    /// When the armed retry timer fires.
    timer_at: Option<f64>,
    /// States already handed to `sendBeacon` on this page view.
    beaconed: Vec<Response>,
    /// The last stored text and its decoding, so a drain of a long backlog
    /// does not parse the whole array for every request.
    cache: Option<(String, Vec<Entry>)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::default();
}

fn with<R>(f: impl FnOnce(&mut State) -> R) -> R {
    STATE.with(|s| f(&mut s.borrow_mut()))
}

/// The entries waiting for delivery, oldest first.
pub fn pending() -> Vec<Entry> {
    let Some(text) = storage::get(STORAGE_KEY) else {
        return Vec::new();
    };
    with(|s| match &s.cache {
        Some((cached, entries)) if *cached == text => entries.clone(),
        _ => {
            let (entries, skipped) = policy::decode(&text);
            if skipped > 0 {
                warn(&format!(
                    "touchpoint: skipped {skipped} unreadable outbox entries"
                ));
            }
            s.cache = Some((text, entries.clone()));
            entries
        }
    })
}

fn save(entries: &[Entry]) {
    if entries.is_empty() {
        storage::remove(STORAGE_KEY);
    } else {
        storage::set(STORAGE_KEY, &policy::encode(entries));
    }
}

/// Re-reads the stored outbox, changes it, and writes it back when changed.
fn update<R>(f: impl FnOnce(&mut Vec<Entry>) -> R) -> R {
    let before = pending();
    let mut entries = before.clone();
    let out = f(&mut entries);
    if entries != before {
        save(&entries);
    }
    out
}

/// Starts delivery to `endpoint`: resends what an earlier page view left
/// unconfirmed and installs the page-hide beacon.
pub fn init(endpoint: &str) {
    with(|s| s.endpoint = Some(endpoint.to_string()));
    listen();
    pump();
}

/// Queues a response state change for delivery: stored first, then sent.
pub fn send(response: &Response) {
    if with(|s| s.stopped) {
        return;
    }
    let now = clock::now_ms();
    let dropped = update(|q| {
        policy::upsert(q, response, now);
        policy::bound(q, policy::MAX_ENTRIES, policy::MAX_BYTES)
    });
    let answers = dropped
        .iter()
        .filter(|r| r.status == Status::Answered)
        .count();
    if answers > 0 {
        warn(&format!(
            "touchpoint: the outbox is full; dropped {answers} undelivered answer(s)"
        ));
    }
    // The request goes out once the browser is idle (within half a second),
    // so a survey that has just appeared paints first; the entry is already
    // stored (and beaconed on page hide), so nothing is lost.
    pump_soon();
}

/// Stops delivery and forgets the outbox (`touchpoint.consent(false)`).
pub fn stop() {
    with(|s| {
        s.stopped = true;
        s.failures.clear();
        s.beaconed.clear();
        s.cache = None;
    });
    storage::remove(STORAGE_KEY);
}

/// Allows delivery again after [`stop`] (`touchpoint.consent(true)`).
pub fn resume() {
    with(|s| s.stopped = false);
    pump();
}

fn warn(message: &str) {
    #[cfg(target_arch = "wasm32")]
    web_sys::console::warn_1(&message.into());
    #[cfg(not(target_arch = "wasm32"))]
    let _ = message;
}

/// What to send now, and when to look again.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn due_now(now: f64) -> Option<(String, Vec<Response>, Option<f64>)> {
    let expired = update(|q| policy::expire(q, now));
    if expired > 0 {
        warn(&format!(
            "touchpoint: gave up {expired} response(s) not delivered within 7 days"
        ));
    }
    let entries = pending();
    with(|s| {
        let endpoint = s.endpoint.clone().filter(|_| !s.stopped)?;
        let mut ready = Vec::new();
        let mut next: Option<f64> = None;
        for e in entries {
            let id = &e.response.response_id;
            if s.in_flight.len() >= MAX_IN_FLIGHT {
                break;
            }
            if s.in_flight.contains(id) {
                continue;
            }
            match s.failures.iter().find(|f| f.0 == *id) {
                Some(&(_, _, at)) if at > now => next = Some(next.map_or(at, |n: f64| n.min(at))),
                _ => {
                    s.in_flight.push(id.clone());
                    ready.push(e.response);
                }
            }
        }
        Some((endpoint, ready, next))
    })
}

#[cfg(not(target_arch = "wasm32"))]
fn pump() {}

#[cfg(not(target_arch = "wasm32"))]
fn listen() {}

#[cfg(not(target_arch = "wasm32"))]
fn pump_soon() {}

#[cfg(target_arch = "wasm32")]
fn pump_soon() {
    net::when_idle(500, pump);
}

/// Sends what is due; arms a timer for what waits on a backoff.
#[cfg(target_arch = "wasm32")]
fn pump() {
    let now = clock::now_ms();
    let Some((endpoint, ready, next)) = due_now(now) else {
        return;
    };
    for response in ready {
        wasm_bindgen_futures::spawn_local(deliver(endpoint.clone(), response));
    }
    if let Some(at) = next {
        let armed = with(|s| {
            let earlier = s.timer_at.is_some_and(|t| t <= at);
            if !earlier {
                s.timer_at = Some(at);
            }
            earlier
        });
        if !armed {
            net::after(at - now, || {
                with(|s| s.timer_at = None);
                pump();
            });
        }
    }
}

#[cfg(target_arch = "wasm32")]
async fn deliver(endpoint: String, response: Response) {
    use policy::Outcome;
    let reply = net::post(&endpoint, &response.to_json()).await;
    let now = clock::now_ms();
    let id = response.response_id.clone();
    let stopped = with(|s| {
        s.in_flight.retain(|x| *x != id);
        s.stopped
    });
    if stopped {
        return;
    }
    let (outcome, retry_after) = match &reply {
        Ok(r) => (policy::classify(r.status), r.retry_after.as_deref()),
        Err(()) => (Outcome::Retry, None),
    };
    match outcome {
        Outcome::Retry => {
            let wait = retry_after.and_then(|h| policy::retry_after_ms(h, now, net::parse_date));
            with(|s| {
                let failed = s.failures.iter().find(|f| f.0 == id).map_or(0, |f| f.1);
                let delay = policy::backoff_ms(failed, js_sys::Math::random(), wait);
                s.failures.retain(|f| f.0 != id);
                s.failures.push((id, failed + 1, now + delay));
            });
        }
        Outcome::Delivered | Outcome::Rejected => {
            if let (Outcome::Rejected, Ok(r)) = (outcome, &reply) {
                warn(&policy::rejection_warning(r.status, &r.body, &id));
            }
            with(|s| s.failures.retain(|f| f.0 != id));
            update(|q| policy::confirm(q, &response));
        }
    }
    pump();
}

/// Hands every pending entry to `navigator.sendBeacon` (page hide). They stay
/// stored until a `fetch` confirms them, on this page view or the next.
pub fn beacon() {
    let entries = pending();
    let Some(endpoint) = with(|s| {
        s.beaconed
            .retain(|r| entries.iter().any(|e| e.response == *r));
        s.endpoint.clone().filter(|_| !s.stopped)
    }) else {
        return;
    };
    for e in entries {
        if with(|s| s.beaconed.contains(&e.response)) {
            continue;
        }
        #[cfg(target_arch = "wasm32")]
        if !net::beacon(&endpoint, &e.response.to_json()) {
            // Over the browser's beacon quota: the next page view sends the rest.
            break;
        }
        #[cfg(not(target_arch = "wasm32"))]
        let _ = &endpoint;
        with(|s| s.beaconed.push(e.response));
    }
}

/// Retries now whatever waits on a backoff (the browser came back online).
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
fn retry_now() {
    with(|s| s.failures.iter_mut().for_each(|f| f.2 = 0.0));
    pump();
}

#[cfg(target_arch = "wasm32")]
fn listen() {
    if with(|s| std::mem::replace(&mut s.listening, true)) {
        return;
    }
    net::on_page_hide(beacon);
    net::on_online(retry_now);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answered(n: u32) -> Response {
        Response::from_value(&serde_json::json!({
            "response_id": format!("00000000-0000-4000-8000-{n:012}"),
            "touchpoint": "t", "stage": "purchase", "question": "nps", "score": 9,
            "status": "answered", "respondent": "r", "occurred_at": "2026-11-23T10:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn send_persists_before_anything_else_and_stop_forgets() {
        storage::clear_all();
        send(&answered(1));
        send(&answered(2));
        send(&answered(1));
        let stored = storage::get(STORAGE_KEY).expect("stored");
        let (entries, _) = policy::decode(&stored);
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].response, answered(1));
        init("/v1/responses");
        beacon();
        assert_eq!(with(|s| s.beaconed.len()), 2);
        stop();
        assert!(pending().is_empty());
        send(&answered(3));
        assert!(pending().is_empty(), "stopped: nothing stored");
        resume();
        send(&answered(3));
        assert_eq!(pending().len(), 1);
        retry_now();
    }
}
