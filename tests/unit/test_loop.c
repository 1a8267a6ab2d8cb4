// SPDX-License-Identifier: GPL-2.0
/*
 * The run's event loop (app/loop.h) with pipes and short timers: a readable descriptor
 * calls its function, a timer ticks, before() ends the loop and bounds each wait.
 */
#include <unistd.h>

#include "app/loop.h"
#include "lib/util.h"
#include "test.h"

struct scene {
	int fds[2];
	int reads, ticks, turns;
	uint64_t start, stop_after_ns;
	char got[16];
	size_t n_got;
};

static void on_pipe(void *ctx)
{
	struct scene *x = ctx;
	char c;

	if (read(x->fds[0], &c, 1) == 1 && x->n_got < sizeof(x->got))
		x->got[x->n_got++] = c;
	x->reads++;
}

static void on_tick(void *ctx)
{
	((struct scene *)ctx)->ticks++;
}

/* Stop once the time is up; meanwhile wake every 5 ms, writing to the pipe on turn 2. */
static uint64_t before(void *ctx, uint64_t now)
{
	struct scene *x = ctx;

	if (now - x->start >= x->stop_after_ns)
		return LOOP_STOP;
	if (++x->turns == 2 && write(x->fds[1], "x", 1) != 1)
		return LOOP_STOP;
	return now + 5 * NSEC_PER_MSEC;
}

TEST(test_loop__fds_timers_and_stop)
{
	struct scene x = {.stop_after_ns = 120 * NSEC_PER_MSEC};
	struct loop *l = loop__new();

	CHECK(l != NULL);
	CHECK(pipe(x.fds) == 0);
	CHECK_I64(loop__add_fd(l, x.fds[0], on_pipe, &x), 0);
	CHECK_I64(loop__add_timer(l, 20 * NSEC_PER_MSEC, on_tick, &x), 0);
	x.start = now_ns();
	CHECK_I64(loop__run(l, before, &x), 0);
	/* it ran for its time, and no longer */
	CHECK(now_ns() - x.start >= x.stop_after_ns);
	CHECK(now_ns() - x.start < x.stop_after_ns + 100 * NSEC_PER_MSEC);
	CHECK_I64(x.reads, 1);
	CHECK(x.n_got == 1 && x.got[0] == 'x');
	/* 120 ms of a 20 ms timer: 5 or 6 ticks, whatever the machine's load, at least 3 */
	CHECK(x.ticks >= 3 && x.ticks <= 6);
	/* before() bounded every wait: 5 ms turns, not one long sleep */
	CHECK(x.turns >= 10);
	loop__free(l);
	close(x.fds[0]);
	close(x.fds[1]);
}

static uint64_t stop_now(void *ctx, uint64_t now)
{
	return LOOP_STOP;
}

TEST(test_loop__sources_bounded)
{
	struct loop *l = loop__new();
	int fds[2];
	int n = 0, err = 0;

	CHECK(pipe(fds) == 0);
	while (!(err = loop__add_fd(l, fds[0], on_tick, NULL)) && n < 100)
		n++;
	/* a fixed table of sources: the ninth is refused, not overflowing it (epoll itself
	 * refuses the same descriptor twice first) */
	CHECK(err < 0);
	CHECK_I64(loop__run(l, stop_now, NULL), 0);
	loop__free(l);
	close(fds[0]);
	close(fds[1]);
}

struct hangup {
	int fds[2];
	int calls, turns;
	bool gone;
};

static void on_gone(void *ctx)
{
	struct hangup *h = ctx;

	h->calls++;
	h->gone = true;
}

/* Turn 3 closes the pipe's read end; stop once the hang-up was seen (or after 50 turns). */
static uint64_t before_hangup(void *ctx, uint64_t now)
{
	struct hangup *h = ctx;

	if (h->gone || ++h->turns > 50)
		return LOOP_STOP;
	if (h->turns == 3) {
		close(h->fds[0]);
		h->fds[0] = -1;
	}
	return now + 5 * NSEC_PER_MSEC;
}

TEST(test_loop__hangup_of_a_pipes_reader)
{
	struct hangup h = {0};
	struct loop *l = loop__new();

	CHECK(pipe(h.fds) == 0);
	CHECK_I64(loop__add_hangup(l, h.fds[1], on_gone, &h), 0);
	CHECK_I64(loop__run(l, before_hangup, &h), 0);
	/* nothing while the reader is there (the write end is writable all along), once
	 * as soon as it is gone: the turn after the close */
	CHECK_I64(h.calls, 1);
	CHECK_I64(h.turns, 3);
	loop__free(l);
	close(h.fds[1]);
}
