//! PostgreSQL backend: the same tables and queries as SQLite (migrations
//! under `migrations/postgres/`, numbered alike), a small connection pool,
//! per-response advisory locks so concurrent posts merge correctly, and
//! `FOR UPDATE SKIP LOCKED` on the alert outbox so collectors behind one
//! load balancer never claim the same alert.

use super::plan;
use super::row::{self, Columns};
use super::sql::{self, Dialect, Param};
use super::{AnsweredCounts, MapRow, StoreError};
use crate::alerts::{self, AlertRule};
use crate::clock;
use deadpool_postgres::GenericClient;
use deadpool_postgres::{Manager, ManagerConfig, Object, Pool, RecyclingMethod};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{NoTls, Row};
use touchpoint_protocol::Response;

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

struct Inner {
    pool: Pool,
    answered: AnsweredCounts,
    alerts: Arc<Notify>,
    closed: AtomicBool,
}

/// Cheap to clone; all clones share one pool.
#[derive(Clone)]
pub struct PgStore(Arc<Inner>);

impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut bytes::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Param::Int(i) => i.to_sql(ty, out),
            Param::Text(s) => s.to_sql(ty, out),
            Param::Null => Ok(IsNull::Yes),
        }
    }

    fn accepts(ty: &Type) -> bool {
        <i64 as ToSql>::accepts(ty) || <String as ToSql>::accepts(ty)
    }

    to_sql_checked!();
}

fn params(p: &[Param]) -> Vec<&(dyn ToSql + Sync)> {
    p.iter().map(|v| v as &(dyn ToSql + Sync)).collect()
}

impl Columns for Row {
    fn int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        Ok(self.try_get(i)?)
    }

    fn text(&self, i: usize) -> Result<Option<String>, StoreError> {
        Ok(self.try_get(i)?)
    }
}

/// Every row of `sql` on `client`, mapped (statements prepared once per
/// pooled connection).
async fn query<T>(
    client: &impl GenericClient,
    sql: &str,
    p: &[Param],
    map: MapRow<T>,
) -> Result<Vec<T>, StoreError> {
    let stmt = client.prepare_cached(sql).await?;
    let rows = client.query(&stmt, &params(p)).await?;
    rows.iter().map(|r| map(r)).collect()
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
    let rows = client.query(sql::ANSWERED_COUNTS, &[]).await?;
    let counts: Result<Vec<_>, _> = rows.iter().map(|r| row::touchpoint_count(r)).collect();
    Ok(counts?.into_iter().collect())
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
            answered: AnsweredCounts::new(answered),
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
        let upsert = client
            .prepare_cached(sql::upsert_response(Dialect::Postgres))
            .await?;
        let enqueue = client.prepare_cached(&sql::pg(sql::ALERT_ENQUEUE)).await?;
        let tx = client.transaction().await?;
        // Posts for one response take turns, so each merges the one before.
        tx.execute(&lock, &[&incoming.response_id]).await?;
        let existing = query(
            &tx,
            sql::select_response(Dialect::Postgres),
            &[incoming.response_id.as_str().into()],
            row::stored_response,
        )
        .await?
        .pop()
        .map(|s| s.response);
        let plan = plan::plan(
            existing,
            &incoming,
            &rules,
            clock::now_ms(),
            alerts::new_alert_id,
        );
        let now = clock::now_rfc3339_millis();
        tx.execute(&upsert, &params(&plan.upsert_params(&now)))
            .await?;
        let mut queued = 0;
        for alert in &plan.alerts {
            queued += tx
                .execute(&enqueue, &params(&plan.alert_params(alert)))
                .await?;
        }
        tx.commit().await?;
        self.0.answered.apply(&plan.answered_delta);
        if queued > 0 {
            self.0.alerts.notify_one();
        }
        Ok(())
    }

    pub(super) async fn rows<T: Send + 'static>(
        &self,
        sql: String,
        p: Vec<Param>,
        map: MapRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        query(&self.client().await?, &sql, &p, map).await
    }

    /// On PostgreSQL any connection writes: the same as [`PgStore::rows`].
    pub(super) async fn write_rows<T: Send + 'static>(
        &self,
        sql: String,
        p: Vec<Param>,
        map: MapRow<T>,
    ) -> Result<Vec<T>, StoreError> {
        self.rows(sql, p, map).await
    }

    pub(super) async fn execute(&self, sql: String, p: Vec<Param>) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(&sql).await?;
        Ok(client.execute(&stmt, &params(&p)).await?)
    }

    pub fn alert_signal(&self) -> Arc<Notify> {
        self.0.alerts.clone()
    }

    pub(super) fn answered_counts(&self) -> &AnsweredCounts {
        &self.0.answered
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
            Ok(counts) => inner.answered.replace(counts),
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
