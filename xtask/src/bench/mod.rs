//! `cargo xtask bench` (issue 7, parts 1–2): the bytes a host page downloads,
//! ours beside the peers' npm tarballs, measured in the same run.
//!
//! gzip is GNU `gzip -9 -n` (what people quote); brotli is quality 11,
//! window 24 through Node's zlib (the reference brotli library, same numbers
//! as `brotli -q 11`). Prints a table and writes target/bench/results.json.

mod json;
pub mod measure;
mod peers;

use crate::shell::{Env, Error, Result};
use crate::{build, setup};
use json::Json;
use measure::{embed_files, measure, total, Measured, Sizes};
use peers::{peer_files, Peer, PEERS};
use std::fs;

/// Targets from issue 7 (KB = 1000 bytes, as the peer numbers are quoted).
const EMBED_TARGET_BROTLI: u64 = 60_000;
const NO_SURVEY_TARGET_BROTLI: u64 = 2_000;

pub fn run(env: &Env) -> Result<()> {
    setup::run(env)?;
    build::release(env)?;
    let out = env.target_dir.join("bench");
    fs::create_dir_all(&out)
        .map_err(|e| Error::new(format!("cannot create {}: {e}", out.display())))?;

    let mut embed = Vec::new();
    env.step("bench: embed bytes (dist/)", || {
        embed = measure(env, &embed_files(&env.repo.join("dist"))?)?;
        Ok(format!("{} files", embed.len()))
    })?;
    let mut no_survey = Vec::new();
    env.step(
        "bench: page view with no survey due (bootstrap + config)",
        || {
            // The config as GET /v1/config serves it (compact), not the pretty file.
            let served = out.join("served").join("v1-config.json");
            env.run(
                env.cmd("node")
                    .arg("xtask/src/bench/served.mjs")
                    .arg(&served)
                    .env(
                        "TOUCHPOINT_BIN",
                        env.target_dir.join("release").join("touchpoint"),
                    )
                    .env("TOUCHPOINT_WIDGET_DIR", env.repo.join("dist")),
                "could not fetch the served config: see the output above",
            )?;
            no_survey = measure(env, &[env.repo.join("dist/touchpoint.js"), served])?;
            Ok("measured".into())
        },
    )?;
    let mut peers = Vec::new();
    env.step("bench: peer bundles (npm pack, pinned versions)", || {
        for peer in PEERS {
            let files = peer_files(env, &out.join("npm"), peer)?;
            peers.push((peer, measure(env, &files)?));
        }
        Ok(format!("{} peers", peers.len()))
    })?;

    let embed_total = total(&embed);
    let no_survey_total = total(&no_survey);
    print_table(&embed, embed_total, &no_survey, no_survey_total, &peers);
    let json = results_json(
        env,
        &embed,
        embed_total,
        &no_survey,
        no_survey_total,
        &peers,
    );
    let path = out.join("results.json");
    fs::write(&path, json.to_string() + "\n")
        .map_err(|e| Error::new(format!("cannot write {}: {e}", path.display())))?;
    println!("\nwrote {}", path.display());
    env.step(
        "bench: survey painted (paint.mjs, headless Chromium)",
        || {
            env.run(
                env.cmd("node")
                    .arg("xtask/src/bench/paint.mjs")
                    .env(
                        "TOUCHPOINT_BIN",
                        env.target_dir.join("release").join("touchpoint"),
                    )
                    .env("TOUCHPOINT_WIDGET_DIR", env.repo.join("dist"))
                    .env("TOUCHPOINT_BENCH_OUT", &out),
                "the paint benchmark failed: see its output above",
            )?;
            Ok("measured".into())
        },
    )?;
    env.step(
        "bench: collector ingestion (ingest_bench, SQLite and PostgreSQL)",
        || {
            env.run(
                env.cmd("cargo")
                    .args(["run", "--release", "-q", "-p", "touchpoint-collector"])
                    .args(["--example", "ingest_bench", "--", "--bin"])
                    .arg(env.target_dir.join("release").join("touchpoint"))
                    .arg("--out")
                    .arg(out.join("results.json")),
                "the ingestion benchmark failed: see its output above",
            )?;
            Ok("measured".into())
        },
    )
}

