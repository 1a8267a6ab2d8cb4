// SPDX-License-Identifier: GPL-2.0
/*
 * A thread's waits rebuilt from the host's recent past (history_recall(), history.h):
 * its switches and wake-ups, in time order, are the same stretches and waits the
 * kernel's records of a followed thread are -- with the wait's class from the syscall
 * it blocked in, and who ended it.
 */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/history.h"

#define RECALL_THREADS_MAX 64 /* threads rebuilt at one adoption, at most */

enum { R_UNKNOWN, R_ONCPU, R_RUNQ, R_BLOCKED };

/* A thread's state machine over its events. */
struct rebuild {
	int state;
	uint64_t at;   /* the state's start */
	struct wait w; /* the record being made: its stretch, then its wait */
	uint32_t waker_tid, waker_pid;
	bool seeded; /* in the seed's state since, its context switches then in @cs */
	uint32_t cs;
};

struct recall {
	struct history *h;
	const struct past_ev *ev;
	size_t n, made, threads;
	uint64_t since; /* the past is whole from here */
	uint32_t via;
};

static bool task_src(uint8_t src)
{
	return src == WS_TASK || src == WS_LOOPBACK;
}

/* Has @tid a record covering time after @ns (it is followed, or rebuilt already)? */
static bool covered(const struct history *h, uint32_t tid, uint32_t pid, uint64_t ns)
{
	uint32_t i = history_find(h, tid, pid);

	return i != HIST_NONE && h->t[i].n && h->t[i].w[h->t[i].n - 1].wake_ns > ns;
}

static void note_proc(struct history *h, uint32_t pid, uint32_t via, uint32_t hops, uint64_t ns)
{
	for (size_t i = 0; i < h->n_procs; i++)
		if (h->procs[i].pid == pid)
			return;
	h->procs = xrealloc(h->procs, (h->n_procs + 1) * sizeof(*h->procs));
	h->procs[h->n_procs++] =
		(struct hproc){.pid = pid, .via = via, .hops = hops, .seen_ns = ns};
}

static void rebuild_thread(struct recall *r, uint32_t tid, uint32_t pid, uint64_t from, uint64_t to,
			   unsigned int depth, uint32_t hops);

/* The wait of @b ends at @ts: its record, and the past of a task that ended it. */
static void wait_ended(struct recall *r, struct rebuild *b, uint32_t tid, uint32_t pid, uint64_t ts,
		       uint64_t from, unsigned int depth, uint32_t hops)
{
	b->w.wake_ns = ts;
	if (b->w.wake_ns > from && task_src(b->w.src) && b->waker_tid && depth &&
	    !covered(r->h, b->waker_tid, b->waker_pid, b->w.block_ns))
		rebuild_thread(r, b->waker_tid, b->waker_pid,
			       b->w.block_ns > from ? b->w.block_ns : from, ts, depth - 1,
			       hops + 1);
	history_add(r->h, tid, pid, &b->w, task_src(b->w.src) ? b->waker_tid : 0, b->waker_pid);
	r->made++;
	memset(&b->w, 0, sizeof(b->w));
	b->w.seg_start = ts;
	b->state = R_RUNQ;
	b->at = ts;
}

