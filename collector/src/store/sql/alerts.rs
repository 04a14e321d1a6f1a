//! The durable alert outbox.

use super::Dialect;

/// Queues an alert unless this (response, rule) already has one.
pub const ALERT_ENQUEUE: &str = "INSERT INTO alert_outbox \
     (alert_id, response_id, rule, webhook, body, created_ms, next_attempt_ms) \
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6) ON CONFLICT DO NOTHING";

/// Leases due alerts; on PostgreSQL the inner SELECT ends with
/// `FOR UPDATE SKIP LOCKED`, so concurrent collectors claim disjoint rows.
pub fn alert_claim(dialect: Dialect) -> String {
    let (p1, p2, p3) = match dialect {
        Dialect::Sqlite => ("?1", "?2", "?3"),
        Dialect::Postgres => ("$1", "$2", "$3"),
    };
    let lock = if dialect == Dialect::Postgres {
        " FOR UPDATE SKIP LOCKED"
    } else {
        ""
    };
    format!(
        "UPDATE alert_outbox SET leased_until_ms = {p2} WHERE id IN (\
         SELECT id FROM alert_outbox WHERE delivered_ms IS NULL AND gave_up_ms IS NULL \
         AND next_attempt_ms <= {p1} AND (leased_until_ms IS NULL OR leased_until_ms <= {p1}) \
         ORDER BY id LIMIT {p3}{lock}) \
         RETURNING id, alert_id, webhook, body, attempts, created_ms"
    )
}

pub const ALERT_DELIVERED: &str = "UPDATE alert_outbox \
     SET delivered_ms = ?2, attempts = attempts + 1, leased_until_ms = NULL, last_error = NULL WHERE id = ?1";

pub const ALERT_FAILED: &str = "UPDATE alert_outbox \
     SET attempts = attempts + 1, next_attempt_ms = ?2, last_error = ?3, gave_up_ms = ?4, \
     leased_until_ms = NULL WHERE id = ?1";

pub const ALERT_COUNTS: &str = "SELECT \
     COUNT(*) FILTER (WHERE delivered_ms IS NULL AND gave_up_ms IS NULL), \
     COUNT(*) FILTER (WHERE delivered_ms IS NOT NULL), \
     COUNT(*) FILTER (WHERE gave_up_ms IS NOT NULL), \
     CAST(COALESCE(SUM(attempts) FILTER (WHERE delivered_ms IS NULL AND gave_up_ms IS NULL), 0) AS BIGINT), \
     MIN(created_ms) FILTER (WHERE delivered_ms IS NULL AND gave_up_ms IS NULL) \
     FROM alert_outbox";
