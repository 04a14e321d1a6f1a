//! The save plan, shared by both databases: given the stored row (if any)
//! and an incoming post, what to write — the merged response, the alerts it
//! triggers, the change to its touchpoint's answered count. Pure: the
//! backends read the existing row, call [`plan`], and bind its parameters.

use super::sql::Param;
use super::StoreError;
use crate::alerts::AlertRule;
use crate::clock;
use std::borrow::Cow;
use touchpoint_protocol::{Response, Status};

/// A change to a touchpoint's answered count.
pub type Delta = (String, i64);

/// What one save writes.
#[derive(Debug)]
pub struct SavePlan<'a> {
    /// The response after merging the post into the stored row.
    pub merged: Cow<'a, Response>,
    /// One alert per rule the merged response matches (the outbox keeps only
    /// the first per response and rule).
    pub alerts: Vec<QueuedAlert>,
    /// +1 when the response became an answered, non-preview one; −1 when it
    /// stopped being one.
    pub answered_delta: Option<Delta>,
    /// `occurred_at` in UTC seconds (the time the save was planned when the
    /// stored text cannot be read).
    pub occurred_epoch: i64,
}

/// An alert row for the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedAlert {
    pub alert_id: String,
    pub rule_key: String,
    pub webhook: String,
    pub body: String,
    pub created_ms: i64,
}

fn counts_as_answered(r: &Response) -> bool {
    r.status == Status::Answered && !r.preview
}

/// Plans the save of `incoming` over `existing` at `now_ms`; `new_id` names
/// each alert. A post under an id that belongs to another touchpoint or
/// question is refused: merging it would mix two surveys' answers.
pub fn plan<'a>(
    existing: Option<Response>,
    incoming: &'a Response,
    rules: &[AlertRule],
    now_ms: i64,
    mut new_id: impl FnMut() -> String,
) -> Result<SavePlan<'a>, StoreError> {
    if let Some(stored) = &existing {
        if stored.touchpoint != incoming.touchpoint || stored.question != incoming.question {
            return Err(StoreError::Conflict(format!(
                "response_id {} belongs to touchpoint {:?} ({}); send a new response_id for another survey",
                stored.response_id,
                stored.touchpoint,
                stored.question.as_str()
            )));
        }
    }
    let was = existing.as_ref().is_some_and(counts_as_answered);
    let merged = match existing {
        Some(stored) => Cow::Owned(stored.merge(incoming)),
        None => Cow::Borrowed(incoming),
    };
    let is = counts_as_answered(&merged);
    let answered_delta = (was != is).then(|| (merged.touchpoint.clone(), if is { 1 } else { -1 }));
    let created_at = clock::rfc3339(now_ms / 1000);
    let alerts = rules
        .iter()
        .filter(|rule| rule.matches(&merged))
        .map(|rule| {
            let alert_id = new_id();
            QueuedAlert {
                body: rule.body(&alert_id, &created_at, &merged),
                alert_id,
                rule_key: rule.key.clone(),
                webhook: rule.webhook.clone(),
                created_ms: now_ms,
            }
        })
        .collect();
    let occurred_epoch = clock::epoch_seconds(&merged.occurred_at).unwrap_or(now_ms / 1000);
    Ok(SavePlan {
        merged,
        alerts,
        answered_delta,
        occurred_epoch,
    })
}

impl SavePlan<'_> {
    /// Parameters of `sql::upsert_response`: the wire fields, the write
    /// time, `occurred_epoch`.
    pub fn upsert_params(&self, now: &str) -> Vec<Param> {
        let m = &*self.merged;
        let attributes = serde_json::to_string(&m.attributes).expect("a JSON object serialises");
        vec![
            m.response_id.as_str().into(),
            m.touchpoint.as_str().into(),
            m.stage.as_str().into(),
            m.question.as_str().into(),
            m.score.map(i64::from).into(),
            m.comment.as_deref().into(),
            m.status.as_str().into(),
            m.respondent.as_str().into(),
            attributes.into(),
            m.locale.as_deref().into(),
            m.page_url.as_deref().into(),
            m.occurred_at.as_str().into(),
            m.widget_version.as_deref().into(),
            i64::from(m.preview).into(),
            now.into(),
            self.occurred_epoch.into(),
        ]
    }

    /// Parameters of `sql::ALERT_ENQUEUE` for `alert`.
    pub fn alert_params(&self, alert: &QueuedAlert) -> Vec<Param> {
        vec![
            alert.alert_id.as_str().into(),
            self.merged.response_id.as_str().into(),
            alert.rule_key.as_str().into(),
            alert.webhook.as_str().into(),
            alert.body.as_str().into(),
            alert.created_ms.into(),
        ]
    }
}

#[cfg(test)]
mod tests;
