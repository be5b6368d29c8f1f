-- Blocking keys too common to block on. A many-valued key (a word of an item's name, a size with
-- a word) whose block grew past four times its limit is a common word: every look-up skips its
-- block as over the limit, so its members were stored only to be counted. With a million items,
-- about four in five stored keys were such members (measured with `aurum bench`'s store). A key
-- marked here has its members no longer stored, and its block stays over the limit whatever
-- leaves it, until the keys are recomputed under new rules.
CREATE TABLE match_key_common (
    entity     text NOT NULL,
    key_hash   bigint NOT NULL,
    marked_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, key_hash)
);

-- Ingest adds keys all day, and the look-ups read them from the index alone only where the
-- visibility map says all is visible, which a vacuum sets: the keys are vacuumed after every
-- 1 % of new rows (not the default 20 %). With the map unset after 300,000 new keys, the
-- look-up of a batch's keys took 85 ms instead of 55 ms.
ALTER TABLE match_key SET (autovacuum_vacuum_insert_scale_factor = 0.01);
