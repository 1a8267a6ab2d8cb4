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
#include "histogram.h"

struct stack_set;

/* procscope's own costs and losses. */
struct self_stats {
	uint64_t stats[STAT_N]; /* BPF-side loss counters, summed over CPUs */
	int bpf_stats;		 /* enum bpf_stats_mode */
	uint64_t bpf_sampled_ns;  /* run time while BPF_ENABLE_STATS was on */
	uint64_t bpf_sampled_cnt; /* program runs while it was on */
	double bpf_coverage;	 /* share of the run it was on */
	uint64_t bpf_run_ns;	 /* estimated total run time: sampled / coverage */
	uint64_t bpf_run_cnt;	 /* estimated total runs */
	uint64_t bpf_recursion_misses; /* program runs the kernel skipped (lost events) */
	uint64_t startup_ns;	/* procscope start to attached */
	uint64_t attach_ns;	/* load + attach */
	uint64_t rss_peak_bytes;
	uint64_t cpu_ns; /* procscope's user + system CPU time */
	uint32_t procs_used, procs_max;
	uint32_t rows_used, rows_max;
	uint64_t events; /* ring buffer records received */
	/* stacks: the final symbolization */
	uint64_t symbolize_ns;
	uint64_t sym_captures, sym_capture_misses, sym_modules, sym_parses;
};

/* What procfs says of a live process at collection time. */
struct proc_live {
	uint64_t rss_bytes;	 /* VmRSS */
	uint64_t rss_peak_bytes; /* VmHWM */
};

struct raw_dump {
	uint64_t ts_ns; /* CLOCK_MONOTONIC when taken */
	uint32_t n_procs;
	struct proc_rec *procs; /* [0, n_procs), indexed by slot */
	struct proc_live *live; /* [0, n_procs): zero for exited processes */
	uint32_t n_rows;
	struct stat_row *rows; /* [0, n_rows), indexed by row */
	uint32_t n_devs;
	struct io_dev_rec devs[IO_DEV_MAX]; /* by device index - 1 */
	uint32_t n_slow;
	struct io_slow slow[IO_SLOW_N * 8]; /* slowest requests, merged over CPUs */
	uint32_t n_remotes;
	struct net_remote_rec remotes[NET_REMOTE_MAX]; /* by remote index */
	uint64_t oom_kills;
	struct self_stats self;
};

struct sc_stat {
	uint32_t nr;
	uint64_t timed; /* calls whose latency was measured (adaptive timing) */
	uint64_t errors;
	uint32_t top_errno; /* most frequent errno, 0 if none */
	uint64_t top_errno_count;
	struct lat lat; /* count (exact), total, max, percentiles (estimated if timed < count) */
};

struct io_metrics {
	uint64_t ops[IO_OP_N];
	uint64_t bytes[IO_OP_N];
	uint64_t wb_ops, wb_bytes; /* written back by the kernel for files it dirtied */
	uint64_t dirtied_bytes;
	struct lat lat;	  /* device time */
	struct lat queue; /* queue time */
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

/* Where the time went, in wall-clock time (see breakdown.h). */
enum bd_class {
	BD_ONCPU = 0,
	BD_RUNQ = 1,
	BD_IO = 2,
	BD_NET = 3,
	BD_LOCK = 4,
	BD_SLEEP = 5,
	BD_POLL = 6,
	BD_CHILD = 7,
	BD_OTHER = 8,
	BD_N = 9,
};

struct breakdown {
	uint64_t wall_ns;
	uint64_t ns[BD_N]; /* adds up to wall_ns exactly */
};

struct metrics {
	struct breakdown bd;
	struct proc_sched sched;
	struct lat runq;
	struct io_metrics io;
	struct net_metrics net;
	struct mem_metrics mem;
	struct sc_stat *sc; /* by total time, descending */
	size_t n_sc;
	uint64_t sc_count, sc_errors, sc_total_ns;
};

struct proc_info {
	uint32_t slot;
	uint32_t pid, ppid;
	uint32_t flags;	     /* enum proc_flags */
	int32_t exit_status; /* wait(2) status, valid if PROC_F_EXITED */
	char comm[COMM_LEN + 1];
	char *cmdline; /* owned; arguments joined by spaces */
	uint64_t start_ns, exec_ns, end_ns;
	struct metrics m;
};

/* Information from outside the kernel tables (the process tree, sysfs). */
struct snapshot_names {
	/* the command line for @slot, or NULL if unknown */
	const char *(*cmdline)(void *ctx, uint32_t slot);
	void *ctx;
	/* the name of block device @dev ("vda"), into @buf; NULL: "major:minor" */
	void (*dev_name)(uint32_t dev, char *buf, size_t len);
	/* closed TCP connections seen so far */
	const struct tcp_conn_info *conns;
	size_t n_conns;
};

enum snapshot_kind {
	SNAP_REPORT = 0,   /* everything since attach */
	SNAP_INTERVAL = 1, /* the change since the previous snapshot */
};

struct io_device {
	uint32_t dev; /* major << 20 | minor */
	char name[40];
	struct io_metrics m;
};

struct net_remote {
	char addr[64]; /* "10.0.0.5:5432", "[2001:db8::1]:443" */
	uint64_t connects, connect_failures, retransmits, tx_bytes, rx_bytes;
	struct lat connect, rtt;
};

/* A closed TCP connection (proctree.h fills these from ring-buffer records). */
struct tcp_conn_info {
	uint32_t slot, pid;
	uint16_t lport;
	uint8_t passive;
	struct net_remote_key key;
	uint64_t end_ns, lifetime_ns;
	uint64_t tx_bytes, rx_bytes;
	uint32_t retransmits;
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

struct path_step {
	size_t proc;	    /* index into procs */
	uint64_t on_path_ns; /* its share of the path (its own time, not its children's) */
};

struct snapshot {
	enum snapshot_kind kind;
	uint64_t start_ns; /* beginning of what this snapshot covers */
	uint64_t end_ns;
	uint64_t attach_ns;
	struct proc_info *procs; /* by slot (creation order) */
	size_t n_procs;
	struct metrics target; /* summed over procs */
	struct hist target_runq;
	struct io_device *devices; /* by bytes, descending */
	size_t n_devices;
	struct net_remote *remotes; /* by connects + bytes, descending */
	size_t n_remotes;
	struct slow_req *slow; /* slowest first */
	size_t n_slow;
	struct conn_summary conns[SNAPSHOT_TOP_CONNS]; /* closed in the span, most bytes first */
	size_t n_conns;
	size_t conns_closed; /* all closed in the span */
	const struct stack_set *stacks; /* final report with stacks on, else NULL */
	/* breakdown.c: the chain of processes the target's wall time depended on */
	struct path_step *path; /* chronological */
	size_t n_path;
	bool bd_expanded; /* target.bd follows the critical path (one root) */
	struct self_stats self;
};

/*
 * Build @out from @cur, or from @cur - @prev when @prev is given (interval).
 * @attach_ns is when accounting started. Returns 0 or -ENOMEM.
 */
int snapshot_build(struct snapshot *out, const struct raw_dump *cur, const struct raw_dump *prev,
		   uint64_t attach_ns, const struct snapshot_names *names);
void snapshot_release(struct snapshot *s);

void raw_dump_release(struct raw_dump *d);
/* Deep copy, for keeping the previous dump between intervals. */
void raw_dump_copy(struct raw_dump *dst, const struct raw_dump *src);

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
