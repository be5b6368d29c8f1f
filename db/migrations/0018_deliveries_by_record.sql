-- A record's deliveries (GET /v1/records/{entity}/{id} shows them; reconcile and replay ask for
-- them) by the record: the unique key and delivery_record (consumer, record_id, version) start with the consumer, so
-- the look-up by record read the whole table, some 90 ms at a million deliveries (found by
-- `aurum bench`: a record's GET took 33 ms at p50 on a million loaded items).
CREATE INDEX delivery_by_record ON delivery (record_id, version);

-- Deliveries given up, counted per entity and consumer by the status board and each /metrics
-- scrape: without an index that count read every delivery ever made.
CREATE INDEX delivery_dead ON delivery (entity, consumer) WHERE state = 'dead';
