//! The JSON API and the public files, as tables of routes with thin
//! handlers: the public API (ingestion, config) behind CORS and the rate
//! limits (posts and config reads each have their own budget), the admin
//! API behind the admin token.

pub mod config;
pub mod export;
pub mod follow_ups;
pub mod health;
pub mod metrics;
pub mod openapi;
pub mod report;
pub mod respondents;
pub mod responses;
pub mod static_files;
pub mod table;

use crate::config_watch::ConfigHandle;
use crate::guard;
use crate::ratelimit::Bucket;
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Method};
use axum::middleware;
use axum::routing::{delete, get, post};
use std::time::Duration;
use table::Table;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Every API route, with its guards.
pub fn table(state: &AppState) -> Table<AppState> {
    Table::new()
        .route("/healthz", &[Method::GET], get(health::healthz))
        .route("/readyz", &[Method::GET], get(health::readyz))
        .route("/v1/openapi.json", &[Method::GET], get(openapi::get))
        .merge(public_api(state))
        .merge(admin_api(state))
        .merge(static_files::table(&state.widget_dir, state.demo))
}

/// What the widget on every customer's page calls.
fn public_api(state: &AppState) -> Table<AppState> {
    use Method as M;
    let limited =
        |bucket| middleware::from_fn_with_state((state.clone(), bucket), guard::rate_limit);
    // Responses hold comments, attributes and page URLs: admin only, always.
    let admin = middleware::from_fn_with_state(state.clone(), guard::require_api);
    Table::new()
        .route(
            "/v1/responses",
            &[M::POST, M::GET],
            post(responses::post)
                .layer(limited(Bucket::Posts))
                .merge(get(responses::list).layer(admin)),
        )
        .route(
            "/v1/config",
            &[M::GET],
            get(config::get).layer(limited(Bucket::Config)),
        )
        .route("/v1/config/schema", &[M::GET], get(config::schema))
        .with(|r| {
            r.layer(DefaultBodyLimit::max(responses::MAX_BODY_BYTES))
                .layer(cors(state.config.clone()))
        })
}

/// Reports, exports, the follow-up queue and erasure: admin token or session.
fn admin_api(state: &AppState) -> Table<AppState> {
    use Method as M;
    Table::new()
        .route("/v1/report", &[M::GET], get(report::get))
        .route("/metrics", &[M::GET], get(metrics::get))
        .route("/v1/export", &[M::GET], get(export::get))
        .route("/v1/follow-ups", &[M::GET], get(follow_ups::list))
        .route(
            "/v1/follow-ups/{response_id}",
            &[M::POST],
            post(follow_ups::step),
        )
        .route(
            "/v1/respondents/{respondent}",
            &[M::DELETE],
            delete(respondents::erase),
        )
        .with(|r| {
            r.route_layer(middleware::from_fn_with_state(
                state.clone(),
                guard::require_api,
            ))
        })
}

/// `/metrics` alone and without auth, for `--metrics-addr` (a listener the
/// operator keeps off the internet).
pub fn metrics_only(state: AppState) -> axum::Router {
    axum::Router::new()
        .route("/metrics", get(metrics::get))
        .with_state(state)
}

/// Origins come from the config in force at request time, so a reload
/// changes them without a restart.
fn cors(config: ConfigHandle) -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin: &HeaderValue, _| {
            origin
                .to_str()
                .is_ok_and(|o| config.current().allows_origin(o))
        }))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([header::CONTENT_TYPE])
        .expose_headers([header::RETRY_AFTER])
        .max_age(Duration::from_secs(600))
}
