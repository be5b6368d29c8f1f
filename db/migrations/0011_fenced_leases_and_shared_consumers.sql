-- Deliveries exactly once in effect, and consumers as configuration every process shares.
--
-- Each claim of a delivery takes a new fencing token; the worker renews its lease and finishes
-- the delivery with that token, so a worker whose lease ran out (a slow consumer, a pause) can
-- neither renew nor finish what another worker has claimed since.
CREATE SEQUENCE delivery_lease_token;
ALTER TABLE delivery ADD COLUMN lease_token bigint;

-- Which consumers exist is declared by the rules (rules/consumers/*.yaml), the same for every
-- process; whether one is enabled is the database's, changed by an operator or by a 410. A
-- release writes a delivery for every consumer of its entity, enabled or not: a disabled
-- consumer's deliveries wait until it is enabled again.
ALTER TABLE consumer ADD COLUMN disabled_by text;
ALTER TABLE consumer ADD COLUMN disabled_at timestamptz;

CREATE OR REPLACE FUNCTION aurum_feed_append_versions(feed_entity text, records bigint[], versions integer[], released timestamptz)
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
        WHERE cardinality(c.entities) = 0 OR feed_entity = ANY (c.entities)
    )
    SELECT pg_notify('aurum_release', feed_entity);
$$;

-- Before, a process started without a consumer's settings disabled it for everyone (no reason
-- given); those are enabled again. Endpoints disabled by a 410 keep their reason and stay off.
UPDATE consumer SET enabled = true, updated_at = now() WHERE NOT enabled AND disabled_reason IS NULL;
