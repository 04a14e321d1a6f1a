//! The HTTP application: routes, shared state, CORS and request logging.

use crate::config_watch::ConfigHandle;
use crate::error::AppError;
use crate::routes::{config, health, report, responses, static_files};
use crate::store::Store;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{header, HeaderValue, Method};
use axum::middleware::{self, Next};
use axum::routing::get;
use axum::Router;
use std::path::PathBuf;
use std::time::{Duration, Instant};
use tower_http::cors::{AllowOrigin, CorsLayer};

/// Everything handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: ConfigHandle,
    /// The built widget (Trunk's `dist/`).
    pub widget_dir: PathBuf,
}

pub fn app(state: AppState) -> Router {
    let api = Router::new()
        .route("/v1/responses", get(responses::list).post(responses::post))
        .route("/v1/config", get(config::get))
        .route("/v1/config/schema", get(config::schema))
        .layer(DefaultBodyLimit::max(responses::MAX_BODY_BYTES))
        .layer(cors(state.config.clone()));
    Router::new()
        .route("/healthz", get(health::healthz))
        .route("/v1/report", get(report::get))
        .merge(api)
        .merge(static_files::router(&state.widget_dir))
        .fallback(|| async { AppError::NotFound })
        .layer(middleware::from_fn(log_request))
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
