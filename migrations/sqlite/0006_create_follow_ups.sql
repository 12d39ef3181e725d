-- Follow-up checks at 3, 6 and 12 months after the conference, and how a case closes.

CREATE TABLE follow_up_checks (
    id               TEXT PRIMARY KEY,
    case_id          TEXT NOT NULL REFERENCES cases (id),
    interval_months  INTEGER NOT NULL CHECK (interval_months > 0),
    due_on           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    overdue_flagged_at TEXT NULL,
    checked_on       TEXT NULL,
    checked_by       TEXT NULL REFERENCES users (id),
    source           TEXT NULL CHECK (source IN ('police_records', 'youth_offending_team_records', 'school')),
    result           TEXT NULL CHECK (result IN ('no_further_offending', 'dealt_with_informally', 'entered_cjs')),
    cjs_outcome_type TEXT NULL CHECK (cjs_outcome_type IN ('community_resolution', 'youth_caution', 'youth_conditional_caution', 'charge', 'conviction')),
    cjs_entered_on   TEXT NULL,
    recorded_at      TEXT NULL,
    UNIQUE (case_id, interval_months),
    CHECK ((result = 'entered_cjs') = (cjs_outcome_type IS NOT NULL AND cjs_entered_on IS NOT NULL) OR result IS NULL)
);
CREATE INDEX ix_follow_up_checks_due ON follow_up_checks (checked_on, due_on);

ALTER TABLE cases ADD COLUMN closed_at TEXT NULL;
ALTER TABLE cases ADD COLUMN closure_outcome TEXT NULL CHECK (closure_outcome IN (
    'diverted', 'entered_cjs', 'withdrawn', 'escalated', 'no_agreement', 'not_eligible', 'not_suitable'));
ALTER TABLE cases ADD COLUMN closure_reason TEXT NULL;
ALTER TABLE cases ADD COLUMN cjs_outcome_type TEXT NULL;
ALTER TABLE cases ADD COLUMN cjs_entered_on TEXT NULL;
ALTER TABLE cases ADD COLUMN anonymised_at TEXT NULL;
CREATE INDEX ix_cases_closed ON cases (closed_at) WHERE closed_at IS NOT NULL;

-- The daily job's runs, so that it can say when it last ran and catch up after downtime.
CREATE TABLE job_runs (
    id           INTEGER PRIMARY KEY,
    job          TEXT NOT NULL,
    run_on       TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NULL,
    summary      TEXT NULL
);
