#!/usr/bin/env bash
# The cost of the critical path through who ended each wait (the wake-up records, peers,
# the recent past), on the scheduler's hottest path: perf bench sched pipe (two tasks
# ping-ponging a byte over pipes, a context switch and a wake-up per message), interleaved
# in one run:
#  - none: no tracing;
#  - before: procscope built at BASE (default: the commit before the critical path went
#    through wake-ups), --only sched -- the cost before;
#  - procscope --only sched, --max-peers 0 (wake-up records, no peers, no recent past)
#    and with its defaults (peers, the recent past);
#  - beside: perf bench untraced, while procscope follows one idle process: what every
#    other task on the host pays (the recent past records all switches and wake-ups).
# The machine's drift makes the wall-clock columns noisy; procscope's BPF time and its
# own CPU time per message (--bpf-stats full: every program run measured) are steadier.
#   env: REPS (default 5), LOOPS (default 200000), BASE (a git revision)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
LOOPS=${LOOPS:-200000}
BASE=${BASE:-204fc19}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The procscope of BASE, built once into build/bench-base-<rev>.
base_bin() {
	local rev dir
	rev=$(git -C "$ROOT" rev-parse --short "$BASE")
	dir=$ROOT/build/bench-base-$rev
	if [ ! -x "$dir/procscope" ]; then
		rm -rf "$dir"
		git -C "$ROOT" worktree add -f --detach "$dir" "$rev" > /dev/null 2>&1
		make -s -C "$dir" -j2 procscope > "$tmp/base-build.log" 2>&1 ||
			{ echo "bench: cannot build $rev: $(tail -3 "$tmp/base-build.log")" >&2; exit 1; }
		git -C "$ROOT" worktree prune
	fi
	echo "$dir/procscope"
}
BEFORE=$(base_bin)

pipe=(perf bench sched pipe -l "$LOOPS")
# usecs per message of one run of "$@"
usecs() { "$@" 2>/dev/null | awk '/usecs\/op/ { print $1 }'; }
# a traced run: usecs per message; into $tmp/$1.bpf and .cpu, procscope's BPF and own
# CPU time per message (ns), from its report (--bpf-stats full: every run measured)
traced() {
	local m=$1
	shift
	usecs "$@" --only sched --bpf-stats full --json -o "$tmp/r.json" -- "${pipe[@]}"
	jq -r --argjson n "$LOOPS" '.self.bpf_run_ns / $n' "$tmp/r.json" >> "$tmp/$m.bpf"
	jq -r --argjson n "$LOOPS" '.self.cpu_ns / $n' "$tmp/r.json" >> "$tmp/$m.cpu"
}

run() {
	case $1 in
	none) usecs "${pipe[@]}" ;;
	before) traced before "$BEFORE" ;;
	no_peers) traced no_peers "$PROCSCOPE" --max-peers 0 ;;
	procscope) traced procscope "$PROCSCOPE" ;;
	beside | before_beside)
		local bin=$PROCSCOPE
		[ "$1" = beside ] || bin=$BEFORE
		sleep 600 &
		local idle=$!
		"$bin" -v --only sched -p "$idle" --bpf-stats full --json -o "$tmp/r.json" \
			2> "$tmp/err" &
		local ps=$!
		wait_for "$tmp/err" attached > /dev/null 2>&1 || sleep 2
		usecs "${pipe[@]}"
		kill -INT "$ps"
		wait "$ps" 2> /dev/null || true
		kill "$idle" 2> /dev/null || true
		jq -r --argjson n "$LOOPS" '.self.bpf_run_ns / $n' "$tmp/r.json" >> "$tmp/$1.bpf"
		jq -r --argjson n "$LOOPS" '.self.cpu_ns / $n' "$tmp/r.json" >> "$tmp/$1.cpu"
		;;
	esac
}

modes=(none before no_peers procscope before_beside beside)
for rep in $(seq "$REPS"); do
	for m in "${modes[@]}"; do
		run "$m" >> "$tmp/$m"
	done
done

med() { median < "$tmp/$1"; }
none=$(med none)
heading "The critical path's cost on context switches (bench/path_overhead.sh)"
echo
echo "perf bench sched pipe -l $LOOPS, $REPS repetitions, interleaved; before: procscope at $BASE"
echo
echo "| mode | usecs/message (median) | added vs none | added vs before's | BPF ns/message | procscope's CPU ns/message |"
echo "|---|---:|---:|---:|---:|---:|"
before=$(med before)
for m in "${modes[@]}"; do
	v=$(med "$m")
	bpf=-
	cpu=-
	[ -s "$tmp/$m.bpf" ] && bpf=$(median < "$tmp/$m.bpf") && cpu=$(median < "$tmp/$m.cpu")
	awk -v m="$m" -v v="$v" -v n="$none" -v b="$before" -v bpf="$bpf" -v cpu="$cpu" 'BEGIN {
		label["none"] = "none"; label["before"] = "procscope --only sched, before"
		label["no_peers"] = "procscope --only sched --max-peers 0"
		label["procscope"] = "procscope --only sched (peers, recent past)"
		label["beside"] = "untraced, procscope following another process"
		label["before_beside"] = "untraced, procscope before following another process"
		rel = (b - n) > 0 && m !~ /beside/ ? sprintf("%.0f%%", 100 * (v - n) / (b - n)) : "-"
		printf "| %s | %.3f | %+.3f | %s | %s | %s |\n", label[m], v, v - n, m == "none" ? "-" : rel,
			bpf == "-" ? "-" : sprintf("%.0f", bpf), cpu == "-" ? "-" : sprintf("%.0f", cpu) }'
done
