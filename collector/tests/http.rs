//! The router on a real socket: what browsers and `sendBeacon` actually see.

mod common;

use common::{payload, TestApp, ID};
use reqwest::header;
use serde_json::{json, Value};

async fn listen(app: &TestApp) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let router = touchpoint_collector::app(app.state.clone())
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    base
}

#[tokio::test]
async fn a_response_travels_over_http_and_bad_ones_do_not_break_the_server() {
    let app = TestApp::new();
    let base = listen(&app).await;
    let client = common::client();
    let responses = format!("{base}/v1/responses");

    // 1 MB over the wire: refused with a JSON 413, not a reset connection.
    let big = client
        .post(&responses)
        .header(header::CONTENT_TYPE, "application/json")
        .body("x".repeat(1 << 20))
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let err: Value = big.json().await.unwrap();
    assert_eq!(err["field"], Value::Null);

    let beacon = client
        .post(&responses)
        .header(header::ORIGIN, "https://shop.example")
        .header(header::CONTENT_TYPE, "text/plain;charset=UTF-8")
        .body(payload(json!({})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(beacon.status(), 202);
    assert_eq!(
        beacon.headers()[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://shop.example"
    );
    assert_eq!(
        beacon.json::<Value>().await.unwrap(),
        json!({"ok": true, "response_id": ID})
    );

    let rows: Vec<Value> = client
        .get(format!("{responses}?touchpoint=order-confirmed"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (&rows[0]["touchpoint"], &rows[0]["stage"]),
        (&json!("order-confirmed"), &json!("purchase"))
    );

    let health: Value = client
        .get(format!("{base}/healthz"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(health, json!({"ok": true}));
}

#[tokio::test]
async fn the_rate_limit_sees_the_real_client_address() {
    let mut app = TestApp::new();
    app.state.limiter = std::sync::Arc::new(touchpoint_collector::ratelimit::RateLimiter::new(1));
    let base = listen(&app).await;
    app.rebuild_router();
    let client = common::client();
    let first = client
        .get(format!("{base}/v1/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(first.status(), 200);
    let second = client
        .get(format!("{base}/v1/config"))
        .send()
        .await
        .unwrap();
    assert_eq!(second.status(), 429);
    assert_eq!(second.headers()[header::RETRY_AFTER], "60");
}
