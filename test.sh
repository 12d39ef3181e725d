#!/usr/bin/env bash
# Runs every RjConferences test: installs what the tests need (Chromium, DejaVu Sans, PostgreSQL, HAProxy, an SMTP server, faketime for --at),
# builds, runs the suite on SQLite and then the data, feature, security and component tests again on a throwaway
# PostgreSQL server it starts and removes itself, and ends with one line "N passed, N failed, N skipped" over both.
# Exits non-zero when anything fails.
#
#   ./test.sh                              the suite, on the machine's clock
#   ./test.sh --at 2028-02-29T23:30:00Z    the suite with the test host's clock set to that moment (libfaketime);
#                                          the clock then runs on from it. Any ISO 8601 time with Z or an offset.
#   ./test.sh --sqlite-only                without the second pass on PostgreSQL (the server is still started: the
#                                          two-instance and restore-drill tests of the first pass use it)
set -uo pipefail
cd "$(dirname "$0")"

at=""
postgres_pass="${RJ_TEST_POSTGRES_PASS:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --postgres) postgres_pass=1; shift ;;
    --sqlite-only) postgres_pass=0; shift ;;
    --at) at="${2:-}"; shift 2 || { echo "--at needs a time, e.g. --at 2028-02-29T23:30:00Z" >&2; exit 2; } ;;
    --at=*) at="${1#--at=}"; shift ;;
    *) echo "Unknown option '$1'. Usage: ./test.sh [--sqlite-only] [--at 2028-02-29T23:30:00Z]" >&2; exit 2 ;;
  esac
done
if [ -n "$at" ]; then
  # GNU date reads ISO 8601 with Z or an offset; libfaketime wants "@YYYY-MM-DD hh:mm:ss" in the TZ it is given (UTC).
  if ! faketime_start=$(TZ=UTC date -u -d "$at" '+%Y-%m-%d %H:%M:%S' 2>/dev/null) || [ -z "$at" ]; then
    echo "--at '$at' is not a time. Give an ISO 8601 time, e.g. --at 2028-02-29T23:30:00Z" >&2; exit 2
  fi
fi

configuration="${CONFIGURATION:-Release}"
out="test-output"
rm -rf "$out"
mkdir -p "$out"

summary() { echo "$1 passed, $2 failed, $3 skipped"; }

# Installs Debian package $1 (needed for $2) with apt-get when the script runs as root where apt-get is; otherwise, or
# when that fails, says so with $3 (what to do instead) and stops, counting one failure.
apt_install() {
  local package="$1" purpose="$2" otherwise="$3"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing $package for $purpose (apt-get install $package)..."
    if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$package"; } >"$out/apt-$package.log" 2>&1; then
      return 0
    fi
    cat "$out/apt-$package.log" >&2
    echo "Could not install $package. $otherwise" >&2
  else
    echo "The $package package is missing (needed for $purpose). $otherwise" >&2
  fi
  summary 0 1 0; exit 1
}

# 1. Chromium for the browser tests: RJ_CHROMIUM, else Debian's /usr/bin/chromium (installed when missing).
if [ -n "${RJ_CHROMIUM:-}" ]; then
  if [ ! -x "$RJ_CHROMIUM" ]; then
    echo "RJ_CHROMIUM is set to '$RJ_CHROMIUM', which is not an executable file." >&2
    summary 0 1 0; exit 1
  fi
elif [ ! -x /usr/bin/chromium ]; then
  apt_install chromium "the browser tests" "On Debian or Ubuntu run 'sudo apt-get install chromium'; elsewhere set RJ_CHROMIUM to a Chromium executable."
fi

# 1b. A font for the agreement documents (PDF): DejaVu Sans, installed when missing (like Chromium).
dejavu_found() {
  # No pipe: with pipefail, find's complaint about a missing folder would count as "not found".
  [ -n "$(find /usr/share/fonts /usr/local/share/fonts "$HOME/.fonts" "$HOME/.local/share/fonts" -name 'DejaVuSans.ttf' -print -quit 2>/dev/null)" ]
}
if ! dejavu_found; then
  apt_install fonts-dejavu-core "the agreement PDFs (DejaVu Sans)" "On Debian or Ubuntu run 'sudo apt-get install fonts-dejavu-core'."
fi

# 1c. libfaketime for --at (Debian's faketime package), installed when missing.
faketime_lib=""
if [ -n "$at" ]; then
  find_faketime() { faketime_lib=$(find /usr/lib /usr/local/lib -name 'libfaketime.so.1' -print -quit 2>/dev/null); }
  find_faketime
  if [ -z "$faketime_lib" ]; then
    apt_install faketime "--at (libfaketime)" "On Debian or Ubuntu run 'sudo apt-get install faketime'."
    find_faketime
    if [ -z "$faketime_lib" ]; then
      echo "--at needs libfaketime, and faketime's package did not provide libfaketime.so.1." >&2
      summary 0 1 0; exit 1
    fi
  fi
