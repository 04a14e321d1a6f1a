//! `window.touchpoint`: the JS API for web teams. The bootstrap queues calls
//! as `[name, args]` until `start` installs these methods and replays them.

use super::{dom, engine, page, privacy, show};
use crate::decide::fire::{self, Origin};
use crate::decide::survey;
use crate::deliver::storage;
use js_sys::{Array, Object, Reflect};
use serde_json::{Map, Number, Value};
use wasm_bindgen::prelude::*;

/// One call of the JS API.
#[derive(Debug, Clone, PartialEq)]
pub enum Call {
    /// `track(name, properties?)`.
    Track(String),
    /// `identify(attributes)`: the usable attributes, and a message per refused one.
    Identify(Map<String, Value>, Vec<String>),
    /// `show(touchpointId)`.
    Show(String),
    /// `consent(granted)`.
    Consent(bool),
    /// `reset()`.
    Reset,
}

/// Reads one call; the error is a console message saying how to call it.
pub fn parse(name: &str, args: &[JsValue]) -> Result<Call, String> {
    let first = args.first().cloned().unwrap_or(JsValue::UNDEFINED);
    let text = |what: &str| {
        first
            .as_string()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("{name}() takes {what}"))
    };
    match name {
        "track" => text("an event name, e.g. touchpoint.track('order_completed')").map(Call::Track),
        "show" => text("a touchpoint id, e.g. touchpoint.show('order-confirmed')").map(Call::Show),
        "consent" => first
            .as_bool()
            .map(Call::Consent)
            .ok_or_else(|| "consent() takes true or false".to_string()),
        "reset" => Ok(Call::Reset),
        "identify" => attributes(&first).map(|(m, refused)| Call::Identify(m, refused)),
        _ => Err(format!("{name}() is not part of the API")),
    }
}

/// Converts an `identify` argument; `null`/`undefined` values stay as null
/// (they remove the key), values of other types are refused by name.
fn attributes(v: &JsValue) -> Result<(Map<String, Value>, Vec<String>), String> {
    if !v.is_object() || Array::is_array(v) {
        return Err("identify() takes an object such as {plan: 'pro', seats: 3}".into());
    }
    let mut map = Map::new();
    let mut refused = Vec::new();
    for entry in Object::entries(v.unchecked_ref()).iter() {
        let pair: Array = entry.unchecked_into();
        let key = pair.get(0).as_string().unwrap_or_default();
        let val = pair.get(1);
        let value = if val.is_null() || val.is_undefined() {
            Some(Value::Null)
        } else if let Some(s) = val.as_string() {
            Some(Value::String(s))
        } else if let Some(b) = val.as_bool() {
            Some(Value::Bool(b))
        } else {
            val.as_f64().and_then(number)
        };
        match value {
            Some(value) => {
                map.insert(key, value);
            }
            None => refused.push(format!(
                "identify(): \"{key}\" must be a string, number or boolean; it was left out"
            )),
        }
    }
    Ok((map, refused))
}

fn number(f: f64) -> Option<Value> {
    if f.fract() == 0.0 && f.abs() < 9_007_199_254_740_992.0 {
        Some(Value::Number((f as i64).into()))
    } else {
        Number::from_f64(f).map(Value::Number)
    }
}

/// Storage key of the identify attributes.
pub const ATTRIBUTES_KEY: &str = "attributes";

/// Runs one call. Before a usable config only `consent` and `reset` act.
pub fn run(call: Call) {
    match call {
        Call::Track(name) => engine::track(&name),
        Call::Show(id) => show_by_id(&id),
        Call::Identify(incoming, refused) => {
            for msg in refused {
                dom::warn(&msg);
            }
            identify(incoming);
        }
        Call::Consent(granted) => {
            privacy::set_consent(granted);
            if !granted {
                // Local state is gone (privacy::set_consent), and so is the survey.
                page::with(|rt| rt.attributes.clear());
                show::withdraw();
            }
            engine::route();
        }
        Call::Reset => {
            privacy::reset();
            page::with(|rt| rt.attributes.clear());
        }
    }
}

