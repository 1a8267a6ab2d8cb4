// SPDX-License-Identifier: GPL-2.0
/* Wall-time breakdowns and the critical path; see breakdown.h. */
#include <stdlib.h>
#include <string.h>

#include "analysis/breakdown.h"
#include "analysis/critpath.h"
#include "lib/util.h"

#define END_SLACK_NS (2 * NSEC_PER_MSEC) /* a child's final switch trails its parent's wakeup */
#define MAX_DEPTH 4096

const char *bd_class_name(unsigned int c)
{
	static const char *const names[BD_N] = {
		[BD_ONCPU] = "oncpu", [BD_RUNQ] = "runq",	[BD_IO] = "io",
		[BD_NET] = "net",     [BD_LOCK] = "lock",	[BD_SLEEP] = "sleep",
		[BD_POLL] = "poll",   [BD_CHILD] = "child",	[BD_OTHER] = "other",
		[BD_MEM] = "memory",  [BD_UNKNOWN] = "unknown",
	};

	return c < BD_N ? names[c] : "?";
}

const char *bd_ns_key(unsigned int c)
{
	static const char *const keys[BD_N] = {
		[BD_ONCPU] = "oncpu_ns", [BD_RUNQ] = "runq_ns",	      [BD_IO] = "io_ns",
		[BD_NET] = "net_ns",	 [BD_LOCK] = "lock_ns",	      [BD_SLEEP] = "sleep_ns",
		[BD_POLL] = "poll_ns",	 [BD_CHILD] = "child_ns",     [BD_OTHER] = "other_ns",
		[BD_MEM] = "memory_ns",	 [BD_UNKNOWN] = "unknown_ns",
	};

	return c < BD_N ? keys[c] : "?";
}

static unsigned int bd_dominant(const struct breakdown *bd)
{
	unsigned int best = 0;

	for (unsigned int c = 1; c < BD_N; c++)
		if (bd->ns[c] > bd->ns[best])
			best = c;
	return best;
}

/* bd->ns = raw scaled so that it adds up to @wall exactly (the remainder to the largest). */
static void scale_into(struct breakdown *bd, const uint64_t *raw, uint64_t wall)
{
	unsigned __int128 total = 0;
	uint64_t sum = 0;
	unsigned int big = BD_OTHER;

	memset(bd, 0, sizeof(*bd));
	bd->wall_ns = wall;
	for (unsigned int c = 0; c < BD_N; c++) {
		total += raw[c];
		if (raw[c] > raw[big])
			big = c;
	}
	if (!wall)
		return;
	if (!total) {
		bd->ns[BD_OTHER] = wall;
		return;
	}
	for (unsigned int c = 0; c < BD_N; c++) {
		bd->ns[c] = (uint64_t)((unsigned __int128)raw[c] * wall / total);
		sum += bd->ns[c];
	}
	bd->ns[big] += wall - sum;
}

/*
 * The share of @p's time on a CPU spent in reclaim (its passes less their waits, which
 * are WC_MEM): memory's, not the process's own work.
 */
static double reclaim_cpu_share(const struct process *p)
{
	uint64_t mem_wait = p->m.sched.wait_ns[WC_MEM], rc = p->m.mem.reclaim_ns;
	uint64_t rc_cpu = rc > mem_wait ? rc - mem_wait : 0, on = p->m.sched.oncpu_ns;

	return !on ? 0 : rc_cpu >= on ? 1.0 : (double)rc_cpu / (double)on;
}

/* Move @p's reclaim share of the on-CPU time in @ns to memory. */
static uint64_t reclaim_to_memory(const struct process *p, uint64_t *ns)
{
	uint64_t move = (uint64_t)((double)ns[BD_ONCPU] * reclaim_cpu_share(p));

	ns[BD_ONCPU] -= move;
	ns[BD_MEM] += move;
	return move;
}

static void proc_breakdown(const struct process *p, const struct snapshot *s, struct breakdown *bd)
{
	const struct sched_metrics *ps = &p->m.sched;
	uint64_t raw[BD_N] = {
		[BD_ONCPU] = ps->oncpu_ns,	    [BD_RUNQ] = ps->runq_ns,
		[BD_IO] = ps->wait_ns[WC_IO],	    [BD_NET] = ps->wait_ns[WC_NET],
		[BD_LOCK] = ps->wait_ns[WC_LOCK],   [BD_SLEEP] = ps->wait_ns[WC_SLEEP],
		[BD_POLL] = ps->wait_ns[WC_POLL],   [BD_CHILD] = ps->wait_ns[WC_CHILD],
		[BD_OTHER] = ps->wait_ns[WC_OTHER], [BD_UNKNOWN] = ps->unaccounted_ns,
		[BD_MEM] = ps->wait_ns[WC_MEM],
	};

	reclaim_to_memory(p, raw);

	scale_into(bd, raw, proc_wall_ns(p, s));
}

