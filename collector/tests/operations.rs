//! Operations against the real binary: a backup taken while a client
//! posts, restored and checked; `--metrics-addr`; JSON logs.

mod common;

use common::{payload, serve, uuid};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const TOKEN: &str = "ops-test-admin-token-0123456789";

fn touchpoint(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_touchpoint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap()
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn write_config(dir: &Path) -> std::path::PathBuf {
    let config = dir.join("touchpoint.json");
    std::fs::write(&config, common::config_json().to_string()).unwrap();
    config
}

/// Ids of the responses in a SQLite file.
fn stored_ids(db: &Path) -> std::collections::HashSet<String> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare("SELECT response_id FROM responses").unwrap();
    let rows = stmt.query_map([], |r| r.get::<_, String>(0)).unwrap();
    rows.map(Result::unwrap).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backup_taken_under_load_restores_every_answer_acknowledged_before_it() {
    // SQLite only: the backup command refuses PostgreSQL (checked below).
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let db = dir.path().join("live.db");
    let served = serve::start(
        dir.path(),
        &config,
        db.to_str().unwrap(),
        &["--rate-limit", "0", "--admin-token", TOKEN],
        &[],
    );

    // A bounded load: 4 clients posting new answers until told to stop,
    // 20 s or 6,000 posts at most.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let next = Arc::new(AtomicU32::new(0));
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut clients = Vec::new();
    for _ in 0..4 {
        let (acked, stop, next) = (acked.clone(), stop.clone(), next.clone());
        let url = format!("{}/v1/responses", served.base);
        clients.push(tokio::spawn(async move {
            let client = common::client();
            while !stop.load(Ordering::SeqCst) && Instant::now() < deadline {
                let n = next.fetch_add(1, Ordering::SeqCst);
                if n >= 6_000 {
                    break;
                }
                let id = uuid(n);
                let body = payload(json!({"response_id": id, "score": n % 11}));
                let res = client.post(&url).json(&body).send().await.unwrap();
                assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
                acked.lock().unwrap().push(id);
            }
        }));
    }
    while acked.lock().unwrap().len() < 300 {
        assert!(Instant::now() < deadline, "the load did not get going");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    // Every answer acknowledged (202) before the backup starts must be in it.
    let before: Vec<String> = acked.lock().unwrap().clone();
    let out = dir.path().join("backups/touchpoint.db");
    let backup = {
        let (dir, out, db) = (dir.path().to_path_buf(), out.clone(), db.clone());
        tokio::task::spawn_blocking(move || {
            touchpoint(
                &dir,
                &[
                    "backup",
                    "--db",
                    db.to_str().unwrap(),
                    "--out",
                    out.to_str().unwrap(),
                ],
            )
        })
        .await
        .unwrap()
    };
    let during = acked.lock().unwrap().len() - before.len();
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::SeqCst);
    for c in clients {
        c.await.unwrap();
    }
    assert!(backup.status.success(), "{}", text(&backup));
    let report = text(&backup);
    assert!(report.contains("integrity: ok"), "{report}");
    assert!(!out.with_extension("db.partial").exists());

    // The drill: restore into a new file, then read it.
    let restored = dir.path().join("restored.db");
    let restore = touchpoint(
        dir.path(),
        &[
            "restore",
            "--from",
            out.to_str().unwrap(),
            "--db",
            restored.to_str().unwrap(),
        ],
    );
    assert!(restore.status.success(), "{}", text(&restore));
    let printed = text(&restore);
    assert!(printed.contains("integrity: ok"), "{printed}");
    assert!(printed.contains("schema version: 6"), "{printed}");
    let ids = stored_ids(&restored);
    let line = format!("table responses: {} row(s)", ids.len());
    assert!(printed.contains(&line), "{line} in {printed}");
    let missing: Vec<&String> = before.iter().filter(|id| !ids.contains(*id)).collect();
    assert!(
        missing.is_empty(),
        "{} acknowledged answers missing from the backup",
        missing.len()
    );
    let total = acked.lock().unwrap().len();
    assert!(ids.len() <= total, "{} restored, {total} posted", ids.len());
    eprintln!(
        "{} acknowledged before the backup, {during} while it ran, {} restored, {total} in all",
        before.len(),
        ids.len()
    );

    // The restored file is a database the collector opens.
    let again = serve::start(
        dir.path(),
        &config,
        restored.to_str().unwrap(),
        &["--admin-token", TOKEN],
        &[],
    );
    let list: Vec<Value> = common::client()
        .get(format!("{}/v1/responses", again.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.len(), ids.len());
    drop(again);
    drop(served);

    // Never over an existing database without --force.
    let refused = touchpoint(
        dir.path(),
        &[
            "restore",
            "--from",
            out.to_str().unwrap(),
            "--db",
            restored.to_str().unwrap(),
        ],
    );
    assert!(!refused.status.success());
    assert!(text(&refused).contains("--force"), "{}", text(&refused));
    let forced = touchpoint(
        dir.path(),
        &[
            "restore",
            "--from",
            out.to_str().unwrap(),
            "--db",
            restored.to_str().unwrap(),
            "--force",
        ],
    );
    assert!(forced.status.success(), "{}", text(&forced));
}

#[test]
fn restore_refuses_a_damaged_copy_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("source.db");
    touchpoint_collector::store::Store::open(db.to_str().unwrap()).unwrap();
    let good = dir.path().join("good.db");
    let out = touchpoint(
        dir.path(),
        &["backup", "--db", "source.db", "--out", "good.db"],
    );
    assert!(out.status.success(), "{}", text(&out));

    // Damage the copy past its header: the integrity check must catch it.
    let mut bytes = std::fs::read(&good).unwrap();
    let page = 4096;
    assert!(bytes.len() > 2 * page);
    for b in &mut bytes[page..2 * page] {
        *b = 0x5a;
    }
    std::fs::write(dir.path().join("bad.db"), &bytes).unwrap();
    std::fs::write(dir.path().join("notes.db"), b"not a database at all").unwrap();
    for from in ["bad.db", "notes.db"] {
        let out = touchpoint(dir.path(), &["restore", "--from", from, "--db", "new.db"]);
        assert!(!out.status.success(), "{from}: {}", text(&out));
        assert!(!dir.path().join("new.db").exists(), "{from}");
    }

    let out = touchpoint(
        dir.path(),
        &[
            "backup",
            "--db",
            "postgres://u@localhost/t",
            "--out",
            "x.db",
        ],
    );
    assert!(!out.status.success());
    assert!(text(&out).contains("pg_dump"), "{}", text(&out));
}

#[test]
fn rotated_backups_keep_the_newest() {
    let dir = tempfile::tempdir().unwrap();
    touchpoint_collector::store::Store::open(dir.path().join("t.db").to_str().unwrap()).unwrap();
    for _ in 0..4 {
        let out = touchpoint(
            dir.path(),
            &["backup", "--db", "t.db", "--out", "b/t.db", "--keep", "2"],
        );
        assert!(out.status.success(), "{}", text(&out));
        std::thread::sleep(Duration::from_millis(5));
    }
    let mut names: Vec<String> = std::fs::read_dir(dir.path().join("b"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names.len(), 2, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.starts_with("t-2") && n.ends_with("Z.db")),
        "{names:?}"
    );
}

#[tokio::test]
async fn metrics_addr_and_json_logs() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path());
    let db = common::db::fresh(dir.path());
    let metrics_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let metrics_addr = format!("127.0.0.1:{metrics_port}");
    let served = serve::start(
        dir.path(),
        &config,
        &db.url,
        &[
            "--admin-token",
            TOKEN,
            "--log-format",
            "json",
            "--metrics-addr",
            &metrics_addr,
        ],
        &[("RUST_LOG", "debug")],
    );
    let client = common::client();
    let comment = "my order number is 4711 and I am upset";
    let body = payload(json!({"score": 2, "comment": comment}));
    let res = client
        .post(format!("{}/v1/responses", served.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 202);
    // Not public on the main listener…
    let res = client
        .get(format!("{}/metrics", served.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = client
        .get(format!("{}/metrics", served.base))
        .bearer_auth(TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // …and open on the operator's own address.
    let res = client
        .get(format!("http://{metrics_addr}/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let doc = res.text().await.unwrap();
    assert!(
        doc.contains("touchpoint_responses_ingested_total{touchpoint=\"order-confirmed\",status=\"answered\"} 1"),
        "{doc}"
    );
    // A wrong token is a problem worth a warning, and must not be logged.
    let wrong = "wrong-token-that-must-not-be-logged";
    let res = client
        .get(format!("{}/v1/report", served.base))
        .bearer_auth(wrong)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let log = served.log();
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect();
    for secret in [TOKEN, wrong, comment, "4711"] {
        assert!(!log.contains(secret), "the log holds {secret:?}:\n{log}");
    }
    let request = lines
        .iter()
        .find(|l| l["fields"]["route"] == "/v1/responses" && l["fields"]["method"] == "POST")
        .unwrap_or_else(|| panic!("a request line for the post:\n{log}"));
    assert_eq!(request["level"], "DEBUG");
    assert_eq!(request["fields"]["status"], 202);
    assert!(request["fields"]["ms"].is_number());
    assert!(
        lines.iter().any(|l| l["level"] == "WARN"),
        "the wrong token is warned about:\n{log}"
    );
}
