//! `cargo xtask bench` part 4: collector ingestion on loopback, SQLite and
//! PostgreSQL. Starts the release collector itself (rate limit off,
//! `allowed_origins: ["*"]`) on a fresh database and posts valid responses
//! to `POST /v1/responses` with a bounded load generator (request count and
//! duration capped; it stops by itself):
//!
//! - saturation: a fixed number of requests over keep-alive connections, each
//!   sent as soon as the previous one on its connection is answered →
//!   responses/s, at 32, 128 and 256 connections (the best counts: the
//!   writer commits whatever is queued in one transaction, so throughput
//!   grows with the requests in flight until the CPU is the limit);
//! - fixed rate: 2,000 req/s for 5 s on an open-loop schedule → p50/p99
//!   latency, measured from each request's *scheduled* send time to the last
//!   byte of its answer (so a late send or a wait for a free connection
//!   counts against the collector, never hides it).
//!
//! Anything but 202 counts as failed and is printed. PostgreSQL runs in a
//! throwaway cluster with its default durability (fsync on, synchronous
//! commit), as the SQLite backend commits with `synchronous=FULL`; without
//! PostgreSQL installed it says so and measures SQLite alone. The generator
//! is plain threads over blocking sockets, a few microseconds per request,
//! but it shares the machine's cores with the collector. Merges the figures
//! into the results file under "ingest"; measures, asserts nothing.
//!
//! ```text
//! cargo run --release -p touchpoint-collector --example ingest_bench -- \
//!     --bin target/release/touchpoint [--out target/bench/results.json]
//! ```

#[path = "support/throwaway_pg.rs"]
mod throwaway_pg;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, OnceLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Requests at each concurrency.
const SATURATION_REQUESTS: usize = 30_000;
/// Saturation is measured at each of these concurrencies (keep-alive
/// connections, one request in flight on each); the best counts. Past the
/// writer's commit time, more clients in flight mean bigger batches.
const SATURATION_CONNECTIONS: [usize; 3] = [32, 128, 256];
const RATE_PER_S: u32 = 2_000;
const RATE_SECONDS: u32 = 5;
/// Connections (one thread each) the fixed-rate schedule is spread over.
const RATE_CONNECTIONS: usize = 64;
/// Hard cap on each phase.
const PHASE_CAP: Duration = Duration::from_secs(30);
const IO_TIMEOUT: Duration = Duration::from_secs(10);
/// Targets from issue 7 (set for SQLite; PostgreSQL is shown against them).
const SATURATION_TARGET: f64 = 20_000.0;
const P99_TARGET_MS: f64 = 10.0;

