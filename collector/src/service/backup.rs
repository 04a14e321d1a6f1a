//! `touchpoint backup` and `touchpoint restore`: consistent copies of a live
//! SQLite database (rotated when kept), and a restore that checks a copy
//! before it becomes a database.

use crate::store::backup::{self, Inspection};
use crate::store::{DbTarget, StoreError};
use std::path::{Path, PathBuf};

/// Where to point PostgreSQL users instead.
pub const POSTGRES_HINT: &str =
    "backup and restore work on SQLite files; for PostgreSQL use its own tools: \
     pg_dump (e.g. pg_dump -Fc -f touchpoint.dump <url>, restored with pg_restore) or \
     continuous archiving with point-in-time recovery (see README § Operations)";

/// The SQLite file of a `--db` value, or why there is none.
pub fn sqlite_path(db: &str) -> Result<PathBuf, String> {
    match DbTarget::parse(db).map_err(|e| e.to_string())? {
        DbTarget::Sqlite(path) => Ok(path),
        DbTarget::Postgres(_) => Err(format!("--db is a PostgreSQL URL: {POSTGRES_HINT}")),
    }
}

/// A finished backup: where it went and what it holds.
pub struct Written {
    pub path: PathBuf,
    pub inspection: Inspection,
    /// Older rotated copies removed to keep `--keep`.
    pub removed: Vec<PathBuf>,
}

/// Copies `db` (in use or not) to `out`, or with `keep` to a timestamped
/// name next to `out` (`touchpoint-20261130T093000.123Z.db` for
/// `--out touchpoint.db`), removing the oldest beyond `keep`. The copy is
/// written beside its final name, checked, synced, then renamed, so a
/// crash never leaves a half copy under a backup's name.
pub fn backup(db: &Path, out: &Path, keep: Option<usize>) -> Result<Written, String> {
    if !db.is_file() {
        return Err(format!(
            "--db {}: no database there; pass the file `touchpoint serve` uses",
            db.display()
        ));
    }
    let path = match keep {
        Some(_) => rotated_name(out, &stamp()),
        None => out.to_path_buf(),
    };
    if same_file(db, &path) {
        return Err(format!("--out {} is the database itself", path.display()));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("--out {}: {e}", dir.display()))?;
    }
    let partial = with_suffix(&path, ".partial");
    let _ = std::fs::remove_file(&partial);
    let fail = |e: StoreError| {
        let _ = std::fs::remove_file(&partial);
        format!("backup of {} failed: {e}", db.display())
    };
    backup::copy(db, &partial).map_err(fail)?;
    let inspection = backup::inspect(&partial).map_err(fail)?;
    if let Some(problem) = inspection.problem() {
        let _ = std::fs::remove_file(&partial);
        return Err(format!(
            "the copy of {} is unusable: {problem}",
            db.display()
        ));
    }
    sync_and_rename(&partial, &path).map_err(|e| format!("{}: {e}", path.display()))?;
    let removed = match keep {
        Some(keep) => prune(out, keep).map_err(|e| format!("removing old backups: {e}"))?,
        None => Vec::new(),
    };
    Ok(Written {
        path,
        inspection,
        removed,
    })
}

/// Checks `from` and, only if it is sound, writes it as the database `db`
/// (never over an existing one unless `force`; then its `-wal` and `-shm`,
/// which belong to the old file, go too). Stop the collector first.
pub fn restore(from: &Path, db: &Path, force: bool) -> Result<Inspection, String> {
    let inspection =
        backup::inspect(from).map_err(|e| format!("--from {}: {e}", from.display()))?;
    if let Some(problem) = inspection.problem() {
        return Err(format!(
            "--from {}: {problem}; nothing was written",
            from.display()
        ));
    }
    if same_file(from, db) {
        return Err("--from and --db are the same file".into());
    }
    let sidecars = [with_suffix(db, "-wal"), with_suffix(db, "-shm")];
    if db.exists() || sidecars.iter().any(|p| p.exists()) {
        if !force {
            return Err(format!(
                "--db {} exists; pass --force to replace it (stop the collector using it first)",
                db.display()
            ));
        }
        for p in std::iter::once(db.to_path_buf()).chain(sidecars) {
            match std::fs::remove_file(&p) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(format!("cannot remove {}: {e}", p.display()))
                }
                _ => {}
            }
        }
    }
    let partial = with_suffix(db, ".partial");
    let _ = std::fs::remove_file(&partial);
    backup::copy(from, &partial).map_err(|e| {
        let _ = std::fs::remove_file(&partial);
        format!("restore into {} failed: {e}", db.display())
    })?;
    sync_and_rename(&partial, db).map_err(|e| format!("{}: {e}", db.display()))?;
    Ok(inspection)
}

