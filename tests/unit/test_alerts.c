// SPDX-License-Identifier: GPL-2.0
/*
 * Reading records back (json_reader), metric names and values, alert rules (grammar,
 * errors naming the bad token, evaluation with persistence and edge triggering), and
 * baselines (loading, judging changes against noise, pairing steps).
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "alerts.h"
#include "baseline.h"
#include "json_reader.h"
#include "metric.h"
#include "test.h"
#include "util.h"

static struct jval *parse(const char *s)
{
	char err[128];
	struct jval *v = json_parse(s, strlen(s), err, sizeof(err));

	if (!v)
		test_fail(__FILE__, __LINE__, "parse: %s", err);
	return v;
}

TEST(test_alerts__json_reader_values)
{
	struct jval *v = parse(" {\"a\": [1, -2.5, true, null, \"x\\u00e9\\n\\ud83d\\ude00\"],"
			       " \"big\": 18446744073709551615, \"o\": {\"p\": {\"q\": 7}}} ");
	const struct jval *a;
	double d;

	CHECK(v && v->t == J_OBJ);
	a = json_get(v, "a");
	CHECK(a && a->t == J_ARR && a->n == 5);
	CHECK(json_number(a->items[1], &d) && d == -2.5);
	CHECK(a->items[2]->t == J_BOOL && a->items[2]->b);
	CHECK(a->items[3]->t == J_NULL);
	CHECK_STR(a->items[4]->str, "x\xc3\xa9\n\xf0\x9f\x98\x80");
	/* nanosecond counts keep every bit */
	CHECK(json_get(v, "big")->is_uint);
	CHECK_U64(json_get(v, "big")->u, UINT64_MAX);
	CHECK(json_number(json_path(v, "o.p.q"), &d) && d == 7);
	CHECK(json_path(v, "o.p.r") == NULL);
	CHECK(json_path(v, "a.b") == NULL);
	json_free(v);

	/* runs of ASCII, escapes and raw UTF-8 mixed; a large array (the arena grows) */
	v = parse("[\"ab\\\"cd\\\\ef \xc3\xa9 gh\\u0041\", \"\"]");
	CHECK(v && v->n == 2);
	CHECK_STR(v->items[0]->str, "ab\"cd\\ef \xc3\xa9 ghA");
	CHECK_STR(v->items[1]->str, "");
	json_free(v);
	{
		size_t n = 200000, len = 0;
		char *big = xmalloc(n * 12 + 16);
		char err[64];

		big[len++] = '[';
		for (size_t i = 0; i < n; i++)
			len += (size_t)sprintf(big + len, "%s%zu", i ? "," : "", i * 1000);
		big[len++] = ']';
		v = json_parse(big, len, err, sizeof(err));
		CHECK(v && v->n == n);
		CHECK(v && v->items[n - 1]->u == (n - 1) * 1000);
		json_free(v);
		free(big);
	}
}

TEST(test_alerts__json_reader_errors)
{
	static const char *const bad[] = {
		"", "{", "{\"a\" 1}", "[1,]x", "[1 2]", "\"abc", "\"\\q\"", "tru", "{\"a\":1}}",
		"\"a\x01\"", "[-]", "{1:2}", "[01]", "+1", "1.", ".5", "1e", "\"\xff\"",
		"\"\xc0\xaf\"",
	};
	char err[128];

	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct jval *v = json_parse(bad[i], strlen(bad[i]), err, sizeof(err));

		if (v)
			test_fail(__FILE__, __LINE__, "accepted '%s'", bad[i]);
		CHECK(err[0]);
		json_free(v);
	}
	/* too deep is an error, not a stack overflow */
	{
		char deep[400];

		memset(deep, '[', sizeof(deep));
		CHECK(json_parse(deep, sizeof(deep), err, sizeof(err)) == NULL);
		CHECK_CONTAINS(err, "deep");
	}
}

