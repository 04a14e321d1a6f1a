//! The collector against its own OpenAPI document, with an API tester no one
//! here wrote: schemathesis (PyPI), installed in a virtual environment under
//! the target folder, run bounded (`--max-examples`, `--max-time`) with
//! every check on.

use crate::shell::{Env, Error, Result};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub const SCHEMATHESIS_VERSION: &str = "4.32.5";
const TOKEN: &str = "api-check-admin-token-0123456789";
/// Same seed every run, so a failure in CI reproduces locally.
const SEED: &str = "20261130";

fn venv(env: &Env) -> PathBuf {
    env.target_dir.join("schemathesis-venv")
}

fn schemathesis(env: &Env) -> PathBuf {
    venv(env).join("bin").join("schemathesis")
}

/// `python3 -m venv` + `pip install schemathesis==…` (Debian's python3 needs
/// python3-venv for that; it is installed when missing).
pub fn setup(env: &Env) -> Result<()> {
    env.step(
        &format!("setup: schemathesis {SCHEMATHESIS_VERSION} (PyPI, in a venv)"),
        || {
            let bin = schemathesis(env);
            let have = env.read(&bin.to_string_lossy(), &["--version"]);
            if have.is_some_and(|v| v.contains(SCHEMATHESIS_VERSION)) {
                return Ok("already installed".into());
            }
            let dir = venv(env);
            let _ = std::fs::remove_dir_all(&dir);
            let made = env.run(
                env.cmd("python3").args(["-m", "venv"]).arg(&dir),
                "install python3-venv (apt-get install -y python3-venv)",
            );
            if made.is_err() {
                let _ = std::fs::remove_dir_all(&dir);
                env.run(
                    env.cmd("apt-get").args([
                        "install",
                        "-y",
                        "--no-install-recommends",
                        "python3-venv",
                    ]),
                    "run `apt-get install -y python3-venv` as root, then this command again",
                )?;
                env.run(
                    env.cmd("python3").args(["-m", "venv"]).arg(&dir),
                    "check that python3 -m venv works",
                )?;
            }
            env.run(
                Command::new(dir.join("bin").join("pip"))
                    .args(["install", "--quiet", "--disable-pip-version-check"])
                    .arg(format!("schemathesis=={SCHEMATHESIS_VERSION}"))
                    .stdin(Stdio::null()),
                "check that PyPI is reachable",
            )?;
            Ok("installed".into())
        },
    )
}

fn free_port() -> Result<u16> {
    let l =
        TcpListener::bind("127.0.0.1:0").map_err(|e| Error::new(format!("no free port: {e}")))?;
    Ok(l.local_addr()
        .map_err(|e| Error::new(e.to_string()))?
        .port())
}

/// The release collector on 127.0.0.1 with the example config, the limits
/// off (guessing throttles would answer 429 to the tester's wrong tokens).
fn start_collector(env: &Env, dir: &std::path::Path) -> Result<(Child, String)> {
    let port = free_port()?;
    let base = format!("http://127.0.0.1:{port}");
    let bin = env.target_dir.join("release").join("touchpoint");
    let child = env
        .cmd(&bin.to_string_lossy())
        .args([
            "serve",
            "--config",
            "examples/touchpoint.json",
            "--widget-dir",
            "dist",
        ])
        .arg("--db")
        .arg(dir.join("api.db"))
        .args(["--addr", &format!("127.0.0.1:{port}")])
        .args([
            "--rate-limit",
            "0",
            "--config-rate-limit",
            "0",
            "--login-rate-limit",
            "0",
        ])
        .args(["--auth-failures-per-ip", "0", "--auth-failures-global", "0"])
        .env("TOUCHPOINT_ADMIN_TOKEN", TOKEN)
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(dir.join("collector.log"))
                .map_err(|e| Error::new(e.to_string()))?,
        )
        .spawn()
        .map_err(|e| Error::new(format!("cannot start {}: {e}", bin.display())))?;
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if started.elapsed() > Duration::from_secs(30) {
            return Err(Error::new(format!(
                "the collector did not listen within 30 s: see {}",
                dir.join("collector.log").display()
            )));
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok((child, base))
}

pub fn run(env: &Env) -> Result<()> {
    env.step("test: the API against its OpenAPI document (schemathesis, all checks)", || {
        let dir = std::env::temp_dir().join(format!("touchpoint-api-check-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| Error::new(e.to_string()))?;
        let (mut child, base) = start_collector(env, &dir)?;
        let result = env.run(
            Command::new(schemathesis(env))
                .current_dir(&dir)
                .arg("--no-color")
                .arg("--config-file")
                .arg(env.repo.join("tests/api/schemathesis.toml"))
                .args(["run", &format!("{base}/v1/openapi.json")])
                .args(["-H", &format!("Authorization: Bearer {TOKEN}")])
                .args(["--checks", "all", "--max-examples", "30", "--max-time", "150"])
                .args(["--seed", SEED, "--workers", "1"])
                // The JSON API; the dashboard pages and forms are for people
                // (tested in Chromium), the static files have no contract.
                .args(["--include-path-regex", "^/(v1/|healthz)"])
                .stdin(Stdio::null()),
            "a request the OpenAPI document allows was answered otherwise: the output above has a curl line to reproduce it",
        );
        let _ = child.kill();
        let _ = child.wait();
        let _ = std::fs::remove_dir_all(&dir);
        result.map(|()| "0 failures".into())
    })
}
