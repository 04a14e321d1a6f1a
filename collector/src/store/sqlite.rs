//! SQLite backend: WAL mode, one writer thread that commits queued responses
//! in batches, reads on a separate connection.

use super::sql::{self, Dialect, Param, Params};
use super::{
    AlertCounts, AlertJob, CommentQuery, FollowUpQuery, ListFilter, ResponseFilter, StoreError,
    StoredResponse,
};
use crate::alerts::AlertRule;
use crate::followup::{FollowUp, FollowUpCounts, FollowUpItem, FollowUpState, Refusal, Subject};
use crate::report::CountRow;
use rusqlite::types::Type;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::OptionalExtension;
use rusqlite::ToSql;
use rusqlite::{Connection, OpenFlags, Row, TransactionBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, Notify};
use touchpoint_protocol::{QuestionType, Response, Status};

mod checkpoint;
mod writer;

/// Embedded migrations; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/sqlite/0001_responses.sql"),
    include_str!("migrations/sqlite/0002_occurred_epoch.sql"),
    include_str!("migrations/sqlite/0003_follow_ups.sql"),
    include_str!("migrations/sqlite/0004_alert_outbox.sql"),
];
/// Responses waiting for the writer before senders are made to wait.
const QUEUE_DEPTH: usize = 16 * 1024;

pub(super) use super::sql::COLUMNS;

pub(super) type Reply = oneshot::Sender<Result<(), StoreError>>;
pub(super) type Counts = Arc<Mutex<HashMap<String, u64>>>;

/// Work for the writer thread beyond saving responses; it answers through
/// its own channel.
pub(super) type Job = Box<dyn FnOnce(&mut Connection) + Send>;

pub(super) enum Command {
    Save(Box<Response>, Arc<Vec<AlertRule>>, Reply),
    Run(Job),
    Shutdown,
}

struct Inner {
    queue: mpsc::Sender<Command>,
    /// Woken when the writer queues alerts.
    alerts: Arc<Notify>,
    reader: Mutex<Connection>,
    answered: Counts,
    writer: Mutex<Option<JoinHandle<()>>>,
}

/// Cheap to clone; all clones share one writer thread.
#[derive(Clone)]
pub struct SqliteStore(Arc<Inner>);

