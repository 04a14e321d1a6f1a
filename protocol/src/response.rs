//! The response payload posted by the widget and stored by the collector.

use crate::question::QuestionType;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::fmt;

/// Longest free-text comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 1000;
/// Most respondent attributes a response may carry.
pub const MAX_ATTRIBUTES: usize = 20;

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
        [Status::Shown, Status::Dismissed, Status::Answered]
            .into_iter()
            .find(|st| st.as_str() == s)
    }
}

/// One survey response. Every state change of a survey is posted as the whole
/// response under the same `response_id`; the collector merges them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Response {
    /// Random UUID v4 chosen by the widget; the idempotency key.
    pub response_id: String,
    /// The touchpoint id from the config.
    pub touchpoint: String,
    /// The journey stage of the touchpoint.
    pub stage: String,
    /// Question type.
    pub question: QuestionType,
    /// Score on the question's scale; required when `status` is `answered`.
    pub score: Option<u8>,
    /// Free-text follow-up answer.
    pub comment: Option<String>,
    /// Lifecycle status.
    pub status: Status,
    /// Random, stable id of the respondent's browser.
    pub respondent: String,
    /// Attributes set by `touchpoint.identify` (string, number or bool values).
    #[serde(default)]
    pub attributes: Map<String, Value>,
    /// Locale the survey was shown in.
    pub locale: Option<String>,
    /// Page the survey was shown on.
    pub page_url: Option<String>,
    /// RFC 3339 time of the state change, from the respondent's clock.
    pub occurred_at: String,
    /// Widget version that sent it.
    pub widget_version: Option<String>,
    /// True when shown through `?touchpoint_preview=`; reports leave these out.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
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
    fn new(field: &str, error: impl Into<String>) -> Self {
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

type Obj = Map<String, Value>;

fn required_str<'a>(o: &'a Obj, field: &str, max: usize) -> Result<&'a str, FieldError> {
    match o.get(field) {
        None | Some(Value::Null) => Err(FieldError::new(field, "missing field")),
        Some(v) => checked_str(v, field, max),
    }
}

fn optional_str(o: &Obj, field: &str, max: usize) -> Result<Option<String>, FieldError> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => checked_str(v, field, max).map(|s| Some(s.to_string())),
    }
}

fn checked_str<'a>(v: &'a Value, field: &str, max: usize) -> Result<&'a str, FieldError> {
    let s = v
        .as_str()
        .ok_or_else(|| FieldError::new(field, format!("expected a string, got {}", kind(v))))?;
    if s.trim().is_empty() {
        return Err(FieldError::new(field, "must not be empty"));
    }
    if s.chars().count() > max {
        return Err(FieldError::new(
            field,
            format!("longer than {max} characters"),
        ));
    }
    Ok(s)
}

/// Human name of a JSON value's type, for error messages.
pub(crate) fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Whether `s` is a UUID in canonical 8-4-4-4-12 hex form.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Whether `s` is an RFC 3339 date-time such as `2026-11-23T10:00:00Z` or
/// `2026-11-23T10:00:00.123+01:00`.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    if b.len() < 20 || !(digits(0..4) && digits(5..7) && digits(8..10) && digits(11..13)) {
        return false;
    }
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' {
        return false;
    }
    if !(digits(14..16) && b[16] == b':' && digits(17..19)) {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
    if !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    match rest.as_bytes() {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => [h1, h2, m1, m2].iter().all(|d| d.is_ascii_digit()),
        _ => false,
    }
}

impl Response {
    /// Parses and validates a posted body. Errors name the field and say what to fix.
    pub fn from_json(body: &str) -> Result<Response, FieldError> {
        let value: Value = serde_json::from_str(body).map_err(|e| FieldError {
            field: None,
            error: format!("body is not valid JSON ({e}); send one response object"),
        })?;
        Response::from_value(&value)
    }

