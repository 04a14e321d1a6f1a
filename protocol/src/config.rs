//! Touchpoint config types (version 1). Parsing with diagnostics lives in
//! [`crate::validate`]; these types describe a config that passed it.

use crate::question::{Band, QuestionType};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::collections::BTreeMap;

/// The default journey stages, in order.
pub const DEFAULT_JOURNEY: [&str; 8] = [
    "awareness",
    "consideration",
    "purchase",
    "onboarding",
    "usage",
    "support",
    "renewal",
    "advocacy",
];

/// The CES 2.0 statement used when a CES question has no text.
pub const CES_DEFAULT_TEXT: &str = "The company made it easy for me to handle my issue.";

/// A whole touchpoint config file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct Config {
    /// Config format version; must be 1.
    pub version: u32,
    /// Ordered journey stages; every touchpoint's `stage` must be one of them.
    #[serde(default = "default_journey")]
    pub journey: Vec<String>,
    /// Origins allowed to post responses and read the config (CORS).
    #[serde(default)]
    pub allowed_origins: Vec<String>,
    /// Defaults for every touchpoint.
    #[serde(default)]
    pub defaults: Defaults,
    /// Caps across all touchpoints, per respondent.
    #[serde(default)]
    pub fatigue: Fatigue,
    /// Look of the survey.
    #[serde(default)]
    pub theme: Theme,
    /// `"required"`: nothing is stored, sent or shown until `touchpoint.consent(true)`.
    #[serde(default)]
    pub consent: Consent,
    /// When true (default), Global Privacy Control or Do Not Track turns surveys off.
    #[serde(default = "yes")]
    pub respect_global_privacy_control: bool,
    /// Query parameters kept in `page_url`; all others (and the fragment) are stripped.
    #[serde(default)]
    pub keep_query_params: Vec<String>,
    /// Webhook alerts for matching answers (collector side).
    #[serde(default)]
    pub alerts: Vec<Value>,
    /// The touchpoints, in priority order: when several fire, the first wins.
    #[serde(default)]
    pub touchpoints: Vec<Touchpoint>,
}

fn default_journey() -> Vec<String> {
    DEFAULT_JOURNEY.iter().map(|s| s.to_string()).collect()
}

fn yes() -> bool {
    true
}

/// Defaults applied to touchpoints that do not set their own.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[serde(default)]
pub struct Defaults {
    /// Locale used when the customer's is not in a text; every text must have it.
    pub locale: String,
    /// Where surveys appear.
    pub position: Position,
    /// Share of respondents who see a touchpoint (0–1).
    pub sample_rate: f64,
    /// Days before the same respondent is asked the same touchpoint again after answering.
    pub recontact_days: u32,
    /// Days before a dismissed touchpoint may show again.
    pub dismiss_cooldown_days: u32,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            locale: "en".into(),
            position: Position::BottomRight,
            sample_rate: 1.0,
            recontact_days: 30,
            dismiss_cooldown_days: 7,
        }
    }
}

/// Survey-fatigue caps across all touchpoints.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[serde(default)]
pub struct Fatigue {
    /// No new survey within this many days of the last one shown (0 = no limit).
    pub min_days_between_surveys: u32,
    /// At most this many surveys per browser session (0 = no limit).
    pub max_surveys_per_session: u32,
}

impl Default for Fatigue {
    fn default() -> Self {
        Fatigue {
            min_days_between_surveys: 0,
            max_surveys_per_session: 1,
        }
    }
}

/// Consent mode.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Consent {
    /// The site's own legal basis covers surveys (default).
    #[default]
    Implied,
    /// Wait for `touchpoint.consent(true)`.
    Required,
}

/// Where the survey appears on the page.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Position {
    /// Floating card, bottom right (bottom bar on narrow screens).
    #[default]
    BottomRight,
    /// Floating card, bottom left (bottom bar on narrow screens).
    BottomLeft,
    /// Full-width bar at the bottom.
    BottomBar,
    /// Centered dialog with a backdrop.
    Modal,
    /// Inside `<div data-touchpoint-inline="<touchpoint id>">`, in the page's flow.
    Inline,
}

impl Position {
    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Position::BottomRight => "bottom-right",
            Position::BottomLeft => "bottom-left",
            Position::BottomBar => "bottom-bar",
            Position::Modal => "modal",
            Position::Inline => "inline",
        }
    }
}

