//! Webhook alerts: matching answers go through the durable outbox; a
//! receiver on 127.0.0.1 that is down, then failing, then up still gets
//! every alert exactly once, across a store restart and a collector crash.

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::{Json, Router};
use common::{payload, serve, uuid, TestApp};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use touchpoint_collector::model::AlertCounts;
use touchpoint_collector::service::delivery::{self, DeliveryOptions};
use touchpoint_collector::store::Store;

/// What the receiver saw: (idempotency key, body), and its status per request.
#[derive(Clone, Default)]
struct Seen {
    delivered: Arc<Mutex<Vec<(String, Value)>>>,
    /// Requests answered 500 before it starts accepting.
    fail_first: Arc<Mutex<u32>>,
    failed: Arc<Mutex<u32>>,
}

async fn hook(State(seen): State<Seen>, headers: HeaderMap, Json(body): Json<Value>) -> StatusCode {
    {
        let mut left = seen.fail_first.lock().unwrap();
        if *left > 0 {
            *left -= 1;
            *seen.failed.lock().unwrap() += 1;
            return StatusCode::INTERNAL_SERVER_ERROR;
        }
    }
    let key = headers["idempotency-key"].to_str().unwrap().to_string();
    seen.delivered.lock().unwrap().push((key, body));
    StatusCode::OK
}

/// A port nothing listens on (yet): the receiver is "down".
fn down_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The receiver comes up on `port`.
async fn receiver_up(port: u16, seen: Seen) {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .unwrap();
    let app = Router::new().route("/hook", post(hook)).with_state(seen);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
}

fn config(port: u16) -> Value {
    json!({
        "version": 1,
        "allowed_origins": ["*"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}},
            {"id": "help-article-read", "stage": "support", "question": {"type": "ces"}}
        ],
        "alerts": [{"when": {"question": "nps", "score_at_most": 6}, "webhook": format!("http://127.0.0.1:{port}/hook")}]
    })
}

fn fast() -> DeliveryOptions {
    DeliveryOptions {
        backoff_base: Duration::from_millis(50),
        backoff_max: Duration::from_millis(200),
        poll: Duration::from_millis(50),
        timeout: Duration::from_secs(2),
        lease: Duration::from_secs(5),
        ..DeliveryOptions::default()
    }
}

async fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    for _ in 0..200 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("timed out waiting for {what}");
}

/// Polls `store`'s outbox until `done` says so.
async fn wait_for_outbox(what: &str, store: &Store, done: impl Fn(&AlertCounts) -> bool) {
    for _ in 0..200 {
        if done(&store.alert_counts().await.unwrap()) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!(
        "timed out waiting for {what}: {:?}",
        store.alert_counts().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_survive_a_receiver_outage_and_a_restart_and_are_sent_once() {
    let port = down_port();
    let app = TestApp::with_config(&config(port));
    let deliveries = delivery::spawn(app.state.store.clone(), fast());

    let posts = [
        json!({"response_id": uuid(1), "score": 3}),
        // The comment arrives later: the same answer, no second alert.
        json!({"response_id": uuid(1), "score": 3, "comment": "late", "occurred_at": "2026-11-23T10:00:09Z"}),
        json!({"response_id": uuid(2), "score": 6}),
        json!({"response_id": uuid(3), "score": 9}),
        json!({"response_id": uuid(4), "touchpoint": "help-article-read", "stage": "support", "question": "ces", "score": 2}),
        json!({"response_id": uuid(5), "score": 0, "preview": true}),
        json!({"response_id": uuid(6), "status": "shown", "score": null}),
    ];
    for p in posts {
        assert_eq!(app.post(&payload(p)).await.status, StatusCode::ACCEPTED);
    }
    wait_for_outbox(
        "failed attempts while the receiver is down",
        &app.state.store,
        |c| c.pending == 2 && c.attempts >= 4,
    )
    .await;
    let counts = app.state.store.alert_counts().await.unwrap();
    assert_eq!((counts.pending, counts.delivered), (2, 0));

    // Restart: stop delivering, close the store, open it again.
    deliveries.stop().await;
    app.state.store.close().await;
    let store = Store::open(&app.db_url).unwrap();
    let seen = Seen::default();
    *seen.fail_first.lock().unwrap() = 1;
    receiver_up(port, seen.clone()).await;
    let deliveries = delivery::spawn(store.clone(), fast());

    wait_until("both alerts delivered", || {
        seen.delivered.lock().unwrap().len() == 2
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    deliveries.stop().await;
    let delivered = seen.delivered.lock().unwrap().clone();
    assert_eq!(delivered.len(), 2, "exactly once each: {delivered:?}");
    assert_eq!(*seen.failed.lock().unwrap(), 1, "the 500 was retried");
    let mut ids: Vec<&str> = delivered
        .iter()
        .map(|(_, b)| b["response"]["response_id"].as_str().unwrap())
        .collect();
    ids.sort();
    assert_eq!(ids, [uuid(1), uuid(2)]);
    for (key, body) in &delivered {
        assert_eq!(
            body["alert_id"],
            key.as_str(),
            "Idempotency-Key is the alert id"
        );
        assert_eq!(body["event"], "touchpoint.alert");
        assert_eq!(
            body["rule"],
            json!({"index": 0, "when": {"question": "nps", "score_at_most": 6}})
        );
        assert_eq!(body["response"]["touchpoint"], "order-confirmed");
    }
    let counts = store.alert_counts().await.unwrap();
    assert_eq!(
        (counts.pending, counts.delivered, counts.given_up),
        (0, 2, 0)
    );
    store.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crashed_collector_sends_the_queued_alerts_after_it_starts_again() {
    let port = down_port();
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("touchpoint.json");
    std::fs::write(&config_path, config(port).to_string()).unwrap();
    let args = [
        "--rate-limit",
        "0",
        "--alert-retry-min-ms",
        "50",
        "--alert-retry-max-ms",
        "200",
    ];
    let db = common::db::fresh(dir.path());
    let mut served = serve::start(dir.path(), &config_path, &db.url, &args, &[]);
    let client = common::client();
    for n in 1..=3u32 {
        let res = client
            .post(format!("{}/v1/responses", served.base))
            .json(&payload(json!({"response_id": uuid(n), "score": n})))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 202);
    }
    let store = Store::open(&db.url).unwrap();
    wait_for_outbox("failed attempts", &store, |c| {
        c.pending == 3 && c.attempts >= 3
    })
    .await;

    // SIGKILL: no graceful shutdown, nothing flushed on the way out.
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    let seen = Seen::default();
    receiver_up(port, seen.clone()).await;
    let again = serve::start(dir.path(), &config_path, &db.url, &args, &[]);
    wait_until("three alerts after the restart", || {
        seen.delivered.lock().unwrap().len() == 3
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let delivered = seen.delivered.lock().unwrap().clone();
    let mut keys: Vec<&str> = delivered.iter().map(|(k, _)| k.as_str()).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), 3, "no duplicates: {delivered:?}");
    drop(again);
    store.close().await;
}

#[test]
fn check_reports_a_bad_alert_by_its_path() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("t.json");
    let mut c = config(9);
    c["alerts"].as_array_mut().unwrap().push(
        json!({"when": {"question": "nps", "score_at_most": 6}, "webhook": "hooks.example/x"}),
    );
    std::fs::write(&file, c.to_string()).unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["check", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "alerts[1].webhook: \"hooks.example/x\" is not an http(s) URL such as \"https://hooks.example/touchpoint\"\n"
    );
}