fn identify(incoming: Map<String, Value>) {
    let stored = page::with(|rt| {
        let refused = survey::merge_attributes(&mut rt.attributes, incoming);
        let json = Value::Object(rt.attributes.clone()).to_string();
        (refused, rt.privacy_allows().then_some(json))
    });
    let Some((refused, json)) = stored else {
        return;
    };
    for msg in refused {
        dom::warn(&msg);
    }
    if let Some(json) = json {
        storage::set(ATTRIBUTES_KEY, &json);
    }
}

fn show_by_id(id: &str) {
    let found = page::with(|rt| {
        let (index, tp) = fire::find(&rt.config, &rt.disabled, id)?;
        if !tp.enabled {
            return Err(format!(
                "show(\"{id}\"): the touchpoint has \"enabled\": false"
            ));
        }
        if rt.visible.is_some() {
            return Err(format!("show(\"{id}\"): another survey is visible"));
        }
        Ok(index)
    });
    match found {
        Some(Ok(index)) => {
            show::try_show(index, Origin::Api);
        }
        Some(Err(msg)) => dom::warn(&msg),
        None => {}
    }
}

/// The `touchpoint.show` of a `?touchpoint_preview=<id>` link: any
/// touchpoint of the config, enabled or not, at once.
pub fn preview(id: &str) {
    let found = page::with(|rt| fire::find(&rt.config, &rt.disabled, id).map(|(i, _)| i));
    match found {
        Some(Ok(index)) => {
            show::try_show(index, Origin::Preview);
        }
        Some(Err(msg)) => dom::warn(&format!("touchpoint_preview: {msg}")),
        None => {}
    }
}

const METHODS: [&str; 5] = ["track", "identify", "show", "consent", "reset"];

/// Replaces the bootstrap's queueing methods on `window.touchpoint` with
/// real ones. Errors in a call become console warnings, never exceptions.
pub fn install() {
    let Some(w) = dom::window() else { return };
    let api = match Reflect::get(&w, &"touchpoint".into()) {
        Ok(v) if v.is_object() => v,
        _ => {
            let o: JsValue = Object::new().into();
            let _ = Reflect::set(&w, &"touchpoint".into(), &o);
            o
        }
    };
    for name in METHODS {
        let f = Closure::<dyn Fn(JsValue, JsValue)>::new(move |a: JsValue, b: JsValue| {
            call(name, &[a, b]);
        });
        let _ = Reflect::set(&api, &name.into(), f.as_ref());
        // The methods live as long as the page.
        f.forget();
    }
}

/// Sets `window.touchpoint.ready = true`: the config is loaded, the page
/// armed and the queue replayed (hosts and tests may wait for it).
pub fn mark_ready() {
    if let Some(api) = dom::window().and_then(|w| Reflect::get(&w, &"touchpoint".into()).ok()) {
        let _ = Reflect::set(&api, &"ready".into(), &JsValue::TRUE);
    }
}

fn call(name: &str, args: &[JsValue]) {
    match parse(name, args) {
        Ok(c) => run(c),
        Err(msg) => dom::warn(&msg),
    }
}

/// Replays the bootstrap's queue (`[[name, args], …]`) in order and empties it.
pub fn replay(queue: &JsValue) {
    if !Array::is_array(queue) {
        return;
    }
    let queue: &Array = queue.unchecked_ref();
    let calls = queue.to_vec();
    queue.set_length(0);
    for entry in calls {
        let Some(pair) = entry.dyn_ref::<Array>() else {
            continue;
        };
        let name = pair.get(0).as_string().unwrap_or_default();
        let args: Vec<JsValue> = pair
            .get(1)
            .dyn_into::<Array>()
            .map(|a| a.to_vec())
            .unwrap_or_default();
        call(&name, &args);
    }
}
