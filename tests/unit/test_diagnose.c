// SPDX-License-Identifier: GPL-2.0
/*
 * Findings rank the classes of the breakdown along the critical path, carry their
 * evidence, and stay quiet when nothing dominates. Driven through the analysis
 * stage, as the renderers see it.
 */
#include "analysis/analysis.h"
#include "fixtures.h"
#include "lib/syscall_table.h"
#include "test.h"
#include "lib/util.h"

#define MS NSEC_PER_MSEC
#define T0 FX_ATTACH_NS

static const struct evidence *ev(const struct finding *f, const char *key)
{
	for (int i = 0; i < f->n_ev; i++)
		if (!strcmp(f->ev[i].key, key))
			return &f->ev[i];
	return NULL;
}

/* Evidence @key's string, or "" when there is none. */
static const char *evs(const struct finding *f, const char *key)
{
	const struct evidence *e = ev(f, key);

	return e ? e->str : "";
}

static uint64_t evn(const struct finding *f, const char *key)
{
	const struct evidence *e = ev(f, key);

	return e ? e->num : UINT64_MAX;
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

/* One process, 1 s, 900 ms of it waiting for IO. */
static struct proc_rec *io_waiter(struct raw_dump *d, uint32_t n_rows, const char *comm)
{
	struct proc_rec *p;

	fx_init(d, 4, n_rows, T0 + NSEC_PER_SEC);
	p = fx_step(d, 2, 100, 1, comm, 0, 1000);
	p->sched.oncpu_ns = 100 * MS;
	p->sched.wait_ns[WC_IO] = 900 * MS;
	return p;
}

static const struct finding *finding_of(const struct analysis *a, const char *kind)
{
	for (size_t i = 0; i < a->findings.n; i++)
		if (!strcmp(a->findings.f[i].kind, kind))
			return &a->findings.f[i];
	return NULL;
}

/* IO issued by the throttle for its cgroup: the cgroup's limit is named, not the device. */
TEST(test_diagnose__disk_held_back_by_cgroup_limit)
{
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	struct proc_rec *p = io_waiter(&d, ROW_FIRST, "dd");
	const struct finding *f;

	p->io.ops[IO_WRITE] = 40;
	p->io.bytes[IO_WRITE] = 8 << 20;
	p->io.deferred_ops = 40;
	p->io.deferred_bytes = 8 << 20;
	p->io.deferred_cgid = 681;
	d.n_io_cgroups = 1;
	d.io_cgroups[0] = (struct io_cgroup){.cgid = 681, .path = "/batch", .n = 1};
	d.io_cgroups[0].lim[0] = (struct io_limit){.major = 254, .minor = 0};
	d.io_cgroups[0].lim[0].v[IOL_WBPS] = 8 << 20;
	snapshot_build(&s, &d, NULL, T0, NULL);
	analysis_compute(&a, &s, "`dd`");
	f = finding_of(&a, "disk");
	CHECK(f != NULL);
	CHECK_CONTAINS(f->summary, "900ms of it in `dd` (pid 100)");
	CHECK_CONTAINS(f->summary,
		       "held back by the IO limit of cgroup /batch (wbps 8.00MiB/s on 254:0)");
	CHECK_CONTAINS(f->summary, "it wrote 8.00MiB in 40 requests over 1.00s (8.00MiB/s");
	CHECK_CONTAINS(f->suggestion, "the cgroup's limit, not the device");
	CHECK_CONTAINS(f->suggestion, "blkio.throttle");
	CHECK_STR(evs(f, "cgroup"), "/batch");
	CHECK_U64(evn(f, "top_deferred_ops"), 40);
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
}

/* A long IO wait with no request traced to the process: said, not zeros. */
TEST(test_diagnose__disk_wait_with_nothing_attributed)
{
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	const struct finding *f;

	io_waiter(&d, ROW_FIRST, "app");
	snapshot_build(&s, &d, NULL, T0, NULL);
	analysis_compute(&a, &s, "`app`");
	f = finding_of(&a, "disk");
	CHECK(f != NULL);
	CHECK_CONTAINS(f->summary, "none of its IO reached a traced block device");
	CHECK(!strstr(f->summary, "0B"));
	CHECK_CONTAINS(f->suggestion, "/proc/100/io");
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
}

/*
 * cp reads and dirties, then sync waits for the writeback: the finding says sync
 * waited in sync() for cp's data, and what cp read -- each figure its own process's.
 */
TEST(test_diagnose__disk_sync_waits_for_others_writeback)
{
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	struct proc_rec *cp, *sy;
	const struct finding *f;
	int nr = syscall_nr("sync");

	fx_init(&d, 5, ROW_FIRST + 1, T0 + NSEC_PER_SEC);
	fx_step(&d, 2, 100, 1, "sh", 0, 1000)->sched.wait_ns[WC_CHILD] = 1000 * MS;
	cp = fx_step(&d, 3, 101, 100, "cp", 0, 400);
	cp->sched.oncpu_ns = 200 * MS;
	cp->sched.wait_ns[WC_IO] = 200 * MS;
	cp->io.ops[IO_READ] = 300;
	cp->io.bytes[IO_READ] = 300ULL << 20;
	cp->io.wb_ops = 75;
	cp->io.wb_bytes = 300ULL << 20;
	sy = fx_step(&d, 4, 102, 100, "sync", 400, 1000);
	sy->sched.wait_ns[WC_IO] = 600 * MS;
	CHECK(nr >= 0);
	fx_row_add(fx_row(&d, ROW_FIRST, 4, ROW_SYSCALL, (uint16_t)nr), 600 * MS, 1);
	snapshot_build(&s, &d, NULL, T0, NULL);
	analysis_compute(&a, &s, "`sh`");
	f = finding_of(&a, "disk");
	CHECK(f != NULL);
	CHECK_CONTAINS(f->summary, "600ms of it in `sync` (pid 102): in 1 sync call (600ms), "
				   "for the writeback of 300MiB dirtied by `cp` (pid 101)");
	CHECK_CONTAINS(f->summary, "; `cp` (pid 101) read 300MiB in 300 requests (200ms waiting)");
	CHECK_STR(evs(f, "waited_in"), "sync");
	CHECK_STR(evs(f, "writeback_for"), "cp");
	analysis_release(&a);
	snapshot_release(&s);
	raw_dump_release(&d);
}