pub(super) fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl SqliteStore {
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        let mut conn = Connection::open(path)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unsupported(format!(
                "{} cannot use WAL mode (got {mode}); put the database on a local disk",
                path.display()
            )));
        }
        // FULL: a 202 promises the response survives a power cut, and the
        // batching keeps it to one fsync per batch.
        conn.pragma_update(None, "synchronous", "FULL")?;
        migrate(&mut conn)?;
        // The checkpoint thread copies the WAL back, off the commit path.
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        let checkpointer = checkpoint::Checkpointer::start(path)?;

        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        let answered: Counts = Arc::new(Mutex::new(load_answered_counts(&reader)?));

        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        let counts = answered.clone();
        let alerts = Arc::new(Notify::new());
        let signal = alerts.clone();
        let writer = std::thread::Builder::new()
            .name("touchpoint-sqlite-writer".into())
            .spawn(move || writer::run(conn, rx, counts, signal, checkpointer))
            .map_err(|e| StoreError::Unsupported(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore(Arc::new(Inner {
            queue,
            alerts,
            reader: Mutex::new(reader),
            answered,
            writer: Mutex::new(Some(writer)),
        })))
    }

    pub async fn save(
        &self,
        response: Response,
        rules: Arc<Vec<AlertRule>>,
    ) -> Result<(), StoreError> {
        let (reply, committed) = oneshot::channel();
        self.0
            .queue
            .send(Command::Save(Box::new(response), rules, reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        committed.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the writer thread, in turn with the saves.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |conn| {
            let _ = tx.send(f(conn));
        });
        self.0
            .queue
            .send(Command::Run(job))
            .await
            .map_err(|_| StoreError::Closed)?;
        rx.await.map_err(|_| StoreError::Closed)?
    }

    /// Runs `f` on the read connection, off the async threads.
    async fn read<T: Send + 'static>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || f(&locked(&inner.reader)))
            .await
            .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
    }

    pub async fn list(&self, filter: ListFilter) -> Result<Vec<StoredResponse>, StoreError> {
        self.read(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM responses \
                 WHERE ?1 IS NULL OR touchpoint = ?1 ORDER BY rowid LIMIT ?2 OFFSET ?3"
            ))?;
            // LIMIT -1: no limit. Upserts keep their rowid, so pages are stable.
            let limit = filter.limit.map_or(-1, i64::from);
            let offset = i64::try_from(filter.offset).unwrap_or(i64::MAX);
            let rows = stmt.query_map(
                rusqlite::params![filter.touchpoint, limit, offset],
                stored_from_row,
            )?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
    }

    pub async fn report_counts(
        &self,
        filter: ResponseFilter,
        bucket_from: i64,
        bucket_secs: i64,
    ) -> Result<Vec<CountRow>, StoreError> {
        self.read(move |conn| {
            let mut p = Params::new(Dialect::Sqlite);
            let sql = sql::report_counts(&filter, bucket_from, bucket_secs, &mut p);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&p.values), |r| {
                Ok(CountRow {
                    touchpoint: r.get(0)?,
                    question: text_enum(r, 1, QuestionType::parse)?,
                    status: text_enum(r, 2, Status::parse)?,
                    score: r.get(3)?,
                    bucket: r.get(4)?,
                    n: r.get(5)?,
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
    }

    pub async fn comments(&self, q: CommentQuery) -> Result<Vec<StoredResponse>, StoreError> {
        self.read(move |conn| {
            let mut p = Params::new(Dialect::Sqlite);
            let sql = sql::comments(&q, COLUMNS, &mut p);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&p.values), stored_from_row)?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
    }

    pub async fn follow_ups(&self, q: FollowUpQuery) -> Result<Vec<FollowUpItem>, StoreError> {
        self.read(move |conn| {
            let mut p = Params::new(Dialect::Sqlite);
            let sql = sql::follow_ups(&q, &sql::qualified(COLUMNS, "r."), &mut p);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&p.values), |r| {
                Ok(FollowUpItem {
                    response: stored_from_row(r)?,
                    follow_up: FollowUp {
                        state: r
                            .get::<_, Option<String>>(16)?
                            .and_then(|s| FollowUpState::parse(&s))
                            .unwrap_or(FollowUpState::Open),
                        contacted_at: r.get(17)?,
                        contact_note: r.get(18)?,
                        closed_at: r.get(19)?,
                        outcome_note: r.get(20)?,
                    },
                })
            })?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
    }

    pub async fn follow_up_counts(
        &self,
        filter: ResponseFilter,
    ) -> Result<FollowUpCounts, StoreError> {
        self.read(move |conn| {
            let mut p = Params::new(Dialect::Sqlite);
            let sql = sql::follow_up_counts(&filter, &mut p);
            let mut stmt = conn.prepare_cached(&sql)?;
            let mut counts = FollowUpCounts::default();
            let rows = stmt.query_map(rusqlite::params_from_iter(&p.values), |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?))
            })?;
            for row in rows {
                let (state, n) = row?;
                counts.add(
                    FollowUpState::parse(&state).unwrap_or(FollowUpState::Open),
                    n,
                );
            }
            Ok(counts)
        })
        .await
    }

    pub async fn set_follow_up(
        &self,
        response_id: String,
        to: FollowUpState,
        note: Option<String>,
        now: String,
    ) -> Result<Result<(), Refusal>, StoreError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let subject = tx
                .query_row(sql::FOLLOW_UP_SUBJECT, [&response_id], |r| {
                    Ok(Subject {
                        question: r.get(0)?,
                        score: r.get(1)?,
                        status: r.get(2)?,
                        preview: r.get(3)?,
                        state: r.get(4)?,
                    })
                })
                .optional()?;
            let Some(subject) = subject else {
                return Ok(Err(Refusal::NotFound));
            };
            let from = match subject.decide(to, note.as_deref()) {
                Ok(from) => from,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let changed = if to == FollowUpState::Contacted {
                tx.execute(
                    sql::FOLLOW_UP_CONTACTED,
                    rusqlite::params![response_id, note, now],
                )?
            } else {
                tx.execute(
                    sql::FOLLOW_UP_CLOSED,
                    rusqlite::params![response_id, to.as_str(), note, now],
                )?
            };
            if changed != 1 {
                return Ok(Err(Refusal::OutOfOrder { from, to }));
            }
            tx.commit()?;
            Ok(Ok(()))
        })
        .await
    }

    pub async fn export_page(
        &self,
        filter: ResponseFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, StoredResponse)>, StoreError> {
        self.read(move |conn| {
            let mut p = Params::new(Dialect::Sqlite);
            let sql = sql::export_page(&filter, after, limit, COLUMNS, &mut p);
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map(rusqlite::params_from_iter(&p.values), |r| {
                Ok((r.get::<_, i64>(16)?, stored_from_row(r)?))
            })?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
    }

    pub fn alert_signal(&self) -> Arc<Notify> {
        self.0.alerts.clone()
    }

    pub async fn claim_alerts(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<AlertJob>, StoreError> {
        self.write(move |conn| {
            let mut stmt = conn.prepare_cached(&sql::alert_claim(Dialect::Sqlite))?;
            let rows =
                stmt.query_map(rusqlite::params![now_ms, now_ms + lease_ms, limit], |r| {
                    Ok(AlertJob {
                        id: r.get(0)?,
                        alert_id: r.get(1)?,
                        webhook: r.get(2)?,
                        body: r.get(3)?,
                        attempts: r.get(4)?,
                        created_ms: r.get(5)?,
                    })
                })?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
    }

    pub async fn alert_delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.execute(sql::ALERT_DELIVERED, rusqlite::params![id, now_ms])?;
            Ok(())
        })
        .await
    }

    pub async fn alert_failed(
        &self,
        id: i64,
        next_ms: i64,
        error: String,
        gave_up_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        self.write(move |conn| {
            conn.execute(
                sql::ALERT_FAILED,
                rusqlite::params![id, next_ms, error, gave_up_ms],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn alert_counts(&self) -> Result<AlertCounts, StoreError> {
        self.read(|conn| {
            conn.query_row(sql::ALERT_COUNTS, [], |r| {
                Ok(AlertCounts {
                    pending: r.get(0)?,
                    delivered: r.get(1)?,
                    given_up: r.get(2)?,
                    attempts: r.get(3)?,
                })
            })
            .map_err(StoreError::from)
        })
        .await
    }

    pub fn answered_counts(&self) -> HashMap<String, u64> {
        locked(&self.0.answered).clone()
    }

    pub async fn close(&self) {
        // Everything queued before this message is committed first.
        let _ = self.0.queue.send(Command::Shutdown).await;
        let handle = locked(&self.0.writer).take();
        if let Some(handle) = handle {
            let _ = tokio::task::spawn_blocking(move || handle.join()).await;
        }
    }
}

fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let known = MIGRATIONS.len() as u32;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    if found == known {
        return Ok(());
    }
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    for sql in &MIGRATIONS[found as usize..] {
        tx.execute_batch(sql)?;
    }
    tx.pragma_update(None, "user_version", known)?;
    tx.commit()?;
    Ok(())
}

fn load_answered_counts(conn: &Connection) -> Result<HashMap<String, u64>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT touchpoint, COUNT(*) FROM responses \
         WHERE status = 'answered' AND preview = 0 GROUP BY touchpoint",
    )?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
    rows.collect::<Result<_, _>>().map_err(StoreError::from)
}

fn text_enum<T>(row: &Row, idx: usize, parse: fn(&str) -> Option<T>) -> rusqlite::Result<T> {
    let s: String = row.get(idx)?;
    parse(&s).ok_or_else(|| {
        rusqlite::Error::FromSqlConversionFailure(
            idx,
            Type::Text,
            format!("unknown value {s:?}").into(),
        )
    })
}

pub(super) fn stored_from_row(row: &Row) -> rusqlite::Result<StoredResponse> {
    let attributes: String = row.get(8)?;
    let attributes = serde_json::from_str(&attributes)
        .map_err(|e| rusqlite::Error::FromSqlConversionFailure(8, Type::Text, e.into()))?;
    Ok(StoredResponse {
        response: Response {
            response_id: row.get(0)?,
            touchpoint: row.get(1)?,
            stage: row.get(2)?,
            question: text_enum(row, 3, QuestionType::parse)?,
            score: row.get(4)?,
            comment: row.get(5)?,
            status: text_enum(row, 6, Status::parse)?,
            respondent: row.get(7)?,
            attributes,
            locale: row.get(9)?,
            page_url: row.get(10)?,
            occurred_at: row.get(11)?,
            widget_version: row.get(12)?,
            preview: row.get(13)?,
        },
        received_at: row.get(14)?,
        updated_at: row.get(15)?,
    })
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
            Param::Text(s) => ToSqlOutput::Borrowed(s.as_str().into()),
        })
    }
}
