#!/usr/bin/env bash
# Disk-full drill for RjConferences on SQLite: proves that a full disk refuses writes cleanly and that the app recovers
# by itself once space is freed, with nothing half-written. It
#   1. mounts a small tmpfs (12 MB, as the issue's operator had), migrates a database on it and creates an account;
#   2. starts the real app on it, on a free loopback port (127.0.0.1 only), and signs nothing in;
#   3. fills the filesystem with a file, then checks over HTTP that /health answers 503 "cannot write" and that a
#      sign-in answers the sign-in page with 503, Retry-After and "You could not be signed in…", signed out;
#   4. deletes the file, then checks that /health is Healthy again and that the same sign-in works (a write);
#   5. stops the app and checks the file with SQLite's integrity_check and the app's verify-audit;
# prints one line, PASS or FAIL (with what went wrong), unmounts, and exits 0 only on PASS.
# Every step is bounded (curl --max-time, timeout); the whole drill takes about 15 s.
#
# Usage:
#   drills/disk-full.sh [--app path/to/RjConferences.dll] [--size-mb 12] [--keep]
#
#   --app      the built app; default: RjConferences/bin/{Release,Debug}/net10.0/RjConferences.dll of this repository
#              (build it with `dotnet build -c Release`), or $RJ_DRILL_APP.
#   --size-mb  the size of the tmpfs (default 12).
#   --keep     leave the tmpfs mounted with the database, and the folder of logs, to look at (both are printed).
#
# Needs root (to mount a tmpfs), curl, and sqlite3 or python3 (for integrity_check). Run it on a test machine, not
# on a production server: it needs nothing of production, and mounts and unmounts a filesystem of its own.
set -uo pipefail

drill=disk-full
# shellcheck source=drill-common.sh
source "$(dirname "$0")/drill-common.sh"
app="${RJ_DRILL_APP:-}"
size_mb=12
keep=0
parse_options "app= size-mb= keep" "$@"

mnt=""
work=""
app_pid=""
cleanup() {
  if [ -n "$app_pid" ] && kill -0 "$app_pid" 2>/dev/null; then
    kill "$app_pid" 2>/dev/null
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$app_pid" 2>/dev/null
  fi
  if [ -n "$mnt" ] && [ "$keep" -eq 0 ]; then
    umount "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
    rmdir "$mnt" 2>/dev/null
  fi
  [ -n "$work" ] && [ "$keep" -eq 0 ] && rm -rf "$work"
}
trap cleanup EXIT
fail() {
  [ -n "$work" ] && [ -f "$work/app.log" ] && { echo "--- the app's log (last 30 lines):"; tail -30 "$work/app.log"; }
  [ -n "$mnt" ] && [ "$keep" -eq 1 ] && echo "Kept: $mnt (the database) and $work (logs)"
  echo "FAIL: $*"
  exit 1
}

case "$size_mb" in ''|*[!0-9]*) echo "--size-mb must be a whole number" >&2; exit 2 ;; esac
if [ -z "$app" ]; then
  for configuration in Release Debug; do
    candidate="$repo/RjConferences/bin/$configuration/net10.0/RjConferences.dll"
    [ -f "$candidate" ] && { app="$candidate"; break; }
  done
fi
[ -n "$app" ] && [ -f "$app" ] || fail "the built app was not found (build with 'dotnet build -c Release', or give --app path/to/RjConferences.dll)."
app="$(cd "$(dirname "$app")" && pwd)/$(basename "$app")"
command -v curl >/dev/null || fail "curl is needed (apt-get install curl)."
[ "$(id -u)" -eq 0 ] || fail "the drill mounts a tmpfs: run it as root."

# integrity_check with whichever SQLite client there is.
integrity() {
  if command -v sqlite3 >/dev/null; then sqlite3 "$1" "PRAGMA integrity_check;"
  else python3 -c 'import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute("PRAGMA integrity_check").fetchone()[0])' "$1"; fi
}
checkpoint() {
  if command -v sqlite3 >/dev/null; then sqlite3 "$1" "PRAGMA busy_timeout=5000; PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
  else python3 -c 'import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=5); c.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchall()' "$1"; fi
}

# The drill's own files (logs, cookies, pages) stay off the tmpfs: a full disk would refuse them too.
work="$(mktemp -d "${TMPDIR:-/tmp}/rj-disk-full-drill-work.XXXXXX")"
mnt="$(mktemp -d "${TMPDIR:-/tmp}/rj-disk-full-drill.XXXXXX")"
mount -t tmpfs -o "size=${size_mb}m,mode=0700" tmpfs "$mnt" || { rmdir "$mnt"; mnt=""; fail "could not mount a tmpfs (a container without CAP_SYS_ADMIN?)."; }
db="$mnt/rjconferences.db"
email="drill@example.org"
password="disk full drill $RANDOM$RANDOM correct horse"

