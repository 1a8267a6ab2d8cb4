// SPDX-License-Identifier: GPL-2.0
/* The counter and distribution tables (metrics.h), and what folds processes together. */
#include "model/metrics.h"

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

#define SECTION_NAME(sect, subsys) #sect,
#define SECTION_SUBSYS(sect, subsys) subsys,
#define SECTION_FROM(sect, subsys) offsetof(struct metrics, sect),
#define SECTION_TO(sect, subsys) offsetof(struct metrics, sect.counters_end),

const char *metric_section_name(enum metric_section s)
{
	static const char *const names[MS_N] = {METRIC_SECTIONS(SECTION_NAME)};

	return s < MS_N ? names[s] : "?";
}

unsigned int metric_section_subsys(enum metric_section s)
{
	static const unsigned int bits[MS_N] = {METRIC_SECTIONS(SECTION_SUBSYS)};

	return s < MS_N ? bits[s] : 0;
}

void metric_section_counters(enum metric_section s, size_t *from, size_t *to)
{
	static const size_t f[MS_N] = {METRIC_SECTIONS(SECTION_FROM)};
	static const size_t t[MS_N] = {METRIC_SECTIONS(SECTION_TO)};

	*from = s < MS_N ? f[s] : 0;
	*to = s < MS_N ? t[s] : 0;
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
