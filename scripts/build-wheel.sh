#!/usr/bin/env bash
# Build the TARSy wheel with the dashboard inside it: scripts/build-wheel.sh [OUT_DIR] (default: dist/).
# The built dashboard (web/dashboard/dist, or TARSY_DASHBOARD_DIST) is copied into tarsy/_dashboard
# of a staged copy of the package, so the source tree is never modified. PYTHON names the interpreter
# whose setuptools builds the wheel (no build isolation: nothing is downloaded).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/dist}")
python=${PYTHON:-python3}
dashboard=${TARSY_DASHBOARD_DIST:-$root/web/dashboard/dist}
if [[ ! -f $dashboard/index.html ]]; then
  echo "build-wheel: no dashboard build at $dashboard (run 'make dashboard' first)" >&2
  exit 1
fi
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
cp "$root/pyproject.toml" "$root/README.md" "$stage/"
cp -r "$root/tarsy" "$stage/tarsy"
find "$stage/tarsy" -name __pycache__ -prune -exec rm -rf {} +
rm -rf "$stage/tarsy/_dashboard"
cp -r "$dashboard" "$stage/tarsy/_dashboard"
mkdir -p "$out"
"$python" -m pip wheel --no-deps --no-build-isolation --disable-pip-version-check --quiet -w "$out" "$stage"
echo "built $(ls "$out"/tarsy-*.whl)"
