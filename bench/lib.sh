# shellcheck shell=bash
# Shared by the benchmarks: paths, tracefs for the peer tools, medians.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROCSCOPE=${PROCSCOPE:-$ROOT/procscope}
WL=$ROOT/tests/workloads/bin
OUT=${BENCH_OUT:-$ROOT/bench/results}
mkdir -p "$OUT"

# libbpf-tools and bpftrace attach SEC("tracepoint/...") programs, which need tracefs
# (procscope does not). Mount it for the run if it is missing; unmount it afterwards.
TRACEFS_MOUNTED=
ensure_tracefs() {
	if [ ! -e /sys/kernel/tracing/events ]; then
		mount -t tracefs nodev /sys/kernel/tracing && TRACEFS_MOUNTED=1
	fi
}
release_tracefs() {
	[ -n "$TRACEFS_MOUNTED" ] && umount /sys/kernel/tracing 2>/dev/null || true
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { if (NR == 0) { print "nan"; exit } m = int((NR + 1) / 2); if (NR % 2) print v[m]; else printf "%.1f\n", (v[m] + v[m + 1]) / 2 }'; }

# Wait (up to 20 s) until FILE contains PATTERN.
wait_for() {
	local i
	for i in $(seq 1 400); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
	done
	echo "bench: timed out waiting for '$2' in $1" >&2
	return 1
}

# Peak RSS (KiB) and CPU time (ms) of a running pid, "rss cpu"
proc_footprint() {
	local hwm ticks
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$1/status" 2>/dev/null)
	ticks=$(awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null)
	echo "${hwm:-0} $(( ${ticks:-0} * 1000 / $(getconf CLK_TCK) ))"
}

# interleave RAW FN: REPS repetitions of every mode in $modes, each repetition in a
# rotated order; FN MODE prints the mode's number, appended as "rep mode value" to RAW.
interleave() {
	local raw=$1 fn=$2 rep i m v n=${#modes[@]}
	for rep in $(seq 1 "$REPS"); do
		for i in $(seq 0 $((n - 1))); do
			m=${modes[$(((i + rep) % n))]}
			v=$("$fn" "$m")
			echo "$rep $m $v" >> "$raw"
			echo "  rep $rep $m: $v" >&2
		done
	done
}

# loss_table RAW PREFIX WHAT: the modes of $modes named PREFIX_*, the median of WHAT
# (higher is better) and the median over repetitions of the loss against PREFIX_none.
loss_table() {
	local raw=$1 prefix=$2 m med loss
	echo "| mode | $3 (median) | loss vs none (median of paired) |"
	echo "|---|---:|---:|"
	for m in "${modes[@]}"; do
		[[ $m == "$prefix"_* ]] || continue
		med=$(awk -v m="$m" '$2 == m { print $3 }' "$raw" | median)
		loss=$(awk -v m="$m" -v b="${prefix}_none" '$2 == b { base[$1] = $3 } $2 == m { v[$1] = $3 }
			END { for (r in v) if (base[r] > 0) printf "%.2f\n", 100 * (1 - v[r] / base[r]) }' \
			"$raw" | median)
		echo "| ${m#"$prefix"_} | $med | ${loss}% |"
	done
}

# The BPF programs process PID holds: their ids, one per line.
held_progs() { { awk '$1 == "prog_id:" { print $2 }' /proc/"$1"/fdinfo/* 2>/dev/null || true; } | sort -un; }

# wait_attached PID LOG READY: up to 20 s, until the peer tool PID holds BPF programs and
# (READY not empty) its output LOG has its ready line. 1 if it never does.
wait_attached() {
	local i
	for i in $(seq 1 400); do
		kill -0 "$1" 2>/dev/null || return 1
		if [ -n "$(held_progs "$1")" ] && { [ -z "$3" ] || grep -q -- "$3" "$2"; }; then
			return 0
		fi
		sleep 0.05
	done
	return 1
}

# peer_measured NAME PID LOG: a peer tool (PID, its output in LOG) proves it traced: it
# still runs, it holds BPF programs, and they run -- with the kernel's BPF statistics on
# for a moment (after the measurement: they cost every program), some system calls and
# 0.2 s of time make their run count grow. Else the bench fails, with the tool's own
# words: a peer that did not attach must never read as free.
peer_measured() {
	local name=$1 pid=$2 log=$3 ids old runs
	if ! kill -0 "$pid" 2>/dev/null; then
		echo "bench: $name is not running: $(head -c 2000 "$log")" >&2
		return 1
	fi
	ids=$(held_progs "$pid")
	if [ -z "$ids" ]; then
		echo "bench: $name holds no BPF program: $(head -c 2000 "$log")" >&2
		return 1
	fi
	old=$(sysctl -n kernel.bpf_stats_enabled)
	sysctl -qw kernel.bpf_stats_enabled=1
	"$WL/getppid_n" 1000 > /dev/null
	sleep 0.2
	runs=$(for id in $ids; do bpftool prog show id "$id" -j 2>/dev/null | jq '.run_cnt // 0'; done |
		awk '{ s += $1 } END { print s + 0 }')
	sysctl -qw kernel.bpf_stats_enabled="$old"
	if [ "$runs" -eq 0 ]; then
		echo "bench: $name's programs ($(echo $ids)) never ran: $(head -c 2000 "$log")" >&2
		return 1
	fi
}

# peer_output NAME LOG PATTERN: the peer's output at the end has PATTERN (its count or
# histogram, non-zero); else the bench fails with its output.
peer_output() {
	grep -qE -- "$3" "$2" && return 0
	echo "bench: $1 measured nothing (no /$3/ in its output): $(head -c 2000 "$2")" >&2
	return 1
}

# peer_run DIR NAME READY PATTERN CMD... -- WORKLOAD...: a peer tool attached to a
# workload held at its gate (WL_WAIT=1): the workload started, the tool started on its pid
# (the word PID in CMD is replaced by it) and attached (wait_attached; READY: its line, ''
# if it prints none), the workload released and waited for, the tool stopped with SIGINT.
# The peer must prove it traced (peer_measured) and, where PATTERN is not empty, print it
# at the end (its count or histogram). The workload's output is printed; the time to
# attach (us) and the tool's footprint (peak RSS, CPU) go to DIR/startup_us.NAME and
# DIR/footprint.NAME. 1, with the tool's words on stderr, if anything fails.
peer_run() {
	local dir=$1 name=$2 ready=$3 pattern=$4 pid tool wl t0 i
	local -a cmd=()
	shift 4
	while [ "$1" != "--" ]; do cmd+=("$1"); shift; done
	shift
	WL_WAIT=1 "$@" > "$dir/wl.out" &
	wl=$!
	wait_for "$dir/wl.out" '^ready'
	pid=$(awk '/^ready/ { print $2 }' "$dir/wl.out")
	t0=$(date +%s%N)
	"${cmd[@]//PID/$pid}" > "$dir/tool.out" 2>&1 &
	tool=$!
	if ! wait_attached "$tool" "$dir/tool.out" "$ready"; then
		kill -KILL "$tool" "$wl" 2>/dev/null || true
		echo "bench: $name did not start: $(head -c 2000 "$dir/tool.out")" >&2
		return 1
	fi
	echo $((($(date +%s%N) - t0) / 1000)) >> "$dir/startup_us.$name"
	sleep 0.3 # a ready line may come just before the last attach
	kill -USR1 "$pid"
	wait "$wl"
	proc_footprint "$tool" >> "$dir/footprint.$name"
	peer_measured "$name" "$tool" "$dir/tool.out" || { kill -KILL "$tool"; return 1; }
	kill -INT "$tool" 2>/dev/null || true
	for i in $(seq 1 50); do kill -0 "$tool" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$tool" 2>/dev/null || true
	wait "$tool" 2>/dev/null || true
	[ -z "$pattern" ] || peer_output "$name" "$dir/tool.out" "$pattern" || return 1
	cat "$dir/wl.out"
}

# The run's provenance, for every table: date, machine, kernel, commit.
provenance() {
	local commit
	commit=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)
	git -C "$ROOT" diff --quiet HEAD -- bpf src include bench tests/workloads Makefile ':!bench/history' 2>/dev/null ||
		commit="$commit+changes" # what is measured changed since the commit
	echo "Run $(date -u +%F) on $(uname -r), $(nproc) CPUs ($(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)), procscope at $commit."
}

# A table's heading, and its provenance under it.
heading() {
	echo "## $*"
	echo
	provenance
}

# stress-ng's fork/exec storm (--fork 2 --exec 2) for $1 seconds, its metrics into $2
# (YAML), its files in $3 (world-writable): as an unprivileged user, since its exec
# stressor refuses root
fork_storm() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		stress-ng --fork 2 --exec 2 -t "$1" --temp-path "$3" --metrics-brief \
		--yaml "$2" > /dev/null 2>&1
}
# bogo ops, or bogo ops per second, of stressor $2 in stress-ng's YAML file $1
storm_ops() {
	awk -v s="$2" '$0 ~ "stressor: " s "$" { f = 1 } f && /bogo-ops:/ { print $2; exit }' "$1"
}
storm_ops_per_sec() {
	awk -v s="$2" '$0 ~ "stressor: " s "$" { f = 1 } f && /bogo-ops-per-second-real-time:/ { print $2; exit }' "$1"
}
