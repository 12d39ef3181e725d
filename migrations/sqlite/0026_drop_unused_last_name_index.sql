-- ix_parties_last_name (last_name_key, case_id) served the case list's name search until migration 0011 moved that search
-- to case_name_keys. Since then no query reads it: the one that compares young people's names, a case's previous
-- referrals (the same first name, last name and date of birth), seeks both names in ix_parties_first_last_name. It still
-- cost an entry in every young person's insert, change and anonymisation.
DROP INDEX ix_parties_last_name;