struct expand {
	const struct snapshot *s;
	const struct breakdown *bd; /* per process */
	int32_t *parent;   /* proc index of each proc's parent, -1 if not in the snapshot */
	size_t **children; /* proc index lists */
	size_t *n_children;
	uint64_t acc[BD_N];
	struct path_step *path;
	size_t n_path;
};

static uint64_t p_start(const struct snapshot *s, const struct process *p)
{
	return p->start_ns > s->start_ns ? p->start_ns : s->start_ns;
}

static uint64_t p_end(const struct snapshot *s, const struct process *p)
{
	return p->end_ns && p->end_ns < s->end_ns ? p->end_ns : s->end_ns;
}

/*
 * Add @own ns of process @i's time, split as its own breakdown is, less the waits for
 * children that the path already covered (@covered ns: their own classes replaced them).
 */
static void add_own(struct expand *x, size_t i, uint64_t own, uint64_t covered)
{
	const struct breakdown *bd = &x->bd[i];
	uint64_t raw[BD_N];
	struct breakdown part;
	bool any = false;

	for (unsigned int c = 0; c < BD_N; c++) {
		raw[c] = bd->ns[c];
		if (c == BD_CHILD)
			raw[c] = raw[c] > covered ? raw[c] - covered : 0;
		any |= raw[c] != 0;
	}
	if (!any)
		raw[BD_CHILD] = 1; /* it only waited for children that were not on the path */
	scale_into(&part, raw, own);
	for (unsigned int c = 0; c < BD_N; c++)
		x->acc[c] += part.ns[c];
}

static int cmp_end_desc(const void *a, const void *b, void *ctx)
{
	const struct snapshot *s = ctx;
	uint64_t ea = p_end(s, &s->procs[*(const size_t *)a]);
	uint64_t eb = p_end(s, &s->procs[*(const size_t *)b]);

	return ea < eb ? 1 : ea > eb ? -1 : 0;
}

/* Process @i's part of the path within [a, b]: its last-ending children first, back in time. */
static void expand(struct expand *x, size_t i, uint64_t a, uint64_t b, int depth)
{
	uint64_t t = b, covered = 0;

	if (depth < MAX_DEPTH) {
		for (size_t k = 0; k < x->n_children[i]; k++) {
			size_t c = x->children[i][k];
			const struct process *cp = &x->s->procs[c];
			uint64_t cs = p_start(x->s, cp), ce = p_end(x->s, cp);

			if (ce > t + END_SLACK_NS || ce <= a)
				continue; /* ended after a later critical child, or before the
					     window */
			if (ce > t)
				ce = t;
			if (cs < a)
				cs = a;
			if (cs >= ce)
				continue;
			expand(x, c, cs, ce, depth + 1);
			covered += ce - cs;
			t = cs;
		}
	}
	x->path = xrealloc(x->path, sizeof(*x->path) * (x->n_path + 1));
	memset(&x->path[x->n_path], 0, sizeof(x->path[x->n_path]));
	x->path[x->n_path].proc = i;
	x->path[x->n_path].on_path_ns = b - a - covered;
	x->n_path++;
	add_own(x, i, b - a - covered, covered);
}

static int cmp_path_start(const void *a, const void *b, void *ctx)
{
	const struct snapshot *s = ctx;
	const struct path_step *x = a, *y = b;
	uint64_t sa = p_start(s, &s->procs[x->proc]), sb = p_start(s, &s->procs[y->proc]);

	if (sa != sb)
		return sa < sb ? -1 : 1;
	/* started together (a parent and its first child within a tick): creation order */
	return s->procs[x->proc].slot < s->procs[y->proc].slot ? -1 : 1;
}

/*
 * The path of root process @root walked through who ended each wait: the target's
 * breakdown and the path's steps, the processes (target and peers) it went through.
 * False if the history does not have the root.
 */
static bool by_wakeups(const struct snapshot *s, size_t root, struct breakdowns *out)
{
	const struct process *r = &s->procs[root];
	struct critpath *c = xcalloc(1, sizeof(*c));
	uint64_t raw[BD_N];

	if (!s->history ||
	    !critpath_compute(s, s->history, r->pid, r->pid, p_start(s, r), p_end(s, r), c)) {
		free(c);
		return false;
	}
	/* as proc_breakdown: each process's reclaim on a CPU is memory's */
	for (size_t i = 0; i < c->n_parts; i++) {
		const struct process *p = proc_ref_get(s, c->parts[i].proc);
		uint64_t move = p ? reclaim_to_memory(p, c->parts[i].ns) : 0;

		if (move > c->total.ns[BD_ONCPU])
			move = c->total.ns[BD_ONCPU];
		c->total.ns[BD_ONCPU] -= move;
		c->total.ns[BD_MEM] += move;
	}
	memcpy(raw, c->total.ns, sizeof(raw));
	scale_into(&out->target, raw, p_end(s, r) - p_start(s, r));
	out->path = xcalloc(c->n_parts + 1, sizeof(*out->path));
	for (size_t i = 0; i < c->n_parts; i++) {
		struct path_step *st = &out->path[out->n_path++];

		st->proc = c->parts[i].proc.i;
		st->peer = c->parts[i].proc.peer;
		st->via = c->parts[i].has_via ? proc_ref_get(s, c->parts[i].via) : NULL;
		st->on_path_ns = c->parts[i].total_ns;
		memcpy(st->ns, c->parts[i].ns, sizeof(st->ns));
		for (unsigned int k = 0; st->peer && k < BD_N; k++)
			out->in_peers.ns[k] +=
				(uint64_t)((unsigned __int128)st->ns[k] * out->target.wall_ns /
					   (c->total.wall_ns ? c->total.wall_ns : 1));
		st->dominant = 0;
		for (unsigned int k = 1; k < BD_N; k++)
			if (st->ns[k] > st->ns[st->dominant])
				st->dominant = k;
	}
	out->in_peers.wall_ns = out->target.wall_ns;
	out->in_peers.dominant = bd_dominant(&out->in_peers);
	out->detail = c;
	out->by_wakeups = true;
	return true;
}

