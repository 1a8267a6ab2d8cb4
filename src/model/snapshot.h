/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The model every analysis and renderer reads: plain C data, no libbpf types and no
 * structure of the kernel side's.
 *
 * The kernel stage copies its tables into a struct raw_dump (kernel/raw_dump.h) and
 * turns one dump, or the difference of two for an interval report, into a struct
 * snapshot (snapshot_build()): processes with their metrics (model/metrics.h), and
 * the same metrics summed over the whole target. Unit tests build dumps by hand.
 */
#ifndef PROCSCOPE_SNAPSHOT_H
#define PROCSCOPE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"
#include "lib/histogram.h"
#include "model/history.h"
#include "model/metrics.h"
#include "model/resources.h"
#include "model/self.h"

struct stack_set;

struct process {
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
	uint32_t hops; /* a peer: wake-ups from the target (1: it woke, or was woken by, one) */
	bool recalled; /* a peer known from the recent past alone: never followed, no figures */
	struct metrics m;
};

/* How many processes @p stands for: an aggregate's folded count, none for the slot of
 * processes beyond --max-procs (counted from STAT_PROCS_FULL), else one. */
static inline uint64_t process_count_of(const struct process *p)
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

/* A TCP connection that closed in the span. */
struct conn_summary {
	uint32_t pid;
	char comm[COMM_LEN + 1]; /* its process's when it closed */
	char remote[64];	 /* "10.0.0.5:5432" */
	uint16_t local_port;
	bool passive; /* accepted, not opened */
	uint64_t end_ns, lifetime_ns;
	uint64_t tx_bytes, rx_bytes;
	uint32_t retransmits;
};

/* One of the slowest block IO requests. */
struct slow_req {
	uint64_t lat_ns;   /* issue to completion */
	uint64_t queue_ns; /* insert (or start) to issue */
	uint64_t sector;
	uint32_t bytes;
	uint8_t op;	/* enum io_op */
	bool writeback; /* written back for the process that dirtied the file */
	bool deferred;	/* issued by a kernel thread for the process's IO cgroup */
	char dev[40];
	uint32_t pid;
	char comm[COMM_LEN + 1];
};

struct snapshot {
	enum snapshot_kind kind;
	uint64_t start_ns; /* beginning of what this snapshot covers */
	uint64_t end_ns;
	uint64_t attach_ns;
	struct process *procs; /* by slot (creation order) */
	size_t n_procs;
	/* peers: processes outside the target that a target waited on or woke (not in
	 * the target's totals), by slot */
	struct process *peers;
	size_t n_peers;
	const struct history *history; /* who ended each wait: the final report's, or NULL */
	struct metrics target;	       /* summed over procs */
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
	/* memory cgroups target processes reclaimed or refaulted in, as last read */
	size_t n_mem_cgroups;
	struct mem_cgroup mem_cgroups[MEM_CGROUPS_MAX];
	bool system; /* -a or -c: many independent processes, not one workflow */
	/* pressure stall time over the span (psi.h), where the kernel reports it */
	bool psi_ok[PSI_N];
	uint64_t psi_some_ns[PSI_N], psi_full_ns[PSI_N];
	struct self_stats self;
};

/*
 * The processes history @h knows from the recent past alone (not the target's, not a
 * followed peer), added to the peers: the critical path may go through them.
 */
void snapshot_add_recalled(struct snapshot *s, const struct history *h);
/* The process (the target's, or a peer) in kernel slot @slot, or NULL. */
const struct process *snapshot_proc_of_slot(const struct snapshot *s, uint32_t slot);
void snapshot_release(struct snapshot *s);

/* Time the process was observed: start to end, or to the snapshot end if alive. */
uint64_t proc_wall_ns(const struct process *p, const struct snapshot *s);
/* Exit code as a shell shows it: code, or 128+signal; -1 if still running. */
int proc_exit_code(const struct process *p);
/* Signal that killed it, 0 if none. */
int proc_exit_signal(const struct process *p);
/* Sum of blocked time over all wait classes. */
uint64_t sched_blocked_ns(const struct sched_metrics *s);

const char *wait_class_name(unsigned int wc);
const char *io_op_name(unsigned int op);
uint64_t io_total_bytes(const struct io_metrics *m);
const char *blk_state_name(unsigned int b);

#endif
