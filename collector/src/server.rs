//! `touchpoint serve`: wires config, store and router to a listener, and
//! shuts down without losing queued responses.

use crate::app::app;
use crate::auth::AdminAuth;
use crate::config_watch::{self, ConfigHandle, LoadedConfig};
use crate::ratelimit::RateLimiter;
use crate::service::delivery::{self, DeliveryOptions};
use crate::state::AppState;
use crate::store::Store;
pub use listen::Limits;
use std::error::Error;
use std::net::SocketAddr;
use std::path::PathBuf;
use tokio::net::TcpListener;

pub mod listen;

pub struct ServeOptions {
    pub config: PathBuf,
    pub db: String,
    pub addr: SocketAddr,
    pub widget_dir: PathBuf,
    /// `--admin-token` / `TOUCHPOINT_ADMIN_TOKEN`; generated when absent.
    pub admin_token: Option<String>,
    /// Requests per minute per client IP on ingestion, config and login (0 = off).
    pub rate_limit: u32,
    /// Behind a proxy: the header holding the client address (`X-Forwarded-For`).
    pub client_ip_header: Option<String>,
    /// Webhook alert delivery (retries and backoff).
    pub alerts: DeliveryOptions,
    /// Timeouts, the connection cap and the shutdown deadline.
    pub limits: Limits,
    /// `--demo`: serve the demo shop and the e2e test pages too.
    pub demo: bool,
}

pub async fn serve(opts: ServeOptions) -> Result<(), Box<dyn Error>> {
    let mut limiter = RateLimiter::new(opts.rate_limit);
    if let Some(name) = &opts.client_ip_header {
        let header = axum::http::HeaderName::try_from(name.as_str()).map_err(|_| {
            format!("--client-ip-header {name:?} is not a header name (e.g. X-Forwarded-For)")
        })?;
        limiter = limiter.with_client_ip_header(header);
    }
    let auth = match &opts.admin_token {
        Some(token) => AdminAuth::configured(token)?,
        None => AdminAuth::generated(),
    };
    let loaded = LoadedConfig::from_file(&opts.config)
        .map_err(|e| format!("{} is not a usable config:\n{e}", opts.config.display()))?;
    loaded.log_problems(&opts.config);
    let store = Store::open(&opts.db).map_err(|e| format!("--db {}: {e}", opts.db))?;
    if !opts.widget_dir.join("touchpoint.js").is_file() {
        tracing::warn!(
            "{} has no touchpoint.js: /widget (and with --demo /shop) will answer 404 until the widget is built (cargo xtask build)",
            opts.widget_dir.display()
        );
    }
    let config = ConfigHandle::new(loaded);
    let watcher = config_watch::watch(
        opts.config.clone(),
        config.clone(),
        config_watch::POLL_INTERVAL,
    );
    let listener = TcpListener::bind(opts.addr)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", opts.addr))?;
    let base = format!("http://{}", listener.local_addr()?);
    if !auth.explicit() {
        // Printed so the dashboard is usable, and never open by accident.
        tracing::warn!(
            "no admin token set (TOUCHPOINT_ADMIN_TOKEN or --admin-token); this run's token is {} — log in at {base}/login",
            auth.token()
        );
    }
    if opts.rate_limit == 0 {
        tracing::info!("rate limit off (--rate-limit 0)");
    }
    // Last, so whoever waits for this line has seen the token line too.
    let shop = if opts.demo {
        format!(", demo shop {base}/shop/")
    } else {
        String::new()
    };
    tracing::info!("touchpoint collector listening on {base} (dashboard {base}/{shop}, responses {base}/v1/responses)");
    let state = AppState {
        store: store.clone(),
        config,
        widget_dir: opts.widget_dir,
        auth: std::sync::Arc::new(auth),
        limiter: std::sync::Arc::new(limiter),
        demo: opts.demo,
    };
    // Alerts queued before a restart (or a crash) are sent from here on.
    let deliveries = delivery::spawn(store.clone(), opts.alerts);
    listen::run(listener, app(state), &opts.limits, shutdown_signal()).await;
    watcher.abort();
    deliveries.stop().await;
    store.close().await;
    tracing::info!("stopped; every accepted response is committed");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                term.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = terminate => {}
    }
    tracing::info!("shutting down: finishing requests and committing queued responses");
}
