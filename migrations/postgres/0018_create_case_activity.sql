-- Activity (issue 15): what happened in each month — conferences held, agreements completed, follow-up checks recorded,
-- cases closed — as against the cohort (the cases referred in a month, followed through). One row per event, kept with the
-- case's report facts in the same unit of work (CaseDerivedData.RefreshSql), carrying the case's filter columns from
-- case_report_facts so that a period's activity is one range scan of the primary key with no join. month_kind packs the
-- event's month index (year * 12 + month - 1) times 8 plus its kind: 1 conference held, 2 agreement completed, 3 follow-up
-- check recorded, 4 case closed. Dates are the event's day as the other report dates are (a conference's and a timeline
-- entry's UTC date).
CREATE VIEW case_activity_source AS
SELECT
    e.activity_on::date AS activity_on,
    e.case_id::text AS case_id,
    e.kind::bigint AS kind,
    e.source_id::text AS source_id,
    ((extract(year FROM e.activity_on)::bigint * 12 + extract(month FROM e.activity_on)::bigint - 1) * 8 + e.kind)::bigint AS month_kind,
    f.school_id,
    f.borough_id,
    f.offence_category_id,
    f.outcome_route,
    f.age_band,
    f.gender,
    f.ethnic_group
FROM (
    SELECT (k.starts_at AT TIME ZONE 'UTC')::date AS activity_on, k.case_id, 1 AS kind, k.id::text AS source_id
    FROM conferences AS k WHERE k.status = 'held'
    UNION ALL
    SELECT min((e.occurred_at AT TIME ZONE 'UTC')::date), e.case_id, 2, ''
    FROM case_events AS e WHERE e.to_status = 'agreement_completed' GROUP BY e.case_id
    UNION ALL
    SELECT k.checked_on, k.case_id, 3, k.id::text
    FROM follow_up_checks AS k WHERE k.checked_on IS NOT NULL
    UNION ALL
    SELECT (c.closed_at AT TIME ZONE 'UTC')::date, c.id, 4, ''
    FROM cases AS c WHERE c.closed_at IS NOT NULL
) AS e
JOIN case_report_facts AS f ON f.case_id = e.case_id::text;

CREATE TABLE case_activity (
    activity_on          date NOT NULL,
    case_id              text NOT NULL,
    kind                 bigint NOT NULL,
    source_id            text NOT NULL,
    month_kind           bigint NOT NULL,
    school_id            bigint NOT NULL,
    borough_id           bigint NOT NULL,
    offence_category_id  bigint NOT NULL,
    outcome_route        text NOT NULL,
    age_band             text NULL,
    gender               text NULL,
    ethnic_group         text NOT NULL,
    PRIMARY KEY (activity_on, case_id, kind, source_id)
);
CREATE INDEX ix_case_activity_case ON case_activity (case_id);

INSERT INTO case_activity (activity_on, case_id, kind, source_id, month_kind, school_id, borough_id, offence_category_id,
                           outcome_route, age_band, gender, ethnic_group)
SELECT activity_on, case_id, kind, source_id, month_kind, school_id, borough_id, offence_category_id,
       outcome_route, age_band, gender, ethnic_group
FROM case_activity_source;
