//! What a posted response must satisfy beyond its own shape (which the
//! protocol checks): a touchpoint some config has served, asked at that
//! touchpoint's stage with its question, at a plausible time. Touchpoints
//! removed from the config stay acceptable — customers' outboxes may hold
//! their answers for days — so every served (touchpoint, stage, question)
//! is remembered in the database.

use crate::config_watch::LoadedConfig;
use crate::error::AppError;
use crate::store::{Store, StoreError};
use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, RwLock, Weak};
use std::time::{Duration, Instant};
use touchpoint_protocol::{FieldError, Response};

/// 2000-01-01T00:00:00Z: no answer is older.
pub const EARLIEST_OCCURRED: i64 = 946_684_800;
/// Clocks run fast; no answer is more than a day ahead.
pub const LATEST_AHEAD_SECS: i64 = 86_400;
/// A post for something unknown re-reads the database at most this often
/// (other collectors may have served a newer config).
const RELOAD_EVERY: Duration = Duration::from_secs(5);

type Served = (String, String, String);

/// The (touchpoint, stage, question) triples configs have served.
#[derive(Default)]
pub struct ServedTouchpoints {
    known: RwLock<HashSet<Served>>,
    /// The config last written to the database, so each version is written once.
    recorded: Mutex<Weak<LoadedConfig>>,
    /// When the database was last read.
    loaded: Mutex<Option<Instant>>,
}

fn triples(config: &LoadedConfig) -> Vec<Served> {
    config
        .config
        .touchpoints
        .iter()
        .map(|t| {
            let q = t.question.kind.as_str().to_string();
            (t.id.clone(), t.stage.clone(), q)
        })
        .collect()
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl ServedTouchpoints {
    /// Remembers what `config` serves, once per loaded version.
    pub async fn note(&self, store: &Store, config: &Arc<LoadedConfig>) -> Result<(), StoreError> {
        {
            let mut recorded = lock(&self.recorded);
            if recorded.upgrade().is_some_and(|c| Arc::ptr_eq(&c, config)) {
                return Ok(());
            }
            *recorded = Arc::downgrade(config);
        }
        let all = triples(config);
        self.known
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(all.iter().cloned());
        let written = store.record_served(all).await;
        if written.is_err() {
            // Try again with the next post.
            *lock(&self.recorded) = Weak::new();
        }
        written
    }

    fn knows(&self, t: &Served) -> bool {
        self.known
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .contains(t)
    }

    /// Reads the database's triples, unless it was read a moment ago.
    async fn reload(&self, store: &Store) -> Result<(), StoreError> {
        {
            let mut loaded = lock(&self.loaded);
            if loaded.is_some_and(|at| at.elapsed() < RELOAD_EVERY) {
                return Ok(());
            }
            *loaded = Some(Instant::now());
        }
        let all = store.served().await?;
        self.known
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .extend(all);
        Ok(())
    }

    /// Whether `r` may be stored now (`now`: UTC seconds).
    pub async fn check(
        &self,
        store: &Store,
        config: &Arc<LoadedConfig>,
        r: &Response,
        now: i64,
    ) -> Result<(), IngestError> {
        occurred_in_range(r, now)?;
        self.note(store, config).await?;
        let t = (
            r.touchpoint.clone(),
            r.stage.clone(),
            r.question.as_str().to_string(),
        );
        if self.knows(&t) {
            return Ok(());
        }
        self.reload(store).await?;
        if self.knows(&t) {
            return Ok(());
        }
        Err(IngestError::Refused(self.why_not(config, &t)))
    }

    /// Names the field that no served touchpoint agrees with.
    fn why_not(&self, config: &LoadedConfig, (id, stage, question): &Served) -> FieldError {
        let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
        let same_id: Vec<&Served> = known.iter().filter(|k| &k.0 == id).collect();
        if same_id.is_empty() {
            let ids: Vec<&str> = config
                .config
                .touchpoints
                .iter()
                .map(|t| t.id.as_str())
                .collect();
            return FieldError::new(
                "touchpoint",
                format!(
                    "{id:?} is not a touchpoint any config of this collector has served (the current ones: {})",
                    ids.join(", ")
                ),
            );
        }
        if !same_id.iter().any(|k| &k.1 == stage) {
            let stages: Vec<&str> = same_id.iter().map(|k| k.1.as_str()).collect();
            return FieldError::new(
                "stage",
                format!(
                    "touchpoint {id:?} is at stage {} in the config, not {stage:?}",
                    stages.join(" or ")
                ),
            );
        }
        let questions: Vec<&str> = same_id
            .iter()
            .filter(|k| &k.1 == stage)
            .map(|k| k.2.as_str())
            .collect();
        FieldError::new(
            "question",
            format!(
                "touchpoint {id:?} asks {} in the config, not {question}",
                questions.join(" or ")
            ),
        )
    }
}

/// `occurred_at` between 2000-01-01 and a day from now.
fn occurred_in_range(r: &Response, now: i64) -> Result<(), FieldError> {
    let at = crate::clock::epoch_seconds(&r.occurred_at).unwrap_or(i64::MIN);
    if (EARLIEST_OCCURRED..=now.saturating_add(LATEST_AHEAD_SECS)).contains(&at) {
        return Ok(());
    }
    Err(FieldError::new(
        "occurred_at",
        format!(
            "{} is outside 2000-01-01 to a day from now; send the time the survey changed state (RFC 3339)",
            r.occurred_at
        ),
    ))
}

/// Why a response is not stored.
#[derive(Debug)]
pub enum IngestError {
    /// A field disagrees with what was served (422).
    Refused(FieldError),
    Store(StoreError),
}

impl From<FieldError> for IngestError {
    fn from(e: FieldError) -> Self {
        IngestError::Refused(e)
    }
}

impl From<StoreError> for IngestError {
    fn from(e: StoreError) -> Self {
        IngestError::Store(e)
    }
}

impl From<IngestError> for AppError {
    fn from(e: IngestError) -> Self {
        match e {
            IngestError::Refused(e) => AppError::Invalid(e),
            IngestError::Store(e) => AppError::Store(e),
        }
    }
}
