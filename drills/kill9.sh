#!/usr/bin/env bash
# kill -9 drill: the real app, saving in parallel, killed outright at a random moment, N times. Each cycle it
#   1. starts the app (the save driver: the built app serving on a loopback port, with --writers concurrent writers in it
#      that save new referrals through the app's own ReferralService, printing "ACK <case id>" once a save is committed),
#      and times it until /health answers 200 (the restart time: recovery of the database, migrations, start-up);
#   2. lets it save for a random 0.3–1.5 s once the first save is acknowledged, then kills it with kill -9;
#   3. checks: every acknowledged save is in the database, PRAGMA integrity_check is ok (SQLite), and verify-audit passes.
# Prints one line, e.g. "kill9: PASS — 20 cycles, 400 acknowledged saves, 0 lost, restart 0.8–2.1 s", and exits 0 only on PASS.
# Bounded: each start has 60 s, each cycle's first save 30 s. Loopback only; its files and database are its own.
#
# Usage:
#   drills/kill9.sh [--cycles 20] [--writers 4] [--postgres "Host=…;Port=…;Username=…"] [--app path/to/RjConferences.dll] [--keep]
#
#   --cycles    kill cycles (default 20)
#   --writers   concurrent writers in the app (default 4)
#   --postgres  run on PostgreSQL: a server's connection string without a database; the drill creates its own database
#               (rj_drill_kill9_…) and drops it after. Default: a new SQLite file in a temporary folder.
#   --app       the built app (default: this repository's RjConferences/bin/Release, else Debug); the save driver is
#               drills/RjConferences.SaveDriver/bin/<same configuration>.
#   --keep      keep the database and the logs (their place is printed).
set -uo pipefail
drill=kill9
# shellcheck source=drill-common.sh
source "$(dirname "$0")/drill-common.sh"

cycles=20; writers=4; postgres=""; app="${RJ_DRILL_APP:-}"; keep=0
parse_options "cycles= writers= postgres= app= pg-bin= keep" "$@"
[[ "$cycles" =~ ^[1-9][0-9]*$ && "$writers" =~ ^[1-9][0-9]*$ ]] || { echo "--cycles and --writers take a whole number from 1." >&2; exit 2; }
find_builds

work="$(mktemp -d "${TMPDIR:-/tmp}/rj-kill9.XXXXXX")"
driver_pid=""
cleanup() {
  [ -n "$driver_pid" ] && kill -9 "$driver_pid" 2>/dev/null
  if [ "$keep" = 1 ]; then echo "Kept: $work${pg_database:+, database $pg_database}"; return; fi
  [ -n "${pg_database:-}" ] && psql_admin -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

if [ -n "$postgres" ]; then
  provider=Postgres
  use_postgres_server "$postgres"
  pg_database="rj_drill_kill9_$(date +%s)_$$"
  psql_admin -c "CREATE DATABASE $pg_database TEMPLATE template0 ENCODING 'UTF8'" >/dev/null || fail "could not create database $pg_database"
  connection="$(pg_connection "$pg_database")"
  where="PostgreSQL $PGHOST:$PGPORT"
else
  provider=Sqlite
  sqlite_file="$work/kill9.db"
  connection="Data Source=$sqlite_file"
  where="SQLite $sqlite_file"
fi
echo "kill -9 drill: $cycles cycles, $writers writers, on $where, with $app"
run_app migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; fail "migrate failed"; }
create_drill_user

restarts=()
lost_total=0
port="$(free_port)"
for cycle in $(seq 1 "$cycles"); do
  out="$work/cycle-$cycle.log"
  start_driver "$port" "$out" --writers "$writers"
  took="$(wait_health "$port" "$driver_pid" 60)" || { tail -30 "$out"; fail "cycle $cycle: the app did not answer /health within 60 s"; }
  [ "$cycle" -gt 1 ] && restarts+=("$took")
  wait_acks "$out" 1 30 "$driver_pid" || { tail -30 "$out"; fail "cycle $cycle: no save was acknowledged within 30 s"; }
  sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 0.3 + 1.2 * r / 32767 }')"
  kill -9 "$driver_pid"; wait "$driver_pid" 2>/dev/null; driver_pid=""

  acks_in "$work"/cycle-*.log >"$work/acked.txt"
  acked="$(wc -l <"$work/acked.txt")"
  present="$(present_cases "$work/acked.txt")" || fail "cycle $cycle: could not read the database after the kill"
  lost=$((acked - present))
  if [ "$provider" = Sqlite ]; then
    integrity="$(sqlite_integrity "$sqlite_file")"
    [ "$integrity" = ok ] || fail "cycle $cycle: integrity_check: $integrity"
  fi
  run_app verify-audit >"$work/verify-$cycle.log" 2>&1 || { cat "$work/verify-$cycle.log"; fail "cycle $cycle: verify-audit failed after the kill"; }
  echo "cycle $cycle: start ${took} s, $(acks_in "$out" | wc -l) saves acknowledged, $acked in all, $lost lost; $(grep -o 'Audit chain intact.*' "$work/verify-$cycle.log")"
  [ "$lost" -eq 0 ] || fail "cycle $cycle: $lost of $acked acknowledged saves are missing"
done

# One more start after the last kill: the restart that an operator would do.
start_driver "$port" "$work/final.log" --writers 1 --saves 0
took="$(wait_health "$port" "$driver_pid" 60)" || { tail -30 "$work/final.log"; fail "the app did not start after the last kill"; }
restarts+=("$took")
stop_driver

echo "$drill: PASS — $cycles cycles, $acked acknowledged saves, 0 lost, restart $(range_of "${restarts[@]}")"
