# shellcheck shell=bash
# Block IO: bytes to a real block device, attributed to the right process; writeback
# reported as such, for the process that dirtied the file and nobody else.

# A directory on a block-device-backed filesystem (not tmpfs), and its device name.
# (PROCSCOPE_IO_DIR: elsewhere, e.g. the kernel matrix's guest, whose root is not a
# block device)
io_dir() {
	local d=${PROCSCOPE_IO_DIR:-$ROOT/build}/iotest.$$
	mkdir -p "$d"
	echo "$d"
}
dev_of() {
	local dev maj min
	dev=$(stat -c '%d' "$1")
	maj=$((dev >> 8 & 0xfff))
	min=$(((dev & 0xff) | (dev >> 12 & 0xfff00)))
	awk -F= '$1 == "DEVNAME" { print $2 }' "/sys/dev/block/$maj:$min/uevent"
}

test_direct_write_bytes_per_process_and_device() {
	local d dev
	d=$(io_dir)
	dev=$(dev_of "$d")
	[ -n "$dev" ] || die "no block device under $d"
	"$PROCSCOPE" --json -o out.json -- "$WL/iowrite" "$d/direct.bin" 32 > wl.out
	rmdir "$d" 2>/dev/null || true
	local p want=$((32 * 1048576))
	p=$(report out.json | jq -c '.processes[] | select(.comm == "iowrite") | .io')
	# 5% and exact most runs; 15%: the known gap of docs/metrics.md, *Block IO* (a CI run
	# lost 3 MiB of 32 here once)
	assert_within "$(jq .write_bytes <<< "$p")" "$want" 15 "process write_bytes"
	assert_ge "$(jq .write_ops <<< "$p")" 32 "at least one request per 1 MiB write"
	# device time of a 1 MiB write: somewhere between 10 us and 1 s
	assert_ge "$(jq .latency.p50_ns <<< "$p")" 10000
	assert_le "$(jq .latency.p99_ns <<< "$p")" 1000000000
	assert_le "$(jq .queue.p50_ns <<< "$p")" 1000000000
	assert_le "$(jq .latency.p50_ns <<< "$p")" "$(jq .latency.p99_ns <<< "$p")"
	assert_within "$(report out.json | jq --arg d "$dev" '.target.io.devices[] | select(.name == $d) |
		.write_bytes')" "$want" 15 "device $dev write_bytes"
	# O_DIRECT: no data written back; creating the file dirtied a metadata block or two
	# (1 KiB blocks on the kernel matrix's scratch disk), which the flusher may write
	# inside the window, attributed to it rightly
	assert_le "$(report out.json | jq '.target.io.writeback_bytes')" 16384 "O_DIRECT: no writeback"
	assert_ge "$(report out.json | jq '.target.io.slowest | length')" 1
}

# Other processes' requests wait in the same device queue as ours; a run of that queue
# in our process's context (its own submission dispatches them all) issues theirs too:
# still theirs. Six traced writers beside two untraced ones, each traced writer's bytes
# its own to the page (before the fix, about one in five took a stranger's 4-64 MiB).
test_queue_runs_issue_other_processes_requests() {
	local d
	d=$(io_dir)
	bg sh -c "while [ ! -e '$d/stop' ]; do dd if=/dev/zero of='$d/other1' bs=1M count=32 \
		conv=fsync status=none; done"
	bg sh -c "while [ ! -e '$d/stop' ]; do '$WL/iowrite' '$d/other2' 8 > /dev/null; done"
	"$PROCSCOPE" --json -o out.json -- sh -c "for i in 1 2 3 4 5 6; do
		'$WL/iowrite' '$d/mine' 16 || exit 1; done" > wl.out
	touch "$d/stop"
	wait
	rm -rf "$d"
	local want=$((16 * 1048576)) w
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm == "iowrite")] | length')" 6
	for w in $(report out.json | jq '.processes[] | select(.comm == "iowrite") |
		.io.write_bytes'); do
		# the file's data, and a metadata block or two of its own. Known gap: about one
		# run in ten, under these neighbours, one writer comes up 4 KiB-4 MiB short
		# (lost, not given to another: the bound below holds); docs/metrics.md, *Block IO*
		assert_ge "$w" "$((want / 2))" "a traced writer's bytes"
		assert_le "$w" $((want + 65536)) "a traced writer's bytes, none of another's"
	done
}

test_writeback_attributed_to_dirtier() {
	local d
	d=$(io_dir)
	# filesystem metadata dirtied before we start (the block device's pages: shared by
	# everyone, as after a fresh clone), and an unrelated writer dirtying pages at the
	# same time: neither's writeback is ours, though sync dirties metadata too
	for i in $(seq 200); do echo "$i" > "$d/before.$i"; done
	bg "$WL/bufwrite" "$d/other.bin" 16
	"$PROCSCOPE" --json -o out.json -- sh -c "$WL/bufwrite '$d/mine.bin' 24; sync"
	wait
	rm -rf "$d"
	local want=$((24 * 1048576))
	# the flusher wrote the pages back; they count as writeback for bufwrite: its data,
	# and on a filesystem without a journal (the kernel matrix's guest) the metadata its
	# allocations dirtied ...
	local wb
	wb=$(report out.json | jq '.processes[] | select(.comm == "bufwrite") | .io.writeback_bytes')
	assert_ge "$wb" "$((want * 98 / 100))" "bufwrite's writeback"
	assert_le "$wb" "$((want * 110 / 100))" "bufwrite's writeback: data and its metadata"
	assert_eq "$(report out.json | jq '.target.io.writeback_bytes')" "$wb" "the target's is bufwrite's"
	# ... not as IO that bufwrite or sync submitted, and not as anyone else's
	assert_le "$(report out.json | jq '.processes[] | select(.comm == "bufwrite") |
		.io.write_bytes')" $((want / 10))
	assert_eq "$(report out.json | jq '[.processes[] | select(.comm != "bufwrite") |
		.io.writeback_bytes] | add')" 0
	assert_ge "$(report out.json | jq '.processes[] | select(.comm == "bufwrite") |
		.io.dirtied_bytes')" "$want"
}

test_no_io_means_not_loaded() {
	"$PROCSCOPE" -v --no-io --json -o out.json -- sh -c 'sleep 0.5' 2> err.txt &
	local ps=$!
	wait_for err.txt attached
	local loaded
	loaded=$(progs_of "$ps" | tr '\n' ' ')
	[[ " $loaded " != *" io_done "* ]] || die "io programs loaded with --no-io: $loaded"
	[[ " $loaded " == *" net_state "* ]] || die "net programs missing: $loaded"
	wait "$ps"
	assert_eq "$(q out.json .target.io)" null
	assert_eq "$(q out.json '.processes[0].io')" null
	assert_ne "$(q out.json .target.net)" null
}
