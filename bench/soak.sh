#!/usr/bin/env bash
# Soak: procscope on the whole system (-a -i 5s) for SOAK_SECONDS while a churn of
# short processes (fork, exec, syscalls, file IO) runs, sampling its own footprint every
# 10 s: memory and descriptors must stay flat, CPU bounded, nothing lost or left loaded.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
SOAK_SECONDS=${SOAK_SECONDS:-300}
tmp=$(mktemp -d)
churn=
cleanup() {
	[ -n "$churn" ] && kill "$churn" 2> /dev/null || true
	wait 2> /dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

# about a hundred short processes a second, each with a few syscalls and a small write
(
	while :; do
		for _ in $(seq 10); do
			sh -c "echo x > $tmp/f.\$\$; cat $tmp/f.\$\$ > /dev/null; rm -f $tmp/f.\$\$" &
		done
		wait
		sleep 0.05
	done
) &
churn=$!

"$PROCSCOPE" -a -i 5s -d "${SOAK_SECONDS}s" --json -o "$tmp/soak.json" 2> "$tmp/err.txt" &
ps=$!
sleep 2
: > "$tmp/samples"
t0=$SECONDS
while kill -0 "$ps" 2> /dev/null; do
	rss=$(awk '/^VmRSS:/ { print $2 }' "/proc/$ps/status" 2> /dev/null || echo 0)
	fds=$(ls "/proc/$ps/fd" 2> /dev/null | wc -l)
	cpu=$(awk '{ print $14 + $15 }' "/proc/$ps/stat" 2> /dev/null || echo 0)
	[ -n "$rss" ] && echo "$((SECONDS - t0)) $rss $fds $cpu" >> "$tmp/samples"
	sleep 10
done
rc=0
wait "$ps" || rc=$?
kill "$churn" 2> /dev/null || true
churn=

hz=$(getconf CLK_TCK)
r=$(jq -c 'select(.type == "report")' "$tmp/soak.json")
intervals=$(jq -r 'select(.type == "interval") | .type' "$tmp/soak.json" | wc -l)
leftover=$(bpftool prog show 2> /dev/null | grep -c -E 'name (core_|sched_|syscalls_|io_|net_|mem_|profile_)' || true)
echo "## Soak: \`-a -i 5s\` for ${SOAK_SECONDS}s under a process churn"
echo
echo "| figure | value |"
echo "|---|---|"
echo "| exit status | $rc |"
echo "| interval records | $intervals |"
echo "| processes seen | $(jq -r '.target.process_count' <<< "$r") (slots used $(jq -r '.self.procs_used' <<< "$r") of $(jq -r '.self.procs_max' <<< "$r"), overflowed $(jq -r '.self.procs_overflow' <<< "$r")) |"
echo "| lost events | ring buffer $(jq -r '.self.ringbuf_drops' <<< "$r"), recursion $(jq -r '.self.bpf_recursion_misses' <<< "$r") |"
awk -v hz="$hz" 'NR == 1 { r0 = $2; f0 = $3; c0 = $4; t0 = $1 }
	{ if ($2 > rmax) rmax = $2; r = $2; f = $3; c = $4; t = $1 }
	END {
		printf "| RSS first / last / max | %.1f / %.1f / %.1f MiB |\n", r0 / 1024, r / 1024, rmax / 1024
		printf "| open descriptors first / last | %d / %d |\n", f0, f
		if (t > t0) printf "| CPU | %.1f%% of one CPU |\n", (c - c0) / hz * 100 / (t - t0)
	}' "$tmp/samples"
echo "| programs left loaded after exit | $leftover |"
