//! The dashboard: server-rendered HTML and inline SVG, no JavaScript. Every
//! text from the config or from respondents goes through maud, which escapes it.

pub mod filters;
pub mod follow_ups;
pub mod format;
pub mod journey;
pub mod layout;
pub mod login;
pub mod svg;
pub mod touchpoint;

use crate::guard;
use crate::ratelimit::Bucket;
use crate::routes::table::Table;
use crate::state::AppState;
use axum::http::Method;
use axum::middleware;
use axum::routing::{get, post};

/// The dashboard's pages (admin session or token), its login and its style.
pub fn table(state: &AppState) -> Table<AppState> {
    use Method as M;
    let pages = Table::new()
        .route("/", &[M::GET], get(journey::page_handler))
        .route(
            "/touchpoints/{id}",
            &[M::GET],
            get(touchpoint::page_handler),
        )
        .route("/follow-ups", &[M::GET], get(follow_ups::page_handler))
        .route(
            "/follow-ups/{response_id}",
            &[M::POST],
            post(follow_ups::step),
        )
        .with(|r| {
            r.route_layer(middleware::from_fn_with_state(
                state.clone(),
                guard::require_page,
            ))
        });
    let limited = middleware::from_fn_with_state((state.clone(), Bucket::Login), guard::rate_limit);
    Table::new()
        .route(
            "/login",
            &[M::GET, M::POST],
            get(login::form).merge(post(login::submit).layer(limited)),
        )
        .route("/logout", &[M::POST], post(login::logout))
        .route("/dashboard.css", &[M::GET], get(layout::stylesheet))
        .merge(pages)
}
