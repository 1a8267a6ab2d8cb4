#!/usr/bin/env bash
# Added nanoseconds per syscall for a tight getppid loop (tests/workloads/getppid_loop),
# measured in one run, interleaved, under: no tracing; procscope (adaptive syscall
# timing, the default); procscope --bpf-stats=off; procscope --syscall-timing=all;
# empty bpftrace programs on both syscall tracepoints (the floor any tracer pays);
# the same two programs each reading the clock once (floor_clock: the floor of any
# tracer that times every syscall, as --syscall-timing=all does);
# libbpf-tools `syscount -L`;
# a bpftrace latency histogram. Every tool is filtered to the workload's process.
# Each repetition runs every mode once in a rotated order; the table reports the
# median ns/call and the median of the per-repetition differences from no tracing.
# Also: procscope's startup to attached, peak RSS and CPU time, and the same for the
# peers while they traced.
# The workload is pinned to one CPU (BENCH_CPU, default 1) in every mode.
#   env: REPS (default 9), CALLS (default 2000000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-9}
CALLS=${CALLS:-2000000}
modes=(none floor floor_clock procscope procscope_nostats procscope_all syscount bpftrace)
# the workload always runs on one CPU, so that no mode gains or loses by migrations
CPU=${BENCH_CPU:-1}
LOOP=(taskset -c "$CPU" "$WL/getppid_loop" "$CALLS")
ensure_tracefs
trap release_tracefs EXIT
tmp=$(mktemp -d)

run_none() { "${LOOP[@]}"; }

run_procscope() {
	local label=$1
	shift
	"$PROCSCOPE" --json -o "$tmp/ps.json" "$@" -- "${LOOP[@]}" > "$tmp/wl.out"
	jq -r 'select(.type == "report") | .self | "\(.startup_ns) \(.rss_peak_bytes) \(.cpu_ns)"' \
		"$tmp/ps.json" >> "$tmp/ps_self.$label"
	cat "$tmp/wl.out"
}

# A peer that attaches to the loop's pid (lib.sh: peer_run); PATTERN: its count or
# histogram at the end, empty for none.
run_peer() {
	local name=$1 ready=$2 pattern=$3
	shift 3
	peer_run "$tmp" "$name" "$ready" "$pattern" "$@" PID -- "${LOOP[@]}" | grep '^ns_per_call'
}

# the floor: empty programs on both syscall tracepoints (what merely attaching costs)
floor_cmd() {
	exec stdbuf -oL -eL bpftrace -e 'tracepoint:raw_syscalls:sys_enter { }
		tracepoint:raw_syscalls:sys_exit { }'
}
# ... and the clock read on entry and on exit (bpftrace's nsecs: one helper call each)
floor_clock_cmd() {
	exec stdbuf -oL -eL bpftrace -e 'tracepoint:raw_syscalls:sys_enter { $t = nsecs; }
		tracepoint:raw_syscalls:sys_exit { $t = nsecs; }'
}
syscount_cmd() { exec stdbuf -oL -eL syscount -L -p "$1"; }
bpftrace_cmd() {
	exec stdbuf -oL -eL bpftrace -e "tracepoint:raw_syscalls:sys_enter /pid == $1/ { @s[tid] = nsecs; }
		tracepoint:raw_syscalls:sys_exit /@s[tid]/ { @ns = hist(nsecs - @s[tid]); delete(@s[tid]); }"
}

run_mode() {
	case $1 in
	none) run_none ;;
	floor) run_peer floor 'Attaching' '' floor_cmd ;;
	floor_clock) run_peer floor_clock 'Attaching' '' floor_clock_cmd ;;
	procscope) run_procscope default ;;
	procscope_nostats) run_procscope nostats --bpf-stats=off ;;
	procscope_all) run_procscope all --syscall-timing=all ;;
	# syscount's table: getppid with its count
	syscount) run_peer syscount 'Tracing syscalls' '^getppid +[1-9][0-9]* ' syscount_cmd ;;
	# a bucket of the histogram with calls in it
	bpftrace) run_peer bpftrace 'Attaching' '^\[[0-9]+[KM]?, [0-9]+[KM]?\) +[1-9][0-9]* ' \
		bpftrace_cmd ;;
	esac
}

