// SPDX-License-Identifier: GPL-2.0
/*
 * A monitor's recycling policy (app/monitor.h): exits wait out their quarantine and,
 * with room in the tables, the interval that reports them; -p's processes keep their
 * slots; a slot is recycled once; the token bucket bounds mapping reads.
 */
#include "app/monitor.h"
#include "kernel/recycle.h"
#include "lib/util.h"
#include "test.h"

#define MS NSEC_PER_MSEC

TEST(test_monitor__exits_due)
{
	struct exit_queue q = {0};
	struct proc_exit due[8];
	const uint32_t keep[] = {7};
	uint64_t t0 = 1000 * MS;

	exit_queue__push(&q, 4, 400, t0);	     /* old, reported */
	exit_queue__push(&q, 5, 500, t0 + 150 * MS); /* past the quarantine, not yet reported */
	exit_queue__push(&q, 6, 600, t0 + 250 * MS); /* in its quarantine */
	exit_queue__push(&q, 7, 700, t0);	     /* given with -p: kept */
	exit_queue__push(&q, 4, 400, t0);	     /* its exit read again from the table */
	exit_queue__push(&q, 9000, 9, t0);	     /* beyond the slots */
	/* at +300 ms, the last interval ended at +100 ms, room to spare */
	CHECK_U64(exit_queue__due(&q, t0 + 300 * MS, t0 + 100 * MS, false, keep, 1, 4096, due), 1);
	CHECK(due[0].slot == 4 && due[0].pid == 400);
	/* the unreported and the quarantined wait, the kept and the impossible go */
	CHECK_U64(q.n, 2);
	CHECK(q.v[0].slot == 5 && q.v[1].slot == 6);
	/* the tables filling up: reported or not, past the quarantine */
	CHECK_U64(exit_queue__due(&q, t0 + 300 * MS, t0 + 100 * MS, true, keep, 1, 4096, due), 1);
	CHECK_U64(due[0].slot, 5);
	CHECK_U64(q.n, 1);
	CHECK_U64(exit_queue__due(&q, t0 + 400 * MS, t0 + 100 * MS, true, keep, 1, 4096, due), 1);
	CHECK_U64(due[0].slot, 6);
	CHECK_U64(q.n, 0);
	exit_queue__release(&q);
}

TEST(test_monitor__pressure)
{
	CHECK(!tables_pressed(100, 100, 4096, 8192));
	CHECK(tables_pressed(1024, 0, 4096, 8192)); /* a quarter of the slots */
	CHECK(tables_pressed(0, 2048, 4096, 8192));
}

TEST(test_monitor__token_bucket)
{
	struct token_bucket b = {.per_sec = 50};
	uint64_t t = 10 * NSEC_PER_SEC;
	int n = 0;

	/* a burst: a second's worth, then nothing until the next 20 ms */
	while (token_bucket__take(&b, t))
		n++;
	CHECK_I64(n, 50);
	CHECK(!token_bucket__take(&b, t + 10 * MS));
	CHECK(token_bucket__take(&b, t + 20 * MS));
	CHECK(!token_bucket__take(&b, t + 20 * MS));
	/* idle for long: the bucket holds a second's worth, no more */
	n = 0;
	while (token_bucket__take(&b, t + 100 * NSEC_PER_SEC))
		n++;
	CHECK_I64(n, 50);
}
