// SPDX-License-Identifier: GPL-2.0
/*
 * Building the model from raw tables: per-process metrics, target totals equal to the
 * sum of processes, syscall ordering and errno, interval deltas, and the process
 * bookkeeping (overflow entry, duplicate slots, inherited command lines).
 */
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "fixtures.h"
#include "test.h"
#include "lib/util.h"

#define NR_READ 0
#define NR_GETPPID 110
#define NR_OPENAT 257

static const char *names_cb(void *ctx, uint32_t slot)
{
	const char *const *names = ctx;

	return slot < 8 ? names[slot] : NULL;
}

/* Two processes: a shell (slot 2) and its child (slot 3). */
static void build_pair(struct raw_dump *d)
{
	struct proc_rec *sh, *cc;
	struct stat_row *r;

	fx_init(d, 4, ROW_FIRST + 8, FX_ATTACH_NS + 3 * NSEC_PER_SEC);
	sh = fx_proc(d, 2, 100, 1, "sh", FX_ATTACH_NS);
	sh->sched.oncpu_ns = 10 * NSEC_PER_MSEC;
	sh->sched.wait_ns[WC_CHILD] = 2 * NSEC_PER_SEC;
	sh->sched.blocked_ns[BLK_INTERRUPTIBLE] = 2 * NSEC_PER_SEC;
	sh->sched.nvcsw = 5;
	fx_exit(sh, FX_ATTACH_NS + 2 * NSEC_PER_SEC + 10 * NSEC_PER_MSEC, 3 << 8);
	cc = fx_proc(d, 3, 101, 100, "cc1", FX_ATTACH_NS + NSEC_PER_MSEC);
	cc->flags |= PROC_F_EXECED;
	cc->sched.oncpu_ns = 1500 * NSEC_PER_MSEC;
	cc->sched.runq_ns = 500 * NSEC_PER_MSEC;
	fx_exit(cc, FX_ATTACH_NS + 2 * NSEC_PER_SEC, SIGKILL);

	r = fx_row(d, ROW_FIRST + 0, 2, ROW_SYSCALL, NR_READ);
	fx_row_add(r, 1000, 10);
	r = fx_row(d, ROW_FIRST + 1, 3, ROW_SYSCALL, NR_READ);
	fx_row_add(r, 3000, 5);
	r = fx_row(d, ROW_FIRST + 2, 3, ROW_SYSCALL, NR_OPENAT);
	fx_row_add(r, 500000, 4);
	fx_row_err(r, 2 /* ENOENT */, 3);
	fx_row_err(r, 13 /* EACCES */, 1);
	r = fx_row(d, ROW_FIRST + 3, 3, ROW_RUNQ, 0);
	fx_row_add(r, 100000, 99);
	fx_row_add(r, 50000000, 1);
}

