//! `GET /metrics`: the Prometheus text (OpenMetrics) document. Behind the
//! admin token on the main listener, or alone on `--metrics-addr`.

use crate::clock;
use crate::error::AppError;
use crate::metrics::CONTENT_TYPE;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};

pub async fn get(State(state): State<AppState>) -> Result<Response, AppError> {
    let outbox = state.store.alert_counts().await?;
    let config = state.config.current();
    let touchpoints: Vec<&str> = config
        .config
        .touchpoints
        .iter()
        .map(|t| t.id.as_str())
        .collect();
    let body = state.metrics.render(
        &outbox,
        clock::now_ms(),
        &config.version,
        config.loaded_at,
        &touchpoints,
    );
    Ok(([(header::CONTENT_TYPE, CONTENT_TYPE)], body).into_response())
}
