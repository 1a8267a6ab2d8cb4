// SPDX-License-Identifier: GPL-2.0
/* Baseline comparison; see baseline.h and docs/alerts.md. */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/baseline.h"
#include "lib/json_writer.h"
#include "lib/util.h"

#define MAX_BASELINE_BYTES (512UL << 20)
#define MS (1e6)
#define MIB (1048576.0)

/* A p99 of fewer samples than this is a maximum: too noisy to call a regression. */
#define MIN_SAMPLES 100

/* What is compared, with the smallest change that counts (besides BASELINE_REL_NOISE). */
static const struct {
	const char *name;
	double floor;
	const char *samples; /* percentiles: the count they are from */
} compared[] = {
	{"wall", 20 * MS},
	{"cpu", 20 * MS},
	{"runq", 20 * MS},
	{"io.wait", 20 * MS},
	{"net.wait", 20 * MS},
	{"lock.wait", 20 * MS},
	{"sleep.wait", 20 * MS},
	{"poll.wait", 20 * MS},
	{"other.wait", 20 * MS},
	{"runq.p99", 1 * MS, "runq.count"},
	{"io.p99", 1 * MS, "io.count"},
	{"net.connect.p99", 1 * MS, "net.connect.count"},
	{"io.read_bytes", MIB},
	{"io.write_bytes", MIB},
	{"net.tx_bytes", MIB},
	{"net.rx_bytes", MIB},
	{"net.retransmits", 10},
	{"mem.rss_peak", 4 * MIB},
	{"mem.major_faults", 100},
	{"syscall.count", 1000},
	{"syscall.errors", 100},
	{"syscall.total", 20 * MS},
	{"processes", 2},
};

/* Enough samples in both runs for a percentile to mean something. */
static bool enough_samples(const char *count, const struct jval *base,
			   const struct metric_scope *cur)
{
	struct metric m;
	double x, y;

	return !count || (metric_lookup(count, &m) && metric_value_json(&m, base, &x) &&
			  metric_value(&m, cur, &y) && x >= MIN_SAMPLES && y >= MIN_SAMPLES);
}
#define STEP_FLOOR (20 * MS)

int baseline_parse(const char *buf, size_t len, const char *path, struct baseline *b, char *err,
		   size_t errlen)
{
	size_t end;
	char perr[128] = "";
	const struct jval *type = NULL;
	double ver = 0;

	memset(b, 0, sizeof(*b));
	/* the last record of type "report", scanning lines from the end */
	for (end = len; end > 0 && !b->root;) {
		size_t start = end;

		while (start > 0 && buf[start - 1] != '\n')
			start--;
		if (end > start && buf[start] != '\n') {
			struct jval *v = json_parse(buf + start, end - start, perr, sizeof(perr));

			type = json_get(v, "type");
			if (type && type->t == J_STR && !strcmp(type->str, "report"))
				b->root = v;
			else
				json_free(v);
		}
		end = start ? start - 1 : 0;
	}
	if (!b->root) {
		snprintf(err, errlen, "baseline '%s' holds no procscope report record%s%s", path,
			 perr[0] ? ": " : "", perr);
		return -1;
	}
	/* schema 2 records are read through the metric paths' aliases (metric.c) */
	if (!json_number(json_get(b->root, "schema_version"), &ver) || ver < 2 ||
	    ver > JSON_SCHEMA_VERSION) {
		snprintf(err, errlen,
			 "baseline '%s' has schema version %g; this procscope reads 2 to %d", path,
			 ver, JSON_SCHEMA_VERSION);
		baseline_release(b);
		return -1;
	}
	b->target = json_get(b->root, "target");
	if (!b->target || b->target->t != J_OBJ) {
		snprintf(err, errlen, "baseline '%s' has no \"target\" object", path);
		baseline_release(b);
		return -1;
	}
	type = json_get(b->target, "description");
	b->desc = xstrdup(type && type->t == J_STR ? type->str : "?");
	json_u64(json_get(b->root, "unix_ns"), &b->unix_ns);
	b->path = xstrdup(path);
	return 0;
}

int baseline_load(const char *path, struct baseline *b, char *err, size_t errlen)
{
	size_t len;
	char *buf = read_input(path, "baseline", MAX_BASELINE_BYTES, &len, err, errlen);
	int ret;

	memset(b, 0, sizeof(*b));
	if (!buf)
		return -1;
	ret = baseline_parse(buf, len, path, b, err, errlen);
	free(buf);
	return ret;
}

void baseline_release(struct baseline *b)
{
	json_free(b->root);
	free(b->desc);
	free(b->path);
	memset(b, 0, sizeof(*b));
}

double bl_change(double base, double cur)
{
	return base > 0 ? (cur - base) / base : NAN;
}

