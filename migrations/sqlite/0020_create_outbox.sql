-- The notifications outbox (issue 16): every message is written here in the same transaction as the change that causes
-- it, so a change that rolls back sends nothing and a committed change always sends. A background sender on any instance
-- claims a due message with a lease (lease_holder, lease_until), delivers it and records the outcome; after a crash the
-- lease runs out and another sender delivers it again under the same Message-ID (the id).
CREATE TABLE outbox (
    id               TEXT PRIMARY KEY,
    created_at       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    case_id          TEXT NULL REFERENCES cases (id),
    channel          TEXT NOT NULL CHECK (channel IN ('email', 'text', 'letter')),
    to_address       TEXT NOT NULL,
    to_name          TEXT NULL,
    subject          TEXT NOT NULL,
    text_body        TEXT NOT NULL,
    html_body        TEXT NULL,
    attachment_name  TEXT NULL,
    attachment_type  TEXT NULL,
    attachment       TEXT NULL,
    status           TEXT NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    lease_holder     TEXT NULL,
    lease_until      TEXT NULL,
    last_error       TEXT NULL,
    sent_at          TEXT NULL
);
CREATE INDEX ix_outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX ix_outbox_case ON outbox (case_id);
