//! `cargo xtask <command>`: build, test and demo automation for Touchpoint
//! (matklad's cargo-xtask convention; alias in `.cargo/config.toml`).
//!
//! Every command first installs what is missing (`setup`), prints each step
//! with its duration, and stops at the first failure with a message that says
//! what to do.

mod api_check;
mod bench;
mod build;
mod setup;
mod shell;
mod tasks;

use std::process::ExitCode;

const USAGE: &str = "\
usage: cargo xtask <command>

commands:
  setup   install what is missing: wasm32 target, trunk 0.22.1, wasm-bindgen-cli
          (= the wasm-bindgen version in Cargo.lock), Chromium + chromedriver,
          npm dev dependencies (playwright-core, binaryen's wasm-opt)
  build   setup, then the release widget (trunk build --release → dist/) and
          the release collector (target/release/touchpoint)
  test    setup, native tests, release build, the API against its OpenAPI
          document (schemathesis), wasm-bindgen-test in headless Chromium,
          Playwright end-to-end tests against the release build
  api     the release collector against its OpenAPI document (schemathesis,
          all checks, bounded); `cargo xtask build` first
  demo    build, then serve the demo shop with examples/touchpoint.json
          [--addr 127.0.0.1:8080] until Ctrl-C
  bench   build, then measure embed bytes against peer survey widgets
          (table + target/bench/results.json)
";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("setup") => no_more_args(&args).and_then(|()| setup::run(&shell::Env::new())),
        Some("build") => no_more_args(&args).and_then(|()| tasks::build(&shell::Env::new())),
        Some("test") => no_more_args(&args).and_then(|()| tasks::test(&shell::Env::new())),
        Some("demo") => {
            demo_addr(&args[1..]).and_then(|addr| tasks::demo(&shell::Env::new(), &addr))
        }
        Some("api") => no_more_args(&args).and_then(|()| {
            let env = shell::Env::new();
            api_check::setup(&env).and_then(|()| api_check::run(&env))
        }),
        Some("bench") => no_more_args(&args).and_then(|()| bench::run(&shell::Env::new())),
        Some("help" | "-h" | "--help") => {
            print!("{USAGE}");
            Ok(())
        }
        Some(other) => Err(shell::Error::new(format!(
            "unknown command `{other}`: run `cargo xtask help` for the list"
        ))),
        None => {
            eprint!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("\nxtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn no_more_args(args: &[String]) -> shell::Result<()> {
    match args.get(1) {
        None => Ok(()),
        Some(extra) => Err(shell::Error::new(format!(
            "`cargo xtask {}` takes no argument `{extra}`: run `cargo xtask help`",
            args[0]
        ))),
    }
}

/// `demo [--addr HOST:PORT]`, default 127.0.0.1:8080.
fn demo_addr(args: &[String]) -> shell::Result<String> {
    match args {
        [] => Ok(tasks::DEMO_ADDR.to_string()),
        [flag, addr] if flag == "--addr" => Ok(addr.clone()),
        _ => Err(shell::Error::new(
            "usage: cargo xtask demo [--addr 127.0.0.1:8080]",
        )),
    }
}
