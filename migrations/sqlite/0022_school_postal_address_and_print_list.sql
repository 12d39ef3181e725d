-- Issue 16, letters.
-- A school's postal address: the return address on every letter the app prints for it (one line a line, the postcode last).
ALTER TABLE schools ADD COLUMN postal_address TEXT NULL;

-- The print list: a letter that is not sent through GOV.UK Notify is put on its school's print list (print_list_at) for
-- the school office to print and post, and is marked as posted (posted_at, posted_by) once it has been.
ALTER TABLE outbox ADD COLUMN print_list_at TEXT NULL;
ALTER TABLE outbox ADD COLUMN posted_at TEXT NULL;
ALTER TABLE outbox ADD COLUMN posted_by TEXT NULL REFERENCES users (id);
CREATE INDEX ix_outbox_print_list ON outbox (print_list_at, posted_at);
