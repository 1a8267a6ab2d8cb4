// SPDX-License-Identifier: GPL-2.0
/* libpstest.so: the stacks workload's call chain, in a shared library. */
#include "wl_common.h"

__attribute__((noinline)) long lib_hot(double end)
{
	volatile unsigned long x = 0;

	while (wl_now(CLOCK_MONOTONIC) < end)
		for (int i = 0; i < 200000; i++)
			x += i;
	return (long)x;
}

__attribute__((noinline)) long lib_middle(double end)
{
	return lib_hot(end) + 1;
}

__attribute__((noinline)) long lib_outer(double end)
{
	return lib_middle(end) + 1;
}
