// SPDX-License-Identifier: GPL-2.0
/* Baselines: an NDJSON file read for its last report record, then compared with itself. */
#include "analysis/baseline.h"
#include "analysis/diagnose.h"
#include "fuzz.h"
#include "lib/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct baseline b;
	char err[512];

	log_verbosity = -1;
	if (baseline_parse((const char *)data, size, "fuzz", &b, err, sizeof(err)) == 0) {
		struct baseline_cmp c;
		struct finding f;

		baseline_compare(&b, b.root, &c);
		baseline_finding(&c, &f);
		baseline_cmp_release(&c);
		baseline_release(&b);
	}
	return 0;
}