enum bl_verdict bl_judge(double base, double cur, double floor)
{
	if (cur > base * (1 + BASELINE_REL_NOISE) && cur - base > floor)
		return BL_REGRESSION;
	if (cur < base * (1 - BASELINE_REL_NOISE) && base - cur > floor)
		return BL_IMPROVEMENT;
	return BL_SAME;
}

const char *bl_verdict_name(enum bl_verdict v)
{
	return v == BL_REGRESSION ? "regression" : v == BL_IMPROVEMENT ? "improvement" : "same";
}

static void count(struct baseline_cmp *c, enum bl_verdict v)
{
	if (v == BL_REGRESSION)
		c->regressions++;
	else if (v == BL_IMPROVEMENT)
		c->improvements++;
}

static const char *str_of(const struct jval *o, const char *key)
{
	const struct jval *v = json_get(o, key);

	return v && v->t == J_STR ? v->str : "";
}

static double num_of(const struct jval *o, const char *key)
{
	double v = 0;

	json_number(json_get(o, key), &v);
	return v;
}

/* A time from a baseline file: a negative one (a hand-edited or corrupt file) is 0. */
static uint64_t ns_of(double v)
{
	if (!(v > 0))
		return 0;
	return v < 18e18 ? (uint64_t)v : UINT64_MAX;
}

static void add_step(struct baseline_cmp *c, const struct jval *b, const struct snapshot *s,
		     const struct process *p, bool by_comm)
{
	struct bl_step *st;

	c->steps = xrealloc(c->steps, sizeof(*c->steps) * (c->n_steps + 1));
	st = &c->steps[c->n_steps++];
	memset(st, 0, sizeof(*st));
	st->cmdline = xstrdup(p->cmdline ? p->cmdline : "");
	snprintf(st->comm, sizeof(st->comm), "%s", p->comm);
	st->by_comm = by_comm;
	st->base_ns = ns_of(num_of(b, "duration_ns"));
	st->cur_ns = proc_wall_ns(p, s);
	st->change = bl_change((double)st->base_ns, (double)st->cur_ns);
	st->verdict = bl_judge((double)st->base_ns, (double)st->cur_ns, STEP_FLOOR);
	count(c, st->verdict);
}

/*
 * The workflow's steps (the processes that exec'd, as the record's "steps") pair up by
 * command line, the k-th run of a command line with the k-th; the rest by name, in
 * order (command lines that hold temporary names or counts).
 */
static void compare_steps(struct baseline_cmp *c, const struct jval *base, const struct snapshot *s)
{
	size_t nb = base && base->t == J_ARR ? base->n : 0, nc = 0;
	const struct process **cur = xcalloc(s->n_procs + 1, sizeof(*cur));
	bool *bused = xcalloc(nb + 1, sizeof(*bused)), *cused;

	for (size_t i = 0; i < s->n_procs; i++)
		if (s->procs[i].flags & PROC_F_EXECED)
			cur[nc++] = &s->procs[i];
	cused = xcalloc(nc + 1, sizeof(*cused));
	for (int pass = 0; pass < 2; pass++) {
		const char *key = pass ? "comm" : "cmdline";

		for (size_t i = 0; i < nc; i++) {
			const char *v = pass		  ? cur[i]->comm
					: cur[i]->cmdline ? cur[i]->cmdline
							  : "";
			size_t k;

			if (cused[i])
				continue;
			for (k = 0; k < nb; k++)
				if (!bused[k] && !strcmp(v, str_of(base->items[k], key)))
					break;
			if (k == nb)
				continue;
			bused[k] = cused[i] = true;
			add_step(c, base->items[k], s, cur[i], pass);
		}
	}
	for (size_t i = 0; i < nc; i++)
		c->steps_new += !cused[i];
	for (size_t k = 0; k < nb; k++)
		c->steps_missing += !bused[k];
	free(bused);
	free(cused);
	free(cur);
}

void baseline_compare(const struct baseline *b, const struct snapshot *s,
		      const struct breakdowns *bd, unsigned int subsys, struct baseline_cmp *out)
{
	const struct metric_scope cur = {.s = s, .bd = bd, .proc = -1, .subsys = subsys};

	memset(out, 0, sizeof(*out));
	out->b = b;
	out->m = xcalloc(ARRAY_SIZE(compared), sizeof(*out->m));
	for (size_t i = 0; i < ARRAY_SIZE(compared); i++) {
		struct bl_metric *bm = &out->m[out->n_m];
		struct metric m;

		if (!metric_lookup(compared[i].name, &m))
			continue;
		/* both runs must have measured it */
		if (!metric_value_json(&m, b->target, &bm->base) ||
		    !metric_value(&m, &cur, &bm->cur))
			continue;
		bm->name = compared[i].name;
		bm->change = bl_change(bm->base, bm->cur);
		bm->few_samples = !enough_samples(compared[i].samples, b->target, &cur);
		bm->unit = m.unit;
		bm->floor = compared[i].floor;
		bm->verdict = bm->few_samples ? BL_SAME : bl_judge(bm->base, bm->cur, bm->floor);
		count(out, bm->verdict);
		out->n_m++;
	}
	compare_steps(out, json_get(b->root, "steps"), s);
}

