-- Matching in the ingest flow and survivorship: each source key's own values, the values
-- stewards typed, lineage per version, stored blocking keys, possible duplicates and the pairs
-- stewards declared distinct, merges.

-- What each source key last said of its record (survivorship picks the golden values from
-- these), and when each attribute last changed (ISO 8601, UTC, milliseconds).
ALTER TABLE record_source
    ADD COLUMN attributes  jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN changed_at  jsonb NOT NULL DEFAULT '{}',
    -- The record the key belonged to before a merge moved it (unmerge moves it back).
    ADD COLUMN merged_from bigint REFERENCES golden_record (id);
UPDATE record_source rs
SET attributes = gv.attributes,
    changed_at = (SELECT coalesce(jsonb_object_agg(key, to_char(gv.released_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')), '{}')
                  FROM jsonb_object_keys(gv.attributes) AS key)
FROM golden_record gr JOIN golden_version gv ON gv.record_id = gr.id AND gv.version = gr.current_version
WHERE rs.record_id = gr.id;

-- Which source (and strategy) or steward gave each value of a version.
ALTER TABLE golden_version ADD COLUMN lineage jsonb NOT NULL DEFAULT '{}';

-- A merged record points at the record it was merged into.
ALTER TABLE golden_record ADD COLUMN superseded_by bigint REFERENCES golden_record (id);

-- Values stewards typed: they win over every source until a steward changes them again.
CREATE TABLE steward_value (
    record_id  bigint NOT NULL REFERENCES golden_record (id),
    attribute  text NOT NULL,
    value      jsonb NOT NULL,            -- JSON null when the steward cleared the attribute
    steward    text NOT NULL,
    at         text NOT NULL,
    PRIMARY KEY (record_id, attribute)
);

-- A change request carries the source contributions it would store on release, the values its
-- editors typed, the lineage of its proposal and what matching found when it was opened.
ALTER TABLE change_request
    ADD COLUMN contributions   jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN steward_values  jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN lineage         jsonb NOT NULL DEFAULT '{}',
    ADD COLUMN match           jsonb,
    -- A merge: the record merged away into record_id; an unmerge: the record restored from it.
    ADD COLUMN merge_record_id bigint REFERENCES golden_record (id);
ALTER TABLE change_request DROP CONSTRAINT change_request_kind_check;
ALTER TABLE change_request ADD CONSTRAINT change_request_kind_check
    CHECK (kind IN ('create', 'update', 'merge', 'unmerge', 'block', 'unblock', 'obsolete', 'supersede'));

-- The blocking keys of every golden record that is not superseded and of every open create
-- proposal (exactly one of the two), by the hash the matching engine computes. Derived data,
-- recomputed whenever the rules change, so without foreign keys: a record has a dozen or more
-- keys, and checking each against its record would cost a load more than the keys themselves.
CREATE TABLE match_key (
    entity             text NOT NULL,
    key_hash           bigint NOT NULL,
    record_id          bigint,
    change_request_id  bigint,
    CHECK ((record_id IS NULL) <> (change_request_id IS NULL))
);
-- In record order within a key, so that a look-up takes a block's first records without sorting
-- it, and with the change request too, so that it reads the index alone.
CREATE INDEX match_key_lookup ON match_key (entity, key_hash, record_id) INCLUDE (change_request_id);
CREATE INDEX match_key_record ON match_key (record_id) WHERE record_id IS NOT NULL;
CREATE INDEX match_key_change_request ON match_key (change_request_id) WHERE change_request_id IS NOT NULL;

-- The rules version the stored keys were computed with, per entity: another version recomputes them.
CREATE TABLE match_key_version (
    entity         text PRIMARY KEY,
    rules_version  text NOT NULL
);

-- Each pair scored at or above review when a change request was opened, with its explanation.
CREATE TABLE possible_duplicate (
    change_request_id        bigint NOT NULL REFERENCES change_request (id),
    record_id                bigint REFERENCES golden_record (id),
    other_change_request_id  bigint REFERENCES change_request (id),
    weight                   double precision NOT NULL,
    band                     text NOT NULL,
    explanation              jsonb NOT NULL,
    rules_version            text NOT NULL,
    resolution               text CHECK (resolution IN ('linked', 'distinct')),
    CHECK ((record_id IS NULL) <> (other_change_request_id IS NULL))
);
CREATE INDEX possible_duplicate_change_request ON possible_duplicate (change_request_id);

-- Pairs of source keys a steward declared distinct: never asked again.
CREATE TABLE distinct_pair (
    entity        text NOT NULL,
    source_a      text NOT NULL,
    source_key_a  text NOT NULL,
    source_b      text NOT NULL,
    source_key_b  text NOT NULL,
    decided_by    text NOT NULL,
    decided_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, source_a, source_key_a, source_b, source_key_b)
);

-- Each released merge: which record went into which, the source keys it moved (with where each
-- had come from before) and the values its stewards had typed, so that an unmerge restores them.
CREATE TABLE record_merge (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity             text NOT NULL,
    record_id          bigint NOT NULL REFERENCES golden_record (id),
    into_record_id     bigint NOT NULL REFERENCES golden_record (id),
    change_request_id  bigint NOT NULL REFERENCES change_request (id),
    moved_keys         jsonb NOT NULL,     -- [{"source", "source_key", "merged_from"}]
    undone_by          bigint REFERENCES change_request (id)
);
CREATE INDEX record_merge_record ON record_merge (record_id, id);
