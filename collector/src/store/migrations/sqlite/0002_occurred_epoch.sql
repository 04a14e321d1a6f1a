-- Reports select by when a response happened, as UTC seconds, so periods
-- and trend buckets are plain integer arithmetic in every database.
ALTER TABLE responses ADD COLUMN occurred_epoch INTEGER NOT NULL DEFAULT 0;
UPDATE responses SET occurred_epoch = COALESCE(
    CAST(strftime('%s', occurred_at) AS INTEGER),
    CAST(strftime('%s', received_at) AS INTEGER),
    0);
CREATE INDEX responses_by_time ON responses (occurred_epoch);
