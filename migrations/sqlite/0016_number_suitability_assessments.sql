-- Which suitability assessment is a case's latest: assessed_at alone can tie (two saves in one clock tick), and
-- SQLite's rowid, which broke the tie before, has no PostgreSQL equivalent. Each case's assessments are now
-- numbered 1, 2, 3… in the order they were saved (the case row is locked while one is added).

ALTER TABLE suitability_assessments ADD COLUMN number INTEGER NOT NULL DEFAULT 0;

UPDATE suitability_assessments
SET number = (SELECT count(*) FROM suitability_assessments AS earlier
              WHERE earlier.case_id = suitability_assessments.case_id AND earlier.rowid <= suitability_assessments.rowid);

CREATE UNIQUE INDEX ux_suitability_case_number ON suitability_assessments (case_id, number);
