//! Touchpoint config types (version 1). Parsing with diagnostics lives in
//! [`crate::validate`]; these types describe a config that passed it.
//!
//! The document and its sections are here; one touchpoint's types are in
//! `touchpoint`, the trigger of `when.on` in `trigger`.

mod touchpoint;
mod trigger;

pub use touchpoint::{Question, Target, Touchpoint, When};
pub use trigger::{Trigger, TRIGGER_FORMS};

use serde::{Deserialize, Serialize};
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
    // Only with the `alerts` feature; the schema keeps the shape it has always
    // had here (the collector fills in the entries' shape).
    #[cfg(feature = "alerts")]
    #[serde(default, deserialize_with = "crate::alerts::deserialize_rules")]
    #[cfg_attr(feature = "schema", schemars(with = "Vec<serde_json::Value>"))]
    pub alerts: Vec<crate::alerts::AlertRule>,
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
