//! The schema is held to the validator: each bound it states is tried on
//! `Response::from_value` at the bound and one past it.

use super::*;

fn sample() -> Value {
    json!({"response_id": "0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90", "touchpoint": "order-confirmed",
        "stage": "purchase", "question": "nps", "score": 9, "comment": null, "status": "answered",
        "respondent": "r-123", "attributes": {}, "locale": "en", "page_url": "https://shop.example/",
        "occurred_at": "2026-11-23T10:00:00Z", "widget_version": "0.1.0", "unknown": "ignored"})
}

fn accepts(changes: &[(&str, Value)]) -> bool {
    let mut v = sample();
    for (k, x) in changes {
        v[*k] = x.clone();
    }
    Response::from_value(&v).is_ok()
}

fn property(name: &str) -> Value {
    payload_schema()["properties"][name].clone()
}

#[test]
fn not_blank_is_what_str_trim_keeps() {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for c in ('\0'..=char::MAX)
        .filter(|c| c.is_whitespace())
        .map(u32::from)
    {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == c => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    let class: String = ranges
        .iter()
        .map(|&(a, b)| match a == b {
            true => format!("\\u{a:04x}"),
            false => format!("\\u{a:04x}-\\u{b:04x}"),
        })
        .collect();
    assert_eq!(NOT_BLANK, format!("[^{class}]"));
}

#[test]
fn the_required_fields_are_the_validators() {
    let schema = payload_schema();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in schema["properties"].as_object().unwrap().keys() {
        let mut v = sample();
        v.as_object_mut().unwrap().remove(field);
        // `score` is required by the `allOf` rule for answered responses.
        let needed = required.contains(&field.as_str()) || field == "score";
        assert_eq!(Response::from_value(&v).is_ok(), !needed, "{field}");
    }
    assert!(accepts(&[
        ("status", json!("shown")),
        ("score", Value::Null)
    ]));
}

#[test]
fn every_string_bound_is_the_validators() {
    for (field, pad) in [
        ("touchpoint", "é"),
        ("stage", "x"),
        ("respondent", "x"),
        ("locale", "x"),
        ("page_url", "x"),
        ("widget_version", "x"),
        ("comment", "x"),
    ] {
        let p = property(field);
        let max = p["maxLength"].as_u64().unwrap() as usize;
        assert!(accepts(&[(field, json!(pad.repeat(max)))]), "{field}");
        assert!(!accepts(&[(field, json!(pad.repeat(max + 1)))]), "{field}");
        if field != "comment" {
            assert_eq!(p["minLength"], 1, "{field}");
            assert_eq!(p["pattern"], NOT_BLANK, "{field}");
            assert!(!accepts(&[(field, json!(" \u{3000}"))]), "{field}");
        }
        let nullable = p["type"]
            .as_array()
            .is_some_and(|t| t.contains(&json!("null")));
        assert_eq!(accepts(&[(field, Value::Null)]), nullable, "{field}");
    }
    assert_eq!(property("comment")["maxLength"], MAX_COMMENT_CHARS);
}

#[test]
fn ids_and_times_follow_the_validators_patterns() {
    let id = property("response_id");
    assert_eq!(
        (id["format"].as_str(), id["pattern"].as_str()),
        (Some("uuid"), Some(UUID))
    );
    assert!(accepts(&[(
        "response_id",
        json!("0B6F3E0A-8D1C-4F7E-9A51-2F4D8C1E7B90")
    )]));
    assert!(!accepts(&[(
        "response_id",
        json!("0b6f3e0a8d1c4f7e9a512f4d8c1e7b90")
    )]));
    let at = property("occurred_at");
    assert_eq!(at["pattern"], RFC3339);
    assert_eq!(at["maxLength"], 40);
    let fraction = |digits: usize| format!("2026-11-23T10:00:00.{}Z", "1".repeat(digits));
    assert!(accepts(&[("occurred_at", json!(fraction(19)))]));
    assert!(
        !accepts(&[("occurred_at", json!(fraction(20)))]),
        "41 characters"
    );
    assert!(accepts(&[(
        "occurred_at",
        json!("2026-11-23 10:00:00+01:00")
    )]));
    assert!(!accepts(&[("occurred_at", json!("2026-11-23T24:00:00Z"))]));
}

#[test]
fn enums_and_scales_are_the_protocols() {
    assert_eq!(property("question")["enum"], json!(["nps", "ces", "csat"]));
    assert_eq!(
        property("status")["enum"],
        json!(["shown", "dismissed", "answered"])
    );
    assert!(!accepts(&[("status", json!("closed"))]));
    assert_eq!(property("score")["type"], json!(["integer", "null"]));
    let rules = payload_schema()["allOf"].as_array().unwrap().clone();
    assert_eq!(rules.len(), 1 + QuestionType::ALL.len());
    for (q, rule) in QuestionType::ALL.iter().zip(&rules[1..]) {
        assert_eq!(rule["if"]["properties"]["question"]["const"], q.as_str());
        let score = &rule["then"]["properties"]["score"];
        let (lo, hi) = (
            score["minimum"].as_i64().unwrap(),
            score["maximum"].as_i64().unwrap(),
        );
        let with = |n: i64| accepts(&[("question", json!(q.as_str())), ("score", json!(n))]);
        assert!(
            with(lo) && with(hi) && !with(lo - 1) && !with(hi + 1),
            "{q}"
        );
    }
}

#[test]
fn attributes_are_bounded_as_validated() {
    let p = property("attributes");
    let (keys, key_chars) = (
        p["maxProperties"].as_u64().unwrap() as usize,
        p["propertyNames"]["maxLength"].as_u64().unwrap() as usize,
    );
    let value_chars = p["additionalProperties"]["maxLength"].as_u64().unwrap() as usize;
    let many = |n: usize| Value::Object((0..n).map(|i| (format!("k{i}"), json!(i))).collect());
    assert!(accepts(&[("attributes", many(keys))]));
    assert!(!accepts(&[("attributes", many(keys + 1))]));
    assert!(accepts(&[(
        "attributes",
        json!({"k".repeat(key_chars): true})
    )]));
    assert!(!accepts(&[(
        "attributes",
        json!({"k".repeat(key_chars + 1): true})
    )]));
    assert!(!accepts(&[("attributes", json!({"": true}))]));
    assert!(accepts(&[(
        "attributes",
        json!({"k": "v".repeat(value_chars)})
    )]));
    assert!(!accepts(&[(
        "attributes",
        json!({"k": "v".repeat(value_chars + 1)})
    )]));
    assert!(!accepts(&[("attributes", json!({"k": null}))]));
    assert!(accepts(&[
        ("attributes", Value::Null),
        ("preview", Value::Null)
    ]));
}

#[test]
fn the_schema_embeds_without_references() {
    let text = payload_schema().to_string();
    assert!(
        !text.contains("$ref") && !text.contains("$schema"),
        "{text}"
    );
}
