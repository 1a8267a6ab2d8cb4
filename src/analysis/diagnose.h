/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What is the bottleneck? Findings in plain words, ranked, each with its evidence and
 * a next step, from the breakdown (breakdown.h), the subsystems' numbers and, when
 * there, the stacks. The thresholds are in docs/diagnosis.md.
 */
#ifndef PROCSCOPE_DIAGNOSE_H
#define PROCSCOPE_DIAGNOSE_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/breakdown.h"
#include "model/snapshot.h"

enum ev_type { EVD_NS, EVD_BYTES, EVD_NUM, EVD_SHARE, EVD_STR };

struct evidence {
	const char *key; /* JSON key; _ns / _bytes suffixes where they apply */
	enum ev_type type;
	uint64_t num;
	double share;
	char str[160];
};

#define FINDING_MAX_EVIDENCE 20

struct finding {
	/* cpu, cpu_contention, cpu_wakeup_latency, cpu_confined, cpu_throttled, disk,
	 * network, lock, sleep, poll, other, memory, syscalls */
	const char *kind;
	double score; /* share of the wall time it explains (0..1); 1 for an OOM kill */
	char summary[1024];
	char suggestion[256];
	struct evidence ev[FINDING_MAX_EVIDENCE];
	int n_ev;
};

struct diagnosis {
	struct finding *f; /* best first */
	size_t n;
};

/* @desc names the target in sentences ("`make -j4`", "pid 4242"). */
void diagnose(const struct snapshot *s, const struct breakdowns *bd, const char *desc,
	      struct diagnosis *out);
/* Add a finding from elsewhere (a baseline regression), keeping the order. */
void diagnosis_add(struct diagnosis *d, const struct finding *f);
void diagnosis_release(struct diagnosis *d);

#endif
