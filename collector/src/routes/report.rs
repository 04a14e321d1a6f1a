//! `GET /v1/report`: the journey report as JSON.

use crate::app::AppState;
use crate::clock;
use crate::error::AppError;
use crate::report::query::{ReportQuery, Selection};
use crate::report::{self, Report};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::Json;

/// Checks a query against the config in force.
pub fn select(state: &AppState, query: &ReportQuery) -> Result<Selection, AppError> {
    let config = state.config.current();
    query
        .resolve(&config.config, clock::now_epoch(), true)
        .map_err(AppError::BadQuery)
}

/// Counts in the store, maths in [`report::build`].
pub async fn load(state: &AppState, selection: &Selection) -> Result<Report, AppError> {
    let period = &selection.period;
    let (rows, follow_ups) = tokio::try_join!(
        state
            .store
            .report_counts(selection.filter(), period.from, period.bucket_secs()),
        state.store.follow_up_counts(selection.filter()),
    )?;
    let config = state.config.current();
    Ok(report::build(&config.config, selection, &rows, follow_ups))
}

pub async fn get(
    State(state): State<AppState>,
    query: Result<Query<ReportQuery>, QueryRejection>,
) -> Result<Json<Report>, AppError> {
    let Query(query) = query?;
    let selection = select(&state, &query)?;
    Ok(Json(load(&state, &selection).await?))
}
