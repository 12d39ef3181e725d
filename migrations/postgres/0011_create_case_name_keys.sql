-- PostgreSQL dialect of migrations/sqlite/0011_create_case_name_keys.sql.
-- The case list's search by the young person's name, answered from the indexes of a search table.
--
-- Before this, a search such as "has" found the matching young people in the name indexes of
-- parties, then looked up each of their cases (about 3-4 µs each) to check the school against the
-- user's scope, the status, and to sort by referral time: 12,700 matches among a million cases took
-- 36 ms at the median and 92 ms at the 95th percentile (SQLite). Here each responsible young person's
-- name keys sit next to what the list filters and sorts on, so the search reads an index and looks up
-- only the 50 cases of the page.
--
-- Two keys a young person, lower case: the whole name, first name first ("kwame mensah"), and the
-- last name ("mensah"). A search matches when either starts with what was typed: "kwa", "kwame me"
-- and "mens" all find Kwame Mensah (a start of the whole name is also a start of the first name).
-- name_start is the first three letters of name_key (the case list asks for three letters at
-- least): "name_start = 'has' ORDER BY referred_at DESC" walks the index in the order shown and
-- stops after the page, however many young people are called Hassan; name_key then narrows longer
-- prefixes ("hassa", "hassan ab").
--
-- The rows are derived data. On SQLite this migration also created triggers on parties and cases that
-- kept them right, and migration 0014 dropped those triggers again: since then the app refreshes the
-- table itself, once per change to a case, in the change's transaction (CaseDerivedData.RefreshAsync).
-- A PostgreSQL database starts after that decision, so the triggers are never created here (0014 is
-- then empty on PostgreSQL).

CREATE TABLE case_name_keys (
    party_id     text NOT NULL REFERENCES parties (id),
    name_part    text NOT NULL CHECK (name_part IN ('full', 'last')),
    name_key     text NOT NULL,
    name_start   text NOT NULL,
    case_id      text NOT NULL REFERENCES cases (id),
    reference    text NOT NULL,
    school_id    bigint NOT NULL,
    status       text NOT NULL,
    referred_at  timestamptz NOT NULL,
    PRIMARY KEY (party_id, name_part)
);

-- The young people already recorded.
INSERT INTO case_name_keys (party_id, name_part, name_key, name_start, case_id, reference, school_id, status, referred_at)
SELECT k.party_id, k.name_part, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
FROM (SELECT id AS party_id, case_id, 'full' AS name_part,
             CASE WHEN first_name_key <> '' THEN first_name_key || coalesce(' ' || nullif(last_name_key, ''), '') END AS name_key
      FROM parties WHERE party_role = 'responsible'
      UNION ALL
      SELECT id, case_id, 'last', last_name_key FROM parties WHERE party_role = 'responsible') AS k
JOIN cases AS c ON c.id = k.case_id
WHERE k.name_key <> '';

-- Every column the list filters or sorts on, so that scope, filters, sort and count come from an index
-- alone. The first gives a name's matches in referral-time order (the page stops after 50 rows); the
-- second goes straight to the matches in a few schools, or of one status (the count for a referrer
-- of three schools reads their 1,600 "Ade..." entries, not all 45,000). The planner chooses between them.
CREATE INDEX ix_case_name_keys_search ON case_name_keys (name_start, referred_at, case_id, name_key, school_id, status, reference);
CREATE INDEX ix_case_name_keys_school ON case_name_keys (school_id, name_start, status, referred_at, case_id, name_key, reference);
CREATE INDEX ix_case_name_keys_case ON case_name_keys (case_id);
