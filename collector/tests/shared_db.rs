//! Several collectors on one database (PostgreSQL behind a load balancer;
//! also holds for SQLite): each alert is claimed by one of them only, and
//! every alert is delivered exactly once.

mod common;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use common::{payload, uuid, TestApp};
use serde_json::json;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use touchpoint_collector::service::delivery::{self, DeliveryOptions};
use touchpoint_collector::store::Store;
use touchpoint_protocol::Response;

async fn receiver(seen: Arc<Mutex<Vec<String>>>) -> u16 {
    async fn hook(State(seen): State<Arc<Mutex<Vec<String>>>>, headers: HeaderMap) -> StatusCode {
        // Slow enough that the two collectors overlap.
        tokio::time::sleep(Duration::from_millis(5)).await;
        seen.lock()
            .unwrap()
            .push(headers["idempotency-key"].to_str().unwrap().into());
        StatusCode::NO_CONTENT
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let app = Router::new().route("/hook", post(hook)).with_state(seen);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    port
}

fn config(port: u16) -> serde_json::Value {
    json!({"version": 1, "touchpoints": [{"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}}],
        "alerts": [{"when": {"score_at_most": 6}, "webhook": format!("http://127.0.0.1:{port}/hook")}]})
}

/// `n` detractors, each queueing one alert.
async fn queue(app: &TestApp, n: u32) {
    let rules = app.state.config.current().alerts.clone();
    for i in 0..n {
        let r = Response::from_value(&payload(json!({"response_id": uuid(i), "score": i % 7})))
            .unwrap();
        app.state
            .store
            .save_with_alerts(r, rules.clone())
            .await
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_claims_never_overlap() {
    let app = TestApp::with_config(&config(9));
    queue(&app, 60).await;
    let other = Store::open(&app.db_url).unwrap();
    let now = touchpoint_collector::clock::now_ms();
    let claim = |s: Store| async move {
        let mut ids = Vec::new();
        for _ in 0..10 {
            ids.extend(
                s.claim_alerts(now, 60_000, 4)
                    .await
                    .unwrap()
                    .into_iter()
                    .map(|j| j.id),
            );
        }
        ids
    };
    let (a, b) = tokio::join!(
        tokio::spawn(claim(app.state.store.clone())),
        tokio::spawn(claim(other.clone()))
    );
    let (a, b) = (a.unwrap(), b.unwrap());
    let all: Vec<i64> = a.iter().chain(&b).copied().collect();
    let unique: HashSet<i64> = all.iter().copied().collect();
    assert_eq!(
        all.len(),
        unique.len(),
        "an alert was claimed twice: {a:?} / {b:?}"
    );
    assert_eq!(unique.len(), 60, "together they claimed every alert once");
    other.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_collectors_deliver_every_alert_exactly_once() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let port = receiver(seen.clone()).await;
    let app = TestApp::with_config(&config(port));
    queue(&app, 50).await;
    let other = Store::open(&app.db_url).unwrap();
    let opts = DeliveryOptions {
        batch: 3,
        poll: Duration::from_millis(20),
        ..DeliveryOptions::default()
    };
    let a = delivery::spawn(app.state.store.clone(), opts.clone());
    let b = delivery::spawn(other.clone(), opts);
    for _ in 0..400 {
        if seen.lock().unwrap().len() >= 50 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    a.stop().await;
    b.stop().await;
    let keys = seen.lock().unwrap().clone();
    let unique: HashSet<&String> = keys.iter().collect();
    assert_eq!((keys.len(), unique.len()), (50, 50), "each alert once");
    let counts = other.alert_counts().await.unwrap();
    assert_eq!((counts.pending, counts.delivered), (0, 50));
    other.close().await;
}
