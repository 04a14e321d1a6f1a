//! `/metrics` read by a Prometheus text parser, values moving as answers
//! arrive; `/readyz` failing while the database cannot be written.

mod common;

use axum::http::StatusCode;
use common::{payload, uuid, TestApp};
use serde_json::json;
use std::collections::BTreeMap;

/// One sample: the metric name, its labels, its value.
#[derive(Debug, Clone)]
struct Sample {
    name: String,
    labels: BTreeMap<String, String>,
    value: f64,
}

/// A Prometheus text-format (and OpenMetrics) parser, strict where the
/// formats are: `# TYPE` before a family's samples, names and label names
/// of the allowed characters, quoted and escaped label values, a number
/// (or ±Inf/NaN) as the value, `# EOF` last when present.
fn parse(doc: &str) -> (BTreeMap<String, String>, Vec<Sample>) {
    let mut types = BTreeMap::new();
    let mut samples = Vec::new();
    let mut eof = false;
    let name_ok = |n: &str| {
        !n.is_empty()
            && !n.starts_with(|c: char| c.is_ascii_digit())
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
    };
    for line in doc.lines() {
        assert!(!eof, "a line after # EOF: {line}");
        if line == "# EOF" {
            eof = true;
            continue;
        }
        if let Some(rest) = line.strip_prefix("# ") {
            let mut parts = rest.splitn(3, ' ');
            let (kind, name) = (parts.next().unwrap(), parts.next().unwrap_or(""));
            assert!(name_ok(name), "bad name in {line}");
            if kind == "TYPE" {
                let t = parts.next().unwrap_or("").to_string();
                assert!(
                    [
                        "counter",
                        "gauge",
                        "histogram",
                        "summary",
                        "untyped",
                        "unknown",
                        "info",
                        "stateset",
                        "gaugehistogram"
                    ]
                    .contains(&t.as_str()),
                    "{line}"
                );
                types.insert(name.to_string(), t);
            }
            continue;
        }
        assert!(!line.trim().is_empty(), "an empty line");
        let (name_labels, value) = line.rsplit_once(' ').expect("name and value");
        let (name, labels) = match name_labels.split_once('{') {
            None => (name_labels.to_string(), BTreeMap::new()),
            Some((name, rest)) => {
                let body = rest.strip_suffix('}').expect("labels end with }");
                (name.to_string(), parse_labels(body))
            }
        };
        assert!(name_ok(&name), "bad metric name {name}");
        let family = types
            .keys()
            .filter(|f| name.starts_with(f.as_str()))
            .max_by_key(|f| f.len())
            .unwrap_or_else(|| panic!("{name} has no # TYPE before it"));
        let suffix = &name[family.len()..];
        let allowed: &[&str] = match types[family].as_str() {
            "counter" => &["_total", "_created"],
            "histogram" => &["_bucket", "_sum", "_count", "_created"],
            _ => &[""],
        };
        assert!(
            allowed.contains(&suffix),
            "{name} in a {} family",
            types[family]
        );
        let value = match value {
            "+Inf" => f64::INFINITY,
            "-Inf" => f64::NEG_INFINITY,
            v => v
                .parse()
                .unwrap_or_else(|_| panic!("value {v:?} in {line}")),
        };
        samples.push(Sample {
            name,
            labels,
            value,
        });
    }
    (types, samples)
}

fn parse_labels(body: &str) -> BTreeMap<String, String> {
    let mut labels = BTreeMap::new();
    let mut chars = body.chars().peekable();
    while chars.peek().is_some() {
        let name: String = chars.by_ref().take_while(|&c| c != '=').collect();
        assert_eq!(chars.next(), Some('"'), "label {name} value is quoted");
        let mut value = String::new();
        loop {
            match chars.next().expect("closing quote") {
                '\\' => match chars.next() {
                    Some('n') => value.push('\n'),
                    Some(c) => value.push(c),
                    None => panic!("dangling escape"),
                },
                '"' => break,
                c => value.push(c),
            }
        }
        assert!(labels.insert(name.trim().to_string(), value).is_none());
        if chars.peek() == Some(&',') {
            chars.next();
        }
    }
    labels
}

/// The value of the one sample named `name` whose labels include `with`.
fn value(samples: &[Sample], name: &str, with: &[(&str, &str)]) -> f64 {
    let found: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            s.name == name
                && with
                    .iter()
                    .all(|(k, v)| s.labels.get(*k).map(String::as_str) == Some(*v))
        })
        .collect();
    match found.as_slice() {
        [] => 0.0,
        [one] => one.value,
        many => panic!("{} samples of {name} with {with:?}", many.len()),
    }
}