const CONFIG: &str = r#"{"version":1,"allowed_origins":["*"],
"touchpoints":[{"id":"bench","stage":"purchase","question":{"type":"nps"}}]}"#;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map(PathBuf::from)
    };
    let Some(bin) = flag("--bin") else {
        eprintln!(
            "usage: ingest_bench --bin <touchpoint binary> [--out <results.json>] [--only sqlite|postgresql]"
        );
        return ExitCode::FAILURE;
    };
    let only = flag("--only").map(|p| p.to_string_lossy().to_lowercase());
    match run(&bin, flag("--out").as_deref(), only.as_deref()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Both databases (or the one named by `only`, for profiling).
fn run(bin: &Path, out: Option<&Path>, only: Option<&str>) -> Result<(), String> {
    let skipped = |db: &str| json!({ "not_measured": format!("--only {db}") });
    let sqlite = if only.is_none_or(|o| o == "sqlite") {
        let dir = temp_dir("touchpoint-ingest-sqlite")?;
        let db = dir.path().join("bench.db");
        measure("SQLite", bin, dir.path(), &db.to_string_lossy())?
    } else {
        skipped(only.unwrap_or_default())
    };
    let postgresql = if only.is_none_or(|o| o == "postgresql") {
        with_postgres(|url| {
            let dir = temp_dir("touchpoint-ingest-pg-collector")?;
            measure("PostgreSQL", bin, dir.path(), url)
        })
    } else {
        Ok(skipped(only.unwrap_or_default()))
    };
    let postgresql = match postgresql {
        Ok(figures) => figures,
        Err(why) => {
            println!("PostgreSQL: not measured ({why})");
            json!({ "not_measured": why })
        }
    };
    println!();
    for (name, figures) in [("SQLite", &sqlite), ("PostgreSQL", &postgresql)] {
        println!("{}", table_line(name, figures));
    }
    if let Some(out) = out {
        merge_into(out, sqlite, postgresql)?;
        println!("wrote {} (ingest)", out.display());
    }
    Ok(())
}

fn temp_dir(prefix: &str) -> Result<tempfile::TempDir, String> {
    tempfile::Builder::new()
        .prefix(prefix)
        .tempdir()
        .map_err(|e| format!("cannot create a temporary folder: {e}"))
}

/// Runs `f` with the URL of a throwaway, durable PostgreSQL cluster, stopped
/// and removed afterwards.
fn with_postgres(f: impl FnOnce(&str) -> Result<Value, String>) -> Result<Value, String> {
    let dir = temp_dir("touchpoint-ingest-pg")?;
    // As root the cluster runs as `postgres`, who must enter the folder.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755));
    }
    let cluster = dir.path().join("cluster");
    let result = throwaway_pg::start(&cluster, throwaway_pg::Durability::Full)
        .map_err(|e| e.lines().next().unwrap_or("").to_string())
        .and_then(|url| f(&url));
    let _ = throwaway_pg::stop(&cluster);
    result
}

/// Both phases against a fresh collector on `db`.
fn measure(name: &str, bin: &Path, dir: &Path, db: &str) -> Result<Value, String> {
    let collector = Collector::start(bin, dir, db)?;
    let mut levels = Vec::new();
    for connections in SATURATION_CONNECTIONS {
        let cpu = CpuSplit::start(collector.child.id());
        let sat = saturation(collector.addr, connections);
        let cpu = cpu.per_request(sat.tally.total());
        println!(
            "ingest ({name}, loopback): saturation {:.0} responses/s over {connections} connections \
             ({} accepted, {} failed, {:.2} s; p50 {:.2} ms, p99 {:.2} ms; \
             CPU per request: collector {} µs, load generator {} µs)",
            sat.per_s(),
            sat.tally.ok,
            sat.tally.failed(),
            sat.secs,
            sat.tally.percentile_ms(50.0),
            sat.tally.percentile_ms(99.0),
            cpu["collector"],
            cpu["load_generator"],
        );
        sat.tally.print_failures(name);
        levels.push((sat.per_s(), sat.json(connections, cpu)));
    }
    let fixed = fixed_rate(collector.addr);
    println!(
        "ingest ({name}, loopback): at {RATE_PER_S} req/s for {RATE_SECONDS} s p50 {:.2} ms, \
         p99 {:.2} ms, max {:.2} ms ({} accepted, {} failed, latest send {:.2} ms behind schedule)",
        fixed.tally.percentile_ms(50.0),
        fixed.tally.percentile_ms(99.0),
        fixed.tally.percentile_ms(100.0),
        fixed.tally.ok,
        fixed.tally.failed(),
        fixed.max_lag.as_secs_f64() * 1e3,
    );
    fixed.tally.print_failures(name);
    collector.stop();
    let best = levels
        .iter()
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map_or(0.0, |l| l.0);
    let p99 = fixed.tally.percentile_ms(99.0);
    // Issue 7 sets the targets for SQLite; PostgreSQL's figures are reported
    // beside them without a verdict.
    let verdict = |met: bool| (name == "SQLite").then_some(met);
    Ok(json!({
        "saturation": {
            "responses_per_s": best.round() as u64,
            "target_per_s": SATURATION_TARGET,
            "met": verdict(best >= SATURATION_TARGET),
            "by_connections": levels.into_iter().map(|l| l.1).collect::<Vec<_>>(),
        },
        "fixed_rate": {
            "rate_per_s": RATE_PER_S,
            "requests": fixed.tally.total(),
            "accepted": fixed.tally.ok,
            "failed": fixed.tally.failed(),
            "connections": RATE_CONNECTIONS,
            "seconds": round2(fixed.secs),
            "achieved_per_s": (fixed.tally.ok as f64 / fixed.secs).round() as u64,
            "latency_from": "scheduled send time",
            "p50_ms": round2(fixed.tally.percentile_ms(50.0)),
            "p99_ms": round2(p99),
            "max_ms": round2(fixed.tally.percentile_ms(100.0)),
            "max_send_lag_ms": round2(fixed.max_lag.as_secs_f64() * 1e3),
            "target_p99_ms": P99_TARGET_MS,
            "met": verdict(fixed.tally.failed() == 0 && p99 <= P99_TARGET_MS),
        },
    }))
}

