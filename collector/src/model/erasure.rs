//! Deleting personal data: a respondent's erasure and the retention purge.

use serde::Serialize;

/// Rows deleted, per table: responses, their follow-ups, their alert copies.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Deleted {
    pub responses: u64,
    pub follow_ups: u64,
    /// `alert_outbox` rows (queued, delivered or given up).
    pub alerts: u64,
}

impl Deleted {
    pub fn add(&mut self, other: Deleted) {
        self.responses += other.responses;
        self.follow_ups += other.follow_ups;
        self.alerts += other.alerts;
    }
}

/// What `DELETE /v1/respondents/{respondent}` and `touchpoint erase` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Erasure {
    pub respondent: String,
    #[serde(flatten)]
    pub deleted: Deleted,
}
