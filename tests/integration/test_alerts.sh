# shellcheck shell=bash
# Alerts and baselines end to end: rules that must fire do, with the right record and
# exit status; rules that must not, do not; bad rules and baselines are usage errors
# that leave nothing behind; a run made slower on purpose is a regression against the
# baseline of the fast run, and the same run twice is not.

alerts_of() { jq -c 'select(.type == "alert")' "$1"; }

test_alert_fires_with_record_and_exit_status() {
	local rc=0 a
	"$PROCSCOPE" --json -o out.json --alert 'cpu > 100ms' --alert 'syscall.total > 10s' \
		--fail-on-alert -- "$WL/spin" 300 || rc=$?
	assert_eq "$rc" 3 "--fail-on-alert exit status"
	assert_eq "$(alerts_of out.json | wc -l)" 1 "one alert record"
	a=$(alerts_of out.json)
	assert_eq "$(jq -r .rule <<< "$a")" "cpu > 100ms"
	assert_eq "$(jq -r .metric <<< "$a")" cpu
	assert_eq "$(jq -r .op <<< "$a")" ">"
	assert_eq "$(jq -r .threshold <<< "$a")" 100000000
	assert_eq "$(jq -r .unit <<< "$a")" ns
	assert_eq "$(jq -r .scope <<< "$a")" target
	assert_eq "$(jq -r .final <<< "$a")" true
	assert_eq "$(jq -r .schema_version <<< "$a")" 4
	# the value is the report's own on-CPU time
	assert_eq "$(jq -r .value <<< "$a")" "$(q out.json .target.sched.oncpu_ns)"
	assert_ge "$(jq -r .value <<< "$a")" 290000000
	assert_eq "$(jq -r .offset_ns <<< "$a")" "$(q out.json .end_offset_ns)"
	# the report lists it too, after the record
	assert_eq "$(q out.json '.alerts | length')" 1
	assert_eq "$(q out.json '.alerts[0].rule')" "cpu > 100ms"
	assert_eq "$(tail -n 1 out.json | jq -r .type)" report
	# without --fail-on-alert: the command's status; in text mode: a line on stderr
	rc=0
	"$PROCSCOPE" -o out.txt --alert 'process[sh].child.share > 50%' -- sh -c "$WL/spin 200; exit 7" \
		2> err.txt || rc=$?
	assert_eq "$rc" 7 "the command's status"
	assert_match "$(cat err.txt)" "procscope: alert: process\[sh\]\.child\.share > 50%: [0-9.]+% \(pid [0-9]+ sh, whole run\)"
	grep -q '^ALERTS  (1 rule, 1 fired)' out.txt || die "no ALERTS section: $(cat out.txt)"
	# --fail-on-alert takes precedence over the command's status, even 1
	rc=0
	"$PROCSCOPE" -o out.txt --alert 'wall > 100ms' --fail-on-alert -- sh -c "$WL/spin 200; exit 1" \
		2> /dev/null || rc=$?
	assert_eq "$rc" 3
}

test_alert_that_must_not_fire() {
	local rc=0
	"$PROCSCOPE" --json -o out.json --alert 'cpu > 10s' --alert 'runq.p99 >= 1h' \
		--alert 'process.mem.oom_kills > 0' --fail-on-alert -- "$WL/spin" 100 2> err.txt || rc=$?
	assert_eq "$rc" 0
	assert_eq "$(alerts_of out.json | wc -l)" 0
	assert_eq "$(q out.json '.alerts | length')" 0
	assert_eq "$(cat err.txt)" ""
}

test_alert_malformed_rule_is_a_usage_error() {
	local rc=0
	"$PROCSCOPE" --json -o out.json --alert 'runq.p98 > 10ms' -- "$WL/spin" 10 2> err.txt || rc=$?
	assert_eq "$rc" 2
	assert_match "$(head -n 1 err.txt)" "invalid alert 'runq.p98 > 10ms': unknown metric 'runq.p98'"
	[ ! -e out.json ] || die "a report was written"
	rc=0
	"$PROCSCOPE" --alert 'runq.p99 > 10 parsecs' -- true 2> err.txt || rc=$?
	assert_eq "$rc" 2
	assert_match "$(head -n 1 err.txt)" "unit 'parsecs' does not fit a time metric"
	printf 'cpu > 1s\n# fine so far\nio.share > 50 percent\n' > rules
	rc=0
	"$PROCSCOPE" --alerts rules -- true 2> err.txt || rc=$?
	assert_eq "$rc" 2
	assert_match "$(head -n 1 err.txt)" "rules:3: invalid alert 'io.share > 50 percent'"
	assert_nothing_loaded
}

