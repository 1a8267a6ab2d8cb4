# shellcheck shell=bash
# Peers: processes outside the target that it waits on -- a local server, a daemon and
# the child it does the work in, a database, a lock holder. The critical path crosses
# into them through who ended each wait; the truth each test compares with is measured
# by the peer itself, through the kernel's own clocks (its CPU time per request), never
# by procscope.

PY=/usr/bin/python3
SRC=$ROOT/tests/workloads

# Start the HTTP server that burns $1 ms of CPU per request (and fsyncs); its pid in SRV.
start_burn_server() {
	PORT=$(free_port)
	bg "$PY" "$SRC/burn_server.py" "$PORT" "$1" --fsync "$T" > srv.out
	SRV=${BG_PIDS[-1]}
	wait_for srv.out listening
}

# The server's CPU over the requests it served: its own measure, summed (ns).
served_cpu_ns() { awk '$1 == "served" { n += $2 } END { print n + 0 }' srv.out; }

# The share of the target's wall time the path spent on a CPU in peers.
peer_cpu_share() { q "$1" '.path.in_peers.oncpu_ns / .target.breakdown.wall_ns'; }

# The client's wall split against the server's own CPU: on-CPU in the peer within 10
# points of the server's CPU over the client's wall; the top finding names the server.
check_http_peer() {
	local wall truth
	assert_eq "$(q out.json '.findings[0].kind')" peer
	assert_eq "$(q out.json '.findings[0].evidence.peer_pid')" "$SRV"
	assert_eq "$(q out.json '.findings[0].evidence.state')" oncpu
	assert_match "$(q out.json '.findings[0].summary')" "\`python3\` \\(pid $SRV\\), not started by the workflow"
	wall=$(q out.json .target.breakdown.wall_ns)
	truth=$(echo "$(served_cpu_ns) $wall" | awk '{ printf "%.4f", $1 / $2 }')
	assert_within_points "$(peer_cpu_share out.json)" "$truth" 10 "on-CPU in the server"
	# the server in PEERS, outside the target's processes and totals
	assert_eq "$(q out.json "[.peers[] | select(.pid == $SRV)] | length")" 1
	assert_eq "$(q out.json "[.processes[] | select(.pid == $SRV)] | length")" 0
	assert_eq "$(q out.json "[.critical_path[] | select(.pid == $SRV) | .peer] | .[0]")" true
}

# $1 within $3 points (of 100) of $2, both shares (0..1).
assert_within_points() {
	awk -v a="$1" -v b="$2" -v p="$3" 'BEGIN { d = (a - b) * 100; exit !(d <= p && d >= -p) }' ||
		die "expected $1 within $3 points of $2${4:+ ($4)}"
}

test_peer_http_server_twenty_requests() {
	start_burn_server 60
	"$PROCSCOPE" --json -o out.json -- sh -c \
		"for i in \$(seq 20); do curl -sf http://127.0.0.1:$PORT/ > /dev/null || exit 1; done"
	assert_eq "$(grep -c '^served' srv.out)" 20
	check_http_peer
	assert_ge "$(q out.json '.findings[0].score')" 0.5 "the server carries most of the wall"
}

test_peer_http_server_single_request() {
	start_burn_server 60
	# the first request counts: the server is followed from the moment it was sent
	"$PROCSCOPE" --json -o out.json -- curl -sf "http://127.0.0.1:$PORT/" > /dev/null
	assert_eq "$(grep -c '^served' srv.out)" 1
	check_http_peer
}

test_peer_text_report() {
	start_burn_server 40
	"$PROCSCOPE" -o out.txt -- curl -sf "http://127.0.0.1:$PORT/" > /dev/null
	assert_match "$(grep -A2 '^PEERS' out.txt)" "$SRV python3 +1 .*oncpu"
	assert_match "$(grep -A1 '^  on-CPU' out.txt | tail -1)" "in peers .* python3 $SRV"
	assert_match "$(grep -A8 '^CRITICAL PATH' out.txt)" "python3 +$SRV +oncpu +\\(peer\\)"
}