fn table_line(name: &str, figures: &Value) -> String {
    let (Some(sat), Some(fixed)) = (figures.get("saturation"), figures.get("fixed_rate")) else {
        return format!("{name:<11} not measured");
    };
    let met = |v: &Value| match v["met"].as_bool() {
        Some(true) => "met",
        Some(false) => "MISSED",
        None => "for SQLite",
    };
    format!(
        "{name:<11} saturation {:>6}/s (target ≥ {SATURATION_TARGET}: {:<9})  at {RATE_PER_S}/s p50 {:.2} ms, p99 {:.2} ms (target ≤ {P99_TARGET_MS} ms: {})",
        sat["responses_per_s"],
        met(sat),
        fixed["p50_ms"].as_f64().unwrap_or(f64::NAN),
        fixed["p99_ms"].as_f64().unwrap_or(f64::NAN),
        met(fixed),
    )
}

fn merge_into(out: &Path, sqlite: Value, postgresql: Value) -> Result<(), String> {
    let mut all: Value = std::fs::read_to_string(out)
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .filter(Value::is_object)
        .unwrap_or_else(|| json!({}));
    all["ingest"] = json!({
        "generator": format!(
            "Rust threads over blocking keep-alive HTTP/1.1 sockets on the same machine \
             ({SATURATION_CONNECTIONS:?} connections at saturation, {RATE_CONNECTIONS} at the fixed rate)"
        ),
        "sqlite": sqlite,
        "postgresql": postgresql,
    });
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    let text = serde_json::to_string_pretty(&all).map_err(|e| e.to_string())? + "\n";
    std::fs::write(out, text).map_err(|e| format!("cannot write {}: {e}", out.display()))
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// CPU time (user + system) of the collector process and of this one.
struct CpuSplit {
    collector_pid: u32,
    before: [Option<Duration>; 2],
}

impl CpuSplit {
    fn start(collector_pid: u32) -> CpuSplit {
        CpuSplit {
            collector_pid,
            before: [cpu_time(collector_pid), cpu_time(std::process::id())],
        }
    }

    /// Microseconds of CPU per request since `start` (null where /proc
    /// cannot tell).
    fn per_request(self, requests: u64) -> Value {
        let after = [cpu_time(self.collector_pid), cpu_time(std::process::id())];
        let us = |i: usize| match (self.before[i], after[i]) {
            (Some(b), Some(a)) if requests > 0 => {
                json!(((a - b).as_secs_f64() * 1e6 / requests as f64).round())
            }
            _ => Value::Null,
        };
        json!({ "collector": us(0), "load_generator": us(1) })
    }
}

/// utime + stime from `/proc/<pid>/stat` (Linux; in USER_HZ = 1/100 s).
fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i)?.parse::<u64>().ok();
    Some(Duration::from_millis((ticks(11)? + ticks(12)?) * 10))
}

