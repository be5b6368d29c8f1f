-- One statement appends versions to the change feed, for the commit trigger (one version) and
-- for a bulk load (its first versions, many at once): the next positions from the counter, whose
-- row lock is held until the transaction ends, one delivery per enabled consumer of the entity,
-- and the NOTIFY that wakes the publishing workers and the feed's long polls. The payload is the
-- entity, so a transaction's many releases of one entity send one notification.
CREATE FUNCTION aurum_feed_append_versions(feed_entity text, records bigint[], versions integer[], released timestamptz)
RETURNS void LANGUAGE sql AS $$
    WITH counter AS (
        UPDATE change_feed_counter SET position = position + cardinality(records)
        RETURNING position - cardinality(records) AS start
    ), fed AS (
        INSERT INTO change_feed (position, entity, record_id, version, released_at)
        SELECT counter.start + r.n, feed_entity, r.id, r.version, released
        FROM counter, unnest(records, versions) WITH ORDINALITY AS r(id, version, n)
        RETURNING position, record_id, version
    ), delivered AS (
        INSERT INTO delivery (consumer, position, entity, record_id, version)
        SELECT c.name, fed.position, feed_entity, fed.record_id, fed.version FROM fed CROSS JOIN consumer c
        WHERE c.enabled AND (cardinality(c.entities) = 0 OR feed_entity = ANY (c.entities))
    )
    SELECT pg_notify('aurum_release', feed_entity);
$$;

CREATE OR REPLACE FUNCTION aurum_feed_append() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF current_setting('aurum.feed_written', true) = 'on' THEN
        RETURN NULL;
    END IF;
    PERFORM aurum_feed_append_versions((SELECT entity FROM golden_record WHERE id = NEW.record_id),
                                       ARRAY[NEW.record_id], ARRAY[NEW.version], NEW.released_at);
    RETURN NULL;
END $$;

-- A worker claims one consumer's due deliveries in due order: with the consumer first, the claim
-- walks this index in order and stops at its limit, whatever the planner's statistics say (the
-- index without it had the claim sort every due delivery when a bulk load had just written them).
DROP INDEX delivery_due;
CREATE INDEX delivery_due ON delivery (consumer, next_attempt_at, id) WHERE state IN ('pending', 'failed', 'leased');
