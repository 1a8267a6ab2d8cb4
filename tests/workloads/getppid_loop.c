// SPDX-License-Identifier: GPL-2.0
/*
 * getppid_loop N: N getppid syscalls in a tight loop; prints "ns_per_call X" measured
 * around the loop only (startup excluded). The syscall-overhead benchmark's workload.
 */
#include <sys/syscall.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 3000000;
	double t0, t1;

	wl_gate();
	t0 = wl_now(CLOCK_MONOTONIC);
	for (long i = 0; i < n; i++)
		syscall(SYS_getppid);
	t1 = wl_now(CLOCK_MONOTONIC);
	printf("ns_per_call %.1f\n", (t1 - t0) * 1e9 / n);
	return 0;
}
