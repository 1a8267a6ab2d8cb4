// SPDX-License-Identifier: GPL-2.0
/* Percentiles from log-linear buckets; see histogram.h for the error bound. */
#include <math.h>
#include <string.h>

#include "lib/histogram.h"

void hist_add(struct hist *h, uint64_t v)
{
	h->bins[hist_slot(v)]++;
	h->count++;
	h->sum_ns += v;
	if (v > h->max_ns)
		h->max_ns = v;
}

void hist_add_bins32(struct hist *h, const uint32_t *bins, uint64_t sum_ns, uint64_t max_ns)
{
	for (uint32_t i = 0; i < HIST_SLOTS; i++) {
		h->bins[i] += bins[i];
		h->count += bins[i];
	}
	h->sum_ns += sum_ns;
	if (max_ns > h->max_ns)
		h->max_ns = max_ns;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	for (uint32_t i = 0; i < HIST_SLOTS; i++)
		dst->bins[i] += src->bins[i];
	dst->count += src->count;
	dst->sum_ns += src->sum_ns;
	if (src->max_ns > dst->max_ns)
		dst->max_ns = src->max_ns;
}

void hist_bucket_bounds(uint32_t slot, uint64_t *lo, uint64_t *hi)
{
	*lo = hist_slot_lo(slot);
	*hi = slot + 1 < HIST_SLOTS ? hist_slot_lo(slot + 1) : 1ULL << HIST_MAX_EXP;
}

uint64_t hist_quantile(const struct hist *h, double q)
{
	uint64_t total = 0, rank, cum = 0;

	for (uint32_t i = 0; i < HIST_SLOTS; i++)
		total += h->bins[i];
	if (!total)
		return 0;
	if (q >= 1.0)
		return h->max_ns;
	rank = (uint64_t)ceil(q * (double)total);
	if (rank < 1)
		rank = 1;
	if (rank >= total)
		return h->max_ns; /* the largest sample is known exactly */
	for (uint32_t i = 0; i < HIST_SLOTS; i++) {
		uint64_t lo, hi, est;

		cum += h->bins[i];
		if (cum < rank)
			continue;
		hist_bucket_bounds(i, &lo, &hi);
		if (i == HIST_SLOTS - 1 && h->max_ns > lo)
			return h->max_ns; /* open-ended bucket: the max is the best bound */
		est = hi - lo <= 1 ? lo : lo + (hi - lo) / 2;
		if (h->max_ns && est > h->max_ns)
			est = h->max_ns;
		return est;
	}
	return h->max_ns;
}

void hist_summarize(const struct hist *h, struct lat *out)
{
	memset(out, 0, sizeof(*out));
	out->count = h->count;
	out->sum_ns = h->sum_ns;
	out->max_ns = h->max_ns;
	out->p50_ns = hist_quantile(h, 0.50);
	out->p90_ns = hist_quantile(h, 0.90);
	out->p99_ns = hist_quantile(h, 0.99);
}
