//! `cargo xtask setup`: install what is missing, skip what is already there.
//!
//! Everything Trunk needs is installed up front because Trunk runs offline
//! (`offline = true` in Trunk.toml): it must never try to download
//! wasm-bindgen or wasm-opt. Versions and recipes: shared/TOOLCHAIN.md.

use crate::shell::{Env, Error, Result};
use std::fs;
use std::path::Path;
use std::time::SystemTime;

pub const TRUNK_VERSION: &str = "0.22.1";
/// trunk 0.22 declares rust-version 1.96.1; stable here may be older.
const TRUNK_RUSTC: &str = "1.96.1";
const WASM_TARGET: &str = "wasm32-unknown-unknown";
/// The dated nightly the release wasm is built with (`-Zbuild-std` and
/// flags that only nightly takes; see `tasks::widget_release`). Pinned so a
/// new nightly can never change the shipped bytes or break the build.
pub const WIDGET_NIGHTLY: &str = "nightly-2026-05-20";
const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

pub fn run(env: &Env) -> Result<()> {
    wasm_target(env)?;
    widget_nightly(env)?;
    trunk(env)?;
    wasm_bindgen_cli(env)?;
    system_packages(env)?;
    crate::api_check::setup(env)?;
    npm_packages(env)
}

/// `rustup target add wasm32-unknown-unknown` (RUSTUP_AUTO_INSTALL=0 here,
/// so nothing installs it implicitly).
fn wasm_target(env: &Env) -> Result<()> {
    env.step(&format!("setup: Rust target {WASM_TARGET}"), || {
        let sysroot = env.read("rustc", &["--print", "sysroot"]).ok_or_else(|| {
            Error::new("`rustc` not found: install Rust with rustup (https://rustup.rs)")
        })?;
        let lib = Path::new(&sysroot).join("lib/rustlib").join(WASM_TARGET);
        if lib.is_dir() {
            return Ok("already installed".into());
        }
        env.run(
            env.cmd("rustup").args(["target", "add", WASM_TARGET]),
            "check that rustup can reach static.rust-lang.org",
        )?;
        Ok("installed".into())
    })
}

/// The pinned nightly with `rust-src` (build-std compiles std from it), and
/// std's own dependencies fetched: Trunk runs cargo `--offline`.
fn widget_nightly(env: &Env) -> Result<()> {
    env.step(
        &format!("setup: Rust {WIDGET_NIGHTLY} + rust-src (release wasm)"),
        || {
            let plus = format!("+{WIDGET_NIGHTLY}");
            let library = |sysroot: &str| Path::new(sysroot).join("lib/rustlib/src/rust/library");
            let have = env
                .read("rustc", &[&plus, "--print", "sysroot"])
                .map(|s| library(&s))
                .filter(|l| l.join("Cargo.lock").is_file());
            let (library, done) = match have {
                Some(l) => (l, "already installed"),
                None => {
                    env.run(
                        env.cmd("rustup").args([
                            "toolchain",
                            "install",
                            WIDGET_NIGHTLY,
                            "--profile",
                            "minimal",
                            "--component",
                            "rust-src",
                        ]),
                        "check that rustup can reach static.rust-lang.org",
                    )?;
                    let sysroot = env
                        .read("rustc", &[&plus, "--print", "sysroot"])
                        .ok_or_else(|| Error::new(format!("{WIDGET_NIGHTLY} did not install")))?;
                    (library(&sysroot), "installed")
                }
            };
            env.run(
                env.cmd("cargo")
                    .args([&plus, "fetch", "--manifest-path"])
                    .arg(library.join("Cargo.toml")),
                "check that crates.io is reachable (std's dependencies are fetched once)",
            )?;
            Ok(done.into())
        },
    )
}

