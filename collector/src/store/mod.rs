//! Where responses are kept. One `Store` enum fronts every backend so the
//! routes never know which database they talk to; SQLite is the only one so
//! far, PostgreSQL joins as a second variant.

mod postgres;
pub(crate) mod sql;
mod sqlite;

use crate::alerts::AlertRule;
use crate::followup::{FollowUpCounts, FollowUpItem, FollowUpState, Refusal};
use crate::report::CountRow;
use serde::Serialize;
use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Notify;
use touchpoint_protocol::Response;

pub use postgres::PgStore;
pub use sqlite::SqliteStore;

/// A response as stored: the wire fields plus when the collector first saw
/// it and when it last changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredResponse {
    #[serde(flatten)]
    pub response: Response,
    pub received_at: String,
    pub updated_at: String,
}

/// Which responses to list, and which page of them (oldest first).
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub touchpoint: Option<String>,
    /// At most this many (all when `None`).
    pub limit: Option<u32>,
    /// Skip this many first.
    pub offset: u64,
}

/// Which responses a report, export or queue covers. Preview responses are
/// always left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResponseFilter {
    /// Inclusive start, UTC seconds since the epoch (of `occurred_at`).
    pub from: Option<i64>,
    /// Exclusive end.
    pub to: Option<i64>,
    pub stage: Option<String>,
    pub touchpoint: Option<String>,
    /// A respondent attribute `(key, value)`.
    pub attribute: Option<(String, String)>,
}

/// Answered responses with a comment, newest first.
#[derive(Debug, Clone, Default)]
pub struct CommentQuery {
    pub filter: ResponseFilter,
    /// Only scores in this inclusive range (a band).
    pub scores: Option<(u8, u8)>,
    pub limit: u32,
}

/// Follow-up queue entries, newest first.
#[derive(Debug, Clone, Default)]
pub struct FollowUpQuery {
    pub filter: ResponseFilter,
    /// Only these states (all when empty).
    pub states: Vec<FollowUpState>,
    /// Only this response.
    pub response_id: Option<String>,
    pub limit: u32,
}

/// An alert claimed for delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertJob {
    pub id: i64,
    pub alert_id: String,
    pub webhook: String,
    pub body: String,
    /// Attempts made before this one.
    pub attempts: u32,
    pub created_ms: i64,
}

/// The outbox at a glance.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct AlertCounts {
    pub pending: u64,
    pub delivered: u64,
    pub given_up: u64,
    /// Attempts made so far on the pending ones.
    pub attempts: u64,
}

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
        }
    }
}

impl std::error::Error for StoreError {}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Sqlite(e)
    }
}

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

impl Store {
    /// Opens (creating and migrating as needed) the database named by `--db`.
    pub fn open(db: &str) -> Result<Store, StoreError> {
        match DbTarget::parse(db)? {
            DbTarget::Sqlite(path) => SqliteStore::open(&path).map(Store::Sqlite),
            DbTarget::Postgres(url) => PgStore::open(&url).map(Store::Postgres),
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

    /// Leases up to `limit` due alerts until `now_ms + lease_ms`.
    pub async fn claim_alerts(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<AlertJob>, StoreError> {
        each!(self, s => s.claim_alerts(now_ms, lease_ms, limit).await)
    }

    pub async fn alert_delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        each!(self, s => s.alert_delivered(id, now_ms).await)
    }

    /// Records a failed attempt: next try at `next_ms`, or given up at `gave_up_ms`.
    pub async fn alert_failed(
        &self,
        id: i64,
        next_ms: i64,
        error: &str,
        gave_up_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let error = error.to_string();
        each!(self, s => s.alert_failed(id, next_ms, error, gave_up_ms).await)
    }

    pub async fn alert_counts(&self) -> Result<AlertCounts, StoreError> {
        each!(self, s => s.alert_counts().await)
    }

    /// Stored responses, oldest first.
    pub async fn list(&self, filter: ListFilter) -> Result<Vec<StoredResponse>, StoreError> {
        each!(self, s => s.list(filter).await)
    }

    /// Responses matching `filter` counted for the report, with trend
    /// buckets of `bucket_secs` counted from `bucket_from`.
    pub async fn report_counts(
        &self,
        filter: ResponseFilter,
        bucket_from: i64,
        bucket_secs: i64,
    ) -> Result<Vec<CountRow>, StoreError> {
        each!(self, s => s.report_counts(filter, bucket_from, bucket_secs).await)
    }

    /// Answered responses with a comment, newest first.
    pub async fn comments(&self, q: CommentQuery) -> Result<Vec<StoredResponse>, StoreError> {
        each!(self, s => s.comments(q).await)
    }

    /// Follow-up queue entries.
    pub async fn follow_ups(&self, q: FollowUpQuery) -> Result<Vec<FollowUpItem>, StoreError> {
        each!(self, s => s.follow_ups(q).await)
    }

    /// Follow-up queue entries per state.
    pub async fn follow_up_counts(
        &self,
        filter: ResponseFilter,
    ) -> Result<FollowUpCounts, StoreError> {
        each!(self, s => s.follow_up_counts(filter).await)
    }

    /// Moves a follow-up to `to` (see [`FollowUpState::check_step`]) and
    /// returns the entry; a refused step changes nothing.
    pub async fn set_follow_up(
        &self,
        response_id: &str,
        to: FollowUpState,
        note: Option<String>,
    ) -> Result<Result<FollowUpItem, Refusal>, StoreError> {
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        let now = crate::clock::rfc3339(crate::clock::now_epoch());
        let id = response_id.to_ascii_lowercase();
        let done = each!(self, s => s.set_follow_up(id.clone(), to, note, now).await?);
        if let Err(refusal) = done {
            return Ok(Err(refusal));
        }
        let item = self
            .follow_ups(FollowUpQuery {
                response_id: Some(id),
                limit: 1,
                ..Default::default()
            })
            .await?
            .pop();
        Ok(item.ok_or(Refusal::NotFound))
    }

    /// Up to `limit` non-preview responses matching `filter` inserted after
    /// position `after`, each with its position (keyset pagination).
    pub async fn export_page(
        &self,
        filter: ResponseFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, StoredResponse)>, StoreError> {
        each!(self, s => s.export_page(filter, after, limit).await)
    }

    /// Answered (non-preview) responses per touchpoint; kept in memory, so
    /// cheap enough for every config request.
    pub fn answered_counts(&self) -> HashMap<String, u64> {
        each!(self, s => s.answered_counts())
    }

    /// Commits everything queued, then stops accepting writes.
    pub async fn close(&self) {
        each!(self, s => s.close().await)
    }
}