TEST(test_alerts__metric_names)
{
	struct metric m;

	CHECK(metric_lookup("runq.p99", &m) && m.unit == MU_NS);
	CHECK_STR(m.path, "sched.runq_latency.p99_ns");
	CHECK(metric_lookup("io.share", &m) && m.unit == MU_SHARE && m.denom);
	CHECK(metric_lookup("mem.rss_peak", &m) && m.unit == MU_BYTES);
	CHECK(metric_lookup("processes", &m) && m.target_only);
	CHECK(metric_lookup("syscall.openat.errors", &m) && m.unit == MU_COUNT);
	CHECK_STR(m.syscall, "openat");
	CHECK(metric_lookup("syscall.read.p99", &m) && m.unit == MU_NS);
	CHECK(metric_lookup("sched.blocked_by_state.iowait_ns", &m) && m.unit == MU_NS);
	CHECK(metric_lookup("io.devices_bytes", &m) && m.unit == MU_BYTES);
	/* typos and unknown syscalls are not metrics */
	CHECK(!metric_lookup("runq.p98", &m));
	CHECK(!metric_lookup("syscall.raed.count", &m));
	CHECK(!metric_lookup("syscall.read.mean", &m));
	CHECK(!metric_lookup("bogus.thing_ns", &m));
	CHECK(!metric_lookup("sched.", &m));
	CHECK(!metric_lookup("", &m));
}

TEST(test_alerts__metric_values)
{
	struct jval *t = parse("{\"wall_ns\": 2000, \"breakdown\": {\"wall_ns\": 1000, \"io_ns\": 250},"
			       " \"syscalls\": [{\"name\": \"read\", \"count\": 5, \"p99_ns\": 70}],"
			       " \"net\": null}");
	struct metric m;
	double v;

	CHECK(metric_lookup("io.share", &m) && metric_value(&m, t, &v) && v == 0.25);
	CHECK(metric_lookup("io.wait", &m) && metric_value(&m, t, &v) && v == 250);
	CHECK(metric_lookup("syscall.read.p99", &m) && metric_value(&m, t, &v) && v == 70);
	/* traced but never called: zero */
	CHECK(metric_lookup("syscall.write.count", &m) && metric_value(&m, t, &v) && v == 0);
	/* a subsystem that was off: no value */
	CHECK(metric_lookup("net.retransmits", &m) && !metric_value(&m, t, &v));
	json_free(t);
}

