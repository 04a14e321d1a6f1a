//! Who may see what: the admin token as a bearer header or a login cookie,
//! CSRF on state changes, and the per-client rate limit.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{payload, uuid, TestApp, TOKEN};
use serde_json::json;
use std::sync::Arc;
use touchpoint_collector::auth::AdminAuth;
use touchpoint_collector::ratelimit::RateLimiter;

fn get_with(uri: &str, name: header::HeaderName, value: &str) -> Request<Body> {
    Request::get(uri)
        .header(name, value)
        .body(Body::empty())
        .unwrap()
}

fn form(uri: &str, cookie: Option<&str>, body: &str) -> Request<Body> {
    let mut req = Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
    if let Some(c) = cookie {
        req = req.header(header::COOKIE, c);
    }
    req.body(Body::from(body.to_string())).unwrap()
}

fn text(body: &[u8]) -> String {
    String::from_utf8_lossy(body).into_owned()
}

#[tokio::test]
async fn the_admin_api_needs_the_token() {
    let app = TestApp::new();
    let none = app.get("/v1/report").await;
    assert_eq!(none.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        none.header(header::WWW_AUTHENTICATE),
        Some("Bearer realm=\"touchpoint\"")
    );
    assert!(none.json()["error"]
        .as_str()
        .unwrap()
        .contains("Authorization: Bearer"));
    let wrong = app
        .send(get_with(
            "/v1/report",
            header::AUTHORIZATION,
            "Bearer not-the-token-at-all",
        ))
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(app.admin_get("/v1/report").await.status, StatusCode::OK);
}

