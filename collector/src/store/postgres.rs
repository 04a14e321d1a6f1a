//! PostgreSQL backend: the same tables and queries as SQLite (migrations
//! under `migrations/postgres/`, numbered alike), a small connection pool,
//! per-response advisory locks so concurrent posts merge correctly, and
//! `FOR UPDATE SKIP LOCKED` on the alert outbox so collectors behind one
//! load balancer never claim the same alert.

use super::sql::{self, Dialect, Param, Params, COLUMNS};
use super::{
    AlertCounts, AlertJob, CommentQuery, FollowUpQuery, ListFilter, ResponseFilter, StoreError,
    StoredResponse,
};
use crate::alerts::{self, delivery, AlertRule};
use crate::clock;
use crate::followup::{FollowUp, FollowUpCounts, FollowUpItem, FollowUpState, Refusal, Subject};
use crate::report::CountRow;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{NoTls, Row};
use touchpoint_protocol::{QuestionType, Response, Status};

/// Embedded migrations, numbered like SQLite's; `touchpoint_schema` counts
/// how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("migrations/postgres/0001_responses.sql"),
    include_str!("migrations/postgres/0002_occurred_epoch.sql"),
    include_str!("migrations/postgres/0003_follow_ups.sql"),
    include_str!("migrations/postgres/0004_alert_outbox.sql"),
];
/// Connections per collector unless `TOUCHPOINT_PG_POOL` says otherwise:
/// several collectors must fit in PostgreSQL's default 100 connections.
const POOL_SIZE: usize = 8;
/// Largest `TOUCHPOINT_PG_POOL`.
const MAX_POOL_SIZE: usize = 256;

/// The pool size from `TOUCHPOINT_PG_POOL` (absent: the default). A single
/// collector on its own PostgreSQL ingests ≈ 30% more with 32.
fn pool_size(var: Option<&str>) -> Result<usize, StoreError> {
    let Some(v) = var.map(str::trim) else {
        return Ok(POOL_SIZE);
    };
    v.parse()
        .ok()
        .filter(|n| (1..=MAX_POOL_SIZE).contains(n))
        .ok_or_else(|| {
            StoreError::Unsupported(format!(
                "TOUCHPOINT_PG_POOL={v}: use a whole number of connections from 1 to {MAX_POOL_SIZE} (default {POOL_SIZE})"
            ))
        })
}
/// Advisory lock key held while migrating, so collectors starting together
/// take turns.
const MIGRATION_LOCK: i64 = 0x746f_7563_6870;
/// How often answered counts are re-read (other collectors add to them).
const COUNTS_REFRESH: Duration = Duration::from_secs(5);

type Counts = Arc<Mutex<HashMap<String, u64>>>;

struct Inner {
    pool: Pool,
    answered: Counts,
    alerts: Arc<Notify>,
    closed: AtomicBool,
}

/// Cheap to clone; all clones share one pool.
#[derive(Clone)]
pub struct PgStore(Arc<Inner>);

impl From<tokio_postgres::Error> for StoreError {
    fn from(e: tokio_postgres::Error) -> Self {
        StoreError::Postgres(match e.as_db_error() {
            Some(db) => format!("{} ({})", db.message(), db.code().code()),
            None => e.to_string(),
        })
    }
}

impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Param::Int(i) => i.to_sql(ty, out),
            Param::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty) || <String as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