TEST(test_alerts__value_units)
{
	char err[160];
	size_t used;
	double v;

	CHECK(!metric_parse_value("10ms", MU_NS, &v, &used, err, sizeof(err)) && v == 1e7);
	CHECK(!metric_parse_value("1.5 s for", MU_NS, &v, &used, err, sizeof(err)) && v == 1.5e9);
	CHECK_U64(used, 5);
	CHECK(!metric_parse_value("0", MU_NS, &v, &used, err, sizeof(err)) && v == 0);
	CHECK(!metric_parse_value("2MiB", MU_BYTES, &v, &used, err, sizeof(err)) && v == 2097152);
	CHECK(!metric_parse_value("3GB", MU_BYTES, &v, &used, err, sizeof(err)) && v == 3e9);
	CHECK(!metric_parse_value("40%", MU_SHARE, &v, &used, err, sizeof(err)) && fabs(v - 0.4) < 1e-12);
	CHECK(!metric_parse_value("0.4", MU_SHARE, &v, &used, err, sizeof(err)) && v == 0.4);
	CHECK(!metric_parse_value("2k", MU_COUNT, &v, &used, err, sizeof(err)) && v == 2000);
	CHECK(!metric_parse_value("12", MU_COUNT, &v, &used, err, sizeof(err)) && v == 12);

	CHECK(metric_parse_value("10", MU_NS, &v, &used, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "needs a time unit");
	CHECK(metric_parse_value("10MB", MU_NS, &v, &used, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "unit 'MB' does not fit a time metric");
	CHECK(metric_parse_value("40", MU_SHARE, &v, &used, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "40%");
	CHECK(metric_parse_value("ten", MU_COUNT, &v, &used, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "'ten'");
}

TEST(test_alerts__rule_grammar)
{
	struct alerts a = {0};
	char err[512];

	CHECK(!alerts_add(&a, "  runq.p99 > 10ms  ", false, false, err, sizeof(err)));
	CHECK_STR(a.rules[0].text, "runq.p99 > 10ms");
	CHECK(a.rules[0].op == OP_GT && a.rules[0].threshold == 1e7 && !a.rules[0].per_process);
	CHECK(!alerts_add(&a, "process[make*].cpu.share>=90%", false, false, err, sizeof(err)));
	CHECK(a.rules[1].per_process && a.rules[1].op == OP_GE);
	CHECK_STR(a.rules[1].comm_glob, "make*");
	CHECK(!alerts_add(&a, "target.io.share > 30% for 3 intervals", false, true, err, sizeof(err)));
	CHECK_U64(a.rules[2].for_n, 3);
	CHECK(!alerts_add(&a, "syscall.total > 1.2 * baseline", true, false, err, sizeof(err)));
	CHECK(a.rules[3].vs_baseline && a.rules[3].factor == 1.2);
	CHECK(!alerts_add(&a, "wall >= baseline*2", true, false, err, sizeof(err)));
	CHECK(a.rules[4].vs_baseline && a.rules[4].factor == 2);
	CHECK(!alerts_add(&a, "process.mem.major_faults != 0 for 1 interval", false, true, err,
			  sizeof(err)));
	CHECK(a.rules[5].op == OP_NE && a.rules[5].for_n == 1);
	CHECK_U64(a.n_rules, 6);
	alerts_release(&a);
}

TEST(test_alerts__rule_errors_name_the_token)
{
	static const struct {
		const char *rule, *msg;
		bool base, ival;
	} cases[] = {
		{"runq.p98 > 10ms", "unknown metric 'runq.p98'"},
		{"runq.p99 >> 10ms", "expected a number at '>'"},
		{"runq.p99 10ms", "expected an operator"},
		{"runq.p99 > 10", "needs a time unit"},
		{"runq.p99 > 10kg", "unit 'kg'"},
		{"runq.p99 > 10ms for three intervals", "'three'"},
		{"runq.p99 > 10ms for 3 hours", "'hours'"},
		{"runq.p99 > 10ms extra", "unexpected 'extra'"},
		{"runq.p99 > 10ms for 3 intervals", "needs -i"},
		{"wall > 1.5 * baseline", "needs --baseline"},
		{"process.wall > baseline", "apply to the target", true},
		{"wall > 2 * nothing", "'nothing'", true},
		{"process.processes > 3", "a metric of the target"},
		{"process[.cpu > 1s", "process[COMM].METRIC"},
		{"> 1s", "expected a metric name"},
		{"", "empty rule"},
	};
	char err[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct alerts a = {0};

		if (alerts_add(&a, cases[i].rule, cases[i].base, cases[i].ival, err, sizeof(err)) != -1) {
			test_fail(__FILE__, __LINE__, "accepted '%s'", cases[i].rule);
		} else {
			CHECK_CONTAINS(err, "invalid alert '");
			if (!strstr(err, cases[i].msg))
				test_fail(__FILE__, __LINE__, "'%s': \"%s\" lacks \"%s\"",
					  cases[i].rule, err, cases[i].msg);
		}
		alerts_release(&a);
	}
}

TEST(test_alerts__rules_file)
{
	char path[] = "/tmp/procscope-test-rules-XXXXXX", err[512];
	struct alerts a = {0};
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("# CI gates\n\nrunq.p99 > 5ms   # tail latency\n  io.share > 50%\n", f);
	fclose(f);
	CHECK(!alerts_add_file(&a, path, false, false, err, sizeof(err)));
	CHECK_U64(a.n_rules, 2);
	CHECK_STR(a.rules[1].text, "io.share > 50%");
	alerts_release(&a);

	f = fopen(path, "w");
	fputs("runq.p99 > 5ms\nrunq.p99 > 5 ms per\n", f);
	fclose(f);
	CHECK(alerts_add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":2: invalid alert 'runq.p99 > 5 ms per'");
	alerts_release(&a);

	f = fopen(path, "w");
	fputs("# nothing\n", f);
	fclose(f);
	CHECK(alerts_add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "no alert rules");
	alerts_release(&a);
	unlink(path);
	CHECK(alerts_add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "cannot read alert rules");
	alerts_release(&a);
}

/* An interval or report record with one value for the target and per process. */
static struct jval *record(bool final, uint64_t off, uint64_t runq_p99, uint64_t cpu_a,
			   uint64_t cpu_b)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
		 "{\"type\":\"%s\",\"end_offset_ns\":%llu,"
		 "\"target\":{\"wall_ns\":1000,\"sched\":{\"oncpu_ns\":%llu,"
		 "\"runq_latency\":{\"p99_ns\":%llu}}},"
		 "\"processes\":[{\"pid\":10,\"comm\":\"make\",\"overflow\":false,\"sched\":{\"oncpu_ns\":%llu}},"
		 "{\"pid\":11,\"comm\":\"cc1\",\"overflow\":false,\"sched\":{\"oncpu_ns\":%llu}},"
		 "{\"pid\":0,\"comm\":\"[overflow]\",\"overflow\":true,\"sched\":{\"oncpu_ns\":99999}}]}",
		 final ? "report" : "interval", (unsigned long long)off,
		 (unsigned long long)(cpu_a + cpu_b), (unsigned long long)runq_p99,
		 (unsigned long long)cpu_a, (unsigned long long)cpu_b);
	return parse(buf);
}

static size_t eval(struct alerts *a, bool final, uint64_t off, uint64_t p99, uint64_t ca,
		   uint64_t cb)
{
	struct jval *r = record(final, off, p99, ca, cb);
	size_t n = alerts_eval(a, r, NULL, 1700000000000000000ULL + off);

	json_free(r);
	return n;
}

TEST(test_alerts__edge_triggered)
{
	struct alerts a = {0};
	char err[256];

	CHECK(!alerts_add(&a, "runq.p99 > 10us", false, true, err, sizeof(err)));
	CHECK_U64(eval(&a, false, 1, 5000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 2, 20000, 0, 0), 1); /* crosses */
	CHECK_U64(eval(&a, false, 3, 30000, 0, 0), 0); /* still above: no repeat */
	CHECK_U64(eval(&a, false, 4, 5000, 0, 0), 0);  /* clears */
	CHECK_U64(eval(&a, false, 5, 11000, 0, 0), 1); /* crosses again */
	CHECK_U64(eval(&a, true, 6, 12000, 0, 0), 1);  /* the whole run */
	CHECK_U64(a.n_fired, 3);
	CHECK(a.fired[0].value == 20000 && a.fired[0].threshold == 10000);
	CHECK_U64(a.fired[0].offset_ns, 2);
	CHECK(!a.fired[0].final && a.fired[2].final);
	CHECK_U64(a.fired[0].pid, 0);
	alerts_release(&a);
}

TEST(test_alerts__persistence)
{
	struct alerts a = {0};
	char err[256];

	CHECK(!alerts_add(&a, "runq.p99 >= 1ms for 3 intervals", false, true, err, sizeof(err)));
	CHECK_U64(eval(&a, false, 1, 2000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 2, 2000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 3, 100, 0, 0), 0); /* the streak breaks */
	CHECK_U64(eval(&a, false, 4, 1000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 5, 1000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 6, 1000000, 0, 0), 1); /* third in a row */
	CHECK_U64(eval(&a, false, 7, 1000000, 0, 0), 0);
	/* "for N intervals" is about intervals: not evaluated on the final report */
	CHECK_U64(eval(&a, true, 8, 9000000, 0, 0), 0);
	CHECK_U64(a.fired[0].offset_ns, 6);
	alerts_release(&a);
}

TEST(test_alerts__per_process_scope)
{
	struct alerts a = {0};
	char err[256];

	CHECK(!alerts_add(&a, "process.cpu > 100ns", false, true, err, sizeof(err)));
	CHECK(!alerts_add(&a, "process[c?1].cpu > 100ns for 2 intervals", false, true, err,
			  sizeof(err)));
	/* both processes cross: one alert each (the overflow row is not a process) */
	CHECK_U64(eval(&a, false, 1, 0, 500, 500), 2);
	CHECK_U64(a.fired[0].pid, 10);
	CHECK_STR(a.fired[0].comm, "make");
	CHECK_U64(a.fired[1].pid, 11);
	/* the glob rule's second interval; make stays above: no repeat */
	CHECK_U64(eval(&a, false, 2, 0, 500, 500), 1);
	CHECK(a.fired[2].rule == &a.rules[1] && a.fired[2].pid == 11);
	CHECK_U64(eval(&a, true, 3, 0, 50, 500), 1); /* final: cc1 only */
	CHECK_U64(a.fired[3].pid, 11);
	alerts_release(&a);
}

TEST(test_alerts__against_baseline)
{
	struct alerts a = {0};
	struct jval *base = record(true, 9, 0, 1000, 1000), *cur;
	char err[256];

	CHECK(!alerts_add(&a, "cpu > 1.2 * baseline", true, false, err, sizeof(err)));
	cur = record(false, 1, 0, 5000, 5000);
	CHECK_U64(alerts_eval(&a, cur, base, 0), 0); /* intervals are not whole runs */
	json_free(cur);
	cur = record(true, 2, 0, 1100, 1100);
	CHECK_U64(alerts_eval(&a, cur, base, 0), 0); /* +10% */
	json_free(cur);
	cur = record(true, 2, 0, 1500, 1500);
	CHECK_U64(alerts_eval(&a, cur, base, 0), 1);
	CHECK(a.fired[0].baseline == 2000 && a.fired[0].threshold == 2400 &&
	      a.fired[0].value == 3000);
	json_free(cur);
	json_free(base);
	alerts_release(&a);
}

TEST(test_alerts__record_and_text)
{
	struct alerts a = {0};
	struct capture c;
	struct json_writer w;
	char err[256], line[512];
	const char *out;

	CHECK(!alerts_add(&a, "process[make].cpu > 100ns", false, false, err, sizeof(err)));
	CHECK_U64(eval(&a, true, 4000000000ULL, 0, 500, 0), 1);
	jw_init(&w, capture_begin(&c));
	alert_record(&w, &a.fired[0]);
	out = capture_end(&c);
	CHECK_CONTAINS(out, "{\"type\":\"alert\",\"schema_version\":3,\"rule\":\"process[make].cpu > "
			    "100ns\",\"metric\":\"cpu\",\"op\":\">\",\"value\":500,\"threshold\":100,"
			    "\"baseline\":null,\"unit\":\"ns\",\"scope\":\"process\",\"pid\":10,"
			    "\"comm\":\"make\",\"for_intervals\":0,\"final\":true,"
			    "\"offset_ns\":4000000000,");
	capture_free(&c);
	alert_describe(line, sizeof(line), &a.fired[0]);
	CHECK_STR(line, "alert: process[make].cpu > 100ns: 500ns (pid 10 make, whole run)");
	alerts_release(&a);
}

static char *write_tmp(const char *text)
{
	char *path = xstrdup("/tmp/procscope-test-baseline-XXXXXX");
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs(text, f);
	fclose(f);
	return path;
}

TEST(test_alerts__baseline_load)
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

TEST(test_alerts__baseline_judge)
{
	/* beyond noise: more than 10% and more than the floor */
	CHECK(bl_judge(100e6, 115e6, 20e6) == BL_SAME);	   /* +15%, 15 ms */
	CHECK(bl_judge(100e6, 125e6, 20e6) == BL_REGRESSION); /* +25%, 25 ms */
	CHECK(bl_judge(1e9, 1.05e9, 20e6) == BL_SAME);	   /* +5%, 50 ms */
	CHECK(bl_judge(1e9, 0.8e9, 20e6) == BL_IMPROVEMENT);
	CHECK(bl_judge(0, 30e6, 20e6) == BL_REGRESSION);
	CHECK(isnan(bl_change(0, 5)));
	CHECK(bl_change(100, 150) == 0.5);
}

TEST(test_alerts__baseline_compare)
{
	struct baseline b = {0};
	struct baseline_cmp c;
	struct finding f;
	struct jval *cur;
	const char *steps_b =
		"\"steps\":[{\"cmdline\":\"sh run.sh\",\"comm\":\"sh\",\"duration_ns\":1000000000},"
		"{\"cmdline\":\"gen /tmp/a1\",\"comm\":\"gen\",\"duration_ns\":100000000},"
		"{\"cmdline\":\"sort big\",\"comm\":\"sort\",\"duration_ns\":800000000},"
		"{\"cmdline\":\"old\",\"comm\":\"old\",\"duration_ns\":5}]";
	const char *steps_c =
		"\"steps\":[{\"cmdline\":\"sh run.sh\",\"comm\":\"sh\",\"duration_ns\":2000000000},"
		"{\"cmdline\":\"gen /tmp/b2\",\"comm\":\"gen\",\"duration_ns\":100000000},"
		"{\"cmdline\":\"sort big\",\"comm\":\"sort\",\"duration_ns\":1800000000},"
		"{\"cmdline\":\"new\",\"comm\":\"new\",\"duration_ns\":5}]";
	char buf[2048];

	snprintf(buf, sizeof(buf),
		 "{\"type\":\"report\",\"target\":{\"wall_ns\":1000000000,\"sched\":{\"oncpu_ns\":"
		 "500000000},\"mem\":null},%s}", steps_b);
	b.root = parse(buf);
	b.target = json_get(b.root, "target");
	b.path = xstrdup("base.json");
	b.desc = xstrdup("sh run.sh");
	snprintf(buf, sizeof(buf),
		 "{\"type\":\"report\",\"target\":{\"wall_ns\":2000000000,\"sched\":{\"oncpu_ns\":"
		 "510000000},\"mem\":{\"rss_peak_bytes\":1}},%s}", steps_c);
	cur = parse(buf);
	baseline_compare(&b, cur, &c);
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
	json_free(cur);
	baseline_release(&b);
}

/* Schema 2's flat distribution fields: aliases in raw paths, and readable in old records. */
TEST(test_alerts__schema2_aliases)
{
	static const char v2[] = "{\"io\":{\"lat_p99_ns\":7,\"lat_count\":3},"
				 "\"net\":{\"connect_failures\":2,\"rtt_p50_ns\":5}}";
	static const char v3[] = "{\"io\":{\"latency\":{\"p99_ns\":9,\"count\":4}},"
				 "\"net\":{\"connect_failures\":1,\"rtt\":{\"p50_ns\":6}}}";
	char err[128];
	struct jval *a = json_parse(v2, sizeof(v2) - 1, err, sizeof(err));
	struct jval *b = json_parse(v3, sizeof(v3) - 1, err, sizeof(err));
	struct metric m;
	double v;

	CHECK(metric_lookup("io.p99", &m));
	CHECK(metric_value(&m, b, &v) && v == 9);
	CHECK(metric_value(&m, a, &v) && v == 7); /* an old baseline still reads */
	CHECK(metric_lookup("io.lat_p99_ns", &m)); /* the old raw spelling ... */
	CHECK_STR(m.raw, "io.latency.p99_ns");	   /* ... is today's path */
	CHECK(metric_value(&m, b, &v) && v == 9);
	CHECK(metric_lookup("net.rtt_p50_ns", &m));
	CHECK(metric_value(&m, b, &v) && v == 6);
	CHECK(metric_value(&m, a, &v) && v == 5);
	/* a field that only starts like a distribution's prefix is left alone */
	CHECK(metric_lookup("net.connect_failures", &m));
	CHECK(metric_value(&m, b, &v) && v == 1);
	CHECK(metric_value(&m, a, &v) && v == 2);
	json_free(a);
	json_free(b);
}
