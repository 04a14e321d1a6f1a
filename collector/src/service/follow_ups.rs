//! Stepping the closed-loop queue: which states a filter names, and one
//! checked step (shared by the API and the dashboard form).

use crate::error::AppError;
use crate::model::{FollowUpItem, FollowUpState, Refusal};
use crate::store::Store;
use touchpoint_protocol::FieldError;

/// Longest note kept with a follow-up step.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Entries listed unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_LIMIT: u32 = 500;
pub const MAX_LIMIT: u32 = 5000;

fn bad(field: &str, error: String) -> AppError {
    AppError::bad_query(field, error)
}

/// `open`, `contacted,recovered`, `todo` (open and contacted) or `all`.
pub fn parse_states(s: Option<&str>) -> Result<Vec<FollowUpState>, AppError> {
    let s = s.map(str::trim).filter(|s| !s.is_empty()).unwrap_or("all");
    match s {
        "all" => Ok(Vec::new()),
        "todo" => Ok(vec![FollowUpState::Open, FollowUpState::Contacted]),
        list => list
            .split(',')
            .map(|x| {
                FollowUpState::parse(x.trim()).ok_or_else(|| {
                    bad(
                        "state",
                        format!("{x:?} is not a follow-up state (use open, contacted, recovered, lost, todo or all)"),
                    )
                })
            })
            .collect(),
    }
}

/// Applies one step; shared by the API and the dashboard form.
pub async fn apply(
    store: &Store,
    response_id: &str,
    to: &str,
    note: Option<String>,
) -> Result<FollowUpItem, AppError> {
    let to = FollowUpState::parse(to)
        .filter(|s| *s != FollowUpState::Open)
        .ok_or_else(|| {
            AppError::Invalid(FieldError {
                field: Some("state".into()),
                error: format!("{to:?} is not a step (use contacted, recovered or lost)"),
            })
        })?;
    if note
        .as_ref()
        .is_some_and(|n| n.chars().count() > MAX_NOTE_CHARS)
    {
        return Err(AppError::Invalid(FieldError {
            field: Some("note".into()),
            error: format!("longer than {MAX_NOTE_CHARS} characters"),
        }));
    }
    match store.set_follow_up(response_id, to, note).await? {
        Ok(item) => Ok(item),
        Err(Refusal::NotFound) => Err(AppError::NotFound),
        Err(r @ Refusal::NoteRequired(_)) => Err(AppError::Invalid(FieldError {
            field: Some("note".into()),
            error: r.to_string(),
        })),
        Err(r) => Err(AppError::Conflict(r.to_string())),
    }
}