fi

# 1c'. HAProxy for the two-instance browser tests (Debian's haproxy package), installed when missing. The tests start
# it themselves (RJ_HAPROXY, else haproxy on the PATH or in /usr/sbin); no service is enabled.
if [ -z "${RJ_HAPROXY:-}" ] && ! command -v haproxy >/dev/null 2>&1 && [ ! -x /usr/sbin/haproxy ]; then
  apt_install haproxy "the two-instance browser tests" "On Debian or Ubuntu run 'sudo apt-get install haproxy', or set RJ_HAPROXY to a haproxy executable."
fi
[ -z "${RJ_HAPROXY:-}" ] && export RJ_HAPROXY="$(command -v haproxy || echo /usr/sbin/haproxy)"

# 1c''. A real SMTP server for the outbox's Smtp channel (Debian's python3-aiosmtpd, installed when missing): the tests start
# it themselves on a loopback port with Debian's own Python (RJ_TEST_SMTP_PYTHON), and stop it.
export RJ_TEST_SMTP_PYTHON="${RJ_TEST_SMTP_PYTHON:-/usr/bin/python3}"
if ! "$RJ_TEST_SMTP_PYTHON" -c "import aiosmtpd" >/dev/null 2>&1; then
  apt_install python3-aiosmtpd "the outbox's SMTP tests" "On Debian or Ubuntu run 'sudo apt-get install python3-aiosmtpd', or set RJ_TEST_SMTP_PYTHON to a Python with aiosmtpd."
fi

# 1d. PostgreSQL for the second pass (Debian's postgresql package, installed when missing). The server is started
# below, after the build, in a temporary folder, on a Unix socket only (no port to collide with), and removed at the end.
find_pg_bin() { pg_bin=$(dirname "$(find /usr/lib/postgresql -path '*/bin/initdb' -print 2>/dev/null | sort -V | tail -1)" 2>/dev/null); [ -x "$pg_bin/initdb" ]; }
pg_bin=""
if ! find_pg_bin; then
  apt_install postgresql "the tests on PostgreSQL" "On Debian or Ubuntu run 'sudo apt-get install postgresql'."
  if ! find_pg_bin; then
    echo "The postgresql package was installed, but no initdb was found under /usr/lib/postgresql." >&2
    summary 0 1 0; exit 1
  fi
fi

# 2. Build. With the compiler server (UseSharedCompilation, which some environments turn off) the ten projects share one
# compiler process instead of starting and warming up one each: 52 s instead of 73 s from a clean clone on 2 cores. The
# server is stopped after the build, so that it does not sit beside the tests.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
built=0
dotnet build RjConferences.sln -c "$configuration" -nologo -v quiet -p:UseSharedCompilation=true >"$out/build.log" 2>&1 && built=1
dotnet build-server shutdown >/dev/null 2>&1
if [ "$built" != 1 ]; then
  grep -E "error|Error" "$out/build.log" | sort -u >&2
  echo "The build failed (full log: $out/build.log)." >&2
  summary 0 1 0; exit 1
fi

# 3. Test. The tests' SQLite files go to memory (/dev/shm) when it has room: they are real database files
# all the same, but their fsyncs on a shared disk were most of the suite's time. RJ_TEST_TMPDIR overrides.
test_tmp="${RJ_TEST_TMPDIR:-}"
if [ -z "$test_tmp" ] && [ -d /dev/shm ] && [ -w /dev/shm ] \
   && [ "$(df -Pk /dev/shm 2>/dev/null | awk 'NR == 2 { print $4 }')" -gt 2097152 ] 2>/dev/null; then
  test_tmp=$(mktemp -d /dev/shm/rjconferences-tests.XXXXXX)
fi
# With --at, only the test host runs on the faked clock (faking it for `dotnet test` itself breaks its connection
# to the host): a run settings file gives the host LD_PRELOAD and FAKETIME. The monotonic clock stays real, so
# timeouts and stopwatches behave; FAKETIME_FORCE_MONOTONIC_FIX=0 stops libfaketime 0.9.10 from shifting the
# deadlines of .NET's monotonic condition waits (with it every timed wait, e.g. the test host's start-up wait,
# ended at once); FAKETIME_DONT_RESET=1 lets child processes (Chromium) carry on the host's clock.
settings=()
if [ -n "$at" ]; then
  cat >"$out/faketime.runsettings" <<SETTINGS
