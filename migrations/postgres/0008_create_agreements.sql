-- PostgreSQL dialect of migrations/sqlite/0008_create_agreements.sql.
-- Conference outcomes, agreements with their actions, and the versions of the agreement document.
-- Words from domain.md. Whether a conference was held is conferences.status (held / not_held);
-- who came is conference_participants.attended. Amounts are whole pence; dates are London dates
-- (date); instants are timestamptz.

-- The outcome of a held conference. All NULL until the outcome is recorded; the harmed party's
-- feedback and the young person's reflection stay NULL when not given.
ALTER TABLE conferences ADD COLUMN agreement_reached boolean NULL;
ALTER TABLE conferences ADD COLUMN exclusion_avoided boolean NULL;
ALTER TABLE conferences ADD COLUMN harmed_satisfaction bigint NULL CHECK (harmed_satisfaction BETWEEN 1 AND 5);
ALTER TABLE conferences ADD COLUMN harmed_feels_safer boolean NULL;
ALTER TABLE conferences ADD COLUMN harmed_felt_prepared boolean NULL;
ALTER TABLE conferences ADD COLUMN harmed_would_recommend boolean NULL;
ALTER TABLE conferences ADD COLUMN young_person_reflection text NULL;
ALTER TABLE conferences ADD COLUMN outcome_recorded_by text NULL REFERENCES users (id);
ALTER TABLE conferences ADD COLUMN outcome_recorded_at timestamptz NULL;

-- What was agreed at a conference: at most one agreement per conference. version is for optimistic
-- concurrency when the actions are changed; content_hash is the SHA-256 of what the agreement
-- document shows (see AgreementDocument.ContentHash), so an unchanged agreement is not printed again
-- as a new version.
CREATE TABLE agreements (
    id             text PRIMARY KEY,
    conference_id  text NOT NULL UNIQUE REFERENCES conferences (id),
    case_id        text NOT NULL REFERENCES cases (id),
    content_hash   text NOT NULL,
    version        bigint NOT NULL DEFAULT 1,
    created_by     text NOT NULL REFERENCES users (id),
    created_at     timestamptz NOT NULL,
    updated_by     text NOT NULL REFERENCES users (id),
    updated_at     timestamptz NOT NULL
);
CREATE INDEX ix_agreements_case ON agreements (case_id);

-- The numbered actions of an agreement. Who does it is a party of the case; who checks it is a
-- party or a user (the facilitator), exactly one of the two. Compensation has an amount, work has
-- hours. status is kept by later features (action completion).
CREATE TABLE agreement_actions (
    id                   text PRIMARY KEY,
    agreement_id         text NOT NULL REFERENCES agreements (id),
    number               bigint NOT NULL CHECK (number >= 1),
    action_type          text NOT NULL CHECK (action_type IN (
                             'written_apology', 'verbal_apology', 'repair_or_replace', 'compensation',
                             'work', 'programme', 'behaviour_commitment', 'other')),
    text                 text NOT NULL CHECK (length(text) BETWEEN 1 AND 5000),
    done_by_party_id     text NOT NULL REFERENCES parties (id),
    due_on               date NOT NULL,
    checked_by_party_id  text NULL REFERENCES parties (id),
    checked_by_user_id   text NULL REFERENCES users (id),
    amount_pence         bigint NULL CHECK (amount_pence > 0),
    hours                double precision NULL CHECK (hours > 0),
    status               text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'completed', 'missed')),
    status_changed_at    timestamptz NULL,
    status_changed_by    text NULL REFERENCES users (id),
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
    id                      text PRIMARY KEY,
    agreement_id            text NOT NULL REFERENCES agreements (id),
    version_number          bigint NOT NULL CHECK (version_number >= 1),
    harmed_first_name_only  boolean NOT NULL,
    content_hash            text NOT NULL,
    bytes                   bytea NOT NULL,
    sha256                  text NOT NULL,
    generated_by            text NOT NULL REFERENCES users (id),
    generated_at            timestamptz NOT NULL,
    superseded_at           timestamptz NULL,
    UNIQUE (agreement_id, version_number, harmed_first_name_only)
);
