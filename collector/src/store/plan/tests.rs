use super::*;
use crate::store::StoreError;
use serde_json::json;
use touchpoint_protocol::alerts::parse_rules;
use touchpoint_protocol::QuestionType;

fn response(status: Status, score: Option<u8>, at: &str) -> Response {
    Response::from_value(&json!({
        "response_id": "0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90",
        "touchpoint": "order-confirmed", "stage": "purchase", "question": "nps",
        "score": score, "status": status.as_str(), "respondent": "r1",
        "occurred_at": at,
    }))
    .expect("a valid response")
}

fn detractor_rule() -> Vec<AlertRule> {
    let (rules, problems) = parse_rules(&[json!({
        "when": {"question": "nps", "score_at_most": 6},
        "webhook": "https://hooks.example/x"
    })]);
    assert!(problems.is_empty(), "{problems:?}");
    rules
}

fn ids() -> impl FnMut() -> String {
    let mut n = 0;
    move || {
        n += 1;
        format!("alert-{n}")
    }
}

#[test]
fn a_new_answer_is_written_as_posted_counted_and_alerted() {
    let incoming = response(Status::Answered, Some(3), "2026-11-23T10:00:00Z");
    let rules = detractor_rule();
    let p = plan(None, &incoming, &rules, 1_764_000_000_123, ids()).unwrap();
    assert!(matches!(p.merged, Cow::Borrowed(_)));
    assert_eq!(p.answered_delta, Some(("order-confirmed".to_string(), 1)));
    assert_eq!(p.occurred_epoch, 1_795_428_000);
    assert_eq!(p.alerts.len(), 1);
    let alert = &p.alerts[0];
    assert_eq!(alert.alert_id, "alert-1");
    assert_eq!(alert.webhook, "https://hooks.example/x");
    assert_eq!(alert.created_ms, 1_764_000_000_123);
    let body: serde_json::Value = serde_json::from_str(&alert.body).unwrap();
    assert_eq!(body["alert_id"], "alert-1");
    assert_eq!(body["response"]["score"], 3);
    let params = p.alert_params(alert);
    assert_eq!(params[1], Param::Text(incoming.response_id.clone()));
    assert_eq!(params[5], Param::Int(1_764_000_000_123));
}

#[test]
fn upsert_parameters_follow_the_column_order() {
    let incoming = response(Status::Shown, None, "2026-11-23T10:00:00Z");
    let p = plan(None, &incoming, &[], 0, ids()).unwrap();
    let params = p.upsert_params("2026-11-23T10:00:01.000Z");
    assert_eq!(params.len(), 16);
    assert_eq!(params[1], Param::Text("order-confirmed".into()));
    assert_eq!(params[4], Param::Null, "no score yet");
    assert_eq!(params[8], Param::Text("{}".into()), "attributes as JSON");
    assert_eq!(params[13], Param::Int(0), "not a preview");
    assert_eq!(params[14], Param::Text("2026-11-23T10:00:01.000Z".into()));
    assert_eq!(params[15], Param::Int(1_795_428_000));
    assert_eq!(p.answered_delta, None, "shown is not answered");
    assert!(p.alerts.is_empty());
}

#[test]
fn merges_move_the_answered_count_both_ways_and_never_twice() {
    let shown = response(Status::Shown, None, "2026-11-23T10:00:00Z");
    let answered = response(Status::Answered, Some(9), "2026-11-23T10:00:05Z");
    let up = plan(Some(shown.clone()), &answered, &[], 0, ids()).unwrap();
    assert_eq!(up.merged.status, Status::Answered);
    assert_eq!(up.answered_delta, Some(("order-confirmed".into(), 1)));

    // A late `shown` after the answer changes neither the status nor the count.
    let late = plan(Some(answered.clone()), &shown, &[], 0, ids()).unwrap();
    assert_eq!(late.merged.status, Status::Answered);
    assert_eq!(late.merged.score, Some(9));
    assert_eq!(late.answered_delta, None);

    // A post claiming the counted answer was a preview changes nothing.
    let mut preview = answered.clone();
    preview.preview = true;
    let hidden = plan(Some(answered.clone()), &preview, &[], 0, ids()).unwrap();
    assert!(!hidden.merged.preview);
    assert_eq!(hidden.answered_delta, None);

    // A preview that is answered never counts.
    let mut shown_preview = shown.clone();
    shown_preview.preview = true;
    let p = plan(Some(shown_preview), &answered, &[], 0, ids()).unwrap();
    assert!(p.merged.preview);
    assert_eq!(p.answered_delta, None);
}

#[test]
fn only_matching_answers_queue_alerts() {
    let rules = detractor_rule();
    let promoter = response(Status::Answered, Some(10), "2026-11-23T10:00:00Z");
    assert!(plan(None, &promoter, &rules, 0, ids())
        .unwrap()
        .alerts
        .is_empty());
    let mut ces = response(Status::Answered, Some(2), "2026-11-23T10:00:00Z");
    ces.question = QuestionType::Ces;
    assert!(plan(None, &ces, &rules, 0, ids())
        .unwrap()
        .alerts
        .is_empty());
    let unreadable = response(Status::Answered, Some(1), "2026-11-23T10:00:00Z");
    let p = plan(None, &unreadable, &rules, 5_000, ids()).unwrap();
    assert_eq!(p.alerts.len(), 1);
}

#[test]
fn a_post_for_another_survey_under_the_same_id_is_refused() {
    let nps = response(Status::Answered, Some(9), "2026-11-23T10:00:00Z");
    let mut ces = nps.clone();
    ces.question = QuestionType::Ces;
    ces.score = Some(2);
    let e = plan(Some(nps.clone()), &ces, &[], 0, ids()).unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e}");
    let mut elsewhere = nps.clone();
    elsewhere.touchpoint = "help-article-read".into();
    assert!(plan(Some(nps), &elsewhere, &[], 0, ids()).is_err());
}
