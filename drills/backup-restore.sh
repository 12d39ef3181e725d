#!/usr/bin/env bash
# Backup and restore drill (SQLite; on PostgreSQL, pg-restore-drill.sh proves pg_dump and pg_restore). It
#   1. starts the app with writers saving new referrals (the save driver, as in kill9.sh) and, while they save, takes an
#      online backup with the app's `backup` command;
#   2. stops the writers, then restores the backup with the app's `restore` command to a new database file (restore
#      checks it first: integrity, schema, audit chain, row counts);
#   3. starts the app on the restored file and checks /health, `verify-audit`, and that every save acknowledged before the
#      backup began is in it, and it has no more cases than the source had when the backup ended.
# Prints one line, e.g. "backup-restore: PASS — backup under load (4 writers, 120 saves during it), 1,234 cases restored,
# audit chain intact, /health 200 in 2.1 s", and exits 0 only on PASS. Bounded; loopback only; its files are its own.
#
# Usage:
#   drills/backup-restore.sh [--writers 4] [--seconds 3] [--app path/to/RjConferences.dll] [--keep]
#
#   --writers   concurrent writers during the backup (default 4)
#   --seconds   how long they save before the backup is taken (default 3)
set -uo pipefail
drill=backup-restore
# shellcheck source=drill-common.sh
source "$(dirname "$0")/drill-common.sh"

writers=4; seconds=3; app="${RJ_DRILL_APP:-}"; keep=0
parse_options "writers= seconds= app= keep" "$@"
[[ "$writers" =~ ^[1-9][0-9]*$ && "$seconds" =~ ^[0-9]+$ ]] || { echo "--writers and --seconds take whole numbers." >&2; exit 2; }
find_builds

work="$(mktemp -d "${TMPDIR:-/tmp}/rj-backup-restore.XXXXXX")"
driver_pid=""
cleanup() {
  [ -n "$driver_pid" ] && kill -9 "$driver_pid" 2>/dev/null
  if [ "$keep" = 1 ]; then echo "Kept: $work"; return; fi
  rm -rf "$work"
}
trap cleanup EXIT

provider=Sqlite
source_file="$work/source.db"
restored_file="$work/restored/rjconferences.db"
backup_file="$work/backup.db"
mkdir -p "$work/restored"
sqlite_file="$source_file"
connection="Data Source=$source_file"
echo "Backup and restore drill: $writers writers, on SQLite $source_file, with $app"
run_app migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; fail "migrate failed"; }
create_drill_user

# 1. Saves going on, then the backup in the middle of them.
port="$(free_port)"
start_driver "$port" "$work/source-app.log" --writers "$writers"
wait_health "$port" "$driver_pid" 60 >/dev/null || { tail -30 "$work/source-app.log"; fail "the app did not answer /health within 60 s"; }
wait_acks "$work/source-app.log" 1 30 "$driver_pid" || { tail -30 "$work/source-app.log"; fail "no save was acknowledged within 30 s"; }
sleep "$seconds"
acks_in "$work/source-app.log" >"$work/acked-before.txt"
run_app backup "$backup_file" >"$work/backup.log" 2>&1 || { cat "$work/backup.log"; fail "the backup command failed under load"; }
acks_in "$work/source-app.log" >"$work/acked-after.txt"
during=$(( $(wc -l <"$work/acked-after.txt") - $(wc -l <"$work/acked-before.txt") ))
stop_driver
[ "$during" -gt 0 ] || echo "note: no save was acknowledged while the backup ran (it was quick); the writers were saving when it began."

# 2. Restore to a new place, with the app's own checks.
connection="Data Source=$restored_file"
run_app restore "$backup_file" >"$work/restore.log" 2>&1 || { cat "$work/restore.log"; fail "restore refused the backup"; }
grep -q 'Audit chain intact' "$work/restore.log" || { cat "$work/restore.log"; fail "restore did not report the audit chain"; }

# 3. The app on the restored database.
start_driver "$port" "$work/restored-app.log" --writers 1 --saves 0
took="$(wait_health "$port" "$driver_pid" 60)" || { tail -30 "$work/restored-app.log"; fail "the app did not start on the restored database"; }
stop_driver
run_app verify-audit >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "verify-audit failed on the restored database"; }
sqlite_file="$restored_file"
integrity="$(sqlite_integrity "$restored_file")"; [ "$integrity" = ok ] || fail "integrity_check of the restored database: $integrity"
before="$(wc -l <"$work/acked-before.txt")"
present="$(present_cases "$work/acked-before.txt")"
[ "$present" -eq "$before" ] || fail "$((before - present)) of the $before saves acknowledged before the backup are not in the restored database"
count() { python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("SELECT count(*) FROM cases").fetchone()[0])' "$1"; }
restored_cases="$(count "$restored_file")"; source_cases="$(count "$source_file")"
[ "$restored_cases" -le "$source_cases" ] || fail "the restored database has $restored_cases cases, the source only $source_cases"
echo "$drill: PASS — backup under load ($writers writers, $during saves acknowledged during it), $restored_cases cases restored of $source_cases at the end, $(grep -o 'Audit chain intact: [0-9]* events' "$work/verify.log" | sed 's/Audit chain intact: /audit chain intact, /'), /health 200 in $took s"
