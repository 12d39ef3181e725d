-- The tamper-evident audit log: append-only, one row per audited action.
-- Rows hold ids only, never names or other personal data. Each row's hash is SHA-256 over its own
-- content and the previous row's hash (see RjConferences/Security/AuditLog.cs), so a changed or
-- deleted row breaks the chain, which `verify-audit` reports. The triggers stop the app (and any
-- other ordinary client) from changing or deleting rows.

CREATE TABLE audit_events (
    id              INTEGER PRIMARY KEY,
    occurred_at     TEXT NOT NULL,
    user_id         TEXT NULL,
    action          TEXT NOT NULL CHECK (action IN (
                        'collect', 'alter', 'consult', 'disclose', 'erase',
                        'sign_in', 'sign_in_failed', 'locked_out', 'access_denied', 'admin_change')),
    entity_type     TEXT NULL,
    entity_id       TEXT NULL,
    justification   TEXT NULL,
    recipient       TEXT NULL,
    correlation_id  TEXT NULL,
    previous_hash   TEXT NOT NULL,
    hash            TEXT NOT NULL UNIQUE
);

CREATE INDEX audit_events_occurred_at ON audit_events (occurred_at);
CREATE INDEX audit_events_user_id_occurred_at ON audit_events (user_id, occurred_at);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id);

CREATE TRIGGER audit_events_no_update
BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: rows cannot be changed');
END;

CREATE TRIGGER audit_events_no_delete
BEFORE DELETE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'audit_events is append-only: rows cannot be deleted');
END;
