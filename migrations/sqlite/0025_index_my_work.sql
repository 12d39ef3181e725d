-- My work's lists at scale (docs/performance.md, "My work"). With a million cases, a reviewer's page read about three
-- seconds of data, most of it the same for a reviewer of one borough as for one of every borough:
--
-- The cases waiting for consent or a booking, and the referrals waiting for an assessment, are one or two statuses
-- oldest first. ix_cases_status (status, school_id) found every case of the status and sorted them all (65,000
-- waiting for consent); this index gives them in the order shown, with the school to check the user's scope
-- against, so the first page stops after its 50.
CREATE INDEX ix_cases_status_referred ON cases (status, referred_at, id, school_id);

-- The follow-up checks waiting to be recorded, overdue first and then by due date, as the reviewer's list shows them:
-- only the checks not yet recorded (a few per cent of them all), in that order, so the first page stops early. It
-- replaces ix_follow_up_checks_due (checked_on, due_on), which every query used for checked_on IS NULL only.
DROP INDEX ix_follow_up_checks_due;
CREATE INDEX ix_follow_up_checks_waiting ON follow_up_checks ((overdue_flagged_at IS NULL), due_on, case_id) WHERE checked_on IS NULL;

-- Counting them goes the other way, from the cases in the user's schools to their checks waiting: by case, the same few
-- per cent of the checks (the count read each check of those cases before).
CREATE INDEX ix_follow_up_checks_waiting_case ON follow_up_checks (case_id) WHERE checked_on IS NULL;
