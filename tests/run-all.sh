#!/usr/bin/env bash
# Every test: unit tests (no root), integration tests (root + BTF; see
# tests/integration/run.sh for when they skip) and, with --kernels, the kernel matrix
# under qemu (tests/kernels/run.sh). Ends with one "N passed, N failed" line for the
# whole run; exit status 1 if anything failed.
#   usage: tests/run-all.sh [--kernels]
set -uo pipefail
cd "$(dirname "$0")/.."
counts=$(mktemp)
trap 'rm -f "$counts"' EXIT
total_pass=0 total_fail=0

add_counts() { # PASSED FAILED
	total_pass=$((total_pass + ${1:-0}))
	total_fail=$((total_fail + ${2:-1}))
}

echo "== unit tests"
build/unit_tests > "$counts.unit" 2>&1
grep -v '^[0-9]* passed, [0-9]* failed$' "$counts.unit"
read -r p _ f _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$counts.unit" | tail -n1)
rm -f "$counts.unit"
add_counts "${p:-0}" "${f:-1}"

echo "== integration tests"
PROCSCOPE_COUNTS=$counts bash tests/integration/run.sh
read -r p f < "$counts" || { p=0; f=1; }
add_counts "$p" "$f"

if [ "${1:-}" = --kernels ]; then
	echo "== kernel matrix (qemu)"
	: > "$counts"
	PROCSCOPE_COUNTS=$counts bash tests/kernels/run.sh
	read -r p f < "$counts" || { p=0; f=1; }
	add_counts "$p" "$f"
fi

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
