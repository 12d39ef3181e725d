-- Conference scheduling: facilitators' training records, school-day hours, term dates, preparation
-- meetings, conferences with their participants and history.

CREATE TABLE facilitator_training (
    user_id              TEXT PRIMARY KEY REFERENCES users (id),
    provider             TEXT NOT NULL,
    completed_on         TEXT NOT NULL,
    refresher_due_on     TEXT NOT NULL,
    last_supervision_on  TEXT NULL,
    version              INTEGER NOT NULL DEFAULT 1,
    updated_at           TEXT NOT NULL
);

-- Editable settings with their defaults (school-day hours, in London time).
CREATE TABLE settings (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('school_day_start', '08:30'), ('school_day_end', '17:00');

-- Term dates per borough; half-terms are the gaps between the parts of a term.
CREATE TABLE term_dates (
    id          INTEGER PRIMARY KEY,
    borough_id  INTEGER NOT NULL REFERENCES boroughs (id),
    name        TEXT NOT NULL,
    starts_on   TEXT NOT NULL,
    ends_on     TEXT NOT NULL,
    CHECK (ends_on >= starts_on)
);
CREATE INDEX ix_term_dates_borough ON term_dates (borough_id, starts_on);

WITH t (starts_on, ends_on, name) AS (VALUES
    ('2026-01-05', '2026-02-13', 'Spring 1'),
    ('2026-02-23', '2026-03-27', 'Spring 2'),
    ('2026-04-13', '2026-05-22', 'Summer 1'),
    ('2026-06-01', '2026-07-22', 'Summer 2'),
    ('2026-09-03', '2026-10-23', 'Autumn 1'),
    ('2026-11-02', '2026-12-18', 'Autumn 2'),
    ('2027-01-05', '2027-02-12', 'Spring 1'),
    ('2027-02-22', '2027-03-25', 'Spring 2'),
    ('2027-04-12', '2027-05-28', 'Summer 1'),
    ('2027-06-07', '2027-07-21', 'Summer 2'),
    ('2027-09-02', '2027-10-22', 'Autumn 1'),
    ('2027-11-01', '2027-12-17', 'Autumn 2'),
    ('2028-01-04', '2028-02-11', 'Spring 1'),
    ('2028-02-21', '2028-03-31', 'Spring 2'),
    ('2028-04-18', '2028-05-26', 'Summer 1'),
    ('2028-06-05', '2028-07-21', 'Summer 2'),
    ('2028-09-04', '2028-10-20', 'Autumn 1'),
    ('2028-10-30', '2028-12-20', 'Autumn 2')
)
INSERT INTO term_dates (borough_id, name, starts_on, ends_on)
SELECT b.id, t.name, t.starts_on, t.ends_on
FROM boroughs AS b CROSS JOIN t;

CREATE TABLE preparation_meetings (
    id              TEXT PRIMARY KEY,
    case_id         TEXT NOT NULL REFERENCES cases (id),
    party_id        TEXT NOT NULL REFERENCES parties (id),
    facilitator_id  TEXT NOT NULL REFERENCES users (id),
    met_on          TEXT NOT NULL,
    method          TEXT NOT NULL CHECK (method IN ('in_person', 'phone')),
    notes           TEXT NULL,
    party_ready     INTEGER NOT NULL CHECK (party_ready IN (0, 1)),
    recorded_at     TEXT NOT NULL
);
CREATE INDEX ix_preparation_meetings_case ON preparation_meetings (case_id, party_id);

CREATE TABLE conferences (
    id                 TEXT PRIMARY KEY,
    case_id            TEXT NOT NULL REFERENCES cases (id),
    school_id          INTEGER NOT NULL REFERENCES schools (id),
    room_id            INTEGER NOT NULL REFERENCES rooms (id),
    starts_at          TEXT NOT NULL,
    ends_at            TEXT NOT NULL,
    facilitator_id     TEXT NOT NULL REFERENCES users (id),
    co_facilitator_id  TEXT NULL REFERENCES users (id),
    status             TEXT NOT NULL CHECK (status IN ('scheduled', 'held', 'not_held', 'cancelled')),
    sequence           INTEGER NOT NULL DEFAULT 0,
    reason             TEXT NULL,
    version            INTEGER NOT NULL DEFAULT 1,
    created_by         TEXT NOT NULL REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    CHECK (ends_at > starts_at)
);
CREATE INDEX ix_conferences_case ON conferences (case_id, starts_at);
CREATE INDEX ix_conferences_room ON conferences (room_id, starts_at) WHERE status = 'scheduled';
CREATE INDEX ix_conferences_facilitator ON conferences (facilitator_id, starts_at) WHERE status = 'scheduled';
CREATE INDEX ix_conferences_co_facilitator ON conferences (co_facilitator_id, starts_at) WHERE status = 'scheduled';
CREATE INDEX ix_conferences_school ON conferences (school_id, starts_at);

-- Who is invited. person_key identifies the same person across cases (name and date of birth or
-- contact), so that one young person cannot be booked into two overlapping conferences.
CREATE TABLE conference_participants (
    conference_id  TEXT NOT NULL REFERENCES conferences (id),
    party_id       TEXT NOT NULL REFERENCES parties (id),
    person_key     TEXT NOT NULL,
    attended       INTEGER NULL CHECK (attended IN (0, 1)),
    PRIMARY KEY (conference_id, party_id)
);
CREATE INDEX ix_conference_participants_person ON conference_participants (person_key);

-- Every earlier time of a conference, and each change of plan, with its reason.
CREATE TABLE conference_history (
    id             INTEGER PRIMARY KEY,
    conference_id  TEXT NOT NULL REFERENCES conferences (id),
    changed_at     TEXT NOT NULL,
    changed_by     TEXT NOT NULL REFERENCES users (id),
    kind           TEXT NOT NULL CHECK (kind IN ('booked', 'rescheduled', 'cancelled', 'not_held', 'held')),
    starts_at      TEXT NOT NULL,
    ends_at        TEXT NOT NULL,
    room_id        INTEGER NOT NULL,
    facilitator_id TEXT NOT NULL,
    reason         TEXT NULL
);
CREATE INDEX ix_conference_history_conference ON conference_history (conference_id, id);
