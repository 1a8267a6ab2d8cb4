# shellcheck shell=bash
# Real programs from Debian packages, as users run them, each with its ground truth
# taken independently in the test (the program's own figures, strace, tc, du, the
# cgroup's counters): the top finding must name the real bottleneck, with the right
# figures. (tools/install-deps.sh installs curl, python3, sqlite3.)

# shellcheck source=tests/workloads/throttle.sh
source "$ROOT/tests/workloads/throttle.sh"

# The finding of KIND in FILE, as JSON (null if none).
finding() { report "$1" | jq -c --arg k "$2" '[.findings[] | select(.kind == $k)][0]'; }
# Is the first finding in FILE of KIND?
assert_top() { assert_eq "$(q "$1" '.findings[0].kind')" "$2" "top finding: $(q "$1" '.findings[0].summary')"; }

# dd writing with O_DIRECT in a cgroup limited to 2 MiB/s: the requests are issued by
# the throttler's kernel thread, yet they are dd's, and the wait is the cgroup's
# limit, not the device. Truth: dd's own byte count and elapsed time, the limit set.
test_dd_held_back_by_a_cgroup_limit() {
	local f cg
	f=$(mktemp -p /var/tmp procscope-dd.XXXXXX)
	cg=$(throttled_cgroup "$(stat -c '%Hd:%Ld' "$f")" $((2 << 20)) bps)
	"$PROCSCOPE" --json -o out.json -- sh -c "echo \$\$ > $cg/cgroup.procs &&
		exec dd if=/dev/zero of=$f bs=1M count=4 oflag=direct" 2> dd.txt
	rmdir "$cg" 2> /dev/null || true
	rm -f "$f"
	# "4194304 bytes (4.2 MB, 4.0 MiB) copied, 2.00 s, 2.1 MB/s"
	local bytes secs p
	bytes=$(awk '/copied/ { print $1 }' dd.txt)
	secs=$(awk '/copied/ { for (i = 1; i <= NF; i++) if ($(i + 1) == "s,") print $i }' dd.txt)
	assert_eq "$bytes" 4194304 "dd: $(cat dd.txt)"
	assert_ge "$secs" 1.5 "the limit held dd back"
	p=$(proc_by_comm out.json dd)
	assert_eq "$(jq '.[0].io.write_bytes' <<< "$p")" "$bytes" "dd's writes, all of them"
	assert_ge "$(jq '.[0].io.deferred_bytes' <<< "$p")" $((bytes / 2)) "issued by the throttler"
	assert_within "$(jq '.[0].sched.wait.io_ns' <<< "$p")" \
		"$(awk -v s="$secs" 'BEGIN { printf "%.0f", s * 1e9 }')" 10 "dd's IO wait vs its elapsed time"
	assert_top out.json disk
	assert_match "$(q out.json '.findings[0].summary')" \
		'in `dd` \(pid [0-9]+\): held back by the IO limit of cgroup /procscope-throttle \(wbps 2.00MiB/s on [a-z0-9]+\)'
	assert_match "$(q out.json '.findings[0].suggestion')" "the cgroup's limit, not the device"
}

# curl downloading 1 MiB from python3's http.server through a veth pair shaped to
# 4 Mbit/s: a network-bound transfer, not an idle poll loop. Truth: curl's own size and
# speed, and the shaper's counters.
test_curl_download_over_a_shaped_link() {
	netns_pair
	trap 'netns_cleanup; cleanup_bg; rm -rf "$T"' EXIT
	mkdir www
	head -c $((1 << 20)) /dev/urandom > www/blob
	ip netns exec "$NS_B" /usr/bin/python3 -m http.server 8000 --bind "$NS_DST" \
		--directory "$T/www" > /dev/null 2>&1 &
	BG_PIDS+=($!)
	local i
	for i in $(seq 100); do
		ip netns exec "$NS_A" curl -s -o /dev/null "http://$NS_DST:8000/" && break
		sleep 0.05
	done
	tc -n "$NS_B" qdisc add dev "vb$$" root tbf rate 4mbit burst 32kbit latency 400ms
	"$PROCSCOPE" --json -o out.json -- ip netns exec "$NS_A" curl -s -o got \
		-w '%{size_download} %{speed_download}\n' "http://$NS_DST:8000/blob" > curl.txt
	cmp -s got www/blob || die "curl did not get the file"
	local size speed
	read -r size speed < curl.txt
	assert_eq "$size" $((1 << 20)) "curl's size"
	assert_ge "$(tc -n "$NS_B" -s qdisc show dev "vb$$" | grep -o 'overlimits [0-9]*' | awk '{ print $2 }')" 1 \
		"the shaper held packets back"
	assert_within "$speed" 500000 25 "curl's own speed: 4 Mbit/s"
	assert_top out.json network
	local f
	f=$(finding out.json network)
	assert_match "$(jq -r .summary <<< "$f")" "receiving 1.0[0-9]MiB from $NS_DST:8000 at [0-9.]+ Mbit/s"
	assert_within "$(jq .evidence.rate_bytes_per_s <<< "$f")" "$speed" 25 "rate vs curl's speed"
	# the wait is the network's, not an idle loop's
	assert_ge "$(q out.json '.target.breakdown | .net_ns / .wall_ns')" 0.7 "network share"
	assert_le "$(q out.json '.target.breakdown | .poll_ns / .wall_ns')" 0.05 "poll share"
}

