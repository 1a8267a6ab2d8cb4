// SPDX-License-Identifier: GPL-2.0
/* Processes summed per label set; see groups.h. */
#include <stdlib.h>
#include <string.h>

#include "analysis/groups.h"
#include "lib/util.h"

static bool same_labels(const struct proc_group *g, const struct process *p, bool by_pid)
{
	const char *cg = p->cgroup ? p->cgroup : "";

	return !strcmp(g->comm, p->comm) && !strcmp(g->cgroup, cg) && (!by_pid || g->pid == p->pid);
}

static void add_syscalls(struct metrics *t, const struct metrics *m)
{
	for (size_t i = 0; i < m->n_syscalls; i++) {
		const struct syscall_stat *s = &m->syscalls[i];
		size_t k = 0;

		while (k < t->n_syscalls && t->syscalls[k].nr != s->nr)
			k++;
		if (k == t->n_syscalls) {
			t->syscalls = xrealloc(t->syscalls, (k + 1) * sizeof(*t->syscalls));
			memset(&t->syscalls[k], 0, sizeof(t->syscalls[k]));
			t->syscalls[k].nr = s->nr;
			t->n_syscalls++;
		}
		t->syscalls[k].lat.count += s->lat.count;
		t->syscalls[k].errors += s->errors;
		t->syscalls[k].lat.sum_ns += s->lat.sum_ns;
	}
}

static void group_add(struct proc_group *g, const struct process *p)
{
	g->processes += process_count_of(p);
	g->running += !(p->flags & PROC_F_EXITED) && !p->folded && p->slot != SLOT_OVERFLOW;
	metrics_add(&g->m, &p->m);
	add_syscalls(&g->m, &p->m);
}

static int cmp_group_cpu(const void *a, const void *b)
{
	const struct proc_group *x = a, *y = b;
	uint64_t u = x->m.sched.oncpu_ns + x->m.sched.runq_ns;
	uint64_t v = y->m.sched.oncpu_ns + y->m.sched.runq_ns;

	return u < v ? 1 : u > v ? -1 : strcmp(x->comm, y->comm);
}

void proc_groups_build(struct proc_groups *out, const struct snapshot *s, bool by_pid)
{
	struct proc_group *g = xcalloc(s->n_procs ? s->n_procs : 1, sizeof(*g));
	size_t n = 0;

	for (size_t i = 0; i < s->n_procs; i++) {
		const struct process *p = &s->procs[i];
		size_t k = 0;

		while (k < n && !same_labels(&g[k], p, by_pid))
			k++;
		if (k == n) {
			g[k].comm = p->comm;
			g[k].cgroup = p->cgroup ? p->cgroup : "";
			g[k].pid = by_pid ? p->pid : 0;
			n++;
		}
		group_add(&g[k], p);
	}
	qsort(g, n, sizeof(*g), cmp_group_cpu);
	out->g = g;
	out->n = n;
}

void proc_groups_release(struct proc_groups *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->g[i].m.syscalls);
	free(g->g);
	memset(g, 0, sizeof(*g));
}
