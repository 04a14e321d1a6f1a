//! Crash safety of ingestion: while a load generator posts answers, the
//! real collector is killed with SIGKILL (no shutdown, nothing flushed on
//! the way out), started again on the same database, and every answer that
//! got a 202 is stored exactly once. Bounded: 2,000 posts at most, a
//! deadline on the whole test.

mod common;

use common::{payload, serve, uuid, TOKEN};
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Posts at most, each with its own response id.
const POSTS: u32 = 2_000;
/// Concurrent posters.
const POSTERS: usize = 4;
/// 202s to see before the kill, so it lands in the middle of the load.
const KILL_AFTER: usize = 300;

const ARGS: [&str; 4] = ["--rate-limit", "0", "--admin-token", TOKEN];

fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// Posts answers until the posts run out or the collector stops answering;
/// pushes the number of each answer that got a 202.
async fn poster(base: String, next: Arc<AtomicU32>, acked: Arc<Mutex<Vec<u32>>>) {
    let client = client();
    loop {
        let n = next.fetch_add(1, Ordering::SeqCst) + 1;
        if n > POSTS {
            return;
        }
        let body = payload(json!({"response_id": uuid(n), "score": n % 11}));
        match client
            .post(format!("{base}/v1/responses"))
            .json(&body)
            .send()
            .await
        {
            Ok(res) if res.status() == 202 => acked.lock().unwrap().push(n),
            Ok(res) => panic!("post {n}: {} before the kill", res.status()),
            // The collector is gone: the rest of this poster's posts are not sent.
            Err(_) => return,
        }
    }
}

/// `GET /v1/export?format=jsonl`: per response id, how many rows it has
/// and the score of the last.
async fn stored(base: &str) -> HashMap<String, (u32, u64)> {
    let text = client()
        .get(format!("{base}/v1/export?format=jsonl"))
        .bearer_auth(TOKEN)
        .timeout(Duration::from_secs(30))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap()
        .text()
        .await
        .unwrap();
    let mut rows = HashMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let row: serde_json::Value = serde_json::from_str(line).unwrap();
        let entry = rows
            .entry(row["response_id"].as_str().unwrap().to_string())
            .or_insert((0, 0));
        entry.0 += 1;
        entry.1 = row["score"].as_u64().unwrap();
    }
    rows
}

async fn kill_during_load() {
    let dir = tempfile::tempdir().unwrap();
    let config_path = dir.path().join("touchpoint.json");
    let config = json!({"version": 1, "allowed_origins": ["*"], "touchpoints": [
        {"id": "order-confirmed", "stage": "purchase", "question": {"type": "nps"}}]});
    std::fs::write(&config_path, config.to_string()).unwrap();
    let db = common::db::fresh(dir.path());
    let mut served = serve::start(dir.path(), &config_path, &db.url, &ARGS, &[]);

    let next = Arc::new(AtomicU32::new(0));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let posters: Vec<_> = (0..POSTERS)
        .map(|_| tokio::spawn(poster(served.base.clone(), next.clone(), acked.clone())))
        .collect();
    while acked.lock().unwrap().len() < KILL_AFTER {
        assert!(
            posters.iter().any(|p| !p.is_finished()),
            "every poster stopped before {KILL_AFTER} answers were accepted:\n{}",
            served.log()
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    // SIGKILL, with posts in flight.
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    for p in posters {
        p.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let sent = next.load(Ordering::SeqCst).min(POSTS);
    assert!(
        acked.len() < POSTS as usize,
        "the kill came after the load ended ({} accepted); it proves nothing",
        acked.len()
    );

    let again = serve::start(dir.path(), &config_path, &db.url, &ARGS, &[]);
    let rows = stored(&again.base).await;
    let lost: Vec<u32> = acked
        .iter()
        .copied()
        .filter(|n| !rows.contains_key(&uuid(*n)))
        .collect();
    assert!(
        lost.is_empty(),
        "{} of {} accepted answers are gone after the crash: {lost:?}",
        lost.len(),
        acked.len()
    );
    let twice: Vec<_> = rows.iter().filter(|(_, (n, _))| *n != 1).collect();
    assert!(twice.is_empty(), "stored more than once: {twice:?}");
    for n in &acked {
        assert_eq!(rows[&uuid(*n)].1, u64::from(n % 11), "the score of {n}");
    }
    // Only answers that were sent can be there (some got no 202 in time).
    assert!(rows.len() <= sent as usize && rows.len() >= acked.len());
    eprintln!(
        "{} posts sent, {} accepted before the kill, {} stored after the restart",
        sent,
        acked.len(),
        rows.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_accepted_answer_is_stored_exactly_once_after_a_kill_9() {
    tokio::time::timeout(Duration::from_secs(120), kill_during_load())
        .await
        .expect("the crash test ends within two minutes");
}
