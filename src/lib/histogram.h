/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Userspace side of the log-linear histograms in include/hist.h: merging, and turning
 * buckets back into percentiles. A percentile is the midpoint of the bucket holding
 * the nearest-rank sample, so its relative error is at most HIST_MAX_REL_ERR; it
 * never exceeds the exact maximum kept beside the buckets.
 */
#ifndef PROCSCOPE_HISTOGRAM_H
#define PROCSCOPE_HISTOGRAM_H

#include <stdint.h>

#include "hist.h"

#define HIST_MAX_REL_ERR (1.0 / (2 * HIST_SUB)) /* 6.25% */

struct hist {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t bins[HIST_SLOTS];
};

/* What reports print about a distribution. */
struct lat {
	uint64_t count;
	uint64_t sum_ns;
	uint64_t max_ns;
	uint64_t p50_ns;
	uint64_t p90_ns;
	uint64_t p99_ns;
};

void hist_add(struct hist *h, uint64_t v);
void hist_add_bins32(struct hist *h, const uint32_t *bins, uint64_t sum_ns, uint64_t max_ns);
void hist_merge(struct hist *dst, const struct hist *src);
/* Value at quantile @q in [0, 1]; 0 for an empty histogram. */
uint64_t hist_quantile(const struct hist *h, double q);
/* Bucket [lo, hi) bounds of @slot; hi of the last bucket is 2^HIST_MAX_EXP. */
void hist_bucket_bounds(uint32_t slot, uint64_t *lo, uint64_t *hi);
void hist_summarize(const struct hist *h, struct lat *out);

#endif
