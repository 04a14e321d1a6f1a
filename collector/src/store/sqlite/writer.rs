//! The single writer: drains queued responses into one transaction at a
//! time and answers each sender only after its commit.

use super::{locked, stored_from_row, Command, Counts, Reply, COLUMNS};
use crate::store::StoreError;
use rusqlite::{params, CachedStatement, Connection, TransactionBehavior};
use tokio::sync::mpsc;
use touchpoint_protocol::{Response, Status};

/// Most responses committed in one transaction: large enough to amortise the
/// fsync under load, small enough to keep each caller's wait short.
const MAX_BATCH: usize = 512;
const NOW: &str = "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";

pub(super) fn run(mut conn: Connection, mut queue: mpsc::Receiver<Command>, answered: Counts) {
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
                Command::Run(job) => {
                    // Queued saves go first, so the job sees them.
                    commit(&mut conn, &mut batch, &answered);
                    job(&mut conn);
                }
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
        crate::clock::epoch_seconds(&merged.occurred_at).unwrap_or_else(crate::clock::now_epoch),
    ])?;
    let now = counts_as_answered(&merged);
    Ok((was != now).then_some((merged.touchpoint, if now { 1 } else { -1 })))
}

fn upsert_sql() -> String {
    let updated: Vec<String> = COLUMNS
        .split(',')
        .map(str::trim)
        .filter(|c| !matches!(*c, "response_id" | "received_at"))
        .chain(["occurred_epoch"])
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO responses ({COLUMNS}, occurred_epoch) VALUES \
         (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, {NOW}, {NOW}, ?15) \
         ON CONFLICT (response_id) DO UPDATE SET {}",
        updated.join(", ")
    )
}
