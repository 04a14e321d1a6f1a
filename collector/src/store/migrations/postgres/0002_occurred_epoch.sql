-- Reports select by when a response happened, as UTC seconds, so periods
-- and trend buckets are plain integer arithmetic in every database.
ALTER TABLE responses ADD COLUMN occurred_epoch BIGINT NOT NULL DEFAULT 0;
UPDATE responses SET occurred_epoch = EXTRACT(EPOCH FROM occurred_at::timestamptz)::bigint;
CREATE INDEX responses_by_time ON responses (occurred_epoch);
