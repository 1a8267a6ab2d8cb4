/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The critical path across threads and processes, from who ended each wait
 * (model/history.h): the root thread's life over a window, where every wait a task
 * ended is replaced by what that task did during it -- recursively, each recursion
 * within the window of the wait it stands for, so the result tiles the window exactly
 * and cycles end. A wait ended by no task (a timer, a device, the network from another
 * host, a task not followed) stays on the path with its class.
 *
 * A thread's wait on a lock another thread of its process released is not replaced when
 * it is contention -- others waited on the same lock meanwhile -- or the holder slept
 * holding it: the path says lock, and names the holder and what it did. Alone on the
 * lock, released by a busy thread, the thread was handed work (a runtime's parked
 * thread, a worker signalled, a join): replaced.
 *
 * The result is charged to processes -- the target's and its peers' -- by class.
 */
#ifndef PROCSCOPE_CRITPATH_H
#define PROCSCOPE_CRITPATH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/breakdown.h"
#include "model/history.h"
#include "model/snapshot.h"

/* A process of the snapshot: the target's (procs[i]) or a peer (peers[i]). */
struct proc_ref {
	uint32_t i;
	bool peer;
};

/* A lock wait on the path: who waited, who released it, and what the holder did. */
struct lock_wait {
	struct proc_ref proc; /* their process */
	uint32_t waiter_tid, holder_tid;
	uint64_t start_ns, ns;
	uint64_t holder_ns[BD_N]; /* the holder's own states meanwhile */
	bool kept; /* on the path as a lock wait (contention, or a holder asleep); else the
		      path went on in the holder */
};

/* A stretch of the path, in time order: a process in one class. */
struct path_seg {
	struct proc_ref proc;
	uint8_t cls; /* enum bd_class */
	uint64_t start_ns, ns;
};

/* One process's part of the path. */
struct path_part {
	struct proc_ref proc;
	struct proc_ref via; /* the process whose wait led the path here first ... */
	bool has_via;	     /* ... if another */
	uint64_t first_ns;   /* when the path first reached it */
	uint64_t ns[BD_N];   /* its time on the path, by class */
	uint64_t total_ns;
};

struct critpath {
	struct breakdown total;	 /* the window, split */
	struct path_part *parts; /* by first_ns */
	size_t n_parts;
	struct lock_wait *locks; /* the longest first */
	size_t n_locks;
	struct path_seg *segs; /* the path itself, tiling the window (a stretch's on-CPU,
				  run-queue and unknown parts in that order) */
	size_t n_segs;
	/* waits on the path: replaced by a task's doing, left with their class, and time
	 * the records did not cover (lost or dropped records: unknown) */
	uint64_t waits_resolved, waits_kept;
	uint64_t gap_ns;
	bool truncated; /* the walk's work bound was reached: the rest stays with its class */
};

/*
 * The path of thread @root_tid of process @root_pid over [@a, @b). False (and @out
 * empty) if the history has no such thread.
 */
bool critpath_compute(const struct snapshot *s, const struct history *h, uint32_t root_tid,
		      uint32_t root_pid, uint64_t a, uint64_t b, struct critpath *out);
void critpath_release(struct critpath *c);

/* The breakdown class of a wait class. */
unsigned int bd_of_wait_class(unsigned int wclass);
/* The process @r refers to. */
const struct process *proc_ref_get(const struct snapshot *s, struct proc_ref r);

#endif
