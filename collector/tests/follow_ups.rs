//! The closed loop: which answers land in the queue, the steps
//! contacted → recovered / lost, the recovery rate, and the dashboard forms.

mod common;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use common::{payload, uuid, TestApp, TOKEN};
use serde_json::{json, Value};

fn config() -> Value {
    json!({
        "version": 1,
        "journey": ["consideration", "purchase", "support"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}},
            {"id": "help-article-read", "stage": "support", "question": {"type": "ces"}},
            {"id": "pricing-exit", "stage": "consideration", "question": {"type": "csat"}}
        ]
    })
}

fn now_minus(secs: i64) -> String {
    touchpoint_collector::clock::rfc3339(touchpoint_collector::clock::now_epoch() - secs)
}

/// Edges of every band, oldest first; the queue takes uuid(1..=6).
async fn seed(app: &TestApp) {
    let rows = [
        (
            1,
            "order-confirmed",
            "nps",
            Some(6),
            "answered",
            false,
            Some("Late <b>again</b>"),
        ),
        (
            2,
            "order-confirmed",
            "nps",
            Some(0),
            "answered",
            false,
            None,
        ),
        (
            3,
            "help-article-read",
            "ces",
            Some(3),
            "answered",
            false,
            Some("Took ages"),
        ),
        (
            4,
            "help-article-read",
            "ces",
            Some(1),
            "answered",
            false,
            None,
        ),
        (5, "pricing-exit", "csat", Some(2), "answered", false, None),
        (6, "pricing-exit", "csat", Some(1), "answered", false, None),
        (
            7,
            "order-confirmed",
            "nps",
            Some(7),
            "answered",
            false,
            None,
        ),
        (
            8,
            "help-article-read",
            "ces",
            Some(4),
            "answered",
            false,
            None,
        ),
        (9, "pricing-exit", "csat", Some(3), "answered", false, None),
        (10, "order-confirmed", "nps", None, "shown", false, None),
        (
            11,
            "order-confirmed",
            "nps",
            Some(0),
            "answered",
            true,
            None,
        ),
    ];
    for (n, tp, q, score, status, preview, comment) in rows {
        let stage = match tp {
            "order-confirmed" => "purchase",
            "help-article-read" => "support",
            _ => "consideration",
        };
        let body = payload(
            json!({"response_id": uuid(n), "touchpoint": tp, "stage": stage, "question": q,
            "score": score, "status": status, "preview": preview, "comment": comment,
            "occurred_at": now_minus(3600 - 60 * i64::from(n)), "attributes": {"plan": "pro"}}),
        );
        assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED, "{n}");
    }
}

