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
    assert_eq!(err_field(v.clone()), Some("score".into()));
    v["score"] = json!(8.5);
    assert_eq!(err_field(v.clone()), Some("score".into()));
    // 9.0 is the number 9, as JSON Schema's "integer" says.
    v["score"] = json!(9.0);
    assert_eq!(Response::from_value(&v).unwrap().score, Some(9));
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
    // Only dates and offsets that exist.
    assert!(!is_rfc3339("2019-02-30T10:00:00Z"));
    assert!(!is_rfc3339("2026-04-31T10:00:00Z"));
    assert!(is_rfc3339("2024-02-29T10:00:00Z"));
    assert!(!is_rfc3339("2026-02-29T10:00:00Z"));
    assert!(!is_rfc3339("2019-06-01T23:19:18.9+97:35"));
    assert!(!is_rfc3339("2019-06-01T23:19:18+05:60"));
    assert!(!is_rfc3339("2019-06-01T23:59:60Z"));
    assert!(is_rfc3339("2019-06-01T23:19:18-23:59"));
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

#[test]
fn merged_attributes_stay_within_the_cap() {
    let mut row = Response::from_value(&sample()).unwrap();
    // Ten posts with twenty new keys each, as an attacker holding the id could send.
    for post in 0..10 {
        let mut incoming = row.clone();
        incoming.attributes = (0..MAX_ATTRIBUTES)
            .map(|k| (format!("p{post}-k{k}"), json!(k)))
            .collect();
        row = row.merge(&incoming);
        assert!(
            row.attributes.len() <= MAX_ATTRIBUTES,
            "post {post}: {}",
            row.attributes.len()
        );
    }
    assert_eq!(row.attributes.len(), MAX_ATTRIBUTES);
    // Keys already there still take new values.
    let mut update = row.clone();
    update.attributes = [("p0-k3".to_string(), json!("changed"))]
        .into_iter()
        .collect();
    assert_eq!(row.merge(&update).attributes["p0-k3"], json!("changed"));
}

#[test]
fn a_counted_answer_cannot_be_turned_into_a_preview() {
    let answered = Response::from_value(&sample()).unwrap();
    let mut preview = answered.clone();
    preview.preview = true;
    assert!(!answered.merge(&preview).preview);
    // Before the answer, a preview flag still sticks (the widget's preview
    // mode flags every post of the survey).
    let mut shown = answered.clone();
    shown.status = Status::Shown;
    shown.score = None;
    assert!(shown.merge(&preview).preview);
    assert!(preview.merge(&answered).preview, "a preview stays one");
}