TEST(test_snapshot__processes_and_target_totals)
{
	struct raw_dump d;
	struct snapshot s;
	const char *names[8] = {[3] = "cc1 -O2 x.c"};
	struct snapshot_names nm = {names_cb, names};

	build_pair(&d);
	CHECK_I64(snapshot_build(&s, &d, NULL, FX_ATTACH_NS, &nm), 0);
	CHECK_U64(s.n_procs, 2); /* the empty overflow entry is not listed */
	CHECK_U64(s.procs[0].pid, 100);
	CHECK_U64(s.procs[1].pid, 101);
	CHECK_STR(s.procs[1].cmdline, "cc1 -O2 x.c");
	CHECK_U64(s.target.sched.oncpu_ns, 1510 * NSEC_PER_MSEC);
	CHECK_U64(s.target.sched.runq_ns, 500 * NSEC_PER_MSEC);
	CHECK_U64(s.target.sched.wait_ns[WC_CHILD], 2 * NSEC_PER_SEC);
	CHECK_U64(s.target.syscall_count, 19);
	CHECK_U64(s.target.syscall_errors, 4);
	/* target syscalls merge processes: read = 10 + 5 calls */
	CHECK_U64(s.target.n_syscalls, 2);
	CHECK_U64(s.target.syscalls[0].nr, NR_OPENAT); /* 2 ms total beats 25 us */
	CHECK_U64(s.target.syscalls[1].nr, NR_READ);
	CHECK_U64(s.target.syscalls[1].lat.count, 15);
	CHECK_U64(s.target.syscalls[1].lat.sum_ns, 25000);
	CHECK_U64(s.target.syscalls[1].lat.max_ns, 3000);
	CHECK_U64(s.target.syscalls[0].top_errno, 2);
	CHECK_U64(s.target.syscalls[0].top_errno_count, 3);
	/* run queue: 99 short waits and one long one */
	CHECK_U64(s.procs[1].m.sched.runq.count, 100);
	CHECK(s.procs[1].m.sched.runq.p50_ns >= 100000 * (1 - HIST_MAX_REL_ERR) &&
	      s.procs[1].m.sched.runq.p50_ns <= 100000 * (1 + HIST_MAX_REL_ERR));
	CHECK_U64(s.procs[1].m.sched.runq.max_ns, 50000000);
	CHECK_U64(s.target.sched.runq.count, 100);
	CHECK_I64(proc_exit_code(&s.procs[0]), 3);
	CHECK_I64(proc_exit_code(&s.procs[1]), 128 + SIGKILL);
	CHECK_I64(proc_exit_signal(&s.procs[1]), SIGKILL);
	CHECK_U64(proc_wall_ns(&s.procs[0], &s), 2 * NSEC_PER_SEC + 10 * NSEC_PER_MSEC);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_snapshot__cmdline_inherited_or_comm)
{
	struct raw_dump d;
	struct snapshot s;
	const char *names[8] = {[2] = "sh -c 'x | y'"};
	struct snapshot_names nm = {names_cb, names};

	build_pair(&d);
	d.procs[3].flags &= ~PROC_F_EXECED; /* forked, never exec'd: the parent's line */
	CHECK_I64(snapshot_build(&s, &d, NULL, FX_ATTACH_NS, &nm), 0);
	CHECK_STR(s.procs[1].cmdline, "sh -c 'x | y'");
	snapshot_release(&s);
	d.procs[3].flags |= PROC_F_EXECED; /* exec'd, line unknown: [comm] */
	CHECK_I64(snapshot_build(&s, &d, NULL, FX_ATTACH_NS, &nm), 0);
	CHECK_STR(s.procs[1].cmdline, "[cc1]");
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_snapshot__overflow_and_duplicates)
{
	struct raw_dump d;
	struct snapshot s;
	struct stat_row *r;

	build_pair(&d);
	d.procs[3].flags |= PROC_F_DUP; /* lost an allocation race */
	d.procs[3].pid = 0;
	d.procs[SLOT_OVERFLOW].sched.oncpu_ns = 7;
	r = &d.rows[ROW_OVF_SYSCALL + NR_GETPPID];
	r->slot = SLOT_OVERFLOW;
	r->kind = ROW_SYSCALL;
	r->key = NR_GETPPID;
	fx_row_add(r, 200, 3);
	CHECK_I64(snapshot_build(&s, &d, NULL, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.n_procs, 2);
	CHECK_STR(s.procs[0].comm, "[overflow]");
	CHECK_U64(s.procs[0].m.sched.oncpu_ns, 7);
	CHECK_U64(s.procs[0].m.n_syscalls, 1);
	CHECK_U64(s.procs[1].pid, 100);
	/* the target keeps what only the overflow entry knows */
	CHECK_U64(s.target.syscall_count, 13);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_snapshot__interval_is_difference)
{
	struct raw_dump a, b;
	struct snapshot s;
	struct stat_row *r;

	build_pair(&a);
	fx_copy(&b, &a, a.ts_ns + NSEC_PER_SEC);
	b.procs[3].sched.oncpu_ns += 700 * NSEC_PER_MSEC;
	b.procs[3].sched.nivcsw += 9;
	r = &b.rows[ROW_FIRST + 1]; /* read in cc1: 2 more, slower */
	fx_row_add(r, 9000, 2);
	r = &b.rows[ROW_FIRST + 2]; /* openat: one more failure */
	fx_row_err(r, 2, 1);
	fx_row_add(r, 400000, 1);

	CHECK_I64(snapshot_build(&s, &b, &a, FX_ATTACH_NS, NULL), 0);
	CHECK_I64(s.kind, SNAP_INTERVAL);
	CHECK_U64(s.start_ns, a.ts_ns);
	CHECK_U64(s.end_ns, b.ts_ns);
	/* both processes exited before this interval began: none listed */
	CHECK_U64(s.n_procs, 0);
	snapshot_release(&s);

	b.procs[3].end_ns = 0; /* make cc1 still running */
	b.procs[3].flags &= ~PROC_F_EXITED;
	CHECK_I64(snapshot_build(&s, &b, &a, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.n_procs, 1);
	CHECK_U64(s.procs[0].pid, 101);
	CHECK_U64(s.procs[0].m.sched.oncpu_ns, 700 * NSEC_PER_MSEC);
	CHECK_U64(s.procs[0].m.sched.nivcsw, 9);
	CHECK_U64(s.procs[0].m.sched.runq_ns, 0);
	CHECK_U64(s.target.syscall_count, 3);
	CHECK_U64(s.target.syscall_errors, 1);
	for (size_t i = 0; i < s.target.n_syscalls; i++) {
		const struct syscall_stat *sc = &s.target.syscalls[i];

		if (sc->nr == NR_READ) {
			CHECK_U64(sc->lat.count, 2);
			CHECK_U64(sc->lat.sum_ns, 18000);
			CHECK_U64(sc->lat.max_ns, 9000); /* the maximum rose: exact */
		} else {
			CHECK_U64(sc->nr, NR_OPENAT);
			CHECK_U64(sc->lat.count, 1);
			/* the maximum did not rise: bounded by the bucket of 400us */
			CHECK(sc->lat.max_ns >= 400000 && sc->lat.max_ns < 400000 * 1.07);
			CHECK_U64(sc->top_errno, 2);
			CHECK_U64(sc->top_errno_count, 1);
		}
	}
	snapshot_release(&s);
	raw_dump_release(&a);
	raw_dump_release(&b);
}

/* The reporter's copy packs the rows in use: the same interval, and the same totals. */
TEST(test_snapshot__packed_copy_same_figures)
{
	struct raw_dump a, b, packed;
	struct snapshot s, t;

	build_pair(&a);
	fx_copy(&b, &a, a.ts_ns + NSEC_PER_SEC);
	b.procs[3].end_ns = 0; /* cc1 still running */
	b.procs[3].flags &= ~PROC_F_EXITED;
	fx_row_add(&b.rows[ROW_FIRST + 1], 9000, 2);
	fx_row_add(&b.rows[ROW_FIRST + 3], 200000, 3);
	raw_dump_copy(&packed, &b);
	CHECK_U64(packed.n_rows, 4); /* the four rows in use, none of the others */
	CHECK(packed.row_at != NULL);
	for (uint32_t k = 0; packed.row_at && k < packed.n_rows; k++)
		CHECK_U64(packed.row_at[k], ROW_FIRST + k);
	CHECK_U64(packed.rows[1].count, b.rows[ROW_FIRST + 1].count);
	/* an interval over it, and the cumulative figures of it alone */
	CHECK_I64(snapshot_build(&s, &b, &a, FX_ATTACH_NS, NULL), 0);
	CHECK_I64(snapshot_build(&t, &packed, &a, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(t.target.syscall_count, s.target.syscall_count);
	CHECK_U64(t.target.syscall_count, 2);
	CHECK_U64(t.target_runq.count, s.target_runq.count);
	CHECK_U64(t.target_runq.count, 3);
	snapshot_release(&s);
	snapshot_release(&t);
	CHECK_I64(snapshot_build(&s, &b, NULL, FX_ATTACH_NS, NULL), 0);
	CHECK_I64(snapshot_build(&t, &packed, NULL, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(t.target.syscall_count, s.target.syscall_count);
	CHECK_U64(t.target.syscall_errors, s.target.syscall_errors);
	CHECK_U64(t.target_runq.count, s.target_runq.count);
	CHECK_U64(t.target_runq.count, 103);
	snapshot_release(&s);
	snapshot_release(&t);
	raw_dump_release(&packed);
	raw_dump_release(&a);
	raw_dump_release(&b);
}

TEST(test_snapshot__rows_without_owner_ignored)
{
	struct raw_dump d;
	struct snapshot s;
	struct stat_row *r;

	build_pair(&d);
	r = &d.rows[ROW_FIRST + 5];
	r->slot = 77; /* beyond n_procs */
	r->kind = ROW_SYSCALL;
	fx_row_add(r, 1, 1);
	d.rows[ROW_FIRST + 6].count = 5; /* kind 0: still being set up */
	CHECK_I64(snapshot_build(&s, &d, NULL, FX_ATTACH_NS, NULL), 0);
	CHECK_U64(s.target.syscall_count, 19);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_snapshot__names)
{
	CHECK_STR(wait_class_name(WC_IO), "io");
	CHECK_STR(wait_class_name(WC_CHILD), "child");
	CHECK_STR(wait_class_name(99), "?");
	CHECK_STR(blk_state_name(BLK_IOWAIT), "iowait");
}

TEST(test_snapshot__sampled_rows_keep_exact_counts)
{
	struct raw_dump d;
	struct snapshot s;
	struct stat_row *r;

	build_pair(&d);
	/* sh: 300 getppid, 44 of them past the budget and sampled 1 in 16 */
	r = fx_row(&d, ROW_FIRST + 4, 2, ROW_SYSCALL, NR_GETPPID);
	fx_row_add(r, 500, 256);
	fx_row_sampled(r, 500, 44, 16);
	r = fx_row(&d, ROW_FIRST + 5, 3, ROW_SYSCALL, NR_GETPPID);
	fx_row_add(r, 700, 100);
	CHECK_I64(snapshot_build(&s, &d, NULL, FX_ATTACH_NS, NULL), 0);
	for (size_t i = 0; i < s.target.n_syscalls; i++) {
		if (s.target.syscalls[i].nr != NR_GETPPID)
			continue;
		CHECK_U64(s.target.syscalls[i].lat.count, 400); /* exact, not the weighted 388 */
		CHECK_U64(s.target.syscalls[i].timed, 256 + 3 + 100); /* 44 calls: #0, #16, #32 */
		/* the total is estimated: 259 measured x500 weighted to 304 calls, + 100 x700 */
		CHECK_U64(s.target.syscalls[i].lat.sum_ns, 304 * 500 + 100 * 700);
	}
	CHECK_U64(s.procs[0].m.syscalls[0].nr, NR_GETPPID); /* 152us beats 10us of read */
	CHECK_U64(s.procs[0].m.syscalls[0].lat.count, 300);
	CHECK_U64(s.procs[0].m.syscalls[0].timed, 259);
	snapshot_release(&s);
	raw_dump_release(&d);
}
