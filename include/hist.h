/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Log-linear latency histogram: the bucket function shared by the BPF programs (which
 * count into buckets) and userspace (which turns buckets back into values). One
 * definition, so the unit test checks the exact code the kernel side runs.
 *
 * Values below HIST_SUB are counted exactly. Above that, every power of two is split
 * into HIST_SUB equal sub-buckets, so a bucket [lo, hi) has hi - lo = lo / HIST_SUB at
 * most. Reporting the bucket's midpoint bounds the relative error of any percentile
 * by 1 / (2 * HIST_SUB) = 6.25%. Values of 2^HIST_MAX_EXP ns (68.7 s) and above
 * share the last bucket; the exact maximum is kept beside the histogram.
 *
 * No __builtin_clzll: clang 14 crashes compiling it for the BPF target.
 */
#ifndef PROCSCOPE_HIST_H
#define PROCSCOPE_HIST_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#ifndef __always_inline
#define __always_inline inline __attribute__((always_inline))
#endif

#define HIST_SUB_BITS 3
#define HIST_SUB (1U << HIST_SUB_BITS)
#define HIST_MAX_EXP 36
#define HIST_SLOTS ((HIST_MAX_EXP - HIST_SUB_BITS + 1) * HIST_SUB)

/* floor(log2(v)) for v > 0, by halving: branch-light and verifier-friendly. */
static __always_inline __u32 hist_log2(__u64 v)
{
	__u32 r = 0;

	if (v >> 32) {
		v >>= 32;
		r += 32;
	}
	if (v >> 16) {
		v >>= 16;
		r += 16;
	}
	if (v >> 8) {
		v >>= 8;
		r += 8;
	}
	if (v >> 4) {
		v >>= 4;
		r += 4;
	}
	if (v >> 2) {
		v >>= 2;
		r += 2;
	}
	if (v >> 1)
		r += 1;
	return r;
}

/*
 * 64-bit arithmetic throughout, on purpose: computed in 32-bit subregisters, the slot
 * reaches the bound check and the array index through different registers ("w3 = w2"),
 * and verifiers before 6.8 lose the bound across such a copy.
 */
static __always_inline __u64 hist_slot(__u64 v)
{
	__u64 e;

	if (v < HIST_SUB)
		return v;
	e = hist_log2(v);
	if (e >= HIST_MAX_EXP)
		return HIST_SLOTS - 1;
	return (e - HIST_SUB_BITS + 1) * HIST_SUB + ((v >> (e - HIST_SUB_BITS)) & (HIST_SUB - 1));
}

/* Smallest value that lands in @slot. */
static __always_inline __u64 hist_slot_lo(__u32 slot)
{
	__u32 e, sub;

	if (slot < HIST_SUB)
		return slot;
	e = slot / HIST_SUB + HIST_SUB_BITS - 1;
	sub = slot % HIST_SUB;
	return (1ULL << e) + ((__u64)sub << (e - HIST_SUB_BITS));
}

#endif /* PROCSCOPE_HIST_H */
