/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A thread that runs one job at a time, handed over by the event loop: rendering an
 * interval's report, evaluating its alerts, serving its figures. The loop goes on
 * draining events and recycling slots while a report is written -- under a storm of
 * processes on a busy host that takes seconds, and the tables would fill meanwhile --
 * and waits only if the previous job is not done when the next is ready.
 *
 * The job owns what it is given (snapshots, not the live tables); state both sides
 * touch is the caller's to lock.
 */
#ifndef PROCSCOPE_WORKER_H
#define PROCSCOPE_WORKER_H

#include <pthread.h>
#include <stdbool.h>

struct worker {
	void (*fn)(void *ctx, void *job);
	void *ctx;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	void *job; /* handed over and not yet done, or NULL */
	bool started, stop;
};

/* Jobs are run as @fn(@ctx, job): here, until worker__start() gives them a thread. */
void worker__init(struct worker *w, void (*fn)(void *ctx, void *job), void *ctx);
/* A thread of its own for the jobs from now on. 0 or -errno (then they run here). */
int worker__start(struct worker *w);
/* Hand @job over, once the previous job is done; without a thread, run it now. */
void worker__submit(struct worker *w, void *job);
/* Wait until the job handed over last is done. */
void worker__wait(struct worker *w);
/* Wait for the last job, then end the thread. */
void worker__stop(struct worker *w);

#endif
