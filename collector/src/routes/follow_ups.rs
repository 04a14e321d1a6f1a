//! `GET /v1/follow-ups` and `POST /v1/follow-ups/{response_id}`: the
//! closed-loop queue as JSON.

use crate::auth::{Admin, CSRF_HEADER};
use crate::clock;
use crate::error::AppError;
use crate::extract::{self, Query};
use crate::model::{FollowUpItem, FollowUpQuery};
use crate::report::query::ReportQuery;
use crate::service::follow_ups::{apply, parse_states, DEFAULT_LIMIT, MAX_LIMIT};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;
use serde::Deserialize;

/// `?state=&limit=`; the period and filters are a [`ReportQuery`] read from
/// the same query string.
#[derive(Debug, Default, Deserialize)]
pub struct ListQuery {
    state: Option<String>,
    limit: Option<u32>,
}

pub async fn list(
    State(state): State<AppState>,
    Query(q): Query<ListQuery>,
    Query(rq): Query<ReportQuery>,
) -> Result<Json<Vec<FollowUpItem>>, AppError> {
    let config = state.config.current();
    let selection = rq
        .resolve(&config.config, clock::now_epoch(), false)
        .map_err(AppError::BadQuery)?;
    let limit = q.limit.unwrap_or(DEFAULT_LIMIT);
    if limit == 0 || limit > MAX_LIMIT {
        return Err(AppError::bad_query(
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

pub async fn step(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Path(response_id): Path<String>,
    extract::Json(step): extract::Json<Step>,
) -> Result<Json<FollowUpItem>, AppError> {
    let csrf = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    admin.check_csrf(&state.auth, csrf)?;
    Ok(Json(
        apply(&state.store, &response_id, &step.state, step.note).await?,
    ))
}
