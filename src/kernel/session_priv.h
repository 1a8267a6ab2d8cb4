/* SPDX-License-Identifier: GPL-2.0 */
/* struct session, shared by session.c (lifecycle) and session_collect.c (reading the maps). */
#ifndef PROCSCOPE_SESSION_PRIV_H
#define PROCSCOPE_SESSION_PRIV_H

#include <pthread.h>
#include <stdbool.h>

#include <bpf/libbpf.h>

#include "procscope.skel.h"
#include "kernel/session.h"
#include "kernel/pycode.h"
#include "kernel/stackstore.h"
#include "kernel/unwind.h"

#define SESSION_MAX_REGISTERED 1024
/*
 * --bpf-stats=sample: run-time accounting on for a window of every period, the period
 * doubled from 4 s after each window up to 64 s. Each switch patches the kernel's text
 * on every CPU (a static key), stopping them all: on a VM ~5 ms of CPU a pair, a third
 * of a monitor's own at one pair a second, a fifth of an idle one's at one every 4 s.
 */
#define STATS_PERIOD_NS 4000000000ULL
#define STATS_PERIOD_MAX_NS 64000000000ULL
#define STATS_WINDOW_NS 100000000ULL
/*
 * With recycling, the loop wakes every RECYCLE_EVERY_NS on its own: events wake it at
 * most this often (cfg_wake_gap_ns, bpf/core.h).
 */
#define EVENTS_WAKE_GAP_NS 10000000ULL

struct session {
	struct procscope_bpf *skel;
	struct ring_buffer *rb;
	struct bpf_link **links; /* programs, plus one sampling event per CPU */
	int n_links;
	struct bpf_link *task_iter;		     /* core_tasks, if sched or mem is on */
	struct bpf_link *wait_iter;		     /* core_waits, if sched is on */
	struct bpf_link *seed_iter;		     /* core_seeds, if the past is on */
	uint32_t registered[SESSION_MAX_REGISTERED]; /* slots given by session__add_pid() */
	int n_registered;
	int stats_fd;		   /* BPF_ENABLE_STATS while on, else -1 */
	int stats_mode;		   /* enum bpf_stats_mode */
	uint64_t stats_on_since;   /* when the current window opened */
	uint64_t stats_period_ns;  /* from this window's opening to the next one's */
	uint64_t stats_covered_ns; /* closed windows, summed */
	uint64_t stats_next_ns;	   /* next toggle, 0 = none */
	int (*on_event)(void *ctx, void *data, size_t len);
	int (*on_trace)(void *ctx, const struct tl_event *e);
	struct history *history; /* who ended each wait, NULL if not recorded */
	void *ev_ctx;
	uint32_t max_procs, max_rows;
	unsigned int freq_hz;
	unsigned int subsys;
	uint64_t attach_ns; /* accounting start */
	uint64_t attach_cost_ns;
	uint64_t started_ns;
	uint64_t events;
	uint64_t first_event_ns, first_seen_ns; /* -v: its stamp, when it was read; 0: none */
	uint64_t drain_until_ns; /* session__drain's budget: stop consuming then (0: none) */
	int ncpus;
	void *iter_buf;
	size_t iter_cap;
	struct kernel_info kernel; /* what loaded, what this kernel could not do */
	bool said;		   /* a load failure was already explained on stderr */
	/* IO cgroups that deferred the target's IO, read once each (kernel/session_collect.c) */
	struct io_cgroup io_cgroups[IO_CGROUPS_MAX];
	size_t n_io_cgroups;
	struct mem_cgroup mem_cgroups[MEM_CGROUPS_MAX];
	size_t n_mem_cgroups;
	bool system;	    /* the target is the system or a cgroup, not a workflow */
	char psi_dir[4096]; /* psi.h; empty: not read */
	bool psi_cgroup;
	struct psi psi_attach;
	bool recycle;	 /* slots and rows are reused: the free rings are sized */
	bool kfold;	 /* ... and the kernel folds processes no dump saw (cfg_kfold) */
	bool map_tables; /* procs_mem, rows_mem mapped (session_opts) */
	/*
	 * The process records and stat rows, mmap'ed (map_tables) up to their high-water
	 * marks, procs_mapped and rows_mapped entries (tables_fit()); the rings of free
	 * slots and rows
	 */
	struct proc_rec *procs_mem; /* mapped (map_tables), else NULL */
	struct stat_row *rows_mem;
	size_t procs_mapped, rows_mapped;
	/* held while they are mapped again: the reporter thread reads pids (rekey) */
	pthread_mutex_t tables_mu;
	struct proc_rec proc_copy; /* session__proc's, when the table is not mapped */
	uint64_t *free_slots, *free_rows;
	uint32_t free_slots_mask, free_rows_mask;
	/* the stack counts of recycled processes, under their aggregates */
	struct stackstore folded_stacks;
	struct py_codes py; /* the Python code objects the stacks name */
	bool python;	    /* Python frames walked (py_layouts filled) */
	/* user stacks walked with unwind tables (bpf/unwind.h): the maps, mmap'ed */
	bool unwind;
	struct unwind_tables unwind_tables;
	/* the host's recent past (kernel/past.c): the rings, mmap'ed; their decoded copy */
	size_t past_cap; /* records in core_past, 0: off (mapped only to be read: past.c) */
	unsigned int past_depth;
	struct past_ev *past_ev;
	size_t past_ev_cap;
	/* every task's state at attach (core_seeds): kept for the run, unlike the rings */
	struct past_ev *past_seed;
	size_t n_past_seed;
	uint8_t wait_class_of[SYSCALL_NR_MAX]; /* enum wait_class, or SYSCALL_CLASS_FD */
};

/*
 * Once attached, the tasks as they are: each target thread found blocked is filed
 * under what it waits for (core_tasks, from the syscall it is in), and with the
 * recent past on, every task's state now is kept as its seed.
 */
void session__first_sight(struct session *s);
/* Size the host's recent past for peers @depth hops deep (between open and load). */
void past__configure(struct session *s, unsigned int depth);
/* Keep the @n seeds of the past that core_seeds wrote at attach (@recs). */
void past__keep_seed(struct session *s, const struct past_rec *recs, size_t n);
/*
 * Thread @tid of @pid became a peer ending a target's wait [@from, @to): what it did
 * then, from the recent past, into the history (and the threads that ended its waits).
 */
void past__recall(struct session *s, uint32_t tid, uint32_t pid, uint64_t from, uint64_t to);

/* Copy the used process slots (kernel/session_collect.c); caller releases with raw_dump_release().
 */
int session__read_procs(struct session *s, struct raw_dump *d);

/*
 * map_tables: map the process records and stat rows up to the entries carved so far
 * (session_collect.c). True if the mappings moved: pointers into them are stale.
 */
bool tables_fit(struct session *s);
void tables_unmap(struct session *s);

#endif
