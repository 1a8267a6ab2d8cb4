/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Metrics for alert rules and baselines: named ones ("runq.p99", "io.share",
 * "syscall.read.total", "mem.rss_peak") and every number of a target or process object
 * of the JSON record by its path ("sched.blocked_by_state.iowait_ns").
 *
 * The paths are a static table (metric_path()), made from the model's counter and
 * distribution tables (model/metrics.h) and the breakdown's classes, so a path is known
 * before the run -- a typo is a usage error -- and a rule reads this run's value from
 * the model (metric_value()), never from a rendered record: the same number the JSON
 * renderer writes under that path, as a unit test checks. A saved record (a baseline)
 * is read by the same paths (metric_value_json()). Names in docs/alerts.md.
 */
#ifndef PROCSCOPE_METRIC_H
#define PROCSCOPE_METRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "analysis/breakdown.h"
#include "lib/json_reader.h"
#include "lib/json_writer.h"
#include "model/metrics.h"
#include "model/snapshot.h"

struct metric {
	char name[96]; /* as written, canonical for the named ones */
	enum metric_unit unit;
	bool target_only;
	/* a path of the table: what it reads (NULL for syscall.<name>.<field>) ... */
	const char *path;
	const char *denom; /* ... and for a share, the wall time it is a share of */
	char syscall[64];  /* syscall.<name>.<field>: the syscall ... */
	int syscall_field; /* ... and which of its figures (metric.c) */
	bool raw;	   /* given as a path, not a name */
};

/* This run's object a metric is read from: the target (@proc < 0) or process @proc. */
struct metric_scope {
	const struct snapshot *s;
	const struct breakdowns *bd;
	long proc;
	unsigned int subsys; /* what was traced (enum subsys): the rest has no value */
};

/* Resolve @name; false if it is neither a known metric nor a path of the table. */
bool metric_lookup(const char *name, struct metric *m);

/* Its value in this run's @sc; false if it has none (its subsystem was off). */
bool metric_value(const struct metric *m, const struct metric_scope *sc, double *out);
/* Its value in @obj, the target or a process object of a saved record; false if absent/null. */
bool metric_value_json(const struct metric *m, const struct jval *obj, double *out);

const char *metric_unit_name(enum metric_unit u);
/* Into JSON: ns, bytes and counts as exact integers, shares as fractions. */
void metric_json_value(struct json_writer *w, enum metric_unit u, double v);
/* "38.2ms", "1.5MiB", "12345", "41.0%" */
char *metric_format(char *buf, size_t len, enum metric_unit u, double v);

/*
 * Parse a value with an optional unit that fits @u: "10ms", "1.5 MiB", "80%", "0.8",
 * "2k". *@used is how many bytes were consumed. -1 with @err set on a bad or
 * unfitting unit.
 */
int metric_parse_value(const char *s, enum metric_unit u, double *out, size_t *used, char *err,
		       size_t errlen);

/* The named metrics (syscall.<name>.* aside), for tests and docs: name @i, NULL past the end. */
const char *metric_name(size_t i);
/* The paths of the table: path @i (@target_only set), NULL past the end. */
const char *metric_path(size_t i, bool *target_only);

#endif
