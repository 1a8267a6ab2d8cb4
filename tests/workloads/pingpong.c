// SPDX-License-Identifier: GPL-2.0
/*
 * pingpong SECONDS: two threads bounce a byte over a pair of pipes for SECONDS; every
 * round trip is two blocking reads and two context switches. Prints
 * "round_trips_per_sec X". A context-switch-heavy workload for off-CPU tracing.
 */
#include <pthread.h>

#include "wl_common.h"

static int a[2], b[2];
static volatile int stop;

static void *echo(void *arg)
{
	char c;

	(void)arg;
	while (read(a[0], &c, 1) == 1 && c != 'q')
		if (write(b[1], &c, 1) != 1)
			break;
	return NULL;
}

int main(int argc, char **argv)
{
	double secs = argc > 1 ? atof(argv[1]) : 2, t0, t1;
	unsigned long n = 0;
	pthread_t th;
	char c = 'x';

	wl_gate();
	if (pipe(a) || pipe(b) || pthread_create(&th, NULL, echo, NULL))
		return 1;
	t0 = wl_now(CLOCK_MONOTONIC);
	do {
		for (int i = 0; i < 100; i++) {
			if (write(a[1], &c, 1) != 1 || read(b[0], &c, 1) != 1)
				return 1;
		}
		n += 100;
		t1 = wl_now(CLOCK_MONOTONIC);
	} while (t1 - t0 < secs);
	c = 'q';
	if (write(a[1], &c, 1) != 1)
		return 1;
	pthread_join(th, NULL);
	printf("round_trips_per_sec %.0f\n", n / (t1 - t0));
	return 0;
}
