//! Right to erasure: `DELETE /v1/respondents/{respondent}` and
//! `touchpoint erase` delete one respondent's responses, follow-ups and
//! alert copies (and nobody else's), answer the rows per table, and keep
//! the answered counts (the caps) right.

mod common;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use common::{payload, uuid, TestApp, TOKEN};
use serde_json::{json, Value};
use std::process::Command;
use touchpoint_collector::auth::{Admin, CSRF_HEADER};

/// `order-confirmed` closes at 3 answers; NPS 0–6 fires an alert (never
/// delivered here: the test app runs no delivery task).
fn config() -> Value {
    json!({
        "version": 1,
        "allowed_origins": ["*"],
        "touchpoints": [
            {"id": "order-confirmed", "stage": "purchase", "max_responses": 3, "question": {"type": "nps"}},
            {"id": "help-article-read", "stage": "support", "question": {"type": "ces"}}
        ],
        "alerts": [{"when": {"question": "nps", "score_at_most": 6}, "webhook": "http://127.0.0.1:9/hook"}]
    })
}

/// (n, respondent, score): r-gone has three answers (two detractors), r-stays two.
const SEED: [(u32, &str, u8); 5] = [
    (1, "r-gone", 3),
    (2, "r-gone", 2),
    (3, "r-gone", 10),
    (4, "r-stays", 1),
    (5, "r-stays", 9),
];

async fn seed(app: &TestApp) {
    for (n, respondent, score) in SEED {
        let body =
            payload(json!({"response_id": uuid(n), "respondent": respondent, "score": score}));
        assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED, "{n}");
    }
    // A follow-up row for one detractor of each respondent.
    for n in [1, 4] {
        let step = app
            .send(
                Request::post(format!("/v1/follow-ups/{}", uuid(n)))
                    .header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
                    .header(header::CONTENT_TYPE, "application/json")
                    .body(Body::from(json!({"state": "contacted"}).to_string()))
                    .unwrap(),
            )
            .await;
        assert_eq!(step.status, StatusCode::OK);
    }
}

fn erase(respondent: &str) -> axum::http::request::Builder {
    Request::delete(format!("/v1/respondents/{respondent}"))
}

fn bearer(req: axum::http::request::Builder) -> Request<Body> {
    req.header(header::AUTHORIZATION, format!("Bearer {TOKEN}"))
        .body(Body::empty())
        .unwrap()
}

fn stored_ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["response_id"].as_str().unwrap().to_string())
        .collect()
}

fn closed(config: &Value) -> bool {
    config["touchpoints"][0]["closed"] == json!(true)
}

#[tokio::test]
async fn erasing_a_respondent_deletes_their_rows_in_every_table_and_nobody_elses() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let counts = app.state.store.answered_counts();
    assert_eq!(counts.get("order-confirmed"), Some(&5));
    assert!(closed(&app.get("/v1/config").await.json()));
    assert_eq!(app.state.store.alert_counts().await.unwrap().pending, 3);

    let reply = app.send(bearer(erase("r-gone"))).await;
    assert_eq!(reply.status, StatusCode::OK, "{:?}", reply.json());
    assert_eq!(
        reply.json(),
        json!({"respondent": "r-gone", "responses": 3, "follow_ups": 1, "alerts": 2})
    );

    assert_eq!(stored_ids(&app.stored("").await), [uuid(4), uuid(5)]);
    let queue = app.admin_get("/v1/follow-ups?state=all").await.json();
    let queued: Vec<&str> = queue
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["response"]["response_id"].as_str().unwrap())
        .collect();
    assert_eq!(queued, [uuid(4)]);
    assert_eq!(queue[0]["follow_up"]["state"], "contacted");
    assert_eq!(app.state.store.alert_counts().await.unwrap().pending, 1);
    // The cap counts what is left: 2 answers of 3, so it is open again.
    assert_eq!(
        app.state.store.answered_counts().get("order-confirmed"),
        Some(&2)
    );
    assert!(!closed(&app.get("/v1/config").await.json()));

    // Nothing left to delete: still 200, all zero.
    let again = app.send(bearer(erase("r-gone"))).await;
    assert_eq!(
        again.json(),
        json!({"respondent": "r-gone", "responses": 0, "follow_ups": 0, "alerts": 0})
    );
    // Erasure survives a restart of the store (it was committed, not cached).
    app.state.store.close().await;
    let reopened = touchpoint_collector::store::Store::open(&app.db_url).unwrap();
    assert_eq!(reopened.answered_counts().get("order-confirmed"), Some(&2));
    let left = reopened.list(Default::default()).await.unwrap();
    assert!(left.iter().all(|r| r.response.respondent == "r-stays"));
    reopened.close().await;
}

