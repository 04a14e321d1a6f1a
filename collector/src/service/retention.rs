//! The retention task: at start-up and then every hour, deletes responses
//! older than `--retention-days` (with their follow-ups and alert copies),
//! and — whatever the flag — alert copies 30 days after they were delivered
//! or given up (their bodies copy the answer and its comment). Each time it
//! also re-reads the answered counts, so the caps follow an erasure made by
//! `touchpoint erase` in another process within the hour.

use crate::clock::{now_epoch, now_ms};
use crate::model::Deleted;
use crate::store::{Store, StoreError};
use std::time::Duration;
use tokio::task::JoinHandle;

/// Days a delivered (or given-up) alert copy is kept.
pub const DONE_ALERT_DAYS: u32 = 30;
/// Responses deleted per transaction, so a large first purge never holds
/// the database (SQLite's single writer) for long.
const BATCH: u32 = 5_000;
const DAY_SECS: i64 = 24 * 3600;

#[derive(Debug, Clone)]
pub struct RetentionOptions {
    /// `--retention-days`: responses older than this many days go; `None`
    /// keeps them.
    pub days: Option<u32>,
    /// Time between purges.
    pub every: Duration,
}

impl Default for RetentionOptions {
    fn default() -> Self {
        RetentionOptions {
            days: None,
            every: Duration::from_secs(3600),
        }
    }
}

/// What one purge deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Responses past retention, with their follow-ups and alert copies.
    pub expired: Deleted,
    /// Alert copies delivered or given up more than 30 days ago.
    pub done_alerts: u64,
}

/// One purge at `now_epoch` (UTC seconds).
pub async fn purge(store: &Store, days: Option<u32>, now_epoch: i64) -> Result<Purged, StoreError> {
    let mut purged = Purged::default();
    if let Some(days) = days {
        let before = now_epoch.saturating_sub(i64::from(days) * DAY_SECS);
        loop {
            let batch = store.purge_occurred_before(before, BATCH).await?;
            purged.expired.add(batch);
            if batch.responses < u64::from(BATCH) {
                break;
            }
        }
    }
    let done_before = now_epoch
        .saturating_sub(i64::from(DONE_ALERT_DAYS) * DAY_SECS)
        .saturating_mul(1000);
    purged.done_alerts = store.purge_done_alerts(done_before).await?;
    Ok(purged)
}

/// Purges now and then every `opts.every`, logging what went; stops with
/// the returned task (abort it, or let it be dropped with the runtime).
pub fn spawn(store: Store, opts: RetentionOptions) -> JoinHandle<()> {
    match opts.days {
        Some(days) => tracing::info!(
            "retention: responses older than {days} days are deleted at start-up and every {} s",
            opts.every.as_secs_f64()
        ),
        None => tracing::info!("retention off (--retention-days): responses are kept"),
    }
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(opts.every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let started = now_ms();
            match purge(&store, opts.days, now_epoch()).await {
                Ok(p) => log(&p, opts.days, now_ms() - started),
                Err(e) => {
                    tracing::error!(error = %e, "retention purge failed; trying again at the next one")
                }
            }
            if let Err(e) = store.reload_answered_counts().await {
                tracing::warn!(error = %e, "cannot re-read the answered counts");
            }
        }
    })
}

fn log(p: &Purged, days: Option<u32>, took_ms: i64) {
    if let Some(days) = days {
        tracing::info!(
            responses = p.expired.responses,
            follow_ups = p.expired.follow_ups,
            alerts = p.expired.alerts,
            took_ms,
            "retention: deleted responses older than {days} days"
        );
    }
    if p.done_alerts > 0 {
        tracing::info!(
            alerts = p.done_alerts,
            "retention: deleted alert copies delivered or given up over {DONE_ALERT_DAYS} days ago"
        );
    }
}
