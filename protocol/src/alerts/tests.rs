use super::*;
use crate::validate::parse_config_value;

fn rules(v: Value) -> (Vec<AlertRule>, Vec<String>) {
    let (r, ps) = parse_rules(v.as_array().unwrap());
    (r, ps.iter().map(ToString::to_string).collect())
}

fn response(changes: Value) -> Response {
    let mut v = json!({"response_id": "0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90", "touchpoint": "order-confirmed",
        "stage": "purchase", "question": "nps", "score": 3, "status": "answered", "respondent": "r",
        "occurred_at": "2026-11-23T10:00:00Z"});
    for (k, x) in changes.as_object().unwrap() {
        v[k] = x.clone();
    }
    Response::from_value(&v).unwrap()
}

#[test]
fn the_documented_rule_matches_detractors_only() {
    let (r, ps) = rules(
        json!([{"when": {"question": "nps", "score_at_most": 6}, "webhook": "https://hooks.example/a"}]),
    );
    assert!(ps.is_empty(), "{ps:?}");
    let rule = &r[0];
    assert!(rule.matches(&response(json!({"score": 6}))));
    assert!(!rule.matches(&response(json!({"score": 7}))));
    assert!(!rule.matches(&response(json!({"question": "ces", "score": 2}))));
    assert!(!rule.matches(&response(json!({"status": "shown", "score": null}))));
    assert!(!rule.matches(&response(json!({"preview": true}))));
    let body: Value =
        serde_json::from_str(&rule.body("id-1", "2026-11-23T10:00:01Z", &response(json!({}))))
            .unwrap();
    assert_eq!(body["alert_id"], "id-1");
    assert_eq!(
        body["rule"],
        json!({"index": 0, "when": {"question": "nps", "score_at_most": 6}})
    );
    assert_eq!(body["response"]["score"], 3);
}

#[test]
fn every_condition_narrows() {
    let (r, _) = rules(
        json!([{"when": {"touchpoint": "help", "stage": "support", "score_at_least": 1, "score_at_most": 3},
        "webhook": "http://127.0.0.1:9/x"}]),
    );
    let help = json!({"touchpoint": "help", "stage": "support", "question": "ces"});
    let mut h = help.clone();
    h["score"] = json!(2);
    assert!(r[0].matches(&response(h.clone())));
    h["score"] = json!(4);
    assert!(!r[0].matches(&response(h)));
    assert!(
        !r[0].matches(&response(json!({"score": 2}))),
        "another touchpoint"
    );
}

#[test]
fn bad_entries_are_left_out_with_a_path_and_a_fix() {
    let (r, ps) = rules(json!([
        {"when": {"question": "nps", "score_at_most": 6}, "webhook": "https://ok.example"},
        {"when": {"question": "nsp", "score_at_most": 6}, "webhook": "https://x.example"},
        {"when": {"question": "ces", "score_at_most": 9}, "webhook": "ftp://x.example"},
        {"when": {"score_at_mots": 6}, "webhok": "https://x.example"},
        {"webhook": "https://x.example"},
        {"when": {}, "webhook": "https://x.example"},
        {"when": {"score_at_least": 5, "score_at_most": 2}, "webhook": "https://x.example"},
        "https://x.example",
        {"when": {"touchpoint": " ", "stage": 3}, "webhook": "https://x.example", "retries": 3}
    ]));
    assert_eq!(r.len(), 1);
    assert_eq!(
        ps,
        [
            "alerts[1].when.question: \"nsp\" is not a question type (use nps, ces or csat)",
            "alerts[2].webhook: \"ftp://x.example\" is not an http(s) URL such as \"https://hooks.example/touchpoint\"",
            "alerts[2].when.score_at_most: 9 is out of range (use a whole number from 1 to 7)",
            "alerts[3].webhok: unknown field, did you mean webhook?",
            "alerts[3].webhook: missing (add the http(s) URL that receives the alert)",
            "alerts[3].when.score_at_mots: unknown field, did you mean score_at_most?",
            "alerts[4].when: missing (add e.g. {\"question\": \"nps\", \"score_at_most\": 6})",
            "alerts[5].when: empty; name at least one condition, e.g. {\"question\": \"nps\", \"score_at_most\": 6}",
            "alerts[6].when: score_at_least 5 is above score_at_most 2; no answer could match",
            "alerts[7]: expected an object like {\"when\": {\"question\": \"nps\", \"score_at_most\": 6}, \"webhook\": \"https://…\"}",
            "alerts[8].retries: unknown field (use when, webhook)",
            "alerts[8].when.touchpoint: \" \" is not a non-empty string",
            "alerts[8].when.stage: 3 is not a non-empty string",
        ]
    );
}

