//! Reading a posted body into a [`Response`]: the first problem found names
//! its field and says what to fix (the collector answers it as a 422).
//!
//! Fields are checked in a fixed order, so the same bad body always gets
//! the same answer.

use super::format::{is_rfc3339, is_uuid};
use super::*;
use crate::hints::kind;

type Obj = Map<String, Value>;

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
        let response_id = response_id(o)?;
        let question = question(o)?;
        let status = status(o)?;
        let score = score(o, question, status)?;
        let comment = comment(o)?;
        let occurred_at = occurred_at(o)?;
        let preview = preview(o)?;
        Ok(Response {
            response_id,
            touchpoint: required_str(o, "touchpoint", TOUCHPOINT_CHARS)?.to_string(),
            stage: required_str(o, "stage", STAGE_CHARS)?.to_string(),
            question,
            score,
            comment,
            status,
            respondent: required_str(o, "respondent", RESPONDENT_CHARS)?.to_string(),
            attributes: attributes(o.get("attributes"))?,
            locale: optional_str(o, "locale", LOCALE_CHARS)?,
            page_url: optional_str(o, "page_url", PAGE_URL_CHARS)?,
            occurred_at,
            widget_version: optional_str(o, "widget_version", WIDGET_VERSION_CHARS)?,
            preview,
        })
    }
}

/// Lowercased: the collector stores (and merges by) one spelling of each id.
fn response_id(o: &Obj) -> Result<String, FieldError> {
    let id = required_str(o, "response_id", RESPONSE_ID_CHARS)?;
    if !is_uuid(id) {
        return Err(FieldError::new(
            "response_id",
            "must be a UUID such as 0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90",
        ));
    }
    Ok(id.to_ascii_lowercase())
}

fn question(o: &Obj) -> Result<QuestionType, FieldError> {
    let raw = required_str(o, "question", QUESTION_CHARS)?;
    QuestionType::parse(raw).ok_or_else(|| {
        FieldError::new(
            "question",
            format!("\"{raw}\" is not a question type (use nps, ces or csat)"),
        )
    })
}

fn status(o: &Obj) -> Result<Status, FieldError> {
    let raw = required_str(o, "status", STATUS_CHARS)?;
    Status::parse(raw).ok_or_else(|| {
        FieldError::new(
            "status",
            format!("\"{raw}\" is not a status (use shown, dismissed or answered)"),
        )
    })
}

/// A whole number on the question's scale; required once answered.
fn score(o: &Obj, question: QuestionType, status: Status) -> Result<Option<u8>, FieldError> {
    let score = match o.get("score") {
        None | Some(Value::Null) => None,
        Some(v) => {
            // `9.0` is the same number as `9` in JSON (and to JSON Schema).
            let whole = v.as_f64().filter(|f| f.fract() == 0.0 && f.abs() < 1e9);
            let n = v.as_i64().or(whole.map(|f| f as i64)).ok_or_else(|| {
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
    Ok(score)
}

/// A blank comment reads as none: nothing was written.
fn comment(o: &Obj) -> Result<Option<String>, FieldError> {
    match o.get("comment") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.chars().count() > MAX_COMMENT_CHARS => Err(FieldError::new(
            "comment",
            format!("longer than {MAX_COMMENT_CHARS} characters"),
        )),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(FieldError::new(
            "comment",
            format!("expected a string or null, got {}", kind(v)),
        )),
    }
}

fn occurred_at(o: &Obj) -> Result<String, FieldError> {
    let at = required_str(o, "occurred_at", OCCURRED_AT_CHARS)?;
    if !is_rfc3339(at) {
        return Err(FieldError::new(
            "occurred_at",
            "must be an RFC 3339 time such as 2026-11-23T10:00:00Z",
        ));
    }
    Ok(at.to_string())
}

fn preview(o: &Obj) -> Result<bool, FieldError> {
    match o.get("preview") {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(v) => Err(FieldError::new(
            "preview",
            format!("expected a boolean, got {}", kind(v)),
        )),
    }
}

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

/// A non-blank string of at most `max` characters.
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
        if k.is_empty() || k.chars().count() > ATTRIBUTE_KEY_CHARS {
            return Err(FieldError::new(&field, "keys must have 1 to 64 characters"));
        }
        match v {
            Value::Bool(_) | Value::Number(_) => {}
            Value::String(s) if s.chars().count() <= ATTRIBUTE_VALUE_CHARS => {}
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
