// SPDX-License-Identifier: GPL-2.0
/* cpuloop SECONDS: CPU-bound work for SECONDS; prints "work_per_sec X" (units of work). */
#include "wl_common.h"

__attribute__((noinline)) static unsigned long unit(unsigned long x)
{
	for (int i = 0; i < 1000; i++)
		x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2, t0, t1;
	unsigned long x = 1, n = 0;

	wl_gate();
	t0 = wl_now(CLOCK_MONOTONIC);
	do {
		for (int i = 0; i < 1000; i++)
			x = unit(x);
		n += 1000;
		t1 = wl_now(CLOCK_MONOTONIC);
	} while (t1 - t0 < secs);
	printf("work_per_sec %.0f %lu\n", n / (t1 - t0), x & 1);
	return 0;
}
