//! Copies of a live SQLite database, and checks of a copy before it is
//! used. A plain file copy of a WAL database is not a backup: the newest
//! commits may sit in `-wal`, and a copy taken mid-checkpoint is torn. The
//! online backup API reads one consistent snapshot through SQLite's own
//! locking; in WAL mode that read never blocks the collector's writer.

use super::SCHEMA_VERSION;
use crate::store::StoreError;
use rusqlite::backup::{Backup, StepResult};
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::time::{Duration, Instant};

/// What a copy holds, checked before it is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspection {
    /// `PRAGMA integrity_check`: `["ok"]` when sound.
    pub integrity: Vec<String>,
    /// `PRAGMA user_version`: the migrations the copy has.
    pub schema_version: u32,
    /// Every table and its rows, by name.
    pub tables: Vec<(String, u64)>,
}

impl Inspection {
    /// Why the copy must not be used, if it must not.
    pub fn problem(&self) -> Option<String> {
        if self.integrity != ["ok"] {
            return Some(format!(
                "integrity check failed: {}",
                self.integrity.join("; ")
            ));
        }
        if self.schema_version == 0 || self.tables.is_empty() {
            return Some("not a touchpoint database (no schema version, no tables)".into());
        }
        if self.schema_version > SCHEMA_VERSION {
            return Some(
                StoreError::TooNew {
                    found: self.schema_version,
                    known: SCHEMA_VERSION,
                }
                .to_string(),
            );
        }
        None
    }
}

fn open_read_only(path: &Path) -> Result<Connection, StoreError> {
    if !path.is_file() {
        return Err(StoreError::Unsupported(format!(
            "{}: no such file",
            path.display()
        )));
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(Duration::from_secs(30))?;
    Ok(conn)
}

/// Copies the database at `src` (possibly in use) into a new file `dst`,
/// as one snapshot, then turns the copy into a single self-contained file
/// (rollback journal, no `-wal` beside it). `dst` must not exist.
pub fn copy(src: &Path, dst: &Path) -> Result<(), StoreError> {
    let from = open_read_only(src)?;
    let mut to = Connection::open(dst)?;
    {
        let backup = Backup::new(&from, &mut to)?;
        // All pages in one step: one read transaction, so one snapshot
        // (stepping would restart whenever the collector commits).
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            match backup.step(-1)? {
                StepResult::Done => break,
                StepResult::More => {}
                _ if Instant::now() > deadline => {
                    return Err(StoreError::Unsupported(format!(
                        "{} stayed locked for a minute; try again",
                        src.display()
                    )))
                }
                _ => std::thread::sleep(Duration::from_millis(50)),
            }
        }
    }
    let mode: String = to.query_row("PRAGMA journal_mode = DELETE", [], |r| r.get(0))?;
    if !mode.eq_ignore_ascii_case("delete") {
        return Err(StoreError::Unsupported(format!(
            "{}: cannot leave WAL mode (got {mode})",
            dst.display()
        )));
    }
    to.close().map_err(|(_, e)| StoreError::Sqlite(e))?;
    Ok(())
}

/// Reads a copy without changing it: integrity, schema version, rows per table.
pub fn inspect(path: &Path) -> Result<Inspection, StoreError> {
    let conn = open_read_only(path)?;
    let integrity = {
        let mut stmt = conn.prepare("PRAGMA integrity_check")?;
        let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
        rows.collect::<Result<Vec<_>, _>>()?
    };
    let schema_version: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let names: Vec<String> = {
        let mut stmt = conn.prepare(
            "SELECT name FROM sqlite_schema WHERE type = 'table' \
             AND name NOT LIKE 'sqlite_%' ORDER BY name",
        )?;
        let rows = stmt.query_map([], |r| r.get(0))?;
        rows.collect::<Result<_, _>>()?
    };
    let mut tables = Vec::with_capacity(names.len());
    for name in names {
        // Names come from sqlite_schema; quoted as identifiers all the same.
        let sql = format!("SELECT COUNT(*) FROM \"{}\"", name.replace('"', "\"\""));
        let n: i64 = conn.query_row(&sql, [], |r| r.get(0))?;
        tables.push((name, n as u64));
    }
    Ok(Inspection {
        integrity,
        schema_version,
        tables,
    })
}