/// The lines `backup` and `restore` print about a copy.
pub fn describe(inspection: &Inspection) -> Vec<String> {
    let mut lines = vec![
        format!("integrity: {}", inspection.integrity.join("; ")),
        format!(
            "schema version: {} (this touchpoint migrates to {})",
            inspection.schema_version,
            crate::store::SCHEMA_VERSION
        ),
    ];
    lines.extend(
        inspection
            .tables
            .iter()
            .map(|(name, rows)| format!("table {name}: {rows} row(s)")),
    );
    lines
}

/// `backups/touchpoint.db` + stamp → `backups/touchpoint-<stamp>.db`.
pub fn rotated_name(out: &Path, stamp: &str) -> PathBuf {
    let (stem, ext) = stem_ext(out);
    out.with_file_name(format!("{stem}-{stamp}{ext}"))
}

fn stem_ext(out: &Path) -> (String, String) {
    let stem = out
        .file_stem()
        .map_or_else(|| "touchpoint".into(), |s| s.to_string_lossy().into_owned());
    let ext = out
        .extension()
        .map_or_else(String::new, |e| format!(".{}", e.to_string_lossy()));
    (stem, ext)
}

/// UTC now as `20261130T093000.123Z`: names sort by time.
fn stamp() -> String {
    let fmt = time::macros::format_description!(
        "[year][month][day]T[hour][minute][second].[subsecond digits:3]Z"
    );
    time::OffsetDateTime::now_utc()
        .format(&fmt)
        .expect("a UTC time formats")
}

/// Removes the oldest rotated copies of `out` beyond `keep`.
pub fn prune(out: &Path, keep: usize) -> std::io::Result<Vec<PathBuf>> {
    let (stem, ext) = stem_ext(out);
    let dir = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let prefix = format!("{stem}-");
    let mut rotated: Vec<PathBuf> = std::fs::read_dir(&dir)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(ext.as_str()))
                    .is_some_and(is_stamp)
            })
        })
        .collect();
    rotated.sort();
    let excess = rotated.len().saturating_sub(keep);
    let removed: Vec<PathBuf> = rotated.drain(..excess).collect();
    for p in &removed {
        std::fs::remove_file(p)?;
    }
    Ok(removed)
}

/// `20261130T093000.123Z`, and nothing else, is one of ours.
fn is_stamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 20
        && b[8] == b'T'
        && b[15] == b'.'
        && b[19] == b'Z'
        && b.iter()
            .enumerate()
            .all(|(i, c)| matches!(i, 8 | 15 | 19) || c.is_ascii_digit())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

fn sync_and_rename(partial: &Path, path: &Path) -> std::io::Result<()> {
    std::fs::File::open(partial)?.sync_all()?;
    std::fs::rename(partial, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // The rename itself survives a power cut only once the folder is synced.
        std::fs::File::open(dir)?.sync_all()?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rotated_names_sort_by_time_and_only_ours_are_pruned() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("touchpoint.db");
        let stamps = [
            "20261130T093000.000Z",
            "20261130T103000.000Z",
            "20261201T000000.500Z",
        ];
        for s in stamps {
            std::fs::write(rotated_name(&out, s), b"x").unwrap();
        }
        for other in [
            "touchpoint-notes.db",
            "touchpoint.db",
            "other-20261130T093000.000Z.db",
        ] {
            std::fs::write(dir.path().join(other), b"x").unwrap();
        }
        let removed = prune(&out, 2).unwrap();
        assert_eq!(removed, vec![rotated_name(&out, stamps[0])]);
        assert!(rotated_name(&out, stamps[2]).exists());
        assert!(dir.path().join("touchpoint-notes.db").exists());
        assert!(is_stamp(&stamp()), "{}", stamp());
    }

    #[test]
    fn postgres_is_refused_with_a_pointer_to_pg_dump() {
        let e = sqlite_path("postgres://u@localhost/touchpoint").unwrap_err();
        assert!(e.contains("pg_dump"), "{e}");
    }
}
