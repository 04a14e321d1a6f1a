//! Storage fallback and the outbox in headless Chromium: real localStorage,
//! real `fetch` plumbing against a scripted `window.fetch`, real `pagehide`.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test delivery`

#![cfg(target_arch = "wasm32")]

use touchpoint_protocol::{Response, Status};
use touchpoint_widget::deliver::outbox::{self, policy, STORAGE_KEY};
use touchpoint_widget::deliver::storage;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
export function local_raw(key) { return window.localStorage.getItem(key); }
export function local_put(key, value) { window.localStorage.setItem(key, value); }

const saved = {};
export function block_storage() {
  saved.local = Object.getOwnPropertyDescriptor(window, 'localStorage');
  saved.session = Object.getOwnPropertyDescriptor(window, 'sessionStorage');
  const deny = { get() { throw new DOMException('The operation is insecure.', 'SecurityError'); }, configurable: true };
  Object.defineProperty(window, 'localStorage', deny);
  Object.defineProperty(window, 'sessionStorage', deny);
}
export function unblock_storage() {
  Object.defineProperty(window, 'localStorage', saved.local);
  Object.defineProperty(window, 'sessionStorage', saved.session);
}
export function fill_quota(on) {
  if (on) {
    saved.setItem = Storage.prototype.setItem;
    Storage.prototype.setItem = function () { throw new DOMException('full', 'QuotaExceededError'); };
  } else {
    Storage.prototype.setItem = saved.setItem;
  }
}

// A scripted collector: each call takes the next planned answer
// (a status number, or "net" for a network error); 202 when the plan is empty.
export function fake_fetch(plan, delay_ms) {
  window.__calls = [];
  window.__warnings = [];
  const warn = console.warn;
  console.warn = (...a) => { window.__warnings.push(a.join(' ')); warn.apply(console, a); };
  window.fetch = async (url, init) => {
    const answer = plan.length ? plan.shift() : 202;
    window.__calls.push({ url: String(url), body: init.body, method: init.method,
      keepalive: init.keepalive === true, type: init.headers['content-type'],
      signal: init.signal instanceof AbortSignal, answer });
    await new Promise((ok) => setTimeout(ok, delay_ms));
    if (answer === 'net') throw new TypeError('Failed to fetch');
    const body = answer === 422
      ? JSON.stringify({ error: '11 is outside the nps scale (0–10)', field: 'score' })
      : JSON.stringify({ ok: true });
    const headers = answer === 503 ? { 'retry-after': '0' } : {};
    return new Response(body, { status: answer, headers });
  };
}
export function calls() { return JSON.stringify(window.__calls); }
export function warnings() { return JSON.stringify(window.__warnings); }

export function fake_beacon() {
  window.__beacons = [];
  Navigator.prototype.sendBeacon = function (url, data) {
    window.__beacons.push({ url: String(url), body: String(data) });
    return true;
  };
}
export function beacons() { return JSON.stringify(window.__beacons); }
export function fire(name) { window.dispatchEvent(new Event(name)); }
export function sleep(ms) { return new Promise((ok) => setTimeout(ok, ms)); }
"#)]
extern "C" {
    fn local_raw(key: &str) -> Option<String>;
    fn local_put(key: &str, value: &str);
    fn block_storage();
    fn unblock_storage();
    fn fill_quota(on: bool);
    fn fake_fetch(plan: js_sys::Array, delay_ms: u32);
    fn calls() -> String;
    fn warnings() -> String;
    fn fake_beacon();
    fn beacons() -> String;
    fn fire(name: &str);
    fn sleep(ms: u32) -> js_sys::Promise;
}

async fn pause(ms: u32) {
    let _ = wasm_bindgen_futures::JsFuture::from(sleep(ms)).await;
}

