#!/usr/bin/env bash
# Storm: procscope as a host monitor (-a) under a fork/exec storm (stress-ng --fork 2
# --exec 2, as an unprivileged user: its exec stressor refuses root) in the four cases
# of issue 21 -- at the default priority and at nice 19, with -i 1 and -i 10 --
# STORM_SECONDS each (default 60), after the same storm alone for as long. Must hold:
# no slot or row beyond the tables, no event lost, every process counted, peak RSS under
# 64 MiB. Reported too: the agent's CPU during the storm, per second and per process
# born, and beyond what the same monitor takes on the idle host (STORM_IDLE_SECONDS,
# default 30, after a warm-up) -- what each process costs it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
STORM_SECONDS=${STORM_SECONDS:-60}
STORM_IDLE_SECONDS=${STORM_IDLE_SECONDS:-30}
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

cpu_ms() { proc_footprint "$1" | cut -d' ' -f2; }
declare -A idle
for every in 1 10; do
	echo "bench: idle host, ${STORM_IDLE_SECONDS}s of procscope -a -i $every" >&2
	"$PROCSCOPE" -v -a -i "$every" -d "$((STORM_IDLE_SECONDS + 40))s" -o /dev/null 2> "$tmp/err.txt" &
	ps=$!
	wait_for "$tmp/err.txt" attached
	sleep 10 # the host's processes read, their unwind tables parsed
	c0=$(cpu_ms "$ps")
	sleep "$STORM_IDLE_SECONDS"
	c1=$(cpu_ms "$ps")
	kill -INT "$ps"
	wait "$ps" || true
	ps=
	idle[$every]=$(((c1 - c0) * 1000 / STORM_IDLE_SECONDS)) # us a second
done

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
	c0=$(cpu_ms "$ps")
	storm "$STORM_SECONDS" "$tmp/storm.yaml"
	c1=$(cpu_ms "$ps")
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ps/status")
	wait "$ps" || true
	ps=
	born=$(($(ops "$tmp/storm.yaml" fork) + $(ops "$tmp/storm.yaml" exec)))
	rows+=("$(jq -r --arg nice "$niceness" --arg i "$every" --argjson born "$born" --argjson ref "$ref" \
		--argjson hwm "$hwm" --argjson s "$STORM_SECONDS" --argjson ms "$((c1 - c0))" \
		--argjson idle "${idle[$every]}" '
		.self as $x |
		"| \($nice) | \($i) | \($born) (\($born * 100 / $ref | round)%) | \($x.kernel_folded) | " +
		"\($x.procs_overflow), \($x.rows_overflow) | \($x.ringbuf_drops) | " +
		"\($hwm / 1024 * 10 | round / 10) MiB | \($ms / $s | round) ms/s, " +
		"\($ms * 1000 / $born | round) us | " +
		(if $nice == "0" then "\((($ms * 1000 - $idle * $s) / $born) | round) us |"
		 else "- |" end)' "$tmp/final.json")")
done

heading "Storm: \`-a -i 1\` and \`-i 10\` for ${STORM_SECONDS}s under \`stress-ng --fork 2 --exec 2\`, at nice 0 and 19"
echo
echo "The storm alone started $ref processes in ${STORM_SECONDS}s. The agent's CPU (user and system time) during"
echo "the storm; on the idle host, after a warm-up, the same monitor took $((idle[1] / 1000)).$((idle[1] % 1000 / 100)) ms a second at \`-i 1\`,"
echo "$((idle[10] / 1000)).$((idle[10] % 1000 / 100)) at \`-i 10\`: the last column is what the storm added, per process born (at nice 19"
echo "the agent runs when the CPUs are free, and the kernel folds most processes: it does less than on the idle host)."
echo
echo "| nice | -i | processes born (of the storm alone) | folded by the kernel | beyond the tables: slots, rows | events lost | peak RSS | agent CPU: per second, per process born | beyond the idle agent, per process born |"
echo "|---|---|---|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
