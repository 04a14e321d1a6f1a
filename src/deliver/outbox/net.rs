//! The outbox's browser side: `fetch` with keepalive and a timeout,
//! `sendBeacon`, timers and page-lifecycle listeners.

use super::policy::{self, Outcome};
use js_sys::Reflect;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen]
extern "C" {
    // Bound here because the web-sys features of the crate do not include it.
    type AbortController;
    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<AbortController, JsValue>;
    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;
    #[wasm_bindgen(method)]
    fn abort(this: &AbortController);
}

/// What the collector answered.
pub struct Reply {
    pub status: u16,
    pub retry_after: Option<String>,
    /// Read only for rejections (to name the field in the warning).
    pub body: String,
}

/// POSTs `body` as JSON with keepalive; aborts after [`policy::TIMEOUT_MS`].
/// `Err` is a network error, an abort or a refused request.
pub async fn post(endpoint: &str, body: &str) -> Result<Reply, ()> {
    let window = web_sys::window().ok_or(())?;
    let init = web_sys::RequestInit::new();
    init.set_method("POST");
    init.set_body(&JsValue::from_str(body));
    let headers = js_sys::Object::new();
    let _ = Reflect::set(&headers, &"content-type".into(), &"application/json".into());
    init.set_headers(&headers);
    // keepalive: the request outlives the page if it closes meanwhile.
    let _ = Reflect::set(&init, &"keepalive".into(), &JsValue::TRUE);
    let controller = AbortController::new().ok();
    if let Some(c) = &controller {
        let _ = Reflect::set(&init, &"signal".into(), &c.signal());
    }
    let abort = controller.map(|c| Closure::<dyn FnMut()>::once(move || c.abort()));
    let timer = abort.as_ref().and_then(|f| {
        window
            .set_timeout_with_callback_and_timeout_and_arguments_0(
                f.as_ref().unchecked_ref(),
                policy::TIMEOUT_MS as i32,
            )
            .ok()
    });
    let result = JsFuture::from(window.fetch_with_str_and_init(endpoint, &init)).await;
    if let Some(t) = timer {
        window.clear_timeout_with_handle(t);
    }
    drop(abort);
    let response: web_sys::Response = result.map_err(|_| ())?.dyn_into().map_err(|_| ())?;
    let status = response.status();
    let retry_after = response.headers().get("retry-after").ok().flatten();
    let mut body = String::new();
    if policy::classify(status) == Outcome::Rejected {
        if let Ok(p) = response.text() {
            body = JsFuture::from(p)
                .await
                .ok()
                .and_then(|v| v.as_string())
                .unwrap_or_default();
        }
    }
    Ok(Reply {
        status,
        retry_after,
        body,
    })
}

/// `navigator.sendBeacon(endpoint, body)`; the string body goes out as
/// `text/plain;charset=UTF-8`, which needs no CORS preflight. False when the
/// browser refused it (over quota).
pub fn beacon(endpoint: &str, body: &str) -> bool {
    web_sys::window()
        .and_then(|w| {
            w.navigator()
                .send_beacon_with_opt_str(endpoint, Some(body))
                .ok()
        })
        .unwrap_or(false)
}

/// An HTTP date in ms since the epoch (`Date.parse`).
pub fn parse_date(s: &str) -> Option<f64> {
    Some(js_sys::Date::parse(s)).filter(|ms| ms.is_finite())
}

/// Runs `f` when the browser is idle (`requestIdleCallback`) but within
/// `max_ms`; after `max_ms` where that API is missing (Safari). The
/// runtime's `dom` has the same helper; delivery keeps its own so it never
/// reaches up into the runtime.
pub fn when_idle(max_ms: u32, f: impl FnOnce() + 'static) {
    let Some(w) = web_sys::window() else { return };
    let f = Closure::once_into_js(f);
    let f: &js_sys::Function = f.unchecked_ref();
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(max_ms);
    if w.request_idle_callback_with_options(f, &options).is_err() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f, max_ms as i32);
    }
}

/// Calls `f` once after `ms` milliseconds (`setTimeout`).
pub fn after(ms: f64, f: impl FnOnce() + 'static) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let f = Closure::once_into_js(f);
    let ms = ms.clamp(0.0, f64::from(i32::MAX)) as i32;
    let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(f.unchecked_ref(), ms);
}

fn listen(target: &web_sys::EventTarget, event: &str, f: impl FnMut() + 'static) {
    let f = Closure::<dyn FnMut()>::new(f);
    let _ = target.add_event_listener_with_callback(event, f.as_ref().unchecked_ref());
    // Lives as long as the page.
    f.forget();
}

/// Calls `f` on `pagehide` and when the document becomes hidden.
pub fn on_page_hide(f: fn()) {
    let Some(window) = web_sys::window() else {
        return;
    };
    listen(&window, "pagehide", f);
    if let Some(doc) = window.document() {
        let d = doc.clone();
        listen(&doc, "visibilitychange", move || {
            if d.visibility_state() == web_sys::VisibilityState::Hidden {
                f();
            }
        });
    }
}

/// Calls `f` when the browser comes back online.
pub fn on_online(f: fn()) {
    if let Some(window) = web_sys::window() {
        listen(&window, "online", f);
    }
}
