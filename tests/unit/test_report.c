// SPDX-License-Identifier: GPL-2.0
/*
 * Rendering snapshot fixtures: the text report shows what a reader needs (wall
 * time, split, processes, syscalls with percentiles) with hostile names defused;
 * the JSON report is valid JSON on one line per record and carries every field of
 * the documented contract.
 */
#include <stdlib.h>

#include "analysis.h"
#include "fixtures.h"
#include "json_check.h"
#include "json_reader.h"
#include "metric.h"
#include "report.h"
#include "test.h"
#include "util.h"

static void fixture(struct raw_dump *d, struct snapshot *s)
{
	struct proc_rec *p;
	struct stat_row *r;

	fx_init(d, 3, ROW_FIRST + 4, FX_ATTACH_NS + 2 * NSEC_PER_SEC);
	/* a process name with an escape sequence and invalid UTF-8 */
	p = fx_proc(d, 2, 4242, 1, "ev\x1b[2Jil\xff", FX_ATTACH_NS);
	p->sched.oncpu_ns = 1200 * NSEC_PER_MSEC;
	p->sched.runq_ns = 300 * NSEC_PER_MSEC;
	p->sched.wait_ns[WC_IO] = 500 * NSEC_PER_MSEC;
	p->sched.blocked_ns[BLK_IOWAIT] = 500 * NSEC_PER_MSEC;
	p->sched.nvcsw = 12;
	p->sched.nivcsw = 34;
	fx_exit(p, FX_ATTACH_NS + 2 * NSEC_PER_SEC, 0);
	r = fx_row(d, ROW_FIRST, 2, ROW_SYSCALL, 110 /* getppid */);
	fx_row_add(r, 350, 1000);
	r = fx_row(d, ROW_FIRST + 1, 2, ROW_SYSCALL, 257 /* openat */);
	fx_row_add(r, 2000, 10);
	fx_row_err(r, 2, 10);
	r = fx_row(d, ROW_FIRST + 2, 2, ROW_RUNQ, 0);
	fx_row_add(r, 4000, 50);
	fx_row_add(r, 2000000, 5);
	d->self.bpf_stats = true;
	d->self.bpf_run_ns = 123456;
	d->self.bpf_run_cnt = 2000;
	d->self.procs_used = 1;
	d->self.procs_max = 4096;
	snapshot_build(s, d, NULL, FX_ATTACH_NS, NULL);
}

static const struct report_opts opts = {
	.target = TARGET_COMMAND,
	.target_desc = "./evil\n--flag",
	.top_n = 10,
	.exit_code = 0,
	.unix_end_ns = 1700000000000000000ULL,
	.subsys = SUB_DEFAULT,
};

/* The renderers as run.c drives them: the analysis first, then the format. */
static void text(FILE *f, const struct snapshot *s)
{
	struct analysis a;

	analysis_compute(&a, s, "`./evil`");
	report_text(f, s, &a, &opts);
	analysis_release(&a);
}

static void json(struct json_writer *w, const struct snapshot *s)
{
	struct analysis a;

	analysis_compute(&a, s, "`./evil`");
	report_json(w, s, &a, &opts);
	analysis_release(&a);
}

TEST(test_report__text_content)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	const char *out;

	fixture(&d, &s);
	text(capture_begin(&c), &s);
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

TEST(test_report__text_syscalls_sorted_by_total)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	const char *out, *a, *b;

	fixture(&d, &s);
	text(capture_begin(&c), &s);
	out = capture_end(&c);
	a = strstr(out, "getppid"); /* 350us total */
	b = strstr(out, "openat");  /* 20us total */
	CHECK(a && b && a < b);
	capture_free(&c);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_report__json_valid_and_complete)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	struct json_writer w;
	const char *out;
	static const char *const keys[] = {
		"\"type\":\"report\"", "\"schema_version\":3", "\"target\":{", "\"processes\":[",
		"\"pid\":4242", "\"ppid\":1", "\"comm\":", "\"cmdline\":", "\"exit_code\":0",
		"\"wall_ns\":2000000000", "\"oncpu_ns\":1200000000", "\"runq_ns\":300000000",
		"\"iowait_ns\":500000000", "\"voluntary_switches\":12",
		"\"involuntary_switches\":34", "\"runq_latency\":{\"count\":55",
		"\"name\":\"getppid\"", "\"count\":1000", "\"errors\":10",
		"\"top_errno\":\"ENOENT\"", "\"latency\":{\"count\":1000,\"total_ns\":350000", "\"p50_ns\":", "\"p90_ns\":",
		"\"p99_ns\":", "\"max_ns\":350", "\"self\":{", "\"ringbuf_drops\":0",
		"\"bpf_run_ns\":123456", "\"description\":\"./evil\\u000a--flag\"",
	};

	fixture(&d, &s);
	jw_init(&w, capture_begin(&c));
	json(&w, &s);
	out = capture_end(&c);
	CHECK(json_valid(out, strlen(out)));
	CHECK(strchr(out, '\n') == out + strlen(out) - 1); /* exactly one line */
	for (size_t i = 0; i < ARRAY_SIZE(keys); i++)
		CHECK_CONTAINS(out, keys[i]);
	/* hostile comm: escape byte escaped, invalid byte replaced */
	CHECK_CONTAINS(out, "\"comm\":\"ev\\u001b[2Jil\\ufffd\"");
	capture_free(&c);
	snapshot_release(&s);
	raw_dump_release(&d);
}

