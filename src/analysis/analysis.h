/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The analysis stage: everything computed from a snapshot before it is rendered,
 * computed once, in one place. Renderers take (snapshot, analysis, options) and
 * compute nothing.
 *
 *   raw dump -> snapshot (the model) -> analysis -> renderers
 *
 * analysis_compute() does the breakdowns and findings. Alerts and the baseline
 * comparison read the rendered JSON record (so that a rule means exactly what a script
 * sees: docs/design.md); the caller runs them and hands the results back with
 * analysis_verdicts(), which adds a regression finding when the baseline says so.
 */
#ifndef PROCSCOPE_ANALYSIS_H
#define PROCSCOPE_ANALYSIS_H

#include "analysis/breakdown.h"
#include "analysis/diagnose.h"
#include "model/snapshot.h"

struct alerts;
struct baseline_cmp;

struct analysis {
	struct breakdowns bd;
	struct diagnosis findings;	     /* best first */
	const struct baseline_cmp *baseline; /* the final report with --baseline, else NULL */
	const struct alerts *alerts;	     /* the final report with alert rules, else NULL */
};

/* @desc names the target in sentences ("`make -j4`", "pid 4242"). */
void analysis_compute(struct analysis *a, const struct snapshot *s, const char *desc);
/* The outcome of the checks on the rendered record (either may be NULL). */
void analysis_verdicts(struct analysis *a, const struct baseline_cmp *baseline,
		       const struct alerts *alerts);
void analysis_release(struct analysis *a);

#endif
