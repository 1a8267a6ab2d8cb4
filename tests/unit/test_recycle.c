// SPDX-License-Identifier: GPL-2.0
/*
 * Recycling exited processes' slots and rows: the cumulative report keeps every figure
 * (in an aggregate per command), the interval after a retirement counts each figure
 * once, a slot given to a new process starts from zero, and processes are counted in
 * the spans they ran in.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/resource.h>

#include "fixtures.h"
#include "kernel/recycle.h"
#include "lib/util.h"
#include "test.h"

#define MAX_PROCS 8
#define POOL (ROW_FIRST + 4)
#define MS NSEC_PER_MSEC

/* A dump of the kernel tables as sized for this test. */
static void dump(struct raw_dump *d, uint64_t ts_ms)
{
	fx_init(d, MAX_PROCS, POOL, FX_ATTACH_NS + ts_ms * MS);
}

static const struct process *find(const struct snapshot *s, const char *comm, bool agg)
{
	for (size_t i = 0; i < s->n_procs; i++)
		if (!strcmp(s->procs[i].comm, comm) && !!s->procs[i].folded == agg)
			return &s->procs[i];
	return NULL;
}

static const struct syscall_stat *sc_of(const struct metrics *m, uint32_t nr)
{
	for (size_t i = 0; i < m->n_syscalls; i++)
		if (m->syscalls[i].nr == nr)
			return &m->syscalls[i];
	return NULL;
}

/* @d packed, as the kernel stage collects it (raw_dump.h) */
static void pack(struct raw_dump *d)
{
	struct raw_dump c;

	raw_dump_copy(&c, d);
	raw_dump_release(d);
	*d = c;
}

static void figures_kept_and_counted_once(bool packed)
{
	struct recycler rc;
	struct raw_dump prev, cur, next;
	struct retirees t = {0};
	struct snapshot s;
	struct proc_rec *p;
	struct stat_row *row;
	uint32_t pseudo[2];
	const struct process *a;

	recycler__init(&rc, MAX_PROCS, POOL);
	/* at 1 s, the last interval's end: "worker" (slot 2) runs, "early" (3) is done */
	dump(&prev, 1000);
	p = fx_proc(&prev, 2, 100, 1, "worker", FX_ATTACH_NS);
	p->sched.oncpu_ns = 300 * MS;
	row = fx_row(&prev, ROW_FIRST, 2, ROW_SYSCALL, 1);
	fx_row_add(row, 1000, 30);
	p = fx_proc(&prev, 3, 101, 1, "worker", FX_ATTACH_NS);
	p->sched.oncpu_ns = 50 * MS;
	fx_exit(p, FX_ATTACH_NS + 500 * MS, 0);
	/* then "worker" 100 exits at 1.5 s after 200 ms more CPU and 20 more writes */
	dump(&cur, 2000);
	memcpy(cur.procs, prev.procs, sizeof(*cur.procs) * MAX_PROCS);
	memcpy(cur.rows, prev.rows, sizeof(*cur.rows) * POOL);
	cur.procs[2].sched.oncpu_ns = 500 * MS;
	fx_exit(&cur.procs[2], FX_ATTACH_NS + 1500 * MS, 0);
	fx_row_add(&cur.rows[ROW_FIRST], 1000, 20);
	if (packed)
		pack(&prev);
	/* both retired at 2 s: what the kernel has now */
	retirees_add_proc(&t, 2, &cur.procs[2]);
	retirees_add_row(&t, ROW_FIRST, &cur.rows[ROW_FIRST]);
	retirees_add_proc(&t, 3, &cur.procs[3]);
	recycler__retire(&rc, &t, &prev, pseudo);
	CHECK_U64(pseudo[0], MAX_PROCS);
	CHECK_U64(pseudo[1], MAX_PROCS); /* one command and cgroup: one aggregate */
	CHECK_U64(rc.folded, 2);
	/* the previous dump lost the slots and got the aggregate */
	CHECK_U64(prev.procs[2].pid, 0);
	row = raw_dump_row(&prev, ROW_FIRST);
	CHECK(!row || !row->kind);
	CHECK_U64(prev.n_agg, 1);
	retirees_release(&t);

	/* 3 s: the kernel gave slot 2 to a new process; the dump carries the aggregate */
	dump(&next, 3000);
	p = fx_proc(&next, 2, 200, 1, "newcomer", FX_ATTACH_NS + 2500 * MS);
	p->sched.oncpu_ns = 100 * MS;
	if (packed)
		pack(&next);
	recycler__append(&rc, &next);

	/* the cumulative report: every figure of the two, once */
	CHECK_I64(snapshot_build(&s, &next, NULL, FX_ATTACH_NS, NULL), 0);
	a = find(&s, "worker", true);
	CHECK(a != NULL);
	if (a) {
		CHECK_U64(a->folded, 2);
		CHECK_U64(a->pid, 0);
		CHECK_U64(a->m.sched.oncpu_ns, 550 * MS);
		CHECK(sc_of(&a->m, 1) && sc_of(&a->m, 1)->lat.count == 50);
		CHECK_U64(a->lifetime_ns, 2000 * MS);
	}
	CHECK(find(&s, "newcomer", false) != NULL);
	CHECK_U64(s.process_count, 3);
	CHECK_U64(s.target.sched.oncpu_ns, 650 * MS);
	snapshot_release(&s);

	/* the interval from 1 s to 3 s: what came after the last one, once */
	CHECK_I64(snapshot_build(&s, &next, &prev, FX_ATTACH_NS, NULL), 0);
	a = find(&s, "worker", true);
	CHECK(a != NULL);
	if (a) {
		CHECK_U64(a->folded, 1); /* worker 100 ran then; 101 had exited before */
		CHECK_U64(a->m.sched.oncpu_ns, 200 * MS);
		CHECK(sc_of(&a->m, 1) && sc_of(&a->m, 1)->lat.count == 20);
	}
	a = find(&s, "newcomer", false);
	CHECK(a && a->m.sched.oncpu_ns == 100 * MS);
	CHECK_U64(s.process_count, 2);
	CHECK_U64(s.target.sched.oncpu_ns, 300 * MS);
	snapshot_release(&s);

	raw_dump_release(&prev);
	raw_dump_release(&cur);
	raw_dump_release(&next);
	recycler__release(&rc);
}

