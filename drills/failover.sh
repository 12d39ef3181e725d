#!/usr/bin/env bash
# Failover drill (PostgreSQL): two app instances on one database, both saving, one killed with kill -9. It
#   1. starts two instances of the app (the save driver, as in kill9.sh: the built app serving on its own loopback port,
#      with --writers writers in it saving new referrals through the app's services) on one new database;
#   2. once both have saves acknowledged, kills instance A with kill -9;
#   3. checks that instance B goes on saving (--after more acknowledged saves within 30 s), then stops B;
#   4. checks that every save either instance acknowledged is in the database, and verify-audit (one audit chain, written
#      by both under PostgreSQL's advisory lock; A died holding it, or not).
# Prints one line, e.g. "failover: PASS — 2 instances, A killed after 180 saves, B saved 250 more, 600 acknowledged, 0 lost,
# audit chain intact (601 events)", and exits 0 only on PASS. No load balancer: the writers are inside the instances, so
# each instance is sent its own writes (behind HAProxy the users of the dead one would sign in again on the other; the
# browser test TwoInstanceTests covers that). Bounded; loopback only; the database is its own and is dropped after.
#
# Usage:
#   drills/failover.sh --postgres "Host=…;Port=…;Username=…" [--writers 3] [--after 50] [--app path/to/RjConferences.dll] [--keep]
set -uo pipefail
drill=failover
# shellcheck source=drill-common.sh
source "$(dirname "$0")/drill-common.sh"

writers=3; after=50; postgres="${RJ_DRILL_SERVER:-}"; app="${RJ_DRILL_APP:-}"; keep=0
parse_options "postgres= writers= after= app= pg-bin= keep" "$@"
[ -n "$postgres" ] || { echo "The failover drill runs on PostgreSQL: give --postgres \"Host=…;Port=…;Username=…\" (a server; the drill makes its own database)." >&2; exit 2; }
[[ "$writers" =~ ^[1-9][0-9]*$ && "$after" =~ ^[1-9][0-9]*$ ]] || { echo "--writers and --after take a whole number from 1." >&2; exit 2; }
find_builds

work="$(mktemp -d "${TMPDIR:-/tmp}/rj-failover.XXXXXX")"
pid_a=""; pid_b=""; driver_pid=""
cleanup() {
  for pid in $pid_a $pid_b; do kill -9 "$pid" 2>/dev/null; done
  if [ "$keep" = 1 ]; then echo "Kept: $work, database $pg_database"; return; fi
  [ -n "${pg_database:-}" ] && psql_admin -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

provider=Postgres
use_postgres_server "$postgres"
pg_database="rj_drill_failover_$(date +%s)_$$"
psql_admin -c "CREATE DATABASE $pg_database TEMPLATE template0 ENCODING 'UTF8'" >/dev/null || fail "could not create database $pg_database"
connection="$(pg_connection "$pg_database")"
echo "Failover drill: 2 instances × $writers writers on PostgreSQL $PGHOST:$PGPORT/$pg_database, with $app"
run_app migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; fail "migrate failed"; }
create_drill_user

port_a="$(free_port)"; start_driver "$port_a" "$work/a.log" --writers "$writers"; pid_a=$driver_pid
port_b="$(free_port)"; start_driver "$port_b" "$work/b.log" --writers "$writers"; pid_b=$driver_pid
wait_health "$port_a" "$pid_a" 60 >/dev/null || { tail -30 "$work/a.log"; fail "instance A did not answer /health within 60 s"; }
wait_health "$port_b" "$pid_b" 60 >/dev/null || { tail -30 "$work/b.log"; fail "instance B did not answer /health within 60 s"; }
wait_acks "$work/a.log" 10 30 "$pid_a" || { tail -30 "$work/a.log"; fail "instance A acknowledged no saves within 30 s"; }
wait_acks "$work/b.log" 10 30 "$pid_b" || { tail -30 "$work/b.log"; fail "instance B acknowledged no saves within 30 s"; }

kill -9 "$pid_a"; wait "$pid_a" 2>/dev/null; pid_a=""
a_saves="$(acks_in "$work/a.log" | wc -l)"
b_at_kill="$(acks_in "$work/b.log" | wc -l)"
wait_acks "$work/b.log" "$((b_at_kill + after))" 30 "$pid_b" || { tail -30 "$work/b.log"; fail "instance B did not go on saving after A was killed ($(( $(acks_in "$work/b.log" | wc -l) - b_at_kill )) saves in 30 s)"; }
curl -sf -o /dev/null --max-time 5 "http://127.0.0.1:$port_b/health" || fail "instance B's /health failed after A was killed"
driver_pid=$pid_b; stop_driver; pid_b=""
b_after=$(( $(acks_in "$work/b.log" | wc -l) - b_at_kill ))

acks_in "$work/a.log" "$work/b.log" >"$work/acked.txt"
acked="$(wc -l <"$work/acked.txt")"
present="$(present_cases "$work/acked.txt")" || fail "could not read the database"
lost=$((acked - present))
[ "$lost" -eq 0 ] || fail "$lost of $acked acknowledged saves are missing"
run_app verify-audit >"$work/verify.log" 2>&1 || { cat "$work/verify.log"; fail "verify-audit failed"; }
events="$(grep -o 'Audit chain intact: [0-9]*' "$work/verify.log" | grep -o '[0-9]*$')"
echo "$drill: PASS — 2 instances, A killed after $a_saves saves, B saved $b_after more, $acked acknowledged, 0 lost, audit chain intact ($events events)"
