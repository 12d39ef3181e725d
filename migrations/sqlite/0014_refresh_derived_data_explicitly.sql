-- The case list's name keys (case_name_keys) were kept by triggers on parties and cases, and the
-- report facts (case_report_facts) by the app after each timeline entry: two mechanisms for the same
-- kind of table. Both are now refreshed the same way, by the app, once per change to a case, in the
-- change's own transaction (CaseDerivedData.RefreshAsync, called by the one unit of work, CaseWork).
-- The view young_person_name_keys stays: it is what the refresh reads.
DROP TRIGGER tr_case_name_keys_party_added;
DROP TRIGGER tr_case_name_keys_party_changed;
DROP TRIGGER tr_case_name_keys_party_removed;
DROP TRIGGER tr_case_name_keys_case_changed;