# The app's commands and the app itself, on the database on the tmpfs, in the app's own folder, as production would.
run_app() {
  (cd "$(dirname "$app")" && ConnectionStrings__Default="Data Source=$db" Database__Provider=Sqlite \
    ASPNETCORE_ENVIRONMENT=Production Logging__LogLevel__Default=Warning timeout 120 dotnet "$app" "$@")
}
run_app migrate >"$work/migrate.log" 2>&1 || { cat "$work/migrate.log"; fail "migrate failed"; }
printf '%s\n' "$password" | run_app create-user --email "$email" --role Administrator >"$work/create-user.log" 2>&1 \
  || { cat "$work/create-user.log"; fail "create-user failed"; }

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))"
base="http://127.0.0.1:$port"
(cd "$(dirname "$app")" && exec env ConnectionStrings__Default="Data Source=$db" Database__Provider=Sqlite \
  ASPNETCORE_ENVIRONMENT=Production ASPNETCORE_URLS="$base" \
  FollowUps__DailyJob__Enabled=false Notifications__Sender__Enabled=false \
  Health__WriteProbeSeconds=0 Health__MinimumFreeMegabytes=1 Health__MinimumFreePercent=0 \
  dotnet "$app") >"$work/app.log" 2>&1 &
app_pid=$!
started=0
for _ in $(seq 1 120); do
  kill -0 "$app_pid" 2>/dev/null || fail "the app stopped at start-up"
  [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$base/health")" = "200" ] && { started=1; break; }
  sleep 0.5
done
[ "$started" -eq 1 ] || fail "the app did not answer /health within 60 s"

# GET /health: "<status code> <body on one line>".
health() { local body; body="$(curl -s --max-time 10 -w '\n%{http_code}' "$base/health")"; echo "$(tail -1 <<<"$body") $(head -n -1 <<<"$body" | tr '\n' ' ')"; }
# Signs in with a fresh cookie jar; leaves the headers in $work/signin.headers and the page in $work/signin.html.
sign_in() {
  local jar="$work/cookies.txt" token
  rm -f "$jar"
  token="$(curl -s --max-time 10 -c "$jar" -b "$jar" "$base/account/login" | grep -o 'name="__RequestVerificationToken" value="[^"]*"' | head -1 | sed 's/.*value="//; s/"$//')"
  [ -n "$token" ] || return 1
  curl -s --max-time 10 -c "$jar" -b "$jar" -D "$work/signin.headers" -o "$work/signin.html" \
    --data-urlencode "_handler=login" --data-urlencode "__RequestVerificationToken=$token" \
    --data-urlencode "Input.Email=$email" --data-urlencode "Input.Password=$password" "$base/account/login"
}

[[ "$(health)" == "200 Healthy"* ]] || fail "/health was not Healthy before the disk filled: $(health)"
curl -s -o /dev/null --max-time 10 "$base/account/login" # the first form writes the app's data-protection key

# Fill the disk. The WAL is checkpointed first, as it is after a quiet spell, so the next write must grow a file.
checkpoint "$db" || fail "could not checkpoint the WAL"
dd if=/dev/zero of="$mnt/filler" bs=1M status=none 2>/dev/null
dd if=/dev/zero of="$mnt/filler" bs=4k oflag=append conv=notrunc status=none 2>/dev/null
free_kb="$(df -k --output=avail "$mnt" | tail -1 | tr -d ' ')"
[ "$free_kb" -le 4 ] || fail "the disk still has $free_kb KB free after filling it"
echo "Disk full: $free_kb KB free on the ${size_mb} MB tmpfs"

full_health="$(health)"
[[ "$full_health" == "503 Unhealthy"*"cannot write"*"disk is full"* ]] || fail "/health on a full disk: expected 503 Unhealthy, cannot write; got: $full_health"
sign_in || fail "the sign-in page gave no form on a full disk"
grep -qi '^HTTP/[0-9.]* 503' "$work/signin.headers" || fail "a sign-in on a full disk did not answer 503: $(head -1 "$work/signin.headers")"
grep -qi '^Retry-After:' "$work/signin.headers" || fail "the 503 of a sign-in on a full disk has no Retry-After"
grep -q 'You could not be signed in because the server cannot record it right now' "$work/signin.html" || fail "the sign-in page did not say why on a full disk"
grep -q 'Signed in as' "$work/signin.html" && fail "the refused sign-in's page shows a signed-in header"
grep -qi '^Set-Cookie: rj.auth' "$work/signin.headers" && fail "the refused sign-in set the sign-in cookie"
echo "Full disk refused cleanly: /health $full_health; sign-in 503 with Retry-After, signed out"

rm -f "$mnt/filler"
freed_health="$(health)"
[[ "$freed_health" == "200 Healthy"* ]] || fail "/health after freeing space: expected 200 Healthy, got: $freed_health"
sign_in || fail "the sign-in page gave no form after freeing space"
grep -qi '^HTTP/[0-9.]* 302' "$work/signin.headers" || fail "sign-in after freeing space did not succeed: $(head -1 "$work/signin.headers")"
grep -qi '^Set-Cookie: rj.auth' "$work/signin.headers" || fail "sign-in after freeing space set no sign-in cookie"
echo "Space freed: /health $freed_health; sign-in works (302 with its cookie)"

kill "$app_pid"; wait "$app_pid" 2>/dev/null; app_pid=""
check="$(integrity "$db")"
[ "$check" = "ok" ] || fail "integrity_check: $check"
verify="$(run_app verify-audit 2>&1)" || fail "verify-audit: $verify"
echo "integrity_check: ok; verify-audit: $(tail -1 <<<"$verify")"
[ "$keep" -eq 1 ] && echo "Kept: $mnt (the database) and $work (logs)"
echo "PASS: on a full ${size_mb} MB disk /health said cannot write and sign-in answered 503 signed out; after freeing space both worked, integrity_check and verify-audit ok"
