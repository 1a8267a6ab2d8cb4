// SPDX-License-Identifier: GPL-2.0
/*
 * Breakdowns add up to wall time exactly; the target's follows the critical path
 * (sequential steps all on it, a parallel sibling that ended earlier not); findings
 * rank the classes and carry their evidence.
 */
#include "breakdown.h"
#include "diagnose.h"
#include "fixtures.h"
#include "test.h"
#include "util.h"

#define MS NSEC_PER_MSEC
#define T0 FX_ATTACH_NS

static struct proc_rec *proc(struct raw_dump *d, uint32_t slot, uint32_t pid, uint32_t ppid,
			     const char *comm, uint64_t start_ms, uint64_t end_ms)
{
	struct proc_rec *p = fx_proc(d, slot, pid, ppid, comm, T0 + start_ms * MS);

	fx_exit(p, T0 + end_ms * MS, 0);
	p->flags |= PROC_F_EXECED;
	return p;
}

static uint64_t sum(const struct breakdown *bd)
{
	uint64_t t = 0;

	for (unsigned int c = 0; c < BD_N; c++)
		t += bd->ns[c];
	return t;
}

/* sh runs a (CPU, 1 s), then b (disk, 7 s), then c (sleep, 2 s). */
static void pipeline(struct raw_dump *d)
{
	struct proc_rec *p;

	fx_init(d, 6, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	p = proc(d, 2, 100, 1, "sh", 0, 10000);
	p->sched.oncpu_ns = 100 * MS;
	p->sched.wait_ns[WC_CHILD] = 9900 * MS;
	p = proc(d, 3, 101, 100, "a", 0, 1000);
	p->sched.oncpu_ns = 1000 * MS;
	p = proc(d, 4, 102, 100, "b", 1000, 8000);
	p->sched.oncpu_ns = 500 * MS;
	p->sched.wait_ns[WC_IO] = 6500 * MS;
	p = proc(d, 5, 103, 100, "c", 8000, 10000);
	p->sched.wait_ns[WC_SLEEP] = 2000 * MS;
}

TEST(test_breakdown__pipeline_critical_path)
{
	struct raw_dump d;
	struct snapshot s;

	pipeline(&d);
	snapshot_build(&s, &d, NULL, T0, NULL);
	CHECK(s.bd_expanded);
	CHECK_U64(s.target.bd.wall_ns, 10 * NSEC_PER_SEC);
	CHECK_U64(sum(&s.target.bd), 10 * NSEC_PER_SEC);
	CHECK_U64(s.target.bd.ns[BD_IO], 6500 * MS);
	CHECK_U64(s.target.bd.ns[BD_SLEEP], 2000 * MS);
	CHECK_U64(s.target.bd.ns[BD_ONCPU], 1500 * MS);
	CHECK_U64(s.target.bd.ns[BD_CHILD], 0); /* replaced by the children's own time */
	CHECK_U64(s.n_path, 4);
	CHECK_STR(s.procs[s.path[0].proc].comm, "sh");
	CHECK_STR(s.procs[s.path[1].proc].comm, "a");
	CHECK_STR(s.procs[s.path[2].proc].comm, "b");
	CHECK_STR(s.procs[s.path[3].proc].comm, "c");
	CHECK_U64(s.path[2].on_path_ns, 7000 * MS); /* the middle step dominates */
	CHECK_U64(s.path[0].on_path_ns, 0);
	for (size_t i = 0; i < s.n_procs; i++)
		CHECK_U64(sum(&s.procs[i].m.bd), s.procs[i].m.bd.wall_ns);
	CHECK_STR(bd_class_name(bd_dominant(&s.target.bd)), "io");
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_breakdown__parallel_sibling_not_critical)
{
	struct raw_dump d;
	struct snapshot s;
	struct proc_rec *p;

	fx_init(&d, 5, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	p = proc(&d, 2, 100, 1, "make", 0, 10000);
	p->sched.wait_ns[WC_CHILD] = 10000 * MS;
	p = proc(&d, 3, 101, 100, "long", 0, 10000);
	p->sched.oncpu_ns = 10000 * MS;
	p = proc(&d, 4, 102, 100, "short", 0, 5000);
	p->sched.wait_ns[WC_NET] = 5000 * MS;
	snapshot_build(&s, &d, NULL, T0, NULL);
	CHECK_U64(s.n_path, 2);
	CHECK_STR(s.procs[s.path[1].proc].comm, "long");
	CHECK_U64(s.target.bd.ns[BD_ONCPU], 10 * NSEC_PER_SEC);
	CHECK_U64(s.target.bd.ns[BD_NET], 0);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_breakdown__threads_scaled_to_wall)
{
	struct raw_dump d;
	struct snapshot s;
	struct proc_rec *p;

	fx_init(&d, 3, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	p = proc(&d, 2, 100, 1, "worker", 0, 10000);
	/* four threads: 30 s on CPU, 10 s waiting on a lock, over 10 s of wall time */
	p->sched.oncpu_ns = 30 * NSEC_PER_SEC;
	p->sched.wait_ns[WC_LOCK] = 10 * NSEC_PER_SEC;
	snapshot_build(&s, &d, NULL, T0, NULL);
	CHECK_U64(s.procs[0].m.bd.wall_ns, 10 * NSEC_PER_SEC);
	CHECK_U64(s.procs[0].m.bd.ns[BD_ONCPU], 7500 * MS);
	CHECK_U64(s.procs[0].m.bd.ns[BD_LOCK], 2500 * MS);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_breakdown__several_roots_sum)
{
	struct raw_dump d;
	struct snapshot s;

	fx_init(&d, 4, ROW_FIRST, T0 + 10 * NSEC_PER_SEC);
	proc(&d, 2, 100, 1, "x", 0, 4000)->sched.oncpu_ns = 4000 * MS;
	proc(&d, 3, 200, 1, "y", 0, 6000)->sched.wait_ns[WC_POLL] = 6000 * MS;
	snapshot_build(&s, &d, NULL, T0, NULL);
	CHECK(!s.bd_expanded);
	CHECK_U64(s.n_path, 0);
	CHECK_U64(s.target.bd.wall_ns, 10 * NSEC_PER_SEC); /* process-time */
	CHECK_U64(s.target.bd.ns[BD_POLL], 6 * NSEC_PER_SEC);
	snapshot_release(&s);
	raw_dump_release(&d);
}

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
	struct diagnosis dg;

	pipeline(&d);
	snapshot_build(&s, &d, NULL, T0, NULL);
	diagnose(&s, "`sh pipeline`", &dg);
	/* disk 65%, sleep 20% (its threshold), CPU 15% (below 30%) */
	CHECK_U64(dg.n, 2);
	CHECK_STR(dg.f[0].kind, "disk");
	CHECK(dg.f[0].score > 0.64 && dg.f[0].score < 0.66);
	CHECK_CONTAINS(dg.f[0].summary, "disk: `sh pipeline` spent 65% of its wall time waiting for IO");
	CHECK_CONTAINS(dg.f[0].summary, "`b` (pid 102)");
	CHECK(ev(&dg.f[0], "io_ns") && ev(&dg.f[0], "io_ns")->num == 6500 * MS);
	CHECK_STR(ev(&dg.f[0], "top_comm")->str, "b");
	CHECK_STR(dg.f[1].kind, "sleep");
	CHECK(dg.f[0].suggestion[0] != '\0');
	diagnosis_release(&dg);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_diagnose__nothing_to_say)
{
	struct raw_dump d;
	struct snapshot s;
	struct diagnosis dg;
	struct proc_rec *p;

	fx_init(&d, 3, ROW_FIRST, T0 + NSEC_PER_SEC);
	p = proc(&d, 2, 100, 1, "mixed", 0, 1000);
	p->sched.oncpu_ns = 250 * MS;
	p->sched.wait_ns[WC_IO] = 50 * MS;
	p->sched.wait_ns[WC_OTHER] = 150 * MS;
	p->sched.wait_ns[WC_POLL] = 150 * MS;
	p->sched.wait_ns[WC_SLEEP] = 150 * MS;
	p->sched.wait_ns[WC_CHILD] = 250 * MS;
	snapshot_build(&s, &d, NULL, T0, NULL);
	diagnose(&s, "x", &dg);
	CHECK_U64(dg.n, 0);
	diagnosis_release(&dg);
	snapshot_release(&s);
	raw_dump_release(&d);
}