    /// Validates a JSON value as a response.
    pub fn from_value(value: &Value) -> Result<Response, FieldError> {
        let o = value.as_object().ok_or_else(|| FieldError {
            field: None,
            error: format!("expected a JSON object, got {}", kind(value)),
        })?;
        let response_id = required_str(o, "response_id", 36)?;
        if !is_uuid(response_id) {
            return Err(FieldError::new(
                "response_id",
                "must be a UUID such as 0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90",
            ));
        }
        let question_raw = required_str(o, "question", 10)?;
        let question = QuestionType::parse(question_raw).ok_or_else(|| {
            FieldError::new(
                "question",
                format!("\"{question_raw}\" is not a question type (use nps, ces or csat)"),
            )
        })?;
        let status_raw = required_str(o, "status", 10)?;
        let status = Status::parse(status_raw).ok_or_else(|| {
            FieldError::new(
                "status",
                format!("\"{status_raw}\" is not a status (use shown, dismissed or answered)"),
            )
        })?;
        let score = match o.get("score") {
            None | Some(Value::Null) => None,
            Some(v) => {
                let n = v.as_i64().ok_or_else(|| {
                    FieldError::new("score", format!("expected a whole number, got {}", kind(v)))
                })?;
                if !question.accepts(n) {
                    return Err(FieldError::new(
                        "score",
                        format!(
                            "{n} is outside the {question} scale ({}–{})",
                            question.min(),
                            question.max()
                        ),
                    ));
                }
                Some(n as u8)
            }
        };
        if status == Status::Answered && score.is_none() {
            return Err(FieldError::new(
                "score",
                "missing: an answered response needs a score",
            ));
        }
        let comment = match o.get("comment") {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() > MAX_COMMENT_CHARS => {
                return Err(FieldError::new(
                    "comment",
                    format!("longer than {MAX_COMMENT_CHARS} characters"),
                ))
            }
            Some(Value::String(s)) if s.trim().is_empty() => None,
            Some(Value::String(s)) => Some(s.clone()),
            Some(v) => {
                return Err(FieldError::new(
                    "comment",
                    format!("expected a string or null, got {}", kind(v)),
                ))
            }
        };
        let occurred_at = required_str(o, "occurred_at", 40)?;
        if !is_rfc3339(occurred_at) {
            return Err(FieldError::new(
                "occurred_at",
                "must be an RFC 3339 time such as 2026-11-23T10:00:00Z",
            ));
        }
        let preview = match o.get("preview") {
            None | Some(Value::Null) => false,
            Some(Value::Bool(b)) => *b,
            Some(v) => {
                return Err(FieldError::new(
                    "preview",
                    format!("expected a boolean, got {}", kind(v)),
                ))
            }
        };
        Ok(Response {
            response_id: response_id.to_ascii_lowercase(),
            touchpoint: required_str(o, "touchpoint", 100)?.to_string(),
            stage: required_str(o, "stage", 100)?.to_string(),
            question,
            score,
            comment,
            status,
            respondent: required_str(o, "respondent", 128)?.to_string(),
            attributes: attributes(o.get("attributes"))?,
            locale: optional_str(o, "locale", 35)?,
            page_url: optional_str(o, "page_url", 2048)?,
            occurred_at: occurred_at.to_string(),
            widget_version: optional_str(o, "widget_version", 32)?,
            preview,
        })
    }

    /// Serialises to the wire JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a response always serialises")
    }

    /// Folds a later post for the same `response_id` into the stored one, so
    /// delivery can repeat and reorder without losing anything: the status
    /// only moves forward (shown → dismissed → answered), a missing score or
    /// comment never erases a stored one, and the newest score wins.
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
        for (k, v) in &incoming.attributes {
            merged.attributes.insert(k.clone(), v.clone());
        }
        merged.preview = self.preview || incoming.preview;
        merged
    }
}