async fn scrape(app: &TestApp) -> Vec<Sample> {
    let reply = app.admin_get("/metrics").await;
    assert_eq!(reply.status, StatusCode::OK);
    assert!(reply
        .header(axum::http::header::CONTENT_TYPE)
        .unwrap()
        .starts_with("application/openmetrics-text"));
    let (types, samples) = parse(std::str::from_utf8(&reply.body).unwrap());
    // The families the README documents, with their types (families
    // with labels appear with their first series; errors and refusals
    // are checked where they happen).
    for (family, kind) in [
        ("touchpoint_responses_ingested", "counter"),
        ("touchpoint_http_request_duration_seconds", "histogram"),
        ("touchpoint_alert_outbox_pending", "gauge"),
        (
            "touchpoint_alert_outbox_oldest_pending_age_seconds",
            "gauge",
        ),
        ("touchpoint_config_info", "gauge"),
    ] {
        assert_eq!(
            types.get(family).map(String::as_str),
            Some(kind),
            "{family}"
        );
    }
    if common::db::postgres().is_none() {
        assert_eq!(types["touchpoint_sqlite_writer_batch_size"], "histogram");
        assert_eq!(
            types["touchpoint_sqlite_writer_commit_duration_seconds"],
            "histogram"
        );
    }
    // Histograms: buckets never decrease, +Inf equals the count.
    for s in samples
        .iter()
        .filter(|s| s.labels.get("le").map(String::as_str) == Some("+Inf"))
    {
        let base = s.name.trim_end_matches("_bucket");
        let mut rest = s.labels.clone();
        rest.remove("le");
        let count = samples
            .iter()
            .find(|c| c.name == format!("{base}_count") && c.labels == rest)
            .expect("a _count beside the buckets");
        assert_eq!(s.value, count.value, "{base} {rest:?}");
    }
    samples
}

