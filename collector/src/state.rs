//! What every handler shares: the store, the config in force, the built
//! widget's folder, admin authentication and the rate limiter.

use crate::auth::AdminAuth;
use crate::config_watch::ConfigHandle;
use crate::ratelimit::RateLimiter;
use crate::store::Store;
use std::path::PathBuf;
use std::sync::Arc;

/// Everything handlers share; cheap to clone.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: ConfigHandle,
    /// The built widget (Trunk's `dist/`).
    pub widget_dir: PathBuf,
    /// The admin token guarding the dashboard and admin API.
    pub auth: Arc<AdminAuth>,
    /// Per-client limit on ingestion, config and login.
    pub limiter: Arc<RateLimiter>,
    /// `--demo`: also serve the demo shop (`/shop/`) and the e2e test pages.
    pub demo: bool,
}

impl AppState {
    /// State with a generated admin token and the default rate limit.
    pub fn new(store: Store, config: ConfigHandle, widget_dir: PathBuf) -> AppState {
        AppState {
            store,
            config,
            widget_dir,
            auth: Arc::new(AdminAuth::generated()),
            limiter: Arc::new(RateLimiter::new(crate::ratelimit::DEFAULT_PER_MINUTE)),
            demo: false,
        }
    }
}
