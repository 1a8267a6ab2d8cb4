// SPDX-License-Identifier: GPL-2.0
/*
 * Baselines: the last report record of a file is loaded (old schemas too, bad files
 * named), changes are judged against noise, and metrics and steps are compared.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis/baseline.h"
#include "model/subsys.h"
#include "json_check.h"
#include "lib/json_reader.h"
#include "test.h"
#include "lib/util.h"

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/procscope-test-baseline-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

TEST(test_baseline__load)
{
	struct baseline b;
	char err[512], *path;

	/* NDJSON with interval records: the last report wins */
	path = write_tmp("{\"type\":\"interval\",\"schema_version\":2,\"target\":{}}\n"
			 "{\"type\":\"report\",\"schema_version\":2,\"unix_ns\":5,"
			 "\"target\":{\"description\":\"make\",\"wall_ns\":100}}\n"
			 "{\"type\":\"alert\",\"schema_version\":2}\n");
	CHECK(!baseline_load(path, &b, err, sizeof(err)));
	CHECK_STR(b.desc, "make");
	CHECK_U64(b.unix_ns, 5);
	baseline_release(&b);
	unlink(path);
	free(path);

	path = write_tmp("{\"type\":\"report\",\"schema_version\":1,\"target\":{}}\n");
	CHECK(baseline_load(path, &b, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "schema version 1");
	unlink(path);
	free(path);

	path = write_tmp("not json at all\n");
	CHECK(baseline_load(path, &b, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "holds no procscope report record");
	unlink(path);
	CHECK(baseline_load(path, &b, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "cannot read baseline");
	free(path);
}

TEST(test_baseline__judge)
{
	/* beyond noise: more than 10% and more than the floor */
	CHECK(bl_judge(100e6, 115e6, 20e6) == BL_SAME);	      /* +15%, 15 ms */
	CHECK(bl_judge(100e6, 125e6, 20e6) == BL_REGRESSION); /* +25%, 25 ms */
	CHECK(bl_judge(1e9, 1.05e9, 20e6) == BL_SAME);	      /* +5%, 50 ms */
	CHECK(bl_judge(1e9, 0.8e9, 20e6) == BL_IMPROVEMENT);
	CHECK(bl_judge(0, 30e6, 20e6) == BL_REGRESSION);
	CHECK(isnan(bl_change(0, 5)));
	CHECK(bl_change(100, 150) == 0.5);
}

TEST(test_baseline__compare)
{
	struct baseline b = {0};
	struct baseline_cmp c;
	struct finding f;
	const char *steps_b =
		"\"steps\":[{\"cmdline\":\"sh run.sh\",\"comm\":\"sh\",\"duration_ns\":1000000000},"
		"{\"cmdline\":\"gen /tmp/a1\",\"comm\":\"gen\",\"duration_ns\":100000000},"
		"{\"cmdline\":\"sort big\",\"comm\":\"sort\",\"duration_ns\":800000000},"
		"{\"cmdline\":\"old\",\"comm\":\"old\",\"duration_ns\":5}]";
	/* this run, as the model: its steps are the processes that exec'd */
	static const struct {
		const char *cmdline, *comm;
		uint64_t ns;
	} steps_c[] = {
		{"sh run.sh", "sh", 2000000000},
		{"gen /tmp/b2", "gen", 100000000},
		{"sort big", "sort", 1800000000},
		{"new", "new", 5},
	};
	struct process procs[4];
	struct snapshot cur = {.kind = SNAP_REPORT, .start_ns = 1000000000, .end_ns = 3000000000};
	struct breakdowns bd = {0};
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"type\":\"report\",\"target\":{\"wall_ns\":1000000000,\"sched\":{\"oncpu_ns\":"
		 "500000000},\"mem\":null},%s}",
		 steps_b);
	b.root = json_parse_test(buf);
	b.target = json_get(b.root, "target");
	b.path = xstrdup("base.json");
	b.desc = xstrdup("sh run.sh");
	memset(procs, 0, sizeof(procs));
	for (size_t i = 0; i < 4; i++) {
		procs[i].slot = SLOT_FIRST + (uint32_t)i;
		procs[i].pid = 100 + (uint32_t)i;
		procs[i].flags = PROC_F_EXECED | PROC_F_EXITED;
		procs[i].cmdline = (char *)steps_c[i].cmdline;
		snprintf(procs[i].comm, sizeof(procs[i].comm), "%s", steps_c[i].comm);
		procs[i].start_ns = cur.start_ns;
		procs[i].end_ns = cur.start_ns + steps_c[i].ns;
	}
	cur.procs = procs;
	cur.n_procs = 4;
	cur.target.sched.oncpu_ns = 510000000;
	bd.procs = (struct breakdown[4]){0};
	baseline_compare(&b, &cur, &bd, SUB_DEFAULT, &c);
	/* only what both runs measured: wall and cpu (mem was off in the baseline) */
	CHECK_U64(c.n_m, 2);
	CHECK_STR(c.m[0].name, "wall");
	CHECK(c.m[0].verdict == BL_REGRESSION);
	CHECK_STR(c.m[1].name, "cpu");
	CHECK(c.m[1].verdict == BL_SAME);
	/* steps: two by command line, gen by name, one new and one gone */
	CHECK_U64(c.n_steps, 3);
	CHECK_STR(c.steps[0].cmdline, "sh run.sh");
	CHECK(c.steps[0].verdict == BL_REGRESSION && !c.steps[0].by_comm);
	CHECK_STR(c.steps[1].cmdline, "sort big");
	CHECK(c.steps[1].verdict == BL_REGRESSION);
	CHECK_STR(c.steps[2].cmdline, "gen /tmp/b2");
	CHECK(c.steps[2].by_comm && c.steps[2].verdict == BL_SAME);
	CHECK_U64(c.steps_new, 1);
	CHECK_U64(c.steps_missing, 1);
	CHECK_U64(c.regressions, 3);
	CHECK(baseline_finding(&c, &f));
	CHECK_STR(f.kind, "regression");
	CHECK(fabs(f.score - 0.5) < 1e-9);
	CHECK_CONTAINS(f.summary, "wall time 2.00s against 1.00s in the baseline (+100%)");
	CHECK_CONTAINS(f.summary, "step `sh run.sh` took 1.00s longer");
	baseline_cmp_release(&c);
	baseline_release(&b);
}
