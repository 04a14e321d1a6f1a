//! The response payload's JSON Schema, generated from [`Response`] and the
//! limits `read` enforces, so that a body valid under the schema is one the
//! collector accepts (and the other way round). A score written `9.0` is
//! the integer 9 to both.

#[cfg(test)]
mod tests;

use super::*;
use schemars::gen::{SchemaGenerator, SchemaSettings};
use schemars::schema::{InstanceType, Schema, SchemaObject};
use serde_json::json;

/// `response_id`: what [`is_uuid`](super::is_uuid) accepts.
const UUID: &str = "^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$";

/// `occurred_at`: what [`is_rfc3339`](super::is_rfc3339) accepts (a space or
/// lowercase `t`/`z` too, any number of fraction digits, a numeric offset).
/// Dates that exist (29 February aside, which the reader takes in leap
/// years), times without leap seconds, offsets up to ±23:59.
pub(super) const RFC3339: &str = "^[0-9]{4}-((0[1-9]|1[0-2])-(0[1-9]|1[0-9]|2[0-8])|(0[13-9]|1[0-2])-(29|30)|(0[13578]|1[02])-31)[Tt ]([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]+)?([Zz]|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$";

/// A string that is not blank: one character `str::trim` keeps (it removes
/// Unicode White_Space). Spelt out rather than `\S`, whose whitespace is not
/// quite Rust's; a test derives it from `char::is_whitespace`.
pub(super) const NOT_BLANK: &str =
    r"[^\u0009-\u000d\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000]";

/// The JSON Schema of a response body as `POST /v1/responses` takes it
/// (JSON Schema 2020-12 / OpenAPI 3.1, no `$ref`s: ready to embed).
pub fn payload_schema() -> Value {
    let mut settings = SchemaSettings::draft2019_09();
    settings.inline_subschemas = true;
    settings.meta_schema = None;
    let root = settings.into_generator().into_root_schema_for::<Response>();
    let mut schema = serde_json::to_value(root.schema).expect("a schema serialises");
    on_every_scale(&mut schema["properties"]["score"]);
    schema["allOf"] = rules_across_fields();
    schema
}

/// `score` as the union of the scales; [`rules_across_fields`] narrows it.
fn on_every_scale(score: &mut Value) {
    let lowest = QuestionType::ALL.map(QuestionType::min).into_iter().min();
    let highest = QuestionType::ALL.map(QuestionType::max).into_iter().max();
    let description = score["description"].take();
    *score = json!({
        "description": description,
        "type": ["integer", "null"],
        "minimum": lowest,
        "maximum": highest,
    });
}

/// What no single property can say: an answered response has a score, and a
/// score is on its question's scale.
fn rules_across_fields() -> Value {
    let when = |field: &str, value: &str| json!({"required": [field], "properties": {field: {"const": value}}});
    let answered = json!({
        "if": when("status", Status::Answered.as_str()),
        "then": {"required": ["score"], "properties": {"score": {"type": "integer"}}},
    });
    let scales = QuestionType::ALL.map(|q| {
        json!({
            "if": when("question", q.as_str()),
            "then": {"properties": {"score": {"minimum": q.min(), "maximum": q.max()}}},
        })
    });
    std::iter::once(answered).chain(scales).collect()
}

fn string_schema() -> SchemaObject {
    SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..Default::default()
    }
}

fn names(names: impl IntoIterator<Item = &'static str>) -> Schema {
    let mut s = string_schema();
    s.enum_values = Some(names.into_iter().map(Value::from).collect());
    s.into()
}

pub(super) fn uuid(_: &mut SchemaGenerator) -> Schema {
    let mut s = string_schema();
    s.format = Some("uuid".into());
    s.string().pattern = Some(UUID.into());
    s.into()
}

pub(super) fn question(_: &mut SchemaGenerator) -> Schema {
    names(QuestionType::ALL.map(QuestionType::as_str))
}

pub(super) fn status(_: &mut SchemaGenerator) -> Schema {
    names(Status::ALL.map(Status::as_str))
}

/// At most [`MAX_ATTRIBUTES`] keys of 1–64 characters; string (≤ 256
/// characters), number or boolean values; `null` reads as none.
pub(super) fn attributes(_: &mut SchemaGenerator) -> Schema {
    serde_json::from_value(json!({
        "type": ["object", "null"],
        "maxProperties": MAX_ATTRIBUTES,
        "propertyNames": {"minLength": 1, "maxLength": ATTRIBUTE_KEY_CHARS},
        "additionalProperties": {
            "type": ["string", "number", "boolean"],
            "maxLength": ATTRIBUTE_VALUE_CHARS,
        },
    }))
    .expect("a valid schema")
}

/// `preview`: `null` reads as `false`.
pub(super) fn nullable_bool(_: &mut SchemaGenerator) -> Schema {
    SchemaObject {
        instance_type: Some(vec![InstanceType::Boolean, InstanceType::Null].into()),
        ..Default::default()
    }
    .into()
}
