//! `GET /v1/config` (closed flag, caching, reload), the schema, CORS and the
//! static files.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{config_json, payload, uuid, TestApp};
use serde_json::{json, Value};
use std::time::Duration;
use touchpoint_collector::config_watch;

fn closed(config: &Value, id: &str) -> Option<bool> {
    config["touchpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["id"] == id)
        .map(|t| t.get("closed").and_then(Value::as_bool).unwrap_or(false))
}

#[tokio::test]
async fn the_config_is_served_without_secrets_or_unknown_values() {
    let mut config = config_json();
    config["touchpoints"][1]["sampel_rate"] = json!(0.5);
    config["internal"] = json!("staff only");
    config["alerts"] = json!([{"when": {"question": "nps", "score_at_most": 6},
        "webhook": "https://hooks.slack.com/services/T000/B000/XXXXSECRET"}]);
    let app = TestApp::with_config(&config);
    let reply = app.get("/v1/config").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(reply.header(header::CONTENT_TYPE), Some("application/json"));
    assert_eq!(
        reply.header(header::CACHE_CONTROL),
        Some("public, max-age=60")
    );
    let served = reply.json();
    let text = served.to_string();
    for secret in ["hooks.slack.com", "XXXXSECRET", "alerts", "staff only"] {
        assert!(!text.contains(secret), "{secret} is served: {text}");
    }
    // The broken touchpoint is served, its unknown key named without its
    // value, so the widget disables it and says why.
    assert_eq!(served["touchpoints"][1]["sampel_rate"], Value::Null);
    let mut expected = config.clone();
    expected.as_object_mut().unwrap().remove("internal");
    expected.as_object_mut().unwrap().remove("alerts");
    expected["touchpoints"][1]["sampel_rate"] = Value::Null;
    assert_eq!(served, expected, "everything else as written");
}

#[tokio::test]
async fn touchpoints_close_when_max_responses_answers_are_in() {
    let app = TestApp::new();
    let before = app.get("/v1/config").await;
    assert_eq!(closed(&before.json(), "order-confirmed"), Some(false));
    let etag = before.header(header::ETAG).expect("an ETag").to_string();

    // Shown-only and preview responses do not count.
    let posts = [
        json!({"response_id": uuid(1), "status": "shown", "score": null}),
        json!({"response_id": uuid(2), "preview": true}),
        json!({"response_id": uuid(3)}),
    ];
    for p in posts {
        assert_eq!(app.post(&payload(p)).await.status, StatusCode::ACCEPTED);
    }
    let not_modified = app
        .send(
            Request::get("/v1/config")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        not_modified.status,
        StatusCode::NOT_MODIFIED,
        "one answer of two"
    );
    assert!(not_modified.body.is_empty());

    // The second answer on an already-shown response reaches the cap.
    let answer = payload(json!({"response_id": uuid(1)}));
    assert_eq!(app.post(&answer).await.status, StatusCode::ACCEPTED);
    let after = app
        .send(
            Request::get("/v1/config")
                .header(header::IF_NONE_MATCH, &etag)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(
        after.status,
        StatusCode::OK,
        "the ETag changes with the closed flag"
    );
    assert_ne!(after.header(header::ETAG), Some(etag.as_str()));
    let config = after.json();
    assert_eq!(closed(&config, "order-confirmed"), Some(true));
    assert_eq!(closed(&config, "help-article-read"), Some(false));
}

#[tokio::test]
async fn config_changes_are_served_and_bad_changes_refused() {
    let app = TestApp::new();
    let watcher = config_watch::watch(
        app.config_path.clone(),
        app.state.config.clone(),
        Duration::from_millis(20),
    );
    let mut good = config_json();
    good["touchpoints"][1]["id"] = json!("help-article-finished");
    std::fs::write(&app.config_path, good.to_string()).unwrap();
    let served = wait_for(&app, |c| c == &good).await;
    assert_eq!(served, good, "a good change is served");

    for bad in ["{\"version\": 1,", "{\"version\": 2}", "[]"] {
        std::fs::write(&app.config_path, bad).unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        assert_eq!(app.get("/v1/config").await.json(), good, "{bad} is refused");
    }

    // A change with non-fatal problems is served: the widget skips the bad touchpoint.
    let mut partly = good.clone();
    partly["touchpoints"][0]["stage"] = json!("purchse");
    std::fs::write(&app.config_path, partly.to_string()).unwrap();
    wait_for(&app, |c| c == &partly).await;
    watcher.abort();
}

async fn wait_for(app: &TestApp, done: impl Fn(&Value) -> bool) -> Value {
    for _ in 0..100 {
        let config = app.get("/v1/config").await.json();
        if done(&config) {
            return config;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    app.get("/v1/config").await.json()
}

#[tokio::test]
async fn the_json_schema_is_served() {
    let app = TestApp::new();
    let reply = app.get("/v1/config/schema").await;
    assert_eq!(reply.status, StatusCode::OK);
    let schema = reply.json();
    assert_eq!(schema["title"], "Config");
    assert!(schema["properties"]["touchpoints"].is_object());
}

async fn preflight(app: &TestApp, uri: &str, origin: &str) -> Option<String> {
    let reply = app
        .send(
            Request::builder()
                .method(Method::OPTIONS)
                .uri(uri)
                .header(header::ORIGIN, origin)
                .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
                .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "content-type")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert!(reply.status.is_success(), "{uri}: {}", reply.status);
    reply
        .header(header::ACCESS_CONTROL_ALLOW_ORIGIN)
        .map(str::to_string)
}

#[tokio::test]
async fn cors_follows_allowed_origins() {
    let app = TestApp::new();
    let allowed = "https://shop.example";
    for uri in ["/v1/responses", "/v1/config"] {
        assert_eq!(
            preflight(&app, uri, allowed).await.as_deref(),
            Some(allowed)
        );
        assert_eq!(preflight(&app, uri, "https://evil.example").await, None);
    }
    let post = |origin: &'static str| {
        Request::post("/v1/responses")
            .header(header::ORIGIN, origin)
            .header(header::CONTENT_TYPE, "text/plain")
            .body(Body::from(payload(json!({})).to_string()))
            .unwrap()
    };
    let ok = app.send(post("https://shop.example")).await;
    assert_eq!(
        ok.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some(allowed)
    );
    let other = app.send(post("https://evil.example")).await;
    assert_eq!(other.header(header::ACCESS_CONTROL_ALLOW_ORIGIN), None);

    let mut any = config_json();
    any["allowed_origins"] = json!(["*"]);
    let app = TestApp::with_config(&any);
    let origin = "https://anywhere.example";
    assert_eq!(
        preflight(&app, "/v1/responses", origin).await.as_deref(),
        Some(origin)
    );
}

/// A TestApp whose widget is built and whose `tests/pages` exists.
fn app_with_files(demo: bool) -> TestApp {
    let mut app = TestApp::new();
    let dist = app.dir.path().join("dist");
    let pages = app.dir.path().join("tests").join("pages");
    std::fs::create_dir_all(&pages).unwrap();
    std::fs::create_dir_all(&dist).unwrap();
    for (name, text) in [
        ("index.html", "<!doctype html><title>Acme shop</title>"),
        ("touchpoint.js", "window.touchpoint = [];"),
        ("touchpoint_bg.wasm", "\0asm"),
        ("style.css", ":host{}"),
    ] {
        std::fs::write(dist.join(name), text).unwrap();
    }
    std::fs::write(pages.join("hostile-css.html"), "<p>hostile</p>").unwrap();
    app.state.demo = demo;
    // Whether tests/pages exists is decided when the router is built.
    app.rebuild_router();
    app
}

#[tokio::test]
async fn with_demo_the_widget_shop_and_test_pages_are_served() {
    let app = app_with_files(true);

    for (uri, content_type) in [
        ("/widget/touchpoint.js", "text/javascript"),
        ("/widget/touchpoint_bg.wasm", "application/wasm"),
        ("/widget/style.css", "text/css"),
    ] {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(
            reply.header(header::CONTENT_TYPE),
            Some(content_type),
            "{uri}"
        );
    }
    for uri in ["/shop", "/shop/", "/shop/checkout/thank-you"] {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert!(
            String::from_utf8_lossy(&reply.body).contains("Acme shop"),
            "{uri}"
        );
    }
    let page = app.get("/test-pages/hostile-css.html").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.body, b"<p>hostile</p>");
    for uri in [
        "/shop/",
        "/shop/checkout/thank-you",
        "/test-pages/hostile-css.html",
    ] {
        let reply = app.get(uri).await;
        assert_eq!(
            reply.header(header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            Some("no-cache"),
            "{uri}"
        );
    }
    let root = app.get("/").await;
    assert!(root.status.is_redirection());
    assert_eq!(
        root.header(header::LOCATION),
        Some("/login?next=%2F"),
        "/ is the dashboard now"
    );
    assert_eq!(
        app.get("/widget/missing.js").await.status,
        StatusCode::NOT_FOUND
    );
    let unknown = app.get("/v1/nothing").await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json()["error"], "not found");
}

#[tokio::test]
async fn without_demo_only_the_widget_is_served_with_nosniff_and_a_short_cache() {
    let app = app_with_files(false);
    for uri in [
        "/shop",
        "/shop/",
        "/shop/checkout/thank-you",
        "/test-pages/hostile-css.html",
    ] {
        let reply = app.get(uri).await;
        assert_eq!(
            reply.status,
            StatusCode::NOT_FOUND,
            "{uri} is a demo surface"
        );
        assert_eq!(reply.json()["error"], "not found");
    }
    for uri in [
        "/widget/touchpoint.js",
        "/widget/touchpoint_bg.wasm",
        "/widget/style.css",
    ] {
        let reply = app.get(uri).await;
        assert_eq!(reply.status, StatusCode::OK, "{uri}");
        assert_eq!(
            reply.header(header::X_CONTENT_TYPE_OPTIONS),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(
            reply.header(header::CACHE_CONTROL),
            Some("public, max-age=300"),
            "{uri}: no content hash in the name, so a short cache"
        );
        assert!(
            reply.header(header::LAST_MODIFIED).is_some(),
            "{uri} revalidates"
        );
    }
    let missing = app.get("/widget/missing.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert_eq!(
        missing.header(header::X_CONTENT_TYPE_OPTIONS),
        Some("nosniff")
    );
}
