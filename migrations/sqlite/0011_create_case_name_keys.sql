-- The case list's search by the young person's name, answered from the indexes of a search table.
--
-- Before this, a search such as "has" found the matching young people in the name indexes of
-- parties, then looked up each of their cases (about 3-4 µs each) to check the school against the
-- user's scope, the status, and to sort by referral time: 12,700 matches among a million cases took
-- 36 ms at the median and 92 ms at the 95th percentile. Here each responsible young person's name
-- keys sit next to what the list filters and sorts on, so the search reads an index and looks up
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
-- The rows are derived data, kept right by the database itself (the triggers below) in the same
-- transaction as each write: a referral's young people are added when their parties are inserted; a
-- change of name, the removal of a party's details (consent refused) and anonymisation (retention)
-- replace or remove them; a change of status follows the case. Writers of cases and parties —
-- ReferralService, CaseChanges, CaseClosing, the follow-up jobs, conference booking, agreement
-- outcomes, Retention, generate-synthetic, seed-demo — need not know the table exists.
-- Measured with 1,000,000 synthetic cases: see README "Performance".

CREATE TABLE case_name_keys (
    party_id     TEXT NOT NULL REFERENCES parties (id),
    name_part    TEXT NOT NULL CHECK (name_part IN ('full', 'last')),
    name_key     TEXT NOT NULL,
    name_start   TEXT NOT NULL,
    case_id      TEXT NOT NULL REFERENCES cases (id),
    reference    TEXT NOT NULL,
    school_id    INTEGER NOT NULL,
    status       TEXT NOT NULL,
    referred_at  TEXT NOT NULL,
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
-- of three schools reads their 1,600 "Ade..." entries, not all 45,000). SQLite chooses between them.
CREATE INDEX ix_case_name_keys_search ON case_name_keys (name_start, referred_at, case_id, name_key, school_id, status, reference);
CREATE INDEX ix_case_name_keys_school ON case_name_keys (school_id, name_start, status, referred_at, case_id, name_key, reference);
CREATE INDEX ix_case_name_keys_case ON case_name_keys (case_id);

CREATE TRIGGER tr_case_name_keys_party_added AFTER INSERT ON parties
WHEN NEW.party_role = 'responsible'
BEGIN
    INSERT INTO case_name_keys (party_id, name_part, name_key, name_start, case_id, reference, school_id, status, referred_at)
    SELECT NEW.id, k.name_part, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
    FROM (SELECT 'full' AS name_part,
                 CASE WHEN NEW.first_name_key <> '' THEN NEW.first_name_key || coalesce(' ' || nullif(NEW.last_name_key, ''), '') END AS name_key
          UNION ALL
          SELECT 'last', NEW.last_name_key) AS k
    JOIN cases AS c ON c.id = NEW.case_id
    WHERE k.name_key <> '';
END;

CREATE TRIGGER tr_case_name_keys_party_changed AFTER UPDATE OF party_role, case_id, first_name_key, last_name_key ON parties
BEGIN
    DELETE FROM case_name_keys WHERE party_id = OLD.id;
    INSERT INTO case_name_keys (party_id, name_part, name_key, name_start, case_id, reference, school_id, status, referred_at)
    SELECT NEW.id, k.name_part, k.name_key, substr(k.name_key, 1, 3), c.id, c.reference, c.school_id, c.status, c.referred_at
    FROM (SELECT 'full' AS name_part,
                 CASE WHEN NEW.first_name_key <> '' THEN NEW.first_name_key || coalesce(' ' || nullif(NEW.last_name_key, ''), '') END AS name_key
          UNION ALL
          SELECT 'last', NEW.last_name_key) AS k
    JOIN cases AS c ON c.id = NEW.case_id
    WHERE NEW.party_role = 'responsible' AND k.name_key <> '';
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