async fn step(app: &TestApp, id: &str, body: Value) -> common::Reply {
    app.send(
        Request::builder()
            .method(Method::POST)
            .uri(format!("/v1/follow-ups/{id}"))
            .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await
}

fn ids(items: &Value) -> Vec<String> {
    items
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["response"]["response_id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn detractors_and_high_effort_answers_are_queued_newest_first() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let reply = app.admin_get("/v1/follow-ups").await;
    assert_eq!(reply.status, StatusCode::OK);
    let items = reply.json();
    assert_eq!(ids(&items), (1..=6).rev().map(uuid).collect::<Vec<_>>());
    let first = &items.as_array().unwrap()[5];
    assert_eq!(
        first["response"]["comment"], "Late <b>again</b>",
        "JSON keeps the text as sent"
    );
    assert_eq!(first["response"]["touchpoint"], "order-confirmed");
    assert_eq!(first["response"]["attributes"], json!({"plan": "pro"}));
    assert!(first["response"]["occurred_at"].is_string());
    assert_eq!(first["follow_up"]["state"], "open");

    let support = app.admin_get("/v1/follow-ups?stage=support").await.json();
    assert_eq!(ids(&support), [uuid(4), uuid(3)]);
    let bad = app.admin_get("/v1/follow-ups?state=done").await;
    assert_eq!(
        (bad.status, bad.json()["field"].clone()),
        (StatusCode::BAD_REQUEST, json!("state"))
    );
    assert_eq!(
        app.get("/v1/follow-ups").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn steps_go_contacted_then_recovered_or_lost_and_the_report_shows_the_rate() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let (a, b) = (uuid(1), uuid(3));

    let r = step(&app, &a, json!({"state": "recovered", "note": "too early"})).await;
    assert_eq!(
        r.status,
        StatusCode::CONFLICT,
        "open cannot jump to recovered"
    );
    assert!(r.json()["error"].as_str().unwrap().contains("to contacted"));

    let r = step(&app, &a, json!({"state": "contacted", "note": "called"})).await;
    assert_eq!(r.status, StatusCode::OK);
    let item = r.json();
    assert_eq!(item["follow_up"]["state"], "contacted");
    assert_eq!(item["follow_up"]["contact_note"], "called");
    assert!(item["follow_up"]["contacted_at"]
        .as_str()
        .unwrap()
        .ends_with('Z'));

    assert_eq!(
        step(&app, &a, json!({"state": "contacted"})).await.status,
        StatusCode::CONFLICT
    );
    let r = step(&app, &a, json!({"state": "recovered"})).await;
    assert_eq!(
        (r.status, r.json()["field"].clone()),
        (StatusCode::UNPROCESSABLE_ENTITY, json!("note"))
    );
    let r = step(
        &app,
        &a,
        json!({"state": "recovered", "note": "refunded shipping"}),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(r.json()["follow_up"]["outcome_note"], "refunded shipping");
    assert_eq!(
        step(&app, &a, json!({"state": "lost", "note": "x"}))
            .await
            .status,
        StatusCode::CONFLICT
    );

    step(&app, &b, json!({"state": "contacted"})).await;
    assert_eq!(
        step(&app, &b, json!({"state": "lost", "note": "cancelled"}))
            .await
            .status,
        StatusCode::OK
    );

    assert_eq!(
        step(&app, &uuid(7), json!({"state": "contacted"}))
            .await
            .status,
        StatusCode::CONFLICT,
        "a passive"
    );
    assert_eq!(
        step(&app, &uuid(11), json!({"state": "contacted"}))
            .await
            .status,
        StatusCode::CONFLICT,
        "a preview"
    );
    assert_eq!(
        step(&app, &uuid(99), json!({"state": "contacted"}))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        step(&app, &a, json!({"state": "open"})).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let report = app.admin_get("/v1/report").await.json();
    assert_eq!(
        report["follow_ups"],
        json!({"open": 4, "contacted": 0, "recovered": 1, "lost": 1, "total": 6, "recovery_rate": 0.5})
    );
    let todo = app.admin_get("/v1/follow-ups?state=todo").await.json();
    assert_eq!(todo.as_array().unwrap().len(), 4);
    let closed = app
        .admin_get("/v1/follow-ups?state=recovered,lost")
        .await
        .json();
    assert_eq!(ids(&closed), [b.clone(), a.clone()]);
}

fn form(uri: &str, cookie: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(Method::POST)
        .uri(uri)
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn html(reply: &common::Reply) -> String {
    assert_eq!(
        reply.status,
        StatusCode::OK,
        "{}",
        String::from_utf8_lossy(&reply.body)
    );
    String::from_utf8(reply.body.clone()).unwrap()
}

#[tokio::test]
async fn the_dashboard_forms_need_the_csrf_token_and_come_back_to_the_list() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let login = app
        .send(
            Request::post("/login")
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(format!("token={TOKEN}")))
                .unwrap(),
        )
        .await;
    let cookie = login
        .header(header::SET_COOKIE)
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_string();
    let get = |uri: &str| {
        Request::get(uri)
            .header(header::COOKIE, &cookie)
            .body(Body::empty())
            .unwrap()
    };

    let page = html(&app.send(get("/follow-ups")).await);
    assert!(
        page.contains("Late &lt;b&gt;again&lt;/b&gt;"),
        "comments are escaped: {page}"
    );
    assert_eq!(page.matches("class=\"follow-up\"").count(), 6);
    assert!(page.contains("Mark contacted"));
    let csrf = page
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap()
        .to_string();
    let id = uuid(1);

    let forged = app
        .send(form(
            &format!("/follow-ups/{id}"),
            &cookie,
            "state=contacted&back=%2Ffollow-ups",
        ))
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);

    let done = app
        .send(form(&format!("/follow-ups/{id}"), &cookie,
            &format!("state=contacted&note=left+a+%3Cvoicemail%3E&csrf={csrf}&back=%2Ffollow-ups%3Fstate%3Dtodo")))
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        done.header(header::LOCATION),
        Some("/follow-ups?state=todo")
    );

    let page = html(&app.send(get("/follow-ups?state=contacted")).await);
    assert_eq!(page.matches("class=\"follow-up\"").count(), 1);
    assert!(page.contains("left a &lt;voicemail&gt;"), "{page}");
    assert!(page.contains("Mark recovered") && page.contains("Mark lost"));

    let api = app
        .send(
            Request::post(format!("/v1/follow-ups/{id}"))
                .header(header::COOKIE, &cookie)
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(
                    json!({"state": "lost", "note": "x"}).to_string(),
                ))
                .unwrap(),
        )
        .await;
    assert_eq!(
        api.status,
        StatusCode::FORBIDDEN,
        "cookie-authenticated API calls need X-CSRF-Token"
    );

    let journey = html(&app.send(get("/")).await);
    assert!(journey.contains("Recovery rate –"), "{journey}");
    assert!(journey.contains("5 open · 1 contacted"), "{journey}");
}
