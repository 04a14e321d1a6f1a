//! One error type for every handler: each case maps to a status and a JSON
//! body `{"error": "...", "field": "..." | null}`.

use crate::store::StoreError;
use axum::extract::rejection::QueryRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;
use touchpoint_protocol::FieldError;

#[derive(Debug)]
pub enum AppError {
    /// The body is not JSON, or could not be read.
    BadRequest(String),
    /// The JSON does not describe a valid response.
    Invalid(FieldError),
    /// A query parameter is unusable.
    BadQuery(FieldError),
    PayloadTooLarge {
        limit: usize,
    },
    UnsupportedMediaType(String),
    NotFound,
    Store(StoreError),
}

impl AppError {
    fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Store(StoreError::Closed) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status = self.status();
        let (error, field) = match self {
            AppError::BadRequest(msg) => (msg, None),
            AppError::Invalid(e) | AppError::BadQuery(e) => (e.error, e.field),
            AppError::PayloadTooLarge { limit } => (
                format!("body is larger than {} KB; send one response per request", limit / 1024),
                None,
            ),
            AppError::UnsupportedMediaType(got) => (
                format!("content type {got} is not accepted; send application/json (or text/plain holding JSON)"),
                None,
            ),
            AppError::NotFound => ("not found".into(), None),
            AppError::Store(e) => {
                // Details go to the log, not to the browser.
                tracing::error!(error = %e, "store failure");
                ("the database failed; try again later (details are in the collector log)".into(), None)
            }
        };
        (status, Json(json!({ "error": error, "field": field }))).into_response()
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        AppError::Store(e)
    }
}

impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}
