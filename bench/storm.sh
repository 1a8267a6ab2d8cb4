#!/usr/bin/env bash
# Storm: procscope as a host monitor (-a) under a fork/exec storm (stress-ng --fork 2
# --exec 2, as an unprivileged user: its exec stressor refuses root) in the four cases
# of issue 21 -- at the default priority and at nice 19, with -i 1 and -i 10 --
# STORM_SECONDS each (default 60), after the same storm alone for as long. Must hold:
# no slot or row beyond the tables, no event lost, every process counted, peak RSS under
# 64 MiB. Reported too: the agent's CPU, per second and per process born.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
STORM_SECONDS=${STORM_SECONDS:-60}
tmp=$(mktemp -d)
chmod 1777 "$tmp"
ps=
cleanup() {
	[ -n "$ps" ] && kill "$ps" 2> /dev/null || true
	pkill -u 65534 -x stress-ng 2> /dev/null || true
	wait 2> /dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

storm() { fork_storm "$1" "$2" "$tmp"; }
ops() { storm_ops "$@"; }

echo "bench: storm reference, ${STORM_SECONDS}s without procscope" >&2
storm "$STORM_SECONDS" "$tmp/ref.yaml"
ref=$(($(ops "$tmp/ref.yaml" fork) + $(ops "$tmp/ref.yaml" exec)))
rows=()
for c in "0 1" "0 10" "19 1" "19 10"; do
	read -r niceness every <<< "$c"
	echo "bench: storm, ${STORM_SECONDS}s under nice $niceness procscope -a -i $every" >&2
	nice -n "$niceness" "$PROCSCOPE" -v -a -i "$every" -d "$((STORM_SECONDS + 3))s" -o "$tmp/out.txt" \
		--save-baseline "$tmp/final.json" 2> "$tmp/err.txt" &
	ps=$!
	wait_for "$tmp/err.txt" attached
	storm "$STORM_SECONDS" "$tmp/storm.yaml"
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ps/status")
	wait "$ps" || true
	ps=
	born=$(($(ops "$tmp/storm.yaml" fork) + $(ops "$tmp/storm.yaml" exec)))
	rows+=("$(jq -r --arg nice "$niceness" --arg i "$every" --argjson born "$born" --argjson ref "$ref" \
		--argjson hwm "$hwm" --argjson s "$STORM_SECONDS" '
		.self as $x |
		"| \($nice) | \($i) | \($born) (\($born * 100 / $ref | round)%) | \($x.kernel_folded) | " +
		"\($x.procs_overflow), \($x.rows_overflow) | \($x.ringbuf_drops) | " +
		"\($hwm / 1024 * 10 | round / 10) MiB | \($x.cpu_ns / 1e6 / $s | round) ms/s, " +
		"\($x.cpu_ns / 1e3 / $born | round) us |"' "$tmp/final.json")")
done

heading "Storm: \`-a -i 1\` and \`-i 10\` for ${STORM_SECONDS}s under \`stress-ng --fork 2 --exec 2\`, at nice 0 and 19"
echo
echo "The storm alone started $ref processes in ${STORM_SECONDS}s; the agent's CPU is its user and system time."
echo
echo "| nice | -i | processes born (of the storm alone) | folded by the kernel | beyond the tables: slots, rows | events lost | peak RSS | agent CPU: per second, per process born |"
echo "|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
