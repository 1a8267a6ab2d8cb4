# shellcheck shell=bash
# Syscall tracing against workloads whose syscalls are known exactly.

test_getppid_count_exact() {
	"$PROCSCOPE" --json -o out.json -- "$WL/getppid_n" 100000
	assert_eq "$(sc_count out.json .target getppid)" 100000 "target"
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm == "getppid_n")] | length')" 1
	assert_eq "$(report out.json | jq '.processes[] | select(.comm == "getppid_n") |
		[.syscalls[] | select(.name == "getppid") | .count] | add')" 100000 "process"
	assert_eq "$(report out.json | jq '.processes[] | select(.comm == "getppid_n") |
		.syscalls[] | select(.name == "getppid") | .errors')" 0
}

test_adaptive_timing_keeps_counts_exact() {
	# 200k calls in a tight loop: far past the per-row budget, so latency is sampled
	"$PROCSCOPE" --json -o adaptive.json -- "$WL/getppid_n" 200000
	"$PROCSCOPE" --json -o all.json --syscall-timing=all -- "$WL/getppid_n" 200000
	local a b
	a=$(report adaptive.json | jq -c '.target.syscalls[] | select(.name == "getppid")')
	b=$(report all.json | jq -c '.target.syscalls[] | select(.name == "getppid")')
	assert_eq "$(jq .count <<< "$a")" 200000
	assert_eq "$(jq .count <<< "$b")" 200000
	assert_eq "$(jq .timed <<< "$b")" 200000 "every call timed"
	assert_ge "$(jq .timed <<< "$a")" 256 "the budget is timed"
	assert_le "$(jq .timed <<< "$a")" 100000 "most calls sampled"
	# the weighted estimate of the total agrees with the full measurement within a factor
	# of 4 below and 2 above -- the two runs differ in overhead (timing every call costs:
	# on this VM's kvm-clock each read is ~75 ns, inside every timed interval of the
	# second run, the first run's calls are mostly untimed and faster) and noise, and a
	# call preempted while sampled stands for many; an unweighted sum would be off by
	# the sampling ratio (16, and over 100 with the budget)
	assert_ge "$(jq .latency.total_ns <<< "$a")" "$(($(jq .latency.total_ns <<< "$b") / 4))" "estimated total"
	assert_le "$(jq .latency.total_ns <<< "$a")" "$(($(jq .latency.total_ns <<< "$b") * 2))" "estimated total"
	# a rare syscall in the same process is timed every time
	assert_eq "$(report adaptive.json | jq '[.target.syscalls[] | select(.name == "execve")][0] |
		.timed == .count')" true
}

