//! `POST /v1/responses` and `GET /v1/responses` through the router, on a real
//! SQLite file.

mod common;

use axum::http::StatusCode;
use common::{payload, uuid, TestApp, ID};
use serde_json::{json, Value};

#[tokio::test]
async fn the_contract_payload_is_accepted_and_stored() {
    let app = TestApp::new();
    let posted = payload(json!({}));
    let reply = app.post(&posted).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(reply.json(), json!({"ok": true, "response_id": ID}));

    let rows = app.stored("").await;
    assert_eq!(rows.len(), 1);
    let mut row = rows[0].as_object().unwrap().clone();
    let received_at = row.remove("received_at").expect("received_at");
    assert!(
        received_at.as_str().unwrap().ends_with('Z'),
        "{received_at}"
    );
    row.remove("updated_at");
    assert_eq!(Value::Object(row), posted, "every wire field round-trips");
}

#[tokio::test]
async fn posting_the_same_response_twice_stores_one_row() {
    let app = TestApp::new();
    for _ in 0..2 {
        assert_eq!(
            app.post(&payload(json!({}))).await.status,
            StatusCode::ACCEPTED
        );
    }
    assert_eq!(app.stored("").await.len(), 1);
}

#[tokio::test]
async fn later_posts_merge_and_a_late_shown_never_undoes_an_answer() {
    let app = TestApp::new();
    let steps = [
        json!({"status": "shown", "score": null, "occurred_at": "2026-11-23T10:00:00Z"}),
        json!({"status": "answered", "score": 4, "occurred_at": "2026-11-23T10:00:05Z"}),
        json!({"status": "answered", "score": 9, "occurred_at": "2026-11-23T10:00:07Z"}),
        json!({"status": "answered", "score": 9, "comment": "fast delivery", "occurred_at": "2026-11-23T10:00:30Z"}),
        // Delivered late by a retrying outbox.
        json!({"status": "shown", "score": null, "occurred_at": "2026-11-23T10:00:00Z"}),
    ];
    for step in steps {
        assert_eq!(app.post(&payload(step)).await.status, StatusCode::ACCEPTED);
    }
    let rows = app.stored("").await;
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert_eq!(row["status"], "answered");
    assert_eq!(row["score"], 9);
    assert_eq!(row["comment"], "fast delivery");
    assert_eq!(row["occurred_at"], "2026-11-23T10:00:30Z");
}

