//! The single writer: drains queued responses into one transaction at a
//! time and answers each sender only after its commit.

use super::checkpoint::{self, Checkpointer};
use super::{query, Command, Reply};
use crate::alerts::{self, AlertRule};
use crate::clock;
use crate::store::plan::{self, Delta};
use crate::store::{row, sql, AnsweredCounts, StoreError};
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use rusqlite::{params_from_iter, CachedStatement, Connection, TransactionBehavior};
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::mpsc;
use tokio::sync::Notify;
use touchpoint_protocol::Response;

/// Most responses committed in one transaction: large enough to amortise the
/// fsync under load, small enough to keep each caller's wait short.
const MAX_BATCH: usize = 512;

/// A queued save: the response, the alert rules in force, the sender.
type Job = (Box<Response>, Arc<Vec<AlertRule>>, Reply);

/// What the writer thread updates besides the database.
pub(super) struct Writer {
    pub answered: AnsweredCounts,
    /// Woken when alerts are queued.
    pub alerts: Arc<Notify>,
    pub checkpointer: Checkpointer,
    pub metrics: WriterMetrics,
}

/// How the writer batches, for `/metrics`: responses per committed batch
/// and the time each commit took (both cheap clones of shared histograms).
#[derive(Clone, Debug)]
pub struct WriterMetrics {
    pub batch_size: Histogram,
    pub commit_seconds: Histogram,
}

impl Default for WriterMetrics {
    fn default() -> WriterMetrics {
        WriterMetrics {
            // 1, 2, 4 … 512 (MAX_BATCH).
            batch_size: Histogram::new(exponential_buckets(1.0, 2.0, 10)),
            // 0.25 ms … ≈ 4 s.
            commit_seconds: Histogram::new(exponential_buckets(0.000_25, 2.0, 15)),
        }
    }
}

impl Writer {
    pub(super) fn run(self, mut conn: Connection, mut queue: mpsc::Receiver<Command>) {
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
                        self.commit(&mut conn, &mut batch);
                        job(&mut conn);
                    }
                    Command::Shutdown => open = false,
                }
                if open && batch.len() < MAX_BATCH {
                    next = queue.try_recv().ok();
                }
            }
            since_checkpoint += batch.len();
            self.commit(&mut conn, &mut batch);
            if since_checkpoint >= checkpoint::EVERY {
                self.checkpointer.nudge();
                since_checkpoint = 0;
            }
        }
        self.checkpointer.stop();
        tracing::debug!("SQLite writer stopped");
    }

    /// Commits the batch in one transaction and answers every sender. If the
    /// batch fails, each response is retried alone so one bad row cannot fail
    /// the others.
    fn commit(&self, conn: &mut Connection, batch: &mut Vec<Job>) {
        if batch.is_empty() {
            return;
        }
        let all: Vec<(&Response, &[AlertRule])> = batch
            .iter()
            .map(|(r, rules, _)| (&**r, &rules[..]))
            .collect();
        let started = Instant::now();
        let result = write(conn, &all);
        self.metrics
            .commit_seconds
            .observe(started.elapsed().as_secs_f64());
        self.metrics.batch_size.observe(batch.len() as f64);
        match result {
            Ok(written) => {
                self.apply(written);
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
                    let result = write(conn, &[(&r, &rules[..])]).map(|w| self.apply(w));
                    let _ = reply.send(result);
                }
            }
        }
    }

    fn apply(&self, written: Written) {
        self.answered.apply(&written.deltas);
        if written.alerts > 0 {
            self.alerts.notify_one();
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

/// Writes the responses, and the alerts they trigger, in one transaction.
fn write(
    conn: &mut Connection,
    responses: &[(&Response, &[AlertRule])],
) -> Result<Written, StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut written = Written::default();
    {
        let mut upsert = tx.prepare_cached(sql::upsert_response(sql::Dialect::Sqlite))?;
        let mut enqueue = tx.prepare_cached(sql::ALERT_ENQUEUE)?;
        for (incoming, rules) in responses {
            let select = sql::select_response(sql::Dialect::Sqlite);
            let existing = query(
                &tx,
                select,
                &[incoming.response_id.as_str().into()],
                row::stored_response,
            )?
            .pop()
            .map(|s| s.response);
            let now_ms = clock::now_ms();
            let plan = plan::plan(existing, incoming, rules, now_ms, alerts::new_alert_id)?;
            let now = clock::now_rfc3339_millis();
            upsert.execute(params_from_iter(plan.upsert_params(&now)))?;
            written.alerts += enqueue_all(&mut enqueue, &plan)?;
            written.deltas.extend(plan.answered_delta);
        }
    }
    tx.commit()?;
    Ok(written)
}

/// Queues the plan's alerts; a (response, rule) already queued is left alone.
fn enqueue_all(enqueue: &mut CachedStatement, plan: &plan::SavePlan) -> Result<usize, StoreError> {
    let mut queued = 0;
    for alert in &plan.alerts {
        queued += enqueue.execute(params_from_iter(plan.alert_params(alert)))?;
    }
    Ok(queued)
}
