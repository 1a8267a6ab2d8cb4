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

/*
 * floor(log2(v)) for v > 0, by halving without a branch: at each step, whether the
 * high half of the @w bits left is not zero is the carry out of adding 2^w - 1 to it.
 * Branches here made the verifier go through 2^6 paths at each histogram a program
 * fills.
 */
static __always_inline __u32 hist_log2(__u64 v)
{
	__u64 r, s;

	r = (((v >> 32) + 0xffffffffULL) >> 32) << 5;
	v >>= r;
	s = (((v >> 16) + 0xffffULL) >> 16) << 4;
	v >>= s;
	r |= s;
	s = (((v >> 8) + 0xffULL) >> 8) << 3;
	v >>= s;
	r |= s;
	s = (((v >> 4) + 0xfULL) >> 4) << 2;
	v >>= s;
	r |= s;
	s = (((v >> 2) + 0x3ULL) >> 2) << 1;
	v >>= s;
	r |= s;
	return (__u32)(r | ((v >> 1) + 1) >> 1);
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
