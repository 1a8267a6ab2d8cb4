#!/usr/bin/env bash
# Every test: unit tests (no root), then integration tests (root + BTF; see
# tests/integration/run.sh for when they skip). Ends with one "N passed, N failed"
# line for the whole run; exit status 1 if anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
total_pass=0 total_fail=0

echo "== unit tests"
build/unit_tests > "$counts.unit" 2>&1
grep -v '^[0-9]* passed, [0-9]* failed$' "$counts.unit"
read -r p _ f _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$counts.unit" | tail -n1)
rm -f "$counts.unit"
total_pass=$((total_pass + ${p:-0}))
total_fail=$((total_fail + ${f:-1}))

echo "== integration tests"
PROCSCOPE_COUNTS=$counts bash tests/integration/run.sh
read -r p f < "$counts" || { p=0; f=1; }
total_pass=$((total_pass + p))
total_fail=$((total_fail + f))

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
