//! Middleware in front of routes: admin authentication (with wrong tokens
//! throttled per client and overall) and the per-client rate limits; and
//! the [`Client`] extractor, who is asking behind trusted proxies.

use crate::auth::{self, Admin};
use crate::client::Client;
use crate::clock;
use crate::error::AppError;
use crate::ratelimit::failures::{self, Blocked};
use crate::ratelimit::Bucket;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{Extensions, HeaderMap};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The peer's address, as the listener saw it (unspecified when the
/// router runs without one, as in tests).
fn peer(extensions: &Extensions) -> IpAddr {
    extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip())
}

fn client_of(state: &AppState, req: &Request) -> Client {
    state.clients.resolve(req.headers(), peer(req.extensions()))
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        Ok(state
            .clients
            .resolve(&parts.headers, peer(&parts.extensions)))
    }
}

/// One try at the admin token (`channel`: a bearer header or the login
/// form). Refused with 429 while `client` or everyone is blocked, the right
/// token included; otherwise `right()` decides, and a wrong token is
/// counted and logged with the client's address (never the token).
pub fn token_attempt(
    state: &AppState,
    client: &Client,
    channel: &str,
    right: impl FnOnce() -> bool,
) -> Result<bool, AppError> {
    if let Some(blocked) = state.failures.blocked(client.ip) {
        tracing::debug!(client = %client.ip, "{channel}: refused, {blocked:?}");
        return Err(AppError::TooManyFailures {
            retry_after: blocked.retry_after(),
        });
    }
    if right() {
        state.failures.forgive(client.ip);
        return Ok(true);
    }
    let everyone_blocked = state.failures.record(client.ip);
    tracing::warn!(client = %client.ip, "{channel}: wrong admin token");
    if everyone_blocked {
        tracing::warn!(
            "too many wrong admin tokens from all addresses; every token attempt is refused for {} min (sessions already logged in keep working)",
            failures::WINDOW.as_secs() / 60
        );
    }
    if let Some(Blocked::Client(s)) = state.failures.blocked(client.ip) {
        tracing::warn!(client = %client.ip, "{channel}: too many wrong admin tokens; this address is refused for {s} s");
    }
    Ok(false)
}

/// The admin making this request, if any: a bearer token (throttled) or a
/// valid session cookie (not a guess, so never throttled).
pub fn admin(
    state: &AppState,
    headers: &HeaderMap,
    client: &Client,
) -> Result<Option<Admin>, AppError> {
    match auth::bearer(headers) {
        Some(token) => {
            Ok(
                token_attempt(state, client, "bearer token", || state.auth.token_ok(token))?
                    .then_some(Admin::Bearer),
            )
        }
        None => Ok(state
            .auth
            .session(headers, clock::now_epoch(), client.https)),
    }
}

/// API routes: without the admin token, 401 JSON.
pub async fn require_api(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = client_of(&state, &req);
    match admin(&state, req.headers(), &client) {
        Ok(Some(admin)) => {
            req.extensions_mut().insert(admin);
            next.run(req).await
        }
        Ok(None) => AppError::Unauthorized.into_response(),
        Err(e) => e.into_response(),
    }
}

/// Dashboard pages: without the admin token, to the login form and back.
pub async fn require_page(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let client = client_of(&state, &req);
    match admin(&state, req.headers(), &client) {
        Ok(Some(admin)) => {
            req.extensions_mut().insert(admin);
            next.run(req).await
        }
        Ok(None) => {
            let here = req
                .uri()
                .path_and_query()
                .map_or("/", |p| p.as_str())
                .to_string();
            let next: String = form_urlencoded::byte_serialize(here.as_bytes()).collect();
            Redirect::to(&format!("/login?next={next}")).into_response()
        }
        Err(e) => e.into_response(),
    }
}

/// 429 with `Retry-After` once the client's budget in `bucket` is used up.
pub async fn rate_limit(
    State((state, bucket)): State<(AppState, Bucket)>,
    req: Request,
    next: Next,
) -> Response {
    let client = client_of(&state, &req);
    match state.limits.bucket(bucket).check(client.ip) {
        Ok(()) => next.run(req).await,
        Err(retry_after) => {
            state.metrics.rate_limited(bucket.name());
            AppError::TooManyRequests { retry_after }.into_response()
        }
    }
}
