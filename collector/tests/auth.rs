//! Who may see what: the admin token as a bearer header or a login cookie,
//! CSRF on state changes, and the per-client rate limit.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{payload, uuid, TestApp, TOKEN};
use serde_json::json;
use std::sync::Arc;
use touchpoint_collector::auth::AdminAuth;
use touchpoint_collector::client::{parse_cidrs, Clients};
use touchpoint_collector::ratelimit::failures::AuthFailures;
use touchpoint_collector::ratelimit::Limits;

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
        set_cookie.starts_with("touchpoint_admin=") && !set_cookie.contains("Secure"),
        "over plain HTTP (the demo, tests) the cookie works without Secure: {set_cookie}"
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
async fn get_responses_always_needs_the_admin_token() {
    let app = TestApp::new();
    for uri in [
        "/v1/responses",
        "/v1/responses?limit=5",
        "/v1/responses?offset=1",
    ] {
        assert_eq!(
            app.get(uri).await.status,
            StatusCode::UNAUTHORIZED,
            "generated token: {uri} is still admin-only"
        );
    }

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
async fn config_reads_posts_and_logins_each_have_their_own_budget() {
    let mut app = TestApp::new();
    app.state.limits = Arc::new(Limits::new(2, 3, 1));
    app.rebuild_router();
    for n in 0..2 {
        let r = app.post(&payload(json!({"response_id": uuid(n)}))).await;
        assert_eq!(r.status, StatusCode::ACCEPTED);
    }
    for _ in 0..2 {
        assert_eq!(
            app.get("/v1/config").await.status,
            StatusCode::OK,
            "config reads do not draw on the posts' budget"
        );
    }
    assert_eq!(
        app.get("/v1/config").await.status,
        StatusCode::TOO_MANY_REQUESTS,
        "config reads have a budget of their own"
    );
    let third = app.post(&payload(json!({"response_id": uuid(2)}))).await;
    assert_eq!(
        third.status,
        StatusCode::ACCEPTED,
        "a page view's config read did not eat the answer"
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
    let login = app.send(form("/login", None, "token=guess")).await;
    assert_eq!(
        login.status,
        StatusCode::UNAUTHORIZED,
        "logins have their own budget"
    );
    let login = app.send(form("/login", None, "token=guess")).await;
    assert_eq!(
        login.status,
        StatusCode::TOO_MANY_REQUESTS,
        "one login a minute here"
    );
    assert_eq!(login.header(header::RETRY_AFTER), Some("60"));
    // Reading back is not ingestion.
    assert_eq!(app.stored("").await.len(), 3);
    assert_eq!(app.admin_get("/v1/report").await.status, StatusCode::OK);
}

fn bearer(uri: &str, token: &str) -> Request<Body> {
    get_with(uri, header::AUTHORIZATION, &format!("Bearer {token}"))
}

#[tokio::test]
async fn wrong_tokens_are_throttled_and_then_the_right_one_waits_too() {
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

    let mut statuses = Vec::new();
    for n in 0..120 {
        let reply = app
            .send(bearer("/v1/report", &format!("guess-number-{n}-of-many")))
            .await;
        statuses.push(reply.status.as_u16());
        if reply.status == StatusCode::TOO_MANY_REQUESTS {
            let wait: u64 = reply.header(header::RETRY_AFTER).unwrap().parse().unwrap();
            assert!((1..=900).contains(&wait), "Retry-After {wait}");
            assert!(reply.json()["error"]
                .as_str()
                .unwrap()
                .contains("too many wrong admin tokens"));
        }
    }
    assert_eq!(
        statuses.iter().filter(|s| **s == 401).count(),
        10,
        "{statuses:?}"
    );
    assert!(statuses[10..].iter().all(|s| *s == 429), "{statuses:?}");

    let right = app.send(bearer("/v1/report", TOKEN)).await;
    assert_eq!(
        right.status,
        StatusCode::TOO_MANY_REQUESTS,
        "while blocked the right token is refused too, so a guess cannot be confirmed"
    );
    assert!(right.header(header::RETRY_AFTER).is_some());
    let page = app.send(bearer("/", TOKEN)).await;
    assert_eq!(page.status, StatusCode::TOO_MANY_REQUESTS);
    let form_login = app
        .send(form("/login", None, &format!("token={TOKEN}")))
        .await;
    assert_eq!(form_login.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(form_login.header(header::RETRY_AFTER).is_some());
    assert!(form_login.header(header::SET_COOKIE).is_none());
    assert!(text(&form_login.body).contains("too many wrong admin tokens"));

    let session = app
        .send(get_with("/v1/report", header::COOKIE, &cookie))
        .await;
    assert_eq!(
        session.status,
        StatusCode::OK,
        "a session logged in before is no guess and keeps working"
    );
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::ACCEPTED,
        "ingestion is not the admin's"
    );
}

#[tokio::test]
async fn login_form_failures_count_like_bearer_failures() {
    let app = TestApp::new();
    for _ in 0..5 {
        let r = app.send(bearer("/v1/report", "a-wrong-bearer-token")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    for _ in 0..5 {
        let r = app.send(form("/login", None, "token=a-wrong-login")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let r = app.send(form("/login", None, "token=a-wrong-login")).await;
    assert_eq!(
        r.status,
        StatusCode::TOO_MANY_REQUESTS,
        "5 + 5 is the limit"
    );
}

#[tokio::test]
async fn the_right_token_forgives_earlier_typos() {
    let app = TestApp::new();
    for round in 0..3 {
        for _ in 0..9 {
            let r = app.send(bearer("/v1/report", "a-typo-in-the-token")).await;
            assert_eq!(r.status, StatusCode::UNAUTHORIZED, "round {round}");
        }
        assert_eq!(
            app.send(bearer("/v1/report", TOKEN)).await.status,
            StatusCode::OK
        );
    }
}

#[tokio::test]
async fn past_the_global_ceiling_every_address_waits() {
    let mut app = TestApp::new();
    app.state.failures = Arc::new(AuthFailures::new(10, 5));
    // The tests' requests have no peer (0.0.0.0): trust it as a proxy so
    // each X-Forwarded-For is its own client.
    app.state.clients = Arc::new(Clients::default().trusting(parse_cidrs("0.0.0.0/32").unwrap()));
    app.rebuild_router();
    let from = |n: u8, token: &str| {
        Request::get("/v1/report")
            .header(header::AUTHORIZATION, format!("Bearer {token}"))
            .header("x-forwarded-for", format!("198.51.100.{n}"))
            .body(Body::empty())
            .unwrap()
    };
    for n in 0..5 {
        assert_eq!(
            app.send(from(n, "wrong-wrong-wrong")).await.status,
            StatusCode::UNAUTHORIZED
        );
    }
    let fresh = app.send(from(99, TOKEN)).await;
    assert_eq!(
        fresh.status,
        StatusCode::TOO_MANY_REQUESTS,
        "five addresses guessing once each reach the ceiling of 5"
    );
}

#[tokio::test]
async fn over_https_the_login_cookie_is_secure_and_host_prefixed() {
    let mut app = TestApp::new();
    app.state.clients = Arc::new(Clients::default().https(true));
    app.rebuild_router();
    let ok = app
        .send(form("/login", None, &format!("token={TOKEN}")))
        .await;
    let set_cookie = ok.header(header::SET_COOKIE).unwrap().to_string();
    assert!(
        set_cookie.starts_with("__Host-touchpoint_admin="),
        "{set_cookie}"
    );
    assert!(
        set_cookie.contains("; Secure") && set_cookie.contains("; Path=/;"),
        "{set_cookie}"
    );
    assert!(!set_cookie.contains("Domain"), "{set_cookie}");
    let cookie = set_cookie.split(';').next().unwrap().to_string();
    assert_eq!(
        app.send(get_with("/", header::COOKIE, &cookie))
            .await
            .status,
        StatusCode::OK
    );
    let plain_name = cookie.replacen("__Host-", "", 1);
    assert_eq!(
        app.send(get_with("/", header::COOKIE, &plain_name))
            .await
            .status,
        StatusCode::SEE_OTHER,
        "over HTTPS only the __Host- cookie is read"
    );
}
