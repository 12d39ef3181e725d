-- What several app instances must share rather than keep in one process: the data-protection keys that protect
-- sign-in cookies and forms (so a sign-in on one instance holds on every other), the lease that lets one
-- instance at a time run a background job (the daily job runs once a day, not once per instance), and the count
-- of wrong sign-ins for unknown addresses (five tries are five, whichever instances they reach).

CREATE TABLE data_protection_keys (
    id             INTEGER PRIMARY KEY,
    friendly_name  TEXT NULL,
    xml            TEXT NOT NULL
);

-- One row per job while an instance holds it; a holder that dies simply lets its lease run out.
CREATE TABLE job_leases (
    job          TEXT PRIMARY KEY,
    holder       TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

-- Wrong sign-ins for email addresses without a usable account, keyed by a SHA-256 hash of the address (never the
-- address), so that the lockout counts attempts on every instance together.
CREATE TABLE unknown_account_failures (
    email_hash       TEXT PRIMARY KEY,
    failures         INTEGER NOT NULL,
    locked_until     TEXT NULL,
    last_failure_at  TEXT NOT NULL
);
CREATE INDEX ix_unknown_account_failures_last ON unknown_account_failures (last_failure_at);
