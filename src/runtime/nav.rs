//! Single-page-app navigation: `history.pushState`/`replaceState` are wrapped
//! (once per page) and `popstate`/`hashchange` listened to, so `when.url` is
//! re-evaluated on every route change.

use super::{dom, engine, page};
use js_sys::{Function, Reflect};
use std::cell::Cell;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    static WRAPPED: Cell<bool> = const { Cell::new(false) };
}

/// Starts following navigation; the listeners live in the runtime.
pub fn install() {
    let Some(w) = dom::window() else { return };
    if !WRAPPED.with(|c| c.replace(true)) {
        if let Ok(history) = w.history() {
            wrap(&history, "pushState");
            wrap(&history, "replaceState");
        }
    }
    let listeners: Vec<dom::Listener> = ["popstate", "hashchange"]
        .into_iter()
        .filter_map(|kind| dom::listen(&w, kind, false, |_| engine::route()))
        .collect();
    page::with(|rt| rt.nav = listeners);
}

/// Replaces `history[name]` with a function that calls the original (its
/// result and exceptions go to the host unchanged) and then re-evaluates the
/// page at once, so a `track()` right after the navigation sees the new page.
fn wrap(history: &web_sys::History, name: &str) {
    let Some(original) = Reflect::get(history, &name.into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
    else {
        return;
    };
    let this: JsValue = history.into();
    let wrapper = Closure::<dyn Fn(JsValue, JsValue, JsValue) -> Result<JsValue, JsValue>>::new(
        move |state: JsValue, unused: JsValue, url: JsValue| {
            let result = original.call3(&this, &state, &unused, &url);
            if result.is_ok() {
                engine::route();
            }
            result
        },
    );
    if Reflect::set(history, &name.into(), wrapper.as_ref()).is_ok() {
        // The wrapper stays for the page's lifetime.
        wrapper.forget();
    }
}
