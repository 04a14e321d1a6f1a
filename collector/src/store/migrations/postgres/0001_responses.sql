-- One row per response_id: every post for a response is merged into it.
-- `seq` is the insertion order (SQLite's rowid), for keyset pagination.
CREATE TABLE responses (
    seq            BIGSERIAL NOT NULL UNIQUE,
    response_id    TEXT PRIMARY KEY NOT NULL,
    touchpoint     TEXT NOT NULL,
    stage          TEXT NOT NULL,
    question       TEXT NOT NULL,
    score          BIGINT,
    comment        TEXT,
    status         TEXT NOT NULL,
    respondent     TEXT NOT NULL,
    attributes     TEXT NOT NULL DEFAULT '{}',
    locale         TEXT,
    page_url       TEXT,
    occurred_at    TEXT NOT NULL,
    widget_version TEXT,
    preview        BIGINT NOT NULL DEFAULT 0,
    received_at    TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);

CREATE INDEX responses_by_touchpoint ON responses (touchpoint, status);