test_peer_daemon_does_the_work_in_a_child() {
	local sock=$T/d.sock worker cpu_us wall
	bg "$WL/unixd" serve "$sock" 1 > srv.out
	wait_for srv.out listening
	"$PROCSCOPE" --json -o out.json -- "$WL/unixd" ask "$sock" 300 > wl.out
	assert_match "$(cat wl.out)" '^answer [0-9]+$'
	wait_for srv.out worker
	worker=$(awk '$1 == "worker" { print $2 }' srv.out)
	cpu_us=$(awk '$1 == "worker" { print $4 }' srv.out)
	# the child the daemon forked did the work: it is the peer on the path, and its hot
	# path is the function that burned the CPU
	assert_eq "$(q out.json '.findings[0].kind')" peer
	assert_eq "$(q out.json '.findings[0].evidence.peer_pid')" "$worker"
	assert_match "$(q out.json '.findings[0].evidence.hottest_stack')" 'crunch'
	wall=$(q out.json .target.breakdown.wall_ns)
	assert_within_points "$(peer_cpu_share out.json)" \
		"$(awk -v c="$cpu_us" -v w="$wall" 'BEGIN { printf "%.4f", c * 1000 / w }')" 10 \
		"on-CPU in the daemon's child"
}

test_peer_lock_holder_named() {
	local holder
	"$PROCSCOPE" --offcpu --json -o out.json -- "$PY" "$SRC/lock_holder.py" 0.5 0.2 > wl.out
	assert_eq "$(tail -1 wl.out)" done
	holder=$(awk '$1 == "holder" { print $2 }' wl.out)
	# the main thread waited ~0.5 s for the lock the worker held while it slept
	assert_eq "$(q out.json '.findings[0].kind')" lock
	assert_eq "$(q out.json '.findings[0].evidence.holder_tid')" "$holder"
	assert_eq "$(q out.json '.findings[0].evidence.holder_state')" sleep
	assert_within "$(q out.json '.findings[0].evidence.holder_wait_ns')" 500000000 10 \
		"the wait the holder ended"
	assert_match "$(q out.json '.findings[0].summary')" "thread $holder of \`python3\`.*sleeping"
	# then the join: the worker's last sleep, replaced by what it did (slept)
	assert_within "$(q out.json '.target.breakdown.sleep_ns')" 200000000 15 "the joined sleep"
}

# A PostgreSQL of our own: initdb in $T, listening only on a unix socket there.
start_postgres() {
	local bin=/usr/lib/postgresql/15/bin
	PGDATA=$T/pg
	PGSOCK=$T
	chown -R nobody "$T"
	runuser -u nobody -- "$bin/initdb" -D "$PGDATA" -A trust -U postgres > initdb.out 2>&1 ||
		die "initdb: $(tail -3 initdb.out)"
	at_exit "runuser -u nobody -- $bin/pg_ctl -D $PGDATA -m immediate stop > /dev/null 2>&1"
	runuser -u nobody -- "$bin/pg_ctl" -D "$PGDATA" -l "$T/pg.log" -w -o \
		"-c listen_addresses='' -c unix_socket_directories='$PGSOCK' -c fsync=off" \
		start > pgctl.out 2>&1 || die "pg_ctl start: $(tail -3 "$T/pg.log")"
}

psql_() { runuser -u nobody -- psql -X -q -h "$PGSOCK" -U postgres -At "$@"; }

test_peer_postgres_cpu_query() {
	local backend
	start_postgres
	# a CPU-heavy query: its backend is the peer, on a CPU; the psql client only waits
	"$PROCSCOPE" --json -o out.json -- runuser -u nobody -- psql -X -q -h "$PGSOCK" \
		-U postgres -At -c "select pg_backend_pid(), sum(sqrt(g)) > 0 from
		generate_series(1, 4000000) g" > wl.out
	backend=$(cut -d'|' -f1 wl.out)
	assert_eq "$(cut -d'|' -f2 wl.out)" t
	assert_eq "$(q out.json '.findings[0].kind')" peer
	assert_eq "$(q out.json '.findings[0].evidence.peer_pid')" "$backend"
	assert_eq "$(q out.json '.findings[0].evidence.peer_comm')" postgres
	assert_eq "$(q out.json '.findings[0].evidence.state')" oncpu
	assert_ge "$(peer_cpu_share out.json)" 0.5 "the backend's CPU on the path"
}

