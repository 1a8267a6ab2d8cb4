// SPDX-License-Identifier: GPL-2.0
/*
 * blockin MODE [FILE]: set up, print "ready PID", then block in one call until killed:
 * a service that waits, for attaching to one that was waiting already (issue 27).
 *
 *   select, poll, epoll   on a connected TCP socket over loopback (a network wait)
 *   poll-pipe             poll() on an empty pipe (no socket: a poll wait)
 *   futex                 FUTEX_WAIT on a word no one changes (a lock wait)
 *   sleep                 nanosleep (a sleep)
 *   pipe                  read() on an empty pipe (other)
 *   wait                  wait4() on a child that sleeps (child)
 *   disk FILE             one 1 MiB O_DIRECT write to FILE: on a device throttled in
 *                         bytes per second, it waits in the kernel for seconds (disk)
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "wl_common.h"

#define DISK_BYTES (1 << 20)

static void ready(void)
{
	printf("ready %d\n", getpid());
	fflush(stdout);
}

/* A TCP connection over loopback: the accepted end, whose peer never writes. */
static int tcp_pair(void)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0), c = socket(AF_INET, SOCK_STREAM, 0), s;

	if (l < 0 || c < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) || listen(l, 1) ||
	    getsockname(l, (struct sockaddr *)&a, &len) ||
	    connect(c, (struct sockaddr *)&a, sizeof(a)))
		exit(1);
	s = accept(l, NULL, NULL);
	if (s < 0)
		exit(1);
	return s;
}

static int disk(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_DIRECT, 0600);
	void *buf;

	if (fd < 0 || posix_memalign(&buf, 4096, DISK_BYTES))
		return 1;
	memset(buf, 'd', DISK_BYTES);
	ready();
	return pwrite(fd, buf, DISK_BYTES, 0) == DISK_BYTES ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "";
	int fds[2], s, ep;
	char c;

	if (!strcmp(mode, "select") || !strcmp(mode, "poll") || !strcmp(mode, "epoll")) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct pollfd pfd;
		fd_set set;

		s = tcp_pair();
		ready();
		if (!strcmp(mode, "select")) {
			FD_ZERO(&set);
			FD_SET(s, &set);
			return select(s + 1, &set, NULL, NULL, NULL) < 0;
		}
		if (!strcmp(mode, "poll")) {
			pfd = (struct pollfd){.fd = s, .events = POLLIN};
			return poll(&pfd, 1, -1) < 0;
		}
		ep = epoll_create1(0);
		ev.data.fd = s;
		if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, s, &ev))
			return 1;
		return epoll_wait(ep, &ev, 1, -1) < 0;
	}
	if (!strcmp(mode, "poll-pipe") || !strcmp(mode, "pipe")) {
		struct pollfd pfd;

		if (pipe(fds))
			return 1;
		ready();
		pfd = (struct pollfd){.fd = fds[0], .events = POLLIN};
		if (!strcmp(mode, "poll-pipe"))
			return poll(&pfd, 1, -1) < 0;
		return read(fds[0], &c, 1) < 0;
	}
	if (!strcmp(mode, "futex")) {
		static unsigned int word;

		ready();
		return syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0) < 0;
	}
	if (!strcmp(mode, "sleep")) {
		struct timespec ts = {3600, 0};

		ready();
		return nanosleep(&ts, NULL);
	}
	if (!strcmp(mode, "wait")) {
		pid_t pid = fork();

		if (pid == 0) {
			struct timespec ts = {3600, 0};

			prctl(PR_SET_PDEATHSIG, SIGKILL); /* gone with its parent */
			nanosleep(&ts, NULL);
			_exit(0);
		}
		ready();
		return waitpid(pid, NULL, 0) < 0;
	}
	if (!strcmp(mode, "disk") && argc > 2)
		return disk(argv[2]);
	fprintf(stderr,
		"usage: blockin select|poll|epoll|poll-pipe|futex|sleep|pipe|wait|disk FILE\n");
	return 2;
}
