use super::*;
use crate::config::{Fatigue, Position, Theme, Trigger, DEFAULT_JOURNEY};
use serde_json::json;

fn tp(id: &str, stage: &str) -> Value {
    json!({"id": id, "stage": stage, "question": {"type": "nps", "text": {"en": "How likely are you to recommend Acme?"}}})
}

fn doc(touchpoints: Vec<Value>) -> Value {
    json!({"version": 1, "touchpoints": touchpoints})
}

fn messages(v: &Value) -> Vec<String> {
    parse_config_value(v)
        .unwrap()
        .problems
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_contract_example_is_clean() {
    let v = json!({
      "version": 1,
      "journey": ["awareness","consideration","purchase","onboarding","usage","support","renewal","advocacy"],
      "allowed_origins": ["https://shop.example"],
      "defaults": {"locale": "en", "position": "bottom-right", "sample_rate": 1.0, "recontact_days": 30},
      "fatigue": {"min_days_between_surveys": 14, "max_surveys_per_session": 1},
      "touchpoints": [{
          "id": "order-confirmed", "stage": "purchase", "enabled": true,
          "question": {"type": "nps", "text": {"en": "How likely are you to recommend Acme to a friend?", "de": "Wie wahrscheinlich…"},
            "follow_up": {"detractor": {"en": "What should we fix first?"}, "passive": {"en": "What would make it a 10?"}, "promoter": {"en": "What did you like most?"}}},
          "when": {"url": ["/checkout/thank-you*"], "on": {"event": "order_completed"}, "delay_ms": 1500},
          "sample_rate": 0.5, "recontact_days": 90
      }]
    });
    let parsed = parse_config_value(&v).unwrap();
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    let t = &parsed.config.touchpoints[0];
    assert_eq!(t.when.on, Trigger::Event("order_completed".into()));
    assert_eq!(t.when.delay_ms, 1500);
    assert_eq!(parsed.config.fatigue.min_days_between_surveys, 14);
    assert_eq!(parsed.config.position(t), Position::BottomRight);
    assert_eq!(parsed.config.recontact_days(t), 90);
}

#[test]
fn misspelt_stage_gets_a_suggestion() {
    let v = doc(vec![
        tp("a", "purchase"),
        tp("b", "usage"),
        tp("c", "purchse"),
    ]);
    assert_eq!(
        messages(&v),
        vec![
            r#"touchpoints[2].stage: "purchse" is not a journey stage (did you mean "purchase"?)"#
        ]
    );
}

#[test]
fn unknown_field_gets_a_suggestion() {
    let mut t = tp("a", "purchase");
    t["sampel_rate"] = json!(0.5);
    assert_eq!(
        messages(&doc(vec![t])),
        vec!["touchpoints[0].sampel_rate: unknown field, did you mean sample_rate?"]
    );
}

#[test]
fn every_problem_is_reported_and_only_bad_touchpoints_are_disabled() {
    let mut bad_rate = tp("rate", "purchase");
    bad_rate["sample_rate"] = json!(1.5);
    let mut empty_text = tp("empty", "support");
    empty_text["question"]["text"] = json!({"en": "  "});
    let mut no_default = tp("nodefault", "support");
    no_default["question"]["text"] = json!({"de": "Wie?"});
    let v = doc(vec![
        tp("ok", "purchase"),
        tp("ok", "usage"),
        bad_rate,
        empty_text,
        no_default,
        json!("nope"),
    ]);
    let parsed = parse_config_value(&v).unwrap();
    let msgs: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    assert_eq!(
        msgs,
        vec![
            r#"touchpoints[1].id: duplicate id "ok" (also touchpoints[0].id); give each touchpoint its own id"#,
            "touchpoints[2].sample_rate: 1.5 is out of range (use a number from 0 to 1)",
            "touchpoints[3].question.text.en: empty text (write the text, or remove this locale)",
            r#"touchpoints[4].question.text: no "en" text for the default locale (add "en": "…")"#,
            "touchpoints[5]: expected a touchpoint object, got a string",
        ]
    );
    assert_eq!(parsed.config.touchpoints.len(), 1);
    assert_eq!(parsed.config.touchpoints[0].id, "ok");
    assert_eq!(
        parsed.disabled,
        vec!["ok", "rate", "empty", "nodefault", "touchpoints[5]"]
    );
}

#[test]
fn type_errors_and_missing_fields_name_their_path() {
    let mut t = tp("a", "purchase");
    t["when"] = json!({"on": {"scroll_percent": 150}});
    let mut u = tp("b", "purchase");
    u.as_object_mut().unwrap().remove("stage");
    let mut w = tp("c", "purchase");
    w["recontact_days"] = json!("soon");
    let msgs = messages(&doc(vec![t, u, w]));
    assert!(
        msgs[0].starts_with("touchpoints[0].when.on: scroll_percent 150 is out of range"),
        "{msgs:?}"
    );
    assert_eq!(msgs[1], "touchpoints[1].stage: missing field");
    assert_eq!(
        msgs[2],
        r#"touchpoints[2].recontact_days: "soon" is not a number of days (use whole days from 0 to 3650)"#
    );
}

#[test]
fn every_type_error_is_reported_where_it_is() {
    let mut t = tp("a", "purchase");
    t["enabled"] = json!("yes");
    t["position"] = json!("bottom-rigth");
    t["question"]["text"] = json!({"en": 3});
    t["question"]["follow_up"] = json!({"detractor": "Why?"});
    t["when"] = json!({"url": "/checkout", "delay_ms": -5});
    t["target"] = json!({"nps": "high"});
    let v = json!({"version": 1, "theme": {"radius": "8px", "mode": "dim"}, "consent": true,
        "defaults": {"position": 3}, "touchpoints": [t, {"id": "b", "stage": "usage"}]});
    let parsed = parse_config_value(&v).unwrap();
    let msgs: Vec<String> = parsed.problems.iter().map(ToString::to_string).collect();
    let want = [
        "defaults.position: expected one of bottom-right, bottom-left, bottom-bar, modal, inline, got 3",
        "theme.radius: expected a whole number, 0 or more, got a string",
        r#"theme.mode: "dim" is not valid here (use one of light, dark)"#,
        "consent: expected one of implied, required, got true",
        "touchpoints[0].question.text.en: expected a string, got 3",
        "touchpoints[0].question.follow_up.detractor: expected texts by locale, e.g. {\"en\": \"How likely…?\"}, got a string",
        "touchpoints[0].when.url: expected an array of strings, e.g. [\"a\", \"b\"], got a string",
        "touchpoints[0].when.delay_ms: expected a whole number, 0 or more, got -5",
        "touchpoints[0].position: \"bottom-rigth\" is not valid here (did you mean \"bottom-right\"?)",
        "touchpoints[0].target.nps: expected a number, got a string",
        "touchpoints[0].enabled: expected true or false, got a string",
        "touchpoints[1].question: missing field",
    ];
    assert_eq!(msgs, want);
    // Bad sections fall back field by field; bad touchpoints are left out.
    assert_eq!(parsed.config.theme, Theme::default());
    assert!(parsed.config.touchpoints.is_empty());
    assert_eq!(parsed.disabled, vec!["a", "b"]);
}

#[test]
fn follow_up_bands_must_fit_the_question() {
    let mut t = tp("a", "purchase");
    t["question"]["follow_up"] = json!({"low": {"en": "Why?"}});
    assert_eq!(
        messages(&doc(vec![t])),
        vec!["touchpoints[0].question.follow_up.low: unknown field (known fields: detractor, passive, promoter)"]
    );
}

#[test]
fn every_trigger_form_parses() {
    let cases = [
        (json!("load"), Trigger::Load),
        (json!({"event": "signup"}), Trigger::Event("signup".into())),
        (json!({"delay_ms": 3000}), Trigger::Delay(3000)),
        (json!({"scroll_percent": 50}), Trigger::ScrollPercent(50)),
        (json!({"exit_intent": true}), Trigger::ExitIntent),
        (json!({"click": "#help"}), Trigger::Click("#help".into())),
    ];
    for (v, want) in cases {
        assert_eq!(Trigger::from_value(&v).unwrap(), want);
        assert_eq!(want.to_value(), v);
    }
    assert!(Trigger::from_value(&json!("onload"))
        .unwrap_err()
        .contains("is not a trigger"));
    assert!(Trigger::from_value(&json!({"event": "a", "click": "b"})).is_err());
}

#[test]
fn fatal_only_when_unusable() {
    assert!(parse_config("{").is_err());
    assert!(parse_config("[]").is_err());
    let e = parse_config(r#"{"touchpoints": []}"#).unwrap_err();
    assert_eq!(e.to_string(), "version: missing (add \"version\": 1)");
    assert!(parse_config(r#"{"version": 2}"#).is_err());
    // A bad section falls back to its default and is reported.
    let p = parse_config(r#"{"version": 1, "fatigue": {"max_surveys_per_session": -1}}"#).unwrap();
    assert_eq!(p.config.fatigue, Fatigue::default());
    assert_eq!(p.problems[0].path, "fatigue.max_surveys_per_session");
}

#[test]
fn origins_are_checked() {
    let v =
        json!({"version": 1, "allowed_origins": ["https://shop.example/", "*", "shop.example"]});
    let msgs = messages(&v);
    assert_eq!(msgs.len(), 2, "{msgs:?}");
    assert!(msgs[0].contains("\"https://shop.example\""), "{msgs:?}");
}

#[test]
fn did_you_mean_is_conservative() {
    assert_eq!(did_you_mean("purchse", DEFAULT_JOURNEY), Some("purchase"));
    assert_eq!(did_you_mean("xyz", DEFAULT_JOURNEY), None);
}

#[test]
fn the_shipped_example_config_is_clean() {
    let text = include_str!("../../../examples/touchpoint.json");
    let parsed = parse_config(text).unwrap();
    assert!(parsed.problems.is_empty(), "{:?}", parsed.problems);
    assert!(parsed.config.touchpoints.len() >= 3);
}

#[test]
fn alerts_entries_are_read_only_with_the_alerts_feature() {
    let v = json!({"version": 1, "alerts": [{"when": {"question": "nsp"}, "webhook": "x"}]});
    // The widget (no `alerts` feature) accepts them unread; the collector
    // leaves the broken rule out and says why.
    let expected: &[&str] = if cfg!(feature = "alerts") {
        &[
            r#"alerts[0].webhook: "x" is not an http(s) URL such as "https://hooks.example/touchpoint""#,
            r#"alerts[0].when.question: "nsp" is not a question type (use nps, ces or csat)"#,
        ]
    } else {
        &[]
    };
    assert_eq!(messages(&v), expected);
    // The shape is checked in both builds.
    let v = json!({"version": 1, "alerts": 5});
    assert_eq!(messages(&v), ["alerts: expected an array, got 5"]);
}
