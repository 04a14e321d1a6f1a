//! `GET /v1/follow-ups` and `POST /v1/follow-ups/{response_id}`: the
//! closed-loop queue as JSON.

use crate::app::AppState;
use crate::auth::{Admin, CSRF_HEADER};
use crate::clock;
use crate::error::AppError;
use crate::followup::{FollowUpItem, FollowUpState, Refusal};
use crate::report::query::ReportQuery;
use crate::store::FollowUpQuery;
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;
use touchpoint_protocol::FieldError;

/// Longest note kept with a follow-up step.
pub const MAX_NOTE_CHARS: usize = 2000;
/// Entries listed unless `limit` says otherwise, and the most it may say.
pub const DEFAULT_LIMIT: u32 = 500;
pub const MAX_LIMIT: u32 = 5000;

/// `?state=&limit=`; the period and filters are a [`ReportQuery`] read from
/// the same query string.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    limit: Option<u32>,
}

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

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
    report: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Vec<FollowUpItem>>, AppError> {
    let (Query(q), Query(rq)) = (query?, report?);
    let config = state.config.current();
    let selection = rq
        .resolve(&config.config, clock::now_epoch(), false)
        .map_err(AppError::BadQuery)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(bad(
            "limit",
            format!("{limit} is out of range (use 1 to {MAX_LIMIT})"),
        ));
    }
    let items = state
        .store
        .follow_ups(FollowUpQuery {
            filter: selection.filter(),
            states: parse_states(q.state.as_deref())?,
            response_id: None,
            limit,
        })
        .await?;
    Ok(Json(items))
}

#[derive(Debug, Deserialize)]
pub struct Step {
    state: String,
    note: Option<String>,
}

/// Applies one step; shared by the API and the dashboard form.
pub async fn apply(
    state: &AppState,
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
    match state.store.set_follow_up(response_id, to, note).await? {
        Ok(item) => Ok(item),
        Err(Refusal::NotFound) => Err(AppError::NotFound),
        Err(r @ Refusal::NoteRequired(_)) => Err(AppError::Invalid(FieldError {
            field: Some("note".into()),
            error: r.to_string(),
        })),
        Err(r) => Err(AppError::Conflict(r.to_string())),
    }
}

pub async fn step(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Path(response_id): Path<String>,
    body: Result<Json<Step>, JsonRejection>,
) -> Result<Json<FollowUpItem>, AppError> {
    let csrf = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    admin.check_csrf(&state.auth, csrf)?;
    let Json(step) = body.map_err(|e| AppError::BadRequest(e.body_text()))?;
    Ok(Json(
        apply(&state, &response_id, &step.state, step.note).await?,
    ))
}
