/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The checks of a run, on the model before anything is rendered: the alert rules on
 * every snapshot (intervals, the endpoint's refreshes, the final report), and on the
 * final report the comparison with the baseline, whose result joins the analysis.
 * Each alert that fires is handed to @emit, in order, under the rules' lock (the event
 * loop reloads the rules on SIGHUP and reaps --alert-exec children under it).
 */
#ifndef PROCSCOPE_CHECKS_H
#define PROCSCOPE_CHECKS_H

#include <pthread.h>
#include <stdint.h>

#include "analysis/alerts.h"
#include "analysis/analysis.h"
#include "analysis/baseline.h"

struct verdicts {
	struct alerts *alerts;	   /* NULL: no rules */
	pthread_mutex_t *mu;	   /* the rules' lock */
	const struct baseline *bl; /* NULL or root NULL: no --baseline */
	struct baseline_cmp *cmp;  /* the final report's comparison goes here */
	unsigned int subsys;	   /* what was traced */
	void (*emit)(void *ctx, const struct alert *al);
	void *ctx;
};

/* Check snapshot @s and its analysis @a (which the final report's results join). */
void verdicts_run(const struct verdicts *c, const struct snapshot *s, struct analysis *a,
		  uint64_t unix_ns);

#endif
