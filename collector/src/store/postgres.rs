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
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;
use tokio::sync::Notify;
use tokio_postgres::types::{to_sql_checked, IsNull, ToSql, Type};
use tokio_postgres::{NoTls, Row};
use touchpoint_protocol::Response;

mod setup;

use setup::{load_answered_counts, migrate, on_own_runtime, pool_size};

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
        )?;
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

    /// Every statement in one transaction; the rows each returned.
    pub(super) async fn write_all<T: Send + 'static>(
        &self,
        statements: Vec<(String, Vec<Param>)>,
        map: MapRow<T>,
    ) -> Result<Vec<Vec<T>>, StoreError> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let mut out = Vec::with_capacity(statements.len());
        for (sql, p) in &statements {
            out.push(query(&tx, sql, p, map).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub(super) async fn execute(&self, sql: String, p: Vec<Param>) -> Result<u64, StoreError> {
        let client = self.client().await?;
        let stmt = client.prepare_cached(&sql).await?;
        Ok(client.execute(&stmt, &params(&p)).await?)
    }

    pub async fn reload_answered_counts(&self) -> Result<(), StoreError> {
        let client = self.client().await?;
        let counts = load_answered_counts(&client).await?;
        self.0.answered.replace(counts);
        Ok(())
    }

    pub fn alert_signal(&self) -> Arc<Notify> {
        self.0.alerts.clone()
    }

    pub(super) fn answered_counts(&self) -> &AnsweredCounts {
        &self.0.answered
    }

    /// Whether a save would be stored now: a pooled connection can open a
    /// read-write transaction (not a standby, not read-only) and finds the
    /// schema this build migrates to.
    pub async fn ready(&self) -> Result<(), StoreError> {
        if self.0.closed.load(Ordering::SeqCst) {
            return Err(StoreError::Closed);
        }
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        tx.batch_execute("SET TRANSACTION READ WRITE").await?;
        let found: i64 = tx
            .query_one("SELECT version FROM touchpoint_schema", &[])
            .await?
            .get(0);
        tx.rollback().await?;
        super::sqlite::schema_current(found as u32, setup::SCHEMA_VERSION)
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
