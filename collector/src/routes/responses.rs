//! `POST /v1/responses` and `GET /v1/responses`.

use crate::clock;
use crate::error::AppError;
use crate::extract::Query;
use crate::model::{ListFilter, StoredResponse};
use crate::service::listing;
use crate::state::AppState;
use axum::body::Body;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use touchpoint_protocol::Response;

/// Largest accepted body; a response is well under 4 KB.
pub const MAX_BODY_BYTES: usize = 16 * 1024;

/// A validated response body: `application/json`, or `text/plain` holding the
/// same JSON (what `navigator.sendBeacon` sends without a preflight).
pub struct Posted(pub Response);

/// The body stopped arriving (the server's body timeout).
fn body_timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(e) = next {
        if e.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        next = e.source();
    }
    false
}

impl<S: Send + Sync> FromRequest<S> for Posted {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        accept_content_type(req.headers())?;
        let body = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                AppError::PayloadTooLarge {
                    limit: MAX_BODY_BYTES,
                }
            } else if body_timed_out(&e) {
                AppError::RequestTimeout
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
    let raw = headers.get(header::CONTENT_TYPE).map(|v| v.as_bytes());
    let essence = raw.map(|v| {
        v.split(|&b| b == b';')
            .next()
            .unwrap_or_default()
            .trim_ascii()
    });
    match essence {
        Some(e) if e.eq_ignore_ascii_case(b"application/json") => Ok(()),
        Some(e) if e.eq_ignore_ascii_case(b"text/plain") => Ok(()),
        _ => Err(AppError::UnsupportedMediaType {
            got: raw.map_or_else(
                || "(none)".into(),
                |v| String::from_utf8_lossy(v).into_owned(),
            ),
            want: "application/json (or text/plain holding JSON)",
        }),
    }
}

/// The answer to an accepted post.
#[derive(Serialize)]
pub struct Accepted {
    ok: bool,
    response_id: String,
}

pub async fn post(
    State(state): State<AppState>,
    Posted(response): Posted,
) -> Result<(StatusCode, Json<Accepted>), AppError> {
    let response_id = response.response_id.clone();
    let config = state.config.current();
    // Only ids from the config become label values: posts are public.
    let touchpoint = if config
        .config
        .touchpoints
        .iter()
        .any(|t| t.id == response.touchpoint)
    {
        response.touchpoint.clone()
    } else {
        "(not in config)".into()
    };
    let status = response.status.as_str();
    state
        .served
        .check(&state.store, &config, &response, clock::now_epoch())
        .await?;
    state
        .store
        .save_with_alerts(response, config.alerts.clone())
        .await?;
    state.metrics.ingested(&touchpoint, status);
    Ok((
        StatusCode::ACCEPTED,
        Json(Accepted {
            ok: true,
            response_id,
        }),
    ))
}

#[derive(Deserialize)]
pub struct ListQuery {
    touchpoint: Option<String>,
    limit: Option<u32>,
    offset: Option<u64>,
}

/// Largest page of `GET /v1/responses?limit=`.
pub const MAX_PAGE: u32 = 10_000;

/// One page as JSON, or (without `limit`) every row streamed.
pub async fn list(
    State(state): State<AppState>,
    Query(query): Query<ListQuery>,
) -> Result<axum::response::Response, AppError> {
    if query.limit.is_some_and(|l| l == 0 || l > MAX_PAGE) {
        return Err(AppError::bad_query(
            "limit",
            format!("use a whole number from 1 to {MAX_PAGE}, or leave it out for all"),
        ));
    }
    let offset = query.offset.unwrap_or(0);
    if query.limit.is_none() && offset == 0 {
        let body = Body::from_stream(listing::stream(state.store.clone(), query.touchpoint));
        return Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response());
    }
    let filter = ListFilter {
        touchpoint: query.touchpoint,
        limit: query.limit,
        offset,
    };
    let rows: Vec<StoredResponse> = state.store.list(filter).await?;
    Ok(Json(rows).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn content_type_essence_is_matched_without_case_or_parameters() {
        let check = |ct: Option<&'static str>| {
            let mut headers = HeaderMap::new();
            if let Some(ct) = ct {
                headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
            }
            accept_content_type(&headers).is_ok()
        };
        for ok in [
            "application/json",
            " Application/JSON ; charset=utf-8",
            "text/plain;charset=UTF-8",
        ] {
            assert!(check(Some(ok)), "{ok}");
        }
        for refused in ["application/jsonx", "text/html", "", "json"] {
            assert!(!check(Some(refused)), "{refused}");
        }
        assert!(!check(None));
    }
}
