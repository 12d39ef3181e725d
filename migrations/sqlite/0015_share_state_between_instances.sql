-- What several app instances must share rather than keep in one process: the data-protection keys that protect
-- sign-in cookies and forms (so a sign-in on one instance holds on every other), and the lease that lets one
-- instance at a time run a background job (the daily job runs once a day, not once per instance).

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
