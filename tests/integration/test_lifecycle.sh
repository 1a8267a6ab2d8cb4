# shellcheck shell=bash
# Exit statuses, signals, output files, bad input: procscope ends cleanly, reports,
# and leaves nothing attached.

test_exit_status_is_the_commands() {
	local rc=0
	"$PROCSCOPE" -o report.out -- sh -c 'exit 3' || rc=$?
	assert_eq "$rc" 3
	rc=0
	"$PROCSCOPE" --json -o out.json -- sh -c 'kill -9 $$' || rc=$?
	assert_eq "$rc" 137
	assert_eq "$(q out.json .target.exit_code)" 137
	assert_eq "$(q out.json '.processes[0].exit_signal')" 9
	assert_nothing_loaded
}

test_sigterm_reports_and_detaches() {
	"$PROCSCOPE" -v -a --json -o out.json 2> err.txt &
	local ps=$! rc=0
	wait_for err.txt attached
	[ -n "$(progs_of "$ps")" ] || die "programs not visible while running"
	kill -TERM "$ps"
	wait "$ps" || rc=$?
	assert_eq "$rc" 0
	assert_eq "$(q out.json .type)" report
	assert_nothing_loaded
}

test_sigint_stops_the_command_and_reports() {
	# as from a terminal: a shell starts '&' jobs with SIGINT ignored, passed on to sleep
	"$WL/sigdefault" "$PROCSCOPE" -v --json -o out.json -- sleep 30 2> err.txt &
	local ps=$! rc=0 t0=$SECONDS
	wait_for err.txt attached
	kill -INT "$ps"
	wait "$ps" || rc=$?
	assert_le $((SECONDS - t0)) 5 "stopped promptly"
	# the interrupt was forwarded: the command died of SIGINT
	assert_eq "$rc" 130
	assert_eq "$(q out.json '.processes[] | select(.comm == "sleep") | .exit_signal')" 2
	assert_nothing_loaded
}

# A stop signal before the command ran: the command never runs, nothing stays loaded,
# 128+N, one line; the signal is pending from the first instruction (pending.c).
test_stop_signal_before_anything() {
	local rc=0
	"$WL/pending" 15 "$PROCSCOPE" -o out.txt -- touch ran 2> err.txt || rc=$?
	assert_eq "$rc" 143
	assert_eq "$(cat err.txt)" "procscope: warning: stopped by SIGTERM before tracing began"
	[ ! -e ran ] || die "the command ran after procscope was told to stop"
	[ ! -e out.txt ] || die "a report was written with nothing traced"
	assert_nothing_loaded
}

# SIGTERM at any moment of start-up: either stopped before tracing (143, no report) or
# a whole report; never a lost signal, never anything left loaded.
test_sigterm_at_any_moment_of_startup() {
	local d rc reports=0 early=0
	for d in 0 0.001 0.003 0.005 0.01 0.02 0.04 0.08 0.15 0.3; do
		rm -f out.json err.txt
		"$PROCSCOPE" --json -o out.json -- sleep 20 2> err.txt &
		local ps=$! t0=$SECONDS
		# from procscope's first line on (SIGTERM, bit 14, blocked), not while the
		# shell still forks or the dynamic loader runs
		until (( 0x$(awk '/^SigBlk:/ { print $2 }' "/proc/$ps/status") & 0x4000 )); do :; done
		sleep "$d"
		kill -TERM "$ps"
		rc=0
		wait "$ps" || rc=$?
		assert_le $((SECONDS - t0)) 5 "stopped promptly after ${d}s"
		assert_eq "$rc" 143 "SIGTERM after ${d}s"
		if [ -e out.json ]; then
			assert_eq "$(q out.json .type)" report "SIGTERM after ${d}s"
			reports=$((reports + 1))
		else
			assert_match "$(cat err.txt)" "stopped by SIGTERM before tracing began" "after ${d}s"
			early=$((early + 1))
		fi
		assert_nothing_loaded
	done
	echo "    $early stopped before tracing, $reports reported"
}

