-- A token may expire; after its time it fails as a revoked one does.
ALTER TABLE token ADD COLUMN expires_at timestamptz;
