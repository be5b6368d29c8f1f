-- A steward's block, unblock or obsolete of a golden record is a change request of its own: it
-- changes no values, so it may wait beside an open change of the record's values (one of each),
-- and a candidate's update does not supersede it.
DROP INDEX change_request_open_record;
CREATE UNIQUE INDEX change_request_open_record ON change_request (record_id)
    WHERE status = 'open' AND record_id IS NOT NULL AND kind NOT IN ('block', 'unblock', 'obsolete');
CREATE UNIQUE INDEX change_request_open_state ON change_request (record_id)
    WHERE status = 'open' AND kind IN ('block', 'unblock', 'obsolete');
