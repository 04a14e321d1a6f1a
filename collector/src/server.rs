//! `touchpoint serve`: wires config, store and router to a listener, and
//! shuts down without losing queued responses.

use crate::app::app;
use crate::auth::{token_file, AdminAuth};
use crate::client::{self, Clients};
use crate::config_watch::{self, ConfigHandle, LoadedConfig};
use crate::metrics::Metrics;
use crate::ratelimit::failures::AuthFailures;
use crate::ratelimit::Limits;
use crate::service::delivery::{self, DeliveryOptions};
use crate::service::retention::{self, RetentionOptions};
use crate::state::AppState;
use crate::store::{DbTarget, Store};
pub use listen::ConnectionLimits;
use std::error::Error;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::net::TcpListener;

pub mod listen;

pub struct ServeOptions {
    pub config: PathBuf,
    pub db: String,
    pub addr: SocketAddr,
    pub widget_dir: PathBuf,
    /// `--admin-token` / `TOUCHPOINT_ADMIN_TOKEN`.
    pub admin_token: Option<String>,
    /// `--admin-token-file`; with neither, a token is generated into a
    /// file next to the database.
    pub admin_token_file: Option<PathBuf>,
    /// `POST /v1/responses` per minute per client IP (0 = off).
    pub rate_limit: u32,
    /// `GET /v1/config` per minute per client IP (0 = off).
    pub config_rate_limit: u32,
    /// `POST /login` per minute per client IP (0 = off).
    pub login_rate_limit: u32,
    /// Wrong admin tokens per client IP, and from everyone, within 15 min
    /// before every token attempt is refused (0 = no limit).
    pub auth_failures_per_ip: u32,
    pub auth_failures_global: u32,
    /// `--trusted-proxies`: comma-separated CIDRs whose forwarded headers count.
    pub trusted_proxies: String,
    /// The header trusted proxies write the client address to
    /// (default `X-Forwarded-For`).
    pub client_ip_header: Option<String>,
    /// `--public-url`: `https://…` makes the login cookie `Secure`.
    pub public_url: Option<String>,
    /// Webhook alert delivery (retries and backoff).
    pub alerts: DeliveryOptions,
    /// `--retention-days`, and how often the purge runs.
    pub retention: RetentionOptions,
    /// Timeouts, the connection cap and the shutdown deadline.
    pub limits: ConnectionLimits,
    /// `--demo`: serve the demo shop and the e2e test pages too.
    pub demo: bool,
    /// `--metrics-addr`: also serve `/metrics` there, without auth.
    pub metrics_addr: Option<SocketAddr>,
}

pub async fn serve(opts: ServeOptions) -> Result<(), Box<dyn Error>> {
    let clients = clients(&opts)?;
    let limits = Limits::new(
        opts.config_rate_limit,
        opts.rate_limit,
        opts.login_rate_limit,
    );
    let failures = AuthFailures::new(opts.auth_failures_per_ip, opts.auth_failures_global);
    let loaded = LoadedConfig::from_file(&opts.config)
        .map_err(|e| format!("{} is not a usable config:\n{e}", opts.config.display()))?;
    loaded.log_problems(&opts.config);
    let store = Store::open(&opts.db).map_err(|e| format!("--db {}: {e}", opts.db))?;
    let (auth, generated) = admin_auth(&opts)?;
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
    if let Some(generated) = &generated {
        // The path, never the token: logs travel further than files.
        tracing::warn!(
            "no admin token set (TOUCHPOINT_ADMIN_TOKEN, --admin-token or --admin-token-file); {} — log in at {base}/login with the token in that file",
            generated
        );
    }
    for (flag, per_minute) in [
        ("--rate-limit", opts.rate_limit),
        ("--config-rate-limit", opts.config_rate_limit),
        ("--login-rate-limit", opts.login_rate_limit),
    ] {
        if per_minute == 0 {
            tracing::info!("rate limit off ({flag} 0)");
        }
    }
    let state = AppState {
        store: store.clone(),
        config,
        widget_dir: opts.widget_dir,
        auth: Arc::new(auth),
        limits: Arc::new(limits),
        failures: Arc::new(failures),
        clients: Arc::new(clients),
        demo: opts.demo,
        served: Arc::default(),
        metrics: Arc::new(Metrics::new(&store)),
    };
    let metrics = match opts.metrics_addr {
        Some(addr) => Some(serve_metrics(addr, state.clone()).await?),
        None => None,
    };
    // Last, so whoever waits for this line has seen the token line too.
    let shop = if opts.demo {
        format!(", demo shop {base}/shop/")
    } else {
        String::new()
    };
    tracing::info!("touchpoint collector listening on {base} (dashboard {base}/{shop}, responses {base}/v1/responses)");
    // Alerts queued before a restart (or a crash) are sent from here on.
    let deliveries = delivery::spawn(store.clone(), opts.alerts);
    let purges = retention::spawn(store.clone(), opts.retention);
    listen::run(listener, app(state), &opts.limits, shutdown_signal()).await;
    watcher.abort();
    purges.abort();
    if let Some(metrics) = metrics {
        metrics.abort();
    }
    deliveries.stop().await;
    store.close().await;
    tracing::info!("stopped; every accepted response is committed");
    Ok(())
}

