//! Middleware in front of routes: admin authentication and the per-client
//! rate limit.

use crate::clock;
use crate::error::AppError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// API routes: without the admin token, 401 JSON.
pub async fn require_api(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match state.auth.authenticate(req.headers(), clock::now_epoch()) {
        Some(admin) => {
            req.extensions_mut().insert(admin);
            next.run(req).await
        }
        None => AppError::Unauthorized.into_response(),
    }
}

/// Dashboard pages: without the admin token, to the login form and back.
pub async fn require_page(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    match state.auth.authenticate(req.headers(), clock::now_epoch()) {
        Some(admin) => {
            req.extensions_mut().insert(admin);
            next.run(req).await
        }
        None => {
            let here = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
    }
}

/// `GET /v1/responses`: open for the demo and the tests unless the operator
/// set an admin token, then it needs the token like the other admin routes.
pub async fn require_if_explicit(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Response {
    if state.auth.explicit() {
        require_api(State(state), req, next).await
    } else {
        next.run(req).await
    }
}

/// The peer's address, as the listener saw it (unspecified when the
/// router runs without one, as in tests).
pub fn client_ip(req: &Request) -> IpAddr {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

/// 429 with `Retry-After` once the client's bucket is empty.
pub async fn rate_limit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let ip = state.limiter.client_ip(req.headers(), client_ip(&req));
    match state.limiter.check(ip) {
        Ok(()) => next.run(req).await,
        Err(retry_after) => AppError::TooManyRequests { retry_after }.into_response(),
    }
}
