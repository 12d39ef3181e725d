-- Cases (one referral of one incident), their parties, consents, suitability assessments and
-- timeline. Words from domain.md. Dates of the offence and of people's lives are London dates
-- (yyyy-MM-dd); instants are UTC ISO-8601 text.

CREATE TABLE offence_categories (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    sort_order  INTEGER NOT NULL,
    active      INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

INSERT INTO offence_categories (id, name, sort_order) VALUES
    (1, 'Minor assault', 1),
    (2, 'Theft', 2),
    (3, 'Criminal damage', 3),
    (4, 'Bullying or harassment', 4),
    (5, 'Threatening behaviour', 5),
    (6, 'Public order', 6),
    (7, 'Possession of a controlled drug (small amount)', 7),
    (8, 'Other', 8);

-- England and Wales bank holidays: working-day clocks skip them (editable data; more years are added by later migrations or the admin pages).
CREATE TABLE bank_holidays (
    holiday_date  TEXT PRIMARY KEY,
    name          TEXT NOT NULL
);

INSERT INTO bank_holidays (holiday_date, name) VALUES
    ('2026-01-01', 'New Year''s Day'), ('2026-04-03', 'Good Friday'), ('2026-04-06', 'Easter Monday'),
    ('2026-05-04', 'Early May bank holiday'), ('2026-05-25', 'Spring bank holiday'), ('2026-08-31', 'Summer bank holiday'),
    ('2026-12-25', 'Christmas Day'), ('2026-12-28', 'Boxing Day (substitute day)'),
    ('2027-01-01', 'New Year''s Day'), ('2027-03-26', 'Good Friday'), ('2027-03-29', 'Easter Monday'),
    ('2027-05-03', 'Early May bank holiday'), ('2027-05-31', 'Spring bank holiday'), ('2027-08-30', 'Summer bank holiday'),
    ('2027-12-27', 'Christmas Day (substitute day)'), ('2027-12-28', 'Boxing Day (substitute day)'),
    ('2028-01-03', 'New Year''s Day (substitute day)'), ('2028-04-14', 'Good Friday'), ('2028-04-17', 'Easter Monday'),
    ('2028-05-01', 'Early May bank holiday'), ('2028-05-29', 'Spring bank holiday'), ('2028-08-28', 'Summer bank holiday'),
    ('2028-12-25', 'Christmas Day'), ('2028-12-26', 'Boxing Day');

-- The running number of case references per year: RJ-<year>-<5 digits>.
CREATE TABLE reference_counters (
    year         INTEGER PRIMARY KEY,
    last_number  INTEGER NOT NULL
);

-- Incidents the school would deal with by its own procedure are not recorded as police matters:
-- only a count (school, date, category) is kept for reporting.
CREATE TABLE school_internal_matters (
    id                   INTEGER PRIMARY KEY,
    school_id            INTEGER NOT NULL REFERENCES schools (id),
    recorded_on          TEXT NOT NULL,
    offence_category_id  INTEGER NULL REFERENCES offence_categories (id),
    recorded_by          TEXT NOT NULL REFERENCES users (id),
    submission_id        TEXT NOT NULL UNIQUE
);
CREATE INDEX ix_school_internal_matters_school ON school_internal_matters (school_id, recorded_on);

CREATE TABLE cases (
    id                       TEXT PRIMARY KEY,
    reference                TEXT NOT NULL UNIQUE,
    school_id                INTEGER NOT NULL REFERENCES schools (id),
    status                   TEXT NOT NULL CHECK (status IN (
                                 'referred', 'not_eligible', 'assessing', 'not_suitable', 'awaiting_consent',
                                 'withdrawn', 'ready_to_schedule', 'conference_scheduled', 'conference_held',
                                 'agreement_active', 'no_agreement', 'agreement_completed', 'agreement_failed',
                                 'follow_up', 'closed')),
    location                 TEXT NOT NULL CHECK (location IN (
                                 'on_school_premises', 'immediate_vicinity', 'journey_to_or_from_school', 'elsewhere')),
    offence_at               TEXT NOT NULL,
    offence_date             TEXT NOT NULL,
    offence_category_id      INTEGER NOT NULL REFERENCES offence_categories (id),
    gravity                  INTEGER NOT NULL CHECK (gravity BETWEEN 1 AND 4),
    description              TEXT NULL,
    admitted                 INTEGER NOT NULL CHECK (admitted IN (0, 1)),
    admitted_on              TEXT NULL,
    admitted_to              TEXT NULL,
    outcome_route            TEXT NOT NULL CHECK (outcome_route IN ('community_resolution', 'outcome_22', 'not_decided')),
    eligible                 INTEGER NOT NULL CHECK (eligible IN (0, 1)),
    referred_at              TEXT NOT NULL,
    referred_on              TEXT NOT NULL,
    referred_by              TEXT NOT NULL REFERENCES users (id),
    victim_first_offered_on  TEXT NULL,
    withdrawn_reason         TEXT NULL,
    submission_id            TEXT NOT NULL UNIQUE,
    version                  INTEGER NOT NULL DEFAULT 1,
    updated_at               TEXT NOT NULL
);
CREATE INDEX ix_cases_school_referred ON cases (school_id, referred_at DESC);
CREATE INDEX ix_cases_status ON cases (status, school_id);
CREATE INDEX ix_cases_referred ON cases (referred_at DESC);

-- Why a referral is not eligible; party_id names the young person for the age reasons.
CREATE TABLE case_ineligibility_reasons (
    case_id   TEXT NOT NULL REFERENCES cases (id),
    reason    TEXT NOT NULL CHECK (reason IN ('not_admitted', 'gravity_too_high', 'under_10', 'over_17')),
    party_id  TEXT NULL,
    PRIMARY KEY (case_id, reason, party_id)
);

CREATE TABLE parties (
    id                TEXT PRIMARY KEY,
    case_id           TEXT NOT NULL REFERENCES cases (id),
    party_role        TEXT NOT NULL CHECK (party_role IN ('responsible', 'harmed', 'supporter', 'school_staff', 'officer')),
    harmed_type       TEXT NULL CHECK (harmed_type IN ('pupil', 'staff', 'member_of_public', 'organisation')),
    supporter_type    TEXT NULL CHECK (supporter_type IN ('parent', 'guardian', 'other')),
    supports_party_id TEXT NULL REFERENCES parties (id),
    first_name        TEXT NULL,
    last_name         TEXT NULL,
    organisation_name TEXT NULL,
    -- lower-case copies for prefix search by name
    first_name_key    TEXT NULL,
    last_name_key     TEXT NULL,
    date_of_birth     TEXT NULL,
    age_at_offence    INTEGER NULL,
    gender            TEXT NULL CHECK (gender IN ('female', 'male', 'other', 'prefer_not_to_say')),
    ethnic_group      TEXT NULL,
    year_group        INTEGER NULL CHECK (year_group BETWEEN 1 AND 14),
    special_educational_needs INTEGER NULL CHECK (special_educational_needs IN (0, 1)),
    phone             TEXT NULL,
    email             TEXT NULL,
    address           TEXT NULL,
    details_removed_at TEXT NULL,
    sort_order        INTEGER NOT NULL
);
CREATE INDEX ix_parties_case ON parties (case_id, sort_order);
CREATE INDEX ix_parties_last_name ON parties (last_name_key, case_id) WHERE party_role = 'responsible';
CREATE INDEX ix_parties_first_name ON parties (first_name_key, case_id) WHERE party_role = 'responsible';

CREATE TABLE suitability_assessments (
    id                   TEXT PRIMARY KEY,
    case_id              TEXT NOT NULL REFERENCES cases (id),
    assessed_by          TEXT NOT NULL REFERENCES users (id),
    assessed_at          TEXT NOT NULL,
    risk_to_parties      TEXT NOT NULL,
    power_imbalance      TEXT NOT NULL,
    acceptance_of_responsibility TEXT NOT NULL,
    harmed_party_wishes  TEXT NOT NULL,
    outcome              TEXT NOT NULL CHECK (outcome IN ('suitable', 'not_suitable')),
    reason               TEXT NULL
);
CREATE INDEX ix_suitability_case ON suitability_assessments (case_id, assessed_at);

CREATE TABLE consents (
    id            TEXT PRIMARY KEY,
    case_id       TEXT NOT NULL REFERENCES cases (id),
    party_id      TEXT NOT NULL REFERENCES parties (id),
    purpose       TEXT NOT NULL CHECK (purpose IN ('take_part', 'share_agreement_with_school')),
    decision      TEXT NOT NULL CHECK (decision IN ('given', 'refused')),
    decided_on    TEXT NOT NULL,
    method        TEXT NOT NULL CHECK (method IN ('in_person', 'phone', 'written')),
    taken_by      TEXT NOT NULL REFERENCES users (id),
    withdrawn_on  TEXT NULL,
    recorded_at   TEXT NOT NULL
);
CREATE INDEX ix_consents_case ON consents (case_id, party_id, purpose);

-- The case timeline: every change, who and when. The summary never repeats personal data.
CREATE TABLE case_events (
    id           INTEGER PRIMARY KEY,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    occurred_at  TEXT NOT NULL,
    user_id      TEXT NULL REFERENCES users (id),
    kind         TEXT NOT NULL,
    summary      TEXT NOT NULL,
    from_status  TEXT NULL,
    to_status    TEXT NULL
);
CREATE INDEX ix_case_events_case ON case_events (case_id, id);
