//! The HTTP application: the API's and the dashboard's tables of routes
//! merged, the not-found fallback and request logging.

use crate::error::AppError;
use crate::state::AppState;
use crate::{dashboard, routes};
use axum::extract::Request;
use axum::http::Method;
use axum::middleware::{self, Next};
use axum::Router;
use std::time::Instant;

pub fn app(state: AppState) -> Router {
    app_routes(state).0
}

/// The router, and the method and path of every route in it.
pub fn app_routes(state: AppState) -> (Router, Vec<(Method, String)>) {
    let (router, routes) = routes::table(&state)
        .merge(dashboard::table(&state))
        .into_parts();
    let router = router
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(log_request))
        .with_state(state);
    (router, routes)
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
