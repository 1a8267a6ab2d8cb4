// SPDX-License-Identifier: GPL-2.0
/*
 * Named metrics and paths: names resolve, only paths of the table do, values read from
 * a saved record (shares against their denominators), units parse, and schema 2
 * spellings still work. (Values from the model: test_report_json.c.)
 */
#include <math.h>
#include <stdlib.h>

#include "json_check.h"
#include "lib/json_reader.h"
#include "analysis/metric.h"
#include "test.h"
#include "lib/util.h"

TEST(test_metric__names)
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
	CHECK(metric_lookup("net.accepts", &m) && m.unit == MU_COUNT && m.raw);
	/* typos, paths the record does not have, and unknown syscalls are not metrics */
	CHECK(!metric_lookup("io.devices_bytes", &m));
	CHECK(!metric_lookup("stacks.oncpu", &m));
	CHECK(!metric_lookup("sched.runq_latency.p95_ns", &m));
	CHECK(!metric_lookup("runq.p98", &m));
	CHECK(!metric_lookup("syscall.raed.count", &m));
	CHECK(!metric_lookup("syscall.read.mean", &m));
	CHECK(!metric_lookup("bogus.thing_ns", &m));
	CHECK(!metric_lookup("sched.", &m));
	CHECK(!metric_lookup("", &m));
}

TEST(test_metric__values)
{
	struct jval *t = json_parse_test(
		"{\"wall_ns\": 2000, \"breakdown\": {\"wall_ns\": 1000, \"io_ns\": 250},"
		" \"syscalls\": [{\"name\": \"read\", \"count\": 5, \"p99_ns\": 70}],"
		" \"net\": null}");
	struct metric m;
	double v;

	CHECK(metric_lookup("io.share", &m) && metric_value_json(&m, t, &v) && v == 0.25);
	CHECK(metric_lookup("io.wait", &m) && metric_value_json(&m, t, &v) && v == 250);
	CHECK(metric_lookup("syscall.read.p99", &m) && metric_value_json(&m, t, &v) && v == 70);
	/* traced but never called: zero */
	CHECK(metric_lookup("syscall.write.count", &m) && metric_value_json(&m, t, &v) && v == 0);
	/* a subsystem that was off: no value */
	CHECK(metric_lookup("net.retransmits", &m) && !metric_value_json(&m, t, &v));
	json_free(t);
}

TEST(test_metric__value_units)
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
	CHECK(!metric_parse_value("40%", MU_SHARE, &v, &used, err, sizeof(err)) &&
	      fabs(v - 0.4) < 1e-12);
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

/* Schema 2's flat distribution fields: aliases in raw paths, and readable in old records. */
TEST(test_metric__schema2_aliases)
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
	CHECK(metric_value_json(&m, b, &v) && v == 9);
	CHECK(metric_value_json(&m, a, &v) && v == 7); /* an old baseline still reads */
	CHECK(metric_lookup("io.lat_p99_ns", &m));     /* the old raw spelling ... */
	CHECK_STR(m.path, "io.latency.p99_ns");	       /* ... is today's path */
	CHECK(metric_value_json(&m, b, &v) && v == 9);
	CHECK(metric_lookup("net.rtt_p50_ns", &m));
	CHECK(metric_value_json(&m, b, &v) && v == 6);
	CHECK(metric_value_json(&m, a, &v) && v == 5);
	/* a field that only starts like a distribution's prefix is left alone */
	CHECK(metric_lookup("net.connect_failures", &m));
	CHECK(metric_value_json(&m, b, &v) && v == 1);
	CHECK(metric_value_json(&m, a, &v) && v == 2);
	json_free(a);
	json_free(b);
}