TEST(test_recycle__figures_kept_and_counted_once)
{
	figures_kept_and_counted_once(false);
}

/* The same with the dumps packed, as a run has them: the same figures. */
TEST(test_recycle__packed_dumps_same_figures)
{
	figures_kept_and_counted_once(true);
}

/*
 * The kernel folded a process at its exit (bpf/core.bpf.c) into an aggregate it keeps
 * in a slot of its own, and gave the process's slot to another: the dump's aggregate
 * carries it, the kernel's slot is not a process of the report, and the interval after
 * the last dump that saw it counts only what came after.
 */
static void kernel_fold_counted_once(bool packed)
{
	struct recycler rc;
	struct raw_dump prev, cur;
	struct snapshot s;
	struct proc_rec *p;
	struct stat_row *row;
	const struct process *a;

	recycler__init(&rc, MAX_PROCS, POOL);
	/* at 1 s, the last interval's end: "worker" 100 runs in slot 2 */
	dump(&prev, 1000);
	p = fx_proc(&prev, 2, 100, 1, "worker", FX_ATTACH_NS);
	p->sched.oncpu_ns = 300 * MS;
	fx_row_add(fx_row(&prev, ROW_FIRST, 2, ROW_SYSCALL, 1), 1000, 30);
	/* it exits at 1.5 s after 200 ms more CPU and 20 more calls, folded by the kernel
	 * into its aggregate in slot 3; slot 2 is a newcomer's at 2 s */
	dump(&cur, 2000);
	p = fx_proc(&cur, 3, 0, 0, "worker", FX_ATTACH_NS);
	p->flags = PROC_F_AGG | PROC_F_EXITED;
	p->end_ns = FX_ATTACH_NS + 1500 * MS;
	p->sched.oncpu_ns = 500 * MS;
	p->folded = 1;
	p->lifetime_ns = 1500 * MS;
	fx_row_add(fx_row(&cur, ROW_FIRST + 1, 3, ROW_SYSCALL, 1), 1000, 50);
	p = fx_proc(&cur, 2, 200, 1, "newcomer", FX_ATTACH_NS + 1800 * MS);
	p->sched.oncpu_ns = 100 * MS;
	if (packed) {
		pack(&prev);
		pack(&cur);
	}
	/* as collect() in app/report.c does */
	recycler__vanished(&rc, &prev, cur.procs, cur.n_procs, NULL, 0);
	CHECK_U64(prev.procs[2].pid, 0);
	row = raw_dump_row(&prev, ROW_FIRST);
	CHECK(!row || !row->kind);
	recycler__append_kernel(&rc, &cur);
	CHECK_U64(cur.procs[3].flags, 0); /* the kernel's slot: merged, then emptied */

	CHECK_I64(snapshot_build(&s, &cur, NULL, FX_ATTACH_NS, NULL), 0);
	a = find(&s, "worker", true);
	CHECK(a && a->folded == 1 && a->m.sched.oncpu_ns == 500 * MS && a->pid == 0);
	CHECK(a && sc_of(&a->m, 1) && sc_of(&a->m, 1)->lat.count == 50);
	CHECK(a && a->lifetime_ns == 1500 * MS);
	CHECK(find(&s, "worker", false) == NULL);
	CHECK_U64(s.process_count, 2);
	CHECK_U64(s.target.sched.oncpu_ns, 600 * MS);
	snapshot_release(&s);

	/* the interval from 1 s to 2 s */
	CHECK_I64(snapshot_build(&s, &cur, &prev, FX_ATTACH_NS, NULL), 0);
	a = find(&s, "worker", true);
	CHECK(a && a->folded == 1 && a->m.sched.oncpu_ns == 200 * MS);
	CHECK(a && sc_of(&a->m, 1) && sc_of(&a->m, 1)->lat.count == 20);
	CHECK_U64(s.process_count, 2);
	CHECK_U64(s.target.sched.oncpu_ns, 300 * MS);
	snapshot_release(&s);
	raw_dump_release(&prev);
	raw_dump_release(&cur);
	recycler__release(&rc);
}

