-- PostgreSQL dialect of migrations/sqlite/0012_create_form_submissions.sql.
-- Double-submit safety for every case form that creates something, the way a referral is safe
-- (cases.submission_id): the form carries a key made when it is opened, and the write that saves
-- it records the key in the same transaction. A second submit of the same form (a double click, a
-- click that reached the server after the form had closed, a retried request) finds its key
-- recorded and saves nothing.
CREATE TABLE form_submissions (
    submission_id text PRIMARY KEY,
    case_id       text NOT NULL REFERENCES cases (id),
    submitted_by  text NOT NULL,
    submitted_at  timestamptz NOT NULL
);
CREATE INDEX ix_form_submissions_case ON form_submissions (case_id);

-- A harmed party who gave or refused consent had been offered restorative justice by then: cases
-- recorded before this rule get the day of the harmed party's first decision as the day they were
-- first offered it, and their report facts (days to victim contact) follow.
-- (A new PostgreSQL database has no cases yet; the data move is kept so that both dialects say the same.)
CREATE TEMP TABLE offered_from_consent AS
SELECT k.case_id, min(k.decided_on) AS offered_on
FROM consents AS k
JOIN parties AS p ON p.id = k.party_id
JOIN cases AS c ON c.id = k.case_id
WHERE p.party_role = 'harmed' AND c.victim_first_offered_on IS NULL
GROUP BY k.case_id;

UPDATE cases SET victim_first_offered_on = (SELECT o.offered_on FROM offered_from_consent AS o WHERE o.case_id = cases.id)
WHERE id IN (SELECT case_id FROM offered_from_consent);

DELETE FROM case_report_facts WHERE case_id IN (SELECT case_id FROM offered_from_consent);
INSERT INTO case_report_facts (referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group)
SELECT referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group
FROM case_report_facts_source WHERE case_id IN (SELECT case_id FROM offered_from_consent);

DROP TABLE offered_from_consent;
