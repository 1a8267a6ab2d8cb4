// SPDX-License-Identifier: GPL-2.0
/* Every followed thread's waits; see history.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/history.h"

void history_init(struct history *h, size_t max_waits)
{
	memset(h, 0, sizeof(*h));
	h->max_waits = max_waits;
	h->index_mask = 1023;
	h->index = xcalloc(h->index_mask + 1, sizeof(*h->index));
}

void history_release(struct history *h)
{
	for (size_t i = 0; i < h->n; i++)
		free(h->t[i].w);
	free(h->t);
	for (size_t i = 0; i < h->n_procs; i++)
		free(h->procs[i].cmdline);
	free(h->procs);
	free(h->index);
	memset(h, 0, sizeof(*h));
}

static size_t tid_hash(uint32_t tid, size_t mask)
{
	return (tid * 2654435761U) & mask;
}

/* The index slot of @tid: its entry, or the empty one it would take. */
static size_t slot_of(const struct history *h, uint32_t tid)
{
	size_t k = tid_hash(tid, h->index_mask);

	while (h->index[k] && h->t[h->index[k] - 1].tid != tid)
		k = (k + 1) & h->index_mask;
	return k;
}

static void index_grow(struct history *h)
{
	uint32_t *old = h->index;
	size_t old_mask = h->index_mask;

	h->index_mask = old_mask * 2 + 1;
	h->index = xcalloc(h->index_mask + 1, sizeof(*h->index));
	for (size_t i = 0; i <= old_mask; i++)
		if (old[i])
			h->index[slot_of(h, h->t[old[i] - 1].tid)] = old[i];
	free(old);
}

uint32_t history_find(const struct history *h, uint32_t tid, uint32_t pid)
{
	size_t k;

	if (!h->index)
		return HIST_NONE;
	k = slot_of(h, tid);
	return h->index[k] && h->t[h->index[k] - 1].pid == pid ? h->index[k] - 1 : HIST_NONE;
}

/* The thread @tid of @pid; @ended_too: even if it ended (a waker named late). */
static uint32_t thread_of(struct history *h, uint32_t tid, uint32_t pid, bool ended_too)
{
	size_t k = slot_of(h, tid);
	struct hthread *t;

	if (h->index[k]) {
		t = &h->t[h->index[k] - 1];
		/* the same thread, unless the tid came back (another process, or after exit) */
		if (t->pid == pid && (!t->ended || ended_too))
			return h->index[k] - 1;
	}
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->t = xrealloc(h->t, h->cap * sizeof(*h->t));
	}
	t = &h->t[h->n];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->pid = pid;
	t->creator = HIST_NONE;
	h->index[k] = (uint32_t)++h->n;
	if (h->n * 2 > h->index_mask) {
		index_grow(h);
	}
	return (uint32_t)h->n - 1;
}

uint32_t history_thread(struct history *h, uint32_t tid, uint32_t pid)
{
	return thread_of(h, tid, pid, false);
}

static bool task_ended(uint8_t src)
{
	return src == WS_TASK || src == WS_LOOPBACK || src == WS_CREATOR;
}

/*
 * @w continues the waits at the end of @t that no task ended, in the same call: they
 * become one wait, from the first's block to @w's wake (the moments it ran between,
 * re-checking, are part of it), in *@m.
 */
static void merge_spurious(struct history *h, struct hthread *t, struct wait *m,
			   const struct wait *w)
{
	bool more = true;

	while (more && t->n) {
		const struct wait *p = &t->w[t->n - 1];

		if (p->exit || task_ended(p->src) || p->wake_ns > w->seg_start)
			break;
		m->seg_start = p->seg_start;
		m->block_ns = p->block_ns;
		m->oncpu_ns = p->oncpu_ns;
		m->runq_ns = p->runq_ns;
		more = p->again;
		t->n--;
		h->waits--;
	}
}

void history_add(struct history *h, uint32_t tid, uint32_t pid, const struct wait *w,
		 uint32_t waker_tid, uint32_t waker_pid)
{
	/* a waker's records may come after its exit's (merged waits go out late) */
	uint32_t waker = waker_tid ? thread_of(h, waker_tid, waker_pid, true) : HIST_NONE;
	uint32_t i = history_thread(h, tid, pid);
	struct hthread *t = &h->t[i];
	struct wait merged = *w;

	if (w->src == WS_CREATOR && w->wake_ns == w->seg_start) {
		t->creator = waker;
		return;
	}
	if (h->waits >= h->max_waits) {
		h->not_kept++;
		if (w->exit)
			t->ended = true;
		return;
	}
	if (w->again && task_ended(w->src))
		merge_spurious(h, t, &merged, w);
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->w = xrealloc(t->w, t->cap * sizeof(*t->w));
	}
	t->w[t->n] = merged;
	t->w[t->n].waker = waker;
	t->n++;
	h->waits++;
	t->tail.valid = false; /* a record after the tail read: the tail is old */
	if (w->exit)
		t->ended = true;
}

void history_tail(struct history *h, uint32_t tid, uint32_t pid, const struct wait_tail *tail)
{
	uint32_t i = history_thread(h, tid, pid);

	h->t[i].tail = *tail;
	h->t[i].tail.valid = true;
}

size_t hthread_wait_after(const struct hthread *t, uint64_t ns)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->w[mid].wake_ns <= ns)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}
