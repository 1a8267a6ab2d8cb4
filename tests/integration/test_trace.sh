# shellcheck shell=bash
# --trace and --html. The trace is decoded twice: by protoc against the message
# definitions of Perfetto's format (tests/integration/data/perfetto_subset.proto), and by
# a wire decoder of the tests' own (tools/pftrace.py), whose sums of the state slices
# must equal the report's totals exactly: the same intervals make both. The page is
# loaded in Debian's Chromium (headless, driven by playwright-core): no console error,
# no request, the findings and steps drawn, a click zooms the timeline.

test_trace_states_equal_the_report() {
	local pids pid key state
	"$PROCSCOPE" --trace t.pftrace --json -o out.json -- sh -c \
		"$WL/spin 300; $WL/sleeper 5 20 > /dev/null; dd if=/dev/zero of=$T/d bs=1M count=8 \
		oflag=direct 2> /dev/null; exit 3" || [ $? -eq 3 ]
	decode_trace t.pftrace
	assert_eq "$(jq .overlaps t.pftrace.json)" 0 "overlapping state slices on a thread"
	assert_eq "$(jq .misnested t.pftrace.json)" 0 "slices that do not nest"
	# every process that exited: each state's slices add up to its total in the report
	pids=$(report out.json | jq -r '.processes[] | select(.running == false) | .pid')
	[ "$(echo "$pids" | wc -w)" -ge 4 ] || die "too few processes: $pids"
	for pid in $pids; do
		for key in "running:.oncpu_ns" "waiting for a CPU:.runq_ns" "disk:.wait.io_ns" \
			"sleep:.wait.sleep_ns" "child:.wait.child_ns" "blocked (other):.wait.other_ns"; do
			state=${key%%:*}
			assert_eq "$(jq --arg p "$pid" --arg s "$state" '.state_ns[$p][$s] // 0' t.pftrace.json)" \
				"$(report out.json | jq --argjson p "$pid" ".processes[] | select(.pid == \$p) | .sched${key#*:}")" \
				"pid $pid, '$state' in the trace and the report"
		done
	done
	# the tree, forks as flows, exec and exit
	assert_eq "$(jq -c '[.tree[] | [.pid, .ppid]] | sort' t.pftrace.json)" \
		"$(report out.json | jq -c '[.processes[] | [.pid, .ppid]] | sort')" "process tree"
	assert_eq "$(jq '.flows.unmatched' t.pftrace.json)" 0 "flows without an end"
	assert_ge "$(jq '.flows.out' t.pftrace.json)" 4 "forks and wake-ups as flows"
	pid=$(q out.json '.processes[] | select(.comm == "sh") | .pid')
	assert_eq "$(jq --argjson p "$pid" '[.instants[] | select(.pid == $p and .name == "exit: 3")] | length' \
		t.pftrace.json)" 1 "sh's exit status"
	assert_eq "$(jq '[.instants[] | select(.name == "exec")] | length' t.pftrace.json)" \
		"$(q out.json '[.processes[] | select(.cmdline != null and .comm != "sh")] | length + 1')" \
		"an exec instant per program"
	# the critical path's segments ("spin 42: oncpu"), its processes in the order it met them
	assert_eq "$(jq -c '[.slices["critical path"][] | sub(": [a-z]+$"; "")] |
		reduce .[] as $n ([]; if index([$n]) then . else . + [$n] end)' t.pftrace.json)" \
		"$(q out.json '[.critical_path[] | "\(.comm) \(.pid)"]' | jq -c .)" "the critical path"
	assert_eq "$(jq -c '.slices | to_entries[] | select(.key | startswith("findings")) | .value' \
		t.pftrace.json)" "$(q out.json '[.findings[].summary]' | jq -c .)" "the findings"
	# counters: spin kept one CPU busy for 300 ms; dd wrote 8 MiB
	assert_within "$(jq '.counters["CPU used by the target (cores)"] | max' t.pftrace.json)" 1 10 \
		"CPU counter at spin's busiest 100 ms"
	assert_ge "$(jq '.counters["disk bytes/s"] | max' t.pftrace.json)" 1000000 "disk counter"
	# the threads are named, and grouped under their processes
	assert_eq "$(jq '[.threads[] | select(.pid == null or .tid == null)] | length' t.pftrace.json)" 0
	assert_eq "$(jq -r '.threads[] | select(.name == "spin") | .pid' t.pftrace.json)" \
		"$(q out.json '.processes[] | select(.comm == "spin") | .pid')"
}

# A process traced before its exec (a shell that sleeps, then execs the program): its
# main thread named as it is after the exec, as its process is, not as first seen.
test_trace_names_threads_after_their_exec() {
	"$PROCSCOPE" --trace t.pftrace --json -o out.json -- sh -c "sleep 0.2; exec $WL/spin 100"
	decode_trace t.pftrace
	assert_eq "$(q out.json '[.processes[] | .comm] | join(",")')" "spin,sleep"
	assert_eq "$(jq -r --argjson p "$(q out.json '.processes[0].pid')" \
		'.threads[] | select(.tid == $p) | .name' t.pftrace.json)" spin
}

test_trace_wakeups_between_threads() {
	local pid
	"$PROCSCOPE" --trace t.pftrace --json -o out.json -- "$WL/pingpong" 0.3 > /dev/null
	decode_trace t.pftrace
	pid=$(q out.json '.processes[] | select(.comm == "pingpong") | .pid')
	# two threads bouncing a byte: every time one blocks, the other wakes it, a flow from
	# the waker's thread to the woken thread's next slice
	assert_eq "$(jq --argjson p "$pid" '[.threads[] | select(.pid == $p)] | length' t.pftrace.json)" 2
	assert_ge "$(jq .flows.out t.pftrace.json)" 1000 "wake-ups"
	# (a wake-up that comes while its thread is still leaving its CPU ends no block:
	# a few per thousand on a loaded machine)
	assert_within "$(jq .flows.out t.pftrace.json)" \
		"$(q out.json '.processes[] | select(.comm == "pingpong") | .sched.voluntary_switches')" 3 \
		"wake-ups by the other thread, and the blocks they end"
	assert_eq "$(jq .flows.unmatched t.pftrace.json)" 0
	assert_eq "$(jq .overlaps t.pftrace.json)" 0
	assert_eq "$(jq --arg p "$pid" '.state_ns[$p]["running"]' t.pftrace.json)" \
		"$(q out.json '.processes[] | select(.comm == "pingpong") | .sched.oncpu_ns')"
}

test_trace_no_wakeups_from_interrupts() {
	local pid
	# spin wakes no one but sh, at its exit, while the sleeper's timers fire on its CPU
	# too (interrupts of its user mode, on its own stack): wake-ups are drawn only for
	# waits that a task ends from its own context
	"$PROCSCOPE" --trace t.pftrace --json -o out.json -- sh -c \
		"$WL/spin 600 & $WL/sleeper 40 5 > /dev/null; wait"
	decode_trace t.pftrace
	pid=$(q out.json '.processes[] | select(.comm == "spin") | .pid')
	assert_eq "$(jq --arg p "$pid" '.wakes[$p] // 0' t.pftrace.json)" 1 "wake-ups drawn from spin"
	# sh's wait for its children: ended by their exits, drawn
	assert_ge "$(jq '[.wakes[]] | add // 0' t.pftrace.json)" 1 "a child's exit waking sh"
}

test_trace_max_bounds_the_file() {
	"$PROCSCOPE" --trace t.pftrace --trace-max 64K --json -o out.json -- "$WL/pingpong" 0.3 \
		> /dev/null 2> err.txt
	grep -q "the trace is incomplete: [1-9][0-9]* records past --trace-max" err.txt ||
		die "no word of the records left out: $(cat err.txt)"
	decode_trace t.pftrace
	# the events stop at the bound; descriptors and annotations come on top
	assert_le "$(stat -c %s t.pftrace)" $((64 * 1024 + 16 * 1024)) "trace size"
	jq -e '.slices | to_entries[] | select(.key | startswith("findings")) | .value[] |
		select(startswith("procscope: this trace is incomplete"))' t.pftrace.json > /dev/null ||
		die "the trace does not say it is incomplete"
	# the report is whole all the same
	assert_ge "$(q out.json '.processes[] | select(.comm == "pingpong") | .sched.voluntary_switches')" 1000
}

test_trace_bad_options() {
	check_error 2 "invalid '--trace-max 12x'" --trace t.pftrace --trace-max 12x -- true
	check_error 2 "'--trace-max' needs '--trace'" --trace-max 1M -- true
	check_error 2 "'--trace' needs 'sched'" --trace t.pftrace --no-sched -- true
	[ ! -e t.pftrace ] || die "a trace was left behind"
}

# playwright-core, from npm, into build/node (once)
ensure_playwright() {
	local dir=$ROOT/build/node
	[ -x /usr/bin/chromium ] || die "Debian's chromium is not installed (tools/install-deps.sh test)"
	if [ ! -d "$dir/node_modules/playwright-core" ]; then
		mkdir -p "$dir"
		npm install --prefix "$dir" --no-audit --no-fund --silent playwright-core@1.49.1 > npm.log 2>&1 ||
			die "npm install playwright-core: $(tail -5 npm.log)"
	fi
	export NODE_PATH=$dir/node_modules
}

test_html_report_in_chromium() {
	local steps
	ensure_playwright
	"$PROCSCOPE" --offcpu --html page.html --json -o out.json -- sh -c \
		"$WL/spin 200; $WL/sleeper 3 30 > /dev/null; $WL/spin 100"
	# nothing from outside: no src, href or url() but data: and fragments
	if grep -Eo '(src|href)="[^"#d][^"]*"|url\([^d)]' page.html | grep -v 'data:' > ext.txt; then
		die "the page refers to outside resources: $(head -3 ext.txt)"
	fi
	steps=$(q out.json '[.processes[] | "\(.comm) \(.pid)"]' | jq -c .)
	node "$ROOT/tests/integration/tools/html_check.js" page.html shot.png > check.json ||
		die "the browser check failed: $(cat check.json)"
	assert_eq "$(jq -c .errors check.json)" "[]" "console errors"
	assert_eq "$(jq -c .requests check.json)" "[]" "requests made"
	assert_eq "$(jq -c --argjson s "$steps" '$s - .labels' check.json)" "[]" "steps missing from the timeline"
	assert_eq "$(jq -c .findings check.json)" "$(q out.json '[.findings[].summary]' | jq -c .)" "findings"
	assert_ge "$(q out.json '.findings | length')" 1
	assert_ge "$(jq .bar_segments check.json)" 2 "breakdown bar"
	# a click zooms the timeline in: the view is half as wide, around the click
	jq -e '.zoom.before_width > 0 and (.zoom.after_width * 2 - .zoom.before_width | fabs) < 4' \
		check.json > /dev/null || die "the click did not zoom: $(jq -c .zoom check.json)"
	jq -e '.tip | contains("on the critical path")' check.json > /dev/null ||
		die "no details on hover: $(jq -c .tip check.json)"
	assert_eq "$(jq .flame check.json)" true "the flame graph's frames"
	grep -q 'sleeper' <(jq -r .text check.json) || die "the text report's tables are missing"
	[ "$(head -c 4 shot.png | od -An -c | tr -d ' ')" = "211PNG" ] || die "no screenshot"
	assert_ge "$(stat -c %s shot.png)" 20000 "screenshot size"
}
