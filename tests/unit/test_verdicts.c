// SPDX-License-Identifier: GPL-2.0
/*
 * The run's verdicts (app/verdicts.h) on the model: a rule fires on an interval and is
 * handed to emit once, the final report's comparison with a baseline becomes a
 * regression finding, and what was not traced has no value.
 */
#include "app/verdicts.h"
#include "fixtures.h"
#include "json_check.h"
#include "model/subsys.h"
#include "test.h"

struct emitted {
	int n;
	double last;
};

static void emit(void *ctx, const struct alert *al)
{
	struct emitted *e = ctx;

	e->n++;
	e->last = al->value;
}

/* The pipeline fixture (fixtures.h), as an interval or the final report. */
static void snap(struct snapshot *s, struct raw_dump *d, bool interval)
{
	struct raw_dump prev;

	fx_pipeline(d);
	if (!interval) {
		CHECK_I64(snapshot_build(s, d, NULL, FX_ATTACH_NS, NULL), 0);
		return;
	}
	memset(&prev, 0, sizeof(prev));
	prev.ts_ns = FX_ATTACH_NS;
	CHECK_I64(snapshot_build(s, d, &prev, FX_ATTACH_NS, NULL), 0);
}

TEST(test_verdicts__rules_and_baseline)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct alerts rules = {0};
	struct baseline bl = {0};
	struct baseline_cmp cmp = {0};
	struct emitted got = {0};
	struct verdicts c = {.alerts = &rules,
			     .mu = &mu,
			     .bl = &bl,
			     .cmp = &cmp,
			     .subsys = SUB_DEFAULT,
			     .emit = emit,
			     .ctx = &got};
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	char err[256];

	CHECK(!alerts__add(&rules, "io.share > 50%", true, true, err, sizeof(err)));
	CHECK(!alerts__add(&rules, "wall > 1.5 * baseline", true, true, err, sizeof(err)));
	/* an interval: the share rule fires (disk is 65% of the path), once */
	snap(&s, &d, true);
	analysis_compute(&a, &s, "`sh`");
	verdicts_run(&c, &s, &a, 0);
	CHECK_I64(got.n, 1);
	CHECK(got.last > 0.6 && got.last < 0.7);
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
	/* the final report against a baseline of half the wall time: both fire, and the
	 * comparison joins the analysis as a regression */
	bl.root = json_parse_test("{\"type\":\"report\",\"target\":{\"wall_ns\":5000000000,"
				  "\"breakdown\":{\"wall_ns\":5000000000,\"io_ns\":3000000000}},"
				  "\"steps\":[]}");
	bl.target = json_get(bl.root, "target");
	bl.path = xstrdup("base.json");
	bl.desc = xstrdup("sh");
	snap(&s, &d, false);
	analysis_compute(&a, &s, "`sh`");
	verdicts_run(&c, &s, &a, 0);
	CHECK_I64(got.n, 3);
	CHECK(a.baseline == &cmp && cmp.regressions >= 1);
	CHECK(a.alerts == &rules);
	CHECK(a.findings.n > 0);
	{
		bool regression = false;

		for (size_t i = 0; i < a.findings.n; i++)
			regression |= !strcmp(a.findings.f[i].kind, "regression");
		CHECK(regression);
	}
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
	baseline_cmp_release(&cmp);
	baseline_release(&bl);
	alerts__release(&rules);
}

TEST(test_verdicts__untraced_has_no_value)
{
	pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
	struct alerts rules = {0};
	struct emitted got = {0};
	struct verdicts c = {
		.alerts = &rules, .mu = &mu, .subsys = SUB_SCHED, .emit = emit, .ctx = &got};
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	char err[256];

	/* io was not traced: its figures are not zero, they are absent */
	CHECK(!alerts__add(&rules, "io.read_bytes < 1", false, true, err, sizeof(err)));
	snap(&s, &d, true);
	analysis_compute(&a, &s, "`sh`");
	verdicts_run(&c, &s, &a, 0);
	CHECK_I64(got.n, 0);
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
	alerts__release(&rules);
}
