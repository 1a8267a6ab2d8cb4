// SPDX-License-Identifier: GPL-2.0
/*
 * stacks MS: burn MS milliseconds of CPU in a known call chain, main -> outer ->
 * middle -> hot, each a real frame (no inlining, no tail calls, frame pointers), so a
 * profiler can be checked against it. Built several ways (PIE, non-PIE, stripped to
 * .dynsym, the chain in a shared library) by the Makefile.
 */
#include "wl_common.h"

#ifdef CHAIN_IN_LIB
long lib_outer(double end);
#define OUTER lib_outer
#else
__attribute__((noinline)) long hot(double end)
{
	volatile unsigned long x = 0;

	while (wl_now(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 200000; i++)
			x += i;
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

	wl_gate();
	r = OUTER(wl_now(CLOCK_MONOTONIC) + ms / 1000.0);
	return r == 42 ? 1 : 0;
}
