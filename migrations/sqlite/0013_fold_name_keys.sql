-- The case list's name search finds names as people type them: without accents ("nguyen", "suk" for
-- Şükrü Nguyễn-O'Brien), with any apostrophe ("O’B") or hyphen, and from the start of every part of
-- a last name ("o'b" finds Nguyễn-O'Brien, "cruz" finds de la Cruz).
--
-- Before this migration runs its SQL, the app rewrites parties.first_name_key and last_name_key by
-- NameKeys.Fold (C#: SQLite's SQL cannot remove accents; see Migrator.CodeSteps). Every writer of a
-- party stores keys from NameKeys.For, and the search box folds what is typed with the same rule.
-- A key holds only letters, digits, apostrophes and single spaces between the parts of a name
-- ("nguyen o'brien"), which is what the view below relies on to split a last name into its parts.
--
-- case_name_keys (migration 0011) held two keys a young person, the whole name and the last name. It
-- now holds the whole name ("sukru nguyen o'brien") and the last name from the start of each of its
-- parts ("nguyen o'brien", "o'brien"): a search matches when one of them starts with what was typed.
-- One view says which keys a young person has; the first fill and the triggers both read it.

DROP TRIGGER tr_case_name_keys_party_added;
DROP TRIGGER tr_case_name_keys_party_changed;
DROP TRIGGER tr_case_name_keys_party_removed;
DROP TRIGGER tr_case_name_keys_case_changed;
DROP TABLE case_name_keys;

-- A young person's search keys: the whole name, first name first, and the last name from each part
-- on. The parts of "nguyen o'brien" are found by reading it as the JSON array ["nguyen","o'brien"]
-- (a key has no '"' or '\'); each part's key starts after the parts before it and their spaces.
CREATE VIEW young_person_name_keys AS
SELECT p.id AS party_id, p.case_id, p.first_name_key || coalesce(' ' || nullif(p.last_name_key, ''), '') AS name_key
FROM parties AS p
WHERE p.party_role = 'responsible' AND p.first_name_key <> ''
UNION ALL
SELECT p.id, p.case_id,
       substr(p.last_name_key, 1 + coalesce((SELECT sum(length(earlier.value) + 1)
                                             FROM json_each('["' || replace(p.last_name_key, ' ', '","') || '"]') AS earlier
                                             WHERE earlier.key < part.key), 0))
FROM parties AS p, json_each('["' || replace(p.last_name_key, ' ', '","') || '"]') AS part
WHERE p.party_role = 'responsible' AND p.last_name_key <> '';

CREATE TABLE case_name_keys (
    party_id     TEXT NOT NULL REFERENCES parties (id),
    name_key     TEXT NOT NULL,
    name_start   TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    reference    TEXT NOT NULL,
    school_id    INTEGER NOT NULL,
    status       TEXT NOT NULL,
    referred_at  TEXT NOT NULL,
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

CREATE TRIGGER tr_case_name_keys_party_added AFTER INSERT ON parties
WHEN NEW.party_role = 'responsible'
BEGIN
    INSERT INTO case_name_keys (party_id, name_key, name_start, case_id, reference, school_id, status, referred_at)
    SELECT k.party_id, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
    FROM young_person_name_keys AS k
    JOIN cases AS c ON c.id = k.case_id
    WHERE k.party_id = NEW.id;
END;

CREATE TRIGGER tr_case_name_keys_party_changed AFTER UPDATE OF party_role, case_id, first_name_key, last_name_key ON parties
BEGIN
    DELETE FROM case_name_keys WHERE party_id = OLD.id;
    INSERT INTO case_name_keys (party_id, name_key, name_start, case_id, reference, school_id, status, referred_at)
    SELECT k.party_id, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
    FROM young_person_name_keys AS k
    JOIN cases AS c ON c.id = k.case_id
    WHERE k.party_id = NEW.id;
END;

CREATE TRIGGER tr_case_name_keys_party_removed BEFORE DELETE ON parties
BEGIN
    DELETE FROM case_name_keys WHERE party_id = OLD.id;
END;

CREATE TRIGGER tr_case_name_keys_case_changed AFTER UPDATE OF reference, school_id, status, referred_at ON cases
BEGIN
    UPDATE case_name_keys SET reference = NEW.reference, school_id = NEW.school_id, status = NEW.status, referred_at = NEW.referred_at
    WHERE case_id = NEW.id;
END;