# Dispositions pass through: SIGINT ignored by whoever started procscope (nohup, &) is
# ignored by the command too; SIGPIPE, which procscope ignores for itself, is not. The
# truth is the same command started without procscope.
test_command_inherits_signal_dispositions() {
	local direct ign
	direct=$(grep ^SigIgn: /proc/self/status)
	assert_eq "$("$PROCSCOPE" -o out.txt -- grep ^SigIgn: /proc/self/status)" "$direct"
	ign=$(sh -c "trap '' INT; exec grep ^SigIgn: /proc/self/status")
	assert_eq "$(( 0x${ign##*[[:space:]]} & 2 ))" 2 "SIGINT (bit 1) ignored by the shell's trap"
	assert_eq "$(sh -c "trap '' INT; exec \"\$0\" -o out.txt -- grep ^SigIgn: /proc/self/status" \
		"$PROCSCOPE")" "$ign"
}

test_output_file_written_whole() {
	"$PROCSCOPE" -v --json -o out.json -- "$WL/spin" 300 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	# while it runs, nothing is visible: the report is an unnamed file until complete
	[ ! -e out.json ] || die "out.json exists before the report is complete"
	assert_eq "$(ls | grep -c '^out.json' || true)" 0 "a temporary file is visible"
	wait "$ps"
	[ -s out.json ] || die "no report"
	jq -e . out.json > /dev/null
	assert_eq "$(ls | grep -c '^out.json.tmp' || true)" 0 "temporary file left behind"
	# killed outright in the middle: still nothing left behind
	"$PROCSCOPE" -v --json -o killed.json -- "$WL/spin" 3000 2> err.txt &
	ps=$!
	wait_for err.txt attached
	kill -KILL "$ps"
	wait "$ps" || true
	assert_eq "$(ls | grep -c '^killed.json' || true)" 0 "SIGKILL left a file"
}

# A tool run as root must not replace what an output path names: device nodes (made
# here, never the real /dev), FIFOs and symlink targets are written in place.
test_outputs_never_replace_special_files() {
	local rc
	mknod null c 1 3
	mknod full c 1 7
	mkfifo fifo
	echo old > target
	ln -s target link
	"$PROCSCOPE" -o null --json -- true
	[ -c null ] || die "the null device node was replaced: $(stat -c %F null)"
	cat fifo > fifo.out &
	"$PROCSCOPE" -o fifo --json -- true
	wait $!
	[ -p fifo ] || die "the FIFO was replaced"
	assert_eq "$(jq -r .type fifo.out)" report
	"$PROCSCOPE" --save-baseline link -o out.json --json -- true
	[ -L link ] || die "the symlink was replaced"
	assert_eq "$(jq -r .type target)" report
	# write errors: the real reason, a failed run, and no other output committed
	rc=0
	"$PROCSCOPE" -o full --save-baseline base.json --json -- true 2> err.txt || rc=$?
	assert_eq "$rc" 1
	grep -q "cannot write 'full': No space left on device" err.txt || die "$(cat err.txt)"
	[ ! -e base.json ] || die "base.json was written although the report failed"
	[ -c full ] || die "the full device node was replaced"
	rc=0
	"$PROCSCOPE" --json -- true > full 2> err.txt || rc=$?
	assert_eq "$rc" 1
	grep -q "cannot write to standard output: No space left on device" err.txt ||
		die "$(cat err.txt)"
	rc=0
	"$PROCSCOPE" --json -- true >&- 2> err.txt || rc=$?
	assert_eq "$rc" 1
	grep -q "standard output is closed" err.txt || die "$(cat err.txt)"
	mknod blk b 7 200
	check_error 1 "refusing to write 'blk': it is a block device" -o blk -- true
	check_error 1 "cannot write '/tmp': Is a directory" -o /tmp -- true
}