#[test]
fn key_and_body_are_byte_for_byte_what_outboxes_and_receivers_already_have() {
    let entry = json!({"webhook": "https://hooks.example/a",
        "when": {"touchpoint": "help", "stage": "support", "score_at_most": 3, "score_at_least": 1, "question": "ces"}});
    let (r, _) =
        rules(json!([{"when": {"question": "nps"}, "webhook": "https://x.example"}, entry]));
    assert_eq!(r[1].index, 1);
    // The key is the entry's canonical JSON (serde_json sorts object keys).
    assert_eq!(r[1].key, serde_json::to_string(&entry).unwrap());
    let mut answer =
        json!({"touchpoint": "help", "stage": "support", "question": "ces", "score": 2});
    answer["response_id"] = json!("0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90");
    let body = r[1].body("id-1", "2026-11-23T10:00:01Z", &response(answer));
    // What the collector built before the rule was typed: the `when` as written.
    let before = json!({
        "event": "touchpoint.alert", "alert_id": "id-1", "created_at": "2026-11-23T10:00:01Z",
        "rule": {"index": 1, "when": entry["when"]},
        "response": response(json!({"touchpoint": "help", "stage": "support", "question": "ces", "score": 2})),
    });
    assert_eq!(body, before.to_string());
}

#[test]
fn the_config_reader_types_the_rules_and_lists_their_problems_last() {
    let doc = json!({"version": 1, "alerts": [
            {"when": {"score_at_most": 6}, "webhook": "https://hooks.example/a"},
            {"when": {"score_at_most": 11}, "webhook": "https://hooks.example/b"}],
        "touchpoints": [{"id": "a", "stage": "purchse", "question": {"type": "nps"}}]});
    let parsed = parse_config_value(&doc).unwrap();
    assert_eq!(parsed.config.alerts.len(), 1);
    assert_eq!(parsed.config.alerts[0].when.score_at_most, Some(6));
    let paths: Vec<&str> = parsed.problems.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        paths,
        ["touchpoints[0].stage", "alerts[1].when.score_at_most"]
    );
    let not_a_list = parse_config_value(&json!({"version": 1, "alerts": {"when": {}}})).unwrap();
    assert_eq!(
        not_a_list.problems[0].to_string(),
        "alerts: expected an array, got an object"
    );
    assert!(not_a_list.config.alerts.is_empty());
}

#[test]
fn serde_writes_rules_as_written_and_refuses_a_broken_one() {
    let config: crate::Config = serde_json::from_value(json!({"version": 1,
        "alerts": [{"when": {"question": "csat", "score_at_most": 2}, "webhook": "https://h.example/"}]}))
    .unwrap();
    assert_eq!(
        serde_json::to_value(&config).unwrap()["alerts"],
        json!([{"when": {"question": "csat", "score_at_most": 2}, "webhook": "https://h.example/"}])
    );
    let broken = serde_json::from_value::<crate::Config>(
        json!({"version": 1, "alerts": [{"when": {}, "webhook": "https://h.example/"}]}),
    );
    assert!(broken
        .unwrap_err()
        .to_string()
        .contains("alerts[0].when: empty"));
}
