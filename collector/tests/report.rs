//! `GET /v1/report` on a seeded set of responses whose NPS, margins and
//! rates are worked out by hand below.

mod common;

use axum::http::StatusCode;
use common::{payload, uuid, TestApp};
use serde_json::{json, Value};

fn config() -> Value {
    json!({
        "version": 1,
        "journey": ["consideration", "purchase", "support"],
        "allowed_origins": ["https://shop.example"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}, "target": {"nps": 40}},
            {"id": "help-article-read", "stage": "support", "question": {"type": "ces"}, "target": {"ces": 5}}
        ]
    })
}

struct Seed {
    next: u32,
}

impl Seed {
    async fn post(&mut self, app: &TestApp, changes: Value) -> String {
        self.next += 1;
        let id = uuid(self.next);
        let mut body = payload(json!({"response_id": id}));
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        let reply = app.post(&body).await;
        assert_eq!(
            reply.status,
            StatusCode::ACCEPTED,
            "{}",
            String::from_utf8_lossy(&reply.body)
        );
        id
    }
}

/// order-confirmed in November 2026: promoters 10, 10, 10, 9, 9 (plan pro),
/// passives 7, 8, 8 and detractors 3, 6 (plan free); one of the detractors
/// went shown → answered; 4 more shown and 1 dismissed; a preview answer
/// and an October answer that must not count. help-article-read: CES 7, 5,
/// 3, 1.
async fn seed(app: &TestApp) {
    let mut s = Seed { next: 0 };
    let day = |d: u32| format!("2026-11-{d:02}T10:00:00Z");
    for (i, score) in [10, 10, 10, 9, 9].into_iter().enumerate() {
        s.post(app, json!({"score": score, "occurred_at": day(1 + i as u32), "attributes": {"plan": "pro"}})).await;
    }
    for (i, score) in [7, 8, 8, 3].into_iter().enumerate() {
        s.post(app, json!({"score": score, "occurred_at": day(10 + i as u32), "attributes": {"plan": "free"}})).await;
    }
    let id = s
        .post(app, json!({"status": "shown", "score": null, "occurred_at": day(20), "attributes": {"plan": "free"}}))
        .await;
    app.post(&payload(json!({"response_id": id, "score": 6, "occurred_at": "2026-11-20T10:00:05Z", "attributes": {"plan": "free"}})))
        .await;
    for _ in 0..4 {
        s.post(
            app,
            json!({"status": "shown", "score": null, "occurred_at": day(21)}),
        )
        .await;
    }
    s.post(
        app,
        json!({"status": "dismissed", "score": null, "occurred_at": day(22)}),
    )
    .await;
    s.post(
        app,
        json!({"score": 0, "preview": true, "occurred_at": day(5)}),
    )
    .await;
    s.post(
        app,
        json!({"score": 0, "occurred_at": "2026-10-31T23:59:59Z"}),
    )
    .await;
    for score in [7, 5, 3, 1] {
        s.post(
            app,
            json!({"touchpoint": "help-article-read", "stage": "support", "question": "ces",
            "score": score, "occurred_at": day(15)}),
        )
        .await;
    }
}

fn close(a: &Value, b: f64) -> bool {
    a.as_f64().is_some_and(|a| (a - b).abs() < 1e-9)
}

fn touchpoint<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["journey"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["touchpoints"].as_array().unwrap())
        .find(|t| t["id"] == id)
        .unwrap_or_else(|| panic!("{id} is in {report}"))
}

async fn report(app: &TestApp, query: &str) -> Value {
    let reply = app.admin_get(&format!("/v1/report{query}")).await;
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    reply.json()
}

#[tokio::test]
async fn the_report_matches_hand_computed_nps_margins_and_rates() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let r = report(&app, "?from=2026-11-01&to=2026-11-30").await;
    assert_eq!(r["from"], "2026-11-01T00:00:00Z");
    assert_eq!(r["to"], "2026-12-01T00:00:00Z");
    assert_eq!(r["granularity"], "day");
    let stages: Vec<&str> = r["journey"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["consideration", "purchase", "support"]);

    let t = touchpoint(&r, "order-confirmed");
    // 5 promoters, 3 passives, 2 detractors: NPS = 50 − 20 = 30.
    assert!(close(&t["score"]["value"], 30.0), "{t}");
    // Var = (0.5 + 0.2 − 0.3²) / 10 = 0.061; margin = 1.96 × √0.061 × 100 ≈ 48.4.
    assert!(
        close(&t["score"]["margin95"], 196.0 * 0.061f64.sqrt()),
        "{t}"
    );
    assert_eq!(
        t["score"]["bands"],
        json!({"promoter": 5, "passive": 3, "detractor": 2})
    );
    // Shown: the 10 answered (one of them first posted as shown) + 4 + 1 dismissed.
    assert_eq!(
        (t["answers"].as_u64(), t["shown"].as_u64()),
        (Some(10), Some(15))
    );
    assert!(close(&t["response_rate"], 10.0 / 15.0), "{t}");
    assert_eq!(t["target"], 40.0);
    assert_eq!(t["below_target"], true);
    assert_eq!(t["trend"].as_array().unwrap().len(), 30);
    assert_eq!(
        t["trend"][0],
        json!({"start": "2026-11-01T00:00:00Z", "n": 1, "value": 100.0, "margin95": 0.0})
    );
    assert_eq!(t["trend"][19]["value"], -100.0, "Nov 20: the one detractor");
    assert_eq!(
        t["distribution"][0],
        json!({"score": 0, "n": 0}),
        "preview and October answers left out"
    );

    let help = touchpoint(&r, "help-article-read");
    assert!(close(&help["score"]["value"], 4.0));
    // Sample sd √(20/3), n = 4: margin = 1.96 × √(20/3) / 2 ≈ 2.53.
    assert!(close(
        &help["score"]["margin95"],
        1.96 * (20.0f64 / 3.0).sqrt() / 2.0
    ));
    assert_eq!(help["below_target"], true);
}

