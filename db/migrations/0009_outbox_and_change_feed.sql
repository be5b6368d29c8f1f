-- Publishing that loses nothing: every released version gets a change-feed position and one
-- delivery per interested consumer, in the releasing transaction.
--
-- Positions are handed out at commit, not when the version is written: a deferred trigger takes
-- the next number from a one-row counter, whose row lock it holds until the transaction ends. A
-- transaction that commits later therefore always gets a higher position, and one that rolls
-- back takes none, so a reader following the positions never meets a gap that fills in later
-- (a sequence would: its values are handed out in call order, not commit order).

CREATE TABLE change_feed_counter (
    only_row  boolean PRIMARY KEY DEFAULT true CHECK (only_row),
    position  bigint NOT NULL
);
INSERT INTO change_feed_counter (position) VALUES (0);

CREATE TABLE change_feed (
    position     bigint PRIMARY KEY,
    entity       text NOT NULL,
    record_id    bigint NOT NULL,
    version      integer NOT NULL,
    released_at  timestamptz NOT NULL,
    UNIQUE (record_id, version)
);
CREATE INDEX change_feed_entity ON change_feed (entity, position);

-- The versions released before the feed existed, in the order they were released.
INSERT INTO change_feed (position, entity, record_id, version, released_at)
SELECT row_number() OVER (ORDER BY gv.released_at, gv.record_id, gv.version), gr.entity, gv.record_id, gv.version, gv.released_at
FROM golden_version gv JOIN golden_record gr ON gr.id = gv.record_id;
UPDATE change_feed_counter SET position = (SELECT coalesce(max(position), 0) FROM change_feed);

-- Who is told of releases: the Odoo consumer (on while Aurum is configured with ODOO_URL) and
-- each webhook endpoint of rules/consumers/webhooks.yaml, kept in step by aurum serve and
-- aurum publish. A 410 from an endpoint disables it.
CREATE TABLE consumer (
    name             text PRIMARY KEY,
    kind             text NOT NULL CHECK (kind IN ('odoo', 'webhook')),
    entities         text[] NOT NULL DEFAULT '{}',     -- empty: every entity
    enabled          boolean NOT NULL DEFAULT true,
    -- Deliver only the latest undelivered version of a record (older ones are skipped, saying
    -- so), as for Odoo, whose records hold only the current values; else every version in order.
    latest_only      boolean NOT NULL DEFAULT false,
    disabled_reason  text,
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE delivery (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    consumer         text NOT NULL REFERENCES consumer (name),
    position         bigint NOT NULL REFERENCES change_feed (position),
    entity           text NOT NULL,
    record_id        bigint NOT NULL,
    version          integer NOT NULL,
    state            text NOT NULL DEFAULT 'pending'
                     CHECK (state IN ('pending', 'leased', 'failed', 'delivered', 'skipped', 'dead')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    lease_until      timestamptz,
    leased_by        text,
    last_error       text,
    note             text,
    created_at       timestamptz NOT NULL DEFAULT now(),
    finished_at      timestamptz,
    UNIQUE (consumer, record_id, version)
);
-- What a worker may claim: unfinished deliveries, by when they are due.
CREATE INDEX delivery_due ON delivery (next_attempt_at, id) WHERE state IN ('pending', 'failed', 'leased');
CREATE INDEX delivery_record ON delivery (consumer, record_id, version);
CREATE INDEX delivery_state ON delivery (consumer, state) WHERE state IN ('pending', 'failed', 'leased', 'dead');

-- At commit: the version's feed position, and a delivery for each enabled consumer of its entity.
-- A bulk load that writes the feed itself sets aurum.feed_written = 'on' for its transaction.
CREATE FUNCTION aurum_feed_append() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    next_position bigint;
    record_entity text;
BEGIN
    IF current_setting('aurum.feed_written', true) = 'on' THEN
        RETURN NULL;
    END IF;
    SELECT entity INTO record_entity FROM golden_record WHERE id = NEW.record_id;
    UPDATE change_feed_counter SET position = position + 1 RETURNING position INTO next_position;
    INSERT INTO change_feed (position, entity, record_id, version, released_at)
    VALUES (next_position, record_entity, NEW.record_id, NEW.version, NEW.released_at);
    INSERT INTO delivery (consumer, position, entity, record_id, version)
    SELECT c.name, next_position, record_entity, NEW.record_id, NEW.version
    FROM consumer c
    WHERE c.enabled AND (cardinality(c.entities) = 0 OR record_entity = ANY (c.entities));
    PERFORM pg_notify('aurum_release', next_position::text);
    RETURN NULL;
END $$;
CREATE CONSTRAINT TRIGGER golden_version_feed AFTER INSERT ON golden_version
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION aurum_feed_append();

-- The versions current at an instant (?as_of=) are found by release time.
CREATE INDEX golden_version_released ON golden_version (record_id, released_at);