/// Theme values, applied as CSS custom properties inside the shadow root.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
#[serde(default)]
pub struct Theme {
    /// Accent colour (CSS colour).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accent: Option<String>,
    /// Background colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Text colour.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Corner radius in CSS px.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub radius: Option<u32>,
    /// Font family (`inherit` uses the page's).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub font: Option<String>,
    /// `light` or `dark` fixes the scheme; absent follows `prefers-color-scheme`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<ColorMode>,
}

/// A fixed colour scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "lowercase")]
pub enum ColorMode {
    /// Light.
    Light,
    /// Dark.
    Dark,
}

/// Text in several locales: `{"en": "…", "de": "…"}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Text(pub BTreeMap<String, String>);

impl Text {
    /// The text for the first of `locales` that has one (exact tag, then its
    /// language: `de-AT` falls back to `de`), then `default_locale`.
    pub fn pick<'a, S: AsRef<str>>(
        &'a self,
        locales: &[S],
        default_locale: &str,
    ) -> Option<&'a str> {
        for l in locales.iter().map(AsRef::as_ref) {
            let l = l.to_ascii_lowercase();
            let lang = l.split(['-', '_']).next().unwrap_or("");
            let hit = self
                .0
                .iter()
                .find(|(k, _)| k.to_ascii_lowercase() == l)
                .or_else(|| self.0.iter().find(|(k, _)| k.to_ascii_lowercase() == lang));
            if let Some((_, v)) = hit {
                return Some(v);
            }
        }
        self.0.get(default_locale).map(String::as_str)
    }
}

/// One touchpoint: a question asked at a moment of the customer journey.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct Touchpoint {
    /// Unique id, sent with every response (`order-confirmed`).
    pub id: String,
    /// Journey stage, one of the config's `journey`.
    pub stage: String,
    /// Disabled touchpoints never show.
    #[serde(default = "yes")]
    pub enabled: bool,
    /// The question asked.
    pub question: Question,
    /// When it shows.
    #[serde(default)]
    pub when: When,
    /// Overrides `defaults.sample_rate`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sample_rate: Option<f64>,
    /// Overrides `defaults.recontact_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recontact_days: Option<u32>,
    /// Overrides `defaults.dismiss_cooldown_days`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dismiss_cooldown_days: Option<u32>,
    /// Stop showing once the collector holds this many answers.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_responses: Option<u64>,
    /// Overrides `defaults.position`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<Position>,
    /// Report target; the journey map flags a touchpoint under it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<Target>,
    /// Set by the collector when `max_responses` is reached.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed: bool,
}

/// The question of a touchpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct Question {
    /// `nps`, `ces` or `csat`.
    #[serde(rename = "type")]
    pub kind: QuestionType,
    /// Question text per locale (CES defaults to the CES 2.0 statement).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// Optional "why?" follow-up per band (NPS: detractor/passive/promoter; CES, CSAT: low/neutral/high).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub follow_up: BTreeMap<Band, Text>,
}

/// Report targets per question type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct Target {
    /// Minimum NPS (−100…100).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nps: Option<f64>,
    /// Minimum mean CES (1–7).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ces: Option<f64>,
    /// Minimum mean CSAT (1–5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub csat: Option<f64>,
}

/// When a touchpoint shows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(deny_unknown_fields))]
pub struct When {
    /// Page globs (`*` = any run of characters) on the path, or the full URL
    /// when a pattern starts with `http`. Absent: every page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<Vec<String>>,
    /// The activation.
    #[serde(default)]
    pub on: Trigger,
    /// Wait this long after the activation before showing.
    #[serde(default)]
    pub delay_ms: u32,
}

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

impl Config {
    /// The touchpoint with this id.
    pub fn touchpoint(&self, id: &str) -> Option<&Touchpoint> {
        self.touchpoints.iter().find(|t| t.id == id)
    }

    /// A touchpoint's sample rate, falling back to the defaults.
    pub fn sample_rate(&self, t: &Touchpoint) -> f64 {
        t.sample_rate.unwrap_or(self.defaults.sample_rate)
    }

    /// A touchpoint's recontact days, falling back to the defaults.
    pub fn recontact_days(&self, t: &Touchpoint) -> u32 {
        t.recontact_days.unwrap_or(self.defaults.recontact_days)
    }

    /// A touchpoint's dismissal cooldown, falling back to the defaults.
    pub fn dismiss_cooldown_days(&self, t: &Touchpoint) -> u32 {
        t.dismiss_cooldown_days
            .unwrap_or(self.defaults.dismiss_cooldown_days)
    }

    /// A touchpoint's position, falling back to the defaults.
    pub fn position(&self, t: &Touchpoint) -> Position {
        t.position.unwrap_or(self.defaults.position)
    }
}
