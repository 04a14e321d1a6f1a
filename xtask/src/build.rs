//! The release builds every command shares: the widget (Trunk, pinned
//! nightly, its own cargo profile) and the collector.

use crate::setup;
use crate::shell::{Env, Result};
use std::path::PathBuf;
use std::process::Command;

/// The release widget (dist/) and the release collector.
pub fn release(env: &Env) -> Result<()> {
    widget_release(env)?;
    collector_release(env)
}

/// The pinned nightly, std rebuilt for the wasm, and panics, panic
/// locations and `Debug` output compiled out (≈ 10 KB brotli less than
/// stable). Only the target is affected: with `--target`, RUSTFLAGS skip
/// build scripts and proc macros. A plain `trunk build --release` on stable
/// still works and gives a larger wasm.
fn widget_env(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTUP_TOOLCHAIN", setup::WIDGET_NIGHTLY)
        .env("CARGO_UNSTABLE_BUILD_STD", "std,panic_abort")
        .env(
            "RUSTFLAGS",
            "-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none -Zfmt-debug=none",
        )
}

/// `trunk build --release` → dist/ (wasm-bindgen + wasm-opt from PATH, offline).
fn widget_release(env: &Env) -> Result<()> {
    env.step(
        "build: widget, release (trunk build --release → dist/)",
        || {
            env.run(
                widget_env(&mut env.cmd("trunk")).args(["build", "--release"]),
                "read Trunk's error above; `cargo xtask setup` installs the exact wasm-bindgen \
             and wasm-opt it needs",
            )?;
            Ok("built dist/".into())
        },
    )
}

fn collector_release(env: &Env) -> Result<()> {
    env.step(
        "build: collector, release (target/release/touchpoint)",
        || {
            env.run(
                env.cmd("cargo")
                    .args(["build", "--release", "-p", "touchpoint-collector"]),
                "fix the compile error above",
            )?;
            Ok(format!("built {}", collector_bin(env).display()))
        },
    )
}

/// The release collector binary.
pub fn collector_bin(env: &Env) -> PathBuf {
    env.target_dir.join("release").join("touchpoint")
}
