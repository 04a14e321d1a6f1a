//! One touchpoint: its question, when it shows, its report target.

use super::{yes, Position, Text, Trigger};
use crate::question::{Band, QuestionType};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
