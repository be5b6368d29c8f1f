-- Aurum's foundation: tokens, candidates, change requests, golden records and their versions,
-- source keys, approvals and the append-only audit trail.

CREATE TABLE token (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    role        text NOT NULL CHECK (role IN ('source', 'steward', 'consumer', 'admin')),
    entities    text[] NOT NULL DEFAULT '{}',
    hash        text NOT NULL UNIQUE,          -- SHA-256 of the token, hex; the token itself is never stored
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);

CREATE TABLE golden_record (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity           text NOT NULL,
    state            text NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'blocked', 'obsolete', 'superseded')),
    current_version  integer NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX golden_record_entity ON golden_record (entity, id);

CREATE TABLE change_request (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity              text NOT NULL,
    kind                text NOT NULL CHECK (kind IN ('create', 'update', 'merge', 'block', 'unblock', 'obsolete', 'supersede')),
    record_id           bigint REFERENCES golden_record (id),
    status              text NOT NULL DEFAULT 'open'
                        CHECK (status IN ('open', 'approved', 'released', 'rejected', 'withdrawn', 'superseded')),
    revision            integer NOT NULL DEFAULT 1,
    base_version        integer,
    source              text NOT NULL,
    source_key          text NOT NULL,
    candidate_id        bigint,
    submitted_by        text NOT NULL,
    proposed            jsonb NOT NULL,
    diff                jsonb NOT NULL,
    warnings            jsonb NOT NULL DEFAULT '[]',
    required_approvals  integer NOT NULL DEFAULT 1,
    reason              text,
    superseded_by       bigint REFERENCES change_request (id),
    rules_version       text NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now(),
    decided_at          timestamptz
);
CREATE INDEX change_request_status ON change_request (status, id);
-- At most one open proposal per golden record, and per source key while the record does not exist yet.
CREATE UNIQUE INDEX change_request_open_record ON change_request (record_id) WHERE status = 'open' AND record_id IS NOT NULL;
CREATE UNIQUE INDEX change_request_open_create ON change_request (entity, source, source_key) WHERE status = 'open' AND record_id IS NULL;

CREATE TABLE candidate (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entity             text NOT NULL,
    source             text NOT NULL,
    source_key         text NOT NULL,
    attributes         jsonb NOT NULL,
    status             text NOT NULL CHECK (status IN ('rejected', 'proposed')),
    errors             jsonb NOT NULL DEFAULT '[]',
    warnings           jsonb NOT NULL DEFAULT '[]',
    change_request_id  bigint REFERENCES change_request (id),
    rules_version      text NOT NULL,
    submitted_by       text NOT NULL,
    received_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX candidate_source_key ON candidate (entity, source, source_key, id);
ALTER TABLE change_request ADD FOREIGN KEY (candidate_id) REFERENCES candidate (id);

CREATE TABLE golden_version (
    record_id          bigint NOT NULL REFERENCES golden_record (id),
    version            integer NOT NULL CHECK (version > 0),
    state              text NOT NULL,
    attributes         jsonb NOT NULL,
    change_request_id  bigint REFERENCES change_request (id),
    rules_version      text NOT NULL,
    released_by        text NOT NULL,
    released_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (record_id, version)
);

-- Versions are immutable: released once, never changed or removed.
CREATE FUNCTION aurum_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % is not allowed', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
CREATE TRIGGER golden_version_immutable BEFORE UPDATE OR DELETE ON golden_version
    FOR EACH ROW EXECUTE FUNCTION aurum_refuse_change();
CREATE TRIGGER golden_version_no_truncate BEFORE TRUNCATE ON golden_version
    FOR EACH STATEMENT EXECUTE FUNCTION aurum_refuse_change();

CREATE TABLE record_source (
    entity      text NOT NULL,
    source      text NOT NULL,
    source_key  text NOT NULL,
    record_id   bigint NOT NULL REFERENCES golden_record (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (entity, source, source_key)
);
CREATE INDEX record_source_record ON record_source (record_id);

CREATE TABLE approval (
    change_request_id  bigint NOT NULL REFERENCES change_request (id),
    approver           text NOT NULL,
    revision           integer NOT NULL,
    comment            text,
    approved_at        timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (change_request_id, approver)
);

CREATE TABLE audit_entry (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at             timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor          text NOT NULL,
    action         text NOT NULL,
    entity         text,
    subject        text,             -- what the entry is about: candidate:12, change_request:7, record:3, token:2
    record_id      bigint,
    version        integer,
    before         jsonb,
    after          jsonb,
    reason         text,
    rules_version  text,
    request_id     text
);
CREATE INDEX audit_entry_subject ON audit_entry (subject, id);
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
    FOR EACH ROW EXECUTE FUNCTION aurum_refuse_change();
CREATE TRIGGER audit_entry_no_truncate BEFORE TRUNCATE ON audit_entry
    FOR EACH STATEMENT EXECUTE FUNCTION aurum_refuse_change();
