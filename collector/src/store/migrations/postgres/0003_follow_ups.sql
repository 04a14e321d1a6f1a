-- The closed loop: what the team did about a detractor or high-effort
-- answer. No row means the follow-up is still open.
CREATE TABLE follow_ups (
    response_id  TEXT PRIMARY KEY NOT NULL,
    state        TEXT NOT NULL,
    contacted_at TEXT,
    contact_note TEXT,
    closed_at    TEXT,
    outcome_note TEXT,
    updated_at   TEXT NOT NULL
);
