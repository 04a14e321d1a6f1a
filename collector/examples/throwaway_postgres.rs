//! A throwaway PostgreSQL cluster for the collector's tests, from Debian's
//! `postgresql` package: initdb in a folder, listen on 127.0.0.1 only,
//! trust auth, fsync off unless `--durable`.
//!
//! ```text
//! cargo run -p touchpoint-collector --example throwaway_postgres -- start target/pg
//! # prints postgres://postgres@127.0.0.1:<port>/touchpoint_test
//! TOUCHPOINT_TEST_POSTGRES=<that url> cargo test -p touchpoint-collector
//! cargo run -p touchpoint-collector --example throwaway_postgres -- stop target/pg
//! ```

#[path = "support/throwaway_pg.rs"]
mod throwaway_pg;

use std::path::Path;
use std::process::ExitCode;
use throwaway_pg::Durability;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["start", dir] => start(dir, Durability::Off),
        ["start", dir, "--durable"] => start(dir, Durability::Full),
        ["stop", dir] => throwaway_pg::stop(Path::new(dir)),
        _ => Err("usage: throwaway_postgres start <folder> [--durable] | stop <folder>".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn start(dir: &str, durability: Durability) -> Result<(), String> {
    throwaway_pg::start(Path::new(dir), durability).map(|url| println!("{url}"))
}
