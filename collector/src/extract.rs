//! Request extractors whose every rejection is an [`AppError`] naming the
//! field at fault, so a bad query string, JSON body or form gets the same
//! `{"error", "field"}` answer as every other mistake (axum's own
//! rejections are plain text without the field).

use crate::error::AppError;
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, StatusCode};
use serde::de::DeserializeOwned;
use touchpoint_protocol::FieldError;

/// The query string as `T`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

/// A JSON body as `T` (`application/json`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

/// A form body as `T` (`application/x-www-form-urlencoded`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Form<T>(pub T);

/// A serde error at `path` as a field error; the whole input when the path
/// is empty.
fn at_path(path: &serde_path_to_error::Path, error: String, hint: &str) -> FieldError {
    let field = path.to_string();
    let field = (!field.is_empty() && field != ".").then_some(field);
    let error = match &field {
        Some(f) => format!("{f}: {error}; {hint}"),
        None => format!("{error}; {hint}"),
    };
    FieldError { field, error }
}

/// `a=1&b=2` as `T`.
pub fn from_pairs<T: DeserializeOwned>(input: &[u8], hint: &str) -> Result<T, FieldError> {
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(input));
    serde_path_to_error::deserialize(de).map_err(|e| at_path(e.path(), e.inner().to_string(), hint))
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for Query<T> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, AppError> {
        let query = parts.uri.query().unwrap_or_default();
        from_pairs(query.as_bytes(), "see /v1/openapi.json for the parameters")
            .map(Query)
            .map_err(AppError::BadQuery)
    }
}

/// Whether the request's content type is `want` (parameters and case aside).
fn content_type_is(headers: &HeaderMap, want: &str) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|essence| essence.trim().eq_ignore_ascii_case(want))
}

fn content_type(headers: &HeaderMap) -> String {
    headers.get(header::CONTENT_TYPE).map_or_else(
        || "(none)".into(),
        |v| String::from_utf8_lossy(v.as_bytes()).into_owned(),
    )
}

/// The whole body, or the error a client should see.
async fn body<S: Send + Sync>(req: Request, state: &S) -> Result<Bytes, AppError> {
    Bytes::from_request(req, state).await.map_err(|e| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::BadRequest("the body is too large".into())
        } else {
            AppError::BadRequest(format!("the body could not be read: {}", e.body_text()))
        }
    })
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !content_type_is(req.headers(), "application/json") {
            return Err(AppError::UnsupportedMediaType {
                got: content_type(req.headers()),
                want: "application/json",
            });
        }
        let bytes = body(req, state).await?;
        let mut de = serde_json::Deserializer::from_slice(&bytes);
        let value: Result<T, _> = serde_path_to_error::deserialize(&mut de);
        match value {
            Ok(v) => Ok(Json(v)),
            Err(e) if e.inner().is_data() => Err(AppError::Invalid(at_path(
                e.path(),
                e.inner().to_string(),
                "see /v1/openapi.json for the body",
            ))),
            Err(e) => Err(AppError::BadRequest(format!(
                "body is not valid JSON ({}); send one JSON object",
                e.inner()
            ))),
        }
    }
}

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for Form<T> {
    type Rejection = AppError;

    async fn from_request(req: Request, state: &S) -> Result<Self, AppError> {
        if !content_type_is(req.headers(), "application/x-www-form-urlencoded") {
            return Err(AppError::UnsupportedMediaType {
                got: content_type(req.headers()),
                want: "application/x-www-form-urlencoded (an HTML form)",
            });
        }
        let bytes = body(req, state).await?;
        from_pairs(&bytes, "send the form's fields")
            .map(Form)
            .map_err(AppError::Invalid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Page {
        limit: Option<u32>,
        touchpoint: Option<String>,
    }

    #[test]
    fn a_bad_value_names_its_field() {
        let e = from_pairs::<Page>(b"touchpoint=x&limit=", "hint").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("limit"));
        assert!(
            e.error.starts_with("limit: ") && e.error.ends_with("; hint"),
            "{}",
            e.error
        );
        let e = from_pairs::<Page>(b"limit=-3", "hint").unwrap_err();
        assert_eq!(e.field.as_deref(), Some("limit"));
        let ok: Page = from_pairs(b"limit=5&extra=1", "hint").unwrap();
        assert_eq!(ok.limit, Some(5));
    }
}
