# shellcheck shell=bash
# Target selection: a launched command's tree, running pids and their descendants,
# cgroups, the whole system -- and nothing else.

# "pid ppid getppid-count" of each process of a report, by start order.
tree_of() {
	report "$1" | jq -r '.processes[] | select(.comm == "forktree") |
		"\(.pid) \(.ppid) \([.syscalls[] | select(.name == "getppid") | .count] | add // 0)"'
}

# forktree: parent (100 getppid) -> child (200) -> grandchild (300)
check_forktree() {
	local lines
	mapfile -t lines < <(tree_of "$1")
	assert_eq "${#lines[@]}" 3 "three processes: $(tree_of "$1" | tr '\n' ';')"
	read -r p0 _ c0 <<< "${lines[0]}"
	read -r p1 pp1 c1 <<< "${lines[1]}"
	read -r p2 pp2 c2 <<< "${lines[2]}"
	assert_eq "$c0" 100 "parent's getppid"
	assert_eq "$c1" 200 "child's getppid"
	assert_eq "$c2" 300 "grandchild's getppid"
	assert_eq "$pp1" "$p0" "child's parent"
	assert_eq "$pp2" "$p1" "grandchild's parent"
	assert_eq "$(sc_count "$1" .target getppid)" 600 "nothing else counted"
}

test_forktree_command_mode() {
	# an unrelated process making getppid calls at the same time must not be counted
	bg "$WL/getppid_n" 3000000
	"$PROCSCOPE" --json -o out.json -- "$WL/forktree"
	check_forktree out.json
	assert_eq "$(q out.json '[.processes[] | select(.comm == "getppid_n")] | length')" 0
}

test_forktree_pid_mode() {
	local pid
	pid=$(start_gated "$WL/forktree")
	bg "$WL/getppid_n" 3000000
	"$PROCSCOPE" -v -p "$pid" --json -o out.json 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	kill -USR1 "$pid"
	# procscope ends by itself once the tracked tree has exited
	wait "$ps"
	check_forktree out.json
	assert_eq "$(q out.json '.processes[0].present_at_attach')" true
	assert_eq "$(q out.json '[.processes[] | select(.comm == "getppid_n")] | length')" 0
}

test_pid_mode_no_children() {
	local pid
	pid=$(start_gated "$WL/forktree")
	"$PROCSCOPE" -v -p "$pid" --no-children --json -o out.json 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	kill -USR1 "$pid"
	wait "$ps"
	assert_eq "$(q out.json '.processes | length')" 1
	assert_eq "$(sc_count out.json .target getppid)" 100
}

test_cgroup_mode() {
	local root cg inside outside
	root=$(cgroup2_root)
	[ -n "$root" ] || die "no cgroup2 mount"
	cg=$root/procscope-test-$$
	mkdir -p "$cg/sub"
	inside=$(start_gated "$WL/getppid_n" 7777)
	outside=$(start_gated "$WL/getppid_n" 5555)
	echo "$inside" > "$cg/sub/cgroup.procs"
	# the path relative to the cgroup2 mount, as users give it
	"$PROCSCOPE" -v -c "procscope-test-$$" -d 2 --json -o out.json 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	kill -USR1 "$inside" "$outside"
	wait "$ps"
	echo "$inside" > "$root/cgroup.procs" 2>/dev/null || true
	rmdir "$cg/sub" "$cg" 2>/dev/null || true
	assert_eq "$(q out.json "[.processes[] | select(.pid == $inside)] | length")" 1 "moved process"
	assert_eq "$(q out.json "[.processes[] | select(.pid == $outside)] | length")" 0 "outside"
	assert_eq "$(sc_count out.json .target getppid)" 7777
	assert_eq "$(q out.json .target.kind)" cgroup
}

test_all_mode() {
	local pid
	pid=$(start_gated "$WL/getppid_n" 4321)
	"$PROCSCOPE" -v -a -d 1 --json -o out.json 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	kill -USR1 "$pid"
	wait "$ps"
	assert_eq "$(q out.json ".processes[] | select(.pid == $pid) |
		[.syscalls[] | select(.name == \"getppid\") | .count] | add")" 4321
	# procscope never traces itself
	assert_eq "$(q out.json "[.processes[] | select(.pid == $ps)] | length")" 0
}
