// SPDX-License-Identifier: GPL-2.0
/*
 * threads BUSY IDLE SECONDS: BUSY threads that each burn SECONDS of CPU, and IDLE
 * threads that wait the whole time (half in a futex, half in 10 ms sleeps). Prints
 * "ready PID" once every thread runs: a process already busy when a profiler attaches.
 */
#include <pthread.h>

#include "wl_common.h"

static double seconds;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never = PTHREAD_COND_INITIALIZER;

static void *busy(void *arg)
{
	wl_spin_cpu(seconds);
	return arg;
}

static void *idle_futex(void *arg)
{
	pthread_mutex_lock(&lock);
	pthread_cond_wait(&never, &lock);
	return arg;
}

static void *idle_sleeps(void *arg)
{
	struct timespec ts = {0, 10 * 1000 * 1000};

	for (;;)
		nanosleep(&ts, NULL);
	return arg;
}

int main(int argc, char **argv)
{
	int n_busy = argc > 1 ? atoi(argv[1]) : 1, n_idle = argc > 2 ? atoi(argv[2]) : 4;
	pthread_t t[64];

	seconds = argc > 3 ? atof(argv[3]) : 2;
	if (n_busy + n_idle > 64)
		return 2;
	for (int i = 0; i < n_idle; i++)
		pthread_create(&t[n_busy + i], NULL, i % 2 ? idle_sleeps : idle_futex, NULL);
	for (int i = 0; i < n_busy; i++)
		pthread_create(&t[i], NULL, busy, NULL);
	printf("ready %d\n", getpid());
	fflush(stdout);
	for (int i = 0; i < n_busy; i++)
		pthread_join(t[i], NULL);
	return 0;
}
