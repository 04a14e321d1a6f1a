//! The response payload posted by the widget and stored by the collector.
//!
//! The types and how repeated posts merge are here; reading and validating a
//! posted body is in `read`, the id and time formats in `format`, and (with
//! the `schema` feature) the payload's JSON Schema, generated from these
//! types and the same limits, in `schema`.

mod format;
mod read;
#[cfg(feature = "schema")]
mod schema;
#[cfg(test)]
mod tests;

pub use format::{is_rfc3339, is_uuid};
pub use read::attributes;
#[cfg(feature = "schema")]
pub use schema::payload_schema;

use crate::question::QuestionType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Longest free-text comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Most respondent attributes a response may carry.
pub const MAX_ATTRIBUTES: usize = 20;

// Longest accepted value of each string field, in characters: one list for
// the validator and the JSON Schema, so the two cannot drift apart.
const RESPONSE_ID_CHARS: usize = 36;
const QUESTION_CHARS: usize = 10;
const STATUS_CHARS: usize = 10;
const TOUCHPOINT_CHARS: usize = 100;
const STAGE_CHARS: usize = 100;
const RESPONDENT_CHARS: usize = 128;
const LOCALE_CHARS: usize = 35;
const PAGE_URL_CHARS: usize = 2048;
const OCCURRED_AT_CHARS: usize = 40;
const WIDGET_VERSION_CHARS: usize = 32;
const ATTRIBUTE_KEY_CHARS: usize = 64;
const ATTRIBUTE_VALUE_CHARS: usize = 256;

/// Where a response is in its life: a survey is shown, then answered or dismissed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// The survey appeared (counts towards the response rate's denominator).
    Shown,
    /// The respondent closed the survey without answering.
    Dismissed,
    /// The respondent chose a score.
    Answered,
}

impl Status {
    /// Every status, in the order a survey moves through them.
    pub const ALL: [Status; 3] = [Status::Shown, Status::Dismissed, Status::Answered];

    /// Wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Shown => "shown",
            Status::Dismissed => "dismissed",
            Status::Answered => "answered",
        }
    }

    /// Parses a wire name.
    pub fn parse(s: &str) -> Option<Self> {
        Status::ALL.into_iter().find(|st| st.as_str() == s)
    }
}

/// One survey response. Every state change of a survey is posted as the whole
/// response under the same `response_id`; the collector merges them.
// With the `schema` feature, the attributes below give the JSON Schema the
// bounds `read` enforces (a doc comment would land in the schema).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Response {
    /// Random UUID v4 chosen by the widget; the idempotency key.
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::uuid"))]
    pub response_id: String,
    /// The touchpoint id from the config.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "TOUCHPOINT_CHARS"), regex = "schema::NOT_BLANK")
    )]
    pub touchpoint: String,
    /// The journey stage of the touchpoint.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "STAGE_CHARS"), regex = "schema::NOT_BLANK")
    )]
    pub stage: String,
    /// Question type: `nps` (0–10), `ces` (1–7) or `csat` (1–5).
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::question"))]
    pub question: QuestionType,
    /// Score on the question's scale, a JSON integer (`9`, not `9.0`);
    /// required when `status` is `answered`.
    pub score: Option<u8>,
    /// Free-text follow-up answer; a blank one is stored as none.
    #[cfg_attr(feature = "schema", schemars(length(max = "MAX_COMMENT_CHARS")))]
    pub comment: Option<String>,
    /// Lifecycle status.
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::status"))]
    pub status: Status,
    /// Random, stable id of the respondent's browser.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "RESPONDENT_CHARS"), regex = "schema::NOT_BLANK")
    )]
    pub respondent: String,
    /// Attributes set by `touchpoint.identify` (string, number or bool values).
    #[serde(default)]
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::attributes"))]
    pub attributes: Map<String, Value>,
    /// Locale the survey was shown in.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "LOCALE_CHARS"), regex = "schema::NOT_BLANK")
    )]
    pub locale: Option<String>,
    /// Page the survey was shown on.
    #[cfg_attr(
        feature = "schema",
        schemars(length(min = 1, max = "PAGE_URL_CHARS"), regex = "schema::NOT_BLANK")
    )]
    pub page_url: Option<String>,
    /// RFC 3339 time of the state change, from the respondent's clock.
    #[cfg_attr(
        feature = "schema",
        schemars(length(max = "OCCURRED_AT_CHARS"), regex = "schema::RFC3339")
    )]
    pub occurred_at: String,
    /// Widget version that sent it.
    #[cfg_attr(
        feature = "schema",
        schemars(
            length(min = 1, max = "WIDGET_VERSION_CHARS"),
            regex = "schema::NOT_BLANK"
        )
    )]
    pub widget_version: Option<String>,
    /// True when shown through `?touchpoint_preview=`; reports leave these out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "schema", schemars(schema_with = "schema::nullable_bool"))]
    pub preview: bool,
}

/// A validation failure that names the offending field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The JSON field at fault (`None` when the body as a whole is bad).
    pub field: Option<String>,
    /// What is wrong and how to fix it.
    pub error: String,
}

impl FieldError {
    /// A problem with `field`, and what to send instead.
    pub fn new(field: &str, error: impl Into<String>) -> Self {
        FieldError {
            field: Some(field.to_string()),
            error: error.into(),
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{field}: {}", self.error),
            None => f.write_str(&self.error),
        }
    }
}

impl std::error::Error for FieldError {}

impl Response {
    /// Serialises to the wire JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a response always serialises")
    }

    /// Folds a later post for the same `response_id` into the stored one, so
    /// delivery can repeat and reorder without losing anything: the status
    /// only moves forward (shown → dismissed → answered), a missing score or
    /// comment never erases a stored one, and the newest score wins. The
    /// merged row keeps at most [`MAX_ATTRIBUTES`] attributes, and an answer
    /// that counts in reports never becomes a preview.
    pub fn merge(&self, incoming: &Response) -> Response {
        let mut merged = self.clone();
        merged.status = self.status.max(incoming.status);
        if incoming.score.is_some() && incoming.occurred_at >= self.occurred_at
            || self.score.is_none()
        {
            merged.score = incoming.score.or(self.score);
        }
        if incoming.comment.is_some() {
            merged.comment = incoming.comment.clone();
        }
        if incoming.occurred_at > self.occurred_at {
            merged.occurred_at = incoming.occurred_at.clone();
        }
        // Known keys take the new value; new keys join only while the row
        // holds fewer than MAX_ATTRIBUTES, so repeated posts cannot grow it.
        for (k, v) in &incoming.attributes {
            if merged.attributes.contains_key(k) || merged.attributes.len() < MAX_ATTRIBUTES {
                merged.attributes.insert(k.clone(), v.clone());
            }
        }
        // An answer in the reports cannot be hidden afterwards by a post
        // that claims it was a preview.
        let counted_answer = self.status == Status::Answered && !self.preview;
        merged.preview = self.preview || (incoming.preview && !counted_answer);
        merged
    }
}