ns_per_call() { run_mode "$1" | awk '/^ns_per_call/ { print $2 }'; }
interleave "$tmp/raw" ns_per_call

heading "Syscall overhead: tight getppid loop ($CALLS calls, $REPS interleaved repetitions)"
echo
echo "| mode | ns/call (median) | added ns/call (median of paired differences) | ratio to procscope |"
echo "|---|---:|---:|---:|"
base_added=
for m in "${modes[@]}"; do
	med=$(awk -v m="$m" '$2 == m { print $3 }' "$tmp/raw" | median)
	added=$(awk -v m="$m" '$2 == "none" { b[$1] = $3 } $2 == m { v[$1] = $3 }
		END { for (r in v) if (r in b) print v[r] - b[r] }' "$tmp/raw" | median)
	[ "$m" = procscope ] && base_added=$added
	echo "$m $med $added" >> "$tmp/table"
done
while read -r m med added; do
	ratio=$(awk -v a="$added" -v b="$base_added" 'BEGIN { if (b > 0 && a > 0) printf "%.2f", a / b; else print "-" }')
	[ "$m" = none ] && { added=0; ratio=-; }
	echo "| $m | $med | $added | $ratio |"
done < "$tmp/table"
echo
heading "Footprint while tracing the loop (medians)"
echo
echo "| tool | startup to attached | peak RSS | CPU time |"
echo "|---|---:|---:|---:|"
for f in "$tmp"/ps_self.*; do
	m=${f##*.}
	s=$(awk '{ print $1 / 1e6 }' "$f" | median)
	r=$(awk '{ print $2 / 1048576 }' "$f" | median)
	c=$(awk '{ print $3 / 1e6 }' "$f" | median)
	echo "| procscope ($m) | ${s} ms | ${r} MiB | ${c} ms |"
done
for p in floor syscount bpftrace; do
	s=$(awk '{ print $1 / 1000 }' "$tmp/startup_us.$p" | median)
	r=$(awk '{ print $1 / 1024 }' "$tmp/footprint.$p" | median)
	c=$(awk '{ print $2 }' "$tmp/footprint.$p" | median)
	echo "| $p | ~${s} ms (to its ready line) | ${r} MiB | ${c} ms |"
done
# the cost by commit: this run appended to bench/history (kept in git), the whole
# history shown, so that a regression is seen when it lands
HISTORY=${BENCH_HISTORY-$ROOT/bench/history/syscall_overhead.tsv}
if [ -n "$HISTORY" ]; then
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$ROOT" diff --quiet HEAD -- bpf src include bench tests/workloads Makefile ':!bench/history' 2>/dev/null ||
		commit="$commit+changes" # what is measured changed since the commit
	printf '%s\t%s\t%s' "$(date -u +%F)" "$commit" "$(uname -r)" >> "$HISTORY"
	for m in floor procscope procscope_all syscount bpftrace; do
		printf '\t%s' "$(awk -v m="$m" '$1 == m { print $3 }' "$tmp/table")" >> "$HISTORY"
	done
	echo >> "$HISTORY"
	echo
	heading "Syscall overhead by commit (added ns/call; bench/history/syscall_overhead.tsv)"
	echo
	echo "| date | commit | kernel | floor | procscope | ratio to floor | --syscall-timing=all | ratio to floor | syscount | bpftrace |"
	echo "|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
	awk -F'\t' '!/^#/ && NF >= 8 {
		printf "| %s | %s | %s | %s | %s | %.2f | %s | %.2f | %s | %s |\n",
			$1, $2, $3, $4, $5, $5 / $4, $6, $6 / $4, $7, $8 }' "$HISTORY"
fi
cp "$tmp/raw" "$OUT/syscall_overhead.raw"
rm -rf "$tmp"
