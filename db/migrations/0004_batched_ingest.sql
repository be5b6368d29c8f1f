-- Ingest writes a batch's candidates and change requests at once, each pointing at the other:
-- a candidate's pointer to its change request is checked when the transaction commits.
ALTER TABLE candidate ALTER CONSTRAINT candidate_change_request_id_fkey DEFERRABLE INITIALLY DEFERRED;
