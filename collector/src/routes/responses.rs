//! `POST /v1/responses` and `GET /v1/responses`.

use crate::app::AppState;
use crate::error::AppError;
use crate::store::{ListFilter, StoredResponse};
use axum::body::Bytes;
use axum::extract::rejection::QueryRejection;
use axum::extract::{FromRequest, Query, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use touchpoint_protocol::Response;

/// Largest accepted body; a response is well under 4 KB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A validated response body: `application/json`, or `text/plain` holding the
/// same JSON (what `navigator.sendBeacon` sends without a preflight).
pub struct Posted(pub Response);

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        accept_content_type(req.headers())?;
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                }
            } else {
                AppError::BadRequest(e.body_text())
            }
        })?;
        let value: Value = serde_json::from_slice(&body).map_err(|e| {
            AppError::BadRequest(format!(
                "body is not valid JSON ({e}); send one response object"
            ))
        })?;
        Response::from_value(&value)
            .map(Posted)
            .map_err(AppError::Invalid)
    }
}

fn accept_content_type(headers: &HeaderMap) -> Result<(), AppError> {
    let raw = headers
        .get(header::CONTENT_TYPE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let essence = raw
        .as_deref()
        .and_then(|v| v.split(';').next())
        .map(|v| v.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json" | "text/plain") => Ok(()),
        _ => Err(AppError::UnsupportedMediaType(
            raw.unwrap_or_else(|| "(none)".into()),
        )),
    }
}

pub async fn post(
    State(state): State<AppState>,
    Posted(response): Posted,
) -> Result<(StatusCode, Json<Value>), AppError> {
    let id = response.response_id.clone();
    let alerts = state.config.current().alerts.clone();
    state.store.save_with_alerts(response, alerts).await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "ok": true, "response_id": id })),
    ))
}

#[derive(Deserialize)]
pub struct ListQuery {
    touchpoint: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<StoredResponse>>, AppError> {
    let Query(query) = query?;
    let filter = ListFilter {
        touchpoint: query.touchpoint,
    };
    Ok(Json(state.store.list(filter).await?))
}