#[tokio::test]
async fn malformed_posts_get_a_clear_4xx_and_store_nothing() {
    let app = TestApp::new();
    let mut missing = payload(json!({}));
    missing.as_object_mut().unwrap().remove("touchpoint");
    let json_ct = Some("application/json");
    let cases: Vec<(&str, Option<&str>, String, StatusCode, Value)> = vec![
        (
            "missing field",
            json_ct,
            missing.to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("touchpoint"),
        ),
        (
            "score 11",
            json_ct,
            payload(json!({"score": 11})).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("score"),
        ),
        (
            "wrong type",
            json_ct,
            payload(json!({"score": "9"})).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("score"),
        ),
        (
            "bad question",
            json_ct,
            payload(json!({"question": "ness"})).to_string(),
            StatusCode::UNPROCESSABLE_ENTITY,
            json!("question"),
        ),
        (
            "not an object",
            json_ct,
            "[1, 2]".into(),
            StatusCode::UNPROCESSABLE_ENTITY,
            Value::Null,
        ),
        (
            "not JSON",
            json_ct,
            "score=9".into(),
            StatusCode::BAD_REQUEST,
            Value::Null,
        ),
        (
            "1 MB body",
            json_ct,
            "x".repeat(1 << 20),
            StatusCode::PAYLOAD_TOO_LARGE,
            Value::Null,
        ),
        (
            "wrong content type",
            Some("text/html"),
            payload(json!({})).to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Value::Null,
        ),
        (
            "no content type",
            None,
            payload(json!({})).to_string(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Value::Null,
        ),
    ];
    for (name, content_type, body, status, field) in cases {
        let reply = app.post_raw(content_type, body).await;
        assert_eq!(reply.status, status, "{name}");
        assert_eq!(
            reply.header(axum::http::header::CONTENT_TYPE),
            Some("application/json"),
            "{name}"
        );
        let err = reply.json();
        assert_eq!(err["field"], field, "{name}: {err}");
        assert!(
            err["error"].as_str().is_some_and(|e| e.len() > 10),
            "{name}: {err}"
        );
    }
    let score = app.post(&payload(json!({"score": 11}))).await.json();
    assert!(score["error"].as_str().unwrap().contains("0–10"), "{score}");

    assert!(app.stored("").await.is_empty(), "nothing was stored");
    assert_eq!(app.get("/healthz").await.json(), json!({"ok": true}));
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(app.stored("").await.len(), 1, "still serving afterwards");
}

#[tokio::test]
async fn text_plain_bodies_from_send_beacon_are_accepted() {
    let app = TestApp::new();
    let body = payload(json!({})).to_string();
    let reply = app.post_raw(Some("text/plain;charset=UTF-8"), body).await;
    assert_eq!(reply.status, StatusCode::ACCEPTED);
    assert_eq!(app.stored("").await[0]["score"], 9);
}

#[tokio::test]
async fn responses_are_listed_oldest_first_and_filter_by_touchpoint() {
    let app = TestApp::new();
    let touchpoints = ["order-confirmed", "help-article-read", "order-confirmed"];
    for (i, tp) in touchpoints.iter().enumerate() {
        let id = uuid(i as u32);
        let (stage, question) = if *tp == "order-confirmed" {
            ("purchase", "nps")
        } else {
            ("support", "ces")
        };
        let body = payload(
            json!({"response_id": id, "touchpoint": tp, "stage": stage, "question": question, "score": 5}),
        );
        assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED);
    }
    // Updating the first response must not move it.
    let again = payload(json!({"response_id": uuid(0), "comment": "later"}));
    assert_eq!(app.post(&again).await.status, StatusCode::ACCEPTED);

    let ids = |rows: Vec<Value>| -> Vec<String> {
        rows.iter()
            .map(|r| r["response_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(app.stored("").await), [uuid(0), uuid(1), uuid(2)]);
    assert_eq!(
        ids(app.stored("?touchpoint=order-confirmed").await),
        [uuid(0), uuid(2)]
    );
    assert!(app.stored("?touchpoint=nope").await.is_empty());
}

#[tokio::test]
async fn responses_page_with_limit_and_offset() {
    let app = TestApp::new();
    for i in 0..5 {
        let body = payload(json!({"response_id": uuid(i), "score": 5}));
        assert_eq!(app.post(&body).await.status, StatusCode::ACCEPTED);
    }
    // An update keeps its place, so pages stay stable while answers come in.
    let again = payload(json!({"response_id": uuid(1), "comment": "later"}));
    assert_eq!(app.post(&again).await.status, StatusCode::ACCEPTED);
    let ids = |rows: Vec<Value>| -> Vec<String> {
        rows.iter()
            .map(|r| r["response_id"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(ids(app.stored("?limit=2").await), [uuid(0), uuid(1)]);
    assert_eq!(
        ids(app.stored("?limit=2&offset=2").await),
        [uuid(2), uuid(3)]
    );
    assert_eq!(ids(app.stored("?limit=2&offset=4").await), [uuid(4)]);
    assert!(app.stored("?offset=5").await.is_empty());
    assert_eq!(app.stored("?offset=3").await.len(), 2);
    for bad in ["?limit=0", "?limit=10001"] {
        let reply = app.admin_get(&format!("/v1/responses{bad}")).await;
        assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{bad}");
        assert_eq!(reply.json()["field"], "limit", "{bad}");
    }
    let reply = app.admin_get("/v1/responses?limit=lots").await;
    assert_eq!(reply.status, StatusCode::BAD_REQUEST);
    assert!(reply.json()["error"].as_str().unwrap().contains("limit"));
}

#[tokio::test]
async fn saved_responses_survive_a_restart() {
    let app = TestApp::new();
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::ACCEPTED
    );
    app.state.store.close().await;
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "a closed store refuses writes instead of losing them"
    );

    let reopened = touchpoint_collector::store::Store::open(&app.db_url).unwrap();
    let rows = reopened.list(Default::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].response.score, Some(9));
    assert_eq!(reopened.answered_counts().get("order-confirmed"), Some(&1));
}

#[test]
fn db_urls() {
    use std::path::PathBuf;
    use touchpoint_collector::store::DbTarget;
    let sqlite = |p: &str| DbTarget::Sqlite(PathBuf::from(p));
    assert_eq!(
        DbTarget::parse("touchpoint.db").unwrap(),
        sqlite("touchpoint.db")
    );
    assert_eq!(
        DbTarget::parse("sqlite:data/t.db").unwrap(),
        sqlite("data/t.db")
    );
    assert_eq!(
        DbTarget::parse("sqlite://data/t.db").unwrap(),
        sqlite("data/t.db")
    );
    assert_eq!(
        DbTarget::parse("sqlite:///var/t.db").unwrap(),
        sqlite("/var/t.db")
    );
    for url in [
        "postgres://u@localhost/touchpoint",
        "postgresql://localhost:5433/t?sslmode=disable",
    ] {
        assert_eq!(
            DbTarget::parse(url).unwrap(),
            DbTarget::Postgres(url.into())
        );
    }
}

/// Posts `changes` over the contract payload; the status and the field named.
async fn refused(app: &TestApp, changes: Value) -> (StatusCode, Option<String>) {
    let reply = app.post(&payload(changes)).await;
    let field = (reply.status != StatusCode::ACCEPTED)
        .then(|| reply.json()["field"].as_str().map(str::to_string))
        .flatten();
    (reply.status, field)
}

#[tokio::test]
async fn answers_must_name_a_served_touchpoint_its_stage_and_question() {
    let app = TestApp::new();
    let cases = [
        (json!({"touchpoint": "zz-fake", "stage": "x"}), "touchpoint"),
        (json!({"stage": "support"}), "stage"),
        (json!({"question": "csat", "score": 4}), "question"),
        (
            json!({"occurred_at": "1999-12-31T23:59:59Z"}),
            "occurred_at",
        ),
        (
            json!({"occurred_at": "2999-01-01T00:00:00Z"}),
            "occurred_at",
        ),
    ];
    for (changes, field) in cases {
        let (status, named) = refused(&app, changes.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{changes}");
        assert_eq!(named.as_deref(), Some(field), "{changes}");
    }
    assert!(app.stored("").await.is_empty(), "nothing refused is stored");
    // Nothing refused reaches the follow-up queue either.
    let queue = app.admin_get("/v1/follow-ups?state=all").await;
    assert_eq!(queue.json(), json!([]));
    assert_eq!(refused(&app, json!({})).await.0, StatusCode::ACCEPTED);
}

#[tokio::test]
async fn answers_for_a_touchpoint_removed_later_are_still_accepted() {
    let mut app = TestApp::new();
    // The config is served (as every page view fetches it), then the
    // touchpoint leaves it.
    assert_eq!(app.get("/v1/config").await.status, StatusCode::OK);
    let mut without = common::config_json();
    without["touchpoints"].as_array_mut().unwrap().remove(1);
    std::fs::write(&app.config_path, without.to_string()).unwrap();
    let reloaded =
        touchpoint_collector::config_watch::LoadedConfig::from_file(&app.config_path).unwrap();
    app.state.config = touchpoint_collector::config_watch::ConfigHandle::new(reloaded);
    app.rebuild_router();
    let late = json!({"touchpoint": "help-article-read", "stage": "support", "question": "ces", "score": 2});
    assert_eq!(refused(&app, late.clone()).await.0, StatusCode::ACCEPTED);

    // Remembered in the database: a collector started afresh on it agrees.
    let store = touchpoint_collector::store::Store::open(&app.db_url).unwrap();
    let fresh = touchpoint_collector::service::ingest::ServedTouchpoints::default();
    let config = std::sync::Arc::new(
        touchpoint_collector::config_watch::LoadedConfig::from_file(&app.config_path).unwrap(),
    );
    let mut r = touchpoint_protocol::Response::from_value(&payload(late)).unwrap();
    let now = touchpoint_collector::clock::now_epoch();
    assert!(fresh.check(&store, &config, &r, now).await.is_ok());
    r.touchpoint = "never-served".into();
    assert!(fresh.check(&store, &config, &r, now).await.is_err());
    store.close().await;
}

#[tokio::test]
async fn without_a_limit_every_row_is_streamed_as_one_array() {
    let app = TestApp::new();
    let page = touchpoint_collector::service::listing::PAGE_ROWS;
    let n = 2 * page + 17;
    let saves = (0..n).map(|i| {
        let (tp, stage, q) = if i % 3 == 0 {
            ("help-article-read", "support", "ces")
        } else {
            ("order-confirmed", "purchase", "nps")
        };
        let v = payload(json!({"response_id": uuid(i), "touchpoint": tp, "stage": stage, "question": q, "score": 5}));
        let store = app.state.store.clone();
        async move {
            let r = touchpoint_protocol::Response::from_value(&v).unwrap();
            store.save(r).await.unwrap();
        }
    });
    futures_util::future::join_all(saves).await;
    let all = app.stored("").await;
    assert_eq!(all.len(), n as usize, "every row, across pages");
    let mut ids: Vec<&str> = all
        .iter()
        .map(|r| r["response_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), n as usize, "no row twice");
    let help = app.stored("?touchpoint=help-article-read").await;
    assert_eq!(help.len(), (0..n).filter(|i| i % 3 == 0).count());
    assert!(help.iter().all(|r| r["touchpoint"] == "help-article-read"));
    assert_eq!(app.stored("?touchpoint=none").await, Vec::<Value>::new());
}
