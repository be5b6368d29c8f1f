-- The W3C trace a release was made in (the request's traceparent, or one Aurum started), kept with
-- its feed position, so that each delivery of the release carries it to the consumer (a webhook's
-- traceparent header, the outbox's log lines for Odoo). Set per transaction by the application
-- as aurum.trace_id; NULL for releases made outside a request (a load, a migration).
ALTER TABLE change_feed ADD COLUMN trace_id text;

CREATE OR REPLACE FUNCTION aurum_feed_append_versions(feed_entity text, records bigint[], versions integer[], released timestamptz)
RETURNS void LANGUAGE sql AS $$
    WITH counter AS (
        UPDATE change_feed_counter SET position = position + cardinality(records)
        RETURNING position - cardinality(records) AS start
    ), fed AS (
        INSERT INTO change_feed (position, entity, record_id, version, released_at, trace_id)
        SELECT counter.start + r.n, feed_entity, r.id, r.version, released, nullif(current_setting('aurum.trace_id', true), '')
        FROM counter, unnest(records, versions) WITH ORDINALITY AS r(id, version, n)
        RETURNING position, record_id, version
    ), delivered AS (
        INSERT INTO delivery (consumer, position, entity, record_id, version)
        SELECT c.name, fed.position, feed_entity, fed.record_id, fed.version FROM fed CROSS JOIN consumer c
        WHERE cardinality(c.entities) = 0 OR feed_entity = ANY (c.entities)
    )
    SELECT pg_notify('aurum_release', feed_entity);
$$;
