//! Running child processes with the project's environment, and timing steps.

use std::cell::RefCell;
use std::ffi::{OsStr, OsString};
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A failure with a message that says what went wrong and what to do.
#[derive(Debug)]
pub struct Error(String);

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Error(message.into())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

pub type Result<T> = std::result::Result<T, Error>;

/// Where things are, and the environment every child process gets.
pub struct Env {
    /// Repository root (the workspace).
    pub repo: PathBuf,
    /// `~/.cargo/bin` (or `$CARGO_HOME/bin`), where `cargo install` puts tools.
    pub cargo_bin: PathBuf,
    /// Cargo's target directory (`$CARGO_TARGET_DIR` or `<repo>/target`).
    pub target_dir: PathBuf,
    path: OsString,
    timings: RefCell<Vec<(String, Duration)>>,
}

impl Env {
    pub fn new() -> Self {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask lives in <repo>/xtask")
            .to_path_buf();
        let cargo_home = std::env::var_os("CARGO_HOME")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cargo")))
            .unwrap_or_else(|| PathBuf::from(".cargo"));
        let cargo_bin = cargo_home.join("bin");
        let target_dir = std::env::var_os("CARGO_TARGET_DIR")
            .map(|d| repo.join(d))
            .unwrap_or_else(|| repo.join("target"));
        // Tools we install come first: trunk must find wasm-bindgen from
        // ~/.cargo/bin and wasm-opt from node_modules/.bin (Debian's breaks modules).
        let mut dirs = vec![cargo_bin.clone(), repo.join("node_modules").join(".bin")];
        if let Some(old) = std::env::var_os("PATH") {
            dirs.extend(std::env::split_paths(&old));
        }
        let path = std::env::join_paths(dirs).expect("PATH entries contain no ':'");
        Env {
            repo,
            cargo_bin,
            target_dir,
            path,
            timings: RefCell::new(Vec::new()),
        }
    }

    /// A command run in the repository with the project's PATH, no stdin.
    pub fn cmd(&self, program: &str) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(&self.repo)
            .env("PATH", &self.path)
            .env("DEBIAN_FRONTEND", "noninteractive")
            .env("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")
            .stdin(Stdio::null());
        if std::env::var_os("CHROMEDRIVER").is_none() {
            cmd.env("CHROMEDRIVER", "/usr/bin/chromedriver");
        }
        cmd
    }

    /// Run `cmd` with its output shown; a failure names the command and `hint`.
    pub fn run(&self, cmd: &mut Command, hint: &str) -> Result<()> {
        let line = display(cmd);
        println!("    $ {line}");
        let status = cmd
            .status()
            .map_err(|e| Error::new(format!("cannot start `{line}`: {e}\n  what to do: {hint}")))?;
        if status.success() {
            Ok(())
        } else {
            Err(Error::new(format!(
                "`{line}` failed ({status})\n  what to do: {hint}"
            )))
        }
    }

    /// The trimmed stdout of `program args…` if it runs and succeeds.
    pub fn read(&self, program: &str, args: &[&str]) -> Option<String> {
        let out = self
            .cmd(program)
            .args(args)
            .stderr(Stdio::null())
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Run one named step: print its name, then what it did and how long it took.
    pub fn step(&self, name: &str, f: impl FnOnce() -> Result<String>) -> Result<()> {
        println!("==> {name}");
        let start = Instant::now();
        let result = f();
        let took = start.elapsed();
        self.timings.borrow_mut().push((name.to_string(), took));
        match result {
            Ok(done) => {
                println!("    {done} ({})", secs(took));
                Ok(())
            }
            Err(e) => {
                println!("    FAILED after {}", secs(took));
                Err(e)
            }
        }
    }

    /// Print every step run so far with its duration.
    pub fn summary(&self) {
        let timings = self.timings.borrow();
        let total: Duration = timings.iter().map(|(_, d)| *d).sum();
        println!("\nsteps:");
        for (name, took) in timings.iter() {
            println!("  {:>10}  {name}", secs(*took));
        }
        println!("  {:>10}  total", secs(total));
    }
}

/// `1.2 s` / `3 min 04 s`.
pub fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s < 60.0 {
        format!("{s:.1} s")
    } else {
        format!("{} min {:02} s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

/// The command line as a user would type it (program, args; no env).
pub fn display(cmd: &Command) -> String {
    std::iter::once(cmd.get_program())
        .chain(cmd.get_args())
        .map(quote)
        .collect::<Vec<_>>()
        .join(" ")
}

fn quote(arg: &OsStr) -> String {
    let s = arg.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=+@,".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_quotes_only_what_needs_it() {
        let mut cmd = Command::new("cargo");
        cmd.args(["+1.96.1", "install", "a b", "it's"]);
        assert_eq!(display(&cmd), r"cargo +1.96.1 install 'a b' 'it'\''s'");
    }

    #[test]
    fn secs_formats_short_and_long() {
        assert_eq!(secs(Duration::from_millis(1234)), "1.2 s");
        assert_eq!(secs(Duration::from_secs(184)), "3 min 04 s");
    }
}
