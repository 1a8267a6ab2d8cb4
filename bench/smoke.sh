#!/usr/bin/env bash
# The bench smoke (part of make check): every bench script whose peers are tracers, run
# once and small, so that a peer that no longer attaches -- a renamed tracepoint, a tool
# missing -- fails here rather than reading as free in a table (lib.sh: peer_measured).
# Not a measurement: its numbers are not kept. Ends with "N passed, N failed".
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/counts.sh
source "$ROOT/tests/counts.sh"

pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; shift; printf '    %s\n' "$@"; }

[ "$(id -u)" -eq 0 ] || cannot_run "bench smoke" "not root"
for tool in bpftrace syscount offcputime; do
	command -v "$tool" > /dev/null || cannot_run "bench smoke" "$tool missing (tools/install-deps.sh test)"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# smoke NAME ROWS ENV... -- SCRIPT: SCRIPT exits 0, and its table has a row with a number
# for each mode in ROWS (space-separated)
smoke() {
	local name=$1 rows=$2 env=() t0=$SECONDS row missing=
	shift 2
	while [ "$1" != "--" ]; do env+=("$1"); shift; done
	shift
	# once more if it fails: a peer that does not attach fails twice (a rename, a missing
	# tool); bpftrace once printed nothing at SIGINT in ~100 runs, not reproduced
	if ! env BENCH_OUT="$tmp" BENCH_HISTORY= "${env[@]}" bash "$1" > "$tmp/$name.md" 2> "$tmp/$name.err" &&
		! env BENCH_OUT="$tmp" BENCH_HISTORY= "${env[@]}" bash "$1" > "$tmp/$name.md" 2> "$tmp/$name.err"; then
		fail "$name ($((SECONDS - t0))s)" "$(grep -v '^  rep ' "$tmp/$name.err" | tail -n 8)"
		return
	fi
	for row in $rows; do
		grep -qE "^\| $row \| -?[0-9.]+ \|" "$tmp/$name.md" || missing="$missing $row"
	done
	if [ -n "$missing" ]; then
		fail "$name: no figures for:$missing" "$(cat "$tmp/$name.md")"
	else
		pass "$name: every peer attached and measured ($((SECONDS - t0))s)"
	fi
}

smoke syscall_overhead "none floor floor_clock procscope procscope_all syscount bpftrace" \
	REPS=1 CALLS=200000 -- "$ROOT/bench/syscall_overhead.sh"
smoke stacks_overhead "none procscope bpftrace offcputime" \
	REPS=1 SECS=1 SYMBOLIZE_RUNS=0 -- "$ROOT/bench/stacks_overhead.sh"
smoke startup "procscope procscope_fp bpftrace syscount" REPS=1 -- "$ROOT/bench/startup.sh"
summary
exit $((failed > 0))
