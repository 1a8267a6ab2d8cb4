// SPDX-License-Identifier: GPL-2.0
/* Metric names and threshold values, durations and decimals as the CLI reads them. */
#include "fuzz.h"
#include "analysis/metric.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum metric_unit units[] = {MU_NS, MU_BYTES, MU_SHARE, MU_COUNT};
	char *s = fuzz_str(data, size), err[256];
	struct metric m;
	const char *end;
	uint64_t ns;
	size_t used;
	double v;

	if (!s)
		return 0;
	metric_lookup(s, &m);
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		metric_parse_value(s, units[i], &v, &used, err, sizeof(err));
	parse_duration_ns(s, &ns, "s");
	parse_decimal(s, &v, &end);
	free(s);
	return 0;
}