TEST(test_report__json_interval_record)
{
	struct raw_dump a, b;
	struct snapshot s;
	struct capture c;
	struct json_writer w;
	const char *out;

	fixture(&a, &s);
	snapshot_release(&s);
	a.procs[2].end_ns = 0;
	a.procs[2].flags &= ~PROC_F_EXITED;
	fx_copy(&b, &a, a.ts_ns + NSEC_PER_SEC);
	fx_row_add(&b.rows[ROW_FIRST], 300, 7);
	snapshot_build(&s, &b, &a, FX_ATTACH_NS, NULL);
	jw_init(&w, capture_begin(&c));
	json(&w, &s);
	out = capture_end(&c);
	CHECK(json_valid(out, strlen(out)));
	CHECK_CONTAINS(out, "\"type\":\"interval\"");
	CHECK_CONTAINS(out, "\"exit_code\":null");
	CHECK_CONTAINS(out, "\"start_offset_ns\":2000000000");
	CHECK_CONTAINS(out, "\"count\":7");
	CHECK_CONTAINS(out, "\"running\":true");
	capture_free(&c);
	snapshot_release(&s);
	raw_dump_release(&a);
	raw_dump_release(&b);
}

TEST(test_report__errno_name)
{
	char b[16];

	CHECK_STR(errno_name(2, b, sizeof(b)), "ENOENT");
	CHECK_STR(errno_name(4000, b, sizeof(b)), "E4000");
}

TEST(test_report__json_checker_rejects_bad_json)
{
	CHECK(json_valid("{\"a\":[1,2,{\"b\":null}]}", 22));
	CHECK(!json_valid("{\"a\":1,}", 8));
	CHECK(!json_valid("{\"a\":\"\x01\"}", 9));
	CHECK(!json_valid("[01]", 4));
	CHECK(!json_valid("{} {}", 5));
}

/* Every named metric reads a value from the record the JSON renderer writes. */
TEST(test_report__metric_names_match_the_record)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	struct json_writer w;
	struct jval *rec;
	const struct jval *proc;
	char err[128];
	const char *out;

	fixture(&d, &s);
	jw_init(&w, capture_begin(&c));
	json(&w, &s);
	out = capture_end(&c);
	rec = json_parse(out, strlen(out), err, sizeof(err));
	CHECK(rec != NULL);
	proc = json_get(rec, "processes")->items[0];
	for (size_t i = 0; metric_name(i); i++) {
		struct metric m;
		double v;

		CHECK(metric_lookup(metric_name(i), &m));
		if (!metric_value(&m, json_get(rec, "target"), &v))
			test_fail(__FILE__, __LINE__, "no target value for '%s'", metric_name(i));
		if (!m.target_only && !metric_value(&m, proc, &v))
			test_fail(__FILE__, __LINE__, "no process value for '%s'", metric_name(i));
	}
	{
		struct metric m;
		double v;

		CHECK(metric_lookup("syscall.getppid.count", &m));
		CHECK(metric_value(&m, json_get(rec, "target"), &v) && v == 1000);
		CHECK(metric_lookup("cpu", &m));
		CHECK(metric_value(&m, proc, &v) && v == 1200 * 1e6);
	}
	json_free(rec);
	capture_free(&c);
	snapshot_release(&s);
	raw_dump_release(&d);
}
