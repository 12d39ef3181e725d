-- Issue 16, part two.
-- The outbox renders a message from its template (a file in the app) when it sends it, so a template that fails to render
-- stops that one message with its reason and nothing else: template names it, model holds its values (JSON). about_id is
-- the record the message is about (a conference, an agreement); dedupe_key makes a message that must go once (a reminder,
-- a digest) go once however often the job that queues it runs, on any instance.
ALTER TABLE outbox ADD COLUMN template TEXT NULL;
ALTER TABLE outbox ADD COLUMN model TEXT NULL;
ALTER TABLE outbox ADD COLUMN about_id TEXT NULL;
ALTER TABLE outbox ADD COLUMN dedupe_key TEXT NULL;
CREATE UNIQUE INDEX ux_outbox_dedupe_key ON outbox (dedupe_key);

-- Contact preferences per party: whether they agreed to be contacted and how. The address or number is the party's own
-- email, phone or address. A young person is never contacted directly: their parent or guardian is.
ALTER TABLE parties ADD COLUMN contact_consent INTEGER NULL CHECK (contact_consent IN (0, 1));
ALTER TABLE parties ADD COLUMN contact_by TEXT NULL CHECK (contact_by IN ('email', 'text', 'letter', 'school'));

-- How the harmed party was told of the agreement's outcome: by a message the app sent (email, text, letter) or as the
-- facilitator recorded it.
ALTER TABLE agreements ADD COLUMN harmed_told_how TEXT NULL CHECK (harmed_told_how IN ('email', 'text', 'letter', 'in_person', 'phone', 'school'));
