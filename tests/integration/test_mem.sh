# shellcheck shell=bash
# Memory: page faults from the kernel's own counters, peak RSS, RSS of live processes.

test_fresh_pages_fault_and_peak_rss() {
	"$PROCSCOPE" --json -o out.json -- "$WL/touchmem" 200 > wl.out
	local pages m
	pages=$(awk '{ print $2 }' wl.out)
	m=$(report out.json | jq -c '.processes[] | select(.comm == "touchmem") | .mem')
	assert_ge "$(jq .minor_faults <<< "$m")" "$pages" "a fault per touched page"
	assert_within "$(jq .rss_peak_bytes <<< "$m")" $((200 * 1048576)) 10 "peak RSS"
	# anonymous memory needs no IO; loading the program itself may, a page or two
	assert_le "$(jq .major_faults <<< "$m")" 5 "major faults"
	assert_ge "$(q out.json .target.mem.minor_faults)" "$pages"
}

test_live_process_rss() {
	local pid
	pid=$(start_gated "$WL/touchmem" 100 1500)
	"$PROCSCOPE" -v -p "$pid" --json -o out.json -i 500ms 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	kill -USR1 "$pid"
	wait "$ps"
	# an interval taken while it held the memory saw it resident
	assert_ge "$(jq -s '[.[] | select(.type == "interval") | .processes[] | select(.pid == '"$pid"') |
		.mem.rss_bytes] | max' out.json)" $((95 * 1048576))
	assert_within "$(q out.json ".processes[] | select(.pid == $pid) | .mem.rss_peak_bytes")" \
		$((100 * 1048576)) 10
	assert_ge "$(q out.json ".processes[] | select(.pid == $pid) | .mem.minor_faults")" 25600
}

# A memory cgroup of our own with a limit of $1 MiB (and as much with swap, where the
# kernel counts it): MEMCG (its directory), MEMCG_REL (below the controller's mount),
# MEMCG_V2. The memory controller is v1's own mount on a hybrid host, else cgroup2's.
make_memcg() {
	local mnt
	mnt=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/self/mounts)
	MEMCG_V2=
	if [ -z "$mnt" ]; then
		mnt=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
		MEMCG_V2=1
	fi
	MEMCG_REL="/procscope-test-mem-$$-$RANDOM"
	MEMCG="$mnt$MEMCG_REL"
	mkdir "$MEMCG"
	[ -z "$MEMCG_V2" ] || [ ! -e "$MEMCG/memory.swap.max" ] || echo 0 > "$MEMCG/memory.swap.max"
	memcg_limit "$1"
}

# Set our cgroup's limit to $1 MiB (v1: with swap as much, the larger of the two first).
memcg_limit() {
	local b=$(($1 * 1048576)) f
	if [ -n "$MEMCG_V2" ]; then
		echo "$b" > "$MEMCG/memory.max"
		return
	fi
	for f in memory.limit_in_bytes memory.memsw.limit_in_bytes memory.limit_in_bytes; do
		[ ! -e "$MEMCG/$f" ] || echo "$b" > "$MEMCG/$f" 2> /dev/null || true
	done
	assert_eq "$(cat "$MEMCG/memory.limit_in_bytes")" "$b" "the cgroup's limit"
}

drop_memcg() {
	[ -n "${MEMCG:-}" ] && [ -d "$MEMCG" ] || return 0
	local p
	for p in $(cat "$MEMCG/cgroup.procs"); do kill -KILL "$p" 2> /dev/null; done
	for _ in $(seq 1 50); do rmdir "$MEMCG" 2> /dev/null && return 0; sleep 0.1; done
}

refaults_of_memcg() { awk '$1 == "workingset_refault_file" { print $2 }' "$MEMCG/memory.stat"; }

# A file of $1 MiB written past the page cache (none of it cached when the test starts).
cold_file() { dd if=/dev/zero of=big bs=1M count="$1" oflag=direct status=none; }

# the findings' kinds in rank order, one line
finding_kinds() { q "$1" '[.findings[].kind] | join(" ")'; }

