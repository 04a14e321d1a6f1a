//! Why a store operation failed.

use std::fmt;

#[derive(Debug)]
pub enum StoreError {
    /// The `--db` value names a backend this build cannot use.
    Unsupported(String),
    /// The database was written by a newer collector.
    TooNew {
        found: u32,
        known: u32,
    },
    /// The database has fewer migrations than this build runs.
    SchemaBehind {
        found: u32,
        known: u32,
    },
    /// The database file (or its file system) is read-only.
    ReadOnly(String),
    /// The writer has shut down; nothing more can be saved.
    Closed,
    Sqlite(rusqlite::Error),
    Postgres(String),
    /// A stored row could not be read back as a response.
    Corrupt(String),
    /// The write contradicts what is stored (said to the client, 409).
    Conflict(String),
}

impl fmt::Display for StoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StoreError::Unsupported(msg) => f.write_str(msg),
            StoreError::TooNew { found, known } => write!(
                f,
                "the database has schema version {found} but this touchpoint knows only up to {known}; upgrade touchpoint or use another --db"
            ),
            StoreError::SchemaBehind { found, known } => write!(
                f,
                "the database has schema version {found}, not {known}: migrations are not current"
            ),
            StoreError::ReadOnly(what) => write!(f, "{what} is read-only"),
            StoreError::Closed => f.write_str("the store is shut down"),
            StoreError::Sqlite(e) => write!(f, "SQLite: {e}"),
            StoreError::Postgres(e) => write!(f, "PostgreSQL: {e}"),
            StoreError::Corrupt(msg) => write!(f, "stored row is unreadable: {msg}"),
            StoreError::Conflict(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for StoreError {}

impl StoreError {
    /// Why the store is not ready, in words safe to show anyone (`/readyz`
    /// is public; paths and driver messages stay in the log).
    pub fn readiness(&self) -> &'static str {
        match self {
            StoreError::Closed => "the store is closed",
            StoreError::ReadOnly(_) => "the database is read-only",
            StoreError::SchemaBehind { .. } | StoreError::TooNew { .. } => {
                "the database migrations are not current"
            }
            _ => "the database is not writable",
        }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Postgres(match e.as_db_error() {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            None => e.to_string(),
        })
    }
}
