#!/usr/bin/env bash
# --trace and --html on a real build: procscope's own tree built from scratch with
# make -j2 -B, BUILDS times over (gcc, clang for the BPF objects, bpftool, ld: ~7 s
# each on this VM, so ~60 s with the default 8), side by side
# in one run, REPS times each, in turn: no tracing, procscope (the report only), and
# procscope --trace --html. Medians of: the build's wall time; procscope's own CPU
# time (self.cpu_ns) and BPF time per program run (self.bpf_ns_per_run); the trace's
# size, records (slices + wake-ups), the time to write it and to render the page.
# The cost per record is the difference in procscope's CPU time (and BPF time) between
# the two procscope modes, over the records.
#   env: REPS (default 3), BUILDS (default 8)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-3}
BUILDS=${BUILDS:-8}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# the tree to build: the sources only, as a clean clone has them
tar -C "$ROOT" --exclude=./build --exclude=./.git --exclude='./tests/workloads/bin' \
	--exclude=./procscope -cf "$tmp/src.tar" .

build() { # $1: mode, $2: rep
	local dir=$tmp/b-$1-$2 t0 t1 cmd
	mkdir -p "$dir"
	tar -C "$dir" -xf "$tmp/src.tar"
	sync
	cmd=(sh -c "for i in \$(seq $BUILDS); do make -C $dir -B -j2 procscope || exit; done > /dev/null 2>&1")
	t0=$(date +%s%N)
	case $1 in
	none) "${cmd[@]}" ;;
	report) "$PROCSCOPE" --json -o "$tmp/$1-$2.json" -- "${cmd[@]}" 2> /dev/null ;;
	trace) "$PROCSCOPE" -v --json -o "$tmp/$1-$2.json" --trace "$tmp/$2.pftrace" \
		--html "$tmp/$2.html" -- "${cmd[@]}" 2> "$tmp/$1-$2.err" ;;
	esac
	t1=$(date +%s%N)
	echo "$(((t1 - t0) / 1000000))" > "$tmp/$1-$2.wall"
	rm -rf "$dir"
}

for rep in $(seq 1 "$REPS"); do
	for mode in none report trace; do
		echo "bench: trace, $mode, rep $rep" >&2
		build "$mode" "$rep"
	done
done

med() { # $1: glob of files, $2: command turning a file into a number
	local f
	for f in $1; do eval "$2 \"\$f\""; done | median
}
self_of() { jq "select(.type == \"report\") | .self.$2" "$1"; }
records_of() { sed -n 's/.*trace: \([0-9]*\) slices and \([0-9]*\) wake-ups.*/\1 \2/p' "$1" | awk '{ print $1 + $2 }'; }

wall_none=$(med "$tmp/none-*.wall" cat)
wall_report=$(med "$tmp/report-*.wall" cat)
wall_trace=$(med "$tmp/trace-*.wall" cat)
cpu_report=$(for f in "$tmp"/report-*.json; do self_of "$f" cpu_ns; done | median)
cpu_trace=$(for f in "$tmp"/trace-*.json; do self_of "$f" cpu_ns; done | median)
bpf_report=$(for f in "$tmp"/report-*.json; do self_of "$f" bpf_ns_per_run; done | median)
bpf_trace=$(for f in "$tmp"/trace-*.json; do self_of "$f" bpf_ns_per_run; done | median)
runs_trace=$(for f in "$tmp"/trace-*.json; do self_of "$f" bpf_run_count; done | median)
records=$(for f in "$tmp"/trace-*.err; do records_of "$f"; done | median)
size=$(for f in "$tmp"/*.pftrace; do stat -c %s "$f"; done | median)
html=$(for f in "$tmp"/*.html; do stat -c %s "$f"; done | median)
write_ms=$(for f in "$tmp"/trace-*.err; do sed -n 's/.*written in \([0-9.]*\) ms.*/\1/p' "$f"; done | median)
render_ms=$(for f in "$tmp"/trace-*.err; do sed -n 's/.*html: rendered in \([0-9.]*\) ms.*/\1/p' "$f"; done | median)
procs=$(for f in "$tmp"/trace-*.json; do jq 'select(.type == "report") | .target.process_count' "$f"; done | median)

heading "Trace and HTML (bench/trace.sh)"
echo
echo "procscope's own tree built from scratch $BUILDS times over (\`make -B -j2 procscope\`), $REPS times in turn in each mode; medians."
echo
echo "| | no tracing | procscope | procscope --trace --html |"
echo "|---|---|---|---|"
echo "| build wall time, s | $(awk -v v="$wall_none" 'BEGIN { printf "%.1f", v / 1000 }') | $(awk -v v="$wall_report" -v b="$wall_none" 'BEGIN { printf "%.1f (%+.1f%%)", v / 1000, (v - b) * 100 / b }') | $(awk -v v="$wall_trace" -v b="$wall_none" 'BEGIN { printf "%.1f (%+.1f%%)", v / 1000, (v - b) * 100 / b }') |"
echo "| procscope's CPU time, s | - | $(awk -v v="$cpu_report" 'BEGIN { printf "%.2f", v / 1e9 }') | $(awk -v v="$cpu_trace" 'BEGIN { printf "%.2f", v / 1e9 }') |"
echo "| BPF time per program run, ns | - | $bpf_report | $bpf_trace |"
echo
echo "| the trace | |"
echo "|---|---|"
echo "| processes | $procs |"
echo "| records (state slices + wake-ups) | $records |"
echo "| trace size | $(awk -v v="$size" 'BEGIN { printf "%.1f MB", v / 1e6 }') ($(awk -v v="$size" -v n="$records" 'BEGIN { printf "%.0f", v / n }') bytes a record) |"
echo "| userspace cost a record (CPU time with --trace --html less without, over the records) | $(awk -v a="$cpu_trace" -v b="$cpu_report" -v n="$records" 'BEGIN { printf "%.2f us", (a - b) / n / 1000 }') |"
echo "| BPF cost a program run (with trace less without; $runs_trace runs) | $(awk -v a="$bpf_trace" -v b="$bpf_report" 'BEGIN { printf "%+d ns", a - b }') |"
echo "| time to write the trace at the end | $write_ms ms |"
echo "| HTML page: size, time to render | $(awk -v v="$html" 'BEGIN { printf "%.0f KB", v / 1000 }'), $render_ms ms |"
