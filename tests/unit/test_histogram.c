// SPDX-License-Identifier: GPL-2.0
/*
 * Log-linear histograms (include/hist.h, src/lib/histogram.c): exact small values,
 * buckets that hold their values and are narrow, percentiles within the stated error,
 * merging.
 */
#include <stdlib.h>

#include "lib/histogram.h"
#include "test.h"

TEST(test_histogram__small_values_are_exact)
{
	for (uint64_t v = 0; v < HIST_SUB; v++) {
		CHECK_U64(hist_slot(v), v);
		CHECK_U64(hist_slot_lo(hist_slot(v)), v);
	}
}

TEST(test_histogram__log2)
{
	CHECK_U64(hist_log2(1), 0);
	CHECK_U64(hist_log2(2), 1);
	CHECK_U64(hist_log2(3), 1);
	CHECK_U64(hist_log2(1ULL << 40), 40);
	CHECK_U64(hist_log2((1ULL << 40) - 1), 39);
	CHECK_U64(hist_log2(~0ULL), 63);
}

TEST(test_histogram__bucket_contains_value)
{
	/* every power of two and its neighbours, and a pseudo-random sweep */
	uint64_t x = 88172645463325252ULL;

	for (int e = 0; e < HIST_MAX_EXP; e++) {
		for (int d = -1; d <= 1; d++) {
			uint64_t v = (1ULL << e) + (uint64_t)d, lo, hi;
			uint32_t s = hist_slot(v);

			if (v == ~0ULL)
				continue;
			hist_bucket_bounds(s, &lo, &hi);
			CHECK(lo <= v && v < hi);
		}
	}
	for (int i = 0; i < 100000; i++) {
		uint64_t v, lo, hi;
		uint32_t s;

		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		v = x >> (x % 40 + 24); /* spread over many magnitudes */
		s = hist_slot(v);
		CHECK(s < HIST_SLOTS);
		hist_bucket_bounds(s, &lo, &hi);
		if (v < (1ULL << HIST_MAX_EXP))
			CHECK(lo <= v && v < hi);
	}
}

TEST(test_histogram__buckets_contiguous_and_narrow)
{
	for (uint32_t s = 0; s + 1 < HIST_SLOTS; s++) {
		uint64_t lo, hi;

		hist_bucket_bounds(s, &lo, &hi);
		CHECK_U64(hi, hist_slot_lo(s + 1));
		CHECK(hi > lo);
		/* width relative to the bucket start: at most 1/HIST_SUB */
		if (lo >= HIST_SUB)
			CHECK((hi - lo) * HIST_SUB <= lo);
		CHECK_U64(hist_slot(lo), s);
		CHECK_U64(hist_slot(hi - 1), s);
	}
}

TEST(test_histogram__huge_values_clamp_to_last_bucket)
{
	CHECK_U64(hist_slot(1ULL << HIST_MAX_EXP), HIST_SLOTS - 1);
	CHECK_U64(hist_slot(~0ULL), HIST_SLOTS - 1);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static uint64_t exact_quantile(const uint64_t *sorted, size_t n, double q)
{
	size_t rank = (size_t)(q * n + 0.999999999);

	if (rank < 1)
		rank = 1;
	return sorted[rank - 1];
}

TEST(test_histogram__percentiles_within_stated_error)
{
	static const double qs[] = {0.5, 0.9, 0.99};
	const size_t n = 20000;
	uint64_t *v = malloc(n * sizeof(*v)), x = 0x9e3779b97f4a7c15ULL;
	struct hist h = {0};
	double worst = 0;

	for (size_t i = 0; i < n; i++) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		/* log-uniform between 100ns and ~100ms: latencies span decades */
		v[i] = (uint64_t)(100.0 * __builtin_powi(2.0, (int)((x >> 33) % 20)) *
				  (1.0 + (double)((x >> 12) & 0xfffff) / 0x100000));
		hist_add(&h, v[i]);
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	for (size_t i = 0; i < 3; i++) {
		uint64_t exact = exact_quantile(v, n, qs[i]), est = hist_quantile(&h, qs[i]);
		double err =
			est > exact ? (double)(est - exact) / exact : (double)(exact - est) / exact;

		if (err > worst)
			worst = err;
	}
	CHECK(worst <= HIST_MAX_REL_ERR);
	CHECK_U64(hist_quantile(&h, 1.0), v[n - 1]);
	CHECK_U64(h.count, n);
	free(v);
}

TEST(test_histogram__single_sample_is_exact)
{
	struct hist h = {0};
	struct lat l;

	hist_add(&h, 200123456);
	hist_summarize(&h, &l);
	CHECK_U64(l.count, 1);
	CHECK_U64(l.p50_ns, 200123456);
	CHECK_U64(l.p99_ns, 200123456);
	CHECK_U64(l.max_ns, 200123456);
}

TEST(test_histogram__empty_is_zero)
{
	struct hist h = {0};
	struct lat l;

	hist_summarize(&h, &l);
	CHECK_U64(l.count, 0);
	CHECK_U64(l.p50_ns, 0);
	CHECK_U64(l.max_ns, 0);
}

TEST(test_histogram__estimate_never_exceeds_max)
{
	struct hist h = {0};

	for (int i = 0; i < 99; i++)
		hist_add(&h, 1000);
	hist_add(&h, 1001);
	/* 1000 and 1001 share a bucket whose midpoint is above both */
	CHECK(hist_quantile(&h, 0.5) <= 1001);
	CHECK(hist_quantile(&h, 0.5) >= 1000 * (1 - HIST_MAX_REL_ERR));
}

TEST(test_histogram__merge_and_bins32)
{
	struct hist a = {0}, b = {0}, c = {0};
	uint32_t bins[HIST_SLOTS] = {0};

	hist_add(&a, 10);
	hist_add(&a, 5000);
	hist_add(&b, 70000);
	hist_merge(&a, &b);
	CHECK_U64(a.count, 3);
	CHECK_U64(a.max_ns, 70000);
	CHECK_U64(a.sum_ns, 75010);
	bins[hist_slot(10)] = 2;
	bins[hist_slot(9000)] = 1;
	hist_add_bins32(&c, bins, 9020, 9000);
	CHECK_U64(c.count, 3);
	CHECK_U64(hist_quantile(&c, 0.5), 10);
	CHECK_U64(hist_quantile(&c, 1.0), 9000);
}