/// trunk 0.22.1, built with rustc 1.96.1 (its minimum).
fn trunk(env: &Env) -> Result<()> {
    env.step(&format!("setup: trunk {TRUNK_VERSION}"), || {
        let want = format!("trunk {TRUNK_VERSION}");
        if env.read("trunk", &["--version"]).as_deref() == Some(want.as_str()) {
            return Ok("already installed".into());
        }
        let toolchains = env
            .read("rustup", &["toolchain", "list"])
            .unwrap_or_default();
        if !toolchains.lines().any(|l| l.starts_with(TRUNK_RUSTC)) {
            env.run(
                env.cmd("rustup").args([
                    "toolchain",
                    "install",
                    TRUNK_RUSTC,
                    "--profile",
                    "minimal",
                ]),
                "check that rustup can reach static.rust-lang.org",
            )?;
        }
        env.run(
            install_cmd(env, Some(TRUNK_RUSTC)).args([
                "--locked",
                "trunk",
                "--version",
                TRUNK_VERSION,
            ]),
            "check that crates.io is reachable; the build takes about 8 minutes on 2 cores",
        )?;
        expect_version(env, "trunk", &want)?;
        Ok("installed (with rustc 1.96.1)".into())
    })
}

/// wasm-bindgen-cli equal to the `wasm-bindgen` in Cargo.lock; it also
/// provides `wasm-bindgen-test-runner`. Not `--locked`: its lockfile wants a
/// webpki-roots the registry here does not have.
fn wasm_bindgen_cli(env: &Env) -> Result<()> {
    let version = locked_version(&env.repo.join("Cargo.lock"), "wasm-bindgen")?;
    env.step(&format!("setup: wasm-bindgen-cli {version}"), || {
        let want = format!("wasm-bindgen {version}");
        let runner = format!("wasm-bindgen-test-runner {version}");
        if env.read("wasm-bindgen", &["--version"]).as_deref() == Some(want.as_str())
            && env
                .read("wasm-bindgen-test-runner", &["--version"])
                .as_deref()
                == Some(runner.as_str())
        {
            return Ok("already installed".into());
        }
        env.run(
            install_cmd(env, None).args(["--force", "wasm-bindgen-cli", "--version", &version]),
            "check that crates.io is reachable; the build takes about 2 minutes on 2 cores",
        )?;
        expect_version(env, "wasm-bindgen", &want)?;
        Ok("installed".into())
    })
}

/// Debian's Chromium and its matching chromedriver, PostgreSQL for the
/// collector's second database (and Node.js if absent).
fn system_packages(env: &Env) -> Result<()> {
    env.step(
        "setup: Chromium, chromedriver, PostgreSQL, Node.js (apt)",
        || {
            let mut missing = Vec::new();
            if !Path::new(CHROMIUM).exists() {
                missing.push("chromium");
            }
            if !Path::new(CHROMEDRIVER).exists() {
                missing.push("chromium-driver");
            }
            if !postgres_installed() {
                missing.push("postgresql");
            }
            if env.read("node", &["--version"]).is_none() {
                missing.push("nodejs");
            }
            if env.read("npm", &["--version"]).is_none() {
                missing.push("npm");
            }
            if missing.is_empty() {
                return Ok("already installed".into());
            }
            let hint = format!(
                "run `apt-get install -y {}` as root, then run this command again",
                missing.join(" ")
            );
            env.run(&mut apt(env, &["update"])?, &hint)?;
            let mut install = vec!["install", "-y", "--no-install-recommends"];
            install.extend(&missing);
            env.run(&mut apt(env, &install)?, &hint)?;
            Ok(format!("installed {}", missing.join(", ")))
        },
    )
}

/// Whether Debian's PostgreSQL server binaries (`/usr/lib/postgresql/<v>/bin/initdb`) are there.
fn postgres_installed() -> bool {
    std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .any(|e| e.path().join("bin").join("initdb").is_file())
}

