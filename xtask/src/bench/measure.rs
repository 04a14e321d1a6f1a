//! Raw, `gzip -9 -n` (GNU gzip) and brotli -q 11 (node's zlib) sizes.

use crate::shell::{Env, Error, Result};
use std::fs;
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Default)]
pub struct Sizes {
    pub raw: u64,
    pub gzip: u64,
    pub brotli: u64,
}

impl std::ops::Add for Sizes {
    type Output = Sizes;
    fn add(self, o: Sizes) -> Sizes {
        Sizes {
            raw: self.raw + o.raw,
            gzip: self.gzip + o.gzip,
            brotli: self.brotli + o.brotli,
        }
    }
}

/// One measured file.
pub struct Measured {
    pub name: String,
    pub sizes: Sizes,
}

/// raw, `gzip -9 -n` and brotli -q 11 sizes of each file.
pub fn measure(env: &Env, files: &[PathBuf]) -> Result<Vec<Measured>> {
    let brotli = brotli_sizes(env, files)?;
    files
        .iter()
        .zip(brotli)
        .map(|(file, brotli)| {
            let raw = fs::metadata(file)
                .map_err(|e| Error::new(format!("{}: {e}", file.display())))?
                .len();
            let gzip = gzip_size(env, file)?;
            let name = file
                .strip_prefix(&env.repo)
                .unwrap_or(file)
                .to_string_lossy()
                .replace("target/bench/npm/", "");
            Ok(Measured {
                name,
                sizes: Sizes { raw, gzip, brotli },
            })
        })
        .collect()
}

fn gzip_size(env: &Env, file: &Path) -> Result<u64> {
    let out = env
        .cmd("gzip")
        .args(["-9", "-n", "-c"])
        .arg(file)
        .output()
        .map_err(|e| Error::new(format!("cannot run gzip: {e} (apt-get install gzip)")))?;
    if !out.status.success() {
        return Err(Error::new(format!("gzip -9 {} failed", file.display())));
    }
    Ok(out.stdout.len() as u64)
}

const BROTLI_JS: &str = "const z = require('zlib'), fs = require('fs');
for (const f of process.argv.slice(1)) {
  const b = fs.readFileSync(f), c = z.constants;
  console.log(z.brotliCompressSync(b, { params: { [c.BROTLI_PARAM_QUALITY]: 11,
    [c.BROTLI_PARAM_LGWIN]: 24, [c.BROTLI_PARAM_SIZE_HINT]: b.length } }).length);
}";

fn brotli_sizes(env: &Env, files: &[PathBuf]) -> Result<Vec<u64>> {
    let out = env
        .cmd("node")
        .args(["-e", BROTLI_JS])
        .args(files)
        .output()
        .map_err(|e| Error::new(format!("cannot run node: {e} (run `cargo xtask setup`)")))?;
    let text = String::from_utf8_lossy(&out.stdout);
    let sizes: Vec<u64> = text.lines().filter_map(|l| l.trim().parse().ok()).collect();
    if !out.status.success() || sizes.len() != files.len() {
        return Err(Error::new(format!(
            "brotli through node failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(sizes)
}

pub fn total(files: &[Measured]) -> Sizes {
    files.iter().fold(Sizes::default(), |acc, m| acc + m.sizes)
}

/// brotli -q 11 bytes of the embed in dist/ (the bench's own measure), for
/// the size guard of `cargo xtask test`.
pub fn embed_brotli(env: &Env) -> Result<u64> {
    let files = embed_files(&env.repo.join("dist"))?;
    Ok(total(&measure(env, &files)?).brotli)
}

/// The embed: the bootstrap, the wasm-bindgen glue, the wasm, any CSS and
/// wasm-bindgen snippets — everything in dist/ except the demo shop page.
pub fn embed_files(dist: &Path) -> Result<Vec<PathBuf>> {
    let missing = || {
        Error::new(format!(
            "{} has no built widget: run `cargo xtask build`",
            dist.display()
        ))
    };
    let mut files = Vec::new();
    walk(dist, &mut files).map_err(|_| missing())?;
    files.retain(|f| {
        let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
        name.starts_with("touchpoint") || f.starts_with(dist.join("snippets"))
    });
    files.retain(|f| {
        matches!(
            f.extension().and_then(|e| e.to_str()),
            Some("js" | "wasm" | "css")
        )
    });
    files.sort();
    let has = |ext: &str| {
        files
            .iter()
            .any(|f| f.extension().is_some_and(|e| e == ext))
    };
    if !dist.join("touchpoint.js").exists() || !has("wasm") {
        return Err(missing());
    }
    Ok(files)
}

fn walk(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}
