// SPDX-License-Identifier: GPL-2.0
/*
 * stacks MS [block]: burn MS milliseconds of CPU in a known call chain, main -> outer
 * -> middle -> hot, each a real frame (no inlining, no tail calls), so a profiler can
 * be checked against it; with "block", sleep them away in 1 ms naps inside hot()
 * instead. Built several ways by the Makefile: with frame pointers (PIE, non-PIE,
 * stripped to .dynsym, the chain in a shared library) and without them, as
 * distributions build (also stripped, with a separate debug file found by
 * .gnu_debuglink or by build id).
 */
#include "wl_common.h"

static bool block;

#ifdef VARIANT
/* a build id of its own for each build of this source (the symbolizer caches by it) */
const char wl_variant[] = VARIANT;
#endif

#ifdef CHAIN_IN_LIB
long lib_outer(double end);
#define OUTER lib_outer
#else
__attribute__((noinline)) long hot(double end)
{
	volatile unsigned long x = 0;

	while (wl_now(CLOCK_MONOTONIC) < end) {
		if (block) {
			nanosleep(&(struct timespec){0, 1000000}, NULL);
			continue;
		}
		for (int i = 0; i < 200000; i++)
			x += i;
	}
	return (long)x;
}

__attribute__((noinline)) long middle(double end)
{
	return hot(end) + 1;
}

__attribute__((noinline)) long outer(double end)
{
	return middle(end) + 1;
}
#define OUTER outer
#endif

int main(int argc, char **argv)
{
	double ms = argc > 1 ? atof(argv[1]) : 500;
	long r;

	block = argc > 2 && !strcmp(argv[2], "block");
	wl_gate();
	if (block) /* bind and fault in the nap's code here, outside the chain */
		nanosleep(&(struct timespec){0, 0}, NULL);
	r = OUTER(wl_now(CLOCK_MONOTONIC) + ms / 1000.0);
	return r == 42 ? 1 : 0;
}