/// The release collector on a free loopback port.
struct Collector {
    child: Child,
    addr: SocketAddr,
}

impl Collector {
    fn start(bin: &Path, dir: &Path, db: &str) -> Result<Collector, String> {
        let config = dir.join("touchpoint.json");
        std::fs::write(&config, CONFIG).map_err(|e| e.to_string())?;
        let addr: SocketAddr = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| format!("no free port: {e}"))?;
        let log_path = dir.join("collector.log");
        let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
        let child = Command::new(bin)
            .arg("serve")
            .arg("--config")
            .arg(&config)
            .args(["--db", db, "--addr", &addr.to_string(), "--widget-dir"])
            .arg(dir)
            .env("TOUCHPOINT_RATE_LIMIT", "0")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(log.try_clone().map_err(|e| e.to_string())?)
            .stderr(log)
            .spawn()
            .map_err(|e| format!("cannot start {}: {e}", bin.display()))?;
        let mut collector = Collector { child, addr };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let ready = Conn::open(addr)
                .and_then(|mut c| {
                    c.send(b"GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n")
                        .map(|(status, _)| status)
                })
                .is_ok_and(|status| status == 200);
            if ready {
                return Ok(collector);
            }
            let exited = collector.child.try_wait().ok().flatten().is_some();
            if exited || Instant::now() > deadline {
                let log = std::fs::read_to_string(&log_path).unwrap_or_default();
                return Err(format!("the collector did not come up on {addr}:\n{log}"));
            }
            thread::sleep(Duration::from_millis(50));
        }
    }

    /// SIGTERM (the collector commits what it accepted), then waits.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if self.child.try_wait().ok().flatten().is_some() {
                return;
            }
            thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// One keep-alive HTTP/1.1 connection, one request at a time.
struct Conn {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Conn {
    fn open(addr: SocketAddr) -> io::Result<Conn> {
        let stream = TcpStream::connect_timeout(&addr, IO_TIMEOUT)?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(IO_TIMEOUT))?;
        stream.set_write_timeout(Some(IO_TIMEOUT))?;
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(1024),
        })
    }

    /// Sends one request; returns the status and the body.
    fn send(&mut self, request: &[u8]) -> io::Result<(u16, &[u8])> {
        self.stream.write_all(request)?;
        self.buf.clear();
        let mut chunk = [0u8; 2048];
        let (head_len, body_len) = loop {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
            if let Some(end) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break (end + 4, content_length(&self.buf[..end]));
            }
        };
        while self.buf.len() < head_len + body_len {
            let n = self.stream.read(&mut chunk)?;
            if n == 0 {
                return Err(io::ErrorKind::UnexpectedEof.into());
            }
            self.buf.extend_from_slice(&chunk[..n]);
        }
        let status = std::str::from_utf8(self.buf.get(9..12).unwrap_or_default())
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        Ok((status, &self.buf[head_len..head_len + body_len]))
    }
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0)
}

/// Builds valid, distinct responses (fresh `response_id` each).
struct Requests {
    host: String,
    occurred_at: String,
    state: u64,
    buf: Vec<u8>,
}

impl Requests {
    fn new(addr: SocketAddr, seed: u64) -> Requests {
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let occurred_at = time::OffsetDateTime::from_unix_timestamp(now.as_secs() as i64)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_else(|| "2026-01-01T00:00:00Z".into());
        Requests {
            host: addr.to_string(),
            occurred_at,
            state: seed ^ now.as_nanos() as u64,
            buf: Vec::with_capacity(512),
        }
    }

    /// splitmix64.
    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn uuid(&mut self) -> String {
        let (a, b) = (self.next_u64(), self.next_u64());
        let b = (b & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-4{:03x}-{:04x}-{:012x}",
            a >> 32,
            (a >> 16) & 0xffff,
            a & 0xfff,
            b >> 48,
            b & 0xffff_ffff_ffff
        )
    }

