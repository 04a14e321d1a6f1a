//! SQLite backend: WAL mode, one writer thread that commits queued responses
//! in batches, reads on a separate connection.

use super::{ListFilter, StoreError, StoredResponse};
use rusqlite::types::Type;
use rusqlite::{params, CachedStatement, Connection, OpenFlags, Row, TransactionBehavior};
use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use tokio::sync::{mpsc, oneshot};
use touchpoint_protocol::{QuestionType, Response, Status};

/// Embedded migrations; `PRAGMA user_version` counts how many have run.
const MIGRATIONS: &[&str] = &[include_str!("migrations/0001_responses.sql")];
/// Most responses committed in one transaction: large enough to amortise the
/// fsync under load, small enough to keep each caller's wait short.
const MAX_BATCH: usize = 512;
/// Responses waiting for the writer before senders are made to wait.
const QUEUE_DEPTH: usize = 16 * 1024;

const COLUMNS: &str = "response_id, touchpoint, stage, question, score, comment, status, \
     respondent, attributes, locale, page_url, occurred_at, widget_version, preview, \
     received_at, updated_at";
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

type Reply = oneshot::Sender<Result<(), StoreError>>;
type Counts = Arc<Mutex<HashMap<String, u64>>>;

enum Command {
    Save(Box<Response>, Reply),
    Shutdown,
}

struct Inner {
    queue: mpsc::Sender<Command>,
    reader: Mutex<Connection>,
    answered: Counts,
    writer: Mutex<Option<JoinHandle<()>>>,
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

        let reader = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        reader.busy_timeout(std::time::Duration::from_secs(5))?;
        let answered: Counts = Arc::new(Mutex::new(load_answered_counts(&reader)?));

        let (queue, rx) = mpsc::channel(QUEUE_DEPTH);
        let counts = answered.clone();
        let writer = std::thread::Builder::new()
            .name("touchpoint-sqlite-writer".into())
            .spawn(move || run_writer(conn, rx, counts))
            .map_err(|e| StoreError::Unsupported(format!("cannot start the writer thread: {e}")))?;
        Ok(SqliteStore(Arc::new(Inner {
            queue,
            reader: Mutex::new(reader),
            answered,
            writer: Mutex::new(Some(writer)),
        })))
    }

    pub async fn save(&self, response: Response) -> Result<(), StoreError> {
        let (reply, committed) = oneshot::channel();
        self.0
            .queue
            .send(Command::Save(Box::new(response), reply))
            .await
            .map_err(|_| StoreError::Closed)?;
        committed.await.map_err(|_| StoreError::Closed)?
    }

    pub async fn list(&self, filter: ListFilter) -> Result<Vec<StoredResponse>, StoreError> {
        let inner = self.0.clone();
        tokio::task::spawn_blocking(move || {
            let conn = locked(&inner.reader);
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM responses \
                 WHERE ?1 IS NULL OR touchpoint = ?1 ORDER BY rowid"
            ))?;
            let rows = stmt.query_map([filter.touchpoint], stored_from_row)?;
            rows.collect::<Result<Vec<_>, _>>()
                .map_err(StoreError::from)
        })
        .await
        .unwrap_or_else(|e| std::panic::resume_unwind(e.into_panic()))
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

fn stored_from_row(row: &Row) -> rusqlite::Result<StoredResponse> {
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

fn run_writer(mut conn: Connection, mut queue: mpsc::Receiver<Command>, answered: Counts) {
    let mut batch: Vec<(Box<Response>, Reply)> = Vec::with_capacity(MAX_BATCH);
    let mut open = true;
    while open {
        let Some(first) = queue.blocking_recv() else {
            break;
        };
        let mut next = Some(first);
        while let Some(cmd) = next.take() {
            match cmd {
                Command::Save(r, reply) => batch.push((r, reply)),
                Command::Shutdown => open = false,
            }
            if open && batch.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        commit(&mut conn, &mut batch, &answered);
    }
    tracing::debug!("SQLite writer stopped");
}

/// Commits the batch in one transaction and answers every sender. If the
/// batch fails, each response is retried alone so one bad row cannot fail
/// the others.
fn commit(conn: &mut Connection, batch: &mut Vec<(Box<Response>, Reply)>, answered: &Counts) {
    if batch.is_empty() {
        return;
    }
    let all: Vec<&Response> = batch.iter().map(|(r, _)| &**r).collect();
    let outcome = write(conn, &all);
    match outcome {
        Ok(deltas) => {
            apply(answered, deltas);
            batch.drain(..).for_each(|(_, reply)| {
                let _ = reply.send(Ok(()));
            });
        }
        Err(e) if batch.len() == 1 => {
            let (_, reply) = batch.pop().expect("one job");
            let _ = reply.send(Err(e));
        }
        Err(e) => {
            tracing::warn!(error = %e, size = batch.len(), "batch write failed; retrying one by one");
            for (r, reply) in batch.drain(..) {
                let result = write(conn, &[&r]).map(|deltas| apply(answered, deltas));
                let _ = reply.send(result);
            }
        }
    }
}

fn apply(answered: &Counts, deltas: Vec<(String, i64)>) {
    let mut counts = locked(answered);
    for (touchpoint, delta) in deltas {
        let n = counts.entry(touchpoint).or_default();
        *n = n.saturating_add_signed(delta);
    }
}

/// Writes the responses in one transaction; returns how each changed its
/// touchpoint's answered count.
fn write(conn: &mut Connection, responses: &[&Response]) -> Result<Vec<(String, i64)>, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut deltas = Vec::new();
    {
        let mut select = tx.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM responses WHERE response_id = ?1"
        ))?;
        let mut upsert = tx.prepare_cached(&upsert_sql())?;
        for incoming in responses {
            if let Some(delta) = upsert_one(&mut select, &mut upsert, incoming)? {
                deltas.push(delta);
            }
        }
    }
    tx.commit()?;
    Ok(deltas)
}

fn counts_as_answered(r: &Response) -> bool {
    r.status == Status::Answered && !r.preview
}

fn upsert_one(
    select: &mut CachedStatement,
    upsert: &mut CachedStatement,
    incoming: &Response,
) -> Result<Option<(String, i64)>, StoreError> {
    let existing = select
        .query_map([&incoming.response_id], stored_from_row)?
        .next()
        .transpose()?
        .map(|s| s.response);
    let was = existing.as_ref().is_some_and(counts_as_answered);
    let merged = match existing {
        Some(stored) => stored.merge(incoming),
        None => incoming.clone(),
    };
    let attributes = serde_json::to_string(&merged.attributes)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    upsert.execute(params![
        merged.response_id,
        merged.touchpoint,
        merged.stage,
        merged.question.as_str(),
        merged.score,
        merged.comment,
        merged.status.as_str(),
        merged.respondent,
        attributes,
        merged.locale,
        merged.page_url,
        merged.occurred_at,
        merged.widget_version,
        merged.preview,
    ])?;
    let now = counts_as_answered(&merged);
    Ok((was != now).then_some((merged.touchpoint, if now { 1 } else { -1 })))
}

fn upsert_sql() -> String {
    let updated: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "response_id" | "received_at"))
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO responses ({COLUMNS}) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, {NOW}, {NOW}) \
         ON CONFLICT (response_id) DO UPDATE SET {}",
        updated.join(", ")
    )
}
