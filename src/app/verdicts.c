// SPDX-License-Identifier: GPL-2.0
/* The run's checks: alert rules and the baseline; see checks.h. */
#include "app/verdicts.h"

void verdicts_run(const struct verdicts *c, const struct snapshot *s, struct analysis *a,
		  uint64_t unix_ns)
{
	bool final = s->kind == SNAP_REPORT, base = c->bl && c->bl->root;
	size_t first;

	if (final && base)
		baseline_compare(c->bl, s, &a->bd, c->subsys, c->cmp);
	if (c->alerts) {
		pthread_mutex_lock(c->mu);
		first = c->alerts->n_fired;
		alerts__eval(c->alerts, s, &a->bd, c->subsys, final && base ? c->bl->root : NULL,
			     unix_ns);
		for (size_t i = first; c->emit && i < c->alerts->n_fired; i++)
			c->emit(c->ctx, &c->alerts->fired[i]);
		pthread_mutex_unlock(c->mu);
	}
	if (final)
		analysis_verdicts(a, base ? c->cmp : NULL, c->alerts);
}
