//! The caps' memory in storage: `touchpoint:caps` in localStorage (per
//! respondent, across touchpoints) and `touchpoint:session` in sessionStorage
//! (surveys shown this browser session). The rule itself is
//! `decide::caps::decide`; this file only reads and writes what it needs.

use super::storage;
use crate::decide::caps::{decide, CapState, Skip, TouchpointHistory};
use crate::json;
use serde_json::Value;
use touchpoint_protocol::{Config, Touchpoint};

const CAPS_KEY: &str = "caps";
const SESSION_KEY: &str = "session";

impl CapState {
    /// Reads the stored form (what `serde_json::to_string` wrote); whatever
    /// is missing or damaged reads as never happened.
    pub fn from_json(text: &str) -> CapState {
        let v = json::parse(text).unwrap_or(Value::Null);
        let time = |v: &Value, k: &str| v.get(k).and_then(Value::as_f64);
        let touchpoints = v
            .get("touchpoints")
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(id, h)| {
                        let history = TouchpointHistory {
                            shown: time(h, "shown"),
                            answered: time(h, "answered"),
                            dismissed: time(h, "dismissed"),
                        };
                        (id.clone(), history)
                    })
                    .collect()
            })
            .unwrap_or_default();
        CapState {
            last_shown: time(&v, "last_shown"),
            touchpoints,
            session_shown: 0,
        }
    }
}

/// The recorded state, from storage (empty when absent or unreadable).
pub fn load() -> CapState {
    let mut state = storage::get(CAPS_KEY)
        .map(|s| CapState::from_json(&s))
        .unwrap_or_default();
    state.session_shown = storage::session_get(SESSION_KEY)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    state
}

fn save(state: &CapState) {
    if let Ok(json) = serde_json::to_string(state) {
        storage::set(CAPS_KEY, &json);
    }
    storage::session_set(SESSION_KEY, &state.session_shown.to_string());
}

fn update(f: impl FnOnce(&mut CapState)) {
    let mut state = load();
    f(&mut state);
    save(&state);
}

/// Whether `tp` may show to `respondent` at `now_ms`.
pub fn check(config: &Config, tp: &Touchpoint, respondent: &str, now_ms: f64) -> Result<(), Skip> {
    decide(&load(), config, tp, respondent, now_ms)
}

/// Records that `touchpoint` was shown.
pub fn record_shown(touchpoint: &str, now_ms: f64) {
    update(|s| s.shown(touchpoint, now_ms));
}

/// Records that `touchpoint` was answered.
pub fn record_answered(touchpoint: &str, now_ms: f64) {
    update(|s| s.answered(touchpoint, now_ms));
}

/// Records that `touchpoint` was dismissed.
pub fn record_dismissed(touchpoint: &str, now_ms: f64) {
    update(|s| s.dismissed(touchpoint, now_ms));
}

/// Forgets every cap record (reset and consent withdrawal).
pub fn forget() {
    storage::remove(CAPS_KEY);
    storage::session_remove(SESSION_KEY);
}

#[cfg(test)]
mod tests;
