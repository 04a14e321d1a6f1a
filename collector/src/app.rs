//! The HTTP application: the API's and the dashboard's tables of routes
//! merged, the not-found fallback, request logging, and panics caught into
//! a 500 so no request takes the process down.

use crate::error::{AppError, Reason};
use crate::state::AppState;
use crate::{dashboard, routes};
use axum::extract::{MatchedPath, Request, State};
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::response::IntoResponse;
use axum::Router;
use std::any::Any;
use std::time::Instant;
use tower_http::catch_panic::CatchPanicLayer;

pub fn app(state: AppState) -> Router {
    app_routes(state).0
}

/// The router, and the method and path of every route in it.
pub fn app_routes(state: AppState) -> (Router, Vec<(Method, String)>) {
    let (router, routes) = routes::table(&state)
        .merge(dashboard::table(&state))
        .into_parts();
    (finish(router, state), routes)
}

/// What every route gets: the not-found fallback, panics caught into a 500,
/// the request log.
pub fn finish(router: Router<AppState>, state: AppState) -> Router {
    router
        .fallback(|| async { AppError::NotFound })
        // Inside the request log, so a caught panic is logged as its 500.
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .with_state(state)
}

/// A handler panicked: log what it said, answer 500 JSON. (The release
/// profile of the collector unwinds; with `panic = "abort"` nothing could
/// be caught.)
pub fn panic_response(panic: Box<dyn Any + Send + 'static>) -> axum::response::Response {
    let what = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)");
    tracing::error!(panic = what, "a request handler panicked; answered 500");
    AppError::Internal.into_response()
}

/// Every request: its latency and error (if any) into the metrics, one
/// log line at debug, and one at warn when the collector itself failed.
/// Logged: method, route, path, status, reason, time — never headers,
/// bodies or query strings (tokens, comments and webhook URLs live there).
async fn observe(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "(unmatched)".to_owned(), |p| p.as_str().to_owned());
    let path = tracing::enabled!(tracing::Level::WARN).then(|| req.uri().path().to_owned());
    let started = Instant::now();
    let res = next.run(req).await;
    let seconds = started.elapsed().as_secs_f64();
    let status = res.status().as_u16();
    let reason = match res.extensions().get::<Reason>() {
        Some(r) => r.0,
        None if status >= 500 => "server",
        None if status >= 400 => "client",
        None => "",
    };
    state
        .metrics
        .request(&route, method.as_str(), status, reason, seconds);
    let ms = seconds * 1000.0;
    let path = path.as_deref().unwrap_or("");
    if status >= 500 {
        tracing::warn!(%method, route, path, status, reason, ms, "request failed");
    } else {
        tracing::debug!(%method, route, path, status, reason, ms, "request");
    }
    res
}
