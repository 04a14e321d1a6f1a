//! What activates a touchpoint (`when.on`), read by hand so that a bad
//! trigger gets a message listing the accepted forms.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What activates a touchpoint on a matching page.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Trigger {
    /// As soon as the page (or SPA route) matches.
    #[default]
    Load,
    /// `touchpoint.track(name)`.
    Event(String),
    /// This many milliseconds on the page.
    Delay(u32),
    /// Scrolled this far down the page (1–100).
    ScrollPercent(u8),
    /// The pointer leaves through the top of the viewport (desktop only).
    ExitIntent,
    /// A click on an element matching this CSS selector.
    Click(String),
}

/// Accepted forms of `when.on`, for messages and the JSON Schema.
pub const TRIGGER_FORMS: &str = "\"load\", {\"event\": name}, {\"delay_ms\": n}, {\"scroll_percent\": 1..100}, {\"exit_intent\": true} or {\"click\": \"<css selector>\"}";

impl Trigger {
    /// Reads `when.on`, with a message that lists the accepted forms on error.
    pub fn from_value(v: &Value) -> Result<Trigger, String> {
        let bad = || format!("{v} is not a trigger (use {TRIGGER_FORMS})");
        match v {
            Value::String(s) if s == "load" => Ok(Trigger::Load),
            Value::Object(o) if o.len() == 1 => {
                let (k, val) = o.iter().next().expect("one entry");
                match (k.as_str(), val) {
                    ("event", Value::String(s)) if !s.trim().is_empty() => Ok(Trigger::Event(s.clone())),
                    ("event", _) => Err("the event name must be a non-empty string, e.g. {\"event\": \"order_completed\"}".into()),
                    ("delay_ms", n) => n
                        .as_u64()
                        .filter(|n| *n <= 86_400_000)
                        .map(|n| Trigger::Delay(n as u32))
                        .ok_or_else(|| format!("delay_ms {n} is out of range (use whole milliseconds from 0 to 86400000)")),
                    ("scroll_percent", n) => n
                        .as_u64()
                        .filter(|n| (1..=100).contains(n))
                        .map(|n| Trigger::ScrollPercent(n as u8))
                        .ok_or_else(|| format!("scroll_percent {n} is out of range (use a whole number from 1 to 100)")),
                    ("exit_intent", Value::Bool(true)) => Ok(Trigger::ExitIntent),
                    ("exit_intent", _) => Err("exit_intent takes true; remove the trigger to turn it off".into()),
                    ("click", Value::String(s)) if !s.trim().is_empty() => Ok(Trigger::Click(s.clone())),
                    ("click", _) => Err("click takes a non-empty CSS selector, e.g. {\"click\": \"#help-button\"}".into()),
                    _ => Err(bad()),
                }
            }
            _ => Err(bad()),
        }
    }

    /// The JSON form of the trigger.
    pub fn to_value(&self) -> Value {
        use serde_json::json;
        match self {
            Trigger::Load => json!("load"),
            Trigger::Event(e) => json!({ "event": e }),
            Trigger::Delay(n) => json!({ "delay_ms": n }),
            Trigger::ScrollPercent(n) => json!({ "scroll_percent": n }),
            Trigger::ExitIntent => json!({ "exit_intent": true }),
            Trigger::Click(s) => json!({ "click": s }),
        }
    }
}

impl Serialize for Trigger {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(s)
    }
}

impl<'de> Deserialize<'de> for Trigger {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let v = Value::deserialize(d)?;
        Trigger::from_value(&v).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
mod trigger_schema {
    use super::Trigger;
    use schemars::{gen::SchemaGenerator, schema::Schema, JsonSchema};

    /// The accepted shapes of `when.on`, for the generated JSON Schema only.
    #[allow(dead_code)]
    #[derive(JsonSchema)]
    #[serde(untagged)]
    enum TriggerForms {
        Load(LoadWord),
        Event {
            event: String,
        },
        Delay {
            delay_ms: u32,
        },
        Scroll {
            #[schemars(range(min = 1, max = 100))]
            scroll_percent: u8,
        },
        Exit {
            exit_intent: bool,
        },
        Click {
            click: String,
        },
    }

    #[allow(dead_code)]
    #[derive(JsonSchema)]
    #[serde(rename_all = "lowercase")]
    enum LoadWord {
        Load,
    }

    impl JsonSchema for Trigger {
        fn schema_name() -> String {
            "Trigger".into()
        }
        fn json_schema(gen: &mut SchemaGenerator) -> Schema {
            TriggerForms::json_schema(gen)
        }
    }
}
