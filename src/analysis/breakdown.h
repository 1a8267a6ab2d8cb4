/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the wall-clock time went: an analysis of a snapshot.
 *
 * A process's breakdown is its thread-time by state (on a CPU, waiting for one,
 * blocked by wait class: docs/metrics.md), scaled to its lifetime, so that the
 * classes add up to exactly its wall time; for a single-threaded process the scaling
 * only absorbs a few microseconds around its start and end.
 *
 * The target's breakdown, when the target has one root (a launched command or one
 * pid), follows the critical path. With who ended each wait recorded
 * (model/history.h), it is walked across threads and processes (analysis/critpath.h):
 * the root's main thread's waits replaced by what ended them -- a child, a thread, a
 * peer outside the target. Without it (no scheduler tracing), by the process tree:
 * going back in time from the root's end, the child that ended last is the one the
 * parent was waiting for, so its own breakdown replaces that part of the parent's
 * "child" time, recursively. The path's processes are the workflow steps -- and the
 * peers -- the total duration depended on. With several roots (cgroup, whole system,
 * several pids) the target's breakdown is the sum of the processes', in process-time.
 */
#ifndef PROCSCOPE_BREAKDOWN_H
#define PROCSCOPE_BREAKDOWN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

struct critpath;

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
	BD_MEM = 9,	 /* in memory reclaim, on a CPU or off */
	BD_UNKNOWN = 10, /* no known state: context switches not seen */
	BD_N = 11,
};

struct breakdown {
	uint64_t wall_ns;
	uint64_t ns[BD_N];     /* adds up to wall_ns exactly */
	unsigned int dominant; /* the largest class (ties: the first) */
};

struct path_step {
	size_t proc;	     /* index into snapshot.procs, or snapshot.peers if @peer */
	bool peer;	     /* a process outside the target */
	uint64_t on_path_ns; /* its share of the path (its own time, not its children's) */
	uint64_t ns[BD_N];   /* that share by class (by wake-ups); else zero */
	unsigned int dominant;
	const struct process *via; /* by wake-ups: whose wait led the path to it, or NULL */
};

struct breakdowns {
	struct breakdown *procs; /* [snapshot.n_procs], in the snapshot's order */
	struct breakdown *peers; /* [snapshot.n_peers]: their own thread-time */
	struct breakdown target;
	struct breakdown in_peers; /* of target's time, what peers did (by wake-ups): by class */
	struct path_step *path;	   /* the critical path, chronological */
	size_t n_path;
	bool expanded;		 /* target follows the critical path (one root); else summed */
	bool by_wakeups;	 /* ... walked through who ended each wait (critpath.h) */
	struct critpath *detail; /* that walk's locks and counts, NULL if not */
};

/* Every process's breakdown, the target's and the critical path of @s. */
void breakdown_compute(const struct snapshot *s, struct breakdowns *out);
void breakdowns_release(struct breakdowns *b);
/* The process a path step is. */
const struct process *path_step_proc(const struct snapshot *s, const struct path_step *st);

const char *bd_class_name(unsigned int c); /* "oncpu", "runq", "io", ... */
const char *bd_ns_key(unsigned int c);	   /* "oncpu_ns", "runq_ns", ... (JSON keys) */

#endif
