//! Test harness: a collector on a real SQLite file in a temp dir, driven
//! through the router without a port.
#![allow(dead_code)] // each test file uses a different part

pub mod db;
pub mod logs;
pub mod serve;

use axum::body::Body;
use axum::http::{header, HeaderMap, Method, Request, StatusCode};
use axum::Router;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::Arc;
use tempfile::TempDir;
use touchpoint_collector::auth::AdminAuth;
use touchpoint_collector::config_watch::{ConfigHandle, LoadedConfig};
use touchpoint_collector::ratelimit::Limits;
use touchpoint_collector::store::Store;
use touchpoint_collector::{app, AppState};
use tower::ServiceExt;

pub const ID: &str = "0b6f3e0a-8d1c-4f7e-9a51-2f4d8c1e7b90";
/// The admin token of every `TestApp`.
pub const TOKEN: &str = "test-admin-token-0123456789";

/// A small valid config; `order-confirmed` closes after two answers.
pub fn config_json() -> Value {
    json!({
        "version": 1,
        "allowed_origins": ["https://shop.example"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "max_responses": 2,
             "question": {"type": "nps", "text": {"en": "How likely are you to recommend Acme?"}},
             "when": {"url": ["/checkout/thank-you*"]}},
            {"id": "help-article-read", "stage": "support", "question": {"type": "ces"}}
        ]
    })
}

/// The contract payload from issue 2, with `changes` merged over it.
pub fn payload(changes: Value) -> Value {
    let mut v = json!({"response_id": ID, "touchpoint": "order-confirmed", "stage": "purchase",
        "question": "nps", "score": 9, "comment": null, "status": "answered",
        "respondent": "r-123", "attributes": {}, "locale": "en",
        "page_url": "https://shop.example/checkout/thank-you", "occurred_at": "2026-11-23T10:00:00Z",
        "widget_version": "0.1.0"});
    for (k, val) in changes.as_object().expect("changes are an object") {
        v[k] = val.clone();
    }
    v
}

/// An HTTP client (rustls needs its crypto provider installed first).
pub fn client() -> reqwest::Client {
    touchpoint_collector::service::delivery::client(std::time::Duration::from_secs(30))
}

/// An HTTP client whose connections come from `local` (any 127.x.y.z
/// works on Linux's loopback), to be a different client than `client()`.
pub fn client_from(local: std::net::IpAddr) -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .local_address(local)
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A v4-looking UUID that differs per `n`.
pub fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

pub struct TestApp {
    pub dir: TempDir,
    /// The store's `--db` value (SQLite file or PostgreSQL schema URL).
    pub db_url: String,
    _db: db::Fresh,
    pub config_path: PathBuf,
    pub state: AppState,
    router: Router,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "body is not JSON ({e}): {}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    pub fn header(&self, name: header::HeaderName) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }
}

impl TestApp {
    pub fn new() -> TestApp {
        TestApp::with_config(&config_json())
    }

    pub fn with_config(config: &Value) -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let config_path = dir.path().join("touchpoint.json");
        std::fs::write(&config_path, config.to_string()).unwrap();
        let loaded = LoadedConfig::from_file(&config_path).unwrap();
        let db = db::fresh(dir.path());
        let db_url = db.url.clone();
        let store = Store::open(&db_url).unwrap();
        let mut state = AppState::new(store, ConfigHandle::new(loaded), dir.path().join("dist"));
        // Not explicit, so GET /v1/responses stays open as in the demo.
        state.auth = Arc::new(AdminAuth::new(TOKEN.into(), false));
        state.limits = Arc::new(Limits::off());
        let router = app(state.clone());
        TestApp {
            dir,
            db_url,
            _db: db,
            config_path,
            state,
            router,
        }
    }

    pub fn rebuild_router(&mut self) {
        self.router = app(self.state.clone());
    }

    pub async fn send(&self, req: Request<Body>) -> Reply {
        let res = self.router.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = axum::body::to_bytes(res.into_body(), usize::MAX)
            .await
            .unwrap()
            .to_vec();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// `GET` with the admin token, the body left unread.
    pub async fn router_response(&self, uri: &str) -> axum::response::Response {
        let req = Request::get(uri)
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .body(Body::empty())
            .unwrap();
        self.router.clone().oneshot(req).await.unwrap()
    }

    /// `GET` with the admin token.
    pub async fn admin_get(&self, uri: &str) -> Reply {
        self.send(
            Request::get(uri)
                .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub async fn get(&self, uri: &str) -> Reply {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    pub async fn post_raw(&self, content_type: Option<&str>, body: impl Into<Body>) -> Reply {
        let mut req = Request::builder().method(Method::POST).uri("/v1/responses");
        if let Some(ct) = content_type {
            req = req.header(header::CONTENT_TYPE, ct);
        }
        self.send(req.body(body.into()).unwrap()).await
    }

    pub async fn post(&self, response: &Value) -> Reply {
        self.post_raw(Some("application/json"), response.to_string())
            .await
    }

    /// `GET /v1/responses`, checked for 200.
    pub async fn stored(&self, query: &str) -> Vec<Value> {
        let reply = self.admin_get(&format!("/v1/responses{query}")).await;
        assert_eq!(reply.status, StatusCode::OK);
        reply.json().as_array().expect("an array").clone()
    }
}
