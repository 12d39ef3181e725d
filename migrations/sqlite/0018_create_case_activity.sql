-- Activity (issue 15): what happened in each month — conferences held, agreements completed, follow-up checks recorded,
-- cases closed — as against the cohort (the cases referred in a month, followed through). One row per event, kept with the
-- case's report facts in the same unit of work (CaseDerivedData.RefreshSql), carrying the case's filter columns from
-- case_report_facts so that a period's activity is one range scan of the primary key with no join. month_kind packs the
-- event's month index (year * 12 + month - 1) times 8 plus its kind: 1 conference held, 2 agreement completed, 3 follow-up
-- check recorded, 4 case closed. Dates are the event's London day as the other report dates are (a conference's and a
-- timeline entry's UTC date).
CREATE VIEW case_activity_source AS
SELECT
    e.activity_on,
    e.case_id,
    e.kind,
    e.source_id,
    (CAST(substr(e.activity_on, 1, 4) AS INTEGER) * 12 + CAST(substr(e.activity_on, 6, 2) AS INTEGER) - 1) * 8 + e.kind AS month_kind,
    f.school_id,
    f.borough_id,
    f.offence_category_id,
    f.outcome_route,
    f.age_band,
    f.gender,
    f.ethnic_group
FROM (
    SELECT substr(k.starts_at, 1, 10) AS activity_on, k.case_id, 1 AS kind, k.id AS source_id
    FROM conferences AS k WHERE k.status = 'held'
    UNION ALL
    SELECT min(substr(e.occurred_at, 1, 10)), e.case_id, 2, ''
    FROM case_events AS e WHERE e.to_status = 'agreement_completed' GROUP BY e.case_id
    UNION ALL
    SELECT k.checked_on, k.case_id, 3, k.id
    FROM follow_up_checks AS k WHERE k.checked_on IS NOT NULL
    UNION ALL
    SELECT substr(c.closed_at, 1, 10), c.id, 4, ''
    FROM cases AS c WHERE c.closed_at IS NOT NULL
) AS e
JOIN case_report_facts AS f ON f.case_id = e.case_id;

CREATE TABLE case_activity (
    activity_on          TEXT NOT NULL,
    case_id              TEXT NOT NULL,
    kind                 INTEGER NOT NULL,
    source_id            TEXT NOT NULL,
    month_kind           INTEGER NOT NULL,
    school_id            INTEGER NOT NULL,
    borough_id           INTEGER NOT NULL,
    offence_category_id  INTEGER NOT NULL,
    outcome_route        TEXT NOT NULL,
    age_band             TEXT NULL,
    gender               TEXT NULL,
    ethnic_group         TEXT NOT NULL,
    PRIMARY KEY (activity_on, case_id, kind, source_id)
) WITHOUT ROWID;
CREATE INDEX ix_case_activity_case ON case_activity (case_id);

INSERT INTO case_activity (activity_on, case_id, kind, source_id, month_kind, school_id, borough_id, offence_category_id,
                           outcome_route, age_band, gender, ethnic_group)
SELECT activity_on, case_id, kind, source_id, month_kind, school_id, borough_id, offence_category_id,
       outcome_route, age_band, gender, ethnic_group
FROM case_activity_source;