test_alert_persistence_over_intervals() {
	# a spinner is on a CPU most of every 100 ms interval (a fifth of it at least, even
	# with a build on both CPUs): 3 in a row fire once; 40 (it runs for 10) never
	"$PROCSCOPE" --json -o out.json -i 100ms \
		--alert 'process[spin].cpu.share > 20% for 3 intervals' \
		--alert 'process[spin].cpu.share > 20% for 40 intervals' -- "$WL/spin" 1000
	assert_eq "$(alerts_of out.json | wc -l)" 1
	local a
	a=$(alerts_of out.json)
	assert_eq "$(jq -r .for_intervals <<< "$a")" 3
	assert_eq "$(jq -r .final <<< "$a")" false
	assert_eq "$(jq -r .comm <<< "$a")" spin
	assert_eq "$(jq -r .pid <<< "$a")" "$(q out.json '.processes[] | select(.comm == "spin") | .pid')"
	# it fired on the third interval, right after that interval's record
	local off third
	off=$(jq -r .offset_ns <<< "$a")
	third=$(jq -c 'select(.type == "interval")' out.json | sed -n 3p | jq .end_offset_ns)
	assert_eq "$off" "$third" "fired at the end of the third interval"
	assert_eq "$(grep -B1 '"type":"alert"' out.json | head -n 1 | jq -r .type)" interval
}

test_alert_exec_gets_the_alert() {
	cat > hook.sh <<-EOF
	#!/bin/sh
	env | grep '^PROCSCOPE_ALERT_' | sort > "$T/hook.\$\$.env"
	echo "hook stdout"
	EOF
	chmod +x hook.sh
	"$PROCSCOPE" --json -o out.json --alert 'process.cpu > 100ms' --alert-exec "$T/hook.sh" \
		-- sh -c "$WL/spin 250" > stdout.txt 2> err.txt
	# procscope waits for the program at the end
	local env
	env=$(cat hook.*.env)
	assert_eq "$(ls hook.*.env | wc -l)" 1 "one alert, one run: $(cat err.txt)"
	assert_match "$env" "PROCSCOPE_ALERT_RULE=process.cpu > 100ms"
	assert_match "$env" "PROCSCOPE_ALERT_METRIC=cpu"
	assert_match "$env" "PROCSCOPE_ALERT_SCOPE=process"
	assert_match "$env" "PROCSCOPE_ALERT_COMM=spin"
	assert_match "$env" "PROCSCOPE_ALERT_FINAL=1"
	assert_match "$env" "PROCSCOPE_ALERT_THRESHOLD=100000000"
	assert_match "$env" "PROCSCOPE_ALERT_PID=$(q out.json '.processes[] | select(.comm == "spin") | .pid')"
	assert_match "$env" "PROCSCOPE_ALERT_VALUE=$(q out.json '.processes[] | select(.comm == "spin") | .sched.oncpu_ns')"
	# its output goes to stderr, not into the report
	assert_eq "$(cat stdout.txt)" ""
	grep -q "hook stdout" err.txt || die "hook output not on stderr: $(cat err.txt)"
	# a program that is not there: a usage error before anything runs
	local rc=0
	"$PROCSCOPE" --alert 'cpu > 1s' --alert-exec ./no-such-hook -- true 2> err.txt || rc=$?
	assert_eq "$rc" 2
	assert_match "$(cat err.txt)" "cannot execute './no-such-hook'"
}