# The reader of a pipeline gone (issue 30): the run ends at once -- not at the next
# record -- with 128+SIGPIPE, as a filter would; another write error (a full disk) at the
# first interval that fails, with 1. The kernel side is detached either way.
ms_since() { echo $((($(date +%s%N) - $1) / 1000000)); }

# ends_with RC MESSAGE ARGS...: procscope ARGS exits RC within 2.5 s, saying MESSAGE
ends_with() {
	local want=$1 msg=$2 t0 rc=0
	shift 2
	t0=$(date +%s%N)
	"$PROCSCOPE" "$@" 2> err.txt || rc=$?
	assert_eq "$rc" "$want" "exit status of procscope $*"
	assert_le "$(ms_since "$t0")" 2500 "ms until procscope $* ended"
	assert_eq "$(cat err.txt)" "procscope: error: $msg"
	assert_nothing_loaded
}

test_reader_gone_ends_the_run() {
	local t0 ms
	t0=$(date +%s%N)
	{
		"$PROCSCOPE" -a -i 1 --json 2> err.txt && echo 0 > rc.txt || echo $? > rc.txt
	} | head -n 1 > first.json
	ms=$(ms_since "$t0")
	assert_eq "$(cat rc.txt)" 141 "exit status after head -1"
	assert_le "$ms" 2500 "ms until procscope ended"
	assert_eq "$(jq -r .type first.json)" interval
	assert_eq "$(cat err.txt)" "procscope: error: cannot write to standard output: Broken pipe"
	assert_nothing_loaded
	# a FIFO given to -o whose reader exits after the first bytes
	mkfifo fifo
	head -c 1 fifo > /dev/null &
	ends_with 141 "cannot write 'fifo': Broken pipe" -a -i 1 --json -o fifo
	# no room: the first interval's record fails, and ends the run
	mknod full c 1 7
	ends_with 1 "cannot write 'full': No space left on device" -a -i 1 --json -o full
}

# ...and in launch mode the command is the user's: it runs on, untraced and undisturbed,
# and procscope waits for it and exits with its status.
test_reader_gone_command_runs_on() {
	local rc pid
	# the command's parent is procscope: its pid, to see what procscope holds meanwhile
	{
		"$PROCSCOPE" -i 300ms --json -- \
			sh -c 'echo $PPID > ps.pid; sleep 2; echo finished > done.txt; exit 7' \
			2> err.txt && echo 0 > rc.txt || echo $? > rc.txt
	} | head -n 1 > first.json &
	wait_for err.txt "runs on, untraced; waiting for it to exit"
	[ ! -e done.txt ] || die "the command ended before the reader went: too slow a host?"
	# detached while the command runs on: procscope holds no program any more
	pid=$(cat ps.pid)
	assert_eq "$(progs_of "$pid" | wc -l)" 0 "programs held while waiting"
	wait $!
	rc=$(cat rc.txt)
	assert_eq "$rc" 7 "the command's exit status"
	assert_eq "$(cat done.txt)" finished
	assert_eq "$(jq -r .type first.json)" interval
	grep -q "^procscope: error: cannot write to standard output: Broken pipe$" err.txt ||
		die "$(cat err.txt)"
	grep -q "^procscope: warning: 'sh' (pid [0-9]*) runs on, untraced" err.txt ||
		die "$(cat err.txt)"
	assert_nothing_loaded
}

test_interval_records() {
	"$PROCSCOPE" --json -o out.json -i 200ms -- "$WL/spin" 1000
	local n
	n=$(jq -r 'select(.type == "interval") | .type' out.json | wc -l)
	assert_ge "$n" 3 "interval records"
	assert_eq "$(jq -r .type out.json | tail -n1)" report
	# intervals are deltas: their on-CPU times add up to no more than the total
	local sum total
	sum=$(jq -s '[.[] | select(.type == "interval") | .target.sched.oncpu_ns] | add' out.json)
	total=$(q out.json .target.sched.oncpu_ns)
	assert_le "$sum" "$total"
	assert_ge "$sum" "$((total / 2))"
	"$PROCSCOPE" -i 200ms -- "$WL/spin" 500 > text.out
	assert_ge "$(grep -c '^procscope interval' text.out)" 2
	grep -q '^procscope command' text.out || die "no final text report"
}

