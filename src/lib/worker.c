// SPDX-License-Identifier: GPL-2.0
/* One job at a time on a thread of its own; see worker.h. */
#include <errno.h>
#include <string.h>

#include "lib/worker.h"

static void *worker_main(void *arg)
{
	struct worker *w = arg;

	pthread_mutex_lock(&w->mu);
	for (;;) {
		while (!w->job && !w->stop)
			pthread_cond_wait(&w->cv, &w->mu);
		if (!w->job)
			break; /* stopped, and nothing left to do */
		pthread_mutex_unlock(&w->mu);
		w->fn(w->ctx, w->job);
		pthread_mutex_lock(&w->mu);
		w->job = NULL;
		pthread_cond_broadcast(&w->cv);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

void worker__init(struct worker *w, void (*fn)(void *ctx, void *job), void *ctx)
{
	memset(w, 0, sizeof(*w));
	w->fn = fn;
	w->ctx = ctx;
}

int worker__start(struct worker *w)
{
	int err;

	if (w->started)
		return 0;
	w->stop = false;
	pthread_mutex_init(&w->mu, NULL);
	pthread_cond_init(&w->cv, NULL);
	/* the signals the event loop reads stay blocked here: a thread inherits the mask */
	err = pthread_create(&w->tid, NULL, worker_main, w);
	if (err) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		return -err;
	}
	w->started = true;
	return 0;
}

void worker__submit(struct worker *w, void *job)
{
	if (!w->started) {
		w->fn(w->ctx, job);
		return;
	}
	pthread_mutex_lock(&w->mu);
	while (w->job)
		pthread_cond_wait(&w->cv, &w->mu);
	w->job = job;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
}

void worker__wait(struct worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	while (w->job)
		pthread_cond_wait(&w->cv, &w->mu);
	pthread_mutex_unlock(&w->mu);
}

void worker__stop(struct worker *w)
{
	if (!w->started)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_broadcast(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->tid, NULL);
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	w->started = false;
}