const struct process *path_step_proc(const struct snapshot *s, const struct path_step *st)
{
	return st->peer ? &s->peers[st->proc] : &s->procs[st->proc];
}

void breakdown_compute(const struct snapshot *s, struct breakdowns *out)
{
	struct expand x = {.s = s};
	size_t roots = 0, root = 0;

	memset(out, 0, sizeof(*out));
	out->peers = xcalloc(s->n_peers + 1, sizeof(*out->peers));
	for (size_t i = 0; i < s->n_peers; i++) {
		proc_breakdown(&s->peers[i], s, &out->peers[i]);
		out->peers[i].dominant = bd_dominant(&out->peers[i]);
	}
	if (!s->n_procs)
		return;
	out->procs = xcalloc(s->n_procs, sizeof(*out->procs));
	for (size_t i = 0; i < s->n_procs; i++) {
		struct breakdown *bd = &out->procs[i];

		proc_breakdown(&s->procs[i], s, bd);
		out->target.wall_ns += bd->wall_ns;
		for (unsigned int c = 0; c < BD_N; c++)
			out->target.ns[c] += bd->ns[c];
	}
	x.bd = out->procs;
	x.parent = xcalloc(s->n_procs, sizeof(*x.parent));
	x.children = xcalloc(s->n_procs, sizeof(*x.children));
	x.n_children = xcalloc(s->n_procs, sizeof(*x.n_children));
	for (size_t i = 0; i < s->n_procs; i++) {
		const struct process *p = &s->procs[i];

		x.parent[i] = -1;
		/* the parent: that pid, the latest one to start before the child (pids recycle) */
		for (size_t j = 0; j < s->n_procs; j++)
			if (j != i && s->procs[j].pid == p->ppid &&
			    s->procs[j].start_ns <= p->start_ns &&
			    (x.parent[i] < 0 ||
			     s->procs[j].start_ns > s->procs[x.parent[i]].start_ns))
				x.parent[i] = (int32_t)j;
		if (x.parent[i] < 0 && s->procs[i].slot != SLOT_OVERFLOW) {
			roots++;
			root = i;
		}
	}
	for (size_t i = 0; i < s->n_procs; i++) {
		int32_t p = x.parent[i];

		if (p < 0)
			continue;
		x.children[p] =
			xrealloc(x.children[p], sizeof(**x.children) * (x.n_children[p] + 1));
		x.children[p][x.n_children[p]++] = i;
	}
	for (size_t i = 0; i < s->n_procs; i++)
		if (x.n_children[i] > 1)
			qsort_r(x.children[i], x.n_children[i], sizeof(**x.children), cmp_end_desc,
				(void *)s);

	if (roots == 1 && !s->system && by_wakeups(s, root, out)) {
		out->expanded = true;
		free(x.path);
	} else if (roots == 1 && !s->system) {
		expand(&x, root, p_start(s, &s->procs[root]), p_end(s, &s->procs[root]), 0);
		out->target.wall_ns = p_end(s, &s->procs[root]) - p_start(s, &s->procs[root]);
		memcpy(out->target.ns, x.acc, sizeof(x.acc));
		if (x.n_path > 1)
			qsort_r(x.path, x.n_path, sizeof(*x.path), cmp_path_start, (void *)s);
		out->path = x.path;
		out->n_path = x.n_path;
		out->expanded = true;
	} else {
		free(x.path);
	}
	for (size_t i = 0; i < s->n_procs; i++)
		out->procs[i].dominant = bd_dominant(&out->procs[i]);
	for (size_t i = 0; !out->by_wakeups && i < out->n_path; i++)
		out->path[i].dominant = out->procs[out->path[i].proc].dominant;
	out->target.dominant = bd_dominant(&out->target);
	for (size_t i = 0; i < s->n_procs; i++)
		free(x.children[i]);
	free(x.children);
	free(x.n_children);
	free(x.parent);
}

void breakdowns_release(struct breakdowns *b)
{
	free(b->procs);
	free(b->peers);
	free(b->path);
	if (b->detail) {
		critpath_release(b->detail);
		free(b->detail);
	}
	memset(b, 0, sizeof(*b));
}
