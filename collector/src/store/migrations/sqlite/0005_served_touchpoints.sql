-- Every (touchpoint, stage, question) a config has served: answers for a
-- touchpoint removed later are still accepted (customers' outboxes may hold
-- them for days); answers for one never served are refused. Backfilled from
-- the answers already stored.
CREATE TABLE served_touchpoints (
    touchpoint TEXT NOT NULL,
    stage      TEXT NOT NULL,
    question   TEXT NOT NULL,
    first_served_at TEXT NOT NULL,
    PRIMARY KEY (touchpoint, stage, question)
);
INSERT INTO served_touchpoints (touchpoint, stage, question, first_served_at)
    SELECT touchpoint, stage, question, MIN(received_at) FROM responses
    GROUP BY touchpoint, stage, question;
