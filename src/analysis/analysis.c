// SPDX-License-Identifier: GPL-2.0
/* The analysis stage: breakdowns, findings, and the checks' results; see analysis.h. */
#include <string.h>

#include "analysis/analysis.h"
#include "analysis/baseline.h"

void analysis_compute(struct analysis *a, const struct snapshot *s, const char *desc)
{
	memset(a, 0, sizeof(*a));
	breakdown_compute(s, &a->bd);
	diagnose(s, &a->bd, desc ? desc : "the target", &a->findings);
}

void analysis_verdicts(struct analysis *a, const struct baseline_cmp *baseline,
		       const struct alerts *alerts)
{
	struct finding reg;

	a->alerts = alerts;
	if (!baseline || a->baseline)
		return;
	a->baseline = baseline;
	if (baseline_finding(baseline, &reg))
		diagnosis_add(&a->findings, &reg);
}

void analysis_release(struct analysis *a)
{
	breakdowns_release(&a->bd);
	diagnosis_release(&a->findings);
	memset(a, 0, sizeof(*a));
}
