-- The report reads a period's activity as month_kind only, by date, within the user's schools (and often a borough or an
-- offence category): with these columns in the index it is read from the index alone, not from the wide rows. On
-- PostgreSQL a year of a million-case database took a sequential scan of 434 MB (277 ms); see docs/performance.md.
CREATE INDEX ix_case_activity_report ON case_activity (activity_on, month_kind, school_id, borough_id, offence_category_id);
