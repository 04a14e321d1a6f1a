//! The real `touchpoint serve` binary on a free port.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

/// A running `touchpoint serve`, killed if a test fails before it stops.
pub struct Served {
    pub child: std::process::Child,
    pub base: String,
    /// The generated admin token, when serve logged one.
    pub token: Option<String>,
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
    let mut child = cmd
        .args(args)
        .current_dir(dir)
        .env("RUST_LOG", "info")
        .env_remove("TOUCHPOINT_ADMIN_TOKEN")
        .env_remove("TOUCHPOINT_RATE_LIMIT")
        .envs(envs.iter().copied())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let (tx, rx) = std::sync::mpsc::channel();
    // Reads on, so logging never blocks the server.
    std::thread::spawn(move || {
        let mut token = None;
        for line in lines.map_while(Result::ok) {
            if let Some(rest) = line.split("this run's token is ").nth(1) {
                token = rest.split_whitespace().next().map(str::to_string);
            }
            if let Some(rest) = line.split("listening on ").nth(1) {
                let base = rest.split_whitespace().next().unwrap_or("").to_string();
                let _ = tx.send((base, token.take()));
            }
        }
    });
    // Built first so a timeout below still kills the child.
    let mut served = Served {
        child,
        base: String::new(),
        token: None,
    };
    (served.base, served.token) = rx
        .recv_timeout(Duration::from_secs(20))
        .expect("serve logs \"listening on <url>\" to stderr");
    served
}