#[tokio::test]
async fn filters_narrow_the_report() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let pro = report(&app, "?from=2026-11-01&to=2026-11-30&attribute=plan%3Dpro").await;
    let t = touchpoint(&pro, "order-confirmed");
    assert_eq!(
        (t["score"]["value"].as_f64(), t["answers"].as_u64()),
        (Some(100.0), Some(5))
    );
    assert_eq!(pro["filters"]["attribute"], "plan=pro");

    let support = report(&app, "?from=2026-11-01&to=2026-11-30&stage=support").await;
    assert_eq!(support["journey"].as_array().unwrap().len(), 1);
    let one = report(
        &app,
        "?from=2026-11-01&to=2026-11-30&touchpoint=order-confirmed",
    )
    .await;
    assert_eq!(
        one["journey"][0]["touchpoints"].as_array().unwrap().len(),
        1
    );

    // 90 days trend per week: 13 buckets, the last partial.
    let quarter = report(&app, "?from=2026-09-02&to=2026-11-30").await;
    assert_eq!(quarter["granularity"], "week");
    assert_eq!(
        touchpoint(&quarter, "order-confirmed")["trend"]
            .as_array()
            .unwrap()
            .len(),
        13
    );
    let oct = touchpoint(&quarter, "order-confirmed")["answers"].as_u64();
    assert_eq!(oct, Some(11), "the October 31 answer is in this period");
}

#[tokio::test]
async fn the_default_period_is_the_last_thirty_days() {
    let app = TestApp::with_config(&config());
    let now = touchpoint_collector::clock::rfc3339(touchpoint_collector::clock::now_epoch());
    app.post(&payload(json!({"occurred_at": now}))).await;
    let r = report(&app, "").await;
    assert_eq!(touchpoint(&r, "order-confirmed")["answers"], 1);
    assert_eq!(
        touchpoint(&r, "order-confirmed")["trend"]
            .as_array()
            .unwrap()
            .len(),
        30
    );
}

#[tokio::test]
async fn bad_queries_name_the_parameter() {
    let app = TestApp::with_config(&config());
    for (query, field) in [
        ("?from=yesterday", "from"),
        ("?from=2026-11-30&to=2026-11-01", "from"),
        ("?days=week", "days"),
        ("?stage=purchse", "stage"),
        ("?touchpoint=nope", "touchpoint"),
        ("?attribute=plan", "attribute"),
    ] {
        let reply = app.admin_get(&format!("/v1/report{query}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{query}");
        assert_eq!(reply.json()["field"], field, "{query}");
    }
}

#[tokio::test]
async fn a_database_from_before_the_report_is_migrated_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(include_str!(
            "../src/store/migrations/sqlite/0001_responses.sql"
        ))
        .unwrap();
        conn.execute_batch(
            "PRAGMA user_version = 1;
             INSERT INTO responses (response_id, touchpoint, stage, question, score, status, respondent,
                 occurred_at, received_at, updated_at)
             VALUES ('00000000-0000-4000-8000-000000000001', 'order-confirmed', 'purchase', 'nps', 9,
                 'answered', 'r', '2026-11-02T01:00:00+02:00', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z');",
        )
        .unwrap();
    }
    let store = touchpoint_collector::store::Store::open(path.to_str().unwrap()).unwrap();
    let filter = touchpoint_collector::model::ResponseFilter {
        from: Some(touchpoint_collector::clock::epoch_seconds("2026-11-01T23:00:00Z").unwrap()),
        to: Some(touchpoint_collector::clock::epoch_seconds("2026-11-01T23:00:01Z").unwrap()),
        ..Default::default()
    };
    let rows = store.report_counts(filter, 0, 86_400).await.unwrap();
    assert_eq!(rows.len(), 1, "01:00+02:00 is 23:00 UTC the day before");
    assert_eq!(rows[0].score, Some(9));
}
