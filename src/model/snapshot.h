/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model every analysis and renderer reads: plain C data, no libbpf types.
 *
 * A struct raw_dump is a copy of the kernel-side tables at one instant (process
 * records and stat rows, with the still-open scheduler intervals folded in), made by
 * collect.c. snapshot_build() turns one dump, or the difference of two for an
 * interval report, into a struct snapshot: processes with their metrics, and the
 * same metrics summed over the whole target. Unit tests build dumps by hand.
 */
#ifndef PROCSCOPE_SNAPSHOT_H
#define PROCSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"
#include "lib/histogram.h"
#include "kernel/raw_dump.h"

struct stack_set;

struct syscall_stat {
	uint32_t nr;
	uint64_t timed; /* calls whose latency was measured (adaptive timing) */
	uint64_t errors;
	uint32_t top_errno; /* most frequent errno, 0 if none */
	uint64_t top_errno_count;
	struct lat lat; /* count (exact), total, max, percentiles (estimated if timed < count) */
	struct hist *h; /* the target's: its buckets (weighted, as lat); NULL for a process */
};

struct io_metrics {
	uint64_t ops[IO_OP_N];
	uint64_t bytes[IO_OP_N];
	uint64_t wb_ops, wb_bytes; /* written back by the kernel for files it dirtied */
	uint64_t dirtied_bytes;
	uint64_t deferred_ops, deferred_bytes; /* of ops/bytes: issued later for its IO cgroup */
	uint64_t deferred_cgid;		       /* that cgroup (one process's; 0 for the target) */
	struct lat lat;			       /* device time */
	struct lat queue;		       /* queue time */
};

struct net_metrics {
	uint64_t tx_bytes, rx_bytes;
	uint64_t connects, connect_failures, accepts, closes, retransmits;
	bool accepts_known; /* accepts come from syscall tracing */
	struct lat connect, rtt, lifetime;
};

struct mem_metrics {
	uint64_t minor_faults, major_faults;
	uint64_t rss_bytes;	 /* now (live processes) */
	uint64_t rss_peak_bytes; /* VmHWM while alive, signal->maxrss at exit */
	uint64_t oom_kills;
};

struct metrics {
	struct proc_sched sched;
	struct lat runq;
	struct io_metrics io;
	struct net_metrics net;
	struct mem_metrics mem;
	struct syscall_stat *syscalls; /* by total time, descending */
	size_t n_syscalls;
	uint64_t syscall_count, syscall_errors, syscall_total_ns;
};

struct proc_info {
	uint32_t slot;
	uint32_t pid, ppid;
	uint32_t flags;	     /* enum proc_flags */
	int32_t exit_status; /* wait(2) status, valid if PROC_F_EXITED */
	char comm[COMM_LEN + 1];
	char *cmdline; /* owned; arguments joined by spaces */
	uint64_t cgid; /* its cgroup v2 id, 0 if unknown */
	char *cgroup;  /* owned; its path below the cgroup2 mount, NULL if unknown */
	/* an aggregate of this many recycled processes (pid 0), their lifetimes summed */
	uint64_t folded, lifetime_ns;
	uint64_t start_ns, exec_ns, end_ns;
	struct metrics m;
};

/* How many processes @p stands for: an aggregate's folded count, none for the slot of
 * processes beyond --max-procs (counted from STAT_PROCS_FULL), else one. */
static inline uint64_t proc_info_processes(const struct proc_info *p)
{
	return p->folded ? p->folded : p->slot != SLOT_OVERFLOW;
}

/* Names from outside the kernel tables: command lines (proctree.h), devices (sysfs). */
struct snapshot_names {
	/* the command line for @slot, or NULL if unknown */
	const char *(*cmdline)(void *ctx, uint32_t slot);
	void *ctx;
	/* the name of block device @dev ("vda"), into @buf; NULL: "major:minor" */
	void (*dev_name)(uint32_t dev, char *buf, size_t len);
	/* the path of cgroup @id, or NULL if unknown (cgpath.h); NULL: none */
	const char *(*cgroup)(void *ctx, uint64_t id);
	void *cgroup_ctx;
};

