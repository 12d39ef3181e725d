-- Timeliness and harmed parties in the report facts (issue 15): the view that defines every case's facts now also
-- packs the day of the month of the referral (dims bits 48-52: working days are counted from the referral date), the
-- calendar days from referral to the first suitability assessment (days bits 32-47), and the harmed parties who gave
-- consent to take part and, of them, those who attended a held conference (flow bits 25-27 and 28-30). Every case's
-- facts are recomputed from the new view.

DROP VIEW case_report_facts_source;

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
    -- dims: school (bits 0-15), offence category (16-23), ethnic group code (24-27), month index year*12+month-1 (32-47),
    -- day of the month of the referral (48-52)
    (x.school_id::bigint + (x.offence_category_id::bigint << 16)
        + ((CASE x.ethnic_group WHEN 'Asian' THEN 0 WHEN 'Black' THEN 1 WHEN 'Mixed' THEN 2 WHEN 'White' THEN 3 WHEN 'Other' THEN 4 ELSE 5 END)::bigint << 24)
        + ((extract(year FROM x.referred_on)::bigint * 12 + extract(month FROM x.referred_on)::bigint - 1) << 32)
        + (extract(day FROM x.referred_on)::bigint << 48))::bigint AS dims,
    -- flow: stage (bits 0-2), reason (3-6), ineligibility reasons (7-10), last recorded check's months (11-18),
    -- entered the CJS (19), exclusion avoided 0 unknown / 1 no / 2 yes (20-21), satisfaction 0 unknown / 1-5 (22-24),
    -- harmed parties who consented to take part, up to 7 (25-27), of them, those who attended a held conference, up to 7 (28-30)
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
        + (x.satisfaction_code::bigint << 22)
        + (LEAST(x.harmed_consented, 7)::bigint << 25)
        + (LEAST(x.harmed_took_part, 7)::bigint << 28))::bigint AS flow,
    -- days: referral to the first held conference + 32768 (bits 0-15; 0 none), referral to the first victim contact + 32768 (16-31; 0 none),
    -- referral to the first suitability assessment + 32768 (32-47; 0 none); calendar days (reports count working days from them)
    (coalesce(x.days_to_conference + 32768, 0) + (coalesce(x.days_to_victim_contact + 32768, 0) << 16)
        + (coalesce(x.days_to_assessment + 32768, 0) << 32))::bigint AS days
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
            (c.victim_first_offered_on - c.referred_on)::bigint AS days_to_victim_contact,
            (SELECT ((min(a.assessed_at) AT TIME ZONE 'UTC')::date - c.referred_on)::bigint FROM suitability_assessments AS a
             WHERE a.case_id = c.id) AS days_to_assessment,
            (SELECT count(DISTINCT k.party_id) FROM consents AS k JOIN parties AS p ON p.id = k.party_id
             WHERE k.case_id = c.id AND p.party_role = 'harmed' AND k.purpose = 'take_part' AND k.decision = 'given') AS harmed_consented,
            (SELECT count(DISTINCT k.party_id) FROM consents AS k JOIN parties AS p ON p.id = k.party_id
             WHERE k.case_id = c.id AND p.party_role = 'harmed' AND k.purpose = 'take_part' AND k.decision = 'given'
               AND EXISTS (SELECT 1 FROM conference_participants AS cp JOIN conferences AS f ON f.id = cp.conference_id
                           WHERE cp.party_id = k.party_id AND f.case_id = c.id AND f.status = 'held' AND cp.attended)) AS harmed_took_part
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

DELETE FROM case_report_facts;
INSERT INTO case_report_facts (referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group)
SELECT referred_on, case_id, dims, flow, days, school_id, borough_id, offence_category_id, outcome_route, age_band, gender, ethnic_group
FROM case_report_facts_source;
