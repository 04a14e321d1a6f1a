//! The one-shot commands of the `touchpoint` binary (`main.rs` parses their
//! flags): backups and restores, erasure, export. Each opens the store,
//! does its work and closes it.

use crate::model::Erasure;
use crate::report::query::ReportQuery;
use crate::service::backup;
use crate::service::export::{self, Format};
use crate::store::{DbTarget, Store};
use std::path::Path;
use std::time::Duration;

/// Rotated copies kept by `--every` without `--keep`: two days of hourly copies.
pub const DEFAULT_KEEP: usize = 48;

/// `touchpoint backup`: one copy, or (with `--every`) one now and then one
/// each period until SIGTERM / Ctrl-C. A failed copy in the loop is
/// reported and retried at the next period; the loop goes on.
pub fn backups(
    db: &str,
    out: &Path,
    keep: Option<usize>,
    every: Option<Duration>,
) -> Result<(), String> {
    let path = backup::sqlite_path(db)?;
    let once = || {
        let written = backup::backup(&path, out, keep)?;
        println!("backup written: {}", written.path.display());
        for line in backup::describe(&written.inspection) {
            println!("  {line}");
        }
        for old in &written.removed {
            println!("removed old backup: {}", old.display());
        }
        Ok::<(), String>(())
    };
    let Some(every) = every else {
        return once();
    };
    loop {
        if let Err(e) = once() {
            tracing::error!("{e}; trying again in {every:?}");
        }
        std::thread::sleep(every);
    }
}

/// `touchpoint restore`: check, print, write.
pub fn restore(from: &Path, db: &str, force: bool) -> Result<(), String> {
    let path = backup::sqlite_path(db)?;
    let inspection = backup::restore(from, &path, force)?;
    for line in backup::describe(&inspection) {
        println!("{line}");
    }
    println!(
        "restored {} into {}; start the collector with --db {}",
        from.display(),
        path.display(),
        path.display()
    );
    Ok(())
}

/// A `--db` that must already exist: reading or deleting must not create
/// an empty SQLite database by mistake.
fn existing_db(db: &str) -> Result<(), Box<dyn std::error::Error>> {
    if let DbTarget::Sqlite(path) = DbTarget::parse(db)? {
        if !path.is_file() {
            return Err(format!(
                "--db {db}: no database there; pass the file `touchpoint serve` uses"
            )
            .into());
        }
    }
    Ok(())
}

/// `touchpoint erase`: what `DELETE /v1/respondents/{respondent}` does, as
/// the same JSON.
pub fn erase(db: &str, respondent: &str) -> Result<String, Box<dyn std::error::Error>> {
    if respondent.trim().is_empty() {
        return Err("--respondent is empty; pass the respondent id the widget sent".into());
    }
    existing_db(db)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let store = Store::open(db).map_err(|e| format!("--db {db}: {e}"))?;
        let deleted = store.erase_respondent(respondent).await;
        store.close().await;
        let erasure = Erasure {
            respondent: respondent.to_string(),
            deleted: deleted?,
        };
        Ok(serde_json::to_string(&erasure)?)
    })
}

/// `touchpoint export`: the same pages as `GET /v1/export`, to stdout.
pub fn export(
    db: &str,
    format: &str,
    query: &ReportQuery,
) -> Result<u64, Box<dyn std::error::Error>> {
    let format = Format::parse(format).map_err(|e| format!("--{e}"))?;
    let filter = export::filter(query, crate::clock::now_epoch()).map_err(|e| format!("--{e}"))?;
    existing_db(db)?;
    let rt = tokio::runtime::Runtime::new()?;
    rt.block_on(async {
        let store = Store::open(db).map_err(|e| format!("--db {db}: {e}"))?;
        let mut out = std::io::BufWriter::new(std::io::stdout().lock());
        let result = export::write_to(store.clone(), filter, format, &mut out).await;
        store.close().await;
        match result {
            // `touchpoint export | head` is fine.
            Err(e)
                if e.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
            {
                Ok(0)
            }
            other => other,
        }
    })
}