<?xml version="1.0" encoding="utf-8"?>
<RunSettings>
  <RunConfiguration>
    <EnvironmentVariables>
      <LD_PRELOAD>$faketime_lib</LD_PRELOAD>
      <FAKETIME>@$faketime_start</FAKETIME>
      <FAKETIME_DONT_FAKE_MONOTONIC>1</FAKETIME_DONT_FAKE_MONOTONIC>
      <FAKETIME_DONT_RESET>1</FAKETIME_DONT_RESET>
      <FAKETIME_FORCE_MONOTONIC_FIX>0</FAKETIME_FORCE_MONOTONIC_FIX>
      <TZ>UTC</TZ>
    </EnvironmentVariables>
  </RunConfiguration>
</RunSettings>
SETTINGS
  settings=(--settings "$out/faketime.runsettings")
  echo "Running the tests with the test host's clock starting at $faketime_start UTC (libfaketime)."
fi
# 4. A throwaway PostgreSQL server: initdb into a temporary folder, started on a Unix socket in it, with the
# durability settings a throwaway server does not need turned off. As root, the server runs as the postgres user.
start_postgres() {
[ -n "$test_tmp" ] && chmod 755 "$test_tmp" # the server's user must reach its folder inside
pg_dir=$(mktemp -d "${test_tmp:-${TMPDIR:-/tmp}}/rjconferences-postgres.XXXXXX")
as_pg=()
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/false postgres
  chown postgres "$pg_dir"
  as_pg=(runuser -u postgres --)
fi
stop_pg() { "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1; rm -rf "$pg_dir"; }
trap 'stop_pg; [ -n "$test_tmp" ] && rm -rf "$test_tmp"' EXIT
if ! "${as_pg[@]}" "$pg_bin/initdb" -D "$pg_dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$out/postgres-initdb.log" 2>&1 \
   || ! "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w -t 60 start \
        -o "-c listen_addresses='' -k $pg_dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=400 -c shared_buffers=256MB" \
        >"$out/postgres-start.log" 2>&1; then
  cat "$out/postgres-initdb.log" "$out/postgres-start.log" "$pg_dir/server.log" >&2 2>/dev/null
  echo "Could not start a PostgreSQL server for the tests." >&2
  summary 0 1 0; exit 1
fi
export RJ_TEST_POSTGRES="Host=$pg_dir;Username=postgres"
export RJ_TEST_PG_BIN="$pg_bin" RJ_TEST_PG_DATA="$pg_dir/data"
}
# Always started: the second pass runs on it, and the two-instance and restore-drill tests need it (with --sqlite-only, in the first).
start_postgres

# 5. The suite on SQLite (every test but those marked Category=PostgresPass), then on PostgreSQL (all but the browser tests
# and the tests of SQLite's own files and backups, marked Category=SqliteOnly, and the PostgresPass tests).
run_pass() { # name, filter, provider
  local filter=()
  [ -n "$2" ] && filter=(--filter "$2")
  TMPDIR="${test_tmp:-${TMPDIR:-/tmp}}" RJ_TEST_PROVIDER="$3" \
  dotnet test RjConferences.Tests/RjConferences.Tests.csproj -c "$configuration" --no-build -nologo "${settings[@]}" "${filter[@]}" \
    --logger "trx;LogFileName=results-$1.trx" --results-directory "$out" \
    --logger "console;verbosity=minimal" >"$out/test-$1.log" 2>&1
}
# The tests that need PostgreSQL whatever the pass and run once (Category=PostgresPass: the restore drill, the two-instance
# browser tests) run in the PostgreSQL pass, which leaves the cores 10-20 % idle where the SQLite pass keeps them busy;
# with --sqlite-only they run in the SQLite pass.
sqlite_filter=""
[ "$postgres_pass" = 1 ] && sqlite_filter="Category!=PostgresPass"
run_pass sqlite "$sqlite_filter" Sqlite
status=$?
passes=(sqlite)
if [ "$postgres_pass" = 1 ]; then
  echo "SQLite pass done; now the tests on PostgreSQL."
  run_pass postgres "(FullyQualifiedName!~RjConferences.Tests.Browser&Category!=SqliteOnly)|Category=PostgresPass" Postgres
  status=$((status + $?))
  passes+=(postgres)
fi

passed=0; failed=0; skipped=0
for pass in "${passes[@]}"; do
  trx="$out/results-$pass.trx"
  if [ ! -f "$trx" ]; then
    cat "$out/test-$pass.log" >&2
    echo "The $pass test run produced no results." >&2
    failed=$((failed + 1)); continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  total=$(count total); p=$(count passed); f=$(count failed)
  f=$((f + $(count error) + $(count timeout) + $(count aborted)))
  echo "$pass: $p passed, $f failed, $((total - p - f)) skipped"
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + total - p - f))
  if [ "$f" -gt 0 ]; then
    echo "Failures ($pass):"
    grep -E "^\s+Failed |Error Message:|^\s{3}\S" "$out/test-$pass.log" | head -200
  fi
done
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
  failed=1
fi

summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
