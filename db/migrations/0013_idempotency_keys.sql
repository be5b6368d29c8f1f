-- Idempotency-Key: the answer to a request sent with a key, kept per caller (token) for replay.
-- Written in the transaction that does the request's work, so that work and answer commit together.
CREATE TABLE idempotency_key (
    token_id      bigint NOT NULL REFERENCES token (id),
    key           text NOT NULL,
    fingerprint   text NOT NULL,   -- SHA-256 of the method, path and body the key was first used with
    status        integer NOT NULL,
    content_type  text NOT NULL,
    body          text NOT NULL,   -- the answer, JSON
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    PRIMARY KEY (token_id, key)
);
CREATE INDEX idempotency_key_expiry ON idempotency_key (token_id, expires_at);
