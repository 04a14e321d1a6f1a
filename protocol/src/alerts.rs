//! Alert rules: the config's `alerts` entries,
//! `{"when": {"question": "nps", "score_at_most": 6}, "webhook": "https://…"}`,
//! which answers match them and the JSON body a webhook receives.
//!
//! Behind the `alerts` feature: only the collector sends alerts, so the
//! widget neither carries this code nor reads the entries (it accepts the
//! `alerts` key and ignores it). Reading with path-and-fix messages is in
//! `read`; delivery (the durable outbox, retries) is the collector's.

mod read;
#[cfg(test)]
mod tests;

pub use read::parse_rules;

use crate::question::QuestionType;
use crate::response::{Response, Status};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};

/// One usable `alerts[i]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    /// Position in the config's `alerts`, sent with each alert.
    #[serde(skip)]
    pub index: usize,
    /// The entry's canonical JSON: with the response id, it makes each alert
    /// happen once, across reloads and restarts. Kept as read (not rebuilt
    /// from the typed fields) so it stays the key already in outboxes.
    #[serde(skip)]
    pub key: String,
    /// The conditions; all of them must hold.
    pub when: AlertWhen,
    /// The http(s) URL that receives the alert.
    pub webhook: String,
}

/// The conditions of a rule. Serialised, it is the `when` as written: the
/// reader accepts only these keys, each with a value that serialises back
/// as it was, so webhook bodies carry what they always have.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AlertWhen {
    /// Only answers to this question type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub question: Option<QuestionType>,
    /// Only answers to this touchpoint.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub touchpoint: Option<String>,
    /// Only answers from this journey stage.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Only scores of at most this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_at_most: Option<u8>,
    /// Only scores of at least this.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score_at_least: Option<u8>,
}

impl AlertRule {
    /// Whether an answered, non-preview response matches every condition.
    pub fn matches(&self, r: &Response) -> bool {
        let Some(score) = r.score else {
            return false;
        };
        let w = &self.when;
        r.status == Status::Answered
            && !r.preview
            && w.question.is_none_or(|q| q == r.question)
            && w.touchpoint.as_ref().is_none_or(|t| *t == r.touchpoint)
            && w.stage.as_ref().is_none_or(|s| *s == r.stage)
            && w.score_at_most.is_none_or(|m| score <= m)
            && w.score_at_least.is_none_or(|m| score >= m)
    }

    /// The JSON body POSTed to the webhook for `r`; receivers dedupe on
    /// `alert_id`, which the sender also puts in `Idempotency-Key`.
    pub fn body(&self, alert_id: &str, created_at: &str, r: &Response) -> String {
        json!({
            "event": "touchpoint.alert",
            "alert_id": alert_id,
            "created_at": created_at,
            "rule": {"index": self.index, "when": self.when},
            "response": r,
        })
        .to_string()
    }
}

/// `Config.alerts` through serde: every entry must be usable, since serde
/// has no place for the problems [`parse_rules`] reports.
pub(crate) fn deserialize_rules<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Vec<AlertRule>, D::Error> {
    let entries = Vec::<Value>::deserialize(d)?;
    match parse_rules(&entries) {
        (rules, problems) if problems.is_empty() => Ok(rules),
        (_, problems) => Err(serde::de::Error::custom(&problems[0])),
    }
}
