-- Sessions of the status page (GET /status): a steward or admin signs in with a token and the
-- browser keeps a random session id in an HttpOnly, SameSite=Strict cookie. Only the SHA-256 of
-- the id is kept. A session works while its token does: revoking or expiring the token ends it.
CREATE TABLE web_session (
    hash        text PRIMARY KEY,              -- SHA-256 of the session id, hex
    token_id    bigint NOT NULL REFERENCES token (id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL
);
CREATE INDEX web_session_expiry ON web_session (expires_at);
