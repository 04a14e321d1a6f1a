//! One error type for every handler: each case maps to a status and a JSON
//! body `{"error": "...", "field": "..." | null}`.

use crate::store::StoreError;
use axum::extract::rejection::QueryRejection;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
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
    /// The content type sent, and what to send instead.
    UnsupportedMediaType {
        got: String,
        want: &'static str,
    },
    NotFound,
    /// No admin token, or a wrong one.
    Unauthorized,
    /// Authenticated, but the request is refused (a bad CSRF token).
    Forbidden(String),
    /// The request conflicts with the current state (e.g. a follow-up step out of order).
    Conflict(String),
    /// The client's rate limit is used up; retry after this many seconds.
    TooManyRequests {
        retry_after: u64,
    },
    /// Too many wrong admin tokens from this address (or from everyone):
    /// every token attempt waits this many seconds.
    TooManyFailures {
        retry_after: u64,
    },
    Store(StoreError),
    /// The request (or its body) took longer than the server allows.
    RequestTimeout,
    /// A handler panicked; the panic is in the log, the process lives on.
    Internal,
}

impl AppError {
    /// A query parameter is unusable: which one, and what to send instead.
    pub fn bad_query(field: &str, error: impl Into<String>) -> Self {
        AppError::BadQuery(FieldError {
            field: Some(field.into()),
            error: error.into(),
        })
    }

    pub fn status(&self) -> StatusCode {
        match self {
            AppError::BadRequest(_) => StatusCode::BAD_REQUEST,
            AppError::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
            AppError::BadQuery(_) => StatusCode::BAD_REQUEST,
            AppError::PayloadTooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::UnsupportedMediaType { .. } => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Unauthorized => StatusCode::UNAUTHORIZED,
            AppError::Forbidden(_) => StatusCode::FORBIDDEN,
            AppError::Conflict(_) => StatusCode::CONFLICT,
            AppError::TooManyRequests { .. } | AppError::TooManyFailures { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            AppError::Store(StoreError::Closed) => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
            AppError::RequestTimeout => StatusCode::REQUEST_TIMEOUT,
            AppError::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl AppError {
    /// Headers that go with the status (`WWW-Authenticate`, `Retry-After`).
    pub fn headers(&self) -> HeaderMap {
        let mut headers = HeaderMap::new();
        match self {
            AppError::Unauthorized => {
                headers.insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"touchpoint\""),
                );
            }
            AppError::TooManyRequests { retry_after }
            | AppError::TooManyFailures { retry_after } => {
                headers.insert(header::RETRY_AFTER, HeaderValue::from(*retry_after));
            }
            _ => {}
        }
        headers
    }

    /// The message and the field at fault, for people.
    pub fn message(self) -> (String, Option<String>) {
        match self {
            AppError::BadRequest(msg) => (msg, None),
            AppError::Invalid(e) | AppError::BadQuery(e) => (e.error, e.field),
            AppError::PayloadTooLarge { limit } => (
                format!("body is larger than {} KB; send one response per request", limit / 1024),
                None,
            ),
            AppError::UnsupportedMediaType { got, want } => (
                format!("content type {got} is not accepted; send {want}"),
                None,
            ),
            AppError::NotFound => ("not found".into(), None),
            AppError::Unauthorized => (
                "sign in first: send Authorization: Bearer <admin token> (TOUCHPOINT_ADMIN_TOKEN), or log in at /login".into(),
                None,
            ),
            AppError::Forbidden(msg) | AppError::Conflict(msg) => (msg, None),
            AppError::TooManyRequests { retry_after } => (
                format!("too many requests from this address; retry in {retry_after} s"),
                None,
            ),
            AppError::TooManyFailures { retry_after } => (
                format!("too many wrong admin tokens; every token is refused for {retry_after} s"),
                None,
            ),
            AppError::Store(e) => {
                // Details go to the log, not to the browser.
                tracing::error!(error = %e, "store failure");
                ("the database failed; try again later (details are in the collector log)".into(), None)
            }
            AppError::RequestTimeout => (
                "the request took too long to arrive; send it again in one go".into(),
                None,
            ),
            AppError::Internal => (
                "the collector failed on this request (details are in its log); the service is still up".into(),
                None,
            ),
        }
    }
}

/// Why a request failed, in one word, for metrics and the request log
/// (never the message, which may quote the client's input).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reason(pub &'static str);

impl AppError {
    pub fn reason(&self) -> Reason {
        Reason(match self {
            AppError::BadRequest(_) => "bad_request",
            AppError::Invalid(_) => "invalid",
            AppError::BadQuery(_) => "bad_query",
            AppError::PayloadTooLarge { .. } => "too_large",
            AppError::UnsupportedMediaType { .. } => "media_type",
            AppError::NotFound => "not_found",
            AppError::Unauthorized => "unauthorized",
            AppError::Forbidden(_) => "forbidden",
            AppError::Conflict(_) => "conflict",
            AppError::TooManyRequests { .. } => "rate_limited",
            AppError::TooManyFailures { .. } => "auth_throttled",
            AppError::Store(StoreError::Closed) => "store_closed",
            AppError::Store(_) => "store",
            AppError::RequestTimeout => "timeout",
            AppError::Internal => "internal",
        })
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, headers, reason) = (self.status(), self.headers(), self.reason());
        let (error, field) = self.message();
        let mut res = (
            status,
            headers,
            Json(json!({ "error": error, "field": field })),
        )
            .into_response();
        res.extensions_mut().insert(reason);
        res
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        match e {
            // Nothing internal in it: the client's own request contradicts
            // what is stored.
            StoreError::Conflict(msg) => AppError::Conflict(msg),
            e => AppError::Store(e),
        }
    }
}

impl From<QueryRejection> for AppError {
    fn from(e: QueryRejection) -> Self {
        AppError::BadRequest(e.body_text())
    }
}
