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
            StoreError::Closed => f.write_str("the store is shut down"),
            StoreError::Sqlite(e) => write!(f, "SQLite: {e}"),
            StoreError::Postgres(e) => write!(f, "PostgreSQL: {e}"),
            StoreError::Corrupt(msg) => write!(f, "stored row is unreadable: {msg}"),
            StoreError::Conflict(msg) => f.write_str(msg),
        }
    }
}

impl std::error::Error for StoreError {}

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
