//! The touchpoint config the collector serves: loaded at startup, reloaded
//! when the file changes, and never replaced by a file that cannot be used.

use crate::alerts::AlertRule;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, PoisonError, RwLock};
use std::time::{Duration, SystemTime};
use touchpoint_protocol::{parse_config, Config, Problem};

/// How often the config file's modification time is checked.
pub const POLL_INTERVAL: Duration = Duration::from_millis(500);

/// A config that passed `parse_config`.
#[derive(Debug)]
pub struct LoadedConfig {
    /// What `GET /v1/config` serves: the file trimmed to what the widget
    /// reads (no `alerts`, no unknown keys), broken touchpoints included so
    /// the widget can warn about them.
    pub served: Value,
    /// The usable part.
    pub config: Config,
    /// Non-fatal problems (the touchpoints and alerts they concern are left out).
    pub problems: Vec<Problem>,
    /// The usable `alerts` entries.
    pub alerts: Arc<Vec<AlertRule>>,
    /// A hash of the file as loaded (16 hex digits): which version is served.
    pub version: String,
    /// When it was loaded (Unix seconds).
    pub loaded_at: i64,
}

/// Why a config file cannot be used.
#[derive(Debug)]
pub enum LoadError {
    Read(PathBuf, std::io::Error),
    Invalid(Vec<Problem>),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Read(path, e) => write!(f, "cannot read {}: {e}", path.display()),
            LoadError::Invalid(problems) => {
                let lines: Vec<String> = problems.iter().map(ToString::to_string).collect();
                f.write_str(&lines.join("\n"))
            }
        }
    }
}

impl std::error::Error for LoadError {}

impl LoadedConfig {
    pub fn from_file(path: &Path) -> Result<LoadedConfig, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::Read(path.into(), e))?;
        LoadedConfig::from_text(&text)
    }

    pub fn from_text(text: &str) -> Result<LoadedConfig, LoadError> {
        let parsed = parse_config(text).map_err(|e| LoadError::Invalid(e.problems))?;
        let raw: Value = serde_json::from_str(text).expect("parse_config accepted it as JSON");
        Ok(LoadedConfig {
            served: touchpoint_protocol::validate::served(&raw),
            alerts: Arc::new(parsed.config.alerts.clone()),
            config: parsed.config,
            problems: parsed.problems,
            version: {
                use std::hash::{DefaultHasher, Hash, Hasher};
                let mut h = DefaultHasher::new();
                text.hash(&mut h);
                format!("{:016x}", h.finish())
            },
            loaded_at: crate::clock::now_epoch(),
        })
    }

    /// Whether `origin` may post responses and read the config.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let origin = origin.trim_end_matches('/');
        self.config
            .allowed_origins
            .iter()
            .any(|o| o == "*" || o.trim_end_matches('/').eq_ignore_ascii_case(origin))
    }

    /// The JSON served at `GET /v1/config`: [`LoadedConfig::served`] with
    /// `"closed": true` on every touchpoint whose `max_responses` answers are in.
    pub fn render(&self, answered: &HashMap<String, u64>) -> Vec<u8> {
        let full: Vec<&str> = self
            .config
            .touchpoints
            .iter()
            .filter(|t| {
                t.max_responses
                    .is_some_and(|max| answered.get(&t.id).copied().unwrap_or(0) >= max)
            })
            .map(|t| t.id.as_str())
            .collect();
        let mut raw = self.served.clone();
        if let Some(items) = raw.get_mut("touchpoints").and_then(Value::as_array_mut) {
            for item in items.iter_mut().filter_map(Value::as_object_mut) {
                if item
                    .get("id")
                    .and_then(Value::as_str)
                    .is_some_and(|id| full.contains(&id))
                {
                    item.insert("closed".into(), Value::Bool(true));
                }
            }
        }
        serde_json::to_vec(&raw).expect("a JSON value serialises")
    }

    pub fn log_problems(&self, path: &Path) {
        for p in &self.problems {
            tracing::warn!(config = %path.display(), "{p}");
        }
    }
}

/// The config currently served; cheap to clone, swapped whole on reload.
#[derive(Clone)]
pub struct ConfigHandle(Arc<RwLock<Arc<LoadedConfig>>>);

impl ConfigHandle {
    pub fn new(config: LoadedConfig) -> ConfigHandle {
        ConfigHandle(Arc::new(RwLock::new(Arc::new(config))))
    }

    pub fn current(&self) -> Arc<LoadedConfig> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    fn replace(&self, config: LoadedConfig) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(config);
    }
}

/// What tells a changed file apart: editors may keep the mtime when the
/// size changes within the same tick, so both are compared.
fn fingerprint(path: &Path) -> Option<(SystemTime, u64)> {
    let meta = std::fs::metadata(path).ok()?;
    Some((meta.modified().ok()?, meta.len()))
}

/// Polls `path` and swaps in each new version that loads; a version with a
/// fatal problem is refused and logged, and the last good config keeps serving.
pub fn watch(path: PathBuf, handle: ConfigHandle, every: Duration) -> tokio::task::JoinHandle<()> {
    // Taken now, not when the task first runs, so a change made in between is seen.
    let mut seen = fingerprint(&path);
    tokio::spawn(async move {
        let mut ticker = tokio::time::interval(every);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            let now = fingerprint(&path);
            // A missing file is usually an editor mid-save; wait for it.
            if now.is_none() || now == seen {
                continue;
            }
            seen = now;
            let loaded = {
                let path = path.clone();
                tokio::task::spawn_blocking(move || LoadedConfig::from_file(&path)).await
            };
            match loaded {
                Ok(Ok(config)) => {
                    tracing::info!(config = %path.display(), "config reloaded");
                    config.log_problems(&path);
                    handle.replace(config);
                }
                Ok(Err(e)) => {
                    tracing::error!(
                        config = %path.display(),
                        "config change refused; still serving the previous config:\n{e}"
                    );
                }
                Err(e) => tracing::error!("config reload failed: {e}"),
            }
        }
    })
}
