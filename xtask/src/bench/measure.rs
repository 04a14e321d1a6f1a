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
