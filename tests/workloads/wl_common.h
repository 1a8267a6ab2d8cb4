/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared by the test workloads: each is a small deterministic program whose
 * behaviour (syscall counts, CPU time, blocking) is known exactly, so that the
 * integration tests compare procscope's numbers against ground truth.
 *
 * WL_WAIT=1 in the environment makes a workload stop at wl_gate() until it receives
 * SIGUSR1: the tests attach procscope (-p, -c) in between.
 */
#ifndef WL_COMMON_H
#define WL_COMMON_H

#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static inline void wl_gate(void)
{
	sigset_t set;
	int sig;

	if (!getenv("WL_WAIT"))
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	printf("ready %d\n", getpid());
	fflush(stdout);
	sigwait(&set, &sig);
}

static inline double wl_now(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Burn @sec seconds of this thread's CPU time. */
static inline void wl_spin_cpu(double sec)
{
	double end = wl_now(CLOCK_THREAD_CPUTIME_ID) + sec;
	volatile unsigned long x = 0;

	while (wl_now(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x += i;
}

/* Print this process's voluntary/involuntary context switches, as the kernel counts them. */
static inline void wl_print_ctxsw(void)
{
	char buf[4096];
	FILE *f = fopen("/proc/self/status", "r");
	unsigned long v = 0, nv = 0;

	if (!f)
		return;
	while (fgets(buf, sizeof(buf), f)) {
		sscanf(buf, "voluntary_ctxt_switches: %lu", &v);
		sscanf(buf, "nonvoluntary_ctxt_switches: %lu", &nv);
	}
	fclose(f);
	printf("ctxsw %lu %lu\n", v, nv);
	fflush(stdout);
}

#endif
