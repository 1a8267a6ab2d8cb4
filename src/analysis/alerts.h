/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Threshold alerts on every report's figures (grammar and metric names in docs/alerts.md):
 *
 *   [target. | process. | process[COMM-GLOB].]METRIC OP VALUE [for N intervals]
 *
 * where OP is one of > >= < <= == != and VALUE a number with a unit that fits the
 * metric ("10ms", "1.5GiB", "40%"), or "F * baseline" / "baseline * F" / "baseline"
 * (with --baseline). Rules are evaluated on the model of every interval and of the
 * final report, before anything is rendered (analysis/metric.h); an alert fires when its
 * condition becomes true (for N consecutive intervals with "for N intervals") and
 * fires again only after it has been false.
 */
#ifndef PROCSCOPE_ALERTS_H
#define PROCSCOPE_ALERTS_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "lib/json_reader.h"
#include "lib/json_writer.h"
#include "analysis/breakdown.h"
#include "analysis/metric.h"
#include "model/snapshot.h"

enum alert_op { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE };

/* Per process (or the target, pid 0): consecutive records the condition held. */
struct alert_state {
	int pid;
	unsigned int streak;
	bool firing;
	bool seen; /* in the record being evaluated */
};

struct alert_rule {
	char *text; /* as written, trimmed */
	struct metric m;
	enum alert_op op;
	bool per_process;
	char *comm_glob;  /* process[GLOB]: NULL for every process */
	double threshold; /* absolute, in the metric's base unit (ns, bytes, 0..1) */
	double factor;	  /* "F * baseline": F; threshold comes from the baseline */
	bool vs_baseline;
	unsigned int for_n; /* "for N intervals"; 0 without the clause */
	struct alert_state *st;
	size_t n_st;
	bool warned; /* "no such value" said once */
};

struct alert {
	const struct alert_rule *rule;
	double value, threshold;
	double baseline; /* the baseline's value; NAN unless vs_baseline */
	int pid;	 /* 0 for the target */
	char comm[32];
	uint64_t offset_ns; /* end of the record, from attach */
	uint64_t unix_ns;
	bool final;
};

struct alerts {
	struct alert_rule *rules;
	size_t n_rules;
	struct alert *fired; /* every alert of the run, in order */
	size_t n_fired;
	struct alert_rules_old {
		struct alert_rule *rules;
		size_t n;
	} * old; /* rules replaced (alerts_replace_rules), named by alerts that fired */
	size_t n_old;
	const char *exec; /* --alert-exec */
	pid_t *children;  /* its running instances */
	size_t n_children;
	unsigned int exec_failures;
};

/*
 * Parse one rule. @have_baseline/@have_interval say whether "baseline" and
 * "for N intervals" can be satisfied. -1 with a one-line reason naming the bad token
 * in @err.
 */
int alerts__add(struct alerts *a, const char *text, bool have_baseline, bool have_interval,
		char *err, size_t errlen);
/*
 * Rules from text in memory (@buf, NUL-terminated, changed): one per line, blank lines
 * and # comments skipped, errors naming @name:LINE; lines of at most ALERT_LINE_MAX
 * bytes, ALERT_RULES_MAX rules at most.
 */
int alerts__add_text(struct alerts *a, char *buf, const char *name, bool have_baseline,
		     bool have_interval, char *err, size_t errlen);
#define ALERT_FILE_MAX (1 << 20)
#define ALERT_LINE_MAX 4096
#define ALERT_RULES_MAX 1024
/* The same from a file: a regular text file of at most ALERT_FILE_MAX bytes. */
int alerts__add_file(struct alerts *a, const char *path, bool have_baseline, bool have_interval,
		     char *err, size_t errlen);

/*
 * Evaluate every rule on snapshot @s (an interval, or the final report) and its
 * breakdowns @bd, where the subsystems @subsys were traced; @baseline is the
 * baseline's report record or NULL. New alerts are appended to a->fired; returns how
 * many (they are the last ones).
 */
size_t alerts__eval(struct alerts *a, const struct snapshot *s, const struct breakdowns *bd,
		    unsigned int subsys, const struct jval *baseline, uint64_t unix_ns);

/* Does @r hold now (at the last record evaluated), for the target or any process? */
bool alert_rule_firing(const struct alert_rule *r);

/* The alert's fields, as an object inside an open writer (no "type"). */
void alert_json_fields(struct json_writer *w, const struct alert *al);
/* An NDJSON "alert" record. */
void alert_record(struct json_writer *w, const struct alert *al);
/* "alert: runq.p99 > 10ms: 38.2ms (target) at +12.0s" (no newline) */
void alert_describe(char *buf, size_t len, const struct alert *al);

/* Start --alert-exec for @al: argv {PROGRAM}, fields in PROCSCOPE_ALERT_* variables. */
int alert_exec(struct alerts *a, const struct alert *al, const sigset_t *mask);
/* Reap finished --alert-exec children; with @wait_ns, wait up to that long for all. */
void alerts__reap(struct alerts *a, uint64_t wait_ns);

/*
 * Replace @a's rules with those of @from (SIGHUP: the rules re-read), which is left
 * empty. A rule written as before keeps its state -- its streaks, whether it fires --
 * so that a reload neither fires it again nor resets "for N intervals". Returns how
 * many rules are new.
 */
size_t alerts__replace_rules(struct alerts *a, struct alerts *from);

void alerts__release(struct alerts *a);

#endif