    fn next(&mut self, i: usize) -> &[u8] {
        let body = format!(
            r#"{{"response_id":"{}","touchpoint":"bench","stage":"purchase","question":"nps","score":{},"status":"answered","respondent":"{}","occurred_at":"{}"}}"#,
            self.uuid(),
            i % 11,
            self.uuid(),
            self.occurred_at
        );
        self.buf.clear();
        let _ = write!(
            self.buf,
            "POST /v1/responses HTTP/1.1\r\nHost: {}\r\nOrigin: http://shop.example\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        &self.buf
    }
}

/// Outcomes of one phase.
#[derive(Default)]
struct Tally {
    ok: u64,
    /// Failures by status (0 = no answer).
    failures: BTreeMap<u16, u64>,
    first_failure: Option<String>,
    /// Of accepted requests, in microseconds.
    latencies_us: Vec<u32>,
}

impl Tally {
    fn record(&mut self, outcome: io::Result<(u16, &[u8])>, latency: Duration) {
        match outcome {
            Ok((202, _)) => {
                self.ok += 1;
                self.latencies_us
                    .push(latency.as_micros().min(u32::MAX as u128) as u32);
            }
            Ok((status, body)) => self.fail(status, String::from_utf8_lossy(body).into()),
            Err(e) => self.fail(0, e.to_string()),
        }
    }

    fn fail(&mut self, status: u16, detail: String) {
        *self.failures.entry(status).or_default() += 1;
        self.first_failure
            .get_or_insert_with(|| format!("{status}: {detail}"));
    }

    fn failed(&self) -> u64 {
        self.failures.values().sum()
    }

    fn total(&self) -> u64 {
        self.ok + self.failed()
    }

    fn merge(mut self, other: Tally) -> Tally {
        self.ok += other.ok;
        for (status, n) in other.failures {
            *self.failures.entry(status).or_default() += n;
        }
        self.first_failure = self.first_failure.or(other.first_failure);
        self.latencies_us.extend(other.latencies_us);
        self
    }

    /// Nearest-rank percentile; `latencies_us` must be sorted.
    fn percentile_ms(&self, p: f64) -> f64 {
        let n = self.latencies_us.len();
        if n == 0 {
            return f64::NAN;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        f64::from(self.latencies_us[rank.clamp(1, n) - 1]) / 1e3
    }

    fn print_failures(&self, name: &str) {
        if let Some(first) = &self.first_failure {
            println!(
                "  {name}: failed requests by status (0 = no answer): {:?}; first: {first}",
                self.failures
            );
        }
    }
}

/// Joins the threads' tallies, latencies sorted.
fn join_all(tallies: impl Iterator<Item = Tally>) -> Tally {
    let mut all = tallies.fold(Tally::default(), Tally::merge);
    all.latencies_us.sort_unstable();
    all
}

struct Saturation {
    tally: Tally,
    secs: f64,
}

impl Saturation {
    fn per_s(&self) -> f64 {
        self.tally.ok as f64 / self.secs
    }

