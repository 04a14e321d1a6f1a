//! `/`: the journey map.

use super::layout::{page, send, PageError};
use crate::app::AppState;
use crate::auth::Admin;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;

pub async fn page_handler(
    State(state): State<AppState>,
    admin: Admin,
) -> Result<Response, PageError> {
    Ok(send(
        StatusCode::OK,
        page(
            "Journey",
            Some((&admin, &state.auth)),
            html! { h1 { "Journey" } },
        ),
    ))
}
