//! Deleting responses with everything that copies them (follow-ups, alert
//! bodies): a respondent's erasure and the retention purge.

/// The three deletes of one erasure or purge step, run in one transaction
/// in this order: alert copies, follow-ups, then the responses `selected`
/// (a condition on `responses` with its parameters, `?1`…). Each returns
/// one row per row deleted; the responses' row is the touchpoint of an
/// answered, non-preview response (NULL otherwise), so the in-memory
/// answered counts can be lowered.
///
/// The children go first because they are found through the responses.
/// (On PostgreSQL each statement sees what was committed before it began:
/// an answer saved for the same respondent in between may leave an alert
/// copy behind, which goes 30 days after its delivery like any other.)
pub fn delete_responses(selected: &str) -> [String; 3] {
    let ids = format!("SELECT response_id FROM responses WHERE {selected}");
    [
        format!(
            "DELETE FROM alert_outbox WHERE response_id IN ({ids}) RETURNING CAST(NULL AS TEXT)"
        ),
        format!("DELETE FROM follow_ups WHERE response_id IN ({ids}) RETURNING CAST(NULL AS TEXT)"),
        format!(
            "DELETE FROM responses WHERE response_id IN ({ids}) \
             RETURNING CASE WHEN status = 'answered' AND preview = 0 THEN touchpoint END"
        ),
    ]
}

/// A respondent's responses (`?1`: the respondent).
pub const BY_RESPONDENT: &str = "respondent = ?1";

/// Up to `?2` responses that happened before `?1` (UTC seconds), oldest
/// first: the same rows each time they are selected in one transaction.
pub const OCCURRED_BEFORE: &str = "response_id IN (SELECT response_id FROM responses \
     WHERE occurred_epoch < ?1 ORDER BY occurred_epoch, response_id LIMIT ?2)";

/// Alert copies delivered or given up before `?1` (ms).
pub const ALERTS_DONE_BEFORE: &str =
    "DELETE FROM alert_outbox WHERE delivered_ms < ?1 OR gave_up_ms < ?1";
