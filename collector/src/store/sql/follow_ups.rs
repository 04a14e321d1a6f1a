//! The follow-up queue: entries, counts per state, and guarded steps.

use super::{needs_follow_up, response_where, Params};
use crate::model::{FollowUpQuery, FollowUpState, ResponseFilter};

const FOLLOW_UP_FROM: &str =
    "FROM responses r LEFT JOIN follow_ups f ON f.response_id = r.response_id";

/// Queue entries, newest first: the response columns (`columns`, on `r`),
/// then state, contacted_at, contact_note, closed_at, outcome_note.
pub fn follow_ups(q: &FollowUpQuery, columns: &str, p: &mut Params) -> String {
    let mut filter = format!("{} AND {}", response_where(&q.filter, p), needs_follow_up());
    if !q.states.is_empty() {
        let states: Vec<String> = q.states.iter().map(|s| p.text(s.as_str())).collect();
        filter.push_str(&format!(
            " AND COALESCE(f.state, 'open') IN ({})",
            states.join(", ")
        ));
    }
    if let Some(id) = &q.response_id {
        filter.push_str(&format!(" AND r.response_id = {}", p.text(id)));
    }
    let limit = p.int(i64::from(q.limit));
    format!(
        "SELECT {columns}, f.state, f.contacted_at, f.contact_note, f.closed_at, f.outcome_note \
         {FOLLOW_UP_FROM} WHERE {filter} \
         ORDER BY r.occurred_epoch DESC, {} DESC LIMIT {limit}",
        p.seq()
    )
}

/// Queue entries per state.
pub fn follow_up_counts(f: &ResponseFilter, p: &mut Params) -> String {
    format!(
        "SELECT COALESCE(f.state, 'open') AS state, COUNT(*) {FOLLOW_UP_FROM} \
         WHERE {} AND {} GROUP BY COALESCE(f.state, 'open')",
        response_where(f, p),
        needs_follow_up()
    )
}

/// What decides whether a response is in the queue, and its follow-up state.
pub const FOLLOW_UP_SUBJECT: &str = "SELECT r.question, r.score, r.status, r.preview, f.state \
     FROM responses r LEFT JOIN follow_ups f ON f.response_id = r.response_id \
     WHERE r.response_id = ?1";

/// Open → contacted: the row appears; a second writer changes nothing.
const FOLLOW_UP_CONTACTED: &str = "INSERT INTO follow_ups \
     (response_id, state, contacted_at, contact_note, updated_at) VALUES (?1, 'contacted', ?3, ?2, ?3) \
     ON CONFLICT (response_id) DO NOTHING";

/// Contacted → recovered or lost, only from contacted.
const FOLLOW_UP_CLOSED: &str = "UPDATE follow_ups \
     SET state = ?2, outcome_note = ?3, closed_at = ?4, updated_at = ?4 \
     WHERE response_id = ?1 AND state = 'contacted'";

/// The write of one follow-up step, guarded so that it changes exactly one
/// row only from the state the step starts from: two people stepping the
/// same follow-up cannot both succeed.
pub fn follow_up_step(
    response_id: &str,
    to: FollowUpState,
    note: Option<&str>,
    now: &str,
    p: &mut Params,
) -> String {
    p.text(response_id);
    if to == FollowUpState::Contacted {
        p.push(note.into());
        p.text(now);
        p.sql(FOLLOW_UP_CONTACTED)
    } else {
        p.text(to.as_str());
        p.push(note.into());
        p.text(now);
        p.sql(FOLLOW_UP_CLOSED)
    }
}
