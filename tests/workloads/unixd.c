// SPDX-License-Identifier: GPL-2.0
/*
 * A daemon that does its clients' work in a child of its own, over a unix socket:
 *   unixd serve PATH N   answer N requests: each read as a number of milliseconds of CPU,
 *                        done by a forked child in crunch(), which writes the answer to
 *                        the client itself; prints "listening" once ready, then for each
 *                        request "worker PID cpu_us US" (the child's utime+stime, from
 *                        wait4: the truth a test compares with)
 *   unixd ask PATH MS    ask for MS milliseconds of work; print the answer
 */
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "wl_common.h"

static __attribute__((noinline)) unsigned long crunch(double sec)
{
	double end = wl_now(CLOCK_THREAD_CPUTIME_ID) + sec;
	unsigned long x = 1;

	while (wl_now(CLOCK_THREAD_CPUTIME_ID) < end)
		for (int i = 0; i < 10000; i++)
			x = x * 6364136223846793005UL + 1442695040888963407UL;
	return x;
}

static int address(const char *path, struct sockaddr_un *a)
{
	memset(a, 0, sizeof(*a));
	a->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(a->sun_path))
		return -1;
	strcpy(a->sun_path, path);
	return 0;
}

static int serve(const char *path, int n)
{
	struct sockaddr_un a;
	int ls = socket(AF_UNIX, SOCK_STREAM, 0);

	if (ls < 0 || address(path, &a) || bind(ls, (struct sockaddr *)&a, sizeof(a)) ||
	    listen(ls, 16)) {
		perror("unixd: listen");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (int i = 0; i < n; i++) {
		int c = accept(ls, NULL, NULL), ms = 0, st;
		char buf[32] = "";
		struct rusage ru;
		pid_t pid;

		if (c < 0 || read(c, buf, sizeof(buf) - 1) <= 0)
			return 1;
		ms = atoi(buf);
		pid = fork();
		if (pid == 0) {
			int len = snprintf(buf, sizeof(buf), "%lu\n", crunch(ms / 1000.0) & 0xffff);

			_exit(write(c, buf, (size_t)len) == len ? 0 : 1);
		}
		close(c);
		if (pid < 0 || wait4(pid, &st, 0, &ru) != pid)
			return 1;
		printf("worker %d cpu_us %ld\n", pid,
		       (long)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000 +
			       ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
		fflush(stdout);
	}
	return 0;
}

static int ask(const char *path, const char *ms)
{
	struct sockaddr_un a;
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	char buf[32];
	ssize_t r;

	if (s < 0 || address(path, &a) || connect(s, (struct sockaddr *)&a, sizeof(a))) {
		perror("unixd: connect");
		return 1;
	}
	if (write(s, ms, strlen(ms)) != (ssize_t)strlen(ms))
		return 1;
	r = read(s, buf, sizeof(buf) - 1);
	if (r <= 0)
		return 1;
	buf[r] = '\0';
	printf("answer %s", buf);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "serve"))
		return serve(argv[2], atoi(argv[3]));
	if (argc == 4 && !strcmp(argv[1], "ask"))
		return ask(argv[2], argv[3]);
	fprintf(stderr, "usage: unixd serve PATH N | unixd ask PATH MS\n");
	return 2;
}
