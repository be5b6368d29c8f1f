-- A record's history reads its audit entries by record; the status board counts the candidates
-- rejected lately.
CREATE INDEX audit_entry_record ON audit_entry (record_id, id) WHERE record_id IS NOT NULL;
CREATE INDEX candidate_rejected ON candidate (entity, received_at) WHERE status = 'rejected';
