/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Named metrics over a report record: "runq.p99", "io.share", "syscall.read.total",
 * "mem.rss_peak", or any dotted path into the target or a process object
 * ("sched.blocked_by_state.iowait_ns"). Alert rules (alerts.c) and baseline
 * comparisons (baseline.c) read values through here, from the same JSON a script
 * reads, so a rule means exactly what the record shows. Names in docs/alerts.md.
 */
#ifndef PROCSCOPE_METRIC_H
#define PROCSCOPE_METRIC_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/json_reader.h"
#include "lib/json_writer.h"
#include "model/metrics.h"

struct metric {
	char name[96]; /* as written, canonical for the named ones */
	enum metric_unit unit;
	bool target_only;
	/* how to read it from a scope object (the target, or one process) */
	const char *path;	 /* dotted path, or NULL when @syscall/@raw is used */
	const char *denom;	 /* shares: path of the denominator */
	char syscall[64];	 /* syscall.<name>.<field>: the syscall ... */
	const char *syscall_key; /* ... and its key in a syscalls[] element */
	char raw[96];		 /* a raw dotted path */
};

/* Resolve @name; false if it is neither a known metric nor a plausible path. */
bool metric_lookup(const char *name, struct metric *m);

/* Its value in @scope (the target object or a process object); false if absent/null. */
bool metric_value(const struct metric *m, const struct jval *scope, double *out);

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

#endif
