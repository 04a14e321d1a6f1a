//! The HTTP application: the API's and the dashboard's tables of routes
//! merged, the not-found fallback, request logging, and panics caught into
//! a 500 so no request takes the process down.

use crate::error::AppError;
use crate::state::AppState;
use crate::{dashboard, routes};
use axum::extract::Request;
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
        .layer(middleware::from_fn(log_request))
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

async fn log_request(req: Request, next: Next) -> axum::response::Response {
    if !tracing::enabled!(tracing::Level::DEBUG) {
        return next.run(req).await;
    }
    let (method, path) = (req.method().clone(), req.uri().path().to_owned());
    let started = Instant::now();
    let res = next.run(req).await;
    tracing::debug!(
        "{method} {path} {} {:.1}ms",
        res.status().as_u16(),
        started.elapsed().as_secs_f64() * 1000.0
    );
    res
}
