//! The single writer: drains queued responses into one transaction at a
//! time and answers each sender only after its commit.

use super::checkpoint::{self, Checkpointer};
use super::{locked, stored_from_row, Command, Counts, Reply};
use crate::alerts::{self, delivery, AlertRule};
use crate::clock;
use crate::store::{sql, StoreError};
use rusqlite::{params, CachedStatement, Connection, TransactionBehavior};
use std::borrow::Cow;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::sync::Notify;
use touchpoint_protocol::{Response, Status};

/// Most responses committed in one transaction: large enough to amortise the
/// fsync under load, small enough to keep each caller's wait short.
const MAX_BATCH: usize = 512;

/// A queued save: the response, the alert rules in force, the sender.
type Job = (Box<Response>, Arc<Vec<AlertRule>>, Reply);

pub(super) fn run(
    mut conn: Connection,
    mut queue: mpsc::Receiver<Command>,
    answered: Counts,
    alerts: Arc<Notify>,
    checkpointer: Checkpointer,
) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    let mut open = true;
    let mut since_checkpoint = 0;
    while open {
        let Some(first) = queue.blocking_recv() else {
            break;
        };
        let mut next = Some(first);
        while let Some(cmd) = next.take() {
            match cmd {
                Command::Save(r, rules, reply) => batch.push((r, rules, reply)),
                Command::Run(job) => {
                    // Queued saves go first, so the job sees them.
                    commit(&mut conn, &mut batch, &answered, &alerts);
                    job(&mut conn);
                }
                Command::Shutdown => open = false,
            }
            if open && batch.len() < MAX_BATCH {
                next = queue.try_recv().ok();
            }
        }
        since_checkpoint += batch.len();
        commit(&mut conn, &mut batch, &answered, &alerts);
        if since_checkpoint >= checkpoint::EVERY {
            checkpointer.nudge();
            since_checkpoint = 0;
        }
    }
    checkpointer.stop();
    tracing::debug!("SQLite writer stopped");
}

/// Commits the batch in one transaction and answers every sender. If the
/// batch fails, each response is retried alone so one bad row cannot fail
/// the others.
fn commit(conn: &mut Connection, batch: &mut Vec<Job>, answered: &Counts, alerts: &Notify) {
    if batch.is_empty() {
        return;
    }
    let all: Vec<(&Response, &[AlertRule])> = batch
        .iter()
        .map(|(r, rules, _)| (&**r, &rules[..]))
        .collect();
    let outcome = write(conn, &all);
    match outcome {
        Ok(written) => {
            written.apply(answered, alerts);
            batch.drain(..).for_each(|(_, _, reply)| {
                let _ = reply.send(Ok(()));
            });
        }
        Err(e) if batch.len() == 1 => {
            let (_, _, reply) = batch.pop().expect("one job");
            let _ = reply.send(Err(e));
        }
        Err(e) => {
            tracing::warn!(error = %e, size = batch.len(), "batch write failed; retrying one by one");
            for (r, rules, reply) in batch.drain(..) {
                let result = write(conn, &[(&r, &rules[..])]).map(|w| w.apply(answered, alerts));
                let _ = reply.send(result);
            }
        }
    }
}

/// What a committed write changed besides the rows.
#[derive(Default)]
struct Written {
    /// Answered-count change per touchpoint.
    deltas: Vec<Delta>,
    /// Alerts queued.
    alerts: usize,
}

impl Written {
    fn apply(self, answered: &Counts, alerts: &Notify) {
        let mut counts = locked(answered);
        for (touchpoint, delta) in self.deltas {
            let n = counts.entry(touchpoint).or_default();
            *n = n.saturating_add_signed(delta);
        }
        if self.alerts > 0 {
            alerts.notify_one();
        }
    }
}

/// Writes the responses, and the alerts they trigger, in one transaction.
fn write(
    conn: &mut Connection,
    responses: &[(&Response, &[AlertRule])],
) -> Result<Written, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut written = Written::default();
    {
        let mut select = tx.prepare_cached(sql::select_response(sql::Dialect::Sqlite))?;
        let mut upsert = tx.prepare_cached(sql::upsert_response(sql::Dialect::Sqlite))?;
        let mut enqueue = tx.prepare_cached(sql::ALERT_ENQUEUE)?;
        for (incoming, rules) in responses {
            let (merged, delta) = upsert_one(&mut select, &mut upsert, incoming)?;
            written.deltas.extend(delta);
            written.alerts += enqueue_alerts(&mut enqueue, rules, &merged)?;
        }
    }
    tx.commit()?;
    Ok(written)
}

/// One alert per rule the merged response matches; a (response, rule)
/// already queued is left alone, so later posts never repeat an alert.
fn enqueue_alerts(
    enqueue: &mut CachedStatement,
    rules: &[AlertRule],
    merged: &Response,
) -> Result<usize, StoreError> {
    let mut queued = 0;
    for rule in rules.iter().filter(|r| r.matches(merged)) {
        let alert_id = alerts::new_alert_id();
        let now = delivery::now_ms();
        let body = rule.body(&alert_id, &clock::rfc3339(now / 1000), merged);
        queued += enqueue.execute(params![
            alert_id,
            merged.response_id,
            rule.key,
            rule.webhook,
            body,
            now
        ])?;
    }
    Ok(queued)
}

fn counts_as_answered(r: &Response) -> bool {
    r.status == Status::Answered && !r.preview
}

/// A change to a touchpoint's answered count.
type Delta = (String, i64);

/// Merges and writes one response; returns it merged, with the change to
/// its touchpoint's answered count.
fn upsert_one<'a>(
    select: &mut CachedStatement,
    upsert: &mut CachedStatement,
    incoming: &'a Response,
) -> Result<(Cow<'a, Response>, Option<Delta>), StoreError> {
    let existing = select
        .query_map([&incoming.response_id], stored_from_row)?
        .next()
        .transpose()?
        .map(|s| s.response);
    let was = existing.as_ref().is_some_and(counts_as_answered);
    let merged = match existing {
        Some(stored) => Cow::Owned(stored.merge(incoming)),
        None => Cow::Borrowed(incoming),
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
    let delta = (was != now).then(|| (merged.touchpoint.clone(), if now { 1 } else { -1 }));
    Ok((merged, delta))
}
