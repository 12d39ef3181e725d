-- PostgreSQL dialect of migrations/sqlite/0016_number_suitability_assessments.sql.
-- Which suitability assessment is a case's latest: assessed_at alone can tie (two saves in one clock tick).
-- Each case's assessments are now numbered 1, 2, 3… in the order they were saved (the case row is locked while
-- one is added). Rows from before are numbered in assessed_at order.

ALTER TABLE suitability_assessments ADD COLUMN number bigint NOT NULL DEFAULT 0;

UPDATE suitability_assessments AS a
SET number = ordered.number
FROM (SELECT id, row_number() OVER (PARTITION BY case_id ORDER BY assessed_at, id) AS number
      FROM suitability_assessments) AS ordered
WHERE ordered.id = a.id;

CREATE UNIQUE INDEX ux_suitability_case_number ON suitability_assessments (case_id, number);
