//! No request takes the process down, on a real socket: out-of-range dates
//! are 400s naming the parameter, and a handler that panics answers 500
//! while the collector keeps ingesting.

mod common;

use axum::routing::get;
use axum::Router;
use common::logs::Logs;
use common::{payload, TestApp, TOKEN};
use reqwest::header;
use serde_json::{json, Value};

async fn listen(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let service = router.into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, service).await.unwrap() });
    base
}

async fn admin_get(base: &str, path: &str) -> (u16, Value) {
    let res = common::client()
        .get(format!("{base}{path}"))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

const YEAR_0: &str = "from=0000-01-01T00:00:00%2B01:00&to=0000-01-02";

#[tokio::test]
async fn the_year_0_report_is_a_400_and_the_collector_still_ingests() {
    let app = TestApp::new();
    let base = listen(touchpoint_collector::app(app.state.clone())).await;

    let (status, body) = admin_get(&base, &format!("/v1/report?{YEAR_0}")).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["field"], "from");
    assert!(
        body["error"]
            .as_str()
            .unwrap()
            .contains("outside 1970-01-01 to 9999-12-31"),
        "{body}"
    );

    let posted = common::client()
        .post(format!("{base}/v1/responses"))
        .header(header::CONTENT_TYPE, "application/json")
        .body(payload(json!({})).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(posted.status(), 202, "the same process still ingests");
    assert_eq!(app.stored("").await.len(), 1);
}

#[tokio::test]
async fn every_date_parameter_outside_1970_to_9999_names_itself() {
    let app = TestApp::new();
    let base = listen(touchpoint_collector::app(app.state.clone())).await;
    for path in ["/v1/report", "/v1/export", "/v1/follow-ups"] {
        for (query, field) in [
            (YEAR_0, "from"),
            ("from=1969-12-31T23:59:59Z", "from"),
            ("to=0000-01-02", "to"),
            ("from=2026-01-01&to=-0001-01-01", "to"),
            ("to=%2B10000-01-01", "to"),
            ("days=4294967296", "days"),
            ("days=99999", "days"),
        ] {
            let (status, body) = admin_get(&base, &format!("{path}?{query}")).await;
            assert_eq!(status, 400, "{path}?{query}: {body}");
            assert_eq!(body["field"], field, "{path}?{query}: {body}");
        }
    }
}

#[test]
fn touchpoint_export_flags_outside_1970_to_9999_are_refused_by_name() {
    let app = TestApp::new();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args([
            "export",
            "--db",
            &app.db_url,
            "--from",
            "0000-01-01T00:00:00+01:00",
        ])
        .args(["--to", "0000-01-02"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("--from: \"0000-01-01T00:00:00+01:00\" is outside 1970-01-01"),
        "{stderr}"
    );
    assert!(!stderr.contains("panicked"), "{stderr}");
}

async fn boom() -> &'static str {
    panic!("boom: a handler bug");
}

#[tokio::test]
async fn a_panicking_handler_answers_500_json_is_logged_and_the_server_lives_on() {
    let (logs, _guard) = Logs::capture();
    let app = TestApp::new();
    // A route with a bug, behind the same fallback and layers as every route.
    let router = touchpoint_collector::app::finish(
        Router::new().route("/boom", get(boom)),
        app.state.clone(),
    );
    let base = listen(router).await;
    let client = common::client();
    for _ in 0..3 {
        let res = client.get(format!("{base}/boom")).send().await.unwrap();
        assert_eq!(res.status(), 500);
        let body: Value = res.json().await.unwrap();
        assert!(
            body["error"].as_str().unwrap().contains("still up"),
            "{body}"
        );
    }
    let missing = client.get(format!("{base}/nothing")).send().await.unwrap();
    assert_eq!(missing.status(), 404, "the same server still answers");
    let text = logs.text();
    assert!(
        text.contains("ERROR") && text.contains("boom: a handler bug"),
        "{text}"
    );
}
