// SPDX-License-Identifier: GPL-2.0
/*
 * contend THREADS ROUNDS HOLD_US: THREADS threads take one mutex ROUNDS times each, in
 * turn (a condition variable hands it on: the mutex alone lets a releaser take it back
 * first), and hold it for HOLD_US microseconds of CPU work: all but one of them wait on
 * the lock (futexes) at any moment, each 1/THREADS of the time on a CPU. Prints "rounds
 * TOTAL".
 */
#include <pthread.h>

#include "wl_common.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t turned = PTHREAD_COND_INITIALIZER;
static int rounds, threads;
static double hold_s;
static long total;

static void *worker(void *arg)
{
	long id = (long)arg;

	for (int i = 0; i < rounds; i++) {
		pthread_mutex_lock(&lock);
		while (total % threads != id)
			pthread_cond_wait(&turned, &lock);
		wl_spin_cpu(hold_s);
		total++;
		pthread_cond_broadcast(&turned);
		pthread_mutex_unlock(&lock);
	}
	return arg;
}

int main(int argc, char **argv)
{
	int n = threads = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t th[64];

	rounds = argc > 2 ? atoi(argv[2]) : 100;
	hold_s = (argc > 3 ? atoi(argv[3]) : 1000) / 1e6;
	if (n < 1 || n > 64)
		return 2;
	wl_gate();
	for (int i = 0; i < n; i++)
		pthread_create(&th[i], NULL, worker, (void *)(long)i);
	for (int i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	printf("rounds %ld\n", total);
	return 0;
}