test_refaults_under_a_cgroup_limit() {
	local before after ours kinds
	make_memcg 64
	at_exit drop_memcg
	cold_file 256
	before=$(refaults_of_memcg)
	# a file four times the limit, read three times: each pass evicts the one before
	"$PROCSCOPE" --json -o out.json --alert 'mem.refaults > 10000' --alert 'mem.reclaim > 0' \
		-- sh -c \
		"echo \$\$ > $MEMCG/cgroup.procs && for i in 1 2 3; do cat big > /dev/null; done"
	after=$(refaults_of_memcg)
	drop_memcg
	ours=$(q out.json .target.mem.refaults)
	# the kernel's own count (shadow entries) and procscope's (evictions it saw)
	assert_ge "$((after - before))" 32768 "the cgroup refaulted at least one pass of the file"
	assert_within "$ours" "$((after - before))" 10 "refaults against memory.stat's"
	assert_ge "$(q out.json .target.mem.reclaims)" 1
	assert_ge "$(q out.json .target.mem.reclaim_ns)" 1
	assert_ge "$(q out.json .target.mem.reclaimed_pages)" 32768
	# reclaim is its own class of the wall time, along the critical path too
	assert_ge "$(q out.json .target.breakdown.memory_ns)" 1
	# the limit it ran into
	assert_eq "$(q out.json '.target.memory_cgroups[0].path')" "$MEMCG_REL"
	assert_eq "$(q out.json '.target.memory_cgroups[0].limit_bytes')" $((64 * 1048576))
	# the finding: memory, with the limit and the bytes re-read, above the disk's
	kinds=$(finding_kinds out.json)
	assert_match "$kinds" "memory" "a memory finding"
	assert_no_match "$kinds" "disk.*memory" "memory ranked above disk"
	assert_match "$(q out.json '.findings[] | select(.kind == "memory") | .summary')" \
		"in cgroup $MEMCG_REL, at its 64.0MiB limit.*MiB re-read from disk"
	assert_match "$(q out.json '.findings[] | select(.kind == "memory") | .suggestion')" \
		"raise memory\.(max|limit_in_bytes)"
	# alert rules read the new figures by name
	assert_eq "$(jq -sc '[.[] | select(.type == "alert") | .metric] | sort' out.json)" \
		'["mem.reclaim","mem.refaults"]'
	[[ $kinds != *disk* ]] || assert_match \
		"$(q out.json '.findings[] | select(.kind == "disk") | .summary')" "were refaults"
}

test_lookups_under_a_cgroup_limit() {
	local before after w1 w2 sh
	make_memcg 16
	at_exit drop_memcg
	cold_file 64
	before=$(refaults_of_memcg)
	# 4 KiB lookups over a file four times the limit, the same ones three times (an index
	# or a database's pages): a lookup's page is gone by the time it comes again
	"$PROCSCOPE" --json -o out.json -- sh -c \
		"echo \$\$ > $MEMCG/cgroup.procs && exec $WL/randread big 3 12000" > wl.out
	after=$(refaults_of_memcg)
	assert_eq "$(cat wl.out)" "read $((3 * 12000 * 4096))"
	assert_within "$(q out.json .target.mem.refaults)" "$((after - before))" 10 \
		"refaults against memory.stat's"
	assert_ge "$(q out.json .target.mem.refault_ns)" 1 "time in the calls that refaulted"
	# the truth: the same lookups with the limit lifted, from a cold cache again
	dd if=big iflag=nocache count=0 status=none
	memcg_limit 1024
	"$PROCSCOPE" --json -o lifted.json -- sh -c \
		"echo \$\$ > $MEMCG/cgroup.procs && exec $WL/randread big 3 12000" > wl.out
	drop_memcg
	assert_no_match "$(finding_kinds lifted.json)" memory "no memory finding, the limit lifted"
	# memory is the top finding, and its share of the wall is about what lifting the
	# limit saved (timing on a shared VM: a band of 20 points)
	assert_eq "$(q out.json '.findings[0].kind')" memory "$(finding_kinds out.json)"
	assert_match "$(q out.json '.findings[0].summary')" "in cgroup $MEMCG_REL, at its 16.0MiB limit"
	w1=$(q out.json .target.wall_ns)
	w2=$(q lifted.json .target.wall_ns)
	sh=$(q out.json '.findings[0].evidence.share')
	awk -v s="$sh" -v w1="$w1" -v w2="$w2" 'BEGIN { d = s - (1 - w2 / w1); exit !(d < 0.2 && d > -0.2) }' ||
		die "memory's share $sh, lifting the limit saved $(awk -v a="$w1" -v b="$w2" 'BEGIN { print 1 - b / a }')"
}

