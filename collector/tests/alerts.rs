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

/// Every `last_error` in the alert outbox of `db_url` (SQLite or PostgreSQL).
fn last_errors(db_url: &str) -> Vec<String> {
    const SQL: &str = "SELECT last_error FROM alert_outbox WHERE last_error IS NOT NULL";
    if common::db::postgres().is_none() {
        let conn = rusqlite::Connection::open(db_url).unwrap();
        let mut stmt = conn.prepare(SQL).unwrap();
        let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
        return rows.map(Result::unwrap).collect();
    }
    let url = db_url.to_string();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let (client, conn) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                .await
                .unwrap();
            tokio::spawn(conn);
            let rows = client.query(SQL, &[]).await.unwrap();
            rows.iter().map(|r| r.get::<_, String>(0)).collect()
        })
    })
    .join()
    .unwrap()
}

#[tokio::test]
async fn a_redirecting_webhook_is_not_followed_and_its_url_is_never_stored_or_logged() {
    let (logs, _guard) = common::logs::Logs::capture();
    // The place the redirect points to: it must never be reached, by any method.
    let caught = Arc::new(Mutex::new(0u32));
    let hits = caught.clone();
    let target = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let target_port = target.local_addr().unwrap().port();
    let target_app = Router::new().fallback(move || {
        *hits.lock().unwrap() += 1;
        async { StatusCode::OK }
    });
    tokio::spawn(async move { axum::serve(target, target_app).await.unwrap() });
    // The webhook answers 302 to it (and counts the attempts).
    let attempts = Arc::new(Mutex::new(0u32));
    let counter = attempts.clone();
    let redirector = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = redirector.local_addr().unwrap().port();
    // Whatever the path, 302 to the target.
    let redirect_app = Router::new().fallback(move || {
        *counter.lock().unwrap() += 1;
        async move {
            (
                StatusCode::FOUND,
                [("location", format!("http://127.0.0.1:{target_port}/caught"))],
            )
        }
    });
    tokio::spawn(async move { axum::serve(redirector, redirect_app).await.unwrap() });

    let mut cfg = config(port);
    cfg["alerts"][0]["webhook"] = json!(format!(
        "http://127.0.0.1:{port}/hook/SECRET-PATH?token=SECRET-QUERY"
    ));
    let app = TestApp::with_config(&cfg);
    let deliveries = delivery::spawn(app.state.store.clone(), fast());
    let answer = payload(json!({"response_id": uuid(1), "score": 2}));
    assert_eq!(app.post(&answer).await.status, StatusCode::ACCEPTED);
    wait_for_outbox("failed attempts", &app.state.store, |c| {
        c.pending == 1 && c.delivered == 0 && c.attempts >= 2
    })
    .await;
    deliveries.stop().await;

    assert!(*attempts.lock().unwrap() >= 2, "the webhook was called");
    assert_eq!(*caught.lock().unwrap(), 0, "the redirect was followed");
    let errors = last_errors(&app.db_url);
    assert_eq!(errors.len(), 1, "{errors:?}");
    let text = logs.text();
    for stored in &errors {
        assert!(stored.contains("302"), "{stored}");
        assert!(
            stored.starts_with(&format!("http://127.0.0.1:{port}/… ")),
            "{stored}"
        );
    }
    for (what, haystack) in [("stored error", errors.join("\n")), ("log", text.clone())] {
        for secret in ["SECRET", "/hook", "/caught"] {
            assert!(
                !haystack.contains(secret),
                "the {what} holds {secret}: {haystack}"
            );
        }
    }
    assert!(text.contains("alert not delivered"), "{text}");
}

#[tokio::test]
async fn an_unreachable_webhook_is_logged_and_stored_without_its_url() {
    let (logs, _guard) = common::logs::Logs::capture();
    let port = down_port();
    let mut cfg = config(port);
    cfg["alerts"][0]["webhook"] = json!(format!(
        "http://127.0.0.1:{port}/services/T0/B0/SECRET-TOKEN"
    ));
    let app = TestApp::with_config(&cfg);
    let deliveries = delivery::spawn(app.state.store.clone(), fast());
    let answer = payload(json!({"response_id": uuid(1), "score": 2}));
    assert_eq!(app.post(&answer).await.status, StatusCode::ACCEPTED);
    wait_for_outbox("failed attempts", &app.state.store, |c| c.attempts >= 2).await;
    deliveries.stop().await;
    let errors = last_errors(&app.db_url);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0].starts_with(&format!("http://127.0.0.1:{port}/…: ")),
        "{errors:?}"
    );
    let text = logs.text();
    for haystack in [&errors[0], &text] {
        assert!(
            !haystack.contains("SECRET") && !haystack.contains("/services"),
            "{haystack}"
        );
    }
}