test_syscall_errors_and_errno() {
	"$PROCSCOPE" --json -o out.json -- "$WL/failopen" 500
	local sc
	sc=$(report out.json | jq -c '.processes[] | select(.comm == "failopen") |
		.syscalls[] | select(.name == "openat")')
	# the dynamic loader's own openat calls succeed; ours fail with ENOENT
	assert_ge "$(jq .errors <<< "$sc")" 500
	assert_le "$(jq .errors <<< "$sc")" 502
	assert_eq "$(jq -r .top_errno <<< "$sc")" ENOENT
	assert_eq "$(jq -r .top_errno_count <<< "$sc")" 500
	assert_ge "$(jq .count <<< "$sc")" 500
}

test_latency_percentiles_match_sleeps() {
	# 30 sleeps of 10 ms: nanosleep never returns early, and rarely more than 1.5 ms late
	"$PROCSCOPE" --json -o out.json -- "$WL/sleeper" 30 10
	local sc
	sc=$(report out.json | jq -c '.target.syscalls[] | select(.name == "clock_nanosleep")')
	assert_eq "$(jq .count <<< "$sc")" 30
	assert_ge "$(jq .latency.p50_ns <<< "$sc")" $((10000000 * 9375 / 10000)) "p50 >= 10ms - 6.25%"
	assert_le "$(jq .latency.p50_ns <<< "$sc")" 12000000 "p50"
	assert_ge "$(jq .latency.max_ns <<< "$sc")" 10000000 "max"
	assert_ge "$(jq .latency.total_ns <<< "$sc")" 300000000 "total"
	assert_le "$(jq .latency.p50_ns <<< "$sc")" "$(jq .latency.p90_ns <<< "$sc")"
	assert_le "$(jq .latency.p90_ns <<< "$sc")" "$(jq .latency.p99_ns <<< "$sc")"
	assert_le "$(jq .latency.p99_ns <<< "$sc")" "$(jq .latency.max_ns <<< "$sc")"
}

test_json_contract() {
	"$PROCSCOPE" --json -o out.json -- sh -c "$WL/getppid_n 10; exit 4" || true
	# every line is JSON; the last is the report
	jq -e . out.json > /dev/null
	assert_eq "$(jq -r .type out.json | tail -n1)" report
	report out.json | jq -e '
		.schema_version == 4 and (.procscope_version | type == "string") and
		(.target | has("wall_ns") and has("exit_code") and has("sched") and has("syscalls")) and
		.target.exit_code == 4 and
		(.target.sched | has("oncpu_ns") and has("runq_ns") and has("blocked_ns") and
			has("blocked_by_state") and has("wait") and has("voluntary_switches") and
			has("involuntary_switches") and has("runq_latency")) and
		(.processes | length >= 2) and
		all(.processes[]; has("pid") and has("ppid") and has("comm") and has("cmdline") and
			has("exit_code") and has("sched") and has("syscalls") and has("wall_ns")) and
		all(.target.syscalls[], .processes[].syscalls[];
			has("name") and has("count") and has("errors") and
			(.latency | has("count") and has("total_ns") and has("p50_ns") and
				has("p90_ns") and has("p99_ns") and has("max_ns"))) and
		all(.. | objects | to_entries[] | select(.key | endswith("_ns")) | .value;
			. == null or (type == "number" and . == floor and . >= 0)) and
		(.self | has("ringbuf_drops") and has("bpf_run_ns") and has("rss_peak_bytes") and
			has("procs_overflow") and has("rows_overflow")) and
		all(.target, .processes[];
			(.io | has("read_bytes") and has("write_bytes") and has("read_ops") and
				has("write_ops") and (.latency | has("p50_ns") and has("p99_ns")) and
				(.queue | has("p50_ns"))) and
			(.net | has("tx_bytes") and has("rx_bytes") and has("connects") and
				has("connect_failures") and (.connect | has("p50_ns") and has("p99_ns")) and
				(.rtt | has("p50_ns") and has("p99_ns")) and has("retransmits")) and
			(.mem | has("minor_faults") and has("major_faults") and has("rss_peak_bytes"))) and
		(.target.io | has("devices") and has("writeback_bytes"))' > /dev/null ||
		die "report does not carry the documented fields: $(report out.json | head -c 600)"
	assert_eq "$(report out.json | jq -r '.processes[] | select(.comm == "sh") | .exit_code')" 4
	assert_eq "$(report out.json | jq -r '.processes[] | select(.comm == "getppid_n") | .cmdline')" \
		"$WL/getppid_n 10"
}

# A shell pipeline's syscalls, one by one, as strace -f -c counts them: the
# workflow's accounting starts with its own exec (no failed execve per PATH
# directory). Signal and child-wait counts depend on timing, strace's own included.
# A shell pipeline's syscalls, one by one, as strace -f -c counts them. Under ptrace a
# SIGCHLD can interrupt a clone, which the kernel restarts (ERESTARTNOINTR): strace then
# counts two calls and one error where the children made are one (it read 4 clones in
# one run of ten, procscope 3 every time). The clones that made a child are compared.
test_pipeline_counts_match_strace() {
	command -v strace > /dev/null || die "strace missing (make check installs it)"
	local cmd='echo a b c | tr a-z A-Z | wc -c > /dev/null; ls / > /dev/null; cat /etc/hostname > /dev/null'
	strace -f -c -o st.txt sh -c "$cmd"
	"$PROCSCOPE" --json -o out.json -- sh -c "$cmd"
	# name, calls (those that made a child, for the clone family)
	awk 'NF >= 5 && $1 ~ /^[0-9.]+$/ && $NF != "total" {
		calls = $4; if ($NF ~ /^(clone|clone3|fork|vfork)$/ && NF == 6) calls -= $5
		print $NF, calls }' st.txt | sort > want.txt
	q out.json '.target.syscalls[] | "\(.name) \(if (.name | test("^(clone|clone3|fork|vfork)$"))
		then .count - .errors else .count end)"' | sort > got.txt
	[ "$(wc -l < want.txt)" -ge 15 ] || die "strace counted too little: $(cat st.txt)"
	local name want got
	while read -r name want got; do
		case $name in
		wait4 | rt_sigreturn)
			assert_le "$(( want > got ? want - got : got - want ))" 3 "$name: strace $want, procscope $got" ;;
		*) assert_eq "$got" "$want" "$name: as strace -f -c counts it" ;;
		esac
	done < <(join -a1 -a2 -e0 -o 0,1.2,2.2 want.txt got.txt)
	assert_eq "$(q out.json '[.target.syscalls[] | select(.name == "execve")][0].errors')" 0 \
		"no failed execve: the command is exec'd by its resolved path"
}

# Syscalls that block on IO are counted exactly, however the kernel reports the
# switches around them (it sometimes leaves a switch-in unreported: the call is then
# found parked in the task's own storage). 3 x 200 fsyncs: before the fix about one
# run in five lost one.
test_blocking_syscalls_counted_exactly() {
	local f i
	for i in 1 2 3; do
		f=$(mktemp -p "${PROCSCOPE_IO_DIR:-$ROOT/build}" fsync.XXXXXX)
		"$PROCSCOPE" --json -o out.json -- "$WL/fsyncer" "$f" 200 > wl.out
		rm -f "$f"
		assert_eq "$(cat wl.out)" "fsyncs 200"
		assert_eq "$(sc_count out.json .target fsync)" 200 "run $i"
	done
}