/// Validates respondent attributes: at most 20 keys, string/number/bool values.
pub fn attributes(v: Option<&Value>) -> Result<Map<String, Value>, FieldError> {
    let map = match v {
        None | Some(Value::Null) => return Ok(Map::new()),
        Some(Value::Object(m)) => m,
        Some(v) => {
            return Err(FieldError::new(
                "attributes",
                format!("expected an object, got {}", kind(v)),
            ))
        }
    };
    if map.len() > MAX_ATTRIBUTES {
        return Err(FieldError::new(
            "attributes",
            format!("{} keys; at most {MAX_ATTRIBUTES} are allowed", map.len()),
        ));
    }
    for (k, v) in map {
        let field = format!("attributes.{k}");
        if k.is_empty() || k.chars().count() > 64 {
            return Err(FieldError::new(&field, "keys must have 1 to 64 characters"));
        }
        match v {
            Value::Bool(_) | Value::Number(_) => {}
            Value::String(s) if s.chars().count() <= 256 => {}
            Value::String(_) => return Err(FieldError::new(&field, "longer than 256 characters")),
            _ => {
                return Err(FieldError::new(
                    &field,
                    format!("expected a string, number or boolean, got {}", kind(v)),
                ))
            }
        }
    }
    Ok(map.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sample() -> Value {
        json!({"response_id":"0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90","touchpoint":"order-confirmed","stage":"purchase",
            "question":"nps","score":9,"comment":null,"status":"answered",
            "respondent":"r-123","attributes":{},"locale":"en",
            "page_url":"https://shop.example/checkout/thank-you","occurred_at":"2026-11-23T10:00:00Z",
            "widget_version":"0.1.0"})
    }

    fn err_field(v: Value) -> Option<String> {
        Response::from_value(&v).unwrap_err().field
    }

    #[test]
    fn the_contract_example_parses_and_round_trips() {
        let r = Response::from_value(&sample()).unwrap();
        assert_eq!(r.score, Some(9));
        assert_eq!(r.question, QuestionType::Nps);
        let back: Value = serde_json::from_str(&r.to_json()).unwrap();
        assert_eq!(back, sample());
    }

    #[test]
    fn bad_fields_are_named() {
        let mut v = sample();
        v.as_object_mut().unwrap().remove("touchpoint");
        assert_eq!(err_field(v), Some("touchpoint".into()));
        let mut v = sample();
        v["score"] = json!(11);
        let e = Response::from_value(&v).unwrap_err();
        assert_eq!(e.field.as_deref(), Some("score"));
        assert!(e.error.contains("0–10"), "{e}");
        let mut v = sample();
        v["score"] = json!("9");
        assert_eq!(err_field(v), Some("score".into()));
        let mut v = sample();
        v["response_id"] = json!("abc");
        assert_eq!(err_field(v), Some("response_id".into()));
        let mut v = sample();
        v["occurred_at"] = json!("yesterday");
        assert_eq!(err_field(v), Some("occurred_at".into()));
        let mut v = sample();
        v["attributes"] = json!({"plan": {"nested": true}});
        assert_eq!(err_field(v), Some("attributes.plan".into()));
        let mut v = sample();
        v["comment"] = json!("x".repeat(1001));
        assert_eq!(err_field(v), Some("comment".into()));
        assert_eq!(Response::from_json("not json").unwrap_err().field, None);
    }

    #[test]
    fn answered_needs_a_score_but_shown_does_not() {
        let mut v = sample();
        v["score"] = Value::Null;
        assert_eq!(err_field(v.clone()), Some("score".into()));
        v["status"] = json!("shown");
        assert!(Response::from_value(&v).is_ok());
    }

    #[test]
    fn ces_scale_is_enforced() {
        let mut v = sample();
        v["question"] = json!("ces");
        v["score"] = json!(8);
        assert_eq!(err_field(v.clone()), Some("score".into()));
        v["score"] = json!(7);
        assert!(Response::from_value(&v).is_ok());
    }

    #[test]
    fn rfc3339_parser() {
        assert!(is_rfc3339("2026-11-23T10:00:00Z"));
        assert!(is_rfc3339("2026-11-23T10:00:00.123Z"));
        assert!(is_rfc3339("2026-11-23T10:00:00+01:00"));
        assert!(!is_rfc3339("2026-13-23T10:00:00Z"));
        assert!(!is_rfc3339("2026-11-23"));
        assert!(!is_rfc3339("2026-11-23T10:00:00"));
    }

    #[test]
    fn merge_moves_status_forward_and_keeps_scores_and_comments() {
        let answered = Response::from_value(&sample()).unwrap();
        let mut shown = answered.clone();
        shown.status = Status::Shown;
        shown.score = None;
        shown.occurred_at = "2026-11-23T09:59:00Z".into();
        // A late `shown` never overwrites an answer.
        assert_eq!(answered.merge(&shown).status, Status::Answered);
        assert_eq!(answered.merge(&shown).score, Some(9));
        // A comment update keeps the score.
        let mut comment = answered.clone();
        comment.score = None;
        comment.status = Status::Answered;
        comment.comment = Some("fast delivery".into());
        comment.occurred_at = "2026-11-23T10:01:00Z".into();
        let merged = answered.merge(&comment);
        assert_eq!(
            (merged.score, merged.comment.as_deref()),
            (Some(9), Some("fast delivery"))
        );
        // Dismissing after answering keeps the answer.
        let mut dismissed = merged.clone();
        dismissed.status = Status::Dismissed;
        dismissed.comment = None;
        let merged = merged.merge(&dismissed);
        assert_eq!(merged.status, Status::Answered);
        assert_eq!(merged.comment.as_deref(), Some("fast delivery"));
        // A newer score replaces the older one.
        let mut rescored = answered.clone();
        rescored.score = Some(3);
        rescored.occurred_at = "2026-11-23T10:02:00Z".into();
        assert_eq!(answered.merge(&rescored).score, Some(3));
    }
}
