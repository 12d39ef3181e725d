-- PostgreSQL dialect of migrations/sqlite/0010_create_case_report_facts.sql.
-- Reports (issue 8): one row of facts per case, so that a year of a million cases is read in one
-- short range scan instead of joining cases, parties, events, conferences and follow-up checks.
--
-- case_report_facts_source is the one definition of the facts, computed from the source tables.
-- case_report_facts is its stored copy, kept right in the same transaction as every change to a case
-- (ReportFacts.RefreshAsync, called by CaseTimeline.RecordAsync after each change) and filled here for
-- the cases that already exist. Tests compare the two (ReportFactsTests). The stage and reason codes
-- are explained in RjConferences/Features/Reports/ReportFacts.cs and the README ("Reports").
--
-- Differences from the SQLite dialect, each giving the same numbers:
-- * Day counts are date subtraction (a whole number of days), not julianday(); the day of a conference
--   is the UTC date of starts_at, as SQLite's substr(starts_at, 1, 10) of the UTC text is.
-- * The month index reads year and month from the date with extract() instead of substr() of its text.
-- * cases.eligible, conferences.agreement_reached and conferences.exclusion_avoided are boolean here, so
--   "= 0" / "= 1" become NOT / the column itself, and exclusion_avoided + 1 is exclusion_avoided::integer + 1.
--   The flags the view computes itself (consented, held, refused...) stay integers 0/1, as on SQLite.
-- * min(a, b) is LEAST(a, b).
-- * Everything shifted left is bigint first: PostgreSQL's integer (int4) << does not widen, and
--   (month index << 32) and (days + 32768) << 16 need 64 bits, as SQLite's integers always have.
-- * The view's columns have the types of the table's columns (explicit casts), so that
--   INSERT INTO case_report_facts SELECT ... FROM case_report_facts_source copies them unchanged and the
--   two read back alike: referred_on is a date (SQLite's view returns its yyyy-MM-dd text, which the app
--   reads as a DateOnly; a date reads back as the same day), dims, flow, days and the ids are bigint.
-- * case_report_facts is an ordinary table whose primary key (referred_on, case_id) is the index the
--   reports' range scan reads (SQLite: a WITHOUT ROWID table clustered by that key).

CREATE VIEW case_report_facts_source AS
SELECT
    x.case_id::text AS case_id,
    x.referred_on::date AS referred_on,
    x.school_id::bigint AS school_id,
    x.borough_id::bigint AS borough_id,
    x.offence_category_id::bigint AS offence_category_id,
    x.outcome_route::text AS outcome_route,
    x.age_band::text AS age_band,
    x.gender::text AS gender,
    x.ethnic_group::text AS ethnic_group,
    -- dims: school (bits 0-15), offence category (16-23), ethnic group code (24-27), month index year*12+month-1 (32-)
    (x.school_id::bigint + (x.offence_category_id::bigint << 16)
        + ((CASE x.ethnic_group WHEN 'Asian' THEN 0 WHEN 'Black' THEN 1 WHEN 'Mixed' THEN 2 WHEN 'White' THEN 3 WHEN 'Other' THEN 4 ELSE 5 END)::bigint << 24)
        + ((extract(year FROM x.referred_on)::bigint * 12 + extract(month FROM x.referred_on)::bigint - 1) << 32))::bigint AS dims,
    -- flow: stage (bits 0-2), reason (3-6), ineligibility reasons (7-10), last recorded check's months (11-18),
    -- entered the CJS (19), exclusion avoided 0 unknown / 1 no / 2 yes (20-21), satisfaction 0 unknown / 1-5 (22-24)
    (x.stage::bigint
        + ((CASE
              WHEN x.stage IN (2, 3) AND (x.status = 'not_suitable' OR x.closure_outcome = 'not_suitable') THEN 1
              WHEN x.stage IN (2, 3) AND (x.status = 'withdrawn' OR x.closure_outcome = 'withdrawn') AND x.refused = 1 THEN 2
              WHEN x.stage IN (2, 3) AND (x.status = 'withdrawn' OR x.closure_outcome = 'withdrawn') THEN 3
              WHEN x.stage = 3 AND x.not_held = 1 THEN 4
              WHEN x.stage = 4 THEN 5
              WHEN x.stage = 5 AND x.failed = 1 THEN 6
              ELSE 0 END)::bigint << 3)
        + (x.ineligible_mask::bigint << 7)
        + (LEAST(x.last_check_months, 255)::bigint << 11)
        + (x.entered_cjs::bigint << 19)
        + (x.exclusion_code::bigint << 20)
        + (x.satisfaction_code::bigint << 22))::bigint AS flow,
    -- days: referral to the first held conference + 32768 (bits 0-15; 0 none), referral to the first victim contact + 32768 (16-31; 0 none)
    (coalesce(x.days_to_conference + 32768, 0) + (coalesce(x.days_to_victim_contact + 32768, 0) << 16))::bigint AS days
