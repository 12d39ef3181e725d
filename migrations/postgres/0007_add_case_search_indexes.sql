-- PostgreSQL dialect of migrations/sqlite/0007_add_case_search_indexes.sql.
-- Searching the case list by "first name and the start of the last name" (for example "wei ch"):
-- with only (first_name_key, case_id), every young person with that first name had to be read from
-- the table to check the last name. This index answers the whole condition, and gives the case ids.
-- Its first column also answers first-name prefix searches, so it replaces ix_parties_first_name.
-- Measured on SQLite with 1,000,000 synthetic cases: see README "Performance".
-- The app's prefix search is a range (key >= 'wei ch' AND key < 'wei ci'), which the index answers
-- in the order of the database's collation: SQLite's is binary, PostgreSQL's the one the database was
-- created with (C gives the same order as SQLite).

CREATE INDEX ix_parties_first_last_name ON parties (first_name_key, last_name_key, case_id) WHERE party_role = 'responsible';

DROP INDEX ix_parties_first_name;
