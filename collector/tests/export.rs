//! `GET /v1/export` and `touchpoint export`: every matching row, in pages,
//! as CSV that spreadsheets read safely or as JSON Lines.

mod common;

use axum::http::{header, StatusCode};
use common::{payload, uuid, TestApp};
use futures_util::StreamExt;
use serde_json::{json, Value};
use std::process::Command;
use touchpoint_collector::service::export::{CSV_COLUMNS, PAGE_ROWS};
use touchpoint_protocol::Response;

/// `n` answers in November 2026 straight into the store (faster than HTTP).
async fn fill(app: &TestApp, n: u32) {
    for i in 0..n {
        let day = 1 + i % 28;
        let body = payload(json!({"response_id": uuid(i), "score": i % 11,
            "occurred_at": format!("2026-11-{day:02}T10:00:00Z"),
            "attributes": {"plan": if i % 2 == 0 { "pro" } else { "free" }}}));
        app.state
            .store
            .save(Response::from_value(&body).unwrap())
            .await
            .unwrap();
    }
}

/// A tiny CSV reader for the test: quoted cells with "" escapes and newlines.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![vec![String::new()]];
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        let row = rows.last_mut().unwrap();
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                chars.next();
                row.last_mut().unwrap().push('"');
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(String::new()),
            ('\r', false) => {}
            ('\n', false) => rows.push(vec![String::new()]),
            (c, _) => row.last_mut().unwrap().push(c),
        }
    }
    rows.pop_if(|r| r.len() == 1 && r[0].is_empty());
    rows
}

#[tokio::test]
async fn csv_export_streams_every_row_in_pages() {
    let app = TestApp::new();
    let n = 2 * PAGE_ROWS + 34;
    fill(&app, n).await;
    let tricky = payload(json!({"response_id": uuid(9999), "score": 2,
        "comment": "=HYPERLINK(\"http://evil\"), \"quoted\"\nsecond line", "occurred_at": "2026-11-30T10:00:00Z"}));
    assert_eq!(app.post(&tricky).await.status, StatusCode::ACCEPTED);
    let preview = payload(json!({"response_id": uuid(10_000), "preview": true}));
    app.post(&preview).await;

    let res = app.router_response("/v1/export?format=csv").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()[header::CONTENT_TYPE],
        "text/csv; charset=utf-8"
    );
    let disposition = res.headers()[header::CONTENT_DISPOSITION]
        .to_str()
        .unwrap()
        .to_string();
    assert!(
        disposition.starts_with("attachment; filename=\"touchpoint-responses-"),
        "{disposition}"
    );
    let mut chunks = 0;
    let mut body = Vec::new();
    let mut stream = res.into_body().into_data_stream();
    while let Some(chunk) = stream.next().await {
        chunks += 1;
        body.extend_from_slice(&chunk.unwrap());
    }
    assert!(
        chunks >= 3,
        "one chunk per page of {PAGE_ROWS}, got {chunks}"
    );
    let rows = parse_csv(&String::from_utf8(body).unwrap());
    assert_eq!(rows[0], CSV_COLUMNS);
    assert_eq!(
        rows.len() as u32,
        1 + n + 1,
        "header, the answers and the tricky one; no preview"
    );
    assert!(rows.iter().all(|r| r.len() == CSV_COLUMNS.len()));
    let ids: Vec<&str> = rows[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids[..3], [uuid(0), uuid(1), uuid(2)], "insertion order");
    let last = rows.last().unwrap();
    assert_eq!(
        last[5], "'=HYPERLINK(\"http://evil\"), \"quoted\"\nsecond line",
        "defused, nothing lost"
    );
    assert_eq!(rows[1][8], "{\"plan\":\"pro\"}");
}

#[tokio::test]
async fn jsonl_export_filters_like_the_report() {
    let app = TestApp::new();
    fill(&app, 60).await;
    let reply = app
        .admin_get("/v1/export?format=jsonl&from=2026-11-01&to=2026-11-02&attribute=plan%3Dpro")
        .await;
    assert_eq!(reply.status, StatusCode::OK);
    assert_eq!(
        reply.header(header::CONTENT_TYPE),
        Some("application/x-ndjson")
    );
    let lines: Vec<Value> = String::from_utf8(reply.body.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // Days 1 and 2 are i = 0, 1, 28, 29, 56, 57; pro are the even ones.
    let ids: Vec<&str> = lines
        .iter()
        .map(|l| l["response_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [uuid(0), uuid(28), uuid(56)]);
    assert!(lines[0]["received_at"].is_string());

    for (query, field) in [
        ("?format=xml", "format"),
        ("?from=soon", "from"),
        ("?attribute=x", "attribute"),
    ] {
        let r = app.admin_get(&format!("/v1/export{query}")).await;
        assert_eq!(
            (r.status, r.json()["field"].clone()),
            (StatusCode::BAD_REQUEST, json!(field)),
            "{query}"
        );
    }
    assert_eq!(app.get("/v1/export").await.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn touchpoint_export_writes_the_same_rows_offline() {
    let app = TestApp::new();
    fill(&app, PAGE_ROWS + 1).await;
    app.state.store.close().await;
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .arg("export")
            .args(["--db", &app.db_url])
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["--format", "csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let rows = parse_csv(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(rows.len() as u32, PAGE_ROWS + 2);
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains(&format!("{} response(s) exported", PAGE_ROWS + 1)));

    let out = run(&[
        "--format",
        "jsonl",
        "--touchpoint",
        "order-confirmed",
        "--from",
        "2026-11-28",
        "--to",
        "2026-11-28",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.lines().all(
        |l| serde_json::from_str::<Value>(l).unwrap()["occurred_at"] == "2026-11-28T10:00:00Z"
    ));
    // Day 28 is i ≡ 27 (mod 28): i = 27, 55, …, 475 — 17 of the 501.
    assert_eq!(text.lines().count(), 17);

    let bad = run(&["--format", "xls"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--format: \"xls\" is not an export format")
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args([
            "export",
            "--db",
            app.dir.path().join("typo.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        !app.dir.path().join("typo.db").exists(),
        "no empty database is created"
    );
}