#[tokio::test]
async fn pages_send_people_to_the_login_form_and_back() {
    let app = TestApp::new();
    let root = app.get("/").await;
    assert_eq!(root.status, StatusCode::SEE_OTHER);
    assert_eq!(root.header(header::LOCATION), Some("/login?next=%2F"));
    let deep = app.get("/?days=7&stage=purchase").await;
    assert_eq!(
        deep.header(header::LOCATION),
        Some("/login?next=%2F%3Fdays%3D7%26stage%3Dpurchase")
    );

    let login = app.get("/login?next=%2F%3Fdays%3D7").await;
    assert_eq!(login.status, StatusCode::OK);
    let html = text(&login.body);
    assert!(html.contains(r#"name="next" value="/?days=7""#), "{html}");
    assert!(login
        .header(header::CONTENT_SECURITY_POLICY)
        .unwrap()
        .contains("default-src 'none'"));

    let wrong = app.send(form("/login", None, "token=nope&next=%2F")).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert!(wrong.header(header::SET_COOKIE).is_none());
    assert!(text(&wrong.body).contains("not the admin token"));

    let ok = app
        .send(form(
            "/login",
            None,
            &format!("token={TOKEN}&next=%2F%3Fdays%3D7"),
        ))
        .await;
    assert_eq!(ok.status, StatusCode::SEE_OTHER);
    assert_eq!(ok.header(header::LOCATION), Some("/?days=7"));
    let set_cookie = ok.header(header::SET_COOKIE).unwrap().to_string();
    assert!(
        set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Strict"),
        "{set_cookie}"
    );
    assert!(
        !set_cookie.contains(TOKEN),
        "the cookie is not the token itself"
    );
    let cookie = set_cookie.split(';').next().unwrap().to_string();

    let page = app.send(get_with("/", header::COOKIE, &cookie)).await;
    assert_eq!(page.status, StatusCode::OK);
    let api = app
        .send(get_with("/v1/report", header::COOKIE, &cookie))
        .await;
    assert_eq!(
        api.status,
        StatusCode::OK,
        "the cookie works for the JSON API too"
    );

    let offsite = app
        .send(form(
            "/login",
            None,
            &format!("token={TOKEN}&next=%2F%2Fevil.example"),
        ))
        .await;
    assert_eq!(offsite.header(header::LOCATION), Some("/"));
}

#[tokio::test]
async fn logout_needs_the_csrf_token_and_clears_the_cookie() {
    let app = TestApp::new();
    let login = app
        .send(form("/login", None, &format!("token={TOKEN}")))
        .await;
    let cookie = login
        .header(header::SET_COOKIE)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let page = text(&app.send(get_with("/", header::COOKIE, &cookie)).await.body);
    let csrf = page
        .split(r#"name="csrf" value=""#)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("the logout form carries a CSRF token")
        .to_string();

    let forged = app.send(form("/logout", Some(&cookie), "csrf=0000")).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let missing = app.send(form("/logout", Some(&cookie), "")).await;
    assert_eq!(missing.status, StatusCode::FORBIDDEN);

    let out = app
        .send(form("/logout", Some(&cookie), &format!("csrf={csrf}")))
        .await;
    assert_eq!(out.status, StatusCode::SEE_OTHER);
    assert!(out
        .header(header::SET_COOKIE)
        .unwrap()
        .contains("Max-Age=0"));
}

#[tokio::test]
async fn get_responses_is_open_only_without_an_explicit_token() {
    let app = TestApp::new();
    assert_eq!(
        app.get("/v1/responses").await.status,
        StatusCode::OK,
        "generated token: open"
    );

    let mut app = TestApp::new();
    app.state.auth = Arc::new(AdminAuth::configured(TOKEN).unwrap());
    app.rebuild_router();
    assert_eq!(
        app.get("/v1/responses").await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(app.admin_get("/v1/responses").await.status, StatusCode::OK);
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::ACCEPTED,
        "ingestion stays public"
    );
    assert_eq!(app.get("/v1/config").await.status, StatusCode::OK);
}

#[tokio::test]
async fn ingestion_config_and_login_are_rate_limited_per_client() {
    let mut app = TestApp::new();
    app.state.limiter = Arc::new(RateLimiter::new(3));
    app.rebuild_router();
    for n in 0..2 {
        let r = app.post(&payload(json!({"response_id": uuid(n)}))).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    assert_eq!(
        app.get("/v1/config").await.status,
        StatusCode::OK,
        "shares the bucket"
    );
    let limited = app
        .send(
            Request::post("/v1/responses")
                .header(header::ORIGIN, "https://shop.example")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    payload(json!({"response_id": uuid(9)})).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(
        limited.header(header::RETRY_AFTER),
        Some("20"),
        "one token per 20 s at 3/min"
    );
    assert_eq!(
        limited.header(header::ACCESS_CONTROL_ALLOW_ORIGIN),
        Some("https://shop.example"),
        "the widget can read the 429"
    );
    assert!(limited.json()["error"]
        .as_str()
        .unwrap()
        .contains("retry in 20 s"));
    assert_eq!(
        app.get("/v1/config").await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let login = app.send(form("/login", None, "token=guess")).await;
    assert_eq!(
        login.status,
        StatusCode::TOO_MANY_REQUESTS,
        "no brute-forcing the token"
    );
    // Reading back is not ingestion.
    assert_eq!(app.stored("").await.len(), 2);
    assert_eq!(app.admin_get("/v1/report").await.status, StatusCode::OK);
}

#[tokio::test]
async fn behind_a_proxy_each_forwarded_client_has_its_own_bucket() {
    let mut app = TestApp::new();
    app.state.limiter = Arc::new(
        RateLimiter::new(1)
            .with_client_ip_header(header::HeaderName::from_static("x-forwarded-for")),
    );
    app.rebuild_router();
    let config = |xff: &str| {
        Request::get("/v1/config")
            .header("x-forwarded-for", xff)
            .body(Body::empty())
            .unwrap()
    };
    assert_eq!(app.send(config("203.0.113.1")).await.status, StatusCode::OK);
    assert_eq!(
        app.send(config("spoofed, 203.0.113.2")).await.status,
        StatusCode::OK
    );
    assert_eq!(
        app.send(config("203.0.113.99, 203.0.113.1")).await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the proxy's right-most entry decides, not what the client wrote first"
    );
}
