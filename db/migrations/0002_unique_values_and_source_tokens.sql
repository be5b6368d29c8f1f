-- Unique attributes enforced by the database, source tokens bound to the sources they speak for,
-- and the stewards who edited a proposal.

-- One row per unique attribute value held by a golden record that is not superseded: the release
-- that gives a record a value inserts it, so two changes carrying one value cannot both release,
-- whatever their timing. `value_key` is the value's canonical JSON text.
CREATE TABLE unique_value (
    entity     text NOT NULL,
    attribute  text NOT NULL,
    value_key  text NOT NULL,
    record_id  bigint NOT NULL REFERENCES golden_record (id),
    PRIMARY KEY (entity, attribute, value_key)
);
CREATE INDEX unique_value_record ON unique_value (record_id);

-- The attributes whose values unique_value holds, so that a start indexes only the attributes the
-- rules newly mark unique instead of scanning every record each time.
CREATE TABLE unique_attribute (
    entity     text NOT NULL,
    attribute  text NOT NULL,
    PRIMARY KEY (entity, attribute)
);

-- The sources a source token may submit candidates for (empty: a token of another role).
ALTER TABLE token ADD COLUMN sources text[] NOT NULL DEFAULT '{}';

-- Stewards who edited an open proposal (each edit raises its revision); none of them may approve it.
ALTER TABLE change_request ADD COLUMN edited_by text[] NOT NULL DEFAULT '{}';
