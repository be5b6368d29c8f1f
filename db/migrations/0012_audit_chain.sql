-- The audit trail becomes a hash chain. Each entry gets its place in the chain (seq: 1, 2, 3, …
-- in commit order, without gaps), the hash of the entry before it and its own hash over every
-- field (the canonical form the README documents). Writers take the chain's head row lock, link
-- their entries after it and move it on, at the end of their transaction: one chain, whatever
-- number of writers. Entries written before this migration are linked in their id order when it
-- is applied.
ALTER TABLE audit_entry ADD COLUMN seq bigint, ADD COLUMN prev_hash text, ADD COLUMN row_hash text;
CREATE UNIQUE INDEX audit_entry_seq ON audit_entry (seq);
CREATE INDEX audit_entry_at ON audit_entry (at, seq);

CREATE TABLE audit_chain_head (
    one     boolean PRIMARY KEY DEFAULT true CHECK (one),
    seq     bigint NOT NULL,
    hash    text NOT NULL,
    key_id  text                -- the audit key sealing sensitive values: every process must have the same
);
INSERT INTO audit_chain_head (seq, hash) VALUES (0, repeat('0', 64));
