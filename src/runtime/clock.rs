//! The widget's clock (milliseconds since the epoch). Injectable in tests.
//! STUB: the delivery work fills this in; signatures are the contract.

/// Now, in milliseconds since the Unix epoch.
pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// RFC 3339 UTC time for `ms`.
pub fn rfc3339(ms: f64) -> String {
    js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
        .to_iso_string()
        .into()
}
