#!/usr/bin/env bash
# Runs every RjConferences test: installs what the tests need (Chromium, DejaVu Sans, faketime for --at), builds,
# tests, and ends with one line "N passed, N failed, N skipped". Exits non-zero when anything fails.
#
#   ./test.sh                              the suite, on the machine's clock
#   ./test.sh --at 2028-02-29T23:30:00Z    the suite with the test host's clock set to that moment (libfaketime);
#                                          the clock then runs on from it. Any ISO 8601 time with Z or an offset.
set -uo pipefail
cd "$(dirname "$0")"

at=""
while [ $# -gt 0 ]; do
  case "$1" in
    --at) at="${2:-}"; shift 2 || { echo "--at needs a time, e.g. --at 2028-02-29T23:30:00Z" >&2; exit 2; } ;;
    --at=*) at="${1#--at=}"; shift ;;
    *) echo "Unknown option '$1'. Usage: ./test.sh [--at 2028-02-29T23:30:00Z]" >&2; exit 2 ;;
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

# 1. Chromium for the browser tests: RJ_CHROMIUM, else Debian's /usr/bin/chromium (installed when missing).
if [ -n "${RJ_CHROMIUM:-}" ]; then
  if [ ! -x "$RJ_CHROMIUM" ]; then
    echo "RJ_CHROMIUM is set to '$RJ_CHROMIUM', which is not an executable file." >&2
    summary 0 1 0; exit 1
  fi
elif [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium from the distribution's packages (apt-get install chromium)..."
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >"$out/apt.log" 2>&1; then
      cat "$out/apt.log" >&2
      echo "Could not install Chromium. Install it yourself, or set RJ_CHROMIUM to a Chromium executable." >&2
      summary 0 1 0; exit 1
    fi
  else
    echo "The browser tests need Chromium at /usr/bin/chromium. On Debian or Ubuntu run 'sudo apt-get install chromium';" >&2
    echo "elsewhere set RJ_CHROMIUM to the path of a Chromium executable." >&2
    summary 0 1 0; exit 1
  fi
fi

# 1b. A font for the agreement documents (PDF): DejaVu Sans, installed when missing (like Chromium).
dejavu_found() {
  # No pipe: with pipefail, find's complaint about a missing folder would count as "not found".
  [ -n "$(find /usr/share/fonts /usr/local/share/fonts "$HOME/.fonts" "$HOME/.local/share/fonts" -name 'DejaVuSans.ttf' -print -quit 2>/dev/null)" ]
}
if ! dejavu_found; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing the DejaVu Sans font for the agreement PDFs (apt-get install fonts-dejavu-core)..."
    if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core; } >"$out/apt-fonts.log" 2>&1; then
      cat "$out/apt-fonts.log" >&2
      echo "Could not install fonts-dejavu-core. Install the DejaVu Sans font yourself." >&2
      summary 0 1 0; exit 1
    fi
  else
    echo "The PDF tests need the DejaVu Sans font. On Debian or Ubuntu run 'sudo apt-get install fonts-dejavu-core'." >&2
    summary 0 1 0; exit 1
  fi
fi

# 1c. libfaketime for --at (Debian's faketime package), installed when missing.
faketime_lib=""
if [ -n "$at" ]; then
  find_faketime() { faketime_lib=$(find /usr/lib /usr/local/lib -name 'libfaketime.so.1' -print -quit 2>/dev/null); }
  find_faketime
  if [ -z "$faketime_lib" ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      echo "Installing libfaketime for --at (apt-get install faketime)..."
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq faketime; } >"$out/apt-faketime.log" 2>&1
      find_faketime
    fi
    if [ -z "$faketime_lib" ]; then
      echo "--at needs libfaketime. On Debian or Ubuntu run 'sudo apt-get install faketime'." >&2
      summary 0 1 0; exit 1
    fi
  fi
fi

# 2. Build.
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
if ! dotnet build RjConferences.sln -c "$configuration" -nologo -v quiet >"$out/build.log" 2>&1; then
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
  trap 'rm -rf "$test_tmp"' EXIT
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
TMPDIR="${test_tmp:-${TMPDIR:-/tmp}}" \
dotnet test RjConferences.Tests/RjConferences.Tests.csproj -c "$configuration" --no-build -nologo "${settings[@]}" \
  --logger "trx;LogFileName=results.trx" --results-directory "$out" \
  --logger "console;verbosity=minimal" >"$out/test.log" 2>&1
status=$?

trx="$out/results.trx"
if [ ! -f "$trx" ]; then
  cat "$out/test.log" >&2
  echo "The test run produced no results." >&2
  summary 0 1 0; exit 1
fi

counters=$(grep -o '<Counters [^>]*>' "$trx")
count() { echo "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
total=$(count total); passed=$(count passed); failed=$(count failed)
errors=$(count error); timeouts=$(count timeout); aborted=$(count aborted)
failed=$((failed + errors + timeouts + aborted))
skipped=$((total - passed - failed))

if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
  echo "Failures:"
  grep -E "^\s+Failed |Error Message:|^\s{3}\S" "$out/test.log" | head -200
  [ "$failed" -eq 0 ] && failed=1
fi

summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
