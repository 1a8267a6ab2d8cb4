/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The run's event loop, behind a small interface: descriptors that call a function
 * when readable, periodic timers, and before each wait a function that does the
 * time-driven work and says until when to wait (or to stop). The run wires the
 * kernel's ring buffer, the signals and the report and recycling timers into it
 * (app/tracing.c); the unit tests drive it with pipes and short timers.
 */
#ifndef PROCSCOPE_LOOP_H
#define PROCSCOPE_LOOP_H

#include <stdbool.h>
#include <stdint.h>

#define LOOP_STOP UINT64_MAX /* what before() returns to end the loop */

struct loop;

typedef void (*loop_fn)(void *ctx);

/* A loop; NULL (errno set) if epoll is not available. */
struct loop *loop__new(void);
/* Call @fn(@ctx) whenever @fd is readable. 0 or -errno. */
int loop__add_fd(struct loop *l, int fd, loop_fn fn, void *ctx);
/*
 * Call @fn(@ctx) when @fd hangs up or fails (EPOLLERR, EPOLLHUP): the write end of a
 * pipe whose readers are gone. @fn must remove the cause or end the loop. 0 or -errno.
 */
int loop__add_hangup(struct loop *l, int fd, loop_fn fn, void *ctx);
/* Call @fn(@ctx) every @every_ns (once per wake-up, however many periods passed). 0 or -errno. */
int loop__add_timer(struct loop *l, uint64_t every_ns, loop_fn fn, void *ctx);
/*
 * Run until @before(@ctx, now) returns LOOP_STOP; otherwise it returns the time
 * (CLOCK_MONOTONIC ns) to wake up at without an event, 0 for none. -errno if waiting
 * failed.
 */
int loop__run(struct loop *l, uint64_t (*before)(void *ctx, uint64_t now), void *ctx);
void loop__free(struct loop *l);

#endif
