/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Baselines: a previous run's final report (--save-baseline FILE, or the last
 * "report" record of any --json output) compared with this run, metric by metric and
 * workflow step by step, each change judged against a noise margin (docs/alerts.md).
 */
#ifndef PROCSCOPE_BASELINE_H
#define PROCSCOPE_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/breakdown.h"
#include "analysis/diagnose.h"
#include "lib/json_reader.h"
#include "analysis/metric.h"

/* A change is beyond noise when it is more than this fraction and the metric's floor. */
#define BASELINE_REL_NOISE 0.10

enum bl_verdict { BL_SAME = 0, BL_REGRESSION = 1, BL_IMPROVEMENT = -1 };

struct baseline {
	char *path;
	struct jval *root;	   /* the parsed report record */
	const struct jval *target; /* its "target" */
	char *desc;		   /* its target description */
	uint64_t unix_ns;
};

struct bl_metric {
	const char *name;
	enum metric_unit unit;
	double base, cur;
	double change;	  /* (cur - base) / base, NAN when base is 0 */
	double floor;	  /* absolute noise floor, in the metric's unit */
	bool few_samples; /* a percentile of too few samples to judge */
	enum bl_verdict verdict;
};

struct bl_step {
	char *cmdline;
	char comm[32];
	bool by_comm; /* paired by name: the command lines differ */
	uint64_t base_ns, cur_ns;
	double change; /* as bl_metric's */
	enum bl_verdict verdict;
};

struct baseline_cmp {
	const struct baseline *b;
	struct bl_metric *m;
	size_t n_m;
	struct bl_step *steps; /* steps found in both runs */
	size_t n_steps;
	size_t steps_new, steps_missing;
	size_t regressions, improvements; /* metrics and steps */
};

/* Read @path: the last "report" record in it. -1 with a one-line reason in @err. */
int baseline_load(const char *path, struct baseline *b, char *err, size_t errlen);
/* The same from @len bytes at @buf, named @path in errors. */
int baseline_parse(const char *buf, size_t len, const char *path, struct baseline *b, char *err,
		   size_t errlen);
void baseline_release(struct baseline *b);

/* Compare this run's final snapshot @s (its breakdowns @bd, @subsys traced) with @b. */
void baseline_compare(const struct baseline *b, const struct snapshot *s,
		      const struct breakdowns *bd, unsigned int subsys, struct baseline_cmp *out);
void baseline_cmp_release(struct baseline_cmp *c);

/* (cur - base) / base; NAN when base is 0. */
double bl_change(double base, double cur);
enum bl_verdict bl_judge(double base, double cur, double floor);
const char *bl_verdict_name(enum bl_verdict v);

/* A "regression" finding when anything regressed; false otherwise. */
bool baseline_finding(const struct baseline_cmp *c, struct finding *f);

#endif