TEST(test_recycle__kernel_fold_counted_once)
{
	kernel_fold_counted_once(false);
}

TEST(test_recycle__kernel_fold_counted_once_packed)
{
	kernel_fold_counted_once(true);
}

/* Processes that came and went between two dumps: only in the aggregate, counted there. */
TEST(test_recycle__short_lived_between_dumps)
{
	struct recycler rc;
	struct raw_dump prev = {.ts_ns = FX_ATTACH_NS}, cur, next;
	struct retirees t = {0};
	struct snapshot s;
	uint32_t pseudo[3];

	recycler__init(&rc, MAX_PROCS, POOL);
	dump(&cur, 500);
	for (uint32_t i = 0; i < 3; i++) {
		struct proc_rec *p =
			fx_proc(&cur, 2 + i, 300 + i, 1, "true", FX_ATTACH_NS + i * 10 * MS);

		p->sched.oncpu_ns = MS;
		fx_exit(p, FX_ATTACH_NS + (i * 10 + 1) * MS, 0);
		retirees_add_proc(&t, 2 + i, p);
	}
	recycler__retire(&rc, &t, &prev, pseudo);
	retirees_release(&t);
	dump(&next, 1000);
	recycler__append(&rc, &next);
	CHECK_I64(snapshot_build(&s, &next, &prev, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.process_count, 3);
	CHECK_U64(s.target.sched.oncpu_ns, 3 * MS);
	CHECK(find(&s, "true", true) != NULL);
	snapshot_release(&s);
	raw_dump_release(&prev);
	raw_dump_release(&cur);
	raw_dump_release(&next);
	recycler__release(&rc);
}

/* Many commands, many rows: each aggregate finds its own, however many there are. */
TEST(test_recycle__many_groups_and_rows)
{
	enum { GROUPS = 150, PER = 3 };
	struct recycler rc;
	struct raw_dump prev = {.ts_ns = FX_ATTACH_NS}, cur, next;
	struct snapshot s;
	uint32_t pseudo[PER];
	bool ok = true;

	recycler__init(&rc, MAX_PROCS, POOL);
	/* rounds of PER processes (the test's tables are small), each of GROUPS commands */
	for (int g = 0; g < GROUPS; g++) {
		struct retirees t = {0};
		char comm[8];

		snprintf(comm, sizeof(comm), "cmd%d", g);
		dump(&cur, 500);
		for (uint32_t i = 0; i < PER; i++) {
			struct proc_rec *p =
				fx_proc(&cur, 2 + i, 1000 + g * PER + i, 1, comm, FX_ATTACH_NS);
			struct stat_row *row =
				fx_row(&cur, ROW_FIRST + i, 2 + i, ROW_SYSCALL, g % 7);

			fx_row_add(row, 1000, 1 + i);
			p->sched.oncpu_ns = MS;
			fx_exit(p, FX_ATTACH_NS + MS, 0);
			retirees_add_proc(&t, 2 + i, p);
			retirees_add_row(&t, ROW_FIRST + i, row);
		}
		recycler__retire(&rc, &t, &prev, pseudo);
		ok &= pseudo[0] == MAX_PROCS + (uint32_t)g && pseudo[PER - 1] == pseudo[0];
		retirees_release(&t);
		raw_dump_release(&cur);
	}
	CHECK(ok);
	CHECK_U64(rc.n, GROUPS);
	CHECK_U64(rc.n_rows, GROUPS); /* one syscall row per command: its 3 processes' summed */
	dump(&next, 1000);
	recycler__append(&rc, &next);
	CHECK_I64(snapshot_build(&s, &next, &prev, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.process_count, GROUPS * PER);
	for (int g = 0; g < GROUPS; g++) {
		char comm[8];
		const struct process *a;
		const struct syscall_stat *sc;

		snprintf(comm, sizeof(comm), "cmd%d", g);
		a = find(&s, comm, true);
		sc = a ? sc_of(&a->m, (uint32_t)(g % 7)) : NULL;
		ok &= a && a->folded == PER && sc && sc->lat.count == 1 + 2 + 3 &&
		      a->m.sched.oncpu_ns == PER * MS;
	}
	CHECK(ok);
	snapshot_release(&s);
	raw_dump_release(&prev);
	raw_dump_release(&next);
	recycler__release(&rc);
}

/*
 * A retired row's buckets are read up to its maximum's: every bucket arrives, and one
 * above the maximum (its update lost a race: max_low) arrives too.
 */
TEST(test_recycle__histograms_folded_whole)
{
	static const uint64_t lat[] = {3, 100, 100, 90000, 1000000, 5000000000ULL};
	struct recycler rc;
	struct raw_dump prev = {.ts_ns = FX_ATTACH_NS}, cur;
	struct retirees t = {0};
	struct stat_row *row, *low;
	uint32_t pseudo[2], high = (uint32_t)hist_slot(7000000000ULL);
	bool same = true;

	recycler__init(&rc, MAX_PROCS, POOL);
	dump(&cur, 500);
	fx_exit(fx_proc(&cur, 2, 300, 1, "sleeper", FX_ATTACH_NS), FX_ATTACH_NS + MS, 0);
	row = fx_row(&cur, ROW_FIRST, 2, ROW_SYSCALL, 35);
	for (size_t i = 0; i < ARRAY_SIZE(lat); i++)
		fx_row_add(row, lat[i], 1);
	fx_exit(fx_proc(&cur, 3, 301, 1, "sleeper", FX_ATTACH_NS), FX_ATTACH_NS + MS, 0);
	low = fx_row(&cur, ROW_FIRST + 1, 3, ROW_SYSCALL, 35);
	fx_row_add(low, 100, 2);
	low->hist[high] = 1; /* measured, but its maximum stayed at 100 */
	low->timed++;
	low->max_low = 1;
	retirees_add_proc(&t, 2, &cur.procs[2]);
	retirees_add_row(&t, ROW_FIRST, row);
	retirees_add_proc(&t, 3, &cur.procs[3]);
	retirees_add_row(&t, ROW_FIRST + 1, low);
	recycler__retire(&rc, &t, &prev, pseudo);
	CHECK_U64(rc.n_rows, 1);
	for (unsigned int i = 0; i < HIST_SLOTS; i++)
		same &= rc.rows[0].hist[i] == row->hist[i] + low->hist[i];
	CHECK(same);
	CHECK_U64(rc.rows[0].hist[high], 1);
	CHECK_U64(rc.rows[0].hist[hist_slot(5000000000ULL)], 1);
	CHECK_U64(rc.rows[0].hist[hist_slot(100)], 4);
	CHECK_U64(rc.rows[0].timed, 9);
	retirees_release(&t);
	raw_dump_release(&prev);
	raw_dump_release(&cur);
	recycler__release(&rc);
}

/* Pages of RSS, as the kernel counts them (/proc/self/statm). */
static long resident_pages(void)
{
	long size = 0, resident = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident;
}

/* A dump's gap is zeroed whatever was there, and fresh pages stay out of the RSS. */
TEST(test_recycle__gap_zeroed_lazily)
{
	const size_t page = 4096, n = 4096 * page; /* 16 MiB */
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct rusage ru0, ru1;
	size_t bad = 0;
	long before;

	CHECK(p != MAP_FAILED);
	if (p == MAP_FAILED)
		return;
	/* garbage in the first pages, a byte far in, the rest never touched */
	memset(p, 0xab, 3 * page);
	p[1000 * page + 17] = 1;
	before = resident_pages();
	getrusage(RUSAGE_SELF, &ru0);
	memzero_lazily(p + 100, n - 200);
	getrusage(RUSAGE_SELF, &ru1);
	/* a memset would have brought in 4,096 pages; the counter is approximate */
	CHECK(resident_pages() - before < 200);
	/* nor are the pages never touched read: a fault each (the kernel says which) */
	CHECK(ru1.ru_minflt - ru0.ru_minflt < 100);
	CHECK_U64((uint8_t)p[99], 0xab);
	for (size_t i = 100; i < n - 100; i++)
		bad += p[i] != 0;
	CHECK_U64(bad, 0);
	/* unaligned, within one page */
	memset(p, 0xab, page);
	memzero_lazily(p + 10, 20);
	CHECK_U64((uint8_t)p[9], 0xab);
	CHECK_U64((uint8_t)p[10], 0);
	CHECK_U64((uint8_t)p[29], 0);
	CHECK_U64((uint8_t)p[30], 0xab);
	munmap(p, n);
}

/*
 * A dump that tracks the slots written (as collected, or copied) gives the figures of
 * one that does not -- also with aggregates appended after the gap recycling grows it
 * by -- without reading its free slots: a monitor's table is mostly free, and each one
 * read was a page fault.
 */
TEST(test_recycle__tracked_dump_reads_only_written_slots)
{
	enum { BIG = 4096, USED = 64 };
	struct recycler rc;
	struct raw_dump plain, tracked;
	struct retirees t = {0};
	struct snapshot a, b;
	struct rusage ru0, ru1;
	uint32_t pseudo[1];

	recycler__init(&rc, BIG, POOL);
	fx_init(&plain, USED, POOL, FX_ATTACH_NS + 1000 * MS);
	fx_proc(&plain, 2, 100, 1, "worker", FX_ATTACH_NS)->sched.oncpu_ns = 300 * MS;
	fx_proc(&plain, 40, 101, 1, "gone", FX_ATTACH_NS)->sched.oncpu_ns = 50 * MS;
	fx_exit(&plain.procs[40], FX_ATTACH_NS + 500 * MS, 0);
	retirees_add_proc(&t, 40, &plain.procs[40]);
	recycler__retire(&rc, &t, &plain, pseudo); /* an aggregate, at slot BIG */
	retirees_release(&t);
	CHECK_U64(pseudo[0], BIG);
	fx_init(&tracked, USED, POOL, plain.ts_ns);
	tracked.procs[2] = plain.procs[2];
	raw_dump_track(&tracked);
	raw_dump_mark(&tracked, 2);
	recycler__append(&rc, &plain);
	recycler__append(&rc, &tracked);
	CHECK_U64(tracked.n_procs, BIG + 1);
	CHECK(!raw_dump_written(&tracked, 3));
	CHECK(!raw_dump_written(&tracked, USED + 7)); /* the gap */
	CHECK(raw_dump_written(&tracked, BIG));	      /* the aggregate */

	getrusage(RUSAGE_SELF, &ru0);
	CHECK_I64(snapshot_build(&b, &tracked, NULL, FX_ATTACH_NS, NULL), 0);
	getrusage(RUSAGE_SELF, &ru1);
	/* 4,096 slots of 1,600 bytes: a fault a page, had the free ones been read (under
	 * ASan the allocator's own writes are counted too: not this test's to measure) */
#ifndef __SANITIZE_ADDRESS__
	CHECK(ru1.ru_minflt - ru0.ru_minflt < 200);
#else
	(void)ru0, (void)ru1;
#endif
	CHECK_I64(snapshot_build(&a, &plain, NULL, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(b.n_procs, a.n_procs);
	CHECK_U64(b.process_count, a.process_count);
	CHECK_U64(b.target.sched.oncpu_ns, a.target.sched.oncpu_ns);
	CHECK_U64(b.target.sched.oncpu_ns, 350 * MS);
	snapshot_release(&a);
	snapshot_release(&b);
	raw_dump_release(&plain);
	raw_dump_release(&tracked);
	recycler__release(&rc);
}