FROM (
    SELECT
        y.*,
        CASE
            WHEN NOT y.eligible THEN 1
            WHEN y.consented = 0 THEN 2
            WHEN y.held = 0 THEN 3
            WHEN y.reached = 0 THEN 4
            WHEN y.completed = 0 THEN 5
            ELSE 6 END AS stage
    FROM (
        SELECT
            c.id AS case_id,
            c.referred_on,
            c.school_id,
            s.borough_id,
            c.offence_category_id,
            c.outcome_route,
            c.status,
            c.closure_outcome,
            c.eligible,
            CASE
                WHEN yp.age_at_offence BETWEEN 10 AND 13 THEN '10-13'
                WHEN yp.age_at_offence BETWEEN 14 AND 15 THEN '14-15'
                WHEN yp.age_at_offence BETWEEN 16 AND 17 THEN '16-17' END AS age_band,
            yp.gender,
            CASE
                WHEN substr(yp.ethnic_group, 1, 6) = 'asian_' THEN 'Asian'
                WHEN substr(yp.ethnic_group, 1, 6) = 'black_' THEN 'Black'
                WHEN substr(yp.ethnic_group, 1, 6) = 'mixed_' THEN 'Mixed'
                WHEN substr(yp.ethnic_group, 1, 6) = 'white_' THEN 'White'
                WHEN substr(yp.ethnic_group, 1, 6) = 'other_' THEN 'Other'
                ELSE 'Not stated' END AS ethnic_group,
            CASE WHEN EXISTS (SELECT 1 FROM case_events AS e WHERE e.case_id = c.id AND e.to_status IN (
                     'ready_to_schedule', 'conference_scheduled', 'conference_held', 'agreement_active', 'no_agreement',
                     'agreement_completed', 'agreement_failed', 'follow_up'))
                   OR EXISTS (SELECT 1 FROM conferences AS f WHERE f.case_id = c.id)
                   OR c.status IN ('ready_to_schedule', 'conference_scheduled', 'conference_held', 'agreement_active', 'no_agreement',
                     'agreement_completed', 'agreement_failed', 'follow_up')
                 THEN 1 ELSE 0 END AS consented,
            CASE WHEN EXISTS (SELECT 1 FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held') THEN 1 ELSE 0 END AS held,
            CASE WHEN EXISTS (SELECT 1 FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held' AND f.agreement_reached) THEN 1 ELSE 0 END AS reached,
            CASE WHEN EXISTS (SELECT 1 FROM case_events AS e WHERE e.case_id = c.id AND e.to_status IN ('agreement_completed', 'follow_up'))
                   OR c.status IN ('agreement_completed', 'follow_up') OR c.closure_outcome IN ('diverted', 'entered_cjs')
                 THEN 1 ELSE 0 END AS completed,
            CASE WHEN EXISTS (SELECT 1 FROM case_events AS e WHERE e.case_id = c.id AND e.to_status = 'agreement_failed')
                   OR c.status = 'agreement_failed' OR c.closure_outcome = 'escalated'
                 THEN 1 ELSE 0 END AS failed,
            CASE WHEN EXISTS (SELECT 1 FROM consents AS k WHERE k.case_id = c.id AND k.purpose = 'take_part' AND k.decision = 'refused')
                 THEN 1 ELSE 0 END AS refused,
            CASE WHEN EXISTS (SELECT 1 FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'not_held') THEN 1 ELSE 0 END AS not_held,
            (CASE WHEN EXISTS (SELECT 1 FROM case_ineligibility_reasons AS r WHERE r.case_id = c.id AND r.reason = 'not_admitted') THEN 1 ELSE 0 END)
              + (CASE WHEN EXISTS (SELECT 1 FROM case_ineligibility_reasons AS r WHERE r.case_id = c.id AND r.reason = 'gravity_too_high') THEN 2 ELSE 0 END)
              + (CASE WHEN EXISTS (SELECT 1 FROM case_ineligibility_reasons AS r WHERE r.case_id = c.id AND r.reason = 'under_10') THEN 4 ELSE 0 END)
              + (CASE WHEN EXISTS (SELECT 1 FROM case_ineligibility_reasons AS r WHERE r.case_id = c.id AND r.reason = 'over_17') THEN 8 ELSE 0 END)
              AS ineligible_mask,
            coalesce((SELECT max(k.interval_months) FROM follow_up_checks AS k WHERE k.case_id = c.id AND k.checked_on IS NOT NULL), 0) AS last_check_months,
            CASE WHEN EXISTS (SELECT 1 FROM follow_up_checks AS k WHERE k.case_id = c.id AND k.checked_on IS NOT NULL AND k.result = 'entered_cjs')
                 THEN 1 ELSE 0 END AS entered_cjs,
            coalesce((SELECT f.exclusion_avoided::integer + 1 FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held'
                      ORDER BY f.starts_at DESC LIMIT 1), 0) AS exclusion_code,
            coalesce((SELECT f.harmed_satisfaction FROM conferences AS f WHERE f.case_id = c.id AND f.status = 'held'
                      ORDER BY f.starts_at DESC LIMIT 1), 0) AS satisfaction_code,
            (SELECT ((f.starts_at AT TIME ZONE 'UTC')::date - c.referred_on)::bigint FROM conferences AS f
             WHERE f.case_id = c.id AND f.status = 'held' ORDER BY f.starts_at LIMIT 1) AS days_to_conference,
            (c.victim_first_offered_on - c.referred_on)::bigint AS days_to_victim_contact
        FROM cases AS c
        JOIN schools AS s ON s.id = c.school_id
        LEFT JOIN parties AS yp ON yp.id = (
            SELECT p.id FROM parties AS p WHERE p.case_id = c.id AND p.party_role = 'responsible' ORDER BY p.sort_order LIMIT 1)
        -- One row per case anyway: the GROUP BY (kept from the SQLite dialect, where it stops the flags' subqueries being
        -- copied into every expression that uses them) also keeps PostgreSQL from pulling this subquery up into the outer
        -- ones; a filter on case_id still reaches the tables' indexes. yp.id is grouped too, because PostgreSQL accepts
        -- yp's columns in a grouped query only when its primary key is grouped (c's columns follow from c.id).
        GROUP BY c.id, c.referred_on, c.school_id, s.borough_id, c.offence_category_id, c.outcome_route, c.status, c.closure_outcome, c.eligible, yp.id
    ) AS y
) AS x;

CREATE TABLE case_report_facts (
    referred_on          date NOT NULL,
    case_id              text NOT NULL,
    dims                 bigint NOT NULL,
    flow                 bigint NOT NULL,
    days                 bigint NOT NULL,
    school_id            bigint NOT NULL,
    borough_id           bigint NOT NULL,
    offence_category_id  bigint NOT NULL,
    outcome_route        text NOT NULL,
    age_band             text NULL,
    gender               text NULL,
    ethnic_group         text NOT NULL,
    PRIMARY KEY (referred_on, case_id)
);
CREATE UNIQUE INDEX ix_case_report_facts_case ON case_report_facts (case_id);

INSERT INTO case_report_facts (referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id,
                               outcome_route, age_band, gender, ethnic_group)
SELECT referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id,
       outcome_route, age_band, gender, ethnic_group
FROM case_report_facts_source;
