//! Property tests, bounded: arbitrary JSON values and arbitrary bytes given
//! to the response and config readers never panic and, when refused, always
//! come with a message (and, for a config, the paths of its problems).

use proptest::prelude::*;
use serde_json::{json, Map, Value};
use touchpoint_protocol::{parse_config, parse_config_value, Response};

/// Any JSON value, a few levels deep, with the field names the readers know
/// mixed into the keys so the generator reaches past the first check.
fn any_json() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        Just("response_id".to_string()),
        Just("touchpoint".to_string()),
        Just("stage".to_string()),
        Just("question".to_string()),
        Just("score".to_string()),
        Just("status".to_string()),
        Just("attributes".to_string()),
        Just("occurred_at".to_string()),
        Just("touchpoints".to_string()),
        Just("version".to_string()),
        Just("when".to_string()),
        Just("text".to_string()),
        Just("type".to_string()),
        Just("id".to_string()),
        Just("alerts".to_string()),
        "[a-z_]{0,8}",
        any::<String>(),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        prop_oneof![
            Just("nps".to_string()),
            Just("answered".to_string()),
            Just("0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90".to_string()),
            Just("2026-11-23T10:00:00Z".to_string()),
            any::<String>(),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::vec((key.clone(), inner), 0..10)
                .prop_map(|kv| Value::Object(kv.into_iter().collect::<Map<String, Value>>())),
        ]
    })
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 500,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn any_json_as_a_response_is_read_or_refused_with_a_reason(v in any_json()) {
        if let Err(e) = Response::from_value(&v) {
            prop_assert!(!e.error.is_empty());
        }
    }

    #[test]
    fn any_bytes_as_a_response_are_read_or_refused_with_a_reason(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = Response::from_json(&String::from_utf8_lossy(&bytes)) {
            prop_assert!(!e.error.is_empty());
        }
    }

    #[test]
    fn any_json_as_a_config_is_read_or_refused_with_paths(v in any_json()) {
        match parse_config_value(&v) {
            Ok(parsed) => {
                for p in &parsed.problems {
                    prop_assert!(!p.message.is_empty());
                }
            }
            Err(e) => prop_assert!(!e.problems.is_empty()),
        }
    }

    #[test]
    fn any_bytes_as_a_config_are_read_or_refused_with_paths(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        if let Err(e) = parse_config(&String::from_utf8_lossy(&bytes)) {
            prop_assert!(!e.problems.is_empty());
        }
    }

    #[test]
    fn a_valid_response_with_any_fields_changed_never_panics(changes in prop::collection::vec((any_json(), any_json()), 0..4)) {
        let mut base = json!({"response_id": "0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90", "touchpoint": "t", "stage": "s",
            "question": "nps", "score": 9, "status": "answered", "respondent": "r", "occurred_at": "2026-11-23T10:00:00Z"});
        for (k, v) in changes {
            if let Value::String(k) = k {
                base[k] = v;
            }
        }
        let _ = Response::from_value(&base);
    }

    #[test]
    fn a_valid_config_with_any_touchpoint_changed_never_panics(changes in prop::collection::vec((any_json(), any_json()), 0..4)) {
        let mut tp = json!({"id": "a", "stage": "purchase", "question": {"type": "nps"}, "when": {"on": "load"}});
        for (k, v) in changes {
            if let Value::String(k) = k {
                tp[k] = v;
            }
        }
        let doc = json!({"version": 1, "touchpoints": [tp]});
        let _ = parse_config_value(&doc);
        let _ = touchpoint_protocol::validate::served(&doc);
    }
}