void baseline_cmp_release(struct baseline_cmp *c)
{
	for (size_t i = 0; i < c->n_steps; i++)
		free(c->steps[i].cmdline);
	free(c->steps);
	free(c->m);
	memset(c, 0, sizeof(*c));
}

bool baseline_finding(const struct baseline_cmp *c, struct finding *f)
{
	const struct bl_metric *wall = NULL, *worst = NULL;
	const struct bl_step *step = NULL;
	char b1[32], b2[32], b3[32];
	size_t used;

	if (!c || !c->regressions)
		return false;
	for (size_t i = 0; i < c->n_m; i++) {
		const struct bl_metric *m = &c->m[i];

		if (m->verdict != BL_REGRESSION)
			continue;
		if (!strcmp(m->name, "wall"))
			wall = m;
		else if (!worst || (m->unit == MU_NS && worst->unit != MU_NS) ||
			 ((m->unit == MU_NS) == (worst->unit == MU_NS) &&
			  m->change > worst->change))
			worst = m;
	}
	for (size_t i = 0; i < c->n_steps; i++)
		if (c->steps[i].verdict == BL_REGRESSION &&
		    (!step ||
		     c->steps[i].cur_ns - c->steps[i].base_ns > step->cur_ns - step->base_ns))
			step = &c->steps[i];

	memset(f, 0, sizeof(*f));
	f->kind = "regression";
	/* the share of this run's wall time the regression added; small if wall held */
	f->score = wall && wall->cur > 0 ? (wall->cur - wall->base) / wall->cur : 0.05;
	if (wall)
		used = (size_t)snprintf(
			f->summary, sizeof(f->summary),
			"regression: wall time %s against %s in the baseline (%+.0f%%)",
			metric_format(b1, sizeof(b1), MU_NS, wall->cur),
			metric_format(b2, sizeof(b2), MU_NS, wall->base), 100 * wall->change);
	else
		used = (size_t)snprintf(f->summary, sizeof(f->summary),
					"regression against the baseline (wall time within noise)");
	if (worst && used < sizeof(f->summary))
		used += (size_t)snprintf(f->summary + used, sizeof(f->summary) - used,
					 "; %s %s against %s", worst->name,
					 metric_format(b1, sizeof(b1), worst->unit, worst->cur),
					 metric_format(b2, sizeof(b2), worst->unit, worst->base));
	if (step && used < sizeof(f->summary))
		snprintf(f->summary + used, sizeof(f->summary) - used,
			 "; step `%.60s` took %s longer (%s against %s)", step->cmdline,
			 metric_format(b3, sizeof(b3), MU_NS,
				       (double)(step->cur_ns - step->base_ns)),
			 metric_format(b1, sizeof(b1), MU_NS, (double)step->cur_ns),
			 metric_format(b2, sizeof(b2), MU_NS, (double)step->base_ns));
	snprintf(f->suggestion, sizeof(f->suggestion),
		 "compare the two reports class by class (WHERE THE TIME WENT); the findings above "
		 "say where this run's time went");
	f->ev[f->n_ev++] =
		(struct evidence){.key = "regressions", .type = EVD_NUM, .num = c->regressions};
	if (wall) {
		f->ev[f->n_ev++] = (struct evidence){
			.key = "wall_ns", .type = EVD_NS, .num = ns_of(wall->cur)};
		f->ev[f->n_ev++] = (struct evidence){
			.key = "baseline_wall_ns", .type = EVD_NS, .num = ns_of(wall->base)};
	}
	if (worst) {
		f->ev[f->n_ev] = (struct evidence){.key = "metric", .type = EVD_STR};
		snprintf(f->ev[f->n_ev++].str, sizeof(f->ev[0].str), "%s", worst->name);
	}
	if (step) {
		f->ev[f->n_ev] = (struct evidence){.key = "step", .type = EVD_STR};
		snprintf(f->ev[f->n_ev++].str, sizeof(f->ev[0].str), "%s", step->cmdline);
		f->ev[f->n_ev++] =
			(struct evidence){.key = "step_ns", .type = EVD_NS, .num = step->cur_ns};
		f->ev[f->n_ev++] = (struct evidence){
			.key = "baseline_step_ns", .type = EVD_NS, .num = step->base_ns};
	}
	return true;
}