/// `npm ci` when node_modules is missing or older than package-lock.json.
fn npm_packages(env: &Env) -> Result<()> {
    env.step("setup: npm dev dependencies (package-lock.json)", || {
        let lock = env.repo.join("package-lock.json");
        let installed = env.repo.join("node_modules/.package-lock.json");
        let wasm_opt = env.repo.join("node_modules/.bin/wasm-opt");
        let fresh = match (modified(&installed), modified(&lock)) {
            (Some(node_modules), Some(lock)) => node_modules >= lock,
            _ => false,
        };
        if fresh && wasm_opt.exists() {
            return Ok("already installed".into());
        }
        env.run(
            env.cmd("npm").args(["ci", "--no-audit", "--no-fund"]),
            "check that the npm registry is reachable (browsers are never downloaded)",
        )?;
        Ok("installed".into())
    })
}

/// `cargo [+toolchain] install` into ~/.cargo/bin, independent of the
/// project's target dir and of the toolchain cargo was started with.
fn install_cmd(env: &Env, toolchain: Option<&str>) -> std::process::Command {
    let mut cmd = env.cmd("cargo");
    cmd.env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTUP_TOOLCHAIN");
    if let Some(t) = toolchain {
        cmd.arg(format!("+{t}"));
    }
    cmd.arg("install");
    cmd
}

/// apt-get, through `sudo -n` when not root (never prompts: stdin is closed).
fn apt(env: &Env, args: &[&str]) -> Result<std::process::Command> {
    let root = env.read("id", &["-u"]).as_deref() == Some("0");
    let mut cmd = if root {
        env.cmd("apt-get")
    } else if env.read("sudo", &["-n", "true"]).is_some() {
        let mut c = env.cmd("sudo");
        c.args(["-n", "--preserve-env=DEBIAN_FRONTEND", "apt-get"]);
        c
    } else {
        return Err(Error::new(format!(
            "installing system packages needs root: run `sudo apt-get {}` yourself, \
             or run as root / with passwordless sudo",
            args.join(" ")
        )));
    };
    cmd.args(["-q", "-o", "Dpkg::Use-Pty=0"]).args(args);
    Ok(cmd)
}

fn expect_version(env: &Env, program: &str, want: &str) -> Result<()> {
    match env.read(program, &["--version"]) {
        Some(got) if got == want => Ok(()),
        got => Err(Error::new(format!(
            "after installing, `{program} --version` says {got:?}, expected {want:?}: \
             another {program} earlier on PATH? {} must come first",
            env.cargo_bin.display()
        ))),
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    fs::metadata(path).and_then(|m| m.modified()).ok()
}

/// The version of `package` recorded in Cargo.lock.
pub fn locked_version(lock: &Path, package: &str) -> Result<String> {
    let text = fs::read_to_string(lock).map_err(|e| {
        Error::new(format!(
            "cannot read {}: {e} (run `cargo generate-lockfile`)",
            lock.display()
        ))
    })?;
    parse_locked_version(&text, package).ok_or_else(|| {
        Error::new(format!(
            "{} has no `{package}` package: run `cargo generate-lockfile` in the repository",
            lock.display()
        ))
    })
}

fn parse_locked_version(lock: &str, package: &str) -> Option<String> {
    let name_line = format!("name = \"{package}\"");
    let mut lines = lock.lines().map(str::trim);
    while let Some(line) = lines.next() {
        if line == name_line {
            let version = lines.next()?.strip_prefix("version = \"")?;
            return Some(version.trim_end_matches('"').to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"
[[package]]
name = "wasm-bindgen-futures"
version = "0.4.53"

[[package]]
name = "wasm-bindgen"
version = "0.2.130"
source = "registry+https://github.com/rust-lang/crates.io-index"
"#;

    #[test]
    fn reads_the_exact_package_not_a_prefix() {
        assert_eq!(
            parse_locked_version(LOCK, "wasm-bindgen").as_deref(),
            Some("0.2.130")
        );
        assert_eq!(
            parse_locked_version(LOCK, "wasm-bindgen-futures").as_deref(),
            Some("0.4.53")
        );
        assert_eq!(parse_locked_version(LOCK, "yew"), None);
    }

    #[test]
    fn the_workspace_lock_pins_wasm_bindgen() {
        let lock = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.lock");
        let version = locked_version(&lock, "wasm-bindgen").unwrap();
        assert!(version.starts_with("0.2."), "{version}");
    }
}
