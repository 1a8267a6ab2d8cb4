# shellcheck shell=bash
# --flight-recorder: a monitor keeps the last window of the timeline, and writes it --
# a Perfetto trace and a JSON report of the same window -- when an alert fires, on
# SIGUSR1 and on a POST from a user with a password; each rule at most once a window,
# the newest --flight-recorder-keep dumps kept.

# The dumps in directory $1 whose names end in $2, one per line, oldest first.
dumps() { find "$1" -maxdepth 1 -name "procscope-*$2" -printf '%f\n' | sort; }

# A cgroup quiet for 10 s (a shell asleep in it), then 4 CPU hogs on 2 CPUs: the alert
# on its run queue fires, and the dump holds the burst, the hogs' execs and the quiet
# 10 s before them; its report's findings name the hogs.
test_flight_recorder_dumps_the_window_before_an_alert() {
	local ps j pids pid exec_ts first_ts
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	"$PROCSCOPE" -v -c "$CG_REL" -i 1 --flight-recorder 20s --flight-recorder-dir fr \
		--alert 'runq.p99 > 1ms for 2 intervals' -o report.txt -d 90 2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	sh -c "echo \$\$ > $CG/cgroup.procs && sleep 10 &&
		for i in 1 2 3 4; do $WL/spin 1500 & done; wait"
	wait_for_cmd "[ -n \"\$(dumps fr .json)\" ]"
	kill -TERM "$ps"
	wait "$ps" || die "procscope failed: $(tail -3 err.txt)"
	# one dump: the rule fired once (the burst), its name says which
	assert_eq "$(dumps fr .json | wc -l) $(dumps fr .pftrace | wc -l)" "1 1" "dumps"
	j=fr/$(dumps fr .json)
	assert_match "$j" '^fr/procscope-[0-9]{8}T[0-9]{6}\.[0-9]{3}Z-runq\.p99-1ms-for-2-intervals\.json$'
	assert_eq "$(jq -r '.flight_recorder | "\(.reason) \(.rule) \(.trace)"' "$j")" \
		"alert runq.p99 > 1ms for 2 intervals $(dumps fr .pftrace)"
	assert_ge "$(jq .flight_recorder.value "$j")" 1000000 "the run-queue p99 that fired"
	grep -q "flight recorder: .*$(basename "$j" .json)" err.txt || die "no line said the dump"
	# the window: from attach (the run is younger than 20 s then) past the burst
	assert_eq "$(jq .flight_recorder.start_ns "$j")" 0 "the window's start"
	assert_ge "$(jq .flight_recorder.end_ns "$j")" 10000000000 "the window's end"
	decode_trace "fr/$(dumps fr .pftrace)"
	t=fr/$(dumps fr .pftrace).json
	assert_eq "$(jq .overlaps "$t") $(jq .misnested "$t")" "0 0" "state slices that overlap, misnest"
	# the hogs: an exec instant each, their slices running and waiting for a CPU
	pids=$(jq -r '.report.processes[] | select(.comm == "spin") | .pid' "$j")
	assert_eq "$(echo "$pids" | wc -w)" 4 "hogs in the dump's report: $pids"
	for pid in $pids; do
		assert_eq "$(jq --argjson p "$pid" '[.instants[] | select(.pid == $p and .name == "exec")] | length' "$t")" 1 \
			"pid $pid's exec"
		assert_ge "$(jq --arg p "$pid" '.state_ns[$p].running // 0' "$t")" 100000000 "pid $pid running"
		assert_ge "$(jq --arg p "$pid" '.state_ns[$p]["waiting for a CPU"] // 0' "$t")" 1 \
			"pid $pid waiting for a CPU"
	done
	# and the quiet 10 s before them: the sleeping shell's slices from the start
	exec_ts=$(jq '[.instants[] | select(.name == "exec") | .ts] | min' "$t")
	first_ts=$(jq '[.spans[][0]] | min' "$t")
	assert_ge "$((exec_ts - first_ts))" 9000000000 "time in the trace before the first hog's exec"
	# the findings of the window name the hogs
	jq -r '.report.findings[] | select(.kind == "cpu_contention") | .summary' "$j" > found.txt
	grep -q '`spin`' found.txt || die "no contention finding names spin: $(jq -c '[.report.findings[].kind]' "$j")"
}

