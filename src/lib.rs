//! Touchpoint survey widget, in three rooms plus the survey UI:
//!
//! - [`decide`]: which touchpoint fires, the cap rule, locale and survey
//!   content. Pure (no DOM, never the runtime), tested natively.
//! - [`deliver`]: the outbox and what the widget keeps in browser storage.
//! - [`runtime`]: the browser side that wires the page to both: start-up,
//!   triggers, showing surveys, the JS API, navigation, privacy.
//! - [`ui`]: the yew survey in a shadow root.
//!
//! Imports point one way: runtime → deliver → decide; `clock`, `json` and
//! `i18n` are small helpers any room may use.

pub mod clock;
pub mod decide;
pub mod deliver;
pub mod i18n;
pub mod json;
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
