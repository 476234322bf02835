#!/usr/bin/env bash
# Runs the dashboard's browser tests (headless Debian Chromium driven by playwright-core) against a
# real TARSy in demo mode on a free loopback port with a throw-away embedded database; stops it after.
# Then the same in token mode (system.auth.mode: token, TARSY_API_TOKENS): tests/browser/auth.mjs.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
pids=()
dirs=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  for dir in "${dirs[@]}"; do rm -rf "$dir"; done
}
trap cleanup EXIT

free_port() {
  "$root/.venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_tarsy PORT DATA_DIR [ENV=VALUE...]: serve in demo mode on 127.0.0.1:PORT, wait for /health.
start_tarsy() {
  local port="$1" data="$2"
  shift 2
  env TARSY_PORT="$port" TARSY_HOST=127.0.0.1 TARSY_DATA_DIR="$data" TARSY_DEMO=1 \
    TARSY_DASHBOARD_DIR="$root/web/dashboard/dist" "$@" "$root/.venv/bin/tarsy" serve >"$data/tarsy.log" 2>&1 &
  pids+=("$!")
  local pid="$!"
  for _ in $(seq 1 360); do  # up to 3 min: a first embedded PostgreSQL start on a busy machine is slow
    curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    kill -0 "$pid" 2>/dev/null || { echo "TARSy did not start:"; tail -50 "$data/tarsy.log"; exit 1; }
    sleep 0.5
  done
  echo "TARSy did not answer /health:"; tail -50 "$data/tarsy.log"; exit 1
}

port="$(free_port)"
data="$(mktemp -d /tmp/tarsy-browser-XXXXXX)"
dirs+=("$data")
start_tarsy "$port" "$data"
TARSY_URL="http://127.0.0.1:$port" node "$root/tests/browser/run.mjs" || { tail -40 "$data/tarsy.log"; exit 1; }
TARSY_URL="http://127.0.0.1:$port" node "$root/tests/browser/forks.mjs" || { tail -40 "$data/tarsy.log"; exit 1; }

# Token mode: a config dir that only switches authentication on; tokens are generated per run.
auth_port="$(free_port)"
auth_data="$(mktemp -d /tmp/tarsy-browser-auth-XXXXXX)"
dirs+=("$auth_data")
mkdir -p "$auth_data/config"
printf 'system:\n  auth:\n    mode: token\n' >"$auth_data/config/tarsy.yaml"
operator_token="op-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
viewer_token="view-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
start_tarsy "$auth_port" "$auth_data" TARSY_CONFIG_DIR="$auth_data/config" \
  TARSY_API_TOKENS="browser-operator:operator:$operator_token,browser-viewer:viewer:$viewer_token"
TARSY_URL="http://127.0.0.1:$auth_port" TARSY_TOKEN="$operator_token" TARSY_TOKEN_NAME="browser-operator" \
  node "$root/tests/browser/auth.mjs" || { tail -40 "$auth_data/tarsy.log"; exit 1; }

# Approvals: a chain whose action agent must be approved from the dashboard (tests/browser/approvals.mjs).
# A scripted model plays the agents; the fixture MCP server records every action it runs.
appr_port="$(free_port)"
appr_data="$(mktemp -d /tmp/tarsy-browser-approvals-XXXXXX)"
dirs+=("$appr_data")
"$root/.venv/bin/python" "$root/tests/browser/approvals_config.py" "$appr_data/config" "$appr_data/ran.jsonl"
start_tarsy "$appr_port" "$appr_data" TARSY_DEMO=0 TARSY_CONFIG_DIR="$appr_data/config"
TARSY_URL="http://127.0.0.1:$appr_port" ACTION_LOG="$appr_data/ran.jsonl" \
  node "$root/tests/browser/approvals.mjs" || { tail -40 "$appr_data/tarsy.log"; exit 1; }