fn plan(items: &[JsValue]) -> js_sys::Array {
    items.iter().collect()
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

fn response(n: u32, status: Status, score: Option<u8>) -> Response {
    Response::from_value(&serde_json::json!({
        "response_id": format!("00000000-0000-4000-8000-{n:012}"),
        "touchpoint": "order-confirmed", "stage": "purchase", "question": "nps",
        "score": score, "status": status.as_str(), "respondent": "r-1",
        "occurred_at": format!("2026-11-23T10:00:{:02}Z", n % 60)
    }))
    .unwrap()
}

/// Polls until the outbox is empty (bounded).
async fn drained(max_ms: u32) -> bool {
    for _ in 0..max_ms / 50 {
        if outbox::pending().is_empty() {
            return true;
        }
        pause(50).await;
    }
    false
}

#[wasm_bindgen_test]
fn storage_prefixes_keys_and_clear_all_keeps_the_hosts() {
    storage::clear_all();
    local_put("host:cart", "3");
    storage::set("respondent", "abc");
    assert_eq!(local_raw("touchpoint:respondent").as_deref(), Some("abc"));
    assert_eq!(
        storage::get("touchpoint:respondent").as_deref(),
        Some("abc")
    );
    storage::session_set("session", "2");
    assert!(storage::persistent());
    storage::clear_all();
    assert_eq!(local_raw("touchpoint:respondent"), None);
    assert_eq!(storage::session_get("session"), None);
    assert_eq!(
        local_raw("host:cart").as_deref(),
        Some("3"),
        "not ours: kept"
    );
}

#[wasm_bindgen_test]
fn storage_falls_back_to_memory_when_blocked_or_full() {
    storage::clear_all();
    block_storage();
    storage::set("k", "in memory");
    assert_eq!(storage::get("k").as_deref(), Some("in memory"));
    storage::session_set("s", "1");
    assert_eq!(storage::session_get("s").as_deref(), Some("1"));
    assert!(!storage::persistent());
    storage::clear_all();
    assert_eq!(storage::get("k"), None);
    unblock_storage();

    storage::set("q", "old");
    fill_quota(true);
    storage::set("q", "new");
    let read = storage::get("q");
    fill_quota(false);
    assert_eq!(
        read.as_deref(),
        Some("new"),
        "a failed write is never shadowed"
    );
    storage::clear_all();
    assert_eq!(storage::get("q"), None);
}

#[wasm_bindgen_test]
async fn outbox_persists_first_retries_and_confirms() {
    storage::clear_all();
    // 503 (Retry-After: 0), then a network error, then accepted.
    fake_fetch(plan(&[503.into(), "net".into()]), 20);
    outbox::init("/collect");
    let shown = response(1, Status::Shown, None);
    outbox::send(&shown);
    // Stored before any request could finish.
    let (stored, _) = policy::decode(&local_raw(STORAGE_KEY).expect("persisted at once"));
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].response, shown);
    assert!(drained(8_000).await, "delivered after retries: {}", calls());
    assert_eq!(local_raw(STORAGE_KEY), None);
    let calls = json(&calls());
    let calls = calls.as_array().unwrap();
    assert_eq!(calls.len(), 3, "{calls:?}");
    for c in calls {
        assert_eq!(c["url"], "/collect");
        assert_eq!(c["method"], "POST");
        assert_eq!(c["keepalive"], true);
        assert_eq!(c["type"], "application/json");
        assert_eq!(c["signal"], true, "aborts after a timeout");
        assert_eq!(
            Response::from_json(c["body"].as_str().unwrap()).unwrap(),
            shown
        );
    }
}

#[wasm_bindgen_test]
async fn a_newer_state_sent_while_in_flight_goes_out_after_it() {
    storage::clear_all();
    fake_fetch(plan(&[]), 150);
    outbox::init("/collect");
    outbox::send(&response(2, Status::Shown, None));
    pause(20).await;
    outbox::send(&response(2, Status::Answered, Some(9)));
    assert!(drained(5_000).await);
    let calls = json(&calls());
    let bodies: Vec<Response> = calls
        .as_array()
        .unwrap()
        .iter()
        .map(|c| Response::from_json(c["body"].as_str().unwrap()).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2, "one in flight per response: {bodies:?}");
    assert_eq!(bodies[0].status, Status::Shown);
    assert_eq!(
        (bodies[1].status, bodies[1].score),
        (Status::Answered, Some(9))
    );
}

#[wasm_bindgen_test]
async fn rejected_responses_are_dropped_with_a_warning_naming_the_field() {
    storage::clear_all();
    fake_fetch(plan(&[422.into()]), 0);
    outbox::init("/collect");
    outbox::send(&response(3, Status::Answered, Some(10)));
    assert!(drained(3_000).await);
    assert_eq!(json(&calls()).as_array().unwrap().len(), 1, "not retried");
    let warnings = warnings();
    assert!(
        warnings.contains("field \\\"score\\\"") && warnings.contains("HTTP 422"),
        "{warnings}"
    );
}

#[wasm_bindgen_test]
async fn pagehide_beacons_pending_entries_and_init_resends_what_was_left() {
    storage::clear_all();
    fake_beacon();
    // The collector is down: every fetch fails, entries stay pending.
    fake_fetch(plan(&["net".into(), "net".into(), "net".into()]), 0);
    outbox::init("/collect");
    outbox::send(&response(4, Status::Answered, Some(7)));
    pause(50).await;
    fire("pagehide");
    let sent = json(&beacons());
    let sent = sent.as_array().unwrap();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["url"], "/collect");
    let beaconed = Response::from_json(sent[0]["body"].as_str().unwrap()).unwrap();
    assert_eq!(beaconed.score, Some(7));
    fire("pagehide");
    assert_eq!(
        json(&beacons()).as_array().unwrap().len(),
        1,
        "same state: once"
    );
    assert_eq!(outbox::pending().len(), 1, "kept until a fetch confirms it");

    // A "previous page view" left an entry: init sends it.
    let left = response(5, Status::Answered, Some(2));
    let mut entries = outbox::pending();
    policy::upsert(&mut entries, &left, js_sys::Date::now());
    local_put(STORAGE_KEY, &policy::encode(&entries));
    fake_fetch(plan(&[]), 0);
    outbox::init("/collect");
    assert!(drained(8_000).await, "{}", calls());
    assert!(calls().contains("00000000-0000-4000-8000-000000000005"));
}

#[wasm_bindgen_test]
async fn outbox_works_in_memory_when_storage_is_blocked() {
    storage::clear_all();
    block_storage();
    fake_fetch(plan(&["net".into()]), 0);
    outbox::init("/collect");
    outbox::send(&response(6, Status::Answered, Some(5)));
    assert_eq!(outbox::pending().len(), 1);
    let ok = drained(4_000).await;
    unblock_storage();
    assert!(ok, "{}", calls());
    assert_eq!(json(&calls()).as_array().unwrap().len(), 2);
}
