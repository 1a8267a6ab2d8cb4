// SPDX-License-Identifier: GPL-2.0
/*
 * sleeper N MS: N sleeps of MS milliseconds each. Prints the kernel's own context switch
 * counters ("ctxsw VOLUNTARY INVOLUNTARY") at its start and before it exits, for
 * comparison: what happened before its start (the launcher, exec) is in the first.
 */
#include "wl_common.h"

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 10;
	int ms = argc > 2 ? atoi(argv[2]) : 10;
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	wl_gate();
	wl_print_ctxsw();
	for (int i = 0; i < n; i++)
		nanosleep(&ts, NULL);
	wl_print_ctxsw();
	return 0;
}
