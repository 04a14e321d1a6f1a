//! Slow and greedy clients on a real socket: half a header is cut off, a
//! slow body gets 408, connections over the cap wait, and a hung client
//! cannot hold up a shutdown past its deadline.

mod common;

use common::serve;
use common::TestApp;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use touchpoint_collector::server::{listen, ConnectionLimits};

const SHORT: Duration = Duration::from_millis(400);

/// `limits` with short timeouts unless the test sets others.
fn limits() -> ConnectionLimits {
    ConnectionLimits {
        header_timeout: SHORT,
        request_timeout: Duration::from_secs(2),
        body_timeout: SHORT,
        max_connections: 64,
        shutdown_timeout: Duration::from_secs(1),
    }
}

struct Running {
    addr: std::net::SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

async fn start(app: &TestApp, limits: ConnectionLimits) -> Running {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = touchpoint_collector::app(app.state.clone());
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        listen::run(listener, router, &limits, async {
            let _ = stopped.await;
        })
        .await
    });
    Running {
        addr,
        stop: Some(stop),
        task,
    }
}

/// Reads until the server closes the connection (or `limit` passes).
async fn read_to_close(stream: &mut TcpStream, limit: Duration) -> Option<String> {
    let mut out = Vec::new();
    let mut buf = [0u8; 1024];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(String::from_utf8_lossy(&out).into_owned()),
            Ok(Ok(n)) => out.extend_from_slice(&buf[..n]),
        }
    }
}

async fn healthz(addr: std::net::SocketAddr, limit: Duration) -> Result<u16, String> {
    touchpoint_collector::service::delivery::client(limit)
        .get(format!("http://{addr}/healthz"))
        .send()
        .await
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

#[tokio::test]
async fn half_a_header_is_disconnected_within_the_header_timeout() {
    let app = TestApp::new();
    let server = start(&app, limits()).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    let started = Instant::now();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    let closed = read_to_close(&mut slow, Duration::from_secs(5)).await;
    let took = started.elapsed();
    assert!(closed.is_some(), "the connection is still open after 5 s");
    assert!(
        took >= SHORT - Duration::from_millis(50) && took < SHORT * 4,
        "closed after {took:?}, header timeout {SHORT:?}"
    );
    // A connection that never sends a byte is closed too.
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    assert!(read_to_close(&mut silent, Duration::from_secs(5))
        .await
        .is_some());
    // And a kept-alive one that goes idle after a request.
    let mut idle = TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answered = read_to_close(&mut idle, Duration::from_secs(5))
        .await
        .expect("the idle connection is closed");
    assert!(answered.starts_with("HTTP/1.1 200"), "{answered}");
    assert_eq!(healthz(server.addr, Duration::from_secs(5)).await, Ok(200));
}

const POST_HEAD: &str = "POST /v1/responses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n";

#[tokio::test]
async fn a_body_that_stops_arriving_gets_a_408() {
    let app = TestApp::new();
    let server = start(&app, limits()).await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(POST_HEAD.as_bytes()).await.unwrap();
    slow.write_all(b"{\"response_id\":").await.unwrap();
    let started = Instant::now();
    let answer = read_to_close(&mut slow, Duration::from_secs(5))
        .await
        .expect("answered and closed within 5 s");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"error\""), "JSON error body: {answer}");
    assert!(started.elapsed() < SHORT * 4, "{:?}", started.elapsed());
    assert!(app.stored("").await.is_empty());
}