test_no_limit_no_memory_finding() {
	local before after ours
	make_memcg 1024
	at_exit drop_memcg
	cold_file 256
	before=$(refaults_of_memcg)
	# the same reads under a limit well above the file: read once, then from the cache
	"$PROCSCOPE" --json -o out.json -- sh -c \
		"echo \$\$ > $MEMCG/cgroup.procs && for i in 1 2 3; do cat big > /dev/null; done"
	after=$(refaults_of_memcg)
	drop_memcg
	# next to none re-read: what the host's own reclaim evicts meanwhile (kswapd keeping a
	# zone's free pages: CI runs saw 1028 and 2560 of 196608 pages read), as the cgroup
	# counts them
	ours=$(q out.json .target.mem.refaults)
	assert_le "$ours" 9830 "refaults, of 196608 pages read: under 5%"
	assert_le "$ours" "$((after - before + 64 + (after - before) / 10))" \
		"refaults, against memory.stat's ($((after - before)))"
	assert_le "$(q out.json .target.io.read_bytes)" $((300 * 1048576)) "the file read once"
	assert_no_match "$(finding_kinds out.json)" "memory"
}

test_oom_at_the_cgroup_limit() {
	make_memcg 32
	at_exit drop_memcg
	# anonymous memory past the limit, no swap: reclaim finds nothing to free, the OOM
	# killer ends it
	"$PROCSCOPE" --json -o out.json -- sh -c \
		"echo \$\$ > $MEMCG/cgroup.procs && exec $WL/touchmem 200" || true
	drop_memcg
	assert_eq "$(q out.json '.processes[] | select(.comm == "touchmem") | .mem.oom_kills')" 1
	assert_ge "$(q out.json '.processes[] | select(.comm == "touchmem") | .mem.reclaims')" 1
	assert_ge "$(q out.json '.processes[] | select(.comm == "touchmem") | .mem.reclaim_ns')" 1
	assert_eq "$(q out.json '.findings[0].kind')" memory
	assert_match "$(q out.json '.findings[0].summary')" \
		"OOM killer killed 1 process.* in cgroup $MEMCG_REL, at its 32.0MiB limit"
	assert_eq "$(q out.json '.target.memory_cgroups[0].oom_kills')" 1
}

# Compaction in the target's own context: a write to /proc/sys/vm/compact_memory
# compacts every populated zone of every node, one mm_compaction_begin/end each. The
# truth: the zones with pages, as /proc/zoneinfo lists them.
test_compaction_timed() {
	local zones
	zones=$(awk '$1 == "present" && $2 > 0 { n++ } END { print n + 0 }' /proc/zoneinfo)
	"$PROCSCOPE" --json -o out.json -- sh -c 'echo 1 > /proc/sys/vm/compact_memory'
	assert_eq "$(q out.json .target.mem.compactions)" "$zones" "zones compacted"
	assert_ge "$(q out.json .target.mem.compaction_ns)" 1 "time compacting"
	# a memory stall as reclaim is: in reclaim_ns too, within the process's wall time
	assert_ge "$(q out.json '.target.mem | .reclaim_ns - .compaction_ns')" 0
	assert_le "$(q out.json .target.mem.compaction_ns)" "$(q out.json .target.wall_ns)"
}
