//! `GET /v1/config` and `GET /v1/config/schema`.

use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::LazyLock;

pub async fn get(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let config = state.config.current();
    // Answers for these touchpoints are welcome from now on, even after
    // they leave the config; a failure here is retried with the next post.
    if let Err(e) = state.served.note(&state.store, &config).await {
        tracing::warn!(error = %e, "cannot remember the served touchpoints");
    }
    let body = config.render(&state.store.answered_counts());
    let etag = etag(&body);
    let cache = [
        // Fetched on every page view: browsers and CDNs may reuse it for a
        // minute, then revalidate with the ETag (a 304 is a few bytes).
        (
            header::CACHE_CONTROL,
            HeaderValue::from_static("public, max-age=60"),
        ),
        (
            header::ETAG,
            HeaderValue::from_str(&etag).expect("hex is a valid header"),
        ),
    ];
    if if_none_match(&headers, &etag) {
        return (StatusCode::NOT_MODIFIED, cache).into_response();
    }
    (cache, json_content_type(), body).into_response()
}

pub async fn schema() -> Response {
    static SCHEMA: LazyLock<String> = LazyLock::new(crate::schema::config_schema);
    (json_content_type(), SCHEMA.as_str()).into_response()
}

fn json_content_type() -> [(header::HeaderName, HeaderValue); 1] {
    [(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    )]
}

fn etag(body: &[u8]) -> String {
    let mut h = DefaultHasher::new();
    body.hash(&mut h);
    format!("\"{:016x}\"", h.finish())
}

fn if_none_match(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}