/* One event of thread @tid: its state moves on. */
static void step(struct recall *r, struct rebuild *b, const struct past_ev *e, uint32_t tid,
		 uint32_t pid, uint64_t from, unsigned int depth, uint32_t hops)
{
	if (e->kind == PAST_SEED) { /* its state at attach */
		if (b->state == R_UNKNOWN) {
			memset(&b->w, 0, sizeof(b->w));
			b->w.seg_start = b->at = e->ts;
			if (e->state == PAST_ONCPU) {
				b->state = R_ONCPU;
			} else if (e->state == PAST_RUNNABLE) {
				b->state = R_RUNQ;
			} else {
				b->state = R_BLOCKED;
				b->w.block_ns = e->ts;
				b->w.wclass = e->wclass;
			}
			b->seeded = true;
			b->cs = e->cs;
		}
		return;
	}
	if (b->seeded) {
		/*
		 * The seed's state lasted till this event if no switch of its was lost in
		 * between: its count the seed's (one more at its own switch-out, which only a
		 * task on a CPU makes). Else its switches are no longer in the past (a ring
		 * turned over): what it did till here is not known.
		 */
		bool leaves = e->kind == PAST_SWITCH && e->tid == tid;
		bool oncpu = b->state == R_ONCPU;
		uint32_t cs = e->kind == PAST_SWITCH && !leaves ? e->other_cs : e->cs;

		if (e->kind == PAST_WAKE && oncpu && cs == b->cs)
			return; /* woken on its CPU, before it blocked: the stretch goes on */
		if (leaves != oncpu || cs != b->cs + leaves)
			b->state = R_UNKNOWN;
		b->seeded = false;
	}
	if (e->kind == PAST_SWITCH && e->tid == tid) { /* leaves its CPU */
		if (b->state == R_UNKNOWN) {
			/* on it since the past began: else it would have left it before */
			b->w.seg_start = b->at = r->since < e->ts ? r->since : e->ts;
			b->state = R_ONCPU;
		}
		if (b->state == R_ONCPU)
			b->w.oncpu_ns += e->ts - b->at;
		b->at = e->ts;
		if (e->state == PAST_RUNNABLE) {
			b->state = R_RUNQ;
		} else {
			b->state = R_BLOCKED;
			b->w.block_ns = e->ts;
			b->w.wclass = e->wclass;
		}
	} else if (e->kind == PAST_SWITCH) { /* takes a CPU */
		if (b->state == R_RUNQ) {
			b->w.runq_ns += e->ts - b->at;
		} else if (b->state == R_BLOCKED) {
			/* woken by no task (the past keeps only tasks' wake-ups): till now */
			b->w.src = WS_IRQ;
			b->waker_tid = b->waker_pid = 0;
			wait_ended(r, b, tid, pid, e->ts, from, depth, hops);
		} else if (b->state == R_UNKNOWN) {
			/* its wake-up is older than the past: from here */
			memset(&b->w, 0, sizeof(b->w));
			b->w.seg_start = e->ts;
		}
		b->state = R_ONCPU;
		b->at = e->ts;
	} else if (b->state == R_BLOCKED || b->state == R_UNKNOWN) { /* woken */
		if (b->state == R_UNKNOWN) {
			/* blocked since before the past began, on what is not known */
			b->w.seg_start = b->w.block_ns = r->since < e->ts ? r->since : e->ts;
			b->w.wclass = WC_OTHER;
		}
		b->w.src = e->src;
		b->waker_tid = e->other;
		b->waker_pid = e->other_pid;
		wait_ended(r, b, tid, pid, e->ts, from, depth, hops);
	}
}

static void rebuild_thread(struct recall *r, uint32_t tid, uint32_t pid, uint64_t from, uint64_t to,
			   unsigned int depth, uint32_t hops)
{
	struct rebuild b = {.state = R_UNKNOWN};
	uint32_t i = history_find(r->h, tid, pid);
	uint64_t after =
		i != HIST_NONE && r->h->t[i].n ? r->h->t[i].w[r->h->t[i].n - 1].wake_ns : 0;

	if (r->threads++ >= RECALL_THREADS_MAX)
		return;
	if (hops)
		note_proc(r->h, pid, r->via, hops, from);
	for (size_t k = 0; k < r->n && r->ev[k].ts < to; k++) {
		const struct past_ev *e = &r->ev[k];

		/* its own events only, after what its records say already */
		if (e->ts < after ||
		    !((e->kind == PAST_SWITCH && (e->tid == tid || e->other == tid)) ||
		      (e->kind != PAST_SWITCH && e->tid == tid)))
			continue;
		step(r, &b, e, tid, pid, from, depth, hops);
	}
	if (b.state == R_UNKNOWN) {
		/* no event since the past began, and running at @to: it ran all along */
		b.state = R_ONCPU;
		b.w.seg_start = b.at = r->since < to ? r->since : to;
	}
	if (b.state == R_ONCPU || b.state == R_RUNQ) {
		/* its stretch up to @to, as a record without a wait */
		if (b.state == R_ONCPU)
			b.w.oncpu_ns += to - b.at;
		else
			b.w.runq_ns += to - b.at;
		b.w.block_ns = b.w.wake_ns = to;
		b.w.src = WS_NONE;
		history_add(r->h, tid, pid, &b.w, 0, 0);
		r->made++;
	}
}

size_t history_recall(struct history *h, const struct past_ev *ev, size_t n, uint64_t since,
		      uint32_t tid, uint32_t pid, uint64_t from, uint64_t to, unsigned int depth,
		      uint32_t via)
{
	struct recall r = {.h = h, .ev = ev, .n = n, .since = since, .via = via};

	if (to <= from)
		return 0;
	rebuild_thread(&r, tid, pid, from, to, depth, 0);
	h->recalled += r.made;
	return r.made;
}
