-- The notifications outbox (issue 16): every message is written here in the same transaction as the change that causes
-- it, so a change that rolls back sends nothing and a committed change always sends. A background sender on any instance
-- claims a due message with a lease (lease_holder, lease_until), delivers it and records the outcome; after a crash the
-- lease runs out and another sender delivers it again under the same Message-ID (the id).
CREATE TABLE outbox (
    id               text PRIMARY KEY,
    created_at       timestamptz NOT NULL,
    kind             text NOT NULL,
    case_id          text NULL REFERENCES cases (id),
    channel          text NOT NULL CHECK (channel IN ('email', 'text', 'letter')),
    to_address       text NOT NULL,
    to_name          text NULL,
    subject          text NOT NULL,
    text_body        text NOT NULL,
    html_body        text NULL,
    attachment_name  text NULL,
    attachment_type  text NULL,
    attachment       text NULL,
    status           text NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'cancelled')),
    attempts         bigint NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL,
    lease_holder     text NULL,
    lease_until      timestamptz NULL,
    last_error       text NULL,
    sent_at          timestamptz NULL
);
CREATE INDEX ix_outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX ix_outbox_case ON outbox (case_id);