test_peer_postgres_waits_on_a_lock_held_by_another_session() {
	local holder waiter
	start_postgres
	psql_ -c "create table t (id int primary key, v int); insert into t values (1, 0)"
	# another session holds the row's lock for 5 s: long enough that, after procscope's
	# start-up (a second under ASan) and the waiter's own deadlock check (1 s), the
	# holder's sleep is still the larger part of the client's wait
	bg runuser -u nobody -- psql -X -q -h "$PGSOCK" -U postgres -At -c "begin" \
		-c "select pg_backend_pid()" -c "update t set v = 1 where id = 1" \
		-c "select pg_sleep(5)" -c "commit" > holder.out
	wait_for holder.out '^[0-9]'
	holder=$(head -1 holder.out)
	sleep 0.2
	"$PROCSCOPE" --json -o out.json -- runuser -u nobody -- psql -X -q -h "$PGSOCK" \
		-U postgres -At -c "select pg_backend_pid()" -c "update t set v = 2 where id = 1" \
		> wl.out
	waiter=$(head -1 wl.out)
	# the client waits on its backend, which waits on the holder's backend, which sleeps:
	# the path crosses both; the finding names the holder, through the client's backend
	assert_eq "$(q out.json '.findings[0].kind')" peer
	assert_match "$(q out.json '[.peers[] | select(.on_path_ns > 0) | .pid] | tostring')" \
		"$holder"
	assert_match "$(q out.json '[.peers[] | select(.on_path_ns > 0) | .pid] | tostring')" \
		"$waiter"
	# pg_sleep() waits on its latch: epoll_wait, a wait for events
	assert_match "$(q out.json "[.critical_path[] | select(.pid == $holder) | .dominant][0]")" \
		'^(poll|sleep)$'
	# the client waited until the holder committed: its wall, less its own start-up, is
	# its backend waiting -- first on its deadlock check's timer (deadlock_timeout, 1 s),
	# then on the holder, whose sleep ends it
	assert_ge "$(q out.json "([.critical_path[] | select(.pid == $holder or .pid == $waiter) |
		.poll_ns] | add) / .target.breakdown.wall_ns")" 0.8 "the backends' waits on the path"
	assert_ge "$(q out.json "[.critical_path[] | select(.pid == $holder) | .poll_ns][0]")" \
		500000000 "the holder's sleep, after the deadlock check"
	assert_eq "$(q out.json '.findings[0].evidence.peer_pid')" "$holder"
	assert_eq "$(q out.json '.findings[0].evidence.via_pid')" "$waiter"
}

test_peer_asleep_since_before_attach_outlives_the_rings() {
	# a writer asleep since before attach (sleep 3), its timer the only end of its wait;
	# then its shell writes the FIFO the traced reader waits on. Meanwhile pingpong,
	# outside the target, switches tens of thousands of times a second: the recent
	# past's rings (65536 records a CPU) turn over before the sleep ends, and the
	# sleep's wait is still known -- from the seed kept at attach
	local sl wall rate
	mkfifo fifo
	bg sh -c "sleep 3 & echo \$! > sleep.pid; wait; echo hello > fifo"
	wait_for sleep.pid '^[0-9]'
	sl=$(cat sleep.pid)
	bg "$WL/pingpong" 3.5 > pp.out
	"$PROCSCOPE" --json -o out.json -- cat fifo > wl.out
	assert_eq "$(cat wl.out)" hello
	wait_for pp.out round_trips_per_sec
	wall=$(q out.json .target.breakdown.wall_ns)
	# two switches and two wake-ups a round trip, on two CPUs at most: the rings
	# turned over at least once
	rate=$(awk '/round_trips_per_sec/ { print $2 }' pp.out)
	assert_ge "$(awk -v r="$rate" -v w="$wall" 'BEGIN { printf "%.0f", r * w / 1e9 * 4 }')" \
		$((2 * 65536 * $(nproc))) "records of the past while the reader waited"
	assert_eq "$(q out.json "[.critical_path[] | select(.pid == $sl) | .dominant][0]")" sleep
	# the sleep, its timer ended: its part of the path is its sleep, nearly the whole
	# wall (its shell's exec and the reader's start-up are the rest)
	assert_ge "$(q out.json "[.critical_path[] | select(.pid == $sl) | .sleep_ns][0] /
		.target.breakdown.wall_ns")" 0.85 "the sleep's share of the path"
	assert_le "$(q out.json '.target.breakdown.unknown_ns / .target.breakdown.wall_ns')" 0.05
}

