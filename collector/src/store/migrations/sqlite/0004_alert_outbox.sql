-- Webhook alerts waiting for delivery, written in the same transaction as
-- the response that triggered them. One row per (response, rule), ever.
CREATE TABLE alert_outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    alert_id        TEXT NOT NULL UNIQUE,
    response_id     TEXT NOT NULL,
    rule            TEXT NOT NULL,
    webhook         TEXT NOT NULL,
    body            TEXT NOT NULL,
    created_ms      INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER NOT NULL,
    leased_until_ms INTEGER,
    last_error      TEXT,
    delivered_ms    INTEGER,
    gave_up_ms      INTEGER,
    UNIQUE (response_id, rule)
);
CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_ms) WHERE delivered_ms IS NULL AND gave_up_ms IS NULL;
