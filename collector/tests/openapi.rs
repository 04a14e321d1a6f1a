//! `GET /v1/openapi.json` against the real router: every route the router
//! registers is documented and every documented operation is a route that
//! answers (not the 404 fallback, not 405).

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{payload, uuid, TestApp, TOKEN};
use serde_json::{json, Value};
use std::collections::BTreeSet;
use tower::ServiceExt;

/// A TestApp with `--demo` whose widget dir and test pages exist, so every
/// static route is registered.
fn full_app() -> TestApp {
    let mut app = TestApp::new();
    let dist = app.dir.path().join("dist");
    let pages = app.dir.path().join("tests").join("pages");
    std::fs::create_dir_all(&dist).unwrap();
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::write(dist.join("index.html"), "<title>shop</title>").unwrap();
    std::fs::write(dist.join("touchpoint.js"), "//").unwrap();
    std::fs::write(pages.join("page.html"), "<p>page</p>").unwrap();
    app.state.demo = true;
    app.rebuild_router();
    app
}

fn operations(doc: &Value) -> BTreeSet<(String, String)> {
    doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, item)| {
            item.as_object()
                .unwrap()
                .keys()
                .map(move |m| (m.to_uppercase(), path.clone()))
        })
        .collect()
}

#[tokio::test]
async fn every_route_is_documented_and_every_documented_route_exists() {
    let app = full_app();
    let reply = app.get("/v1/openapi.json").await;
    assert_eq!(reply.status, StatusCode::OK);
    let doc = reply.json();
    assert_eq!(doc["openapi"], "3.1.0");

    let (_, routes) = touchpoint_collector::app::app_routes(app.state.clone());
    let registered: BTreeSet<(String, String)> = routes
        .iter()
        .map(|(m, p)| (m.to_string(), p.clone()))
        .collect();
    assert_eq!(registered.len(), routes.len(), "no route registered twice");
    let documented = operations(&doc);
    let undocumented: Vec<_> = registered.difference(&documented).collect();
    let phantom: Vec<_> = documented.difference(&registered).collect();
    assert!(
        undocumented.is_empty(),
        "routes missing from the OpenAPI document: {undocumented:?}"
    );
    assert!(phantom.is_empty(), "documented but not routed: {phantom:?}");
}

#[tokio::test]
async fn every_documented_operation_answers() {
    let app = full_app();
    let doc = app.get("/v1/openapi.json").await.json();
    // A detractor, so follow-up steps have something to act on.
    app.post(&payload(json!({"response_id": uuid(1), "score": 3})))
        .await;
    let fallback = app.get("/surely/not/a/route").await;
    assert_eq!(fallback.status, StatusCode::NOT_FOUND);

    for (method, path) in operations(&doc) {
        let uri = path
            .replace("{response_id}", &uuid(1))
            .replace("{id}", "order-confirmed")
            // Not the detractor's respondent: the follow-up steps need it.
            .replace("{respondent}", "r-nobody")
            .replace("/widget/{path}", "/widget/touchpoint.js")
            .replace("/test-pages/{path}", "/test-pages/page.html")
            .replace("{page}", "checkout/thank-you");
        let (content_type, body) = match (method.as_str(), path.as_str()) {
            ("POST", "/v1/responses") => ("application/json", payload(json!({})).to_string()),
            ("POST", "/v1/follow-ups/{response_id}") => (
                "application/json",
                json!({"state": "contacted"}).to_string(),
            ),
            ("POST", "/login") => (
                "application/x-www-form-urlencoded",
                format!("token={TOKEN}"),
            ),
            ("POST", _) => (
                "application/x-www-form-urlencoded",
                "state=contacted".to_string(),
            ),
            _ => ("text/plain", String::new()),
        };
        let req = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).unwrap())
            .uri(&uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from(body))
            .unwrap();
        let res = app.send(req).await;
        let is_fallback = res.status == StatusCode::NOT_FOUND && res.body == fallback.body;
        assert!(
            !is_fallback && res.status != StatusCode::METHOD_NOT_ALLOWED,
            "{method} {uri}: {}",
            res.status
        );
        assert!(res.status.as_u16() < 500, "{method} {uri}: {}", res.status);
    }
}

#[tokio::test]
async fn the_document_is_self_consistent() {
    let app = TestApp::new();
    let doc = app.get("/v1/openapi.json").await.json();
    let text = doc.to_string();
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for r in text.split("\"$ref\":\"#/components/schemas/").skip(1) {
        let name = r.split('"').next().unwrap();
        assert!(schemas.contains_key(name), "$ref to missing schema {name}");
    }
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(
                op["summary"].as_str().is_some_and(|s| !s.is_empty()),
                "{method} {path}"
            );
            assert!(
                op["responses"].as_object().is_some_and(|r| !r.is_empty()),
                "{method} {path}"
            );
            let declared: BTreeSet<&str> = op["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["in"] == "path")
                .map(|p| p["name"].as_str().unwrap())
                .collect();
            let in_template: BTreeSet<&str> = path
                .split('{')
                .skip(1)
                .map(|s| s.split('}').next().unwrap())
                .collect();
            assert_eq!(declared, in_template, "{method} {path}: path parameters");
        }
    }
    // The router answers the same document to a plain oneshot, without auth.
    let res = touchpoint_collector::app(app.state.clone())
        .oneshot(
            Request::get("/v1/openapi.json")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

#[tokio::test]
async fn the_response_schema_is_the_protocols() {
    let app = TestApp::new();
    let doc = app.get("/v1/openapi.json").await.json();
    let served = &doc["components"]["schemas"]["Response"];
    let now = touchpoint_collector::clock::now_epoch();
    assert_eq!(
        served,
        &touchpoint_collector::routes::openapi::response_schema(now)
    );
    // Generated from the protocol: only the occurred_at window is added.
    let mut generated = touchpoint_protocol::response::payload_schema();
    generated["properties"]["occurred_at"] = served["properties"]["occurred_at"].clone();
    assert_eq!(served, &generated);
    let pattern = served["properties"]["occurred_at"]["pattern"]
        .as_str()
        .unwrap();
    assert!(
        pattern.starts_with("^(2000|2001|") && !pattern.contains("[0-9]{4}-"),
        "{pattern}"
    );
}
