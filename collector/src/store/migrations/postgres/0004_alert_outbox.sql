-- Webhook alerts waiting for delivery, written in the same transaction as
-- the response that triggered them. One row per (response, rule), ever.
-- Collectors claim rows with FOR UPDATE SKIP LOCKED and a lease.
CREATE TABLE alert_outbox (
    id              BIGSERIAL PRIMARY KEY,
    alert_id        TEXT NOT NULL UNIQUE,
    response_id     TEXT NOT NULL,
    rule            TEXT NOT NULL,
    webhook         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_ms      BIGINT NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_ms BIGINT NOT NULL,
    leased_until_ms BIGINT,
    last_error      TEXT,
    delivered_ms    BIGINT,
    gave_up_ms      BIGINT,
    UNIQUE (response_id, rule)
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_ms) WHERE delivered_ms IS NULL AND gave_up_ms IS NULL;
