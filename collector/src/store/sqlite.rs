//! SQLite backend: WAL mode, one writer thread that commits queued responses
//! in batches, reads on a separate connection.

use super::row::Columns;
use super::sql::{self, Param};
use super::{row, AnsweredCounts, MapRow, StoreError};
use crate::alerts::AlertRule;
use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{Connection, OpenFlags, Row, ToSql, TransactionBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot, Notify};
use touchpoint_protocol::Response;

pub mod backup;
mod checkpoint;
mod writer;

pub use writer::WriterMetrics;

/// Embedded migrations; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/sqlite/0001_responses.sql"),
    include_str!("migrations/sqlite/0002_occurred_epoch.sql"),
    include_str!("migrations/sqlite/0003_follow_ups.sql"),
    include_str!("migrations/sqlite/0004_alert_outbox.sql"),
    include_str!("migrations/sqlite/0005_served_touchpoints.sql"),
    include_str!("migrations/sqlite/0006_respondent_index.sql"),
];
/// The schema version (`PRAGMA user_version`) this build migrates to.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;
/// Responses waiting for the writer before senders are made to wait.
const QUEUE_DEPTH: usize = 16 * 1024;

type Reply = oneshot::Sender<Result<(), StoreError>>;

/// Work for the writer thread beyond saving responses; it answers through
/// its own channel.
type Job = Box<dyn FnOnce(&mut Connection) + Send>;

enum Command {
    Save(Box<Response>, Arc<Vec<AlertRule>>, Reply),
    Run(Job),
    Shutdown,
}

struct Inner {
    queue: mpsc::Sender<Command>,
    /// Woken when the writer queues alerts.
    alerts: Arc<Notify>,
    reader: Mutex<Connection>,
    answered: AnsweredCounts,
    writer: Mutex<Option<JoinHandle<()>>>,
    path: std::path::PathBuf,
    metrics: WriterMetrics,
}

/// Cheap to clone; all clones share one writer thread.
#[derive(Clone)]
pub struct SqliteStore(Arc<Inner>);

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
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
        let counts: HashMap<String, u64> =
            query(&reader, sql::ANSWERED_COUNTS, &[], row::touchpoint_count)?
                .into_iter()
                .collect();
        let answered = AnsweredCounts::new(counts);

        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        let alerts = Arc::new(Notify::new());
        let metrics = WriterMetrics::default();
        let writer = writer::Writer {
            answered: answered.clone(),
            alerts: alerts.clone(),
            checkpointer,
            metrics: metrics.clone(),
        };
        let writer = std::thread::Builder::new()
            .name("touchpoint-sqlite-writer".into())
            .spawn(move || writer.run(conn, rx))
            .map_err(|e| StoreError::Unsupported(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore(Arc::new(Inner {
            queue,
            alerts,
            reader: Mutex::new(reader),
            answered,
            writer: Mutex::new(Some(writer)),
            path: path.to_path_buf(),
            metrics,
        })))
    }

    pub fn writer_metrics(&self) -> &WriterMetrics {
        &self.0.metrics
    }

    /// Whether a save would be stored now: the database file is writable,
    /// and the writer thread (in turn with the saves) can take the write
    /// lock and finds the schema this build migrates to.
    pub async fn ready(&self) -> Result<(), StoreError> {
        let path = self.0.path.clone();
        let readonly = tokio::task::spawn_blocking(move || {
            std::fs::metadata(&path).map(|m| m.permissions().readonly())
        })
        .await
        .unwrap_or(Ok(false));
        match readonly {
            // The open connection could still write, but nothing else
            // (a restart, the checkpoint after a crash) could: an
            // operator's chmod or a read-only remount means "stop".
            Ok(true) => return Err(StoreError::ReadOnly(self.0.path.display().to_string())),
            Ok(false) => {}
            Err(e) => {
                return Err(StoreError::Unsupported(format!(
                    "{}: {e}",
                    self.0.path.display()
                )))
            }
        }
        self.write(|conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let found: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            tx.rollback()?;
            schema_current(found, SCHEMA_VERSION)
        })
        .await
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

    pub(super) async fn rows<T: Send + 'static>(
        &self,
        sql: String,
        params: Vec<Param>,
        map: MapRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.read(move |conn| query(conn, &sql, &params, map)).await
    }

    pub(super) async fn write_rows<T: Send + 'static>(
        &self,
        sql: String,
        params: Vec<Param>,
        map: MapRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.write(move |conn| query(conn, &sql, &params, map))
            .await
    }

    /// Every statement in one transaction on the writer thread, in turn
    /// with the saves; the rows each returned.
    pub(super) async fn write_all<T: Send + 'static>(
        &self,
        statements: Vec<(String, Vec<Param>)>,
        map: MapRow<T>,
    ) -> Result<Vec<Vec<T>>, StoreError> {
        self.write(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut out = Vec::with_capacity(statements.len());
            for (sql, params) in &statements {
                out.push(query(&tx, sql, params, map)?);
            }
            tx.commit()?;
            Ok(out)
        })
        .await
    }

    pub(super) async fn execute(&self, sql: String, params: Vec<Param>) -> Result<u64, StoreError> {
        self.write(move |conn| {
            let mut stmt = conn.prepare_cached(&sql)?;
            Ok(stmt.execute(rusqlite::params_from_iter(&params))? as u64)
        })
        .await
    }

    pub async fn reload_answered_counts(&self) -> Result<(), StoreError> {
        let answered = self.0.answered.clone();
        // On the writer thread, which applies the saves' deltas: none can
        // land between this read and the replace.
        self.write(move |conn| {
            let counts = query(conn, sql::ANSWERED_COUNTS, &[], row::touchpoint_count)?;
            answered.replace(counts.into_iter().collect());
            Ok(())
        })
        .await
    }

    pub fn alert_signal(&self) -> Arc<Notify> {
        self.0.alerts.clone()
    }

    pub(super) fn answered_counts(&self) -> &AnsweredCounts {
        &self.0.answered
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

/// Every row of `sql`, mapped.
fn query<T>(
    conn: &Connection,
    sql: &str,
    params: &[Param],
    map: MapRow<T>,
) -> Result<Vec<T>, StoreError> {
    let mut stmt = conn.prepare_cached(sql)?;
    let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        out.push(map(r)?);
    }
    Ok(out)
}

/// `found` is the version this build migrates to.
pub(super) fn schema_current(found: u32, known: u32) -> Result<(), StoreError> {
    match found.cmp(&known) {
        std::cmp::Ordering::Equal => Ok(()),
        std::cmp::Ordering::Greater => Err(StoreError::TooNew { found, known }),
        std::cmp::Ordering::Less => Err(StoreError::SchemaBehind { found, known }),
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

impl Columns for Row<'_> {
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.get(i)?)
    }

    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.get(i)?)
    }
}

impl ToSql for Param {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(match self {
            Param::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
            Param::Text(s) => ToSqlOutput::Borrowed(s.as_str().into()),
            Param::Null => ToSqlOutput::Owned(SqlValue::Null),
        })
    }
}