#[tokio::test]
async fn a_body_that_trickles_in_is_cut_at_the_request_timeout() {
    let app = TestApp::new();
    let server = start(
        &app,
        ConnectionLimits {
            request_timeout: Duration::from_secs(1),
            ..limits()
        },
    )
    .await;
    let mut slow = TcpStream::connect(server.addr).await.unwrap();
    slow.write_all(POST_HEAD.as_bytes()).await.unwrap();
    let started = Instant::now();
    // One byte every 100 ms: never idle as long as the body timeout.
    let trickle = async {
        for _ in 0..100 {
            if slow.write_all(b" ").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    tokio::time::timeout(Duration::from_millis(1500), trickle)
        .await
        .ok();
    let answer = read_to_close(&mut slow, Duration::from_secs(3))
        .await
        .expect("answered within 3 s");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn connections_over_the_cap_wait_and_the_server_stays_up() {
    let app = TestApp::new();
    let server = start(
        &app,
        ConnectionLimits {
            max_connections: 2,
            header_timeout: Duration::from_secs(30),
            ..limits()
        },
    )
    .await;
    let hog1 = TcpStream::connect(server.addr).await.unwrap();
    let hog2 = TcpStream::connect(server.addr).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let over = healthz(server.addr, Duration::from_millis(700)).await;
    assert!(over.is_err(), "a third connection is not served: {over:?}");
    drop(hog1);
    // The slot frees when the server sees the close.
    assert_eq!(healthz(server.addr, Duration::from_secs(5)).await, Ok(200));
    drop(hog2);
    let many = (0..10).map(|_| tokio::spawn(healthz(server.addr, Duration::from_secs(10))));
    for h in many {
        assert_eq!(h.await.unwrap(), Ok(200));
    }
}

#[tokio::test]
async fn shutdown_completes_within_its_deadline_while_a_client_hangs() {
    let app = TestApp::new();
    let mut server = start(
        &app,
        ConnectionLimits {
            header_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(60),
            body_timeout: Duration::from_secs(60),
            shutdown_timeout: Duration::from_millis(500),
            ..limits()
        },
    )
    .await;
    // One client is mid-body (a request in flight), one mid-header.
    let mut in_flight = TcpStream::connect(server.addr).await.unwrap();
    in_flight.write_all(POST_HEAD.as_bytes()).await.unwrap();
    in_flight.write_all(b"{").await.unwrap();
    let mut half = TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    let started = Instant::now();
    server.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), &mut server.task)
        .await
        .expect("the server stops within 5 s")
        .unwrap();
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(450) && took < Duration::from_secs(2),
        "stopped after {took:?}, deadline 500 ms"
    );
    assert!(read_to_close(&mut in_flight, Duration::from_secs(2))
        .await
        .is_some());
    assert!(read_to_close(&mut half, Duration::from_secs(2))
        .await
        .is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_takes_the_limits_as_flags_and_sigterm_is_not_held_up() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("touchpoint.json");
    std::fs::write(&config, common::config_json().to_string()).unwrap();
    let db = common::db::fresh(dir.path());
    let args = [
        "--header-timeout",
        "300ms",
        "--request-timeout",
        "60s",
        "--body-timeout",
        "1m",
        "--max-connections",
        "8",
        "--shutdown-timeout",
        "1s",
    ];
    let mut served = serve::start(dir.path(), &config, &db.url, &args, &[]);
    let addr: std::net::SocketAddr = served.base.trim_start_matches("http://").parse().unwrap();
    let mut half = TcpStream::connect(addr).await.unwrap();
    half.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    assert!(
        read_to_close(&mut half, Duration::from_secs(3))
            .await
            .is_some(),
        "--header-timeout 300ms applies"
    );

    let mut in_flight = TcpStream::connect(addr).await.unwrap();
    in_flight.write_all(POST_HEAD.as_bytes()).await.unwrap();
    in_flight.write_all(b"{").await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let pid = served.child.id().to_string();
    assert!(std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap()
        .success());
    let mut exit = None;
    while started.elapsed() < Duration::from_secs(8) {
        if let Some(status) = served.child.try_wait().unwrap() {
            exit = Some(status);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let took = started.elapsed();
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "after {took:?}");
    assert!(
        took < Duration::from_secs(4),
        "exited after {took:?}, deadline 1 s"
    );
    drop(in_flight);
}

#[test]
fn a_bad_limit_flag_is_refused_with_its_name() {
    for (flag, value) in [
        ("--header-timeout", "ten"),
        ("--body-timeout", "0s"),
        ("--max-connections", "0"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_touchpoint"))
            .args(["serve", "--config", "x.json", flag, value])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success());
        assert!(stderr.contains(flag), "{flag} {value}: {stderr}");
    }
}
