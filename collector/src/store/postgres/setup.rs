//! Opening a PostgreSQL store: the pool size, migrations under an advisory
//! lock, the answered counts to start from.

use super::super::{row, sql, StoreError};
use std::collections::HashMap;
use tokio_postgres::NoTls;

/// Embedded migrations, numbered like SQLite's; `touchpoint_schema` counts
/// how many have run.
const MIGRATIONS: &[&str] = &[
    include_str!("../migrations/postgres/0001_responses.sql"),
    include_str!("../migrations/postgres/0002_occurred_epoch.sql"),
    include_str!("../migrations/postgres/0003_follow_ups.sql"),
    include_str!("../migrations/postgres/0004_alert_outbox.sql"),
    include_str!("../migrations/postgres/0005_served_touchpoints.sql"),
    include_str!("../migrations/postgres/0006_respondent_index.sql"),
];
/// The schema version this build migrates to.
pub(super) const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;
/// Connections per collector unless `TOUCHPOINT_PG_POOL` says otherwise:
/// several collectors must fit in PostgreSQL's default 100 connections.
const POOL_SIZE: usize = 8;
/// Largest `TOUCHPOINT_PG_POOL`.
const MAX_POOL_SIZE: usize = 256;

/// The pool size from `TOUCHPOINT_PG_POOL` (absent: the default). A single
/// collector on its own PostgreSQL ingests ≈ 30% more with 32.
pub(super) fn pool_size(var: Option<&str>) -> Result<usize, StoreError> {
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

/// Runs `f` to completion on a runtime of its own (opening the store is
/// synchronous, and may be called inside or outside a runtime).
pub(super) fn on_own_runtime<T: Send + 'static>(
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

pub(super) async fn migrate(
    config: tokio_postgres::Config,
) -> Result<HashMap<String, u64>, StoreError> {
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

pub(super) async fn load_answered_counts(
    client: &tokio_postgres::Client,
) -> Result<HashMap<String, u64>, StoreError> {
    let rows = client.query(sql::ANSWERED_COUNTS, &[]).await?;
    let counts: Result<Vec<_>, _> = rows.iter().map(|r| row::touchpoint_count(r)).collect();
    Ok(counts?.into_iter().collect())
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