# SIGUSR1 dumps on demand (at most one a second); an alert of 100 processes in a few
# seconds dumps once per window, the rest counted; the directory keeps the newest 3.
test_flight_recorder_rate_limits_and_bounds() {
	local ps port i alerts n_sig=4
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	port=$(free_port)
	"$PROCSCOPE" -v -c "$CG_REL" -i 1 --flight-recorder 30s --flight-recorder-dir fr \
		--flight-recorder-keep 3 --alert 'process[true].wall >= 0' \
		--prometheus "127.0.0.1:$port" -o report.txt -d 90 2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	sh -c "echo \$\$ > $CG/cgroup.procs && for i in \$(seq 100); do /bin/true; sleep 0.05; done"
	# every true reported (an alert each, in an interval) before the signals
	wait_for_cmd "[ \$(grep 'alert: process\\[true\\]' err.txt | grep -c 'interval ending') -eq 100 ]"
	for i in $(seq "$n_sig"); do
		kill -USR1 "$ps"
		sleep 1.3
	done
	# into a file, not a pipe: grep -q leaving early would make curl fail (pipefail)
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o metrics.txt &&
		grep -q '^procscope_flight_recorder_dumps_total{reason=\"signal\"} $n_sig\$' metrics.txt"
	promtool check metrics < metrics.txt > promtool.txt 2>&1 || die "promtool: $(cat promtool.txt)"
	kill -TERM "$ps"
	wait "$ps" || die "procscope failed: $(tail -3 err.txt)"
	alerts=$(grep 'alert: process\[true\]' err.txt | grep -c 'interval ending')
	assert_eq "$alerts" 100 "alerts in intervals: one per true"
	# one dump for the rule in its 30 s window; every other alert counted
	assert_eq "$(awk '/^procscope_flight_recorder_dumps_total\{reason="alert"\}/ { print $2 }' metrics.txt)" 1
	assert_eq "$(awk '/^procscope_flight_recorder_dumps_limited_total / { print $2 }' metrics.txt)" 99
	assert_eq "$(awk '/^procscope_flight_recorder_dump_failures_total / { print $2 }' metrics.txt)" 0
	# five dumps written, the newest three kept: the signals', whole, and nothing else
	assert_eq "$(grep -c 'flight recorder: fr/' err.txt)" $((n_sig + 1)) "dumps said"
	assert_eq "$(dumps fr .json | sed 's/^procscope-[0-9T.]*Z-//' | paste -sd' ')" \
		"SIGUSR1.json SIGUSR1.json SIGUSR1.json"
	assert_eq "$(dumps fr .pftrace | wc -l)" 3
	assert_eq "$(find fr -mindepth 1 | wc -l)" 6 "files in the directory (no temporary one left)"
	for j in fr/*.json; do
		assert_eq "$(jq -r .flight_recorder.reason "$j")" signal
		decode_trace "${j%.json}.pftrace"
	done
}

# POST /flight-recorder: a dump for a user with a password, 401 for a wrong one; an
# endpoint without users refuses it (anyone could fill the disk).
test_flight_recorder_dump_by_request() {
	local ps port url
	web_config_files
	port=$(free_port)
	url=https://127.0.0.1:$port/flight-recorder
	"$PROCSCOPE" --prometheus "127.0.0.1:$port" --web-config web.yml --flight-recorder 10s \
		--flight-recorder-dir fr -o report.txt -- sh -c "$WL/spin 200; : > spun; sleep 30" \
		2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for_cmd "curl -sf --cacert cert.pem -u alice:s3cret https://127.0.0.1:$port/metrics"
	# the endpoint answers before the programs are loaded: asked then, the window would
	# end before the command ran (it failed so once under ASan, whose load is slower)
	wait_for_cmd "[ -e spun ]"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -u alice:wrong -X POST "$url")" \
		401 "a wrong password"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -u alice:s3cret -X POST \
		"https://127.0.0.1:$port/elsewhere")" 404 "a POST elsewhere"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' --cacert cert.pem -u alice:s3cret -X POST "$url")" \
		202 "the right one"
	wait_for_cmd "[ -n \"\$(dumps fr -request.json)\" ]"
	assert_eq "$(jq -r .flight_recorder.reason "fr/$(dumps fr -request.json)")" request
	# (its sleep too, if it had begun by then)
	assert_eq "$(jq -r '[.report.processes[].comm | select(. != "sleep")] | sort | join(",")' \
		"fr/$(dumps fr -request.json)")" "sh,spin" "the command's processes in the window"
	kill -TERM "$ps"
	wait "$ps" || true
	# no users: a POST is refused
	port=$(free_port)
	"$PROCSCOPE" --prometheus "127.0.0.1:$port" --flight-recorder 10s --flight-recorder-dir fr2 \
		-o report2.txt -- sleep 30 2> err2.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics"
	assert_eq "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$port/flight-recorder")" \
		403 "a POST from anyone"
	kill -TERM "$ps"
	wait "$ps" || true
	assert_eq "$(dumps fr2 .json | wc -l)" 0 "dumps without a user"
}

test_flight_recorder_refused_before_loading() {
	check_error 2 "'--flight-recorder-dir' needs '--flight-recorder'" --flight-recorder-dir fr -- true
	check_error 2 "'--flight-recorder-keep' needs '--flight-recorder'" --flight-recorder-keep 3 -- true
	check_error 2 "'--flight-recorder' needs 'sched'" --flight-recorder 10s --no-sched -- true
	check_error 2 "invalid '--flight-recorder 10ms' (a duration from 1s to 1h)" --flight-recorder 10ms -- true
	check_error 2 "invalid '--flight-recorder 2h' (a duration from 1s to 1h)" --flight-recorder 2h -- true
	check_error 2 "invalid '--flight-recorder-max 4K' (a size of at least 1M)" --flight-recorder 10s \
		--flight-recorder-max 4K -- true
	touch plain
	check_error 1 "--flight-recorder-dir 'plain/fr': Not a directory" --flight-recorder 10s \
		--flight-recorder-dir plain/fr -- true
}
