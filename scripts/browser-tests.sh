#!/usr/bin/env bash
# Runs the dashboard's browser tests (headless Debian Chromium driven by playwright-core) against a
# real TARSy in demo mode on a free loopback port with a throw-away embedded database; stops it after.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
port="$("$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
data="$(mktemp -d /tmp/tarsy-browser-XXXXXX)"
log="$data/tarsy.log"
TARSY_PORT="$port" TARSY_HOST=127.0.0.1 TARSY_DATA_DIR="$data" TARSY_DEMO=1 \
  TARSY_DASHBOARD_DIR="$root/web/dashboard/dist" "$root/.venv/bin/tarsy" serve >"$log" 2>&1 &
pid=$!
cleanup() { kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"; }
trap cleanup EXIT
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
  kill -0 "$pid" 2>/dev/null || { echo "TARSy did not start:"; tail -50 "$log"; exit 1; }
  sleep 0.5
done
TARSY_URL="http://127.0.0.1:$port" node "$root/tests/browser/run.mjs" || { tail -40 "$log"; exit 1; }
