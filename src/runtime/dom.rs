//! Thin browser side effects: console, timers, listeners, location, events.
//! Timers and listeners are owned values that undo themselves when dropped,
//! so whatever holds them decides their lifetime and nothing leaks.

use js_sys::{Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CustomEvent, CustomEventInit, Event, EventTarget, Window};

/// The window, when there is one.
pub fn window() -> Option<Window> {
    web_sys::window()
}

/// One console warning, prefixed so hosts can tell where it comes from.
pub fn warn(message: &str) {
    web_sys::console::warn_1(&JsValue::from_str(&format!("touchpoint: {message}")));
}

/// A pending `setTimeout`; dropping it cancels it.
pub struct Timer {
    id: i32,
    _callback: Closure<dyn FnMut()>,
}

impl Drop for Timer {
    fn drop(&mut self) {
        if let Some(w) = window() {
            w.clear_timeout_with_handle(self.id);
        }
    }
}

/// Runs `f` once after `ms` milliseconds, unless the timer is dropped first.
pub fn timeout(ms: u32, f: impl FnOnce() + 'static) -> Option<Timer> {
    let callback = Closure::once(f);
    let id = window()?
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            ms.min(i32::MAX as u32) as i32,
        )
        .ok()?;
    Some(Timer {
        id,
        _callback: callback,
    })
}

/// Resolves in a later task (`setTimeout` 0), so the browser can paint and
/// handle input between long steps and no single task runs long.
pub async fn next_task() {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let queued = window().and_then(|w| {
            w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 0)
                .ok()
        });
        if queued.is_none() {
            let _ = resolve.call0(&JsValue::NULL);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// Runs `f` when the browser is idle (`requestIdleCallback`) but within
/// `max_ms`; after `max_ms` where that API is missing (Safari).
pub fn when_idle(max_ms: u32, f: impl FnOnce() + 'static) {
    let Some(w) = window() else { return };
    let f = Closure::once_into_js(f);
    let f: &js_sys::Function = f.unchecked_ref();
    let options = web_sys::IdleRequestOptions::new();
    options.set_timeout(max_ms);
    if w.request_idle_callback_with_options(f, &options).is_err() {
        let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(f, max_ms as i32);
    }
}

/// An event listener; dropping it removes it from the target it was added to.
pub struct Listener {
    target: EventTarget,
    kind: &'static str,
    capture: bool,
    callback: Closure<dyn FnMut(Event)>,
}

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.target.remove_event_listener_with_callback_and_bool(
            self.kind,
            self.callback.as_ref().unchecked_ref(),
            self.capture,
        );
    }
}

/// Adds a listener for `kind` events on `target`.
pub fn listen(
    target: &EventTarget,
    kind: &'static str,
    capture: bool,
    f: impl FnMut(Event) + 'static,
) -> Option<Listener> {
    let callback = Closure::<dyn FnMut(Event)>::new(f);
    target
        .add_event_listener_with_callback_and_bool(kind, callback.as_ref().unchecked_ref(), capture)
        .ok()?;
    Some(Listener {
        target: target.clone(),
        kind,
        capture,
        callback,
    })
}

/// The page as triggers see it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Location {
    /// `location.pathname`.
    pub path: String,
    /// `location.href`.
    pub href: String,
    /// `location.search`.
    pub search: String,
}

/// The current location.
pub fn location() -> Location {
    let Some(l) = window().map(|w| w.location()) else {
        return Location::default();
    };
    Location {
        path: l.pathname().unwrap_or_default(),
        href: l.href().unwrap_or_default(),
        search: l.search().unwrap_or_default(),
    }
}

/// Dispatches `touchpoint:<name>` on window with a plain-object `detail`.
pub fn dispatch(name: &str, detail: &crate::decide::survey::Detail) {
    let Some(w) = window() else { return };
    let obj = Object::new();
    let set = |k: &str, v: JsValue| {
        let _ = Reflect::set(&obj, &JsValue::from_str(k), &v);
    };
    set("touchpoint", JsValue::from_str(&detail.touchpoint));
    set("stage", JsValue::from_str(&detail.stage));
    set("question", JsValue::from_str(detail.question.as_str()));
    if let Some(score) = detail.score {
        set("score", JsValue::from(score));
    }
    let init = CustomEventInit::new();
    init.set_detail(&obj);
    if let Ok(ev) = CustomEvent::new_with_event_init_dict(&format!("touchpoint:{name}"), &init) {
        let _ = w.dispatch_event(&ev);
    }
}

/// Whether the primary pointer is coarse (touch): exit intent does not apply.
pub fn touch_primary() -> bool {
    window()
        .and_then(|w| w.match_media("(pointer: coarse)").ok().flatten())
        .is_some_and(|m| m.matches())
}

/// How far down the page the viewport's bottom is, 0–100.
pub fn scroll_percent() -> f64 {
    let Some(w) = window() else { return 0.0 };
    let y = w.scroll_y().unwrap_or(0.0);
    let vh = w
        .inner_height()
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(0.0);
    let doc = w
        .document()
        .and_then(|d| d.document_element())
        .map_or(0.0, |e| f64::from(e.scroll_height()));
    crate::decide::fire::scroll_percent(y, vh, doc)
}

/// Whether `selector` is a CSS selector the browser accepts.
pub fn valid_selector(selector: &str) -> bool {
    window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.query_selector(selector).is_ok())
}

/// Whether the event's target is, or is inside, an element matching `selector`.
pub fn target_matches(event: &Event, selector: &str) -> bool {
    let Some(target) = event.target() else {
        return false;
    };
    let element = match target.dyn_into::<web_sys::Element>() {
        Ok(e) => Some(e),
        Err(t) => t
            .dyn_into::<web_sys::Node>()
            .ok()
            .and_then(|n| n.parent_element()),
    };
    // Clicks inside a survey (retargeted to its host element) are not the page's.
    element.is_some_and(|e| {
        matches!(e.closest(selector), Ok(Some(_)))
            && !matches!(e.closest("[data-touchpoint-host]"), Ok(Some(_)))
    })
}

/// Runs `f` in a microtask: after the current call stack (a host's
/// `pushState`, a UI callback) has returned.
pub fn soon(f: impl FnOnce() + 'static) {
    wasm_bindgen_futures::spawn_local(async move { f() });
}
