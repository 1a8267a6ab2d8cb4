#!/usr/bin/env bash
# Diagnosis accuracy: the scenario workflows of tests/integration/test_diagnosis.sh, each
# run REPS times; for each, the ground truth (what the workload is built to do), how
# often the top finding named it, and the median shares of the target's breakdown.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
source "$ROOT/tests/workloads/throttle.sh"
REPS=${REPS:-5}
tmp=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
srv=
cleanup() {
	[ -n "$srv" ] && kill "$srv" 2>/dev/null
	rmdir "${cg:-/nonexistent}" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

f=$(mktemp -p /var/tmp procscope-fsync.XXXXXX)
cg=$(throttled_cgroup "$(stat -c '%Hd:%Ld' "$f")" 200)
rm -f "$f"

# name | expected top finding | ground truth | command
scenarios=(
	"CPU-bound|cpu|100% on-CPU: spin 600 ms|$WL/spin 600"
	"CPU-contended|cpu_contention|2 spinners per CPU: 1/2 on-CPU, 1/2 run queue|sh -c 'for i in \$(seq $((2 * $(nproc)))); do $WL/spin 300 & done; wait'"
	"CPU-confined|cpu_confined|3 spinners pinned to CPU 0, the others idle: 1/3 on-CPU, 2/3 run queue|taskset -c 0 sh -c '$WL/spin 300 & $WL/spin 300 & $WL/spin 300 & wait'"
	"fsync on a throttled disk|disk|40 x (4 KiB write + fsync) at 200 write IOPS: nearly all disk|sh -c 'echo \$\$ > $cg/cgroup.procs && exec $WL/fsyncer $f 40'"
	"slow TCP server|network|3 requests x 200 ms server delay: ~100% network|$WL/tcpecho client 127.0.0.1 $port 3 1000"
	"mutex contention|lock|4 threads, 1 lock held 1 ms x 400: 1/4 on-CPU, 3/4 lock|$WL/contend 4 100 1000"
	"sleeping parent|sleep|400 ms asleep of ~450 ms: ~89% sleep|sh -c '$WL/spin 20; $WL/sleeper 20 20; $WL/spin 20'"
	"three-step pipeline|cpu|50 ms sleep + 500 ms CPU + 50 ms sleep: ~83% on-CPU, middle step on the path|sh -c '$WL/sleeper 5 10; $WL/spin 500; $WL/sleeper 5 10'"
)

heading "Diagnosis accuracy: scenario workflows ($REPS runs each, medians)"
echo
echo "| scenario | ground truth | top finding | on-CPU | run queue | disk | network | lock | sleep | child+other |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for s in "${scenarios[@]}"; do
	IFS='|' read -r name want truth cmd <<< "$s"
	hits=0
	: > "$tmp/shares"
	for _ in $(seq 1 "$REPS"); do
		if [ "$want" = network ]; then
			"$WL/tcpecho" slow 127.0.0.1 "$port" 3 200 > "$tmp/srv.out" &
			srv=$!
			wait_for "$tmp/srv.out" listening
		fi
		eval "$PROCSCOPE --json -o $tmp/out.json -- $cmd" > /dev/null
		if [ -n "$srv" ]; then
			wait "$srv" 2>/dev/null || true
			srv=
		fi
		r=$(jq -c 'select(.type == "report")' "$tmp/out.json")
		[ "$(jq -r '.findings[0].kind // "none"' <<< "$r")" = "$want" ] && hits=$((hits + 1))
		jq -r '.target.breakdown as $b | [($b.oncpu_ns, $b.runq_ns, $b.io_ns, $b.net_ns, $b.lock_ns,
			$b.sleep_ns, $b.child_ns + $b.poll_ns + $b.other_ns) / $b.wall_ns * 100] | @tsv' \
			<<< "$r" >> "$tmp/shares"
	done
	row="| $name | $truth | $want $hits/$REPS |"
	for col in 1 2 3 4 5 6 7; do
		row+=" $(cut -f$col "$tmp/shares" | median | awk '{ printf "%.0f%%", $1 }') |"
	done
	echo "$row"
done
