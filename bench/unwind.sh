#!/usr/bin/env bash
# Unwinding user stacks of programs built without frame pointers, side by side in one
# run: Debian's xz, gzip and python3, and a C++ program built with g++ -O2
# (tests/workloads/sortmap).
#  - coverage: the share of on-CPU samples whose stack reaches the program's entry
#    (main, __libc_start_call_main, Py_BytesMain or _start) and the median user depth,
#    for procscope (unwind tables), procscope --unwind fp, perf -g (frame pointers)
#    and perf --call-graph dwarf;
#  - cost: each program doing a fixed amount of work, pinned to one CPU: its elapsed
#    time under no tracing, procscope --only profile --unwind fp, procscope --only
#    profile (unwind tables) and perf record --call-graph dwarf, all at 99 Hz; and
#    procscope's own CPU time and peak RSS;
#  - Python frames: python3 (fib(35), 36 Python frames deep) under procscope --only
#    profile with and without --no-python-frames: elapsed time and BPF time per run.
#   env: REPS (default 5)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# about two seconds of work each on this VM
head -c $((8 << 20)) /dev/urandom > "$tmp/data8"
head -c $((64 << 20)) /dev/urandom > "$tmp/data64"
cat > "$tmp/fib.py" << 'EOF'
def fib(n): return n if n < 2 else fib(n - 1) + fib(n - 2)
fib(35)
EOF
declare -A prog=(
	[cpp]="$WL/sortmap 2"
	[python]="/usr/bin/python3.11 $tmp/fib.py"
	[xz]="/usr/bin/xz -9 -c -T1 $tmp/data8"
	[gzip]="/usr/bin/gzip -9 -c $tmp/data64"
)
names=(cpp python xz gzip)
ENTRY='^(main|__libc_start_call_main|Py_BytesMain|_start)$'

# From folded stacks: "share depth" (user frames: those without the _[k] suffix).
folded_cov() {
	awk -F';' -v re="$ENTRY" '{
		n = $NF; sub(/.* /, "", n); s = $0; sub(/ [0-9]+$/, "", s); c = split(s, a, ";")
		d = 0; e = 0
		for (i = 2; i <= c; i++) { if (a[i] ~ /_\[k\]$/) continue; d++; if (a[i] ~ re) e = 1 }
		tot += n; ent += e * n; for (k = 0; k < n; k++) print d > "/dev/stderr"
	} END { printf "%.1f", tot ? 100 * ent / tot : 0 }' "$1" 2> "$tmp/depths"
	echo " $(sort -n "$tmp/depths" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')"
}

# From perf script output: the same.
perf_cov() {
	perf script -i "$1" 2> /dev/null | awk -v re="$ENTRY" '
		/^[^ \t]/ { if (started) out(); started = 1; d = 0; e = 0; next }
		/^[ \t]+[0-9a-f]+ / { if ($0 ~ /kernel\.kallsyms|\[unknown\] \(\[unknown\]\)/) next
			d++; f = $2; sub(/\+0x[0-9a-f]+$/, "", f); if (f ~ re) e = 1 }
		function out() { tot++; ent += e; print d > "/dev/stderr" }
		END { if (started) out(); printf "%.1f", tot ? 100 * ent / tot : 0 }' 2> "$tmp/depths"
	echo " $(sort -n "$tmp/depths" | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] + 0 }')"
}

heading "Unwinding: samples reaching the program's entry, and median user depth"
echo
echo "| program (Debian's build, or g++ -O2) | procscope | procscope --unwind fp | perf -g | perf --call-graph dwarf |"
echo "|---|---:|---:|---:|---:|"
for n in "${names[@]}"; do
	read -ra cmd <<< "${prog[$n]}"
	"$PROCSCOPE" --only profile --folded "$tmp/cfi.txt" -o /dev/null -- "${cmd[@]}" > /dev/null
	"$PROCSCOPE" --only profile --unwind fp --folded "$tmp/fp.txt" -o /dev/null -- "${cmd[@]}" > /dev/null
	perf record -q -e cpu-clock -F 99 -g -o "$tmp/g.data" -- "${cmd[@]}" > /dev/null 2>&1
	perf record -q -e cpu-clock -F 99 --call-graph dwarf -o "$tmp/d.data" -- "${cmd[@]}" > /dev/null 2>&1
	printf '| %s |' "$n"
	for r in "$(folded_cov "$tmp/cfi.txt")" "$(folded_cov "$tmp/fp.txt")" \
		"$(perf_cov "$tmp/g.data")" "$(perf_cov "$tmp/d.data")"; do
		printf ' %s%% / %s |' "${r% *}" "${r#* }"
	done
	echo
