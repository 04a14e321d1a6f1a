//! The runtime's browser side in headless Chromium: the JS API's call
//! parsing from real JS values, listeners and timers that undo themselves
//! when dropped, click matching on real elements, and one whole start: the
//! bootstrap's queue replayed in order into a real survey. The pure decisions
//! are tested natively and in wasm in `src/decide/tests.rs`.
//!
//! `CHROMEDRIVER=/usr/bin/chromedriver cargo test --target wasm32-unknown-unknown --test runtime`

#![cfg(target_arch = "wasm32")]

use serde_json::{json, Value};
use std::cell::Cell;
use std::rc::Rc;
use touchpoint_widget::runtime::api::{self, Call};
use touchpoint_widget::runtime::dom;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn tp(id: &str, when: Value) -> Value {
    json!({"id": id, "stage": "purchase", "question": {"type": "nps"}, "when": when})
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

async fn pause(ms: u32) {
    JsFuture::from(sleep(ms)).await.unwrap();
}

// ---------- the JS API ----------

fn args(js: &[JsValue]) -> Vec<JsValue> {
    js.to_vec()
}

#[wasm_bindgen(inline_js = r#"
export function object(json) { return JSON.parse(json); }
export function nan_and_fn() { return { bad: NaN, f: function () {}, ok: 1.5, n: null }; }
export function record_events() {
  window.__tpEvents = [];
  for (const type of ['shown', 'answered', 'dismissed']) {
    window.addEventListener('touchpoint:' + type, (e) => window.__tpEvents.push(type + ':' + e.detail.touchpoint));
  }
}
export function events() { return (window.__tpEvents || []).join(','); }
export function capture_fetch() {
  window.__posts = [];
  window.fetch = (input, init) => {
    window.__posts.push(init && init.body ? String(init.body) : '');
    return Promise.resolve(new Response('{"ok":true}', { status: 202 }));
  };
}
export function posts() { return window.__posts.slice(); }
export function api_ready() { return !!(window.touchpoint && window.touchpoint.ready); }
export function sleep(ms) { return new Promise((ok) => setTimeout(ok, ms)); }
"#)]
extern "C" {
    fn object(json: &str) -> JsValue;
    fn nan_and_fn() -> JsValue;
    fn record_events();
    fn events() -> String;
    fn capture_fetch();
    fn posts() -> Vec<String>;
    fn api_ready() -> bool;
    fn sleep(ms: u32) -> js_sys::Promise;
}

#[wasm_bindgen_test]
fn api_calls_are_parsed_with_helpful_errors() {
    assert_eq!(
        api::parse(
            "track",
            &args(&["order_completed".into(), object("{\"a\":1}")])
        ),
        Ok(Call::Track("order_completed".into()))
    );
    assert_eq!(
        api::parse("show", &args(&["x".into()])),
        Ok(Call::Show("x".into()))
    );
    assert_eq!(
        api::parse("consent", &args(&[JsValue::TRUE])),
        Ok(Call::Consent(true))
    );
    assert_eq!(api::parse("reset", &[]), Ok(Call::Reset));
    assert!(api::parse("track", &[])
        .unwrap_err()
        .contains("touchpoint.track('order_completed')"));
    assert!(api::parse("track", &args(&[JsValue::from(3)])).is_err());
    assert!(api::parse("consent", &args(&["yes".into()]))
        .unwrap_err()
        .contains("true or false"));
    assert!(api::parse("show", &args(&["  ".into()])).is_err());
    assert!(api::parse("launch", &[])
        .unwrap_err()
        .contains("not part of the API"));
    assert!(api::parse("identify", &args(&["plan".into()])).is_err());
    assert!(api::parse("identify", &args(&[object("[1]")])).is_err());
}

#[wasm_bindgen_test]
fn identify_values_are_converted_and_bad_ones_named() {
    match api::parse(
        "identify",
        &args(&[object("{\"plan\":\"pro\",\"seats\":3,\"beta\":false}")]),
    ) {
        Ok(Call::Identify(m, refused)) => {
            assert_eq!(
                Value::Object(m),
                json!({"plan": "pro", "seats": 3, "beta": false})
            );
            assert!(refused.is_empty());
        }
        other => panic!("{other:?}"),
    }
    match api::parse("identify", &args(&[nan_and_fn()])) {
        Ok(Call::Identify(m, refused)) => {
            assert_eq!(Value::Object(m), json!({"ok": 1.5, "n": null}));
            assert_eq!(refused.len(), 2, "{refused:?}");
            assert!(refused[0].contains("\"bad\""));
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn a_dropped_listener_is_removed_from_its_target() {
    let hits = Rc::new(Cell::new(0));
    let target: web_sys::EventTarget = document().create_element("div").unwrap().into();
    let h = hits.clone();
    let listener = dom::listen(&target, "ping", false, move |_| h.set(h.get() + 1)).unwrap();
    let ping = || {
        target
            .dispatch_event(&web_sys::Event::new("ping").unwrap())
            .unwrap()
    };
    ping();
    assert_eq!(hits.get(), 1);
    drop(listener);
    ping();
    assert_eq!(
        hits.get(),
        1,
        "removed from the same target it was added to"
    );
}

#[wasm_bindgen_test]
async fn a_dropped_timer_never_fires() {
    let fired = Rc::new(Cell::new(0));
    let (a, b) = (fired.clone(), fired.clone());
    let kept = dom::timeout(10, move || a.set(a.get() + 1)).unwrap();
    let dropped = dom::timeout(10, move || b.set(b.get() + 10)).unwrap();
    drop(dropped);
    pause(60).await;
    assert_eq!(fired.get(), 1);
    drop(kept);
}

#[wasm_bindgen_test]
fn click_matching_uses_closest_and_skips_surveys() {
    let doc = document();
    let body = doc.body().unwrap();
    let wrap = doc.create_element("div").unwrap();
    wrap.set_inner_html(
        "<button id=\"t-buy\"><span>Buy</span></button><div data-touchpoint-host=\"x\"><b class=\"t-in\">in</b></div>",
    );
    body.append_child(&wrap).unwrap();
    let click_on = |sel: &str| {
        let el = doc.query_selector(sel).unwrap().unwrap();
        let ev = web_sys::MouseEvent::new("click").unwrap();
        let seen = Rc::new(Cell::new(None));
        let s = seen.clone();
        let probe = |sel: &'static str| {
            let s = s.clone();
            move |e: web_sys::Event| s.set(Some(dom::target_matches(&e, sel)))
        };
        let _l = dom::listen(&el, "click", false, probe("#t-buy, .t-in")).unwrap();
        el.dispatch_event(&ev).unwrap();
        seen.get()
    };
    assert_eq!(click_on("#t-buy span"), Some(true), "inside the selector");
    assert_eq!(click_on(".t-in"), Some(false), "inside a survey host");
    assert!(dom::valid_selector("#t-buy > span"));
    assert!(!dom::valid_selector("#t-buy >>> span"));
    wrap.remove();
}

/// The whole runtime once: the bootstrap's queue is replayed in order (the
/// attributes from `identify` are on the `shown` response of the survey that
/// `track` fired), the methods become real, and a second start is ignored.
#[wasm_bindgen_test]
async fn start_replays_the_queue_in_order_into_a_real_survey() {
    record_events();
    capture_fetch();
    let queue = js_sys::Array::new();
    let call = |name: &str, arg: JsValue| {
        let entry = js_sys::Array::of2(&name.into(), &js_sys::Array::of1(&arg));
        queue.push(&entry);
    };
    call("identify", object("{\"plan\":\"pro\"}"));
    call("track", "signed_up".into());
    call("identify", object("{\"plan\":\"team\"}"));
    let options = object("{}");
    let set = |k: &str, v: &JsValue| js_sys::Reflect::set(&options, &k.into(), v).unwrap();
    set("endpoint", &"https://collector.invalid/v1/responses".into());
    set(
        "inlineConfig",
        &json!({"version": 1, "fatigue": {"max_surveys_per_session": 0}, "touchpoints": [
            tp("signup", json!({"on": {"event": "signed_up"}})),
            tp("later", json!({"on": {"event": "later"}})),
        ]})
        .to_string()
        .into(),
    );
    set("queue", &queue);
    touchpoint_widget::start(options.clone());
    touchpoint_widget::start(options);
    for _ in 0..50 {
        if api_ready() && !posts().is_empty() {
            break;
        }
        pause(50).await;
    }
    assert!(api_ready(), "window.touchpoint.ready");
    assert_eq!(queue.length(), 0, "the queue was drained");
    assert_eq!(events(), "shown:signup");
    let shown: Value = serde_json::from_str(&posts()[0]).expect("a JSON post");
    assert_eq!(shown["touchpoint"], "signup");
    assert_eq!(shown["status"], "shown");
    assert_eq!(
        shown["attributes"],
        json!({"plan": "pro"}),
        "identify ran before track"
    );
    let host = web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .query_selector("[data-touchpoint-host=\"signup\"]")
        .unwrap();
    assert!(host.is_some(), "the survey is on the page");
}
