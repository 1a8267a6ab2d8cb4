// SPDX-License-Identifier: GPL-2.0
/*
 * The text report from a fixture: what a reader needs (wall time, split, findings,
 * processes, syscalls with percentiles) with hostile names defused.
 */
#include <stdlib.h>

#include "analysis/analysis.h"
#include "report_fixture.h"
#include "test.h"
#include "lib/util.h"

TEST(test_report_text__text_content)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	const char *out;

	fixture(&d, &s);
	render_text(capture_begin(&c), &s);
	out = capture_end(&c);
	CHECK_CONTAINS(out, "procscope command: ./evil?--flag");
	CHECK_CONTAINS(out, "wall 2.00s");
	CHECK_CONTAINS(out, "exit 0");
	CHECK_CONTAINS(out, "on-CPU");
	CHECK_CONTAINS(out, "disk IO");
	CHECK_CONTAINS(out, "12 voluntary, 34 involuntary");
	/* 60% on a CPU, 25% disk, 15% run queue: three findings, best first */
	CHECK_CONTAINS(out, "FINDINGS\n  1. CPU: ");
	CHECK_CONTAINS(out, "  2. disk: ");
	CHECK_CONTAINS(out, "  3. CPU contention: ");
	CHECK_CONTAINS(out, "4242");
	CHECK_CONTAINS(out, "getppid");
	CHECK_CONTAINS(out, "openat");
	CHECK_CONTAINS(out, "ENOENT x10");
	CHECK_CONTAINS(out, "RUN-QUEUE LATENCY  n=55");
	CHECK_CONTAINS(out, "PROCSCOPE ITSELF");
	/* the escape byte never reaches the terminal */
	CHECK(strchr(out, 0x1b) == NULL);
	capture_free(&c);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_report_text__text_syscalls_sorted_by_total)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	const char *out, *a, *b;

	fixture(&d, &s);
	render_text(capture_begin(&c), &s);
	out = capture_end(&c);
	a = strstr(out, "getppid"); /* 350us total */
	b = strstr(out, "openat");  /* 20us total */
	CHECK(a && b && a < b);
	capture_free(&c);
	snapshot_release(&s);
	raw_dump_release(&d);
}
