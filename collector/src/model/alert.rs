//! Webhook alerts as the durable outbox holds them.

use serde::Serialize;

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
    /// When the oldest pending alert was queued (ms since the epoch).
    #[serde(skip)]
    pub oldest_pending_ms: Option<i64>,
}
