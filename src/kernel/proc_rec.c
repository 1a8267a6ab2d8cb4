// SPDX-License-Identifier: GPL-2.0
/* The kernel's process record and the model's metrics; see proc_rec.h. */
#include <stddef.h>

#include "kernel/proc_rec.h"

#define TO_METRICS_1(sect, field) m->sect.field = r->sect.field;
#define TO_METRICS_0(sect, field)
#define TO_METRICS(sect, field, json, unit, fold, name, prom, label, abi)                          \
	TO_METRICS_##abi(sect, field)

void proc_rec_to_metrics(struct metrics *m, const struct proc_rec *r)
{
	struct sched_metrics *s = &m->sched;
	uint64_t told = 0;

	METRIC_COUNTERS(TO_METRICS)
	/* the run queue's contention: what no other cause claimed (the kernel side keeps
	 * one atomic less per wait) */
	for (unsigned int c = 0; c < RQ_CAUSE_N; c++)
		told += c == RQ_CONTENTION ? 0 : s->runq_cause_ns[c];
	s->runq_cause_ns[RQ_CONTENTION] = s->runq_ns > told ? s->runq_ns - told : 0;
}

static void fold(__u64 *a, __u64 v, enum metric_fold how)
{
	if (how == FOLD_MAX)
		*a = v > *a ? v : *a;
	else
		*a += v;
}

#define ADD_1(sect, field, how) fold(&a->sect.field, p->sect.field, how);
#define ADD_0(sect, field, how)
#define ADD(sect, field, json, unit, how, name, prom, label, abi) ADD_##abi(sect, field, how)

void proc_rec_add(struct proc_rec *a, const struct proc_rec *p)
{
	if (!a->start_ns || (p->start_ns && p->start_ns < a->start_ns))
		a->start_ns = p->start_ns;
	if (p->end_ns > a->end_ns)
		a->end_ns = p->end_ns;
	METRIC_COUNTERS(ADD)
}

#define OFFSET_1(sect, field, how)                                                                 \
	if (n < max)                                                                               \
		out[n] = (uint16_t)(offsetof(struct proc_rec, sect.field) |                        \
				    (how == FOLD_MAX ? PROC_FOLD_MAX_BIT : 0));                    \
	n++;
#define OFFSET_0(sect, field, how)
#define OFFSET(sect, field, json, unit, how, name, prom, label, abi) OFFSET_##abi(sect, field, how)

size_t proc_rec_fold_offsets(uint16_t *out, size_t max)
{
	size_t n = 0;

	METRIC_COUNTERS(OFFSET)
	return n;
}
