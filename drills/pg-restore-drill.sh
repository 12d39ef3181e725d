#!/usr/bin/env bash
# Restore drill for RjConferences on PostgreSQL: proves that a pg_dump backup of a live database restores into a
# working one. On the given server it
#   1. creates a database and migrates it with the app (`migrate`), then fills it with demonstration data (`seed-demo`);
#   2. backs it up with pg_dump in custom format (-Fc), as docs/deployment.md recommends;
#   3. restores the dump with pg_restore into a second, new database;
#   4. runs the app's `verify-audit` against the restored database (the audit hash chain must be intact) and `migrate`
#      (nothing left to apply);
#   5. compares the row count of every table of the two databases;
# prints PASS or FAIL (with what differed), drops both databases and the dump, and exits 0 only on PASS.
#
# Usage:
#   drills/pg-restore-drill.sh [--server "Host=…;Port=…;Username=…;Password=…"] [--app path/to/RjConferences.dll] [--pg-bin DIR] [--keep]
#
#   --server   the PostgreSQL server, as a connection string without a database (as ConnectionStrings:Default takes it);
#              default: $RJ_DRILL_SERVER, else libpq's own PGHOST, PGPORT, PGUSER, PGPASSWORD (default localhost:5432).
#              Host may be a Unix socket folder. The user needs CREATEDB.
#   --app      the built app; default: RjConferences/bin/{Release,Debug}/net10.0/RjConferences.dll of this repository
#              (build it with `dotnet build -c Release`), or $RJ_DRILL_APP.
#   --pg-bin   the folder of pg_dump, pg_restore and psql; default: on the PATH, else the newest /usr/lib/postgresql/*/bin.
#              pg_dump must be at least the server's version.
#   --keep     keep the two databases and the dump (their names are printed) instead of dropping them.
set -uo pipefail

drill=pg-restore
# shellcheck source=drill-common.sh
source "$(dirname "$0")/drill-common.sh"
server="${RJ_DRILL_SERVER:-}"
app="${RJ_DRILL_APP:-}"
pg_bin=""
keep=0
parse_options "server= app= pg-bin= keep" "$@"

fail() { echo "FAIL: $*"; exit 1; }

# The server: a connection string's Host, Port, Username and Password become libpq's variables, for psql and pg_dump
# (default: libpq's own), and the folder of the client programs (default: on the PATH, else the newest installed).
use_postgres_server "$server"
for tool in pg_dump pg_restore psql; do
  [ -x "$pg_bin/$tool" ] || fail "$tool not found (give --pg-bin, or install PostgreSQL's client programs: apt-get install postgresql-client)."
done

# The built app.
if [ -z "$app" ]; then
  for configuration in Release Debug; do
    candidate="$repo/RjConferences/bin/$configuration/net10.0/RjConferences.dll"
    [ -f "$candidate" ] && { app="$candidate"; break; }
  done
fi
[ -n "$app" ] && [ -f "$app" ] || fail "the built app was not found (build with 'dotnet build -c Release', or give --app path/to/RjConferences.dll)."

# psql on database $1 (drill-common.sh's psql_db uses $pg_database, the other drills' one database).
psql_db() { local db="$1"; shift; "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$db" "$@"; }
# Runs the app's command $2… against database $1, in its own folder, as production would; its connection pooled as the
# app's is (seed-demo opens a connection per step: without a pool each is a new server process, and seeding took over ten
# minutes instead of seconds).
run_app() {
  local db="$1"; shift
  (cd "$(dirname "$app")" && ConnectionStrings__Default="$(pg_connection "$db")" Database__Provider=Postgres \
    ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning dotnet "$app" "$@")
}

suffix="$(date +%s)_$$"
source_db="rj_drill_source_$suffix"
restored_db="rj_drill_restored_$suffix"
work="$(mktemp -d "${TMPDIR:-/tmp}/rj-restore-drill.XXXXXX")"
dump="$work/$source_db.dump"
cleanup() {
  if [ "$keep" = 1 ]; then
    echo "Kept: databases $source_db and $restored_db, dump $dump"
    return
  fi
  for db in "$source_db" "$restored_db"; do
    psql_admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  done
  rm -rf "$work"
}
trap cleanup EXIT

echo "Restore drill on PostgreSQL at $PGHOST:$PGPORT as $PGUSER, with $app"
server_version="$(psql_admin -A -t -c 'SHOW server_version' 2>&1)" || fail "cannot reach the server: $server_version"
echo "Server $server_version; client $("$pg_bin/pg_dump" --version)"

