-- PostgreSQL dialect of migrations/sqlite/0013_fold_name_keys.sql.
-- The case list's name search finds names as people type them: without accents ("nguyen", "suk" for
-- Şükrü Nguyễn-O'Brien), with any apostrophe ("O’B") or hyphen, and from the start of every part of
-- a last name ("o'b" finds Nguyễn-O'Brien, "cruz" finds de la Cruz).
--
-- On SQLite, before this migration runs its SQL, the app rewrites parties.first_name_key and
-- last_name_key by NameKeys.Fold (C#: SQLite's SQL cannot remove accents; see Migrator.CodeSteps).
-- A new PostgreSQL database has no parties yet, so there is nothing to fold. Every writer of a
-- party stores keys from NameKeys.For, and the search box folds what is typed with the same rule.
-- A key holds only letters, digits, apostrophes and single spaces between the parts of a name
-- ("nguyen o'brien"), which is what the view below relies on to split a last name into its parts.
--
-- case_name_keys (migration 0011) held two keys a young person, the whole name and the last name. It
-- now holds the whole name ("sukru nguyen o'brien") and the last name from the start of each of its
-- parts ("nguyen o'brien", "o'brien"): a search matches when one of them starts with what was typed.
-- One view says which keys a young person has; the first fill and the app's refresh both read it.
--
-- SQLite drops the triggers of migration 0011 here and creates new ones (dropped again by 0014); on
-- PostgreSQL there are none to drop and none are created (see 0011 and 0014).

DROP TABLE case_name_keys;

-- A young person's search keys: the whole name, first name first, and the last name from each part
-- on. The parts of "nguyen o'brien" are the elements of string_to_array(last_name_key, ' ') (SQLite
-- reads it as the JSON array ["nguyen","o'brien"]); each part's key starts after the parts before it
-- and their spaces. WITH ORDINALITY numbers the parts as json_each's key does (from 1 here, from 0
-- there: only their order is compared).
CREATE VIEW young_person_name_keys AS
SELECT p.id AS party_id, p.case_id, p.first_name_key || coalesce(' ' || nullif(p.last_name_key, ''), '') AS name_key
FROM parties AS p
WHERE p.party_role = 'responsible' AND p.first_name_key <> ''
UNION ALL
SELECT p.id, p.case_id,
       substr(p.last_name_key, 1 + coalesce((SELECT sum(length(earlier.value) + 1)::integer
                                             FROM unnest(string_to_array(p.last_name_key, ' ')) WITH ORDINALITY AS earlier (value, key)
                                             WHERE earlier.key < part.key), 0))
FROM parties AS p, unnest(string_to_array(p.last_name_key, ' ')) WITH ORDINALITY AS part (value, key)
WHERE p.party_role = 'responsible' AND p.last_name_key <> '';

CREATE TABLE case_name_keys (
    party_id     text NOT NULL REFERENCES parties (id),
    name_key     text NOT NULL,
    name_start   text NOT NULL,
    case_id      text NOT NULL REFERENCES cases (id),
    reference    text NOT NULL,
    school_id    bigint NOT NULL,
    status       text NOT NULL,
    referred_at  timestamptz NOT NULL,
    PRIMARY KEY (party_id, name_key)
);

INSERT INTO case_name_keys (party_id, name_key, name_start, case_id, reference, school_id, status, referred_at)
SELECT k.party_id, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
FROM young_person_name_keys AS k
JOIN cases AS c ON c.id = k.case_id;

-- As in migration 0011: scope, filters, sort and count from an index alone.
CREATE INDEX ix_case_name_keys_search ON case_name_keys (name_start, referred_at, case_id, name_key, school_id, status, reference);
CREATE INDEX ix_case_name_keys_school ON case_name_keys (school_id, name_start, status, referred_at, case_id, name_key, reference);
CREATE INDEX ix_case_name_keys_case ON case_name_keys (case_id);
