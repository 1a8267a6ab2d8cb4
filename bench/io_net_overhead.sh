#!/usr/bin/env bash
# Throughput under tracing, measured in one run, interleaved:
#  - disk: fio, 4 KiB random direct reads (psync, queue depth 1) on a file on the
#    repository's filesystem, IOPS under no tracing, procscope (all subsystems, the
#    command launched under it), libbpf-tools biolatency (system-wide);
#  - network: sockperf TCP ping-pong on loopback, round trips per second under no
#    tracing, procscope (the client launched under it; also with --only net),
#    libbpf-tools tcplife; client and server on two CPUs (the usual set-up), and on one
#    CPU (the worst case for a tracer: no idle time, every event's cost in the rate).
# Reports the median throughput and the median of per-repetition losses.
#   env: REPS (default 5), SECS (default 4)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-5}
SECS=${SECS:-4}
ensure_tracefs
tmp=$(mktemp -d)
data=$ROOT/build/bench-fio
mkdir -p "$data"
port=$((30000 + RANDOM % 10000))
cleanup() {
	pkill -f "sockperf sr --tcp -i 127.0.0.1 -p $port" 2>/dev/null || true
	pkill -f "sockperf sr --tcp -i 127.0.0.1 -p $((port + 1))" 2>/dev/null || true
	rm -rf "$tmp" "$data"
	release_tracefs
}
trap cleanup EXIT

# pinned: the disk workload to CPU 1; the ping-pong client to CPU 1, its server to CPU 0
# or 1 (unpinned, the round-trip rate doubles or halves with where the scheduler puts them)
fio_job=(taskset -c 1 fio --name=rr --filename="$data/fio.dat" --size=256M --rw=randread --bs=4k --direct=1
	--ioengine=psync --iodepth=1 --runtime="$SECS" --time_based --output-format=json)
"${fio_job[@]}" --runtime=1 > /dev/null # lay the file out once

iops() { jq '.jobs[0].read.iops' "$1"; }

# Run a peer tool in the background around "$@"; the tool is stopped with SIGINT after.
with_peer() {
	local ready=$1 tool
	shift 1
	"${PEER[@]}" > "$tmp/peer.out" 2>&1 &
	tool=$!
	wait_for "$tmp/peer.out" "$ready" || true
	sleep 0.3
	"$@"
	kill -INT "$tool" 2>/dev/null || true
	for _ in $(seq 1 50); do kill -0 "$tool" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$tool" 2>/dev/null || true
	wait "$tool" 2>/dev/null || true
}

taskset -c 0 sockperf sr --tcp -i 127.0.0.1 -p "$port" > /dev/null 2>&1 &
taskset -c 1 sockperf sr --tcp -i 127.0.0.1 -p "$((port + 1))" > /dev/null 2>&1 &
sleep 0.5
xpp=(taskset -c 1 sockperf pp --tcp -i 127.0.0.1 -p "$port" -t "$SECS" --mps=max)
pp=(taskset -c 1 sockperf pp --tcp -i 127.0.0.1 -p "$((port + 1))" -t "$SECS" --mps=max)
rtps() { # round trips per second from sockperf's output
	awk '/Valid Duration/ { for (i = 1; i <= NF; i++) { if ($i ~ /^RunTime=/) { sub("RunTime=", "", $i); t = $i }
		if ($i ~ /^ReceivedMessages=/) { sub("ReceivedMessages=", "", $i); n = $i } } }
		END { if (t > 0) printf "%.0f\n", n / t }' "$1"
}

run() {
	case $1 in
	disk_none) "${fio_job[@]}" > "$tmp/o.json"; iops "$tmp/o.json" ;;
	disk_procscope)
		"$PROCSCOPE" -o "$tmp/report.out" -- "${fio_job[@]}" > "$tmp/o.json"
		iops "$tmp/o.json" ;;
	disk_biolatency)
		PEER=(stdbuf -oL biolatency)
		with_peer Tracing "${fio_job[@]}" > "$tmp/o.json"
		iops "$tmp/o.json" ;;
	xnet_none) "${xpp[@]}" > "$tmp/s.out" 2>&1; rtps "$tmp/s.out" ;;
	xnet_procscope) "$PROCSCOPE" -o "$tmp/report.out" -- "${xpp[@]}" > "$tmp/s.out" 2>&1; rtps "$tmp/s.out" ;;
	xnet_tcplife)
		PEER=(stdbuf -oL tcplife)
		with_peer PID "${xpp[@]}" > "$tmp/s.out" 2>&1
		rtps "$tmp/s.out" ;;
	net_none) "${pp[@]}" > "$tmp/s.out" 2>&1; rtps "$tmp/s.out" ;;
	net_procscope) "$PROCSCOPE" -o "$tmp/report.out" -- "${pp[@]}" > "$tmp/s.out" 2>&1; rtps "$tmp/s.out" ;;
	net_procscope_net_only)
		"$PROCSCOPE" --only net -o "$tmp/report.out" -- "${pp[@]}" > "$tmp/s.out" 2>&1
		rtps "$tmp/s.out" ;;
	net_tcplife)
		PEER=(stdbuf -oL tcplife)
		with_peer PID "${pp[@]}" > "$tmp/s.out" 2>&1
		rtps "$tmp/s.out" ;;
	esac
}

modes=(disk_none disk_procscope disk_biolatency xnet_none xnet_procscope xnet_tcplife
	net_none net_procscope net_procscope_net_only net_tcplife)
interleave "$tmp/raw" run


heading "Disk: fio 4 KiB random direct reads, psync QD1 (${SECS}s, $REPS repetitions)"
echo
loss_table "$tmp/raw" disk IOPS
echo
heading "Network: sockperf TCP ping-pong on loopback, client and server on two CPUs (${SECS}s, $REPS repetitions)"
echo
loss_table "$tmp/raw" xnet "round trips/s"
echo
heading "Network: the same on one CPU, the worst case (${SECS}s, $REPS repetitions)"
echo
loss_table "$tmp/raw" net "round trips/s"
cp "$tmp/raw" "$OUT/io_net_overhead.raw"
