//! `GET /v1/export?format=csv|jsonl&from=&to=&days=&stage=&touchpoint=&attribute=`.

use crate::clock;
use crate::error::AppError;
use crate::extract::Query;
use crate::report::query::ReportQuery;
use crate::service::export::{self, Format};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// `?format=`; the period and filters are a [`ReportQuery`] read from the
/// same query string.
#[derive(Debug, Default, Deserialize)]
pub struct ExportQuery {
    format: Option<String>,
}

pub async fn get(
    State(state): State<AppState>,
    Query(q): Query<ExportQuery>,
    Query(rq): Query<ReportQuery>,
) -> Result<Response, AppError> {
    let format = Format::parse(q.format.as_deref().unwrap_or("csv")).map_err(AppError::BadQuery)?;
    let filter = export::filter(&rq, clock::now_epoch()).map_err(AppError::BadQuery)?;
    let disposition = format!("attachment; filename=\"{}\"", export::file_name(format));
    Ok((
        [
            (header::CONTENT_TYPE, format.content_type().to_string()),
            (header::CONTENT_DISPOSITION, disposition),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(export::stream(state.store.clone(), filter, format)),
    )
        .into_response())
}
