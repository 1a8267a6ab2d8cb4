// SPDX-License-Identifier: GPL-2.0
/* The JSON reader, and metric paths looked up in what it parsed. */
#include "fuzz.h"
#include "lib/json_reader.h"
#include "analysis/metric.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[128];
	struct jval *v = json_parse((const char *)data, size, err, sizeof(err));
	struct metric m;
	double x;

	if (!v)
		return 0;
	json_path(v, "target.sched.oncpu_ns");
	json_path(v, "a.b.c.d");
	if (metric_lookup("runq.p99", &m))
		metric_value_json(&m, json_get(v, "target"), &x);
	if (metric_lookup("syscall.read.count", &m))
		metric_value_json(&m, v, &x);
	json_free(v);
	return 0;
}
