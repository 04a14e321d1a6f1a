//! Touchpoint survey widget: decides when a touchpoint fires (runtime),
//! shows the survey (ui), and delivers responses (runtime::outbox).

pub mod i18n;
pub mod runtime;
pub mod ui;

use wasm_bindgen::prelude::*;

/// Called by `touchpoint.js` once the wasm is instantiated, with
/// `{endpoint, config, inlineConfig?, locale?, queue}`. Nothing runs at module
/// init: this is the only entry point.
#[wasm_bindgen]
pub fn start(options: JsValue) {
    runtime::start(options);
}
