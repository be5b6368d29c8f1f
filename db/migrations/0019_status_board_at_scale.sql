-- The status board and each /metrics scrape count blocked and obsolete records per entity, and
-- look for the latest error among deliveries not done yet: with a million golden records and as
-- many deliveries, each of those read a whole table (measured with `aurum bench`'s store).
CREATE INDEX golden_record_inactive ON golden_record (entity, state) WHERE state IN ('blocked', 'obsolete');
CREATE INDEX delivery_failing ON delivery (entity, consumer, next_attempt_at DESC, id DESC)
    WHERE last_error IS NOT NULL AND state IN ('pending', 'failed', 'leased');