test_peer_fifo_writer_not_started_by_the_workflow() {
	# a writer that computes 1.5 s, then writes to a FIFO the traced reader waits on:
	# the writer's shell opens the FIFO (ending the reader's wait) once its child, spin,
	# is done -- neither was followed while the reader waited, the recent past says what
	# they did: spin was on a CPU
	local ps spin cpu0 truth
	mkfifo fifo
	bg sh -c "echo \$\$ > writer.pid; $WL/spin 1500 & echo \$! > spin.pid; wait; echo hello > fifo"
	wait_for spin.pid '^[0-9]'
	spin=$(cat spin.pid)
	"$PROCSCOPE" -v --json -o out.json -- cat fifo > wl.out 2> err.txt &
	ps=$!
	BG_PIDS+=("$ps")
	wait_for err.txt attached
	# spin's CPU so far, in ns (clock ticks): the rest of its 1.5 s is the reader's wait
	cpu0=$(awk -v hz="$(getconf CLK_TCK)" '{ printf "%.0f", ($14 + $15) * 1e9 / hz }' \
		"/proc/$spin/stat")
	wait "$ps"
	assert_eq "$(cat wl.out)" hello
	assert_eq "$(q out.json '.findings[0].kind')" peer
	assert_eq "$(q out.json '.findings[0].evidence.peer_pid')" "$(cat spin.pid)"
	# spin on its CPU since before the recent past's first record of it (no switch since)
	# is not known to be there until its next switch: unknown, never a wait (an ASan run
	# on a busy host: 55% unknown, the rest on-CPU)
	assert_match "$(q out.json '.findings[0].evidence.state')" '^(oncpu|unknown)$'
	assert_ge "$(q out.json '.path.in_peers | (.oncpu_ns + .runq_ns) /
		(([.[]] | add) - .unknown_ns)')" 0.95 "what the past knew of spin: on a CPU"
	assert_eq "$(q out.json '.findings[0].evidence.via_pid')" "$(cat writer.pid)"
	assert_eq "$(q out.json "[.peers[] | select(.pid == $(cat spin.pid)) | .followed][0]")" false
	# the wait is spin's CPU: what it ran while the reader waited, over the reader's wall
	# (not all of it where another task shared spin's CPU: a CI run had a neighbour),
	# or unknown as above
	truth=$(awk -v c="$cpu0" -v w="$(q out.json .target.breakdown.wall_ns)" \
		'BEGIN { t = (1.5e9 - c) / w; printf "%.3f", (t > 1 ? 1 : t) }')
	assert_ge "$(q out.json '(.path.in_peers | .oncpu_ns + .unknown_ns) /
		.target.breakdown.wall_ns')" "$(awk -v t="$truth" 'BEGIN { print t - 0.1 }')" \
		"on-CPU (or not known otherwise) in spin, against its own CPU time ($truth of the wall)"
}

test_peer_trace_tracks_and_flows() {
	start_burn_server 40
	"$PROCSCOPE" --trace t.pftrace --json -o out.json -- curl -sf "http://127.0.0.1:$PORT/" \
		> /dev/null
	python3 "$ROOT/tests/integration/tools/pftrace.py" t.pftrace > t.json
	# the server's threads and process under the peers' track; the path through it
	assert_ge "$(jq --argjson p "$SRV" '[.threads[] | select(.pid == $p)] | length' t.json)" 1
	assert_eq "$(jq --argjson p "$SRV" '[.processes[] | select(.pid == $p)] | length' t.json)" 1
	assert_match "$(jq -c '.slices["critical path"]' t.json)" "python3 $SRV: oncpu"
	assert_eq "$(jq '.flows.unmatched' t.json)" 0
	assert_ge "$(jq --argjson p "$SRV" '.wakes[($p | tostring)] // 0' t.json)" 1 \
		"the server's wake-up of the client, as a flow"
}
