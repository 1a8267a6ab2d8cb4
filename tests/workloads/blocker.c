// SPDX-License-Identifier: GPL-2.0
/*
 * blocker READ_MS SLEEP_MS: block in read() on a pipe for READ_MS (a child, waiting in
 * poll(), writes after that long), then in nanosleep for SLEEP_MS. Known off-CPU
 * stacks; the times each call took, as measured here, on stdout ("read_ns N",
 * "sleep_ns N"): on a busy machine a wake-up can come tens of milliseconds late.
 */
#include <poll.h>
#include <sys/wait.h>

#include "wl_common.h"

int main(int argc, char **argv)
{
	int read_ms = argc > 1 ? atoi(argv[1]) : 300;
	int sleep_ms = argc > 2 ? atoi(argv[2]) : 200;
	struct timespec ts = {sleep_ms / 1000, (sleep_ms % 1000) * 1000000L};
	int fds[2];
	double t0, t1, t2;
	char c;

	wl_gate();
	if (pipe(fds))
		return 1;
	if (fork() == 0) {
		poll(NULL, 0, read_ms);
		if (write(fds[1], "x", 1) != 1)
			_exit(1);
		_exit(0);
	}
	t0 = wl_now(CLOCK_MONOTONIC);
	if (read(fds[0], &c, 1) != 1)
		return 1;
	t1 = wl_now(CLOCK_MONOTONIC);
	nanosleep(&ts, NULL);
	t2 = wl_now(CLOCK_MONOTONIC);
	wait(NULL);
	printf("read_ns %.0f\nsleep_ns %.0f\n", (t1 - t0) * 1e9, (t2 - t1) * 1e9);
	return 0;
}
