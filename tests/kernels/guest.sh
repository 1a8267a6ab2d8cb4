#!/bin/bash
# Run inside a kernel-matrix guest (tests/kernels/run.sh), in the host's root seen
# read-only with a throw-away overlay. Results go to /results/$(uname -r)/, the one
# writable share: --check's verdict, a default-mode run, and the smoke tests.
set -u
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
cd "$(dirname "$0")/../.."
out=/results/$(uname -r)
mkdir -p "$out"
exec > "$out/guest.log" 2>&1
echo "guest: $(uname -r), $(nproc) CPUs"

ip link set lo up
# block IO needs a real device: the scratch disk, formatted here
if mkfs.ext4 -q -F -O ^metadata_csum,^has_journal /dev/vda && mkdir -p /mnt/io &&
	mount -t ext4 /dev/vda /mnt/io; then
	export PROCSCOPE_IO_DIR=/mnt/io
else
	echo "guest: no block device for the IO tests"
fi
mount -t cgroup2 none /sys/fs/cgroup 2> /dev/null || true
WL=$PWD/tests/workloads/bin

# 1. what loads (a kernel procscope refuses stops here: the host checks how it said so)
./procscope --check --json > "$out/check.json" 2> "$out/check.err"
echo $? > "$out/check.rc"
if [ ! -s "$out/check.json" ]; then
	./procscope -- true > "$out/refused.out" 2> "$out/refused.err"
	echo $? > "$out/refused.rc"
	echo "guest: done"
	exit 0
fi

# 2. the default mode, every subsystem, on a small workflow of known counts
./procscope --json -o "$out/default.json" -- sh -c "$WL/getppid_n 777; $WL/forktree; exit 3" \
	> "$out/default.out" 2> "$out/default.err"
echo $? > "$out/default.rc"

# 3. the smoke subset of the integration tests: exact counts, no timing assertions
# (software emulation runs 5-10 times slower)
CI=true PROCSCOPE_TEST_SLOW=1 bash tests/integration/run.sh \
	test_syscalls::test_getppid_count_exact \
	test_syscalls::test_syscall_errors_and_errno \
	test_targets::test_forktree_command_mode \
	test_targets::test_forktree_pid_mode \
	test_io::test_direct_write_bytes_per_process_and_device \
	test_io::test_writeback_attributed_to_dirtier \
	test_net::test_tcp_ipv4_counts_exact \
	test_stacks::test_chain_named_from_the_entry \
	test_unwind::test_no_frame_pointers_whole_chain \
	test_unwind::test_offcpu_without_frame_pointers \
	test_python::test_python_frames_of_a_process_attached_to \
	test_sched::test_context_switches_match_kernel \
	test_lifecycle::test_exit_status_is_the_commands \
	test_kernel::test_check_lists_every_subsystem \
	test_waiting::test_waiting_select_on_a_socket \
	test_waiting::test_waiting_futex \
	> "$out/smoke.txt" 2>&1
# the files of the tests that failed, for the host to show
[ -d build/failed-tests ] && cp -r build/failed-tests "$out/"
echo "guest: done"