test_baseline_flags_the_slow_run() {
	# the fast run, saved; then the same workflow with its second step 3x slower (a few
	# long sleeps: each sleep overshoots by the wake-up's latency, a busy machine's more).
	# The first step, the same in both, is a sleep too: a CPU-bound one took twice as
	# long once on a busy machine (30 -> 65 ms), a regression beyond the noise floor.
	"$PROCSCOPE" --save-baseline base.json -o report.out -- sh -c "sleep 0.05; $WL/sleeper 5 40 > /dev/null"
	assert_eq "$(wc -l < base.json)" 1
	assert_eq "$(jq -r .type base.json)" report
	local rc=0
	"$PROCSCOPE" --json -o slow.json --baseline base.json --alert 'wall > 1.5 * baseline' \
		--fail-on-alert -- sh -c "sleep 0.05; $WL/sleeper 5 120 > /dev/null" || rc=$?
	assert_eq "$rc" 3 "the baseline rule fired"
	assert_eq "$(q slow.json '.baseline.metrics[] | select(.name == "wall") | .verdict')" regression
	assert_eq "$(q slow.json '.baseline.metrics[] | select(.name == "sleep.wait") | .verdict')" regression
	# sleeps of 250 ms, then 650: +160%
	assert_within "$(q slow.json '.baseline.metrics[] | select(.name == "sleep.wait") | .change')" 1.6 10
	# the slow step, paired by name (its command line changed), is the regression
	assert_eq "$(q slow.json '[.baseline.steps[] | select(.verdict == "regression") | .comm] | sort | join(" ")')" "sh sleeper"
	assert_eq "$(q slow.json '.baseline.steps[] | select(.comm == "sleep") | .verdict')" same
	assert_eq "$(q slow.json '.baseline.steps[] | select(.comm == "sleeper") | .matched_by')" comm
	assert_match "$(q slow.json '[.findings[] | select(.kind == "regression")][0].summary')" \
		'^regression: wall time .* against .* in the baseline \(\+[0-9]+%\)'
	local a
	a=$(alerts_of slow.json)
	assert_eq "$(jq -r .baseline <<< "$a")" "$(jq -r .target.wall_ns base.json)"
	# the same run twice: nothing beyond noise
	"$PROCSCOPE" --json -o same.json --baseline base.json -- sh -c "sleep 0.05; $WL/sleeper 5 40 > /dev/null"
	assert_eq "$(q same.json '.baseline.regressions')" 0 "$(q same.json '.baseline')"
	assert_eq "$(q same.json '[.findings[] | select(.kind == "regression")] | length')" 0
	assert_eq "$(q same.json '.baseline.steps | length')" 3
	# text: the comparison section
	"$PROCSCOPE" -o slow.txt --baseline base.json -- sh -c "sleep 0.05; $WL/sleeper 5 120 > /dev/null"
	grep -q '^AGAINST THE BASELINE' slow.txt || die "no baseline section: $(cat slow.txt)"
	grep -Eq '^  wall .* REGRESSION$' slow.txt || die "wall not flagged: $(cat slow.txt)"
}

test_baseline_bad_file_is_a_usage_error() {
	local rc=0
	echo 'not a report' > bad.json
	"$PROCSCOPE" --baseline bad.json -o out.txt -- true 2> err.txt || rc=$?
	assert_eq "$rc" 2
	assert_match "$(cat err.txt)" "baseline 'bad.json' holds no procscope report record"
	[ ! -e out.txt ] || die "a report was written"
	rc=0
	"$PROCSCOPE" --baseline missing.json -- true 2> err.txt || rc=$?
	assert_eq "$rc" 2
	assert_match "$(cat err.txt)" "cannot read baseline 'missing.json'"
	# a --json output file (intervals, alerts, report) works as a baseline
	"$PROCSCOPE" --json -o run.json -i 100ms --alert 'cpu > 1ms' -- "$WL/spin" 250
	"$PROCSCOPE" --json -o again.json --baseline run.json -- "$WL/spin" 250
	assert_eq "$(q again.json '.baseline.metrics[] | select(.name == "cpu") | .baseline')" \
		"$(q run.json .target.sched.oncpu_ns)"
	assert_nothing_loaded
}

# A process that renames itself (a write to /proc/PID/comm, as prctl(PR_SET_NAME)) is
# known by its new name from then on: process[NAME] rules match it. A thread's rename
# is the thread's own, not the process's.
test_renamed_process_matches_its_new_name() {
	"$PROCSCOPE" --json -o out.json --alert 'process[renamed-wkr].cpu > 10ms' -- sh -c \
		'printf renamed-wkr > /proc/$$/comm; i=0; while [ $i -lt 300000 ]; do i=$((i + 1)); done'
	assert_eq "$(q out.json '[.processes[].comm] | join(" ")')" renamed-wkr
	assert_eq "$(alerts_of out.json | jq -r .comm)" renamed-wkr
	assert_eq "$(alerts_of out.json | jq -r .pid)" "$(q out.json '.processes[0].pid')"
	"$PROCSCOPE" --json -o out2.json -- /usr/bin/python3 -c 'import threading
def work():
    open("/proc/thread-self/comm", "w").write("a-thread")
t = threading.Thread(target=work); t.start(); t.join()'
	assert_eq "$(q out2.json '[.processes[].comm] | join(" ")')" python3 "a thread's rename"
}
