//! The config as `GET /v1/config` serves it: only what the widget reads.
//! The `alerts` section (webhook URLs are credentials) and unknown keys of
//! the document and its sections never leave the collector. An unknown key
//! inside a touchpoint disables that touchpoint, so it is served with its
//! value replaced by `null`: the widget still skips the touchpoint and names
//! the key, and the value stays home. Known values are served as written,
//! broken ones included, for the same reason.

use super::document::{DEFAULTS_KEYS, FATIGUE_KEYS, THEME_KEYS, TOP_KEYS};
use super::touchpoint::{QUESTION_KEYS, TARGET_KEYS, TOUCHPOINT_KEYS, WHEN_KEYS};
use crate::question::QuestionType;
use serde_json::{Map, Value};

/// Sections the widget never reads.
const NOT_SERVED: &[&str] = &["$schema", "alerts"];

/// How a section treats keys it does not know.
type Keep = fn(&Map<String, Value>, &[&str]) -> Map<String, Value>;

/// `o` with only the `known` keys.
fn only(o: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    o.iter()
        .filter(|(k, _)| known.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

/// `o` with the values of keys other than `known` replaced by `null`.
fn masked(o: &Map<String, Value>, known: &[&str]) -> Map<String, Value> {
    o.iter()
        .map(|(k, v)| {
            let v = if known.contains(&k.as_str()) {
                v.clone()
            } else {
                Value::Null
            };
            (k.clone(), v)
        })
        .collect()
}

/// `value`'s object `key` passed through `keep`, when it is an object.
fn trim(value: &mut Map<String, Value>, key: &str, known: &[&str], keep: Keep) {
    if let Some(Value::Object(o)) = value.get(key) {
        let trimmed = keep(o, known);
        value.insert(key.into(), Value::Object(trimmed));
    }
}

fn touchpoint(t: &Value) -> Value {
    let Value::Object(o) = t else {
        return t.clone();
    };
    let mut t = masked(o, TOUCHPOINT_KEYS);
    trim(&mut t, "when", WHEN_KEYS, masked);
    trim(&mut t, "target", TARGET_KEYS, masked);
    trim(&mut t, "question", QUESTION_KEYS, masked);
    if let Some(Value::Object(q)) = t.get_mut("question") {
        let bands: Vec<&str> = QuestionType::ALL
            .iter()
            .flat_map(|q| q.bands())
            .map(|b| b.as_str())
            .collect();
        trim(q, "follow_up", &bands, masked);
    }
    Value::Object(t)
}

/// The served form of a config document (any JSON: a non-object is
/// returned as is, since the widget reports it).
pub fn served(raw: &Value) -> Value {
    let Value::Object(o) = raw else {
        return raw.clone();
    };
    let top: Vec<&str> = TOP_KEYS
        .iter()
        .copied()
        .filter(|k| !NOT_SERVED.contains(k))
        .collect();
    let mut doc = only(o, &top);
    trim(&mut doc, "defaults", DEFAULTS_KEYS, only);
    trim(&mut doc, "fatigue", FATIGUE_KEYS, only);
    trim(&mut doc, "theme", THEME_KEYS, only);
    if let Some(Value::Array(items)) = doc.get("touchpoints") {
        let items = items.iter().map(touchpoint).collect();
        doc.insert("touchpoints".into(), Value::Array(items));
    }
    Value::Object(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_and_unknown_keys_stay_home() {
        let raw = json!({
            "$schema": "./touchpoint-config.schema.json",
            "version": 1, "internal_note": "ask Bob", "allowed_origins": ["*"],
            "alerts": [{"when": {"question": "nps"}, "webhook": "https://hooks.slack.com/services/T0/B0/SECRET"}],
            "defaults": {"locale": "en", "api_key": "k"},
            "theme": {"accent": "#4f46e5", "secret": 1},
            "touchpoints": [
                {"id": "a", "stage": "purchase", "owner": "x@example.com",
                 "question": {"type": "nps", "text": {"en": "How likely…?"}, "draft": "y",
                              "follow_up": {"detractor": {"en": "Why?"}, "nonsense": {"en": "?"}}},
                 "when": {"url": "/thanks", "on": {"event": "bought"}, "token": "t"},
                 "target": {"nps": 30, "bogus": 1}},
                {"id": "broken", "stage": 7, "sample_rate": "lots"},
                "not an object"
            ]
        });
        let doc = served(&raw);
        let text = doc.to_string();
        for gone in [
            "SECRET",
            "hooks.slack",
            "alerts",
            "$schema",
            "internal_note",
            "ask Bob",
            "api_key",
            "secret",
            "x@example.com",
            "\"y\"",
            "\"?\"",
            "\"t\"",
        ] {
            assert!(!text.contains(gone), "{gone} was served: {text}");
        }
        // Inside a touchpoint an unknown key disables it: the key stays (the
        // widget names it), its value does not.
        let tp = &doc["touchpoints"][0];
        assert_eq!(tp["owner"], Value::Null);
        assert_eq!(tp["question"]["draft"], Value::Null);
        assert_eq!(tp["question"]["follow_up"]["nonsense"], Value::Null);
        assert_eq!(tp["when"]["token"], Value::Null);
        assert_eq!(tp["target"]["bogus"], Value::Null);
        // What the widget reads stays as written, broken values included.
        assert_eq!(
            doc["touchpoints"][0]["question"]["follow_up"]["detractor"]["en"],
            "Why?"
        );
        assert_eq!(doc["touchpoints"][0]["when"]["on"]["event"], "bought");
        assert_eq!(doc["touchpoints"][0]["target"]["nps"], 30);
        assert_eq!(doc["touchpoints"][1]["sample_rate"], "lots");
        assert_eq!(doc["touchpoints"][2], "not an object");
        assert_eq!(doc["defaults"]["locale"], "en");
        assert_eq!(doc["allowed_origins"], json!(["*"]));
        assert_eq!(served(&json!([1])), json!([1]));
    }
}
