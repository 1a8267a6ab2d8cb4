# shellcheck shell=bash
# Attached to a process that was waiting already (issue 27): the wait it is in when
# procscope attaches is filed under what it waits for from the window's first instant,
# in every interval -- not as "other", nor as "not reported". Each case: a process
# started before, blocked in one call (tests/workloads/blockin.c), attached with
# -p PID -i 1 -d 3.

source "$ROOT/tests/workloads/throttle.sh"

# Start blockin ARGS (a shell line) in the background -- in this shell, so that the
# test's end kills it -- and wait until it is in its call; its pid in BLOCKED.
start_blocked() {
	sh -c "exec $WL/blockin $*" > wl.out &
	BG_PIDS+=($!)
	wait_for wl.out '^ready'
	sleep 0.2 # into the call it announced
	BLOCKED=$(awk '/^ready/ { print $2; exit }' wl.out)
}

# attached_waiting FIELD PID [OPTION...]: every interval's and the report's FIELD (of the
# breakdown) at least 95% of its wall time, "not reported" at most 1%.
attached_waiting() {
	local field=$1 pid=$2 n
	shift 2
	"$PROCSCOPE" -p "$pid" -i 1 -d 3 "$@" --json -o out.json
	n=$(jq -s '[.[] | select(.type == "interval")] | length' out.json)
	assert_ge "$n" 2 "intervals"
	jq -c '.target.breakdown | {wall_ns, field: .'"$field"', unknown_ns, dominant}' out.json \
		> shares.txt
	while read -r line; do
		assert_ge "$(jq '.field / .wall_ns' <<< "$line")" 0.95 "$field share: $line"
		assert_le "$(jq '.unknown_ns / .wall_ns' <<< "$line")" 0.01 "not reported: $line"
	done < shares.txt
}

test_waiting_select_on_a_socket() {
	start_blocked select
	attached_waiting net_ns "$BLOCKED"
}

test_waiting_poll_on_a_socket() {
	start_blocked poll
	attached_waiting net_ns "$BLOCKED"
}

test_waiting_epoll_on_a_socket() {
	start_blocked epoll
	attached_waiting net_ns "$BLOCKED"
}

test_waiting_poll_on_a_pipe() {
	start_blocked poll-pipe
	attached_waiting poll_ns "$BLOCKED"
}

test_waiting_futex() {
	start_blocked futex
	attached_waiting lock_ns "$BLOCKED"
}

test_waiting_nanosleep() {
	start_blocked sleep
	attached_waiting sleep_ns "$BLOCKED"
}

test_waiting_read_on_a_pipe() {
	start_blocked pipe
	attached_waiting other_ns "$BLOCKED"
}

# the parent alone: with its child followed, the path goes on into the child (asleep)
test_waiting_for_a_child() {
	start_blocked wait
	attached_waiting child_ns "$BLOCKED" --no-children
}

# an O_DIRECT write into a device throttled to 200 KB/s: 1 MiB takes 5 s, in the kernel
test_waiting_on_a_throttled_disk() {
	local f cg pid
	f=$(mktemp -p /var/tmp procscope-blocked.XXXXXX)
	at_exit "rm -f '$f'"
	cg=$(throttled_cgroup "$(stat -c '%Hd:%Ld' "$f")" 204800 bps)
	at_exit "rmdir '$cg'"
	sh -c "echo \$\$ > $cg/cgroup.procs && exec $WL/blockin disk $f" > wl.out &
	BG_PIDS+=($!)
	wait_for wl.out '^ready'
	sleep 0.2
	pid=$(awk '/^ready/ { print $2; exit }' wl.out)
	attached_waiting io_ns "$pid"
}

# The VM's init, idle or nearly: its threads sleep through the window -- known waits,
# never "not reported" beyond 1%.
test_idle_init_is_reported() {
	local line
	"$PROCSCOPE" -p 1 -i 1 -d 2 --json -o out.json
	while read -r line; do
		assert_le "$(jq '.unknown_ns / .wall_ns' <<< "$line")" 0.01 "not reported: $line"
	done < <(jq -c '.target.breakdown' out.json)
}
