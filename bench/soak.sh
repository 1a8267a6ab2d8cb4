#!/usr/bin/env bash
# Soak: procscope as a host monitor (-a -i 10 --prometheus, at nice -10 as
# dist/procscope.service runs it) for SOAK_SECONDS (default
# 600) under a fork/exec storm (stress-ng --fork 2 --exec 2, as an unprivileged user:
# its exec stressor refuses root), the endpoint scraped every 10 s. Every 10 s:
# procscope's RSS and CPU time, its slots and rows in use. Before it, the same storm for
# SOAK_REF_SECONDS (default 60) without procscope: its throughput is the reference.
# Must hold: no table full, no event lost, RSS flat after warm-up and its peak under 32 MiB, agent
# CPU under 2% of a core, nothing left loaded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
SOAK_SECONDS=${SOAK_SECONDS:-600}
SOAK_REF_SECONDS=${SOAK_REF_SECONDS:-60}
SAMPLE=10
tmp=$(mktemp -d)
chmod 1777 "$tmp"
storm=
ps=
cleanup() {
	[ -n "$storm" ] && kill "$storm" 2> /dev/null || true
	[ -n "$ps" ] && kill "$ps" 2> /dev/null || true
	wait 2> /dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

storm() { fork_storm "$1" "$2" "$tmp"; }
ops_per_sec() { storm_ops_per_sec "$@"; }
ops() { storm_ops "$@"; }

echo "bench: soak reference, ${SOAK_REF_SECONDS}s of the storm without procscope" >&2
storm "$SOAK_REF_SECONDS" "$tmp/ref.yaml"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
echo "bench: soak, ${SOAK_SECONDS}s of the storm under procscope -a -i 10" >&2
# as the service runs it (text reports every 10 s); the final report's JSON kept aside
nice -n -10 "$PROCSCOPE" -v -a -i 10 --prometheus "127.0.0.1:$port" -d "$((SOAK_SECONDS + 5))s" \
	-o "$tmp/soak.txt" --save-baseline "$tmp/final.json" 2> "$tmp/err.txt" &
ps=$!
wait_for "$tmp/err.txt" attached
storm "$SOAK_SECONDS" "$tmp/soak.yaml" &
storm=$!
hz=$(getconf CLK_TCK)
t0=$SECONDS
: > "$tmp/samples"
hwm=0
while kill -0 "$storm" 2> /dev/null; do
	sleep "$SAMPLE"
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$ps/status" 2> /dev/null) || break
	hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ps/status" 2> /dev/null) || break
	cpu=$(awk '{ print $14 + $15 }' "/proc/$ps/stat")
	fds=$(find "/proc/$ps/fd" -mindepth 1 | wc -l)
	curl -sf "http://127.0.0.1:$port/metrics" -o "$tmp/metrics" || : > "$tmp/metrics"
	series=$(grep -c '^procscope_' "$tmp/metrics" || true)
	slots=$(awk '/^procscope_tracked_processes / { print $2 }' "$tmp/metrics")
	echo "$((SECONDS - t0)) $rss $cpu $fds $series ${slots:-0}" >> "$tmp/samples"
done
wait "$storm" || true
storm=
rc=0
wait "$ps" || rc=$?
ps=

r=$(jq -c . "$tmp/final.json")
# the kernel frees programs a moment after their last descriptor closes
for _ in $(seq 20); do
	leftover=$(bpftool prog show 2> /dev/null | grep -c -E 'name (core_|sched_|syscalls_|io_|net_|mem_|profile_)' || true)
	[ "$leftover" = 0 ] && break
	sleep 0.1
done
heading "Soak: \`-a -i 10 --prometheus\` for ${SOAK_SECONDS}s under \`stress-ng --fork 2 --exec 2\`"
echo
echo "$(date -u +%F), $(uname -r), $(nproc) CPUs; the endpoint scraped every ${SAMPLE}s."
echo
echo "| figure | value |"
echo "|---|---|"
echo "| procscope's exit status | $rc |"
echo "| storm throughput, fork / exec ops/s: alone, under procscope | $(ops_per_sec "$tmp/ref.yaml" fork) / $(ops_per_sec "$tmp/ref.yaml" exec), $(ops_per_sec "$tmp/soak.yaml" fork) / $(ops_per_sec "$tmp/soak.yaml" exec) |"
echo "| processes the storm started (fork + exec ops) | $(($(ops "$tmp/soak.yaml" fork) + $(ops "$tmp/soak.yaml" exec))) |"
echo "| processes procscope saw (whole system) | $(jq -r '.target.process_count' <<< "$r") |"
echo "| slots, rows in use at the end (of $(jq -r '.self.procs_max' <<< "$r"), $(jq -r '.self.rows_max' <<< "$r")) | $(jq -r '.self.procs_used' <<< "$r"), $(jq -r '.self.rows_used' <<< "$r") |"
echo "| peak RSS (VmHWM, whole run) | $(awk -v h="$hwm" 'BEGIN { printf "%.1f MiB", h / 1024 }') |"
echo "| slots in use, most at a scrape | $(awk '$6 > m { m = $6 } END { print m + 0 }' "$tmp/samples") |"
echo "| beyond the tables (procs, rows overflow) | $(jq -r '.self.procs_overflow' <<< "$r"), $(jq -r '.self.rows_overflow' <<< "$r") |"
echo "| events lost (ring buffer, recursion) | $(jq -r '.self.ringbuf_drops' <<< "$r"), $(jq -r '.self.bpf_recursion_misses' <<< "$r") |"
echo "| interval reports | $(grep -c '^procscope interval' "$tmp/soak.txt" || true) |"
echo "| BPF run time, of one CPU | $(jq -r --argjson s "$SOAK_SECONDS" '.self.bpf_run_ns / ($s * 1e9) * 100 | . * 100 | round / 100' <<< "$r")% |"
echo "| programs left loaded after exit | $leftover |"
awk -v hz="$hz" -v warm=60 '
	{ t[NR] = $1; r[NR] = $2; c[NR] = $3; f[NR] = $4; s[NR] = $5 }
	END {
		for (i = 1; i <= NR; i++) if (t[i] >= warm && !w) w = i
		if (!w) w = 1
		for (i = w; i <= NR; i++) { if (r[i] > rmax) rmax = r[i]; if (!rmin || r[i] < rmin) rmin = r[i] }
		printf "| RSS after warm-up (%ds): first, last, max | %.1f, %.1f, %.1f MiB |\n", t[w], r[w] / 1024, r[NR] / 1024, rmax / 1024
		printf "| agent CPU, of one core (userspace and its syscalls) | %.2f%% |\n", (c[NR] - c[1]) / hz * 100 / (t[NR] - t[1])
		printf "| open descriptors first, last | %d, %d |\n", f[1], f[NR]
		printf "| series on the endpoint, last | %d |\n", s[NR]
		print ""
		print "| time (s) | RSS (MiB) | agent CPU in the last minute |"
		print "|---|---|---|"
		for (i = 1; i <= NR; i++)
			if (i == 1 || i == NR || t[i] % 60 < 10) {
				j = i > 6 ? i - 6 : 1
				cpu = i > j ? sprintf("%.2f%%", (c[i] - c[j]) / hz * 100 / (t[i] - t[j])) : "-"
				printf "| %d | %.1f | %s |\n", t[i], r[i] / 1024, cpu
			}
	}' "$tmp/samples"
