// SPDX-License-Identifier: GPL-2.0
/* The counter and distribution tables (metrics.h), and what folds processes together. */
#include "model/metrics.h"

/* the section of a line, from its struct metrics member's name */
#define MS_sched MS_SCHED
#define MS_io MS_IO
#define MS_net MS_NET
#define MS_mem MS_MEM

#define COUNTER_DEF(sect_, field_, json_, unit_, fold_, name_, prom_, label_, abi_)                \
	{.sect = MS_##sect_,                                                                       \
	 .offset = offsetof(struct metrics, sect_.field_),                                         \
	 .json = json_,                                                                            \
	 .name = name_,                                                                            \
	 .prom = prom_,                                                                            \
	 .label = label_,                                                                          \
	 .unit = unit_,                                                                            \
	 .fold = fold_},

const struct counter_def counter_defs[] = {METRIC_COUNTERS(COUNTER_DEF)};
const size_t n_counter_defs = sizeof(counter_defs) / sizeof(counter_defs[0]);

#define DIST_DEF(sect_, field_, json_, name_, row_)                                                \
	{.sect = MS_##sect_,                                                                       \
	 .offset = offsetof(struct metrics, sect_.field_),                                         \
	 .json = json_,                                                                            \
	 .name = name_,                                                                            \
	 .row = row_},

const struct dist_def dist_defs[] = {METRIC_DISTRIBUTIONS(DIST_DEF)};
const size_t n_dist_defs = sizeof(dist_defs) / sizeof(dist_defs[0]);

/*
 * Every section's counters come first in its struct, and the table has one line per
 * counter: its lines, 8 bytes each, reach exactly the first member that is not one. A
 * field added to a struct without its line (or the reverse) fails here.
 */
#define COUNT_IN(want) (0 METRIC_COUNTERS(COUNT_LINE_##want))
#define COUNT_LINE_sched(sect, ...) +(MS_##sect == MS_SCHED)
#define COUNT_LINE_io(sect, ...) +(MS_##sect == MS_IO)
#define COUNT_LINE_net(sect, ...) +(MS_##sect == MS_NET)
#define COUNT_LINE_mem(sect, ...) +(MS_##sect == MS_MEM)
_Static_assert(COUNT_IN(sched) * sizeof(uint64_t) == offsetof(struct sched_metrics, runq),
	       "struct sched_metrics and METRIC_COUNTERS disagree");
_Static_assert(COUNT_IN(io) * sizeof(uint64_t) == offsetof(struct io_metrics, deferred_cgid),
	       "struct io_metrics and METRIC_COUNTERS disagree");
_Static_assert(COUNT_IN(net) * sizeof(uint64_t) == offsetof(struct net_metrics, accepts),
	       "struct net_metrics and METRIC_COUNTERS disagree");
_Static_assert(COUNT_IN(mem) * sizeof(uint64_t) == sizeof(struct mem_metrics),
	       "struct mem_metrics and METRIC_COUNTERS disagree");

const char *metric_section_name(enum metric_section s)
{
	static const char *const names[MS_N] = {"sched", "io", "net", "mem"};

	return s < MS_N ? names[s] : "?";
}

void metrics_add(struct metrics *t, const struct metrics *m)
{
	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];
		uint64_t *a = counter_ptr(t, d), v = counter_get(m, d);

		if (d->fold == FOLD_MAX)
			*a = v > *a ? v : *a;
		else
			*a += v;
	}
}

void metrics_sub(struct metrics *d, const struct metrics *p)
{
	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *c = &counter_defs[i];
		uint64_t *a = counter_ptr(d, c), v = counter_get(p, c);

		if (c->fold == FOLD_SUM)
			*a = *a > v ? *a - v : 0;
	}
}