# 1. A database with data, as the app makes it.
psql_admin -c "CREATE DATABASE $source_db TEMPLATE template0 ENCODING 'UTF8'" || fail "could not create database $source_db"
run_app "$source_db" migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; fail "migrate failed on $source_db"; }
seed_start=$SECONDS
run_app "$source_db" seed-demo >"$work/seed.log" 2>&1 || { tail -40 "$work/seed.log"; fail "seed-demo failed on $source_db"; }
echo "Migrated and seeded $source_db ($((SECONDS - seed_start)) s)"
run_app "$source_db" verify-audit >"$work/verify-source.log" 2>&1 || { cat "$work/verify-source.log"; fail "verify-audit failed on the source database, before any backup"; }

# 2. The backup, custom format.
"$pg_bin/pg_dump" -Fc -d "$source_db" -f "$dump" || fail "pg_dump failed"
echo "Dumped to $(basename "$dump") ($(du -k "$dump" | cut -f1) KiB)"

# 3. The restore, into a new database: no owners or grants of the source server are needed.
psql_admin -c "CREATE DATABASE $restored_db TEMPLATE template0 ENCODING 'UTF8'" || fail "could not create database $restored_db"
"$pg_bin/pg_restore" --exit-on-error --no-owner --no-privileges -d "$restored_db" "$dump" || fail "pg_restore failed"
echo "Restored into $restored_db"

problems=()
# 4. The app on the restored database: the audit chain holds, and there is nothing to migrate.
if verify="$(run_app "$restored_db" verify-audit 2>&1)"; then
  echo "verify-audit on the restored database: $(echo "$verify" | grep -i 'audit chain' | tail -1)"
else
  echo "$verify"
  problems+=("verify-audit failed on the restored database")
fi
# (A migration it applied would show below as a difference in schema_migrations.)
if ! migrate="$(run_app "$restored_db" migrate 2>&1)"; then
  echo "$migrate"
  problems+=("migrate failed on the restored database")
fi

# 5. Every table, both databases: the same tables with the same number of rows.
tables_sql="SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
source_tables="$(psql_db "$source_db" -c "$tables_sql")" || fail "could not list the tables of $source_db"
restored_tables="$(psql_db "$restored_db" -c "$tables_sql")" || fail "could not list the tables of $restored_db"
[ "$source_tables" = "$restored_tables" ] || problems+=("the table lists differ: $(diff <(echo "$source_tables") <(echo "$restored_tables") | grep '^[<>]' | tr '\n' ' ')")
# One query per database counts every table (a psql per table and database took 9 s): "table|rows" lines.
counts_sql="$(for table in $source_tables; do echo "SELECT '$table', count(*) FROM \"$table\""; done | paste -sd '|' | sed 's/|/ UNION ALL /g') ORDER BY 1"
source_counts="$(psql_db "$source_db" -F '|' -c "$counts_sql")" || fail "could not count the rows of $source_db"
restored_counts="$(psql_db "$restored_db" -F '|' -c "$counts_sql" 2>/dev/null)" || restored_counts=""
rows_in() { echo "$1" | awk -F'|' -v t="$2" '$1 == t { print $2 }'; } # counts, table
printf '%-32s %10s %10s\n' "table" "source" "restored"
total=0
for table in $source_tables; do
  a="$(rows_in "$source_counts" "$table")"
  b="$(rows_in "$restored_counts" "$table")"
  [ -n "$b" ] || b="missing"
  mark=""
  if [ "$a" != "$b" ]; then mark="  <- differs"; problems+=("$table: $a rows in the source, $b restored"); fi
  printf '%-32s %10s %10s%s\n' "$table" "$a" "$b" "$mark"
  [[ "$a" =~ ^[0-9]+$ ]] && total=$((total + a))
done
for table in cases audit_events; do
  [ "$(rows_in "$source_counts" "$table")" -gt 0 ] 2>/dev/null \
    || problems+=("the source database has no rows in $table: seed-demo added nothing, so the drill proved little")
done

if [ "${#problems[@]}" -gt 0 ]; then
  printf 'problem: %s\n' "${problems[@]}"
  echo "FAIL: the restored database differs from the source (see above)."
  exit 1
fi
echo "PASS: $(echo "$source_tables" | wc -w) tables and $total rows restored; the audit chain verifies on the restored database."
