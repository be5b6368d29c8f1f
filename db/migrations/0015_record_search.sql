-- Finding golden records (GET /v1/records/{entity}, aurum records search|export): attributes equal
-- to values by JSONB containment, words of the name by PostgreSQL's own text search (the 'simple'
-- configuration: no stemming, no stop words, as names and codes want), records changed since.
CREATE INDEX golden_version_attributes ON golden_version USING gin (attributes jsonb_path_ops);
CREATE INDEX golden_version_name_words ON golden_version USING gin (to_tsvector('simple', coalesce(attributes->>'name', '')));
CREATE INDEX golden_record_entity_updated ON golden_record (entity, updated_at);
