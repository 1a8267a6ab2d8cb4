// SPDX-License-Identifier: GPL-2.0
/*
 * The counter table (model/metrics.h) against the structs it describes: the lines of a
 * section tile its counters exactly, once each; and what is generated from it folds,
 * subtracts and converts every counter, those added later included.
 */
#include <stdlib.h>

#include "kernel/proc_rec.h"
#include "model/metrics.h"
#include "test.h"

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return x < y ? -1 : x > y;
}

TEST(test_metrics__lines_tile_the_counters)
{
	for (unsigned int sect = 0; sect < MS_N; sect++) {
		size_t from, to, n = 0, off[256];

		metric_section_counters(sect, &from, &to);
		CHECK(to > from);
		for (size_t i = 0; i < n_counter_defs && n < 256; i++)
			if (counter_defs[i].sect == sect)
				off[n++] = counter_defs[i].offset;
		qsort(off, n, sizeof(off[0]), cmp_size);
		/* one line per 8 bytes, from the section's start to counters_end, no gap */
		CHECK_U64(n * sizeof(uint64_t), to - from);
		for (size_t i = 0; i < n; i++)
			if (off[i] != from + i * sizeof(uint64_t))
				test_fail(__FILE__, __LINE__, "%s: no line for offset %zu",
					  metric_section_name(sect), from + i * sizeof(uint64_t));
	}
	for (size_t i = 0; i < n_dist_defs; i++) {
		size_t from, to;

		metric_section_counters(dist_defs[i].sect, &from, &to);
		CHECK(dist_defs[i].offset >= to); /* after the section's counters */
	}
}

TEST(test_metrics__folds_by_line)
{
	struct metrics t = {0}, a = {0}, b = {0};

	for (size_t i = 0; i < n_counter_defs; i++) {
		*counter_ptr(&a, &counter_defs[i]) = 10 + i;
		*counter_ptr(&b, &counter_defs[i]) = 5;
	}
	metrics_add(&t, &a);
	metrics_add(&t, &b);
	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];
		uint64_t want = d->fold == FOLD_MAX ? 10 + i : 15 + i;

		if (counter_get(&t, d) != want)
			test_fail(__FILE__, __LINE__, "%s: %llu, not %llu", d->json ? d->json : "?",
				  (unsigned long long)counter_get(&t, d), (unsigned long long)want);
	}
	/* an interval: counters are differences, peaks and levels what they are at its end */
	metrics_sub(&t, &b);
	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];

		CHECK_U64(counter_get(&t, d), d->fold == FOLD_SUM ? 10 + i : counter_get(&t, d));
	}
}

/* Every counter the kernel's record has reaches the model and folds into an aggregate. */
TEST(test_metrics__kernel_record_by_line)
{
	struct proc_rec r = {0}, agg = {0};
	struct metrics m = {0};
	size_t abi = 0;

	r.sched.oncpu_ns = 7;
	r.io.bytes[IO_WRITE] = 8;
	r.net.retransmits = 9;
	r.mem.oom_kills = 1;
	r.mem.rss_peak_bytes = 4096;
	proc_rec_to_metrics(&m, &r);
	CHECK_U64(m.sched.oncpu_ns, 7);
	CHECK_U64(m.io.bytes[IO_WRITE], 8);
	CHECK_U64(m.net.retransmits, 9);
	CHECK_U64(m.mem.oom_kills, 1);
	proc_rec_add(&agg, &r);
	proc_rec_add(&agg, &r);
	CHECK_U64(agg.sched.oncpu_ns, 14);
	CHECK_U64(agg.mem.oom_kills, 2);
	CHECK_U64(agg.mem.rss_peak_bytes, 4096); /* a peak: the largest */
	for (size_t i = 0; i < n_counter_defs; i++)
		abi += counter_defs[i].fold != FOLD_GAUGE;
	CHECK(abi > 30);
}
