-- PostgreSQL dialect of migrations/sqlite/0017_index_status_moves_by_time.sql.
-- The report's activity figures count the moves of cases into a status (agreement completed, closed) by the day they
-- happened, over a period: without this index every case event of every case would be read for a year's report.
CREATE INDEX ix_case_events_moves ON case_events (to_status, occurred_at) WHERE to_status IS NOT NULL;
