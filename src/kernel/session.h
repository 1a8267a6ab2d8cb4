/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The BPF session: open -> configure rodata and map sizes -> load -> (register the
 * target's pids) -> attach -> poll and collect -> destroy. Everything is detached and
 * freed by session__free(), which every exit path calls. Only session.c,
 * session_collect.c (reading the tables) and support.c (--check) see the skeleton.
 */
#ifndef PROCSCOPE_SESSION_H
#define PROCSCOPE_SESSION_H

#include <stddef.h>
#include <stdint.h>

#include "model/config.h"
#include "kernel/raw_dump.h"
#include "model/snapshot.h"
#include "model/history.h"
#include "model/timeline.h"

#define TRACE_RING_BYTES (16U << 20) /* --trace: the kernel's buffer of records */
/* --flight-recorder alone: drained every 100 ms, 4 MiB holds ~80,000 records (a fork
 * storm's second); the ring's pages, mapped, are resident once it has wrapped */
#define FLIGHT_RING_BYTES (4U << 20)
#define PATH_RING_BYTES (1U << 20) /* who ended each wait: the kernel's buffer */

struct session;

struct session_opts {
	const struct config *cfg;
	uint32_t mode; /* enum target_mode */
	uint64_t cg_id;
	uint32_t cg_level;
	/* ring buffer records; return 0 */
	int (*on_event)(void *ctx, void *data, size_t len);
	void *ctx;
	uint64_t started_ns; /* procscope's start, for the startup figure */
	/* pressure stall information: /proc/pressure, or the target cgroup's directory */
	const char *psi_dir;
	bool psi_cgroup;
	bool recycle; /* exited processes' slots and rows are reused (recycle.h) */
	/*
	 * The process table and the rows mapped, read in place (recycling, intervals, the
	 * trace's counters need them often); else copied by syscall when collected: a
	 * mapping's pages all count in our RSS, 16 MB of them however few are used.
	 */
	bool map_tables;
	/* --trace: the timeline's events (core_trace's records, converted), and the ring's size */
	int (*on_trace)(void *ctx, const struct tl_event *e);
	uint32_t trace_ring_bytes;
	/*
	 * Who ended each wait (core_path's records) into @history, and each live thread's
	 * open tail at every collection; NULL: not recorded. Peers: processes a target
	 * waits on or wakes, followed up to @peer_depth hops (0: none), @max_peers of them.
	 */
	struct history *history;
	uint32_t peer_depth, max_peers;
};

int session__open(struct session **out, const struct session_opts *opts);
/* Put a running process (or the launched child) in the target; after open, before attach. */
int session__add_pid(struct session *s, uint32_t tgid, uint32_t flags);
int session__attach(struct session *s);
int session__ring_fd(struct session *s);
/*
 * Consume ring buffer records (non-blocking): all of them, or with @budget_ns, those
 * that can be handled in about that long -- the rest stay for the next call, so that
 * a storm of events does not hold up the timers of the event loop.
 */
int session__drain(struct session *s, uint64_t budget_ns);
/*
 * Copy the kernel tables, open intervals folded in; caller releases @out. 0, or
 * -errno when a table could not be read (said on stderr; what was read is kept).
 */
int session__collect(struct session *s, struct raw_dump *out);
struct raw_stacks;
/* The stacks counted so far (profile / offcpu subsystems); caller releases @out. */
int session__collect_stacks(struct session *s, struct raw_stacks *out);
struct retirees;
struct recycler;
struct kfold_note;
/*
 * Add process @pid in @slot, exited, with its stat rows, to @t (recycle.h). -ESRCH if
 * the slot holds another process now, -EBUSY if it has not exited.
 */
int session__retiree(struct session *s, uint32_t slot, uint32_t pid, struct retirees *t);
/*
 * Give the kernel side back the slots and rows of @t: zeroed, then put in the rings
 * the programs take them from. Needs session_opts.recycle. 0 or -errno.
 */
int session__recycle(struct session *s, const struct retirees *t);

/* A retired process that had stacks, and the pseudo slot of its aggregate. */
struct retired_stacks {
	uint32_t slot, pid, pseudo;
};
/*
 * Stack counts of processes whose slot was recycled move under their aggregates
 * (@r, @n); with @drop_unknown, those of no process known are dropped (at the end),
 * else left for a later call (they may be of processes retired since @r was made).
 * Returns how many were dropped. Safe on a thread other than the event loop's.
 */
int session__rekey_stacks(struct session *s, const struct retired_stacks *r, size_t n,
			  bool drop_unknown);
/* The slots of the processes given with session__add_pid() (never recycled). */
const uint32_t *session__registered(const struct session *s, size_t *n);
struct unwind_tables;
/* The unwind tables' memory (mmap'ed maps), or NULL when user stacks use frame pointers. */
const struct unwind_tables *session__unwind_tables(const struct session *s);
/*
 * Disk bytes (requests and writeback) and network bytes (sent and received) of the
 * processes in the table now: a cheap sum over the mapped table, for --trace's
 * counters. Slots recycled since the last call take their bytes with them.
 */
void session__bytes(const struct session *s, uint64_t *disk, uint64_t *net);
/* Process slots and stat rows in use now (not free, not waiting to be taken again). */
void session__in_use(const struct session *s, uint32_t *procs, uint32_t *rows);
/* A process that exited, still in its slot. */
struct proc_exit {
	uint32_t slot, pid;
	uint64_t ts_ns;
};
/*
 * Every process that exited and still has its slot, from the table (when exit events
 * were lost), into *@out (of *@cap entries, grown as needed); returns how many.
 */
size_t session__exited(struct session *s, struct proc_exit **out, size_t *cap);
/* A counter of the kernel side (enum stat_id), summed over CPUs; 0 if unreadable. */
uint64_t session__stat(const struct session *s, unsigned int id);
/*
 * The kernel's record of process @pid in @slot, as it is now (mapped: it changes under
 * the reader), or NULL if the slot holds another process.
 */
const struct proc_rec *session__proc(struct session *s, uint32_t slot, uint32_t pid);
/* The group of @r that the kernel's aggregate in slot @agg goes into, in @g; false if none. */
bool session__agg_group(struct session *s, struct recycler *r, uint32_t agg, size_t *g);
/*
 * Processes the kernel folded so far (slots it gave back). Taken before a table is
 * read: unless it moved since the last time, no process of a dump can have vanished
 * from that table (recycler__vanished()).
 */
uint64_t session__kfolds(const struct session *s);
/* recycler__vanished() against the kernel's process table as it is now. */
void session__vanished(struct session *s, struct recycler *r, struct raw_dump *prev,
		       const struct kfold_note *notes, size_t n_notes);
/* Target processes not yet exited (peers are not the target). */
uint32_t session__alive(struct session *s);
uint64_t session__attach_ns(const struct session *s);
/* -v: the first event's stamp (a process's exec, exit, ...) and when it was read. */
bool session__first_event(const struct session *s, uint64_t *ns, uint64_t *seen_ns);
/* The kernel, the subsystems that loaded, and what it could not do (notes). */
const struct kernel_info *session__kernel(const struct session *s);
/* The names of the programs loaded, up to @max, into @names; returns how many. */
size_t session__prog_names(const struct session *s, const char **names, size_t max);
/* When session__stats_tick() next has work (0: never); call it at or after that time. */
uint64_t session__stats_next(const struct session *s);
void session__stats_tick(struct session *s, uint64_t now);
void session__free(struct session *s);

#endif
