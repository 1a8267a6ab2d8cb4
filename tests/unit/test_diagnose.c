// SPDX-License-Identifier: GPL-2.0
/*
 * Findings rank the classes of the breakdown along the critical path, carry their
 * evidence, and stay quiet when nothing dominates. Driven through the analysis
 * stage, as the renderers see it.
 */
#include "analysis.h"
#include "fixtures.h"
#include "test.h"
#include "util.h"

#define MS NSEC_PER_MSEC
#define T0 FX_ATTACH_NS

static const struct evidence *ev(const struct finding *f, const char *key)
{
	for (int i = 0; i < f->n_ev; i++)
		if (!strcmp(f->ev[i].key, key))
			return &f->ev[i];
	return NULL;
}

TEST(test_diagnose__ranks_and_explains)
{
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	const struct diagnosis *dg = &a.findings;

	fx_pipeline(&d);
	snapshot_build(&s, &d, NULL, T0, NULL);
	analysis_compute(&a, &s, "`sh pipeline`");
	/* disk 65%, sleep 20% (its threshold), CPU 15% (below 30%) */
	CHECK_U64(dg->n, 2);
	CHECK_STR(dg->f[0].kind, "disk");
	CHECK(dg->f[0].score > 0.64 && dg->f[0].score < 0.66);
	CHECK_CONTAINS(dg->f[0].summary,
		       "disk: `sh pipeline` spent 65% of its wall time waiting for IO");
	CHECK_CONTAINS(dg->f[0].summary, "`b` (pid 102)");
	CHECK(ev(&dg->f[0], "io_ns") && ev(&dg->f[0], "io_ns")->num == 6500 * MS);
	CHECK_STR(ev(&dg->f[0], "top_comm")->str, "b");
	CHECK_STR(dg->f[1].kind, "sleep");
	CHECK(dg->f[0].suggestion[0] != '\0');
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_diagnose__nothing_to_say)
{
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	struct proc_rec *p;

	fx_init(&d, 3, ROW_FIRST, T0 + NSEC_PER_SEC);
	p = fx_step(&d, 2, 100, 1, "mixed", 0, 1000);
	p->sched.oncpu_ns = 250 * MS;
	p->sched.wait_ns[WC_IO] = 50 * MS;
	p->sched.wait_ns[WC_OTHER] = 150 * MS;
	p->sched.wait_ns[WC_POLL] = 150 * MS;
	p->sched.wait_ns[WC_SLEEP] = 150 * MS;
	p->sched.wait_ns[WC_CHILD] = 250 * MS;
	snapshot_build(&s, &d, NULL, T0, NULL);
	analysis_compute(&a, &s, "x");
	CHECK_U64(a.findings.n, 0);
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
}