done
echo
echo "(share reaching the entry / median user depth; perf dwarf counts inlined frames too)"
echo

# Cost: elapsed time of a fixed amount of work, pinned to CPU 1, timed by bash around
# the program alone (not the tracer's start and end).
timed=(bash -c 'TIMEFORMAT=%3R; { time taskset -c 1 "$@" > /dev/null; } 2>&1' timed)
run() {
	local n=${1%%:*} mode=${1#*:}
	read -ra cmd <<< "${prog[$n]}"
	case $mode in
	none) "${timed[@]}" "${cmd[@]}" ;;
	fp) "$PROCSCOPE" --only profile --unwind fp -o /dev/null -- "${timed[@]}" "${cmd[@]}" ;;
	cfi) "$PROCSCOPE" --only profile --json -o "$tmp/$n.json" -- "${timed[@]}" "${cmd[@]}"
		jq -r 'select(.type == "report") | "\(.self.cpu_ns) \(.self.rss_peak_bytes)"' "$tmp/$n.json" \
			>> "$tmp/self.$n"
		jq -r 'select(.type == "report") | .self.bpf_ns_per_run' "$tmp/$n.json" >> "$tmp/bpf.cfi.$n" ;;
	nopy) "$PROCSCOPE" --only profile --no-python-frames --json -o "$tmp/$n.json" -- \
		"${timed[@]}" "${cmd[@]}"
		jq -r 'select(.type == "report") | .self.bpf_ns_per_run' "$tmp/$n.json" >> "$tmp/bpf.nopy.$n" ;;
	perf) perf record -q -e cpu-clock -F 99 --call-graph dwarf -o "$tmp/c.data" -- \
		"${timed[@]}" "${cmd[@]}" 2> /dev/null
		# perf unwinds afterwards, in perf script or perf report: its CPU time
		/usr/bin/time -f '%U %S' -o "$tmp/t" perf script -i "$tmp/c.data" > /dev/null 2>&1
		awk '{ printf "%d\n", ($1 + $2) * 1000 }' "$tmp/t" >> "$tmp/post.$n" ;;
	esac | awk '/^[0-9.]+$/ { printf "%d\n", $1 * 1000 }'
}
modes=()
for n in cpp python xz gzip; do
	[ "$n" = cpp ] && continue # time-bounded: its work varies, not its time
	modes+=("$n:none" "$n:fp" "$n:cfi" "$n:perf")
	[ "$n" = python ] && modes+=("$n:nopy")
done
interleave "$tmp/raw" run

heading "Unwinding cost: elapsed time of a fixed amount of work at 99 Hz ($REPS repetitions, medians)"
echo
echo "| program | none | procscope --unwind fp | procscope (unwind tables) | perf --call-graph dwarf | procscope CPU (all of it) | procscope peak RSS | perf script CPU (its unwinding) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
for n in python xz gzip; do
	row="| $n |"
	base=$(awk -v m="$n:none" '$2 == m { print $3 }' "$tmp/raw" | median)
	for mode in none fp cfi perf; do
		med=$(awk -v m="$n:$mode" '$2 == m { print $3 }' "$tmp/raw" | median)
		if [ "$mode" = none ]; then
			row+=" ${med} ms |"
		else
			row+=" ${med} ms ($(awk -v a="$med" -v b="$base" 'BEGIN { printf "%+.1f%%", 100 * (a / b - 1) }')) |"
		fi
	done
	row+=" $(awk '{ printf "%d\n", $1 / 1e6 }' "$tmp/self.$n" | median) ms |"
	row+=" $(awk '{ printf "%.1f\n", $2 / 1048576 }' "$tmp/self.$n" | median) MiB |"
	row+=" $(median < "$tmp/post.$n") ms |"
	echo "$row"
done
echo
heading "Python frames: their cost on python3 fib(35) at 99 Hz ($REPS repetitions, medians)"
echo
echo "| procscope --only profile | elapsed | over no tracing | BPF time per program run |"
echo "|---|---:|---:|---:|"
base=$(awk '$2 == "python:none" { print $3 }' "$tmp/raw" | median)
for mode in nopy cfi; do
	med=$(awk -v m="python:$mode" '$2 == m { print $3 }' "$tmp/raw" | median)
	printf '| %s | %s ms | %s | %s ns |\n' \
		"$([ $mode = cfi ] && echo "Python frames (default)" || echo "--no-python-frames")" "$med" \
		"$(awk -v a="$med" -v b="$base" 'BEGIN { printf "%+.1f%%", 100 * (a / b - 1) }')" \
		"$(median < "$tmp/bpf.$mode.python")"
done
cp "$tmp/raw" "$OUT/unwind.raw"
