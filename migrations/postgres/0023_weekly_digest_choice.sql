-- Issue 16, staff digests: each user chooses for themselves whether the app emails them a weekly digest of My work (off
-- until they turn it on, on their Email settings page). The other staff messages (invitations, reminders, overdue actions,
-- follow-up checks due) go to whoever the work is for, without a choice.
ALTER TABLE users ADD COLUMN weekly_digest boolean NOT NULL DEFAULT false;