fn print_table(
    embed: &[Measured],
    embed_total: Sizes,
    no_survey: &[Measured],
    no_survey_total: Sizes,
    peers: &[(&Peer, Vec<Measured>)],
) {
    let row = |name: &str, s: Sizes, extra: &str| {
        println!(
            "{name:<64} {:>9} {:>9} {:>9}  {extra}",
            s.raw, s.gzip, s.brotli
        );
    };
    println!(
        "\n{:<64} {:>9} {:>9} {:>9}",
        "bytes", "raw", "gzip -9", "brotli 11"
    );
    println!("-- Touchpoint embed (shows a survey)");
    for m in embed {
        row(&m.name, m.sizes, "");
    }
    row(
        "total",
        embed_total,
        &verdict(embed_total.brotli, EMBED_TARGET_BROTLI),
    );
    println!("-- page view with no survey due");
    for m in no_survey {
        row(&m.name, m.sizes, "");
    }
    row(
        "total",
        no_survey_total,
        &verdict(no_survey_total.brotli, NO_SURVEY_TARGET_BROTLI),
    );
    println!("-- peers (npm tarballs, measured now)");
    for (peer, files) in peers {
        let t = total(files);
        let label = format!("{}@{} {}", peer.package, peer.version, peer.label);
        row(
            &label,
            t,
            &format!(
                "ours/peer brotli {:.2}",
                ratio(embed_total.brotli, t.brotli)
            ),
        );
    }
}

fn verdict(got: u64, target: u64) -> String {
    let word = if got <= target { "met" } else { "MISSED" };
    format!("target ≤ {target} brotli: {word}")
}

fn ratio(ours: u64, peer: u64) -> f64 {
    ours as f64 / peer.max(1) as f64
}

fn results_json(
    env: &Env,
    embed: &[Measured],
    embed_total: Sizes,
    no_survey: &[Measured],
    no_survey_total: Sizes,
    peers: &[(&Peer, Vec<Measured>)],
) -> Json {
    let peers = peers
        .iter()
        .map(|(peer, files)| {
            let t = total(files);
            Json::obj([
                ("name", Json::str(peer.label)),
                ("package", Json::str(peer.package)),
                ("version", Json::str(peer.version)),
                ("files", json::files(files)),
                ("total", json::sizes(t)),
                (
                    "ours_over_peer_brotli",
                    Json::Num(ratio(embed_total.brotli, t.brotli)),
                ),
            ])
        })
        .collect();
    Json::obj([
        (
            "date",
            Json::Str(
                env.read("date", &["-u", "+%Y-%m-%dT%H:%M:%SZ"])
                    .unwrap_or_default(),
            ),
        ),
        ("machine", Json::Str(json::machine(env))),
        (
            "compression",
            Json::str("gzip: GNU gzip -9 -n; brotli: quality 11, lgwin 24 (node zlib)"),
        ),
        (
            "embed",
            Json::obj([
                ("files", json::files(embed)),
                ("total", json::sizes(embed_total)),
                ("target_brotli", Json::Num(EMBED_TARGET_BROTLI as f64)),
                ("met", Json::Bool(embed_total.brotli <= EMBED_TARGET_BROTLI)),
            ]),
        ),
        (
            "no_survey_page_view",
            Json::obj([
                ("files", json::files(no_survey)),
                ("total", json::sizes(no_survey_total)),
                ("target_brotli", Json::Num(NO_SURVEY_TARGET_BROTLI as f64)),
                (
                    "met",
                    Json::Bool(no_survey_total.brotli <= NO_SURVEY_TARGET_BROTLI),
                ),
            ]),
        ),
        ("peers", Json::Arr(peers)),
    ])
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ratio_is_ours_over_peer() {
        assert!((ratio(50, 100) - 0.5).abs() < 1e-9);
        assert_eq!(
            verdict(60_000, EMBED_TARGET_BROTLI),
            "target ≤ 60000 brotli: met"
        );
        assert!(verdict(60_001, EMBED_TARGET_BROTLI).ends_with("MISSED"));
    }
}
