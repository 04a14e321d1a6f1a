//! The router on a real socket: what browsers and `sendBeacon` actually see.

mod common;

use common::{payload, TestApp, ID};
use reqwest::header;
use serde_json::{json, Value};
use std::sync::Arc;
use touchpoint_collector::client::{parse_cidrs, Clients};
use touchpoint_collector::ratelimit::Limits;

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
        .bearer_auth(common::TOKEN)
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
    app.state.limits = Arc::new(Limits::new(1, 1, 1));
    let base = listen(&app).await;
    let client = common::client();
    let config = format!("{base}/v1/config");
    let first = client.get(&config).send().await.unwrap();
    assert_eq!(first.status(), 200);
    let second = client
        .get(&config)
        .header("x-forwarded-for", "198.51.100.1")
        .send()
        .await
        .unwrap();
    assert_eq!(
        second.status(),
        429,
        "no proxy is trusted: X-Forwarded-For does not buy a new bucket"
    );
    assert_eq!(second.headers()[header::RETRY_AFTER], "60");
    let other = common::client_from("127.0.0.2".parse().unwrap());
    assert_eq!(
        other.get(&config).send().await.unwrap().status(),
        200,
        "another peer is another client"
    );
    let post = client
        .post(format!("{base}/v1/responses"))
        .json(&payload(json!({})))
        .send()
        .await
        .unwrap();
    assert_eq!(
        post.status(),
        202,
        "reading the config left the answer budget whole"
    );
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket() {
    let mut app = TestApp::new();
    app.state.limits = Arc::new(Limits::new(1, 0, 0));
    app.state.clients = Arc::new(Clients::default().trusting(parse_cidrs("127.0.0.1").unwrap()));
    let base = listen(&app).await;
    let config = format!("{base}/v1/config");
    let proxy = common::client();
    let via = |xff: &str| proxy.get(&config).header("x-forwarded-for", xff).send();
    assert_eq!(via("203.0.113.1").await.unwrap().status(), 200);
    assert_eq!(via("spoofed, 203.0.113.2").await.unwrap().status(), 200);
    assert_eq!(
        via("203.0.113.2, 127.0.0.1").await.unwrap().status(),
        429,
        "a trusted hop is skipped: the right-most untrusted address decides"
    );
    assert_eq!(
        via("203.0.113.99, 203.0.113.1").await.unwrap().status(),
        429,
        "what the client wrote first does not count"
    );
    let direct = common::client_from("127.0.0.2".parse().unwrap());
    let spoof = |xff: &'static str| direct.get(&config).header("x-forwarded-for", xff).send();
    assert_eq!(spoof("203.0.113.50").await.unwrap().status(), 200);
    assert_eq!(
        spoof("203.0.113.51").await.unwrap().status(),
        429,
        "an untrusted peer's X-Forwarded-For is ignored: it is one client whatever it writes"
    );
}
