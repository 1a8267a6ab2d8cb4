// SPDX-License-Identifier: GPL-2.0
/*
 * The JSON report from a fixture: valid JSON on one line per record, every field of
 * the documented contract, interval records as deltas, and every named metric
 * readable from it.
 */
#include <stdlib.h>

#include "analysis/analysis.h"
#include "json_check.h"
#include "lib/json_reader.h"
#include "analysis/metric.h"
#include "report_fixture.h"
#include "test.h"
#include "lib/util.h"

TEST(test_report_json__json_valid_and_complete)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	struct json_writer w;
	const char *out;
	static const char *const keys[] = {
		"\"type\":\"report\"",
		"\"schema_version\":3",
		"\"target\":{",
		"\"processes\":[",
		"\"pid\":4242",
		"\"ppid\":1",
		"\"comm\":",
		"\"cmdline\":",
		"\"exit_code\":0",
		"\"wall_ns\":2000000000",
		"\"oncpu_ns\":1200000000",
		"\"runq_ns\":300000000",
		"\"iowait_ns\":500000000",
		"\"voluntary_switches\":12",
		"\"involuntary_switches\":34",
		"\"runq_latency\":{\"count\":55",
		"\"name\":\"getppid\"",
		"\"count\":1000",
		"\"errors\":10",
		"\"top_errno\":\"ENOENT\"",
		"\"latency\":{\"count\":1000,\"total_ns\":350000",
		"\"p50_ns\":",
		"\"p90_ns\":",
		"\"p99_ns\":",
		"\"max_ns\":350",
		"\"self\":{",
		"\"ringbuf_drops\":0",
		"\"bpf_run_ns\":123456",
		"\"description\":\"./evil\\u000a--flag\"",
	};

	fixture(&d, &s);
	jw_init(&w, capture_begin(&c));
	render_json(&w, &s);
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

TEST(test_report_json__json_interval_record)
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
	render_json(&w, &s);
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

/* Every named metric reads a value from the record the JSON renderer writes. */
TEST(test_report_json__metric_names_match_the_record)
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
	render_json(&w, &s);
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
