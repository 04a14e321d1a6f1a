//! A throwaway PostgreSQL cluster from Debian's `postgresql` package: initdb
//! in a folder, listen on 127.0.0.1 only, trust auth. Shared by the
//! `throwaway_postgres` example (tests) and `ingest_bench` (benchmark).
//!
//! As root (initdb refuses root) the server runs as the `postgres` user,
//! which then owns the folder.

use std::path::{Path, PathBuf};
use std::process::Command;

const DATABASE: &str = "touchpoint_test";

/// How much a commit promises.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Durability {
    /// fsync and synchronous_commit off: fast, for tests.
    Off,
    /// PostgreSQL's defaults: a commit is on disk before it returns, as a
    /// 202 from the SQLite backend promises (benchmarks).
    Full,
}

/// The newest `/usr/lib/postgresql/<version>/bin`, else whatever `initdb` is on PATH.
fn bin_dir() -> Result<PathBuf, String> {
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let which = Command::new("sh")
        .args(["-c", "command -v initdb"])
        .output();
    match which {
        Ok(o) if o.status.success() => {
            let p = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            Ok(p.parent().unwrap_or(Path::new("/")).to_path_buf())
        }
        _ => Err("initdb not found: install PostgreSQL (apt-get install postgresql)".into()),
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs `program args…`, as `postgres` when we are root.
fn run(program: &Path, args: &[&str]) -> Result<(), String> {
    let mut cmd = if is_root() {
        let quoted: Vec<String> = std::iter::once(program.display().to_string())
            .chain(args.iter().map(|a| a.to_string()))
            .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
            .collect();
        let mut c = Command::new("su");
        c.args(["postgres", "-s", "/bin/sh", "-c", &quoted.join(" ")]);
        c
    } else {
        let mut c = Command::new(program);
        c.args(args);
        c
    };
    let out = cmd
        .output()
        .map_err(|e| format!("{}: {e}", program.display()))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{} {} failed:\n{}{}",
            program.display(),
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

fn free_port() -> Result<u16, String> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

/// Starts a cluster in `dir` (created if needed); returns its URL.
pub fn start(dir: &Path, durability: Durability) -> Result<String, String> {
    let bin = bin_dir()?;
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let dir = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    if is_root() {
        let ok = Command::new("chown")
            .args(["-R", "postgres", dir.to_str().unwrap_or("")])
            .status()
            .is_ok_and(|s| s.success());
        if !ok {
            return Err(format!(
                "cannot hand {} to the postgres user",
                dir.display()
            ));
        }
    }
    let data = dir.join("data");
    let d = |p: &Path| p.to_str().unwrap_or("").to_string();
    if !data.join("PG_VERSION").is_file() {
        run(
            &bin.join("initdb"),
            &[
                "-D",
                &d(&data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
                "-E",
                "UTF8",
            ],
        )?;
    }
    let port = free_port()?;
    let mut options = format!("-p {port} -c listen_addresses=127.0.0.1 -k {}", d(&dir));
    if durability == Durability::Off {
        options.push_str(" -c fsync=off -c synchronous_commit=off");
    }
    run(
        &bin.join("pg_ctl"),
        &[
            "-D",
            &d(&data),
            "-l",
            &d(&dir.join("log")),
            "-o",
            &options,
            "-w",
            "start",
        ],
    )?;
    std::fs::write(dir.join("port"), port.to_string()).map_err(|e| e.to_string())?;
    let port_s = port.to_string();
    run(
        &bin.join("createdb"),
        &["-h", "127.0.0.1", "-p", &port_s, "-U", "postgres", DATABASE],
    )?;
    Ok(format!("postgres://postgres@127.0.0.1:{port}/{DATABASE}"))
}

/// Stops the cluster in `dir`.
pub fn stop(dir: &Path) -> Result<(), String> {
    let bin = bin_dir()?;
    let data = dir.join("data");
    run(
        &bin.join("pg_ctl"),
        &[
            "-D",
            data.to_str().unwrap_or(""),
            "-m",
            "fast",
            "-w",
            "stop",
        ],
    )
}
