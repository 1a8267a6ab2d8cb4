// SPDX-License-Identifier: GPL-2.0
/*
 * Baselines: an NDJSON file read for its last report record, then compared with a run
 * (a small model: one exec'd process, every figure set) through every metric and step.
 */
#include "analysis/baseline.h"
#include "analysis/diagnose.h"
#include "fuzz.h"
#include "lib/log.h"
#include "model/subsys.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct process p = {.slot = SLOT_FIRST,
			    .pid = 2,
			    .flags = PROC_F_EXECED | PROC_F_EXITED,
			    .comm = "sh",
			    .cmdline = (char *)"sh run.sh",
			    .start_ns = 1,
			    .end_ns = 2000000000};
	struct snapshot s = {.kind = SNAP_REPORT, .end_ns = 3000000000, .procs = &p, .n_procs = 1};
	struct breakdown bd_p = {.wall_ns = 1};
	struct breakdowns bd = {.procs = &bd_p};
	struct baseline b;
	char err[512];

	log_verbosity = -1;
	for (size_t i = 0; i < n_counter_defs; i++)
		*counter_ptr(&s.target, &counter_defs[i]) = 1000 * (i + 1);
	if (baseline_parse((const char *)data, size, "fuzz", &b, err, sizeof(err)) == 0) {
		struct baseline_cmp c;
		struct finding f;

		baseline_compare(&b, &s, &bd, SUB_ALL, &c);
		baseline_finding(&c, &f);
		baseline_cmp_release(&c);
		baseline_release(&b);
	}
	return 0;
}
