//! Peer survey widgets, pinned npm versions, fetched with `npm pack`.

use crate::shell::{Env, Error, Result};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;

/// A peer bundle: files (relative to the tarball's `package/`; `dir/*.js`
/// means every .js directly in dir) from a pinned npm version.
pub struct Peer {
    pub label: &'static str,
    pub package: &'static str,
    pub version: &'static str,
    pub files: &'static [&'static str],
}

const POSTHOG: &str = "posthog-js";
const SPRIG: &str = "@sprig-technologies/sprig-browser";
pub const PEERS: &[Peer] = &[
    Peer {
        label: "dist/surveys.js",
        package: POSTHOG,
        version: "1.449.2",
        files: &["dist/surveys.js"],
    },
    Peer {
        label: "dist/array.js (core)",
        package: POSTHOG,
        version: "1.449.2",
        files: &["dist/array.js"],
    },
    Peer {
        label: "surveys.js + array.js",
        package: POSTHOG,
        version: "1.449.2",
        files: &["dist/surveys.js", "dist/array.js"],
    },
    // The chunks a survey needs (view + index + core); names are per version.
    Peer {
        label: "view+index+core chunks",
        package: SPRIG,
        version: "2.50.0",
        files: &[
            "dist/view-C0flzcU1.js",
            "dist/index-BV6x5sH0.js",
            "dist/core-7nI0llaX.js",
        ],
    },
    Peer {
        label: "dist/*.js (all)",
        package: SPRIG,
        version: "2.50.0",
        files: &["dist/*.js"],
    },
    Peer {
        label: "survey-js-ui.min.js",
        package: "survey-js-ui",
        version: "2.5.38",
        files: &["survey-js-ui.min.js"],
    },
];

/// `npm pack` the pinned version into `npm_dir` once, extract the files.
pub fn peer_files(env: &Env, npm_dir: &Path, peer: &Peer) -> Result<Vec<PathBuf>> {
    let tarball = npm_dir.join(format!(
        "{}-{}.tgz",
        peer.package.trim_start_matches('@').replace('/', "-"),
        peer.version
    ));
    if !tarball.exists() {
        fs::create_dir_all(npm_dir)
            .map_err(|e| Error::new(format!("{}: {e}", npm_dir.display())))?;
        env.run(
            env.cmd("npm")
                .args([
                    "pack",
                    "--silent",
                    &format!("{}@{}", peer.package, peer.version),
                    "--pack-destination",
                ])
                .arg(npm_dir)
                .stdout(Stdio::null()),
            "check that the npm registry is reachable",
        )?;
    }
    let dir = npm_dir.join(tarball.file_stem().unwrap_or_default());
    if !dir.join("package").is_dir() {
        fs::create_dir_all(&dir).map_err(|e| Error::new(format!("{}: {e}", dir.display())))?;
        env.run(
            env.cmd("tar").arg("-xzf").arg(&tarball).arg("-C").arg(&dir),
            &format!("delete {} and run again", tarball.display()),
        )?;
    }
    let mut files = Vec::new();
    for pattern in peer.files {
        files.extend(expand(&dir.join("package"), pattern, peer)?);
    }
    Ok(files)
}

/// `dir/file.js` or `dir/*.js` (every .js directly in dir), sorted.
fn expand(root: &Path, pattern: &str, peer: &Peer) -> Result<Vec<PathBuf>> {
    let not_found = || {
        Error::new(format!(
            "{}@{} has no {pattern}: update PEERS in xtask/src/bench.rs",
            peer.package, peer.version
        ))
    };
    let Some((dir, ext)) = pattern.split_once("/*.") else {
        let file = root.join(pattern);
        return if file.is_file() {
            Ok(vec![file])
        } else {
            Err(not_found())
        };
    };
    let mut files: Vec<PathBuf> = fs::read_dir(root.join(dir))
        .map_err(|_| not_found())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|e| e == ext))
        .collect();
    files.sort();
    if files.is_empty() {
        return Err(not_found());
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expand_lists_only_direct_matches() {
        let dir = std::env::temp_dir().join(format!("xtask-bench-{}", std::process::id()));
        fs::create_dir_all(dir.join("dist/sub")).unwrap();
        for f in ["dist/a.js", "dist/b.js", "dist/c.css", "dist/sub/d.js"] {
            fs::write(dir.join(f), "x").unwrap();
        }
        let peer = &PEERS[0];
        let got = expand(&dir, "dist/*.js", peer).unwrap();
        let names: Vec<_> = got
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(names, ["a.js", "b.js"]);
        assert!(expand(&dir, "dist/missing.js", peer).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
