# Shared by the drills (sourced, not run): their command line, finding the built app and the save driver, PostgreSQL
# through libpq's variables, running the app's commands, starting and killing the driver, checks.
# shellcheck shell=bash

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

fail() { echo "$drill: FAIL — $*"; exit 1; }

# parse_options "<spec>" "$@": the drill's command line. <spec> names its options, space separated, e.g.
# "cycles= writers= app= keep": a trailing '=' takes a value (--cycles 3 or --cycles=3), no '=' is a flag (set to 1). Each
# sets the variable of its name, dashes as underscores (--pg-bin → $pg_bin); -h/--help prints the script's header comment;
# anything else ends the script with exit code 2.
parse_options() {
  local spec=" $1 " option name value
  shift
  while [ $# -gt 0 ]; do
    option="${1%%=*}"
    name="${option#--}"
    if [ "$1" = -h ] || [ "$1" = --help ]; then
      sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'
      exit 0
    elif [[ "$option" == --?* && "$spec" == *" $name= "* ]]; then
      if [[ "$1" == *=* ]]; then value="${1#*=}"; shift
      elif [ $# -ge 2 ]; then value="$2"; shift 2
      else echo "$option needs a value (see --help)." >&2; exit 2
      fi
    elif [[ "$1" == --?* && "$1" != *=* && "$spec" == *" $name "* ]]; then value=1; shift
    else echo "Unknown option '$1' (see --help)." >&2; exit 2
    fi
    printf -v "${name//-/_}" '%s' "$value"
  done
}

# The built app and the save driver, Release before Debug (dotnet build -c Release builds both: the driver is in the solution).
find_builds() {
  if [ -z "${app:-}" ]; then
    for configuration in Release Debug; do
      candidate="$repo/RjConferences/bin/$configuration/net10.0/RjConferences.dll"
      [ -f "$candidate" ] && { app="$candidate"; break; }
    done
  fi
  [ -n "${app:-}" ] && [ -f "$app" ] || fail "the built app was not found (build with 'dotnet build -c Release', or give --app path/to/RjConferences.dll)."
  app="$(cd "$(dirname "$app")" && pwd)/$(basename "$app")"
  configuration="$(basename "$(dirname "$(dirname "$app")")")"
  driver="${driver:-$repo/drills/RjConferences.SaveDriver/bin/$configuration/net10.0/RjConferences.SaveDriver.dll}"
  [ -f "$driver" ] || fail "the save driver was not found at $driver (build with 'dotnet build -c $configuration')."
}

# A PostgreSQL server's connection string (without a database) into libpq's variables, and psql.
use_postgres_server() {
  local server="$1" part key value
  IFS=';' read -ra parts <<<"$server"
  for part in "${parts[@]}"; do
    key="$(echo "${part%%=*}" | tr -d ' ' | tr '[:upper:]' '[:lower:]')"
    value="${part#*=}"
    case "$key" in
      host|server) export PGHOST="$value" ;;
      port) export PGPORT="$value" ;;
      username|user|userid|"user id") export PGUSER="$value" ;;
      password) export PGPASSWORD="$value" ;;
    esac
  done
  export PGHOST="${PGHOST:-localhost}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-${USER:-postgres}}"
  if [ -z "${pg_bin:-}" ]; then
    if command -v psql >/dev/null 2>&1; then pg_bin="$(dirname "$(command -v psql)")"
    else pg_bin="$(find /usr/lib/postgresql -path '*/bin/psql' -print 2>/dev/null | sort -V | tail -1 | xargs -r dirname)"; fi
  fi
  [ -x "$pg_bin/psql" ] || fail "psql not found (give --pg-bin, or apt-get install postgresql-client)."
}
psql_admin() { "$pg_bin/psql" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
psql_db() { "$pg_bin/psql" -X -q -A -t -v ON_ERROR_STOP=1 -d "$pg_database" "$@"; }
pg_connection() {
  local s="Host=$PGHOST;Port=$PGPORT;Username=$PGUSER;Database=$1"
  [ -n "${PGPASSWORD:-}" ] && s="$s;Password=$PGPASSWORD"
  echo "$s"
}

# The database the app and driver use: $connection and $provider (Sqlite or Postgres).
app_env() {
  env ConnectionStrings__Default="$connection" Database__Provider="$provider" ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning FollowUps__DailyJob__Enabled=false Backups__Enabled=false \
    Notifications__Sender__Enabled=false "$@"
}
run_app() { (cd "$(dirname "$app")" && app_env dotnet "$app" "$@"); }

# The drill's account, as an operator makes one (create-user; the password is generated and not needed).
create_drill_user() {
  run_app create-user --email kill9-drill@example.invalid --role Referrer --borough Newham </dev/null >"$work/create-user.log" 2>&1 \
    || { cat "$work/create-user.log"; fail "create-user failed"; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_driver <port> <output file> [driver options…]: the app with its writers, in the background; sets $driver_pid.
start_driver() {
  local port="$1" out="$2"; shift 2
  (cd "$(dirname "$driver")" && exec env ConnectionStrings__Default="$connection" Database__Provider="$provider" ASPNETCORE_ENVIRONMENT=Production \
    Logging__LogLevel__Default=Warning FollowUps__DailyJob__Enabled=false Backups__Enabled=false Notifications__Sender__Enabled=false \
    dotnet "$driver" "$@" --urls "http://127.0.0.1:$port") >"$out" 2>&1 &
  driver_pid=$!
}

# wait_health <port> <pid> <seconds>: until /health answers 200; prints the seconds it took (with milliseconds).
wait_health() {
  local port="$1" pid="$2" limit="$3" start now
  start="$(date +%s%N)"
  while true; do
    if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$port/health")" = 200 ]; then
      now="$(date +%s%N)"; awk -v ns="$((now - start))" 'BEGIN { printf "%.1f", ns / 1e9 }'; return 0
    fi
    kill -0 "$pid" 2>/dev/null || return 1
    [ $(( ($(date +%s%N) - start) / 1000000000 )) -ge "$limit" ] && return 1
    sleep 0.05
  done
}

# wait_acks <file> <count> <seconds> <pid>: until the file holds at least <count> acknowledgements.
wait_acks() {
  local file="$1" count="$2" limit="$3" pid="$4" start=$SECONDS
  while [ "$(acks_in "$file" | wc -l)" -lt "$count" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ $((SECONDS - start)) -ge "$limit" ] && return 1
    sleep 0.05
  done
}

# The acknowledged case ids in driver output files: whole lines only (a line cut by the kill is no acknowledgement).
acks_in() { cat "$@" 2>/dev/null | grep -aoE '^ACK [0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' | cut -d' ' -f2; }

# How many of the ids in file $1 are cases in the database.
present_cases() {
  local ids="$1"
  if [ "$provider" = Postgres ]; then
    local list; list="$(sed "s/.*/'&'/" "$ids" | paste -sd, -)"
    [ -z "$list" ] && { echo 0; return; }
    psql_db -c "SELECT count(*) FROM cases WHERE id IN ($list)"
  else
    python3 - "$sqlite_file" "$ids" <<'PY'
import sqlite3, sys
ids = [l.strip() for l in open(sys.argv[2]) if l.strip()]
c = sqlite3.connect(sys.argv[1])
c.execute("CREATE TEMP TABLE acked (id TEXT PRIMARY KEY)")
c.executemany("INSERT OR IGNORE INTO acked VALUES (?)", [(i,) for i in ids])
print(c.execute("SELECT count(*) FROM acked WHERE id IN (SELECT lower(id) FROM cases)").fetchone()[0])
PY
  fi
}

# SQLite's integrity check of file $1: "ok" or what is wrong.
sqlite_integrity() { python3 -c 'import sqlite3,sys; print("; ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchall()[:3]))' "$1"; }

# Min and max of the numbers in $@, as "0.8–2.1 s".
range_of() { printf '%s\n' "$@" | sort -g | sed -n '1p;$p' | paste -sd' ' | awk '{ printf "%s–%s s", $1, ($2 == "" ? $1 : $2) }'; }

# Stops the driver politely (SIGTERM: it stops saving and shuts down), or with kill -9 after 15 s.
stop_driver() {
  [ -n "$driver_pid" ] || return 0
  kill "$driver_pid" 2>/dev/null
  for _ in $(seq 1 150); do kill -0 "$driver_pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$driver_pid" 2>/dev/null
  wait "$driver_pid" 2>/dev/null
  driver_pid=""
}
