/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Block IO accounting shared by bpf/io.bpf.c and userspace. A request belongs to
 * the process that submitted it (block_io_start runs in its context), or, when a
 * flusher thread writes back pages, to the process that dirtied the file.
 */
#ifndef PROCSCOPE_IO_ABI_H
#define PROCSCOPE_IO_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

enum io_op {
	IO_READ = 0,
	IO_WRITE = 1,
	IO_FLUSH = 2,
	IO_DISCARD = 3, /* discard, secure erase, write zeroes */
	IO_OTHER = 4,
	IO_OP_N = 5,
};

/* Per process: IO it submitted itself, and writeback done for files it dirtied. */
struct proc_io {
	__u64 ops[IO_OP_N];
	__u64 bytes[IO_OP_N];
	__u64 wb_ops; /* written back by the kernel on its behalf */
	__u64 wb_bytes;
	__u64 dirtied_bytes; /* page-cache bytes it dirtied (buffered writes) */
	/*
	 * Of ops/bytes: requests a kernel thread issued later for its IO cgroup (the
	 * blk-throttle dispatcher holding IO back to a limit, or a cgroup's worker), and
	 * that cgroup's id. Latency counts from the issue, so the time held back is not in it.
	 */
	__u64 deferred_ops;
	__u64 deferred_bytes;
	__u64 deferred_cgid;
};

/* Request flags (struct io_req, io_slow.writeback). */
#define IO_F_WRITEBACK 1 /* written back for the process that dirtied the file */
#define IO_F_DEFERRED 2	 /* issued by a kernel thread for the process's IO cgroup */

/*
 * core_blkcg_owner: a non-root IO cgroup (the address of its css) -> the target
 * process whose thread last blocked on IO in it (sched_switch, in_iowait).
 */
struct blkcg_owner {
	__u64 cgid; /* the cgroup's id: its directory's inode number in cgroupfs */
	__u32 slot;
	__u32 pid; /* the process's: its slot may have been recycled since */
};

#define IO_DEV_MAX 64

/* Per device, over the whole target. */
struct io_dev_rec {
	__u32 dev; /* major << 20 | minor, the kernel's dev_t; 0 = slot unused */
	__u16 row_lat;
	__u16 row_queue;
	__u64 ops[IO_OP_N];
	__u64 bytes[IO_OP_N];
	__u64 wb_ops;
	__u64 wb_bytes;
};

#define IO_SLOW_N 8 /* slowest requests kept per CPU */

struct io_slow {
	__u64 lat_ns;	/* issue to completion */
	__u64 queue_ns; /* insert (or start) to issue */
	__u64 sector;
	__u32 bytes;
	__u32 slot;
	__u32 dev;
	__u8 op;
	__u8 writeback; /* IO_F_* */
	__u16 pad;
};

#endif
