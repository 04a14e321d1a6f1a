//! The HTTP application: routes, shared state, CORS, auth, rate limits and
//! request logging.

use crate::config_watch::ConfigHandle;
use crate::dashboard::{self, layout};
use crate::error::AppError;
use crate::guard;
use crate::routes::table::Table;
use crate::routes::{config, export, follow_ups, health, openapi, report, responses, static_files};
use crate::state::AppState;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::routing::{get, post};
use axum::Router;
use std::time::{Duration, Instant};
use tower_http::cors::{AllowOrigin, CorsLayer};

pub fn app(state: AppState) -> Router {
    app_routes(state).0
}

/// The router, and the method and path of every route in it.
pub fn app_routes(state: AppState) -> (Router, Vec<(Method, String)>) {
    use Method as M;
    let limited = || middleware::from_fn_with_state(state.clone(), guard::rate_limit);
    let open_unless_token =
        middleware::from_fn_with_state(state.clone(), guard::require_if_explicit);
    let public_api = Table::new()
        .route(
            "/v1/responses",
            &[M::POST, M::GET],
            post(responses::post)
                .layer(limited())
                .merge(get(responses::list).layer(open_unless_token)),
        )
        .route("/v1/config", &[M::GET], get(config::get).layer(limited()))
        .route("/v1/config/schema", &[M::GET], get(config::schema))
        .with(|r| {
            r.layer(DefaultBodyLimit::max(responses::MAX_BODY_BYTES))
                .layer(cors(state.config.clone()))
        });
    let admin_api = Table::new()
        .route("/v1/report", &[M::GET], get(report::get))
        .route("/v1/export", &[M::GET], get(export::get))
        .route("/v1/follow-ups", &[M::GET], get(follow_ups::list))
        .route(
            "/v1/follow-ups/{response_id}",
            &[M::POST],
            post(follow_ups::step),
        )
        .with(|r| {
            r.route_layer(middleware::from_fn_with_state(
                state.clone(),
                guard::require_api,
            ))
        });
    let pages = Table::new()
        .route("/", &[M::GET], get(dashboard::journey::page_handler))
        .route(
            "/touchpoints/{id}",
            &[M::GET],
            get(dashboard::touchpoint::page_handler),
        )
        .route(
            "/follow-ups",
            &[M::GET],
            get(dashboard::follow_ups::page_handler),
        )
        .route(
            "/follow-ups/{response_id}",
            &[M::POST],
            post(dashboard::follow_ups::step),
        )
        .with(|r| {
            r.route_layer(middleware::from_fn_with_state(
                state.clone(),
                guard::require_page,
            ))
        });
    let public = Table::new()
        .route("/healthz", &[M::GET], get(health::healthz))
        .route("/v1/openapi.json", &[M::GET], get(openapi::get))
        .route(
            "/login",
            &[M::GET, M::POST],
            get(dashboard::login::form).merge(post(dashboard::login::submit).layer(limited())),
        )
        .route("/logout", &[M::POST], post(dashboard::login::logout))
        .route("/dashboard.css", &[M::GET], get(layout::stylesheet));
    let (router, routes) = public
        .merge(public_api)
        .merge(admin_api)
        .merge(pages)
        .merge(static_files::table(&state.widget_dir))
        .into_parts();
    let router = router
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(log_request))
        .with_state(state);
    (router, routes)
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
