# shellcheck shell=bash
# Scheduler accounting against workloads with known CPU use and blocking.

# A process's thread-time split, as "oncpu runq blocked wall".
split_of() {
	report "$1" | jq -r --arg c "$2" '.processes[] | select(.comm == $c) |
		"\(.sched.oncpu_ns) \(.sched.runq_ns) \(.sched.blocked_ns) \(.wall_ns)"'
}

test_cpu_bound_oncpu_matches_runtime() {
	"$PROCSCOPE" --json -o out.json -- "$WL/spin" 500
	read -r oncpu runq blocked wall <<< "$(split_of out.json spin)"
	assert_within "$oncpu" "$wall" 10 "on-CPU vs the process's runtime: $oncpu $runq $blocked $wall"
	# it burns 500 ms of CPU time; on a VM, time stolen by the host while it holds the
	# CPU counts as on-CPU wall time, not as CPU time: hence only a lower bound
	assert_ge "$oncpu" 490000000 "on-CPU vs the 500 ms it burns"
	assert_within "$((oncpu + runq + blocked))" "$wall" 2 "the split adds up to the wall time"
}

test_contention_shows_runq_wait() {
	# two spinners on CPU 0 (not traced), then the traced spinner on the same CPU
	bg taskset -c 0 "$WL/spin" 5000
	bg taskset -c 0 "$WL/spin" 5000
	sleep 0.2
	"$PROCSCOPE" --json -o busy.json -- taskset -c 0 "$WL/spin" 400
	read -r oncpu runq blocked wall <<< "$(split_of busy.json spin)"
	# sharing one CPU three ways: it waits about twice as long as it runs
	assert_ge "$runq" "$((oncpu / 2))" "run-queue wait of the order of on-CPU time"
	assert_within "$((oncpu + runq + blocked))" "$wall" 2 "split adds up"
	cleanup_bg
	BG_PIDS=()
	"$PROCSCOPE" --json -o idle.json -- taskset -c 0 "$WL/spin" 400
	read -r oncpu runq blocked wall <<< "$(split_of idle.json spin)"
	assert_le "$runq" "$((oncpu / 5))" "little run-queue wait without contention"
	assert_ge "$(q busy.json '.target.sched.runq_latency.count')" 10
}

test_context_switches_match_kernel() {
	# the workload prints the kernel's own counters at its start and before it exits
	"$PROCSCOPE" --json -o out.json -- "$WL/sleeper" 40 2 > wl.out
	local v iv kv0 kiv0 kv kiv
	read -r _ kv0 kiv0 < <(sed -n 1p wl.out)
	read -r _ kv kiv < <(sed -n 2p wl.out)
	v=$(q out.json '.processes[] | select(.comm == "sleeper") | .sched.voluntary_switches')
	iv=$(q out.json '.processes[] | select(.comm == "sleeper") | .sched.involuntary_switches')
	# every switch between its start and its end print, and at most what the kernel
	# counted in all (before attach: the block on procscope's start pipe, a preemption
	# in the launcher), give or take the exit path's last switch or two
	assert_ge "$v" "$((kv - kv0))" "voluntary vs /proc"
	assert_le "$v" "$((kv + 2))" "voluntary vs /proc"
	assert_ge "$iv" "$((kiv - kiv0))" "involuntary vs /proc"
	assert_le "$iv" "$((kiv + 2))" "involuntary vs /proc"
	assert_ge "$((kv - kv0))" 40
}

test_blocked_time_classified() {
	"$PROCSCOPE" --json -o out.json -- "$WL/sleeper" 20 10
	local p
	p=$(report out.json | jq -c '.processes[] | select(.comm == "sleeper")')
	assert_ge "$(jq .sched.wait.sleep_ns <<< "$p")" 195000000 "20 x 10ms asleep"
	assert_le "$(jq .sched.wait.sleep_ns <<< "$p")" 260000000
	assert_ge "$(jq .sched.blocked_by_state.interruptible_ns <<< "$p")" 195000000
	assert_within "$(jq '.sched.oncpu_ns + .sched.runq_ns + .sched.blocked_ns' <<< "$p")" \
		"$(jq .wall_ns <<< "$p")" 2 "split adds up"
}

test_parent_waiting_for_child() {
	"$PROCSCOPE" --json -o out.json -- sh -c "$WL/spin 300; true"
	local p
	p=$(report out.json | jq -c '.processes[] | select(.comm == "sh")')
	# the shell waits in wait4 for as long as its child spins
	assert_within "$(jq .sched.wait.child_ns <<< "$p")" 300000000 15 "child wait"
	assert_within "$(jq '.sched.oncpu_ns + .sched.runq_ns + .sched.blocked_ns' <<< "$p")" \
		"$(jq .wall_ns <<< "$p")" 2 "split adds up"
}
