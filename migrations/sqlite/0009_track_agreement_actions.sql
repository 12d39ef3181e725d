-- Keeping the agreement: each action marked completed or missed (with the date, who checked it or
-- why it was missed), overdue actions flagged by the daily job, how the agreement ended, and the
-- harmed party's wish to be told the outcome and when they were told. Dates are London dates
-- (yyyy-MM-dd); instants are UTC ISO-8601 text. status, status_changed_at and status_changed_by
-- are in 0008.

-- The day the action was completed or missed (status_changed_at is when that was recorded).
ALTER TABLE agreement_actions ADD COLUMN status_on TEXT NULL;
-- Who checked that a completed action was done: the action's named checker or the user recording it.
ALTER TABLE agreement_actions ADD COLUMN completion_checked_by_party_id TEXT NULL REFERENCES parties (id);
ALTER TABLE agreement_actions ADD COLUMN completion_checked_by_user_id TEXT NULL REFERENCES users (id);
ALTER TABLE agreement_actions ADD COLUMN missed_reason TEXT NULL;
-- Set once by the daily job when a pending action is past its due date; cleared when the due date is extended.
ALTER TABLE agreement_actions ADD COLUMN overdue_flagged_at TEXT NULL;
CREATE INDEX ix_agreement_actions_overdue ON agreement_actions (overdue_flagged_at) WHERE overdue_flagged_at IS NOT NULL;

-- Every earlier due date of an action, kept when the due date is extended after a miss.
CREATE TABLE agreement_action_extensions (
    id              INTEGER PRIMARY KEY,
    action_id       TEXT NOT NULL REFERENCES agreement_actions (id),
    previous_due_on TEXT NOT NULL,
    missed_on       TEXT NULL,
    missed_reason   TEXT NULL,
    new_due_on      TEXT NOT NULL,
    reason          TEXT NOT NULL,
    extended_by     TEXT NOT NULL REFERENCES users (id),
    extended_at     TEXT NOT NULL
);
CREATE INDEX ix_agreement_action_extensions_action ON agreement_action_extensions (action_id);

-- How the agreement ended: every action completed; failed (the case escalated to formal action);
-- replaced by a new conference. NULL while it is active.
ALTER TABLE agreements ADD COLUMN ended TEXT NULL CHECK (ended IN ('completed', 'failed', 'replaced'));
ALTER TABLE agreements ADD COLUMN ended_at TEXT NULL;
ALTER TABLE agreements ADD COLUMN ended_reason TEXT NULL;
-- The harmed party's wish to be told whether the agreement was kept (NULL: not asked yet), and when
-- they were told that it was completed or broken.
ALTER TABLE agreements ADD COLUMN harmed_wants_outcome INTEGER NULL CHECK (harmed_wants_outcome IN (0, 1));
ALTER TABLE agreements ADD COLUMN harmed_told_on TEXT NULL;
ALTER TABLE agreements ADD COLUMN harmed_told_by TEXT NULL REFERENCES users (id);