enum snapshot_kind {
	SNAP_REPORT = 0,   /* everything since attach */
	SNAP_INTERVAL = 1, /* the change since the previous snapshot */
};

struct io_device {
	uint32_t dev; /* major << 20 | minor */
	char name[40];
	struct io_metrics m;
	struct hist *lat_h; /* device time buckets, NULL if none */
};

struct net_remote {
	char addr[64]; /* "10.0.0.5:5432", "[2001:db8::1]:443" */
	uint64_t connects, connect_failures, retransmits, tx_bytes, rx_bytes;
	struct lat connect, rtt;
	struct hist *connect_h, *rtt_h; /* their buckets, NULL if none */
};

#define SNAPSHOT_TOP_CONNS 10

struct conn_summary {
	struct tcp_conn_info c;
	char remote[64];
	char comm[COMM_LEN + 1];
};

struct slow_req {
	struct io_slow r;
	char dev[40];
	uint32_t pid;
	char comm[COMM_LEN + 1];
};

struct snapshot {
	enum snapshot_kind kind;
	uint64_t start_ns; /* beginning of what this snapshot covers */
	uint64_t end_ns;
	uint64_t attach_ns;
	struct proc_info *procs; /* by slot (creation order) */
	size_t n_procs;
	struct metrics target; /* summed over procs */
	/* processes seen in the span (started, or alive at its start), those beyond
	 * --max-procs included, and those still running at its end */
	uint64_t process_count, running_count;
	struct hist target_runq;
	struct io_device *devices; /* by bytes, descending */
	size_t n_devices;
	struct net_remote *remotes; /* by connects + bytes, descending */
	size_t n_remotes;
	struct slow_req *slow; /* slowest first */
	size_t n_slow;
	struct conn_summary conns[SNAPSHOT_TOP_CONNS]; /* closed in the span, most bytes first */
	size_t n_conns;
	size_t conns_closed;		/* all closed in the span */
	const struct stack_set *stacks; /* final report with stacks on, else NULL */
	struct kernel_info kernel;	/* what loaded on this kernel, and what could not */
	/* the CPUs over the span: time on tasks outside the target, idle; 0 without sched */
	uint64_t cpu_others_ns, cpu_idle_ns;
	uint32_t ncpus;
	/* IO cgroups that issued target IO later (io_metrics.deferred_cgid), with limits */
	size_t n_io_cgroups;
	struct io_cgroup io_cgroups[IO_CGROUPS_MAX];
	bool system; /* -a or -c: many independent processes, not one workflow */
	/* pressure stall time over the span (psi.h), where the kernel reports it */
	bool psi_ok[PSI_N];
	uint64_t psi_some_ns[PSI_N], psi_full_ns[PSI_N];
	struct self_stats self;
};

/*
 * Build @out from @cur, or from @cur - @prev when @prev is given (interval).
 * @attach_ns is when accounting started. Returns 0 or -ENOMEM.
 */
int snapshot_build(struct snapshot *out, const struct raw_dump *cur, const struct raw_dump *prev,
		   uint64_t attach_ns, const struct snapshot_names *names);
void snapshot_release(struct snapshot *s);

/* Time the process was observed: start to end, or to the snapshot end if alive. */
uint64_t proc_wall_ns(const struct proc_info *p, const struct snapshot *s);
/* Exit code as a shell shows it: code, or 128+signal; -1 if still running. */
int proc_exit_code(const struct proc_info *p);
/* Signal that killed it, 0 if none. */
int proc_exit_signal(const struct proc_info *p);
/* Sum of blocked time over all wait classes. */
uint64_t sched_blocked_ns(const struct proc_sched *s);

const char *wait_class_name(unsigned int wc);
const char *io_op_name(unsigned int op);
/* "a.b.c.d:port" or "[v6]:port" */
void format_remote(const struct net_remote_key *k, char *buf, size_t len);
uint64_t io_total_bytes(const struct io_metrics *m);
const char *blk_state_name(unsigned int b);

#endif