# python3 joining four threads that sleep 0.4 s: the main thread waits for threads to
# finish (like a parent for its children), which is not lock contention. Truth: the
# program's own sleeps.
test_python_threads_joined_not_contended() {
	"$PROCSCOPE" --json -o out.json -- /usr/bin/python3 -c 'import threading, time
ts = [threading.Thread(target=time.sleep, args=(0.4,)) for _ in range(4)]
[t.start() for t in ts]
[t.join() for t in ts]'
	local p
	p=$(proc_by_comm out.json python3)
	assert_eq "$(finding out.json lock)" null "no lock finding: $(q out.json '[.findings[].summary]')"
	assert_within "$(jq '.[0].sched.wait.sleep_ns' <<< "$p")" 1600000000 10 "4 x 0.4 s asleep"
	assert_within "$(jq '.[0].sched.wait.child_ns' <<< "$p")" 400000000 15 "the join: 0.4 s"
	assert_le "$(jq '.[0].sched.wait.lock_ns' <<< "$p")" 20000000 "lock waits: the GIL at most"
	assert_top out.json sleep
}

# cp -r of 64 MiB not in the page cache, then sync: cp reads, the kernel writes back
# what cp dirtied, and sync waits for that. Each figure is its own process's. Truth:
# du of the tree.
test_cp_then_sync() {
	local d=${PROCSCOPE_IO_DIR:-$ROOT/build}/cptest.$$ i size
	mkdir -p "$d/src"
	for i in $(seq 16); do head -c $((4 << 20)) /dev/urandom > "$d/src/f$i"; done
	sync -f "$d/src"
	# out of the page cache, so that cp reads the disk (these files only)
	for i in $(seq 16); do dd if="$d/src/f$i" iflag=nocache count=0 status=none; done
	size=$(du -sb "$d/src" | awk '{ print $1 }')
	# what the kernel kept cached all the same (a few MiB some runs): cp does not read it
	local cached
	cached=$(fincore -b -n -o RES "$d"/src/* | awk '{ s += $1 } END { print s + 0 }')
	"$PROCSCOPE" --json -o out.json -- sh -c "cp -r '$d/src' '$d/dst' && sync"
	rm -rf "$d"
	local cp
	cp=$(proc_by_comm out.json cp)
	assert_within "$(jq '.[0].io.read_bytes' <<< "$cp")" "$((size - cached))" 5 \
		"cp read the tree but for its cached pages ($cached bytes)"
	assert_within "$(jq '.[0].io.writeback_bytes' <<< "$cp")" "$size" 2 "written back for cp"
	assert_le "$(jq '.[0].io.write_bytes' <<< "$cp")" $((size / 20)) "cp wrote little itself"
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm != "cp") | .io.writeback_bytes] | add')" 0
	# the device latency covers the writeback requests too
	assert_ge "$(q out.json .target.io.latency.count)" \
		"$(jq '.[0].io.read_ops + .[0].io.writeback_ops' <<< "$cp")"
	# the disk finding (first on an idle machine; a busy neighbour on a VM's other CPU
	# slows cp's CPU enough to put the CPU finding ahead)
	local s
	s=$(finding out.json disk | jq -r .summary)
	assert_match "$s" '`sync` \(pid [0-9]+\)'
	assert_match "$s" 'in 1 sync call|waited [0-9.]+m?s in sync'
	assert_match "$s" 'writeback of 6[3-5].[0-9]+MiB dirtied by `cp`'
	# what cp read, as above (the tree but for what stayed cached), in MiB: said when
	# its own IO waits are a fifth of the run's at least (fast reads: sync's alone)
	local cp_io all_io
	cp_io=$(jq '.[0].sched.wait.io_ns' <<< "$cp")
	all_io=$(finding out.json disk | jq .evidence.io_ns)
	if [ $((cp_io * 5)) -ge "$all_io" ]; then
		assert_match "$s" '`cp` \(pid [0-9]+\)(: it)? read [0-9]+.[0-9]+MiB'
	else
		assert_no_match "$s" '`cp` \(pid [0-9]+\)(: it)? read'
	fi
}

# sqlite3 committing 100 inserts one transaction at a time: each commit syncs the
# journal and the database. Truth: strace's count of the same run's sync calls.
test_sqlite3_commits_wait_for_the_disk() {
	local d=${PROCSCOPE_IO_DIR:-$ROOT/build} sql i n
	for i in $(seq 100); do sql+="insert into t values($i, 'row $i');"; done
	strace -f -qq -c -e trace=fdatasync -o st.txt sqlite3 "$d/st.$$.db" "create table t(a int, b text); $sql"
	rm -f "$d/st.$$.db"
	n=$(awk '$NF == "fdatasync" { print $4 }' st.txt)
	assert_ge "$n" 200 "strace: $(cat st.txt)"
	"$PROCSCOPE" --json -o out.json -- sqlite3 "$d/ps.$$.db" "create table t(a int, b text); $sql"
	rm -f "$d/ps.$$.db"
	assert_eq "$(sc_count out.json .target fdatasync)" "$n" "fdatasync calls, as strace counts them"
	local f
	f=$(finding out.json disk)
	assert_ne "$f" null "a disk finding: $(q out.json '[.findings[].summary]')"
	assert_match "$(jq -r .summary <<< "$f")" "in \`sqlite3\` \\(pid [0-9]+\\): in $n fdatasync calls"
	assert_match "$(jq -r .suggestion <<< "$f")" "^$n fdatasync calls: each waits for the disk"
	assert_eq "$(jq -r .evidence.waited_in <<< "$f")" fdatasync
}
