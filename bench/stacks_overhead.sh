#!/usr/bin/env bash
# Stacks, measured in one run, interleaved:
#  - on-CPU sampling: a CPU-bound loop (tests/workloads/cpuloop), work per second under
#    no tracing, procscope --only profile (sampling alone, 99 Hz), procscope with its
#    defaults, and a bpftrace 99 Hz stack profile of the same process;
#  - off-CPU stacks: two threads bouncing a byte over pipes on one CPU (pingpong: two
#    context switches per round trip), round trips per second under no tracing,
#    procscope --only sched, procscope --only sched --offcpu (user stacks from the unwind
#    tables, and with --unwind fp), libbpf-tools offcputime;
#  - symbolization: a workflow of 100 short processes, the time procscope spends
#    symbolizing the report and its peak RSS.
#   env: REPS (default 5), SECS (default 3)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
SECS=${SECS:-3}
ensure_tracefs
trap release_tracefs EXIT
tmp=$(mktemp -d)

cpu=(taskset -c 1 "$WL/cpuloop" "$SECS")
pp=(taskset -c 1 "$WL/pingpong" "$SECS")

# A peer attached to a gated workload's pid: peer NAME READY PATTERN CMD... -- WORKLOAD...
# (lib.sh: peer_run)
peer() { peer_run "$tmp" "$@"; }

run() {
	case $1 in
	cpu_none) "${cpu[@]}" ;;
	cpu_procscope_sampling) "$PROCSCOPE" --only profile -o "$tmp/report.out" -- "${cpu[@]}" ;;
	cpu_procscope) "$PROCSCOPE" -o "$tmp/report.out" -- "${cpu[@]}" ;;
	# its stacks' counts at the end: "]: N"
	cpu_bpftrace) peer bpftrace Attaching '\]: [1-9][0-9]*$' stdbuf -oL bpftrace -e \
		'profile:hz:99 /pid == PID/ { @[kstack, ustack] = count(); }' -- "${cpu[@]}" ;;
	sw_none) "${pp[@]}" ;;
	sw_procscope_sched) "$PROCSCOPE" --only sched -o "$tmp/report.out" -- "${pp[@]}" ;;
	sw_procscope_offcpu) "$PROCSCOPE" --only sched --offcpu -o "$tmp/report.out" -- "${pp[@]}" ;;
	sw_procscope_offcpu_fp) "$PROCSCOPE" --only sched --offcpu --unwind fp -o "$tmp/report.out" \
		-- "${pp[@]}" ;;
	# each stack ends with its total in microseconds
	sw_offcputime) peer offcputime '' '^ +[1-9][0-9]*$' stdbuf -oL offcputime -p PID \
		-- "${pp[@]}" ;;
	esac | awk '/per_sec/ { print $2 }'
}

modes=(cpu_none cpu_procscope_sampling cpu_procscope cpu_bpftrace
	sw_none sw_procscope_sched sw_procscope_offcpu sw_procscope_offcpu_fp sw_offcputime)
interleave "$tmp/raw" run


heading "On-CPU sampling at 99 Hz: CPU-bound loop (${SECS}s, $REPS repetitions)"
echo
loss_table "$tmp/raw" cpu "work/s"
echo
heading "Off-CPU stacks: pipe ping-pong between two threads on one CPU (${SECS}s, $REPS repetitions)"
echo
loss_table "$tmp/raw" sw "round trips/s"
echo
SYMBOLIZE_RUNS=${SYMBOLIZE_RUNS:-3}
heading "Symbolizing a workflow of 100 short processes ($SYMBOLIZE_RUNS runs)"
echo
echo "| run | symbolize | peak RSS | processes captured (missed) | files (parsed) | user frames named |"
echo "|---|---:|---:|---:|---:|---:|"
for i in $(seq 1 "$SYMBOLIZE_RUNS"); do
	"$PROCSCOPE" --json -o "$tmp/s.json" --folded "$tmp/f.txt" -- \
		sh -c "for i in \$(seq 100); do $WL/stacks 20; done"
	jq -r --arg i "$i" 'select(.type == "report") |
		"| \($i) | \(.self.symbolize_ns / 1e6 | floor) ms | \(.self.rss_peak_bytes / 1048576 * 10 | floor / 10) MiB | \(.self.symbolizer_captures) (\(.self.symbolizer_capture_misses)) | \(.self.symbolizer_files) (\(.self.symbolizer_parses)) | \(.target.stacks.user_frames_symbolized * 1000 / .target.stacks.user_frames | floor / 10)% |"' \
		"$tmp/s.json"
done
cp "$tmp/raw" "$OUT/stacks_overhead.raw"
rm -rf "$tmp"