fn params(p: &Params) -> Vec<&(dyn ToSql + Sync)> {
    p.values.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` to completion on a runtime of its own (opening the store is
/// synchronous, and may be called inside or outside a runtime).
fn on_own_runtime<T: Send + 'static>(
    f: impl std::future::Future<Output = Result<T, StoreError>> + Send + 'static,
) -> Result<T, StoreError> {
    std::thread::spawn(move || {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Unsupported(format!("cannot start a runtime: {e}")))?
            .block_on(f)
    })
    .join()
    .unwrap_or_else(|e| std::panic::resume_unwind(e))
}

async fn connect(config: &tokio_postgres::Config) -> Result<tokio_postgres::Client, StoreError> {
    let (client, connection) = config.connect(NoTls).await?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

async fn migrate(config: tokio_postgres::Config) -> Result<HashMap<String, u64>, StoreError> {
    let mut client = connect(&config).await?;
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .await?;
    tx.batch_execute("CREATE TABLE IF NOT EXISTS touchpoint_schema (version BIGINT NOT NULL)")
        .await?;
    let found: i64 = match tx
        .query_opt("SELECT version FROM touchpoint_schema", &[])
        .await?
    {
        Some(row) => row.get(0),
        None => {
            tx.execute("INSERT INTO touchpoint_schema (version) VALUES (0)", &[])
                .await?;
            0
        }
    };
    let known = MIGRATIONS.len() as i64;
    if found > known {
        return Err(StoreError::TooNew {
            found: found as u32,
            known: known as u32,
        });
    }
    for sql in &MIGRATIONS[found as usize..] {
        tx.batch_execute(sql).await?;
    }
    tx.execute("UPDATE touchpoint_schema SET version = $1", &[&known])
        .await?;
    tx.commit().await?;
    load_answered_counts(&client).await
}

async fn load_answered_counts(
    client: &tokio_postgres::Client,
) -> Result<HashMap<String, u64>, StoreError> {
    let rows = client
        .query(
            "SELECT touchpoint, COUNT(*) FROM responses \
             WHERE status = 'answered' AND preview = 0 GROUP BY touchpoint",
            &[],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|r| (r.get::<_, String>(0), r.get::<_, i64>(1) as u64))
        .collect())
}

fn text_enum<T>(s: &str, parse: fn(&str) -> Option<T>) -> Result<T, StoreError> {
    parse(s).ok_or_else(|| StoreError::Corrupt(format!("unknown value {s:?}")))
}

fn small(n: Option<i64>) -> Option<u8> {
    n.and_then(|n| u8::try_from(n).ok())
}

/// A row whose first columns are [`COLUMNS`].
fn stored_from_row(row: &Row) -> Result<StoredResponse, StoreError> {
    let attributes: String = row.try_get(8)?;
    Ok(StoredResponse {
        response: Response {
            response_id: row.try_get(0)?,
            touchpoint: row.try_get(1)?,
            stage: row.try_get(2)?,
            question: text_enum(row.try_get(3)?, QuestionType::parse)?,
            score: small(row.try_get(4)?),
            comment: row.try_get(5)?,
            status: text_enum(row.try_get(6)?, Status::parse)?,
            respondent: row.try_get(7)?,
            attributes: serde_json::from_str(&attributes)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            locale: row.try_get(9)?,
            page_url: row.try_get(10)?,
            occurred_at: row.try_get(11)?,
            widget_version: row.try_get(12)?,
            preview: row.try_get::<_, i64>(13)? != 0,
        },
        received_at: row.try_get(14)?,
        updated_at: row.try_get(15)?,
    })
}

fn counts_as_answered(r: &Response) -> bool {
    r.status == Status::Answered && !r.preview
}

impl PgStore {
    /// Connects, migrates (under an advisory lock) and prepares the pool.
    pub fn open(url: &str) -> Result<PgStore, StoreError> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| StoreError::Unsupported(format!("not a PostgreSQL URL: {e}")))?;
        let size = pool_size(std::env::var("TOUCHPOINT_PG_POOL").ok().as_deref())?;
        let answered = on_own_runtime(migrate(config.clone()))?;
        let manager = Manager::from_config(
            config,
            NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(size)
            .build()
            .map_err(|e| StoreError::Postgres(e.to_string()))?;
        let store = PgStore(Arc::new(Inner {
            pool,
            answered: Arc::new(Mutex::new(answered)),
            alerts: Arc::new(Notify::new()),
            closed: AtomicBool::new(false),
        }));
        if let Ok(rt) = tokio::runtime::Handle::try_current() {
            rt.spawn(refresh_counts(Arc::downgrade(&store.0)));
        }
        Ok(store)
    }

    async fn client(&self) -> Result<Object, StoreError> {
        if self.0.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Closed);
        }
        self.0
            .pool
            .get()
            .await
            .map_err(|e| StoreError::Postgres(format!("no connection: {e}")))
    }

    pub async fn save(
        &self,
        incoming: Response,
        rules: Arc<Vec<AlertRule>>,
    ) -> Result<(), StoreError> {
        let mut client = self.client().await?;
        // Prepared once per pooled connection: one round trip per statement.
        let lock = client
            .prepare_cached("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))")
            .await?;
        let select = client
            .prepare_cached(sql::select_response(Dialect::Postgres))
            .await?;
        let upsert = client
            .prepare_cached(sql::upsert_response(Dialect::Postgres))
            .await?;
        let tx = client.transaction().await?;
        // Posts for one response take turns, so each merges the one before.
        tx.execute(&lock, &[&incoming.response_id]).await?;
        let existing = tx
            .query_opt(&select, &[&incoming.response_id])
            .await?
            .map(|r| stored_from_row(&r))
            .transpose()?
            .map(|s| s.response);
        let was = existing.as_ref().is_some_and(counts_as_answered);
        let merged = match existing {
            Some(stored) => stored.merge(&incoming),
            None => incoming,
        };
        let attributes = serde_json::to_string(&merged.attributes)
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let score = merged.score.map(i64::from);
        let preview = i64::from(merged.preview);
        let epoch = clock::epoch_seconds(&merged.occurred_at).unwrap_or_else(clock::now_epoch);
        let now = clock::now_rfc3339_millis();
        tx.execute(
            &upsert,
            &[
                &merged.response_id,
                &merged.touchpoint,
                &merged.stage,
                &merged.question.as_str(),
                &score,
                &merged.comment,
                &merged.status.as_str(),
                &merged.respondent,
                &attributes,
                &merged.locale,
                &merged.page_url,
                &merged.occurred_at,
                &merged.widget_version,
                &preview,
                &now,
                &epoch,
            ],
        )
        .await?;
        let mut queued = 0;
        for rule in rules.iter().filter(|r| r.matches(&merged)) {
            let enqueue = tx.prepare_cached(&sql::pg(sql::ALERT_ENQUEUE)).await?;
            let alert_id = alerts::new_alert_id();
            let now_ms = delivery::now_ms();
            let body = rule.body(&alert_id, &clock::rfc3339(now_ms / 1000), &merged);
            queued += tx
                .execute(
                    &enqueue,
                    &[
                        &alert_id,
                        &merged.response_id,
                        &rule.key,
                        &rule.webhook,
                        &body,
                        &now_ms,
                    ],
                )
                .await?;
        }
        tx.commit().await?;
        let is = counts_as_answered(&merged);
        if was != is {
            let mut counts = locked(&self.0.answered);
            let n = counts.entry(merged.touchpoint.clone()).or_default();
            *n = if is {
                n.saturating_add(1)
            } else {
                n.saturating_sub(1)
            };
        }
        if queued > 0 {
            self.0.alerts.notify_one();
        }
        Ok(())
    }

    async fn query(&self, sql: &str, p: &Params) -> Result<Vec<Row>, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(sql).await?;
        Ok(client.query(&stmt, &params(p)).await?)
    }

    pub async fn list(&self, filter: ListFilter) -> Result<Vec<StoredResponse>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &format!(
                    "SELECT {COLUMNS} FROM responses \
                     WHERE $1::text IS NULL OR touchpoint = $1 ORDER BY seq LIMIT $2 OFFSET $3"
                ),
                // LIMIT NULL: no limit.
                &[
                    &filter.touchpoint,
                    &filter.limit.map(i64::from),
                    &i64::try_from(filter.offset).unwrap_or(i64::MAX),
                ],
            )
            .await?;
        rows.iter().map(stored_from_row).collect()
    }

    pub async fn report_counts(
        &self,
        filter: ResponseFilter,
        bucket_from: i64,
        bucket_secs: i64,
    ) -> Result<Vec<CountRow>, StoreError> {
        let mut p = Params::new(Dialect::Postgres);
        let sql = sql::report_counts(&filter, bucket_from, bucket_secs, &mut p);
        let rows = self.query(&sql, &p).await?;
        rows.iter()
            .map(|r| {
                Ok(CountRow {
                    touchpoint: r.try_get(0)?,
                    question: text_enum(r.try_get(1)?, QuestionType::parse)?,
                    status: text_enum(r.try_get(2)?, Status::parse)?,
                    score: small(r.try_get(3)?),
                    bucket: r.try_get(4)?,
                    n: r.try_get::<_, i64>(5)? as u64,
                })
            })
            .collect()
    }

    pub async fn comments(&self, q: CommentQuery) -> Result<Vec<StoredResponse>, StoreError> {
        let mut p = Params::new(Dialect::Postgres);
        let sql = sql::comments(&q, COLUMNS, &mut p);
        self.query(&sql, &p)
            .await?
            .iter()
            .map(stored_from_row)
            .collect()
    }

    pub async fn follow_ups(&self, q: FollowUpQuery) -> Result<Vec<FollowUpItem>, StoreError> {
        let mut p = Params::new(Dialect::Postgres);
        let sql = sql::follow_ups(&q, &sql::qualified(COLUMNS, "r."), &mut p);
        self.query(&sql, &p)
            .await?
            .iter()
            .map(|r| {
                Ok(FollowUpItem {
                    response: stored_from_row(r)?,
                    follow_up: FollowUp {
                        state: r
                            .try_get::<_, Option<String>>(16)?
                            .and_then(|s| FollowUpState::parse(&s))
                            .unwrap_or(FollowUpState::Open),
                        contacted_at: r.try_get(17)?,
                        contact_note: r.try_get(18)?,
                        closed_at: r.try_get(19)?,
                        outcome_note: r.try_get(20)?,
                    },
                })
            })
            .collect()
    }

    pub async fn follow_up_counts(
        &self,
        filter: ResponseFilter,
    ) -> Result<FollowUpCounts, StoreError> {
        let mut p = Params::new(Dialect::Postgres);
        let sql = sql::follow_up_counts(&filter, &mut p);
        let mut counts = FollowUpCounts::default();
        for r in self.query(&sql, &p).await? {
            let state: String = r.try_get(0)?;
            let n: i64 = r.try_get(1)?;
            counts.add(
                FollowUpState::parse(&state).unwrap_or(FollowUpState::Open),
                n as u64,
            );
        }
        Ok(counts)
    }

    pub async fn set_follow_up(
        &self,
        response_id: String,
        to: FollowUpState,
        note: Option<String>,
        now: String,
    ) -> Result<Result<(), Refusal>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        // The response row is locked, so two people stepping the same
        // follow-up take turns and the second sees the first's step.
        let subject = tx
            .query_opt(
                &format!("{} FOR UPDATE OF r", sql::pg(sql::FOLLOW_UP_SUBJECT)),
                &[&response_id],
            )
            .await?
            .map(|r| -> Result<Subject, StoreError> {
                Ok(Subject {
                    question: r.try_get(0)?,
                    score: small(r.try_get(1)?),
                    status: r.try_get(2)?,
                    preview: r.try_get::<_, i64>(3)? != 0,
                    state: r.try_get(4)?,
                })
            })
            .transpose()?;
        let Some(subject) = subject else {
            return Ok(Err(Refusal::NotFound));
        };
        let from = match subject.decide(to, note.as_deref()) {
            Ok(from) => from,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let changed = if to == FollowUpState::Contacted {
            tx.execute(
                &sql::pg(sql::FOLLOW_UP_CONTACTED),
                &[&response_id, &note, &now],
            )
            .await?
        } else {
            tx.execute(
                &sql::pg(sql::FOLLOW_UP_CLOSED),
                &[&response_id, &to.as_str(), &note, &now],
            )
            .await?
        };
        if changed != 1 {
            return Ok(Err(Refusal::OutOfOrder { from, to }));
        }
        tx.commit().await?;
        Ok(Ok(()))
    }

    pub async fn export_page(
        &self,
        filter: ResponseFilter,
        after: i64,
        limit: u32,
    ) -> Result<Vec<(i64, StoredResponse)>, StoreError> {
        let mut p = Params::new(Dialect::Postgres);
        let sql = sql::export_page(&filter, after, limit, COLUMNS, &mut p);
        self.query(&sql, &p)
            .await?
            .iter()
            .map(|r| Ok((r.try_get::<_, i64>(16)?, stored_from_row(r)?)))
            .collect()
    }

    pub fn alert_signal(&self) -> Arc<Notify> {
        self.0.alerts.clone()
    }

    pub async fn claim_alerts(
        &self,
        now_ms: i64,
        lease_ms: i64,
        limit: u32,
    ) -> Result<Vec<AlertJob>, StoreError> {
        let client = self.client().await?;
        let rows = client
            .query(
                &sql::alert_claim(Dialect::Postgres),
                &[&now_ms, &(now_ms + lease_ms), &i64::from(limit)],
            )
            .await?;
        rows.iter()
            .map(|r| {
                Ok(AlertJob {
                    id: r.try_get(0)?,
                    alert_id: r.try_get(1)?,
                    webhook: r.try_get(2)?,
                    body: r.try_get(3)?,
                    attempts: r.try_get::<_, i64>(4)? as u32,
                    created_ms: r.try_get(5)?,
                })
            })
            .collect()
    }

    pub async fn alert_delivered(&self, id: i64, now_ms: i64) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(&sql::pg(sql::ALERT_DELIVERED), &[&id, &now_ms])
            .await?;
        Ok(())
    }

    pub async fn alert_failed(
        &self,
        id: i64,
        next_ms: i64,
        error: String,
        gave_up_ms: Option<i64>,
    ) -> Result<(), StoreError> {
        let client = self.client().await?;
        client
            .execute(
                &sql::pg(sql::ALERT_FAILED),
                &[&id, &next_ms, &error, &gave_up_ms],
            )
            .await?;
        Ok(())
    }

    pub async fn alert_counts(&self) -> Result<AlertCounts, StoreError> {
        let client = self.client().await?;
        let r = client.query_one(sql::ALERT_COUNTS, &[]).await?;
        let n = |i: usize| -> Result<u64, StoreError> { Ok(r.try_get::<_, i64>(i)? as u64) };
        Ok(AlertCounts {
            pending: n(0)?,
            delivered: n(1)?,
            given_up: n(2)?,
            attempts: n(3)?,
        })
    }

    pub fn answered_counts(&self) -> HashMap<String, u64> {
        locked(&self.0.answered).clone()
    }

    /// Refuses new work; every accepted response is already committed
    /// (each save commits before it returns).
    pub async fn close(&self) {
        self.0.closed.store(true, Ordering::SeqCst);
        self.0.pool.close();
    }
}

/// Re-reads the answered counts now and then: other collectors on the same
/// database add to them too.
async fn refresh_counts(store: Weak<Inner>) {
    loop {
        tokio::time::sleep(COUNTS_REFRESH).await;
        let Some(inner) = store.upgrade() else { return };
        if inner.closed.load(Ordering::SeqCst) {
            return;
        }
        let Ok(client) = inner.pool.get().await else {
            continue;
        };
        match load_answered_counts(&client).await {
            Ok(counts) => *locked(&inner.answered) = counts,
            Err(e) => tracing::warn!(error = %e, "cannot refresh answered counts"),
        }
    }
}

#[cfg(test)]
mod pool_tests {
    use super::*;

    #[test]
    fn pool_size_comes_from_the_environment_within_bounds() {
        assert_eq!(pool_size(None).unwrap(), POOL_SIZE);
        assert_eq!(pool_size(Some(" 32 ")).unwrap(), 32);
        for bad in ["0", "257", "lots", ""] {
            let e = pool_size(Some(bad)).unwrap_err().to_string();
            assert!(
                e.contains("TOUCHPOINT_PG_POOL") && e.contains("1 to 256"),
                "{e}"
            );
        }
    }
}
