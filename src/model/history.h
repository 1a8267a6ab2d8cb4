/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every followed thread's life as a sequence of waits: for each wait, the active
 * stretch before it (on a CPU, runnable) and what ended it -- a task (by its thread's
 * index here), an interrupt, a kernel thread, or the thread's exit. The kernel stage
 * fills it from the records of core_path (include/core_abi.h: a wait_rec each), and at
 * each snapshot adds each live thread's open tail (its stretch, or its wait, so far);
 * the critical path is walked over it (src/analysis/critpath.c).
 *
 * A thread is its tid within its process; a tid that comes back in another process, or
 * after its thread exited, is a new thread. Its records are in time order. Memory is
 * bounded: past @max_waits further records are counted, not kept.
 */
#ifndef PROCSCOPE_HISTORY_H
#define PROCSCOPE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h" /* enum wake_src, enum wait_class, enum tstate */

#define HIST_NONE UINT32_MAX /* no thread */

/* One wait and the stretch before it. */
struct wait {
	uint64_t seg_start; /* the stretch: [seg_start, block_ns) */
	uint64_t block_ns;  /* the wait: [block_ns, wake_ns) */
	uint64_t wake_ns;
	uint64_t oncpu_ns, runq_ns; /* of the stretch (the rest: not known) */
	uint32_t waker;		    /* its thread, or HIST_NONE */
	uint32_t lock_key;	    /* WC_LOCK: the lock's word, hashed (0: not known) */
	uint8_t wclass;		    /* enum wait_class */
	uint8_t src;		    /* enum wake_src */
	uint8_t exit;		    /* no wait: the thread ended at block_ns */
	uint8_t again;		    /* blocked again in the call of the wait before */
	uint8_t merged;		    /* short waits merged: sums, stretches first */
};

/* What a live thread was doing when the snapshot was taken, since its last record. */
struct wait_tail {
	bool valid;
	uint8_t tstate; /* TS_ONCPU, TS_RUNQ (in the stretch) or TS_BLOCKED (waiting) */
	uint8_t wclass; /* blocked: on what */
	uint64_t seg_start, oncpu_ns, runq_ns; /* the stretch so far (to block_ns if blocked) */
	uint64_t block_ns;		       /* blocked: since */
	uint64_t at_ns;			       /* when this was read */
};

struct hthread {
	uint32_t tid, pid;
	struct wait *w;
	size_t n, cap;
	uint32_t creator; /* the thread that made it, or HIST_NONE */
	bool ended;	  /* its exit is recorded */
	struct wait_tail tail;
};

/*
 * An event of the host's recent past, as the kernel stage decodes it (from the records
 * of core_past, include/core_abi.h): a task left its CPU (PAST_SWITCH: runnable, or blocked on
 * @wclass), or was woken (PAST_WAKE: by @other of @other_pid, per @src), or was seen at
 * attach (PAST_SEED: on a CPU, runnable, or blocked on @wclass).
 */
struct past_ev {
	uint64_t ts;
	uint32_t tid, pid;
	uint32_t other, other_pid;
	uint8_t kind;		 /* enum past_kind */
	uint8_t state;		 /* SWITCH, SEED: enum past_state */
	uint8_t wclass;		 /* SWITCH into a block: enum wait_class */
	uint8_t src;		 /* WAKE: enum wake_src */
	uint32_t cs;		 /* tid's context switches so far (a SWITCH's own counted) */
	uint32_t other_cs;	 /* SWITCH: other's */
	char comm[COMM_LEN + 1]; /* SWITCH: tid's name; WAKE: the waker's */
};

/* A process the history knows only from the recent past: it was never followed. */
struct hproc {
	uint32_t pid;
	uint32_t via;  /* the peer whose past led to it */
	uint32_t hops; /* wake-ups from that peer */
	uint64_t seen_ns;
	char comm[COMM_LEN + 1]; /* as the kernel stage read them then, "" if gone */
	char *cmdline;		 /* owned; NULL if unknown */
};

struct history {
	struct hthread *t;
	size_t n, cap;
	struct hproc *procs; /* known from the past alone */
	size_t n_procs;
	uint64_t recalled; /* records made from the past */
	uint32_t *index;   /* open addressing over tid: thread index + 1, the latest per tid */
	size_t index_mask;
	size_t waits, max_waits; /* records kept, and the bound */
	uint64_t not_kept;	 /* past the bound */
	uint64_t lost;		 /* records the kernel could not buffer (core_path full) */
};

void history_init(struct history *h, size_t max_waits);
void history_release(struct history *h);
/* The thread @tid of @pid as it is now, or HIST_NONE if it has no entry. */
uint32_t history_find(const struct history *h, uint32_t tid, uint32_t pid);
/* The thread @tid of @pid as it is now (added if new); its index. */
uint32_t history_thread(struct history *h, uint32_t tid, uint32_t pid);
/*
 * A wait of thread @tid of @pid (@w, its waker left for this to fill in), ended by the
 * thread @waker_tid of @waker_pid (0: not a task). A zero-length wait whose waker is its
 * creator (WS_CREATOR) records who made the thread. A wait a task ended that continues,
 * in the same call, waits that no task ended (a socket's state change, a spurious
 * wake-up) is one wait with them: the task ended it.
 */
void history_add(struct history *h, uint32_t tid, uint32_t pid, const struct wait *w,
		 uint32_t waker_tid, uint32_t waker_pid);
/*
 * The open tail of thread @tid of @pid at @at_ns: in its stretch since @seg_start, or
 * (@tstate TS_BLOCKED) waiting on @wclass since @block_ns.
 */
void history_tail(struct history *h, uint32_t tid, uint32_t pid, const struct wait_tail *tail);
/*
 * What thread @tid of @pid did over [@from, @to) before it was followed, from the
 * host's recent past @ev (@n events, by time, whole since @since): its stretches and
 * waits become records, and, @depth levels further, those of the threads that ended its
 * waits and were not followed either (noted in h->procs, as having come through @via).
 * The thread was running at @to (it ended a wait then): without an event since @since,
 * it ran all along. Returns the records made.
 */
size_t history_recall(struct history *h, const struct past_ev *ev, size_t n, uint64_t since,
		      uint32_t tid, uint32_t pid, uint64_t from, uint64_t to, unsigned int depth,
		      uint32_t via);
/* The index of the first wait of @t whose wait ends after @ns (t->n if none). */
size_t hthread_wait_after(const struct hthread *t, uint64_t ns);

#endif
