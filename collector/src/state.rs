//! What every handler shares: the store, the config in force, the built
//! widget's folder, admin authentication, the rate limits and who the
//! client is behind trusted proxies.

use crate::auth::AdminAuth;
use crate::client::Clients;
use crate::config_watch::ConfigHandle;
use crate::metrics::Metrics;
use crate::ratelimit::failures::AuthFailures;
use crate::ratelimit::Limits;
use crate::service::ingest::ServedTouchpoints;
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
    /// Per-client budgets for config reads, posts and logins.
    pub limits: Arc<Limits>,
    /// Wrong admin tokens, per client and overall.
    pub failures: Arc<AuthFailures>,
    /// Trusted proxies and HTTPS: who the client is.
    pub clients: Arc<Clients>,
    /// `--demo`: also serve the demo shop (`/shop/`) and the e2e test pages.
    pub demo: bool,
    /// Every touchpoint a config has served: what answers may name.
    pub served: Arc<ServedTouchpoints>,
    /// What `/metrics` reports.
    pub metrics: Arc<Metrics>,
}

impl AppState {
    /// State with a generated admin token, the default limits, no trusted
    /// proxy and plain HTTP.
    pub fn new(store: Store, config: ConfigHandle, widget_dir: PathBuf) -> AppState {
        AppState {
            metrics: Arc::new(Metrics::new(&store)),
            store,
            config,
            widget_dir,
            auth: Arc::new(AdminAuth::generated()),
            limits: Arc::new(Limits::default()),
            failures: Arc::new(AuthFailures::default()),
            clients: Arc::new(Clients::default()),
            demo: false,
            served: Arc::default(),
        }
    }
}