    fn json(&self, connections: usize, cpu: Value) -> Value {
        json!({
            "connections": connections,
            "requests": self.tally.total(),
            "accepted": self.tally.ok,
            "failed": self.tally.failed(),
            "seconds": round2(self.secs),
            "responses_per_s": self.per_s().round() as u64,
            "p50_ms": round2(self.tally.percentile_ms(50.0)),
            "p99_ms": round2(self.tally.percentile_ms(99.0)),
            "cpu_us_per_request": cpu,
        })
    }
}

/// `SATURATION_REQUESTS` over `connections` connections, each request sent
/// when the previous one on its connection is answered.
fn saturation(addr: SocketAddr, connections: usize) -> Saturation {
    let next = AtomicUsize::new(0);
    let ready = Barrier::new(connections + 1);
    let start = OnceLock::new();
    let tally = thread::scope(|s| {
        let workers: Vec<_> = (0..connections)
            .map(|w| {
                let (next, ready, start) = (&next, &ready, &start);
                s.spawn(move || {
                    let mut requests = Requests::new(addr, w as u64);
                    let mut tally = Tally::default();
                    let mut conn = Conn::open(addr);
                    ready.wait(); // every connection open
                    ready.wait(); // start set
                    let start: Instant = *start.get().expect("start");
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= SATURATION_REQUESTS || start.elapsed() > PHASE_CAP {
                            return tally;
                        }
                        let sent = Instant::now();
                        post(&mut conn, addr, requests.next(i), &mut tally, sent);
                    }
                })
            })
            .collect();
        ready.wait();
        start.get_or_init(Instant::now);
        ready.wait();
        join_all(workers.into_iter().map(|w| w.join().expect("worker")))
    });
    let secs = start.get().map_or(0.0, |t| t.elapsed().as_secs_f64());
    Saturation { tally, secs }
}

/// Sends on `conn`, reconnecting first if it is gone; records the outcome
/// with its latency from `since`.
fn post(
    conn: &mut io::Result<Conn>,
    addr: SocketAddr,
    request: &[u8],
    tally: &mut Tally,
    since: Instant,
) {
    if conn.is_err() {
        *conn = Conn::open(addr);
    }
    let outcome = match conn {
        Ok(c) => c.send(request),
        Err(e) => Err(io::Error::new(e.kind(), e.to_string())),
    };
    let broken = outcome.is_err();
    tally.record(outcome, since.elapsed());
    if broken {
        *conn = Err(io::ErrorKind::NotConnected.into());
    }
}

struct FixedRate {
    tally: Tally,
    secs: f64,
    /// The latest any request was sent after its scheduled time.
    max_lag: Duration,
}

/// `RATE_PER_S` requests a second for `RATE_SECONDS`, request `i` scheduled
/// at `start + i / RATE_PER_S` whatever happened to the others; spread over
/// `RATE_CONNECTIONS` connections (request `i` on connection
/// `i % RATE_CONNECTIONS`).
fn fixed_rate(addr: SocketAddr) -> FixedRate {
    let total = (RATE_PER_S * RATE_SECONDS) as usize;
    let interval = Duration::from_secs(1) / RATE_PER_S;
    let ready = Barrier::new(RATE_CONNECTIONS + 1);
    let start = OnceLock::new();
    let (tally, max_lag) = thread::scope(|s| {
        let workers: Vec<_> = (0..RATE_CONNECTIONS)
            .map(|w| {
                let (ready, start) = (&ready, &start);
                s.spawn(move || {
                    let mut requests = Requests::new(addr, w as u64);
                    let mut tally = Tally::default();
                    let mut max_lag = Duration::ZERO;
                    let mut conn = Conn::open(addr);
                    ready.wait();
                    ready.wait();
                    let start: Instant = *start.get().expect("start");
                    for i in (w..total).step_by(RATE_CONNECTIONS) {
                        let due = start + interval * i as u32;
                        let request = requests.next(i);
                        let now = Instant::now();
                        if now.duration_since(start) > PHASE_CAP {
                            break;
                        }
                        if due > now {
                            thread::sleep(due - now);
                        }
                        max_lag = max_lag.max(Instant::now().saturating_duration_since(due));
                        post(&mut conn, addr, request, &mut tally, due);
                    }
                    (tally, max_lag)
                })
            })
            .collect();
        ready.wait();
        start.get_or_init(|| Instant::now() + Duration::from_millis(20));
        ready.wait();
        let results: Vec<(Tally, Duration)> = workers
            .into_iter()
            .map(|w| w.join().expect("worker"))
            .collect();
        let max_lag = results.iter().map(|r| r.1).max().unwrap_or_default();
        (join_all(results.into_iter().map(|r| r.0)), max_lag)
    });
    let secs = start.get().map_or(0.0, |t| t.elapsed().as_secs_f64());
    FixedRate {
        tally,
        secs,
        max_lag,
    }
}
