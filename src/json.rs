//! Reading JSON text. In the browser the page's own `JSON.parse` does the
//! parsing and the result is walked into a `serde_json::Value`: the wasm then
//! carries no JSON parser (number and string decoding are a large share of
//! serde_json's code). Natively (unit tests) serde_json parses.

use serde_json::Value;

/// Parses `text`; the error is the parser's message.
#[cfg(target_arch = "wasm32")]
pub fn parse(text: &str) -> Result<Value, String> {
    use wasm_bindgen::JsCast;
    js_sys::JSON::parse(text)
        .map(|v| from_js(&v, 0))
        .map_err(|e| {
            e.dyn_ref::<js_sys::Error>()
                .map_or_else(|| "not JSON".to_string(), |e| String::from(e.message()))
        })
}

/// Parses `text`; the error is the parser's message.
#[cfg(not(target_arch = "wasm32"))]
pub fn parse(text: &str) -> Result<Value, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Nesting deeper than this reads as null (serde_json refuses beyond 128 too):
/// the walk is recursive and the wasm stack is small.
#[cfg(target_arch = "wasm32")]
const MAX_DEPTH: u32 = 128;

/// A parsed JS value as JSON: what `JSON.parse` returns has no other kinds.
#[cfg(target_arch = "wasm32")]
fn from_js(v: &wasm_bindgen::JsValue, depth: u32) -> Value {
    use js_sys::{Array, Object};
    use wasm_bindgen::JsCast;
    if depth > MAX_DEPTH {
        Value::Null
    } else if let Some(s) = v.as_string() {
        Value::String(s)
    } else if let Some(n) = v.as_f64() {
        number(n)
    } else if let Some(b) = v.as_bool() {
        Value::Bool(b)
    } else if Array::is_array(v) {
        Value::Array(
            Array::from(v)
                .iter()
                .map(|x| from_js(&x, depth + 1))
                .collect(),
        )
    } else if let Some(o) = v.dyn_ref::<Object>() {
        // Inserted one by one: collecting would sort the entries first, with
        // a stable-sort instantiation of its own in the wasm.
        let mut fields = serde_json::Map::new();
        for pair in Object::entries(o).iter() {
            let pair = Array::from(&pair);
            fields.insert(
                pair.get(0).as_string().unwrap_or_default(),
                from_js(&pair.get(1), depth + 1),
            );
        }
        Value::Object(fields)
    } else {
        Value::Null
    }
}

/// Whole numbers read as integers, as serde_json reads `1` (so `as_u64`
/// works on them); others as floats.
pub fn number(n: f64) -> Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if n.fract() == 0.0 && n.abs() <= EXACT {
        if n >= 0.0 {
            Value::from(n as u64)
        } else {
            Value::from(n as i64)
        }
    } else {
        serde_json::Number::from_f64(n).map_or(Value::Null, Value::Number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test;

    // Natively and in the browser (where JSON.parse does the parsing).
    #[wasm_bindgen_test(unsupported = test)]
    fn whole_numbers_are_integers_and_text_parses() {
        assert_eq!(number(1.0).as_u64(), Some(1));
        assert_eq!(number(-3.0).as_i64(), Some(-3));
        assert_eq!(number(0.5).as_f64(), Some(0.5));
        assert_eq!(number(1e300).as_u64(), None);
        assert!(parse("{").is_err());
        let v = parse(r#"{"a":[1,"x",null,{"b":true}],"n":-2.5}"#).unwrap();
        assert_eq!(v["a"][0].as_u64(), Some(1));
        assert_eq!(v["a"][1], "x");
        assert!(v["a"][2].is_null());
        assert_eq!(v["a"][3]["b"], true);
        assert_eq!(v["n"].as_f64(), Some(-2.5));
        // A hostile nesting neither overflows the stack nor loses the rest.
        let deep = format!(
            "{{\"ok\":1,\"deep\":{}{}}}",
            "[".repeat(100),
            "]".repeat(100)
        );
        assert_eq!(parse(&deep).unwrap()["ok"].as_u64(), Some(1));
        #[cfg(target_arch = "wasm32")]
        {
            let n = 10_000;
            let hostile = format!("{{\"ok\":1,\"deep\":{}{}}}", "[".repeat(n), "]".repeat(n));
            let v = parse(&hostile).unwrap();
            assert_eq!(v["ok"].as_u64(), Some(1));
            assert!(v
                .pointer(&format!("/deep{}", "/0".repeat(MAX_DEPTH as usize)))
                .is_some_and(Value::is_null));
        }
    }
}
