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
#include "model/stack_set.h"

TEST(test_report_json__json_valid_and_complete)
{
	struct raw_dump d;
	struct snapshot s;
	struct capture c;
	struct json_writer w;
	const char *out;
	static const char *const keys[] = {
		"\"type\":\"report\"",
		"\"schema_version\":4",
		"\"target\":{",
		"\"processes\":[",
		"\"peers\":[",
		"\"path\":",
		"\"path_drops\":0",
		"\"peers_refused\":0",
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

/*
 * Every number the record has under a metric root, by its path: each one is a path of
 * the metric table (analysis/metric.h), which @check is given. Histogram buckets and
 * the arrays (devices, syscalls, connections) are not figures of the object.
 */
static void leaves(const struct jval *v, char *path, size_t len, bool target,
		   void (*check)(const char *path, bool target))
{
	size_t n = strlen(path);

	if (v->t == J_NUM) {
		check(path, target);
		return;
	}
	if (v->t != J_OBJ || !strcmp(path, "sched.runq_histogram"))
		return;
	for (size_t i = 0; i < v->n; i++) {
		snprintf(path + n, len - n, "%s%s", n ? "." : "", v->keys[i]);
		leaves(v->items[i], path, len, target, check);
		path[n] = '\0';
	}
}

static void leaf_in_table(const char *path, bool target)
{
	struct metric m;

	if (!metric_lookup(path, &m) || !m.path || strcmp(m.path, path))
		test_fail(__FILE__, __LINE__, "the record's %s (%s) is no metric path", path,
			  target ? "target" : "process");
	else if (!target && m.target_only)
		test_fail(__FILE__, __LINE__, "a process has %s, a target-only path", path);
}

/*
 * The metric paths are a static table, and a rule reads the model, not the record:
 * every path of the table reads from the model the very number the JSON renderer writes
 * under it (target and process), every number of the record under a metric root is a
 * path of the table, and every named metric resolves to one.
 */
TEST(test_report_json__metric_paths_match_the_record)
{
	static const char *const roots[] = {"sched", "breakdown",      "io",	"net",
					    "mem",   "syscalls_total", "stacks"};
	struct stack_set stacks = {.freq_hz = 99,
				   .period_ns = 10101010,
				   .oncpu_samples = 7,
				   .user_frames = 3,
				   .user_resolved = 2};
	struct raw_dump d;
	struct snapshot s;
	struct analysis a;
	struct capture c;
	struct json_writer w;
	struct jval *rec;
	const struct jval *scopes[2];
	char err[128], path[256];
	const char *out, *p;
	bool target_only;

	fixture(&d, &s);
	stacks_intern(&stacks, "");
	s.stacks = &stacks;
	analysis_compute(&a, &s, "`./evil`");
	jw_init(&w, capture_begin(&c));
	report_json(&w, &s, &a, &opts);
	out = capture_end(&c);
	rec = json_parse(out, strlen(out), err, sizeof(err));
	CHECK(rec != NULL);
	scopes[0] = json_get(rec, "target");
	scopes[1] = json_get(rec, "processes")->items[0];
	for (size_t i = 0; (p = metric_path(i, &target_only)); i++) {
		for (int k = 0; k < (target_only ? 1 : 2); k++) {
			const struct metric_scope sc = {
				.s = &s, .bd = &a.bd, .proc = k ? 0 : -1, .subsys = opts.subsys};
			struct metric m;
			double model, json;

			CHECK(metric_lookup(p, &m));
			if (!json_number(json_path(scopes[k], p), &json))
				test_fail(__FILE__, __LINE__, "the record has no %s in the %s", p,
					  k ? "process" : "target");
			else if (!metric_value(&m, &sc, &model) || model != json)
				test_fail(__FILE__, __LINE__,
					  "%s: %g in the model, %g in the record", p, model, json);
		}
	}
	for (int k = 0; k < 2; k++) {
		for (size_t r = 0; r < ARRAY_SIZE(roots); r++) {
			const struct jval *v = json_get(scopes[k], roots[r]);

			snprintf(path, sizeof(path), "%s", roots[r]);
			if (v)
				leaves(v, path, sizeof(path), !k, leaf_in_table);
		}
	}
	for (size_t i = 0; metric_name(i); i++) {
		struct metric m;

		CHECK(metric_lookup(metric_name(i), &m) && m.path);
	}
	json_free(rec);
	capture_free(&c);
	analysis_release(&a);
	s.stacks = NULL;
	stacks_release(&stacks);
	snapshot_release(&s);
	raw_dump_release(&d);
}
