// SPDX-License-Identifier: GPL-2.0
/*
 * Breakdowns add up to wall time exactly; the target's follows the critical path
 * (sequential steps all on it, a parallel sibling that ended earlier not).
 */
#include "analysis/breakdown.h"
#include "fixtures.h"
#include "test.h"
#include "lib/util.h"

#define MS NSEC_PER_MSEC
#define T0 FX_ATTACH_NS

static uint64_t sum(const struct breakdown *bd)
{
	uint64_t t = 0;

	for (unsigned int c = 0; c < BD_N; c++)
		t += bd->ns[c];
	return t;
}

TEST(test_breakdown__pipeline_critical_path)
{
	struct raw_dump d;
	struct snapshot s;
	struct breakdowns b;

	fx_pipeline(&d);
	snapshot_build(&s, &d, NULL, T0, NULL);
	breakdown_compute(&s, &b);
	CHECK(b.expanded);
	CHECK_U64(b.target.wall_ns, 10 * NSEC_PER_SEC);
	CHECK_U64(sum(&b.target), 10 * NSEC_PER_SEC);
	CHECK_U64(b.target.ns[BD_IO], 6500 * MS);
	CHECK_U64(b.target.ns[BD_SLEEP], 2000 * MS);
	CHECK_U64(b.target.ns[BD_ONCPU], 1500 * MS);
	CHECK_U64(b.target.ns[BD_CHILD], 0); /* replaced by the children's own time */
	CHECK_U64(b.n_path, 4);
	CHECK_STR(s.procs[b.path[0].proc].comm, "sh");
	CHECK_STR(s.procs[b.path[1].proc].comm, "a");
	CHECK_STR(s.procs[b.path[2].proc].comm, "b");
	CHECK_STR(s.procs[b.path[3].proc].comm, "c");
	CHECK_U64(b.path[2].on_path_ns, 7000 * MS); /* the middle step dominates */
	CHECK_U64(b.path[0].on_path_ns, 0);
	for (size_t i = 0; i < s.n_procs; i++)
		CHECK_U64(sum(&b.procs[i]), b.procs[i].wall_ns);
	CHECK_STR(bd_class_name(b.target.dominant), "io");
	breakdowns_release(&b);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_breakdown__parallel_sibling_not_critical)
{
	struct raw_dump d;
	struct snapshot s;
	struct breakdowns b;
	struct proc_rec *p;

	fx_init(&d, 5, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	p = fx_step(&d, 2, 100, 1, "make", 0, 10000);
	p->sched.wait_ns[WC_CHILD] = 10000 * MS;
	p = fx_step(&d, 3, 101, 100, "long", 0, 10000);
	p->sched.oncpu_ns = 10000 * MS;
	p = fx_step(&d, 4, 102, 100, "short", 0, 5000);
	p->sched.wait_ns[WC_NET] = 5000 * MS;
	snapshot_build(&s, &d, NULL, T0, NULL);
	breakdown_compute(&s, &b);
	CHECK_U64(b.n_path, 2);
	CHECK_STR(s.procs[b.path[1].proc].comm, "long");
	CHECK_U64(b.target.ns[BD_ONCPU], 10 * NSEC_PER_SEC);
	CHECK_U64(b.target.ns[BD_NET], 0);
	breakdowns_release(&b);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_breakdown__threads_scaled_to_wall)
{
	struct raw_dump d;
	struct snapshot s;
	struct breakdowns b;
	struct proc_rec *p;

	fx_init(&d, 3, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	p = fx_step(&d, 2, 100, 1, "worker", 0, 10000);
	/* four threads: 30 s on CPU, 10 s waiting on a lock, over 10 s of wall time */
	p->sched.oncpu_ns = 30 * NSEC_PER_SEC;
	p->sched.wait_ns[WC_LOCK] = 10 * NSEC_PER_SEC;
	snapshot_build(&s, &d, NULL, T0, NULL);
	breakdown_compute(&s, &b);
	CHECK_U64(b.procs[0].wall_ns, 10 * NSEC_PER_SEC);
	CHECK_U64(b.procs[0].ns[BD_ONCPU], 7500 * MS);
	CHECK_U64(b.procs[0].ns[BD_LOCK], 2500 * MS);
	breakdowns_release(&b);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_breakdown__several_roots_sum)
{
	struct raw_dump d;
	struct snapshot s;
	struct breakdowns b;

	fx_init(&d, 4, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	fx_step(&d, 2, 100, 1, "x", 0, 4000)->sched.oncpu_ns = 4000 * MS;
	fx_step(&d, 3, 200, 1, "y", 0, 6000)->sched.wait_ns[WC_POLL] = 6000 * MS;
	snapshot_build(&s, &d, NULL, T0, NULL);
	breakdown_compute(&s, &b);
	CHECK(!b.expanded);
	CHECK_U64(b.n_path, 0);
	CHECK_U64(b.target.wall_ns, 10 * NSEC_PER_SEC); /* process-time */
	CHECK_U64(b.target.ns[BD_POLL], 6 * NSEC_PER_SEC);
	breakdowns_release(&b);
	snapshot_release(&s);
	raw_dump_release(&d);
}
