// SPDX-License-Identifier: GPL-2.0
/* A monitor's policies; see monitor.h. */
#include <stdlib.h>
#include <string.h>

#include "app/monitor.h"
#include "kernel/recycle.h"
#include "lib/util.h"

void exit_queue__push(struct exit_queue *q, uint32_t slot, uint32_t pid, uint64_t ts_ns)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? q->cap * 2 : 256;
		q->v = xrealloc(q->v, q->cap * sizeof(*q->v));
	}
	q->v[q->n++] = (struct proc_exit){slot, pid, ts_ns};
}

size_t exit_queue__due(struct exit_queue *q, uint64_t now, uint64_t reported_ns, bool pressed,
		       const uint32_t *keep, size_t n_keep, uint32_t max_slots,
		       struct proc_exit *due)
{
	uint8_t *taken = xcalloc(max_slots / 8 + 1, 1);
	size_t k = 0, n = 0;

	for (size_t i = 0; i < q->n; i++) {
		const struct proc_exit *e = &q->v[i];
		bool kept = false;

		for (size_t j = 0; j < n_keep; j++)
			kept |= keep[j] == e->slot;
		if (e->ts_ns + RECYCLE_QUARANTINE_NS > now ||
		    (!pressed && e->ts_ns >= reported_ns)) {
			q->v[k++] = *e; /* not yet */
			continue;
		}
		/* once (an exit event may come after the table was read for lost ones) */
		if (kept || e->slot >= max_slots || (taken[e->slot / 8] & (1 << e->slot % 8)))
			continue;
		taken[e->slot / 8] |= 1 << e->slot % 8;
		due[n++] = *e;
	}
	q->n = k;
	free(taken);
	return n;
}

void exit_queue__release(struct exit_queue *q)
{
	free(q->v);
	memset(q, 0, sizeof(*q));
}

bool tables_pressed(uint32_t procs, uint32_t rows, uint32_t max_procs, uint32_t max_rows)
{
	return procs >= max_procs * RECYCLE_PRESSURE || rows >= max_rows * RECYCLE_PRESSURE;
}

bool token_bucket__take(struct token_bucket *b, uint64_t now)
{
	uint64_t per = NSEC_PER_SEC / b->per_sec, full = b->per_sec * per;

	/* the bucket's tokens are the time since since_ns, in steps of per */
	if (now - b->since_ns > full)
		b->since_ns = now - full;
	if (now - b->since_ns < per)
		return false;
	b->since_ns += per;
	return true;
}
