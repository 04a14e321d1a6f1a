//! Retention: responses older than `--retention-days` go with their
//! follow-ups and alert copies, at start-up and then periodically; alert
//! copies delivered or given up over 30 days ago go whatever the flag.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{payload, serve, uuid, TestApp, TOKEN};
use serde_json::{json, Value};
use std::time::Duration;
use touchpoint_collector::clock::{now_epoch, now_ms, rfc3339};
use touchpoint_collector::model::Deleted;
use touchpoint_collector::service::retention::{self, Purged, RetentionOptions};

const DAY: i64 = 24 * 3600;

fn config() -> Value {
    json!({
        "version": 1,
        "allowed_origins": ["*"],
        "touchpoints": [{"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}}],
        "alerts": [{"when": {"question": "nps", "score_at_most": 6}, "webhook": "http://127.0.0.1:9/hook"}]
    })
}

async fn answer(app: &TestApp, n: u32, score: u8, days_ago: i64) {
    let at = rfc3339(now_epoch() - days_ago * DAY);
    let body = payload(json!({"response_id": uuid(n), "score": score, "occurred_at": at}));
    assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED, "{n}");
}

async fn contacted(app: &TestApp, n: u32) {
    let reply = app
        .send(
            Request::post(format!("/v1/follow-ups/{}", uuid(n)))
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(json!({"state": "contacted"}).to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(reply.status, StatusCode::OK);
}

fn ids(store_rows: &[touchpoint_collector::model::StoredResponse]) -> Vec<String> {
    store_rows
        .iter()
        .map(|r| r.response.response_id.clone())
        .collect()
}

#[tokio::test]
async fn a_purge_deletes_old_responses_with_their_rows_and_alerts_done_30_days_ago() {
    let app = TestApp::with_config(&config());
    let store = &app.state.store;
    // 1, 2: past a 30-day retention (1 a detractor with a follow-up and
    // an alert); 3, 4, 5: recent detractors whose alerts were delivered
    // 31 days ago, delivered yesterday, given up 31 days ago.
    answer(&app, 1, 2, 40).await;
    answer(&app, 2, 9, 31).await;
    contacted(&app, 1).await;
    for n in 3..=5 {
        answer(&app, n, 1, 1).await;
    }
    answer(&app, 6, 9, 29).await;
    let jobs = store.claim_alerts(now_ms(), 60_000, 10).await.unwrap();
    assert_eq!(jobs.len(), 4);
    let alert_of = |n: u32| {
        jobs.iter()
            .find(|j| j.body.contains(&uuid(n)))
            .unwrap_or_else(|| panic!("an alert for {n}"))
            .id
    };
    let month_ago = now_ms() - 31 * DAY * 1000;
    store.alert_delivered(alert_of(3), month_ago).await.unwrap();
    store
        .alert_delivered(alert_of(4), now_ms() - DAY * 1000)
        .await
        .unwrap();
    store
        .alert_failed(alert_of(5), now_ms(), "gone", Some(month_ago))
        .await
        .unwrap();
    assert_eq!(store.answered_counts().get("order-confirmed"), Some(&6));

    // Without --retention-days, only the done alert copies go.
    let kept = retention::purge(store, None, now_epoch()).await.unwrap();
    assert_eq!(
        kept,
        Purged {
            expired: Deleted::default(),
            done_alerts: 2
        }
    );
    assert_eq!(store.list(Default::default()).await.unwrap().len(), 6);

    let purged = retention::purge(store, Some(30), now_epoch())
        .await
        .unwrap();
    assert_eq!(
        purged.expired,
        Deleted {
            responses: 2,
            follow_ups: 1,
            alerts: 1
        }
    );
    assert_eq!(purged.done_alerts, 0);
    let left = store.list(Default::default()).await.unwrap();
    assert_eq!(ids(&left), [uuid(3), uuid(4), uuid(5), uuid(6)]);
    let outbox = store.alert_counts().await.unwrap();
    assert_eq!(
        (outbox.pending, outbox.delivered, outbox.given_up),
        (0, 1, 0)
    );
    assert_eq!(store.answered_counts().get("order-confirmed"), Some(&4));
    let queue = app.admin_get("/v1/follow-ups?state=contacted").await.json();
    assert_eq!(queue, json!([]));
}

#[tokio::test]
async fn a_purge_step_takes_the_oldest_first_up_to_its_limit() {
    let app = TestApp::with_config(&config());
    for (n, days) in [(1, 50), (2, 70), (3, 60), (4, 1)] {
        answer(&app, n, 9, days).await;
    }
    let store = &app.state.store;
    let before = now_epoch() - 30 * DAY;
    let first = store.purge_occurred_before(before, 2).await.unwrap();
    assert_eq!(first.responses, 2);
    let left = store.list(Default::default()).await.unwrap();
    assert_eq!(
        ids(&left),
        [uuid(1), uuid(4)],
        "70 and 60 days old went first"
    );
    let rest = store.purge_occurred_before(before, 2).await.unwrap();
    assert_eq!(rest.responses, 1);
}

#[tokio::test]
async fn the_retention_task_purges_again_on_every_tick() {
    let app = TestApp::with_config(&config());
    let task = retention::spawn(
        app.state.store.clone(),
        RetentionOptions {
            days: Some(30),
            every: Duration::from_millis(100),
        },
    );
    // After the first purge: an old answer arrives late (outboxes keep
    // answers for days), and the next tick takes it.
    tokio::time::sleep(Duration::from_millis(150)).await;
    answer(&app, 1, 9, 45).await;
    answer(&app, 2, 9, 2).await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        let left = app.state.store.list(Default::default()).await.unwrap();
        if ids(&left) == [uuid(2)] {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "the old answer is still there: {:?}",
            ids(&left)
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // An erasure by another process (`touchpoint erase`): the next tick
    // re-reads the answered counts, so the caps follow.
    let elsewhere = touchpoint_collector::store::Store::open(&app.db_url).unwrap();
    assert_eq!(
        elsewhere.erase_respondent("r-123").await.unwrap().responses,
        1
    );
    elsewhere.close().await;
    let answered = || {
        app.state
            .store
            .answered_counts()
            .get("order-confirmed")
            .copied()
    };
    assert_eq!(answered(), Some(1));
    while answered().unwrap_or(0) != 0 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the counts were not re-read: {:?}",
            app.state.store.answered_counts()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    task.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_with_retention_days_purges_at_start_up_and_logs_the_counts() {
    let app = TestApp::with_config(&config());
    answer(&app, 1, 3, 40).await;
    answer(&app, 2, 9, 3).await;
    app.state.store.close().await;

    let served = serve::start(
        app.dir.path(),
        &app.config_path,
        &app.db_url,
        &["--retention-days", "30", "--admin-token", TOKEN],
        &[],
    );
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    while !served
        .log()
        .contains("retention: deleted responses older than 30 days")
    {
        assert!(
            std::time::Instant::now() < deadline,
            "no purge logged:\n{}",
            served.log()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let log = served.log();
    let line = log
        .lines()
        .find(|l| l.contains("retention: deleted responses"))
        .unwrap();
    for count in ["responses=1", "follow_ups=0", "alerts=1"] {
        assert!(line.contains(count), "{count} in {line}");
    }
    let rows: Vec<Value> = common::client()
        .get(format!("{}/v1/responses", served.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let left: Vec<&str> = rows
        .iter()
        .map(|r| r["response_id"].as_str().unwrap())
        .collect();
    assert_eq!(left, [uuid(2)]);
}