#[tokio::test]
async fn metrics_need_the_admin_token_and_move_as_answers_arrive() {
    let app = TestApp::new();
    assert_eq!(app.get("/metrics").await.status, StatusCode::UNAUTHORIZED);

    let before = scrape(&app).await;
    let ingested = |s: &[Sample], status| {
        value(
            s,
            "touchpoint_responses_ingested_total",
            &[("touchpoint", "order-confirmed"), ("status", status)],
        )
    };
    for n in 0..3 {
        let reply = app.post(&payload(json!({"response_id": uuid(n)}))).await;
        assert_eq!(reply.status, StatusCode::ACCEPTED);
    }
    let shown = payload(json!({"response_id": uuid(9), "status": "shown", "score": null}));
    assert_eq!(app.post(&shown).await.status, StatusCode::ACCEPTED);
    let bad = payload(json!({"response_id": uuid(10), "score": 11}));
    assert_eq!(
        app.post(&bad).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    // Posted ids no config has served are refused, and never become label
    // values (a touchpoint removed from the config counts as "(not in config)").
    let stray = payload(json!({"response_id": uuid(11), "touchpoint": "made-up-by-a-client"}));
    assert_eq!(
        app.post(&stray).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let after = scrape(&app).await;
    assert_eq!(
        ingested(&after, "answered") - ingested(&before, "answered"),
        3.0
    );
    assert_eq!(ingested(&after, "shown") - ingested(&before, "shown"), 1.0);
    assert!(!after
        .iter()
        .any(|s| s.labels.values().any(|v| v == "made-up-by-a-client")));
    let posts = [("route", "/v1/responses"), ("method", "POST")];
    assert_eq!(
        value(
            &after,
            "touchpoint_http_request_duration_seconds_count",
            &posts
        ) - value(
            &before,
            "touchpoint_http_request_duration_seconds_count",
            &posts
        ),
        6.0
    );
    assert_eq!(
        value(
            &after,
            "touchpoint_http_errors_total",
            &[
                ("route", "/v1/responses"),
                ("status", "422"),
                ("reason", "invalid")
            ]
        ),
        2.0,
        "the score out of range and the touchpoint never served"
    );
    assert_eq!(
        value(
            &after,
            "touchpoint_http_errors_total",
            &[
                ("route", "/metrics"),
                ("status", "401"),
                ("reason", "unauthorized")
            ]
        ),
        1.0
    );
    if common::db::postgres().is_none() {
        let batches = value(&after, "touchpoint_sqlite_writer_batch_size_count", &[]);
        let sum = value(&after, "touchpoint_sqlite_writer_batch_size_sum", &[]);
        assert!(
            batches >= 1.0 && sum == 4.0,
            "{batches} batches, {sum} responses"
        );
        assert_eq!(
            value(
                &after,
                "touchpoint_sqlite_writer_commit_duration_seconds_count",
                &[]
            ),
            batches
        );
    }
    let config = after
        .iter()
        .find(|s| s.name == "touchpoint_config_info")
        .unwrap();
    assert_eq!(config.value, 1.0);
    assert_eq!(config.labels["version"], app.state.config.current().version);
    assert_eq!(value(&after, "touchpoint_alert_outbox_pending", &[]), 0.0);
}

#[tokio::test]
async fn outbox_depth_and_age_show_alerts_that_wait() {
    let mut config = common::config_json();
    // Nothing listens on port 9: deliveries fail and wait (and no
    // delivery task runs in this test anyway).
    config["alerts"] = json!([{"when": {"question": "nps", "score_at_most": 6}, "webhook": "http://127.0.0.1:9/hook"}]);
    let app = TestApp::with_config(&config);
    let detractor = payload(json!({"score": 2}));
    assert_eq!(app.post(&detractor).await.status, StatusCode::ACCEPTED);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let samples = scrape(&app).await;
    assert_eq!(value(&samples, "touchpoint_alert_outbox_pending", &[]), 1.0);
    let age = value(
        &samples,
        "touchpoint_alert_outbox_oldest_pending_age_seconds",
        &[],
    );
    assert!((1.0..60.0).contains(&age), "{age}");
}

#[tokio::test]
async fn rate_limit_refusals_are_counted_per_bucket() {
    let mut app = TestApp::new();
    app.state.limits =
        std::sync::Arc::new(touchpoint_collector::ratelimit::Limits::new(300, 1, 10));
    app.rebuild_router();
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::ACCEPTED
    );
    assert_eq!(
        app.post(&payload(json!({}))).await.status,
        StatusCode::TOO_MANY_REQUESTS
    );
    let samples = scrape(&app).await;
    assert_eq!(
        value(
            &samples,
            "touchpoint_rate_limit_refusals_total",
            &[("bucket", "posts")]
        ),
        1.0
    );
}

#[tokio::test]
async fn readyz_fails_while_the_database_is_read_only_or_closed() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::new();
    let ready = app.get("/readyz").await;
    assert_eq!(
        (ready.status, ready.json()),
        (StatusCode::OK, json!({"ok": true}))
    );

    if common::db::postgres().is_none() {
        // The operator (or a remount) made the file read-only. Running as
        // root, writes would still succeed, so the check reads the file's
        // mode rather than relying on a failed write.
        let file = app.dir.path().join("touchpoint.db");
        assert!(file.is_file(), "{}", app.db_url);
        let mode = std::fs::metadata(&file).unwrap().permissions();
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o444)).unwrap();
        let reply = app.get("/readyz").await;
        assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            reply.json(),
            json!({"ok": false, "reason": "the database is read-only"})
        );
        assert_eq!(
            app.get("/healthz").await.status,
            StatusCode::OK,
            "liveness stays cheap"
        );
        std::fs::set_permissions(&file, mode).unwrap();
        assert_eq!(app.get("/readyz").await.status, StatusCode::OK);
    }

    // A store that can no longer write (shut down) is not ready either.
    app.state.store.close().await;
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reply.json(),
        json!({"ok": false, "reason": "the store is closed"})
    );
}

#[tokio::test]
async fn readyz_fails_when_migrations_are_not_current() {
    if common::db::postgres().is_some() {
        return; // user_version is SQLite's; PostgreSQL shares the same check
    }
    let app = TestApp::new();
    let file = app.dir.path().join("touchpoint.db");
    // Another process rolled the schema version back (an old binary's
    // database restored under a running collector, say).
    let conn = rusqlite::Connection::open(&file).unwrap();
    conn.busy_timeout(std::time::Duration::from_secs(5))
        .unwrap();
    conn.pragma_update(None, "user_version", 2).unwrap();
    drop(conn);
    let reply = app.get("/readyz").await;
    assert_eq!(reply.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(
        reply.json(),
        json!({"ok": false, "reason": "the database migrations are not current"})
    );
}
