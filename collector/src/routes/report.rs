//! `GET /v1/report`: the journey report as JSON.

use crate::error::AppError;
use crate::extract::Query;
use crate::report::query::ReportQuery;
use crate::report::Report;
use crate::service::report::{load, select};
use crate::state::AppState;
use axum::extract::State;
use axum::Json;

pub async fn get(
    State(state): State<AppState>,
    Query(query): Query<ReportQuery>,
) -> Result<Json<Report>, AppError> {
    let config = state.config.current();
    let selection = select(&config.config, &query)?;
    Ok(Json(load(&state.store, &config.config, &selection).await?))
}
