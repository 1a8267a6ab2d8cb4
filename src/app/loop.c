// SPDX-License-Identifier: GPL-2.0
/* The run's event loop over epoll; see loop.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "app/loop.h"
#include "lib/util.h"

#define LOOP_SOURCES_MAX 8

struct source {
	int fd;
	bool timer; /* its expirations are read before @fn runs */
	loop_fn fn;
	void *ctx;
};

struct loop {
	int ep;
	struct source src[LOOP_SOURCES_MAX];
	int n;
};

struct loop *loop__new(void)
{
	struct loop *l = xcalloc(1, sizeof(*l));

	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		free(l);
		return NULL;
	}
	return l;
}

static int add(struct loop *l, int fd, uint32_t events, bool timer, loop_fn fn, void *ctx)
{
	struct epoll_event ev = {.events = events, .data.u32 = (uint32_t)l->n};

	if (l->n == LOOP_SOURCES_MAX)
		return -ENOSPC;
	if (epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev))
		return -errno;
	l->src[l->n++] = (struct source){fd, timer, fn, ctx};
	return 0;
}

int loop__add_fd(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	return add(l, fd, EPOLLIN, false, fn, ctx);
}

int loop__add_hangup(struct loop *l, int fd, loop_fn fn, void *ctx)
{
	/* no event asked for: epoll reports EPOLLERR and EPOLLHUP whatever is asked */
	return add(l, fd, 0, false, fn, ctx);
}

int loop__add_timer(struct loop *l, uint64_t every_ns, loop_fn fn, void *ctx)
{
	struct itimerspec its = {.it_interval = {(time_t)(every_ns / NSEC_PER_SEC),
						 (long)(every_ns % NSEC_PER_SEC)}};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK), err;

	its.it_value = its.it_interval;
	if (fd < 0)
		return -errno;
	if (timerfd_settime(fd, 0, &its, NULL)) {
		err = -errno;
		close(fd);
		return err;
	}
	err = add(l, fd, EPOLLIN, true, fn, ctx);
	if (err)
		close(fd);
	return err;
}

int loop__run(struct loop *l, uint64_t (*before)(void *ctx, uint64_t now), void *ctx)
{
	for (;;) {
		struct epoll_event evs[LOOP_SOURCES_MAX];
		uint64_t now = now_ns(), until = before(ctx, now);
		int n, timeout = -1;

		if (until == LOOP_STOP)
			return 0;
		if (until)
			timeout =
				until <= now
					? 0
					: (int)((until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		n = epoll_wait(l->ep, evs, LOOP_SOURCES_MAX, timeout);
		if (n < 0 && errno != EINTR)
			return -errno;
		for (int i = 0; i < n; i++) {
			struct source *s = &l->src[evs[i].data.u32];
			uint64_t ticks;

			if (s->timer && read(s->fd, &ticks, sizeof(ticks)) != sizeof(ticks))
				continue;
			s->fn(s->ctx);
		}
	}
}

void loop__free(struct loop *l)
{
	if (!l)
		return;
	for (int i = 0; i < l->n; i++)
		if (l->src[i].timer)
			close(l->src[i].fd);
	close(l->ep);
	free(l);
}
