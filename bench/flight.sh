#!/usr/bin/env bash
# The flight recorder's cost: procscope as the service runs it (-a -i 10 --prometheus)
# alone, and with --flight-recorder 60s (no alert firing), side by side, REPS times
# each in turn, SECS seconds each under the same load: stress-ng --fork 2 (as an
# unprivileged user) and a make -j2 of procscope's own tree, so that there are state
# changes and processes to record. Medians of: the agent's CPU time per second and per
# process born, BPF time per program run, peak RSS, the recorder's memory and events
# dropped; then one SIGUSR1 dump: its size and the time to write it. Then the recorder
# alone for FLAT_SECS under the same load, its memory every 10 s: flat once a window
# is full, under its bound.
#   env: REPS (default 3), SECS (default 30), FLAT_SECS (default 150)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
REPS=${REPS:-3}
SECS=${SECS:-30}
FLAT_SECS=${FLAT_SECS:-150}
tmp=$(mktemp -d)
chmod 1777 "$tmp"
load=
ps=
cleanup() {
	[ -n "$load" ] && kill -- "-$load" 2> /dev/null || true
	[ -n "$ps" ] && kill "$ps" 2> /dev/null || true
	wait 2> /dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT
tar -C "$ROOT" --exclude=./build --exclude=./.git --exclude='./tests/workloads/bin' \
	--exclude=./procscope -cf "$tmp/src.tar" .

# the load for $1 seconds, in a process group of its own
start_load() {
	setsid bash -c "
		setpriv --reuid=65534 --regid=65534 --clear-groups \
			stress-ng --fork 2 -t $(($1 + 5)) --temp-path $tmp > /dev/null 2>&1 &
		mkdir -p $tmp/b && tar -C $tmp/b -xf $tmp/src.tar &&
			while :; do make -C $tmp/b -B -j2 procscope > /dev/null 2>&1; done" &
	load=$!
}

one() { # $1: mode, $2: rep; prints "cpu_ms bpf_ns_per_run rss_kib procs fr_bytes fr_dropped lost trace_lost"
	local mode=$1 rep=$2 port args=() r fp
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	[ "$mode" = recorder ] && args=(--flight-recorder 60s --flight-recorder-dir "$tmp/fr-$rep")
	"$PROCSCOPE" -v -a -i 10 --prometheus "127.0.0.1:$port" -d "$((SECS + 1))" --json \
		-o "$tmp/$mode-$rep.json" "${args[@]}" 2> "$tmp/$mode-$rep.err" &
	ps=$!
	wait_for "$tmp/$mode-$rep.err" attached
	start_load "$SECS"
	sleep "$SECS"
	curl -sf "http://127.0.0.1:$port/metrics" -o "$tmp/$mode-$rep.metrics" || : > "$tmp/$mode-$rep.metrics"
	# its footprint before any dump: the cost of recording, not of writing
	fp=$(proc_footprint "$ps")
	if [ "$mode" = recorder ] && [ "$rep" = 1 ]; then
		kill -USR1 "$ps"
		for _ in $(seq 100); do
			ls "$tmp/fr-$rep"/*.json > /dev/null 2>&1 && break
			sleep 0.1
		done
		grep 'flight recorder:' "$tmp/$mode-$rep.err" > "$tmp/dump.line" || true
		du -b "$tmp/fr-$rep"/*.pftrace "$tmp/fr-$rep"/*.json 2> /dev/null | awk '{ print $1 }' > "$tmp/dump.sizes" || true
		echo "$(awk '/^VmHWM:/ { print $2 }' "/proc/$ps/status")" > "$tmp/dump.hwm"
	fi
	kill -- "-$load" 2> /dev/null || true
	wait "$load" 2> /dev/null || true
	load=
	wait "$ps" || true
	ps=
	r=$(jq -c 'select(.type == "report") | .self' "$tmp/$mode-$rep.json")
	echo "${fp#* } $(jq '.bpf_ns_per_run' <<< "$r") ${fp%% *}" \
		"$(jq -r 'select(.type == "report") | .target.process_count' "$tmp/$mode-$rep.json")" \
		"$(awk '/^procscope_flight_recorder_bytes / { print $2 }' "$tmp/$mode-$rep.metrics" | grep . || echo 0)" \
		"$(awk '/^procscope_flight_recorder_events_dropped_total / { print $2 }' "$tmp/$mode-$rep.metrics" | grep . || echo 0)" \
		"$(jq '.ringbuf_drops // 0' <<< "$r")" "$(jq '.trace_drops // 0' <<< "$r")"
}

: > "$tmp/raw"
for rep in $(seq 1 "$REPS"); do
	for mode in prometheus recorder; do
		echo "bench: flight recorder, $mode, rep $rep" >&2
		echo "$mode $(one "$mode" "$rep")" >> "$tmp/raw"
	done
done

# the recorder alone for FLAT_SECS: "t rss_kib recorder_bytes dropped" every 10 s
flat() {
	local port t m
	port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
	"$PROCSCOPE" -v -a -i 10 --prometheus "127.0.0.1:$port" -d "$((FLAT_SECS + 1))" -o /dev/null \
		--flight-recorder 60s --flight-recorder-dir "$tmp/fr-flat" 2> "$tmp/flat.err" &
	ps=$!
	wait_for "$tmp/flat.err" attached
	start_load "$FLAT_SECS"
	for t in $(seq 10 10 "$FLAT_SECS"); do
		sleep 10
		curl -sf "http://127.0.0.1:$port/metrics" -o "$tmp/flat.metrics" || : > "$tmp/flat.metrics"
		echo "$t $(awk '/^VmRSS:/ { print $2 }' "/proc/$ps/status")" \
			"$(awk '/^procscope_flight_recorder_bytes / { print $2 }' "$tmp/flat.metrics" | grep . || echo 0)" \
			"$(awk '/^procscope_flight_recorder_events_dropped_total / { print $2 }' "$tmp/flat.metrics" | grep . || echo 0)"
	done > "$tmp/flat"
	kill -- "-$load" 2> /dev/null || true
	wait "$load" 2> /dev/null || true
	load=
	wait "$ps" || true
	ps=
}
echo "bench: flight recorder, memory over ${FLAT_SECS}s" >&2
flat

col() { awk -v m="$1" -v c="$2" '$1 == m && $c != "" { print $c }' "$tmp/raw" | median; }
per_proc() { awk -v m="$1" '$1 == m && $5 > 0 { printf "%.2f\n", $2 * 1000 / $5 }' "$tmp/raw" | median; }
heading "Flight recorder: its cost in a monitor (bench/flight.sh)"
echo
echo "\`-a -i 10 --prometheus\`, alone and with \`--flight-recorder 60s\` (no alert firing), ${SECS} s"
echo "each under \`stress-ng --fork 2\` and a \`make -j2\`, $REPS times in turn; medians."
echo
echo "| figure | --prometheus | + --flight-recorder 60s | ratio |"
echo "|---|---:|---:|---:|"
for spec in "agent CPU (ms):2" "agent CPU per process seen (us):pp" "BPF ns per program run:3" \
	"peak RSS (KiB):4" "processes seen:5" "ring buffer records lost:8" \
	"timeline records lost (self.trace_drops):9"; do
	name=${spec%%:*} c=${spec#*:}
	if [ "$c" = pp ]; then a=$(per_proc prometheus) b=$(per_proc recorder)
	else a=$(col prometheus "$c") b=$(col recorder "$c"); fi
	echo "| $name | $a | $b | $(awk -v a="$a" -v b="$b" 'BEGIN { if (a > 0) printf "%.2f", b / a; else print "-" }') |"
done
echo "| recorder's events held (bytes) | - | $(col recorder 6) | |"
echo "| recorder's events dropped past its bound | - | $(col recorder 7) | |"
echo
echo "A dump on SIGUSR1 at the end of the first run: $(sed 's/.*flight recorder: [^:]*: //' "$tmp/dump.line" 2> /dev/null || echo none);"
echo "files $(paste -sd+ "$tmp/dump.sizes" 2> /dev/null || echo '?') bytes (trace + report); peak RSS after it"
echo "$(cat "$tmp/dump.hwm" 2> /dev/null || echo '?') KiB."
echo
echo "The recorder alone for ${FLAT_SECS} s under the same load (the endpoint refreshed every 10 s):"
echo
echo "| time (s) | agent RSS (MiB) | recorder's memory (MiB) | events dropped |"
echo "|---:|---:|---:|---:|"
awk '{ printf "| %d | %.1f | %.1f | %d |\n", $1, $2 / 1024, $3 / 1048576, $4 }' "$tmp/flat"