#[tokio::test]
async fn erasure_needs_the_admin_and_with_the_cookie_the_csrf_header() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    let anonymous = app.send(erase("r-gone").body(Body::empty()).unwrap()).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

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
    let forged = app
        .send(
            erase("r-gone")
                .header(header::COOKIE, &cookie)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert_eq!(
        app.stored("").await.len(),
        5,
        "a refused erasure deletes nothing"
    );

    let session = cookie.split_once('=').unwrap().1.to_string();
    let csrf = Admin::Session(session).csrf(&app.state.auth).unwrap();
    let done = app
        .send(
            erase("r-gone")
                .header(header::COOKIE, &cookie)
                .header(CSRF_HEADER, csrf)
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.json()["responses"], 3);
    assert_eq!(app.stored("").await.len(), 2);
}

#[tokio::test]
async fn a_respondent_id_no_response_could_carry_is_a_400() {
    let app = TestApp::with_config(&config());
    let long = "r".repeat(129);
    for bad in [long.as_str(), "%20"] {
        let reply = app.send(bearer(erase(bad))).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.json()["field"], "respondent");
    }
    // Percent-encoded ids are decoded: `r/1` is one respondent.
    let body = payload(json!({"response_id": uuid(9), "respondent": "r/1"}));
    assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED);
    let reply = app.send(bearer(erase("r%2F1"))).await;
    assert_eq!(reply.json()["responses"], 1, "{:?}", reply.json());
}

fn touchpoint() -> Command {
    Command::new(env!("CARGO_BIN_EXE_touchpoint"))
}

#[tokio::test]
async fn the_cli_erases_the_same_rows_and_prints_the_same_json() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    app.state.store.close().await;

    let out = touchpoint()
        .args(["erase", "--respondent", "r-gone", "--db", &app.db_url])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let printed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        printed,
        json!({"respondent": "r-gone", "responses": 3, "follow_ups": 1, "alerts": 2})
    );

    let store = touchpoint_collector::store::Store::open(&app.db_url).unwrap();
    let left = store.list(Default::default()).await.unwrap();
    let ids: Vec<&str> = left
        .iter()
        .map(|r| r.response.response_id.as_str())
        .collect();
    assert_eq!(ids, [uuid(4), uuid(5)]);
    assert_eq!(store.alert_counts().await.unwrap().pending, 1);
    assert_eq!(store.answered_counts().get("order-confirmed"), Some(&2));
    store.close().await;

    // A mistyped database is not created empty, and says what to pass.
    let missing = app.dir.path().join("nope.db");
    let out = touchpoint()
        .args(["erase", "--respondent", "r-gone", "--db"])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no database there"));
    assert!(!missing.exists());
}

#[tokio::test]
async fn a_running_collector_rereads_its_counts_after_an_erasure_made_elsewhere() {
    let app = TestApp::with_config(&config());
    seed(&app).await;
    // `touchpoint erase` while the collector runs: another process, another store.
    let elsewhere = touchpoint_collector::store::Store::open(&app.db_url).unwrap();
    let deleted = elsewhere.erase_respondent("r-gone").await.unwrap();
    assert_eq!(deleted.responses, 3);
    elsewhere.close().await;

    app.state.store.reload_answered_counts().await.unwrap();
    assert_eq!(
        app.state.store.answered_counts().get("order-confirmed"),
        Some(&2)
    );
    assert!(!closed(&app.get("/v1/config").await.json()));
}