test_errors_are_clear() {
	check_error 1 "no process with pid '999999'" -p 999999
	check_error 1 "is not a cgroup v2 directory" -c /nonexistent/cgroup
	check_error 1 "is not a cgroup v2 directory" -c /tmp
	check_error 127 "cannot execute 'no-such-command-xyz': command not found" -- no-such-command-xyz
	check_error 126 "cannot execute '/etc/passwd'" -- /etc/passwd
	check_error 2 "unrecognized option" --frobnicate -a
	check_error 2 "cannot be combined" -a -p 1
	check_error 1 "cannot read BTF file '/nonexistent.btf'" --btf /nonexistent.btf -a
	check_error 1 "cannot write '/nonexistent/dir/out.json'" -o /nonexistent/dir/out.json -a
	[ ! -e /nonexistent/dir ] || die "created a directory"
	# inputs: regular files only, never read forever or waited on; typos are usage errors
	mkfifo rules.fifo
	check_error 2 "alert rules '/dev/zero' is not a regular file" --alerts /dev/zero -- true
	check_error 2 "alert rules '/tmp' is a directory" --alerts /tmp -- true
	check_error 2 "alert rules 'rules.fifo' is not a regular file" --alerts rules.fifo -- true
	check_error 2 "baseline 'rules.fifo' is not a regular file" --baseline rules.fifo -- true
	check_error 2 "unknown metric 'breakdown.xyz'" --alert 'breakdown.xyz > 0' --fail-on-alert -- true
	check_error 2 "at '-5ms'" --alert 'wall > -5ms' -- true
	check_error 2 "at '0x10ms'" --alert 'wall > 0x10ms' -- true
	check_error 2 "invalid '-d 0x10' (a duration" -d 0x10 -a
	# one line (argp adds a hint line for usage errors)
	"$PROCSCOPE" -p 999999 2> err.txt || true
	assert_eq "$(wc -l < err.txt)" 1
}

test_not_root_is_refused() {
	command -v setpriv > /dev/null || die "setpriv (util-linux) missing"
	local rc=0
	setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all \
		"$PROCSCOPE" -- true > out.txt 2> err.txt || rc=$?
	assert_eq "$rc" 1
	grep -q "permission denied: loading BPF programs needs root" err.txt ||
		die "unexpected: $(cat err.txt)"
	assert_nothing_loaded
}

test_nothing_loaded_after_normal_exit() {
	"$PROCSCOPE" -o report.out -- true
	assert_nothing_loaded
}

# Command lines are kept whole up to 32 KiB (procfs, while the process lives), and a
# longer one is cut with a visible mark -- never silently.
test_long_command_lines_kept_or_marked() {
	local a5 a40
	a5=$(head -c 5000 /dev/zero | tr '\0' a)
	a40=$(head -c 40000 /dev/zero | tr '\0' b)
	"$PROCSCOPE" --json -o out.json -- sh -c 'sleep 0.3' "$a5" "$a40"
	local cl
	cl=$(q out.json '.processes[] | select(.comm == "sh") | .cmdline')
	assert_eq "${cl:0:22}" "sh -c sleep 0.3 aaaaaa"
	[[ $cl == *" $a5 "* ]] || die "the 5000-byte argument is not whole"
	assert_match "$cl" 'b+ \[truncated\]$'
	local mark=" [truncated]"
	assert_eq "$((${#cl} - ${#mark}))" $((32 * 1024)) "kept: 32 KiB"
}
