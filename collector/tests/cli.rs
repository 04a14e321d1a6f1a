//! The built `touchpoint` binary: `check`, `schema`, and `serve` start-up,
//! failures and graceful shutdown.

mod common;

use common::serve::{self, Served};
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

fn touchpoint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(args)
        .output()
        .expect("the touchpoint binary runs")
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn check_accepts_the_example_config_with_a_summary() {
    let out = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(["check", "examples/touchpoint.json"])
        .current_dir(repo())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert_eq!(
        text(&out.stdout),
        "examples/touchpoint.json: ok — 6 touchpoints across 4 journey stages\n"
    );
}

#[test]
fn check_prints_every_problem_and_fails() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.json");
    let tp = |id: &str, stage: &str| json!({"id": id, "stage": stage, "question": {"type": "nps"}});
    let mut first = tp("a", "purchase");
    first["sampel_rate"] = json!(0.5);
    let config =
        json!({"version": 1, "touchpoints": [first, tp("b", "support"), tp("c", "purchse")]});
    std::fs::write(&file, config.to_string()).unwrap();

    let out = touchpoint(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "touchpoints[0].sampel_rate: unknown field, did you mean sample_rate?\n\
         touchpoints[2].stage: \"purchse\" is not a journey stage (did you mean \"purchase\"?)\n"
    );
    assert!(
        text(&out.stderr).contains("2 problem(s)"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn check_fails_on_fatal_errors_and_missing_files() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("v2.json");
    std::fs::write(&file, r#"{"version": 2}"#).unwrap();
    let out = touchpoint(&["check", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        text(&out.stdout),
        "version: 2 is not a supported version (use 1)\n"
    );

    let out = touchpoint(&["check", dir.path().join("none.json").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stdout).contains("cannot read"),
        "{}",
        text(&out.stdout)
    );
}

#[test]
fn the_committed_json_schema_is_current() {
    let committed = std::fs::read_to_string(repo().join("schema/touchpoint-config.schema.json"))
        .unwrap_or_default();
    let generated = touchpoint_collector::schema::config_schema();
    assert!(
        committed == generated,
        "schema/touchpoint-config.schema.json is stale; run \
         `cargo run -p touchpoint-collector -- schema > schema/touchpoint-config.schema.json`"
    );
    let out = touchpoint(&["schema"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), generated);
}

#[test]
fn serve_refuses_an_unusable_config_or_database() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("touchpoint.json");
    std::fs::write(&config, "{\"touchpoints\": []}").unwrap();
    let db = dir.path().join("t.db");
    let serve = |db: &str| {
        touchpoint(&[
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--db",
            db,
            "--addr",
            "127.0.0.1:0",
        ])
    };
    let out = serve(db.to_str().unwrap());
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("version: missing (add \"version\": 1)"),
        "{}",
        text(&out.stderr)
    );

    std::fs::write(&config, "{\"version\": 1}").unwrap();
    // Nothing listens on port 1.
    let out = serve("postgres://touchpoint@127.0.0.1:1/touchpoint");
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(
        err.contains("--db postgres://") && err.contains("PostgreSQL"),
        "{err}"
    );
}

/// Starts `touchpoint serve` with the example config on a free port and
/// the test database (`common::db`).
fn start_serve(dir: &Path, args: &[&str], envs: &[(&str, &str)]) -> (Served, common::db::Fresh) {
    let config = repo().join("examples/touchpoint.json");
    let db = common::db::fresh(dir);
    (serve::start(dir, &config, &db.url, args, envs), db)
}

fn answer(n: u32) -> serde_json::Value {
    json!({"response_id": format!("00000000-0000-4000-8000-{n:012x}"),
        "touchpoint": "order-confirmed", "stage": "purchase", "question": "nps", "score": n % 11,
        "comment": null, "status": "answered", "respondent": "r", "attributes": {},
        "locale": "en", "page_url": null, "occurred_at": "2026-11-23T10:00:00Z", "widget_version": "0.1.0"})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_commits_every_accepted_response_and_exits_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let (mut served, db) = start_serve(dir.path(), &["--rate-limit", "0"], &[]);
    let base = served.base.clone();
    let client = common::client();
    let posts = (0..200u32).map(|n| {
        let req = client.post(format!("{base}/v1/responses")).json(&answer(n));
        async move {
            req.timeout(Duration::from_secs(20))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    });
    let statuses = futures_join(posts).await;
    assert!(statuses.iter().all(|s| *s == 202), "{statuses:?}");

    let pid = served.child.id().to_string();
    let kill = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(kill.success());
    let exit = wait_with_timeout(&mut served.child, Duration::from_secs(10));
    assert_eq!(
        exit.and_then(|s| s.code()),
        Some(0),
        "serve exits 0 on SIGTERM"
    );

    let store = touchpoint_collector::store::Store::open(&db.url).unwrap();
    let rows = store.list(Default::default()).await.unwrap();
    assert_eq!(rows.len(), 200);
    assert_eq!(store.answered_counts().get("order-confirmed"), Some(&200));
}

async fn futures_join<F: std::future::Future<Output = u16> + Send + 'static>(
    futures: impl Iterator<Item = F>,
) -> Vec<u16> {
    let handles: Vec<_> = futures.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

fn wait_with_timeout(
    child: &mut std::process::Child,
    limit: Duration,
) -> Option<std::process::ExitStatus> {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    None
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn by_default_each_client_gets_sixty_posts_a_minute() {
    let dir = tempfile::tempdir().unwrap();
    let (served, _db) = start_serve(dir.path(), &[], &[]);
    let client = common::client();
    let started = std::time::Instant::now();
    let mut accepted = 0u32;
    let limited = loop {
        let res = client
            .post(format!("{}/v1/responses", served.base))
            .json(&answer(accepted))
            .send()
            .await
            .unwrap();
        match res.status().as_u16() {
            202 => accepted += 1,
            429 => break res,
            other => panic!("status {other}"),
        }
        assert!(accepted <= 200, "no limit after 200 posts");
    };
    // A burst of 60, plus the one token a second that refills meanwhile.
    let refilled = started.elapsed().as_secs() as u32 + 1;
    assert!(
        (60..=60 + refilled).contains(&accepted),
        "{accepted} accepted"
    );
    assert_eq!(limited.headers()["retry-after"], "1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_one_is_generated_into_a_private_file_and_reused() {
    let dir = tempfile::tempdir().unwrap();
    let (served, db) = start_serve(dir.path(), &[], &[]);
    let token = served
        .token
        .clone()
        .expect("serve logs where the generated token is");
    let file = served.token_file.clone().unwrap();
    let expected = if common::db::postgres().is_some() {
        dir.path().join("touchpoint.admin-token")
    } else {
        dir.path().join("touchpoint.db.admin-token")
    };
    assert_eq!(
        file,
        std::path::absolute(&expected).unwrap(),
        "next to the database"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "only its owner can read it");
    }
    let client = common::client();
    let report = format!("{}/v1/report", served.base);
    assert_eq!(client.get(&report).send().await.unwrap().status(), 401);
    let ok = client
        .get(&report)
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let open = client
        .get(format!("{}/v1/responses", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        open.status(),
        401,
        "GET /v1/responses needs the token even when it was generated"
    );
    let log = served.log();
    assert!(log.contains("generated now"), "{log}");
    assert!(
        !log.contains(&token),
        "the token itself is never logged:\n{log}"
    );
    drop(served);

    let again = serve::start(
        dir.path(),
        &repo().join("examples/touchpoint.json"),
        &db.url,
        &[],
        &[],
    );
    assert_eq!(
        again.token.as_deref(),
        Some(token.as_str()),
        "reused on restart"
    );
    assert!(again.log().contains("generated on an earlier start"));
    assert!(!again.log().contains(&token));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_explicit_token_comes_from_the_environment_and_guards_responses() {
    let dir = tempfile::tempdir().unwrap();
    let token = "an-operator-chosen-token-42";
    let (served, _db) = start_serve(dir.path(), &[], &[("TOUCHPOINT_ADMIN_TOKEN", token)]);
    assert_eq!(served.token, None, "a configured token is never logged");
    assert!(!served.log().contains(token));
    let client = common::client();
    let responses = format!("{}/v1/responses", served.base);
    assert_eq!(client.get(&responses).send().await.unwrap().status(), 401);
    let ok = client
        .get(&responses)
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let files: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".admin-token"))
        .collect();
    assert!(files.is_empty(), "no token file is generated");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_token_can_come_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let secret = dir.path().join("admin-token.secret");
    std::fs::write(&secret, "a-token-from-a-mounted-secret\n").unwrap();
    let (served, _db) = start_serve(
        dir.path(),
        &["--admin-token-file", secret.to_str().unwrap()],
        &[],
    );
    assert_eq!(served.token, None, "nothing generated");
    let ok = common::client()
        .get(format!("{}/v1/responses", served.base))
        .bearer_auth("a-token-from-a-mounted-secret")
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200, "an operator's file is an explicit token");
    drop(served);

    let config = repo().join("examples/touchpoint.json");
    let both = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args([
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .args(["--admin-token-file", secret.to_str().unwrap()])
        .env("TOUCHPOINT_ADMIN_TOKEN", "another-token-long-enough")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(both.status.code(), Some(1));
    assert!(
        text(&both.stderr).contains("not both"),
        "{}",
        text(&both.stderr)
    );
    let missing = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args([
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .args(["--admin-token-file", "no-such-file"])
        .env_remove("TOUCHPOINT_ADMIN_TOKEN")
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        text(&missing.stderr).contains("--admin-token-file no-such-file"),
        "{}",
        text(&missing.stderr)
    );
}

#[test]
fn a_short_admin_token_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let config = repo().join("examples/touchpoint.json");
    let out = Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args([
            "serve",
            "--config",
            config.to_str().unwrap(),
            "--addr",
            "127.0.0.1:0",
        ])
        .args(["--admin-token", "secret"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("at least 16 characters"),
        "{}",
        text(&out.stderr)
    );
}
