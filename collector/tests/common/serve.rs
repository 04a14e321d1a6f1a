//! The real `touchpoint serve` binary on a free port.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Every variable `touchpoint serve` reads, cleared so the developer's
/// environment cannot change a test.
const SERVE_ENV: &[&str] = &[
    "TOUCHPOINT_ADMIN_TOKEN",
    "TOUCHPOINT_ADMIN_TOKEN_FILE",
    "TOUCHPOINT_RATE_LIMIT",
    "TOUCHPOINT_CONFIG_RATE_LIMIT",
    "TOUCHPOINT_LOGIN_RATE_LIMIT",
    "TOUCHPOINT_AUTH_FAILURES_PER_IP",
    "TOUCHPOINT_AUTH_FAILURES_GLOBAL",
    "TOUCHPOINT_TRUSTED_PROXIES",
    "TOUCHPOINT_CLIENT_IP_HEADER",
    "TOUCHPOINT_PUBLIC_URL",
    "TOUCHPOINT_RETENTION_DAYS",
    "TOUCHPOINT_METRICS_ADDR",
    "TOUCHPOINT_LOG_FORMAT",
];

/// A running `touchpoint serve`, killed if a test fails before it stops.
pub struct Served {
    pub child: std::process::Child,
    pub base: String,
    /// The generated admin token (read from the file whose path serve
    /// logged), when no token was configured.
    pub token: Option<String>,
    /// That file.
    pub token_file: Option<PathBuf>,
    log: Arc<Mutex<String>>,
}

impl Served {
    /// Everything serve wrote to stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `touchpoint serve --config <config> --db <db>` in `dir` on a free
/// port (or `--addr` in `args`) and reads its address (and a generated
/// admin token) from the log.
pub fn start(dir: &Path, config: &Path, db: &str, args: &[&str], envs: &[(&str, &str)]) -> Served {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_touchpoint"));
    cmd.args(["serve", "--config", config.to_str().unwrap(), "--db", db])
        .args(["--widget-dir", "dist"]);
    if !args.contains(&"--addr") {
        cmd.args(["--addr", "127.0.0.1:0"]);
    }
    for name in SERVE_ENV {
        cmd.env_remove(name);
    }
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (tx, rx) = std::sync::mpsc::channel();
    let log = Arc::new(Mutex::new(String::new()));
    let log_w = log.clone();
    // Reads on, so logging never blocks the server.
    std::thread::spawn(move || {
        let mut token_file = None;
        for line in lines.map_while(Result::ok) {
            log_w.lock().unwrap().push_str(&format!("{line}\n"));
            if let Some(rest) = line.split("the admin token is in \"").nth(1) {
                token_file = rest.split('"').next().map(PathBuf::from);
            }
            if let Some(rest) = line.split("listening on ").nth(1) {
                let base = rest.split_whitespace().next().unwrap_or("").to_string();
                let _ = tx.send((base, token_file.take()));
            }
        }
    });
    // Built first so a timeout below still kills the child.
    let mut served = Served {
        child,
        base: String::new(),
        token: None,
        token_file: None,
        log,
    };
    (served.base, served.token_file) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("serve logs \"listening on <url>\" to stderr");
    served.token = served.token_file.as_ref().map(|path| {
        std::fs::read_to_string(path)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .trim()
            .to_string()
    });
    served
}
