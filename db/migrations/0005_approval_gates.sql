-- Approval gates: the groups a steward's token puts them in, and the gate each approval counted at.
ALTER TABLE token ADD COLUMN groups text[] NOT NULL DEFAULT '{}';
ALTER TABLE approval ADD COLUMN gate text;
-- An edit makes the approvals given so far lapse; the same steward may approve the new revision.
ALTER TABLE approval DROP CONSTRAINT approval_pkey, ADD PRIMARY KEY (change_request_id, approver, revision);
-- The auto-approve gate that released a change at once, without a steward.
ALTER TABLE change_request ADD COLUMN auto_approved_by text;
