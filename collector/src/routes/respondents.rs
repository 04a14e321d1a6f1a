//! `DELETE /v1/respondents/{respondent}`: the right to erasure — every
//! response of one respondent, with their follow-ups and alert copies.

use crate::auth::{Admin, CSRF_HEADER};
use crate::error::AppError;
use crate::model::Erasure;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Json;

/// Longest respondent id a response may carry (the protocol's bound).
const MAX_RESPONDENT_CHARS: usize = 128;

pub async fn erase(
    State(state): State<AppState>,
    admin: Admin,
    headers: HeaderMap,
    Path(respondent): Path<String>,
) -> Result<Json<Erasure>, AppError> {
    let csrf = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    admin.check_csrf(&state.auth, csrf)?;
    if respondent.trim().is_empty() || respondent.chars().count() > MAX_RESPONDENT_CHARS {
        return Err(AppError::bad_query(
            "respondent",
            format!("a respondent id has 1 to {MAX_RESPONDENT_CHARS} characters"),
        ));
    }
    let deleted = state.store.erase_respondent(&respondent).await?;
    // Counts only: the id is personal data the erasure just removed.
    tracing::info!(
        responses = deleted.responses,
        follow_ups = deleted.follow_ups,
        alerts = deleted.alerts,
        "erased a respondent"
    );
    Ok(Json(Erasure {
        respondent,
        deleted,
    }))
}
