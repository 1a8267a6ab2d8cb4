/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A monitor's policies, apart from the tables they act on so that unit tests can drive
 * them: which exited processes give their slots back now (kernel/recycle.h does the
 * folding), whether the tables are filling up, and a token bucket that bounds how often
 * the event loop reads a new program's mappings.
 */
#ifndef PROCSCOPE_MONITOR_H
#define PROCSCOPE_MONITOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kernel/session.h"

/* Exited processes not yet recycled, in the order their exits came. */
struct exit_queue {
	struct proc_exit *v;
	size_t n, cap;
};

void exit_queue__push(struct exit_queue *q, uint32_t slot, uint32_t pid, uint64_t ts_ns);
/*
 * Take from @q the exits to recycle @now into @due (room for q->n): those a quarantine
 * (RECYCLE_QUARANTINE_NS) old and, unless @pressed, that an interval ending at
 * @reported_ns has reported; never the slots in @keep (the processes given with -p) and
 * never one slot twice; a slot past @max_slots is dropped. The rest stay queued. Returns
 * how many are due.
 */
size_t exit_queue__due(struct exit_queue *q, uint64_t now, uint64_t reported_ns, bool pressed,
		       const uint32_t *keep, size_t n_keep, uint32_t max_slots,
		       struct proc_exit *due);
void exit_queue__release(struct exit_queue *q);

/* Are @procs slots or @rows rows in use past RECYCLE_PRESSURE of their tables? */
bool tables_pressed(uint32_t procs, uint32_t rows, uint32_t max_procs, uint32_t max_rows);

/* At most @per_sec takes a second, and as many in a burst. */
struct token_bucket {
	uint32_t per_sec;
	uint64_t since_ns; /* the bucket holds the tokens of the time since then */
};

bool token_bucket__take(struct token_bucket *b, uint64_t now);

#endif
