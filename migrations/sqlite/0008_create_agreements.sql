-- Conference outcomes, agreements with their actions, and the versions of the agreement document.
-- Words from domain.md. Whether a conference was held is conferences.status (held / not_held);
-- who came is conference_participants.attended. Amounts are whole pence; dates are London dates
-- (yyyy-MM-dd); instants are UTC ISO-8601 text.

-- The outcome of a held conference. All NULL until the outcome is recorded; the harmed party's
-- feedback and the young person's reflection stay NULL when not given.
ALTER TABLE conferences ADD COLUMN agreement_reached INTEGER NULL CHECK (agreement_reached IN (0, 1));
ALTER TABLE conferences ADD COLUMN exclusion_avoided INTEGER NULL CHECK (exclusion_avoided IN (0, 1));
ALTER TABLE conferences ADD COLUMN harmed_satisfaction INTEGER NULL CHECK (harmed_satisfaction BETWEEN 1 AND 5);
ALTER TABLE conferences ADD COLUMN harmed_feels_safer INTEGER NULL CHECK (harmed_feels_safer IN (0, 1));
ALTER TABLE conferences ADD COLUMN harmed_felt_prepared INTEGER NULL CHECK (harmed_felt_prepared IN (0, 1));
ALTER TABLE conferences ADD COLUMN harmed_would_recommend INTEGER NULL CHECK (harmed_would_recommend IN (0, 1));
ALTER TABLE conferences ADD COLUMN young_person_reflection TEXT NULL;
ALTER TABLE conferences ADD COLUMN outcome_recorded_by TEXT NULL REFERENCES users (id);
ALTER TABLE conferences ADD COLUMN outcome_recorded_at TEXT NULL;

-- What was agreed at a conference: at most one agreement per conference. version is for optimistic
-- concurrency when the actions are changed; content_hash is the SHA-256 of what the agreement
-- document shows (see AgreementDocument.ContentHash), so an unchanged agreement is not printed again
-- as a new version.
CREATE TABLE agreements (
    id             TEXT PRIMARY KEY,
    conference_id  TEXT NOT NULL UNIQUE REFERENCES conferences (id),
    case_id        TEXT NOT NULL REFERENCES cases (id),
    content_hash   TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    created_by     TEXT NOT NULL REFERENCES users (id),
    created_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL REFERENCES users (id),
    updated_at     TEXT NOT NULL
);
CREATE INDEX ix_agreements_case ON agreements (case_id);

-- The numbered actions of an agreement. Who does it is a party of the case; who checks it is a
-- party or a user (the facilitator), exactly one of the two. Compensation has an amount, work has
-- hours. status is kept by later features (action completion).
CREATE TABLE agreement_actions (
    id                   TEXT PRIMARY KEY,
    agreement_id         TEXT NOT NULL REFERENCES agreements (id),
    number               INTEGER NOT NULL CHECK (number >= 1),
    action_type          TEXT NOT NULL CHECK (action_type IN (
                             'written_apology', 'verbal_apology', 'repair_or_replace', 'compensation',
                             'work', 'programme', 'behaviour_commitment', 'other')),
    text                 TEXT NOT NULL CHECK (length(text) BETWEEN 1 AND 5000),
    done_by_party_id     TEXT NOT NULL REFERENCES parties (id),
    due_on               TEXT NOT NULL,
    checked_by_party_id  TEXT NULL REFERENCES parties (id),
    checked_by_user_id   TEXT NULL REFERENCES users (id),
    amount_pence         INTEGER NULL CHECK (amount_pence > 0),
    hours                REAL NULL CHECK (hours > 0),
    status               TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'missed')),
    status_changed_at    TEXT NULL,
    status_changed_by    TEXT NULL REFERENCES users (id),
    UNIQUE (agreement_id, number),
    CHECK ((checked_by_party_id IS NULL) <> (checked_by_user_id IS NULL)),
    CHECK (action_type <> 'compensation' OR amount_pence IS NOT NULL),
    CHECK (action_type <> 'work' OR hours IS NOT NULL)
);
CREATE INDEX ix_agreement_actions_due ON agreement_actions (status, due_on);

-- Every generated version of the agreement document (the PDF), kept as printed. A version is one
-- content_hash; it may exist in two variants (the harmed person's full name, or first name only).
-- A new version supersedes the earlier ones (superseded_at is set on them).
CREATE TABLE agreement_documents (
    id                      TEXT PRIMARY KEY,
    agreement_id            TEXT NOT NULL REFERENCES agreements (id),
    version_number          INTEGER NOT NULL CHECK (version_number >= 1),
    harmed_first_name_only  INTEGER NOT NULL CHECK (harmed_first_name_only IN (0, 1)),
    content_hash            TEXT NOT NULL,
    bytes                   BLOB NOT NULL,
    sha256                  TEXT NOT NULL,
    generated_by            TEXT NOT NULL REFERENCES users (id),
    generated_at            TEXT NOT NULL,
    superseded_at           TEXT NULL,
    UNIQUE (agreement_id, version_number, harmed_first_name_only)
);