/// `/metrics` without auth on its own listener (bind it to loopback or a
/// private interface: it is for the scraper only).
async fn serve_metrics(
    addr: SocketAddr,
    state: AppState,
) -> Result<tokio::task::JoinHandle<()>, String> {
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|e| format!("--metrics-addr {addr}: cannot listen: {e}"))?;
    let bound = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("metrics on http://{bound}/metrics (no auth; keep this address private)");
    let router = crate::routes::metrics_only(state);
    Ok(tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::warn!(error = %e, "the metrics listener stopped");
        }
    }))
}

/// Trusted proxies, their client header and HTTPS, from the flags.
fn clients(opts: &ServeOptions) -> Result<Clients, String> {
    let proxies = client::parse_cidrs(&opts.trusted_proxies)?;
    let mut clients = Clients::default();
    if let Some(name) = &opts.client_ip_header {
        if proxies.is_empty() {
            return Err(format!(
                "--client-ip-header {name} is read only from --trusted-proxies: \
                 add the proxies' addresses (e.g. --trusted-proxies 10.0.0.0/8)"
            ));
        }
        let header = axum::http::HeaderName::try_from(name.as_str()).map_err(|_| {
            format!("--client-ip-header {name:?} is not a header name (e.g. X-Forwarded-For)")
        })?;
        clients = clients.ip_header(header);
    }
    let https = match opts.public_url.as_deref() {
        None => false,
        Some(url) if url.starts_with("https://") => true,
        Some(url) if url.starts_with("http://") => false,
        Some(url) => {
            return Err(format!(
                "--public-url {url:?} must start with https:// (or http://), e.g. https://cx.example.com"
            ))
        }
    };
    Ok(clients.trusting(proxies).https(https))
}

/// The admin token: the flag, the operator's file, or the generated file
/// (then also a line for the log saying where it is).
fn admin_auth(opts: &ServeOptions) -> Result<(AdminAuth, Option<String>), String> {
    match (&opts.admin_token, &opts.admin_token_file) {
        (Some(_), Some(_)) => Err(
            "set either --admin-token (TOUCHPOINT_ADMIN_TOKEN) or --admin-token-file, not both"
                .into(),
        ),
        (Some(token), None) => Ok((AdminAuth::configured(token)?, None)),
        (None, Some(file)) => Ok((token_file::read(file)?, None)),
        (None, None) => {
            let db = DbTarget::parse(&opts.db).map_err(|e| e.to_string())?;
            let path = token_file::next_to(&db);
            let (auth, created) = token_file::load_or_create(&path)?;
            Ok((auth, Some(generated_line(&path, created))))
        }
    }
}

/// Test harnesses read the path between the quotes after `admin token is in`.
fn generated_line(path: &Path, created: bool) -> String {
    let path = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    let how = if created {
        "generated now, mode 0600, reused on restart"
    } else {
        "generated on an earlier start"
    };
    format!("the admin token is in {path:?} ({how})")
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
