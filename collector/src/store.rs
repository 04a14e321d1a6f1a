//! Where responses are kept, on SQLite or PostgreSQL. The routes and
//! services see one [`Store`]; below it, everything is written once:
//! all SQL in [`sql`], one row mapping ([`row`]), one save plan ([`plan`]),
//! and the queries ([`queries`]) on top of four primitives each backend
//! provides (read rows, write rows, execute, and write rows of several
//! statements in one transaction). The backends keep only what
//! truly differs: connections, transactions, migrations and batching.

mod error;
mod plan;
mod postgres;
mod queries;
mod row;
pub mod sql;
mod sqlite;

use crate::alerts::AlertRule;
use row::Columns;
use sql::{Dialect, Param};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::Notify;
use touchpoint_protocol::Response;

pub use error::StoreError;
pub use postgres::PgStore;
pub use sqlite::{backup, SqliteStore, WriterMetrics, SCHEMA_VERSION};

/// A parsed `--db` value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DbTarget {
    Sqlite(PathBuf),
    /// A `postgres://` or `postgresql://` URL.
    Postgres(String),
}

impl DbTarget {
    /// Accepts a plain path, `sqlite:path`, `sqlite://path`, or a
    /// `postgres://user@host/db` URL.
    pub fn parse(db: &str) -> Result<DbTarget, StoreError> {
        if db.starts_with("postgres://") || db.starts_with("postgresql://") {
            return Ok(DbTarget::Postgres(db.to_string()));
        }
        let path = db
            .strip_prefix("sqlite://")
            .or_else(|| db.strip_prefix("sqlite:"))
            .unwrap_or(db);
        if path.is_empty() {
            return Err(StoreError::Unsupported(
                "--db is empty; pass a SQLite file such as --db touchpoint.db".into(),
            ));
        }
        Ok(DbTarget::Sqlite(PathBuf::from(path)))
    }
}

/// The response store. Cheap to clone.
#[derive(Clone)]
pub enum Store {
    Sqlite(SqliteStore),
    Postgres(PgStore),
}

/// Calls the same method on whichever backend is in use.
macro_rules! each {
    ($self:expr, $s:ident => $call:expr) => {
        match $self {
            Store::Sqlite($s) => $call,
            Store::Postgres($s) => $call,
        }
    };
}

/// Maps one row to a result, on either backend.
type MapRow<T> = fn(&dyn Columns) -> Result<T, StoreError>;

impl Store {
    /// Opens (creating and migrating as needed) the database named by `--db`.
    pub fn open(db: &str) -> Result<Store, StoreError> {
        match DbTarget::parse(db)? {
            DbTarget::Sqlite(path) => SqliteStore::open(&path).map(Store::Sqlite),
            DbTarget::Postgres(url) => PgStore::open(&url).map(Store::Postgres),
        }
    }

    fn dialect(&self) -> Dialect {
        match self {
            Store::Sqlite(_) => Dialect::Sqlite,
            Store::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Merges `response` into the row with its `response_id`; returns once
    /// the change is committed.
    pub async fn save(&self, response: Response) -> Result<(), StoreError> {
        self.save_with_alerts(response, Arc::new(Vec::new())).await
    }

    /// [`Store::save`], also queueing an alert for each of `rules` the
    /// merged response matches for the first time, in the same transaction.
    pub async fn save_with_alerts(
        &self,
        response: Response,
        rules: Arc<Vec<AlertRule>>,
    ) -> Result<(), StoreError> {
        each!(self, s => s.save(response, rules).await)
    }

    /// Notified whenever alerts are queued.
    pub fn alert_signal(&self) -> Arc<Notify> {
        each!(self, s => s.alert_signal())
    }

    /// Answered (non-preview) responses per touchpoint; kept in memory, so
    /// cheap enough for every config request.
    pub fn answered_counts(&self) -> HashMap<String, u64> {
        each!(self, s => s.answered_counts().snapshot())
    }

    fn answered(&self) -> &AnsweredCounts {
        each!(self, s => s.answered_counts())
    }

    /// Reads the answered counts again from the database, where another
    /// process (`touchpoint erase`, another collector) may have changed them.
    pub async fn reload_answered_counts(&self) -> Result<(), StoreError> {
        each!(self, s => s.reload_answered_counts().await)
    }

    /// Whether a save would be stored now (`/readyz`): the database is
    /// writable and its migrations are current.
    pub async fn ready(&self) -> Result<(), StoreError> {
        each!(self, s => s.ready().await)
    }

    /// The SQLite writer's batch sizes and commit times (none on PostgreSQL).
    pub fn writer_metrics(&self) -> Option<WriterMetrics> {
        match self {
            Store::Sqlite(s) => Some(s.writer_metrics().clone()),
            Store::Postgres(_) => None,
        }
    }

    /// Commits everything queued, then stops accepting writes.
    pub async fn close(&self) {
        each!(self, s => s.close().await)
    }

    /// Rows of a read-only statement.
    async fn rows<T: Send + 'static>(
        &self,
        sql: String,
        params: Vec<Param>,
        map: MapRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        each!(self, s => s.rows(sql, params, map).await)
    }

    /// Rows of a writing statement (`UPDATE … RETURNING`), in turn with the saves.
    async fn write_rows<T: Send + 'static>(
        &self,
        sql: String,
        params: Vec<Param>,
        map: MapRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        each!(self, s => s.write_rows(sql, params, map).await)
    }

    /// Rows of several writing statements, all in one transaction.
    async fn write_all<T: Send + 'static>(
        &self,
        statements: Vec<(String, Vec<Param>)>,
        map: MapRow<T>,
    ) -> Result<Vec<Vec<T>>, StoreError> {
        each!(self, s => s.write_all(statements, map).await)
    }

    /// Runs a writing statement; returns the rows it changed.
    async fn execute(&self, sql: String, params: Vec<Param>) -> Result<u64, StoreError> {
        each!(self, s => s.execute(sql, params).await)
    }
}

/// Answered (non-preview) responses per touchpoint, kept up to date by the
/// saves' deltas.
#[derive(Clone, Default)]
pub(crate) struct AnsweredCounts(Arc<Mutex<HashMap<String, u64>>>);

impl AnsweredCounts {
    fn new(counts: HashMap<String, u64>) -> AnsweredCounts {
        AnsweredCounts(Arc::new(Mutex::new(counts)))
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, u64>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn apply<'a>(&self, deltas: impl IntoIterator<Item = &'a plan::Delta>) {
        let mut counts = self.lock();
        for (touchpoint, delta) in deltas {
            let n = counts.entry(touchpoint.clone()).or_default();
            *n = n.saturating_add_signed(*delta);
        }
    }

    fn replace(&self, counts: HashMap<String, u64>) {
        *self.lock() = counts;
    }

    fn snapshot(&self) -> HashMap<String, u64> {
        self.lock().clone()
    }
}
