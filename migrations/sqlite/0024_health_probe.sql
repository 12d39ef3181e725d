-- Issue 17: /health proves that a write can succeed, not only that the database answers a read. The probe upserts
-- one row here (at most every Health:WriteProbeSeconds); the table holds nothing else and nothing personal.
CREATE TABLE health_probes (
    probe        TEXT PRIMARY KEY,
    probed_at    TEXT NOT NULL
);
