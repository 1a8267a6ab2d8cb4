// SPDX-License-Identifier: GPL-2.0
/*
 * From raw kernel tables to the model: per-process metrics, the target's totals,
 * devices and remote endpoints, and for interval reports the difference between two
 * dumps.
 *
 * Counters are monotonic, so a difference is a subtraction. A maximum is not: an
 * interval's maximum is the exact one when it rose in the interval and otherwise the
 * top of the highest bucket that gained samples (an upper bound, within the
 * histogram's error). Stat rows are grouped by (owner, kind, key) before they are
 * summarized, so rows that two CPUs allocated for the same pair in a race are merged.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "kernel/proc_rec.h"
#include "kernel/raw_dump.h"
#include "lib/syscall_table.h"
#include "lib/util.h"
#include "model/snapshot.h"

static uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* d -= p over arrays of uint64_t counters. */
static void u64s_sub(void *d, const void *p, size_t size)
{
	uint64_t *dv = d;
	const uint64_t *pv = p;

	for (size_t i = 0; i < size / sizeof(uint64_t); i++)
		dv[i] = sub_sat(dv[i], pv[i]);
}

/* @c minus @p, for one row: the events that arrived in between. */
static void row_delta(struct stat_row *d, const struct stat_row *c, const struct stat_row *p)
{
	*d = *c;
	if (!p || p->kind != c->kind || p->slot != c->slot || p->key != c->key)
		return;
	d->count = sub_sat(c->count, p->count);
	d->timed = sub_sat(c->timed, p->timed);
	d->sum_ns = sub_sat(c->sum_ns, p->sum_ns);
	d->errors = sub_sat(c->errors, p->errors);
	for (int i = 0; i < 4; i++)
		if (p->err_code[i] == c->err_code[i])
			d->err_count[i] = c->err_count[i] > p->err_count[i]
						  ? c->err_count[i] - p->err_count[i]
						  : 0;
	for (uint32_t i = 0; i < HIST_SLOTS; i++)
		d->hist[i] = c->hist[i] > p->hist[i] ? c->hist[i] - p->hist[i] : 0;
	if (!d->timed) {
		d->max_ns = 0;
	} else if (c->max_ns == p->max_ns) {
		for (int i = (int)HIST_SLOTS - 1; i >= 0; i--) {
			if (d->hist[i]) {
				uint64_t lo, hi;

				hist_bucket_bounds(i, &lo, &hi);
				if (hi - 1 < d->max_ns)
					d->max_ns = hi - 1;
				break;
			}
		}
	}
}

/* Rows of one (owner, kind, key), merged. */
struct group {
	uint32_t slot, kind, key;
	uint64_t count, timed, errors;
	uint32_t err_code[16];
	uint64_t err_count[16];
	struct hist h; /* weighted: see struct stat_row */
};

static void group_add(struct group *g, const struct stat_row *r)
{
	hist_add_bins32(&g->h, r->hist, r->sum_ns, r->max_ns);
	g->count += r->count;
	g->timed += r->timed;
	g->errors += r->errors;
	for (int i = 0; i < 4; i++) {
		if (!r->err_code[i] || !r->err_count[i])
			continue;
		for (int j = 0; j < 16; j++) {
			if (g->err_code[j] == r->err_code[i] || !g->err_code[j]) {
				g->err_code[j] = r->err_code[i];
				g->err_count[j] += r->err_count[i];
				break;
			}
		}
	}
}

/* Percentiles from the (weighted) histogram; the count from the exact counter. */
static void group_lat(const struct group *g, struct lat *out)
{
	hist_summarize(&g->h, out);
	out->count = g->count;
}

static void group_syscall(const struct group *g, struct syscall_stat *s)
{
	memset(s, 0, sizeof(*s));
	s->nr = g->key;
	s->timed = g->timed;
	s->errors = g->errors;
	for (int i = 0; i < 16; i++) {
		if (g->err_code[i] && g->err_count[i] > s->top_errno_count) {
			s->top_errno = g->err_code[i];
			s->top_errno_count = g->err_count[i];
		}
	}
	group_lat(g, &s->lat);
}

static struct hist *hist_dup(const struct hist *h)
{
	struct hist *d = xmalloc(sizeof(*d));

	*d = *h;
	return d;
}

static void syscall_append(struct metrics *m, const struct syscall_stat *s)
{
	m->syscalls = xrealloc(m->syscalls, sizeof(*m->syscalls) * (m->n_syscalls + 1));
	m->syscalls[m->n_syscalls++] = *s;
}

static int cmp_syscall_total(const void *a, const void *b)
{
	const struct syscall_stat *x = a, *y = b;

	if (x->lat.sum_ns != y->lat.sum_ns)
		return x->lat.sum_ns < y->lat.sum_ns ? 1 : -1;
	if (x->lat.count != y->lat.count)
		return x->lat.count < y->lat.count ? 1 : -1;
	return (int)x->nr - (int)y->nr;
}

/* Syscall totals, the accepts they imply, and the order reports print them in. */
static void metrics_finish(struct metrics *m, bool have_syscalls)
{
	static int nr_accept = -2, nr_accept4 = -2;

	if (nr_accept == -2) {
		nr_accept = syscall_nr("accept");
		nr_accept4 = syscall_nr("accept4");
	}
	m->syscall_count = m->syscall_errors = m->syscall_total_ns = 0;
	m->net.accepts = 0;
	m->net.accepts_known = have_syscalls;
	for (size_t i = 0; i < m->n_syscalls; i++) {
		const struct syscall_stat *s = &m->syscalls[i];

		m->syscall_count += s->lat.count;
		m->syscall_errors += s->errors;
		m->syscall_total_ns += s->lat.sum_ns;
		if ((int)s->nr == nr_accept || (int)s->nr == nr_accept4)
			m->net.accepts += sub_sat(s->lat.count, s->errors);
	}
	if (m->n_syscalls > 1)
		qsort(m->syscalls, m->n_syscalls, sizeof(*m->syscalls), cmp_syscall_total);
}

/* The per-process distribution a row kind feeds (model/metrics.h), or NULL. */
static struct lat *proc_lat(struct metrics *m, uint32_t kind)
{
	for (size_t i = 0; i < n_dist_defs; i++)
		if (dist_defs[i].row == kind)
			return (struct lat *)dist_get(m, &dist_defs[i]);
	return NULL;
}

/* The aggregate record of pseudo slot @slot in @d, or NULL (recycle.h). */
static const struct raw_agg *agg_of(const struct raw_dump *d, uint32_t slot)
{
	return d->agg && slot >= d->agg_first && slot - d->agg_first < d->n_agg
		       ? &d->agg[slot - d->agg_first]
		       : NULL;
}

static bool proc_in_window(const struct proc_rec *r, uint64_t start, uint64_t end)
{
	return r->start_ns <= end && (!r->end_ns || r->end_ns >= start);
}

static const char *inherited_cmdline(const struct snapshot *s, size_t upto, uint32_t ppid)
{
	for (size_t i = upto; ppid && i-- > 0;)
		if (s->procs[i].pid == ppid && s->procs[i].slot != SLOT_OVERFLOW &&
		    s->procs[i].cmdline)
			return s->procs[i].cmdline;
	return NULL;
}

static bool proc_empty(const struct process *p)
{
	static const struct sched_metrics zero;
	const struct metrics *m = &p->m;

	return !m->n_syscalls && !memcmp(&m->sched, &zero, sizeof(zero)) &&
	       !io_total_bytes(&m->io) && !m->io.wb_bytes && !m->io.ops[IO_FLUSH] &&
	       !m->net.tx_bytes && !m->net.rx_bytes && !m->net.connects && !m->net.closes &&
	       !m->mem.minor_faults && !m->mem.major_faults;
}

static void build_procs(struct snapshot *out, const struct raw_dump *cur,
			const struct raw_dump *prev, int32_t *index)
{
	static const struct proc_rec none;

	for (uint32_t slot = 0; slot < cur->n_procs; slot++) {
		/* (a slot never written is zero: not read, its page not brought in) */
		const struct proc_rec *r = raw_dump_written(cur, slot) ? &cur->procs[slot] : &none;
		const struct proc_rec *pr = !prev || slot >= prev->n_procs ? NULL
					    : raw_dump_written(prev, slot) ? &prev->procs[slot]
									   : &none;
		struct process *p;

		const struct raw_agg *agg = agg_of(cur, slot),
				     *pagg = prev ? agg_of(prev, slot) : NULL;
		/* an aggregate of recycled processes: those folded in during the span */
		uint64_t folded = agg ? agg->folded - (pagg ? pagg->folded : 0) : 0;

		index[slot] = -1;
		if (slot < SLOT_OVERFLOW)
			continue;
		if (agg && !folded)
			continue;
		if (!agg && slot >= SLOT_FIRST && (!r->pid || (r->flags & PROC_F_DUP)))
			continue;
		if (prev && slot >= SLOT_FIRST && !agg &&
		    !proc_in_window(r, out->start_ns, out->end_ns))
			continue;
		p = &out->procs[out->n_procs];
		p->slot = slot;
		p->pid = agg ? 0 : r->pid;
		p->folded = folded;
		p->lifetime_ns = agg ? agg->lifetime_ns - (pagg ? pagg->lifetime_ns : 0) : 0;
		p->ppid = r->ppid;
		p->flags = r->flags;
		p->hops = r->depth;
		p->exit_status = r->exit_code;
		p->start_ns = r->start_ns;
		p->exec_ns = r->exec_ns;
		p->end_ns = r->end_ns;
		p->cgid = r->cgid;
		memcpy(p->comm, r->comm, COMM_LEN);
		proc_rec_to_metrics(&p->m, r);
		if (cur->live) {
			p->m.mem.rss_bytes = cur->live[slot].rss_bytes;
			if (cur->live[slot].rss_peak_bytes > p->m.mem.rss_peak_bytes)
				p->m.mem.rss_peak_bytes = cur->live[slot].rss_peak_bytes;
		}
		if (pr && pr->pid == r->pid) {
			/* an interval: the change since the previous dump */
			struct metrics before = {0};

			proc_rec_to_metrics(&before, pr);
			metrics_sub(&p->m, &before);
		}
		p->m.io.deferred_cgid = r->io.deferred_cgid;
		p->m.mem.memcg_id = r->mem.memcg_id;
		if (slot == SLOT_OVERFLOW) {
			snprintf(p->comm, sizeof(p->comm), "[overflow]");
			p->start_ns = out->start_ns;
		}
		index[slot] = (int32_t)out->n_procs++;
	}
}

void format_remote(const struct net_remote_key *k, char *buf, size_t len)
{
	static const unsigned char v4mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char a[INET6_ADDRSTRLEN];

	if (!memcmp(k->addr, v4mapped, sizeof(v4mapped))) {
		inet_ntop(AF_INET, k->addr + 12, a, sizeof(a));
		snprintf(buf, len, "%s:%u", a, k->port);
	} else {
		inet_ntop(AF_INET6, k->addr, a, sizeof(a));
		snprintf(buf, len, "[%s]:%u", a, k->port);
	}
}

/* Row deltas (intervals) or the rows themselves, in (owner, kind, key) order. */
struct row_view {
	const struct stat_row **rows;
	size_t n;
	struct stat_row *owned;
};

static int cmp_row(const void *a, const void *b)
{
	const struct stat_row *x = *(const struct stat_row *const *)a;
	const struct stat_row *y = *(const struct stat_row *const *)b;

	if (x->slot != y->slot)
		return x->slot < y->slot ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	return (int)x->key - (int)y->key;
}

static void rows_view(struct row_view *v, const struct raw_dump *cur, const struct raw_dump *prev)
{
	const struct stat_row *p;
	size_t used = 0, o = 0;

	/*
	 * The deltas packed, one after the other, and only those of rows that changed and
	 * had a value at the span's start: a row new in the span is its own delta, one
	 * unchanged is none (each delta written is a page of RSS, most of a monitor's rows
	 * are either)
	 */
	for (uint32_t k = 0; prev && k < cur->n_rows; k++)
		used += cur->rows[k].kind != 0;
	v->rows = xcalloc(cur->n_rows ? cur->n_rows : 1, sizeof(*v->rows));
	v->owned = prev ? xcalloc(used ? used : 1, sizeof(*v->owned)) : NULL;
	v->n = 0;
	/* @cur's rows packed (raw_dump.h) or at their indexes; @prev's found by index */
	for (uint32_t k = 0; k < cur->n_rows; k++) {
		uint32_t i = cur->row_at ? cur->row_at[k] : k;
		const struct stat_row *r = &cur->rows[k];

		if (i < ROW_OVF_SYSCALL || !r->kind)
			continue; /* being set up, or never used */
		p = prev ? raw_dump_row(prev, i) : NULL;
		if (p && p->kind == r->kind && p->slot == r->slot && p->key == r->key) {
			if (r->count <= p->count)
				continue; /* nothing since: no delta written (a page each) */
			row_delta(&v->owned[o], r, p);
			r = &v->owned[o++];
		} /* else all of it is the span's: the row itself */
		if (r->count)
			v->rows[v->n++] = r;
	}
	qsort(v->rows, v->n, sizeof(*v->rows), cmp_row);
}

/* Per-device and per-remote counters (their distributions come from rows). */
static void build_devices(struct snapshot *out, const struct raw_dump *cur,
			  const struct raw_dump *prev, const struct snapshot_names *names)
{
	out->devices = xcalloc(cur->n_devs ? cur->n_devs : 1, sizeof(*out->devices));
	for (uint32_t i = 0; i < cur->n_devs; i++) {
		struct io_dev_rec d = cur->devs[i];
		struct io_device *o = &out->devices[i];

		if (prev && i < prev->n_devs && prev->devs[i].dev == d.dev) {
			struct io_dev_rec p = prev->devs[i];

			u64s_sub(d.ops, p.ops, sizeof(d.ops));
			u64s_sub(d.bytes, p.bytes, sizeof(d.bytes));
			d.wb_ops = sub_sat(d.wb_ops, p.wb_ops);
			d.wb_bytes = sub_sat(d.wb_bytes, p.wb_bytes);
		}
		o->dev = d.dev;
		memcpy(o->m.ops, d.ops, sizeof(d.ops));
		memcpy(o->m.bytes, d.bytes, sizeof(d.bytes));
		o->m.wb_ops = d.wb_ops;
		o->m.wb_bytes = d.wb_bytes;
		if (names && names->dev_name)
			names->dev_name(d.dev, o->name, sizeof(o->name));
		else
			snprintf(o->name, sizeof(o->name), "%u:%u", d.dev >> 20, d.dev & 0xfffff);
	}
	out->n_devices = cur->n_devs;

	out->remotes = xcalloc(cur->n_remotes ? cur->n_remotes : 1, sizeof(*out->remotes));
	for (uint32_t i = 0; i < cur->n_remotes; i++) {
		const struct net_remote_rec *r = &cur->remotes[i];
		const struct net_remote_rec *p =
			prev && i < prev->n_remotes && prev->remotes[i].key.family
				? &prev->remotes[i]
				: NULL;
		struct net_remote *o = &out->remotes[i];

		format_remote(&r->key, o->addr, sizeof(o->addr));
		o->connects = sub_sat(r->connects, p ? p->connects : 0);
		o->connect_failures = sub_sat(r->connect_failures, p ? p->connect_failures : 0);
		o->retransmits = sub_sat(r->retransmits, p ? p->retransmits : 0);
		o->tx_bytes = sub_sat(r->tx_bytes, p ? p->tx_bytes : 0);
		o->rx_bytes = sub_sat(r->rx_bytes, p ? p->rx_bytes : 0);
	}
	out->n_remotes = cur->n_remotes;
}

static void build_slow(struct snapshot *out, const struct raw_dump *cur, const int32_t *index)
{
	out->slow = xcalloc(cur->n_slow ? cur->n_slow : 1, sizeof(*out->slow));
	for (uint32_t i = 0; i < cur->n_slow; i++) {
		struct slow_req *s = &out->slow[out->n_slow];
		const struct io_slow *r = &cur->slow[i];

		if (!r->lat_ns)
			continue;
		s->lat_ns = r->lat_ns;
		s->queue_ns = r->queue_ns;
		s->sector = r->sector;
		s->bytes = r->bytes;
		s->op = r->op;
		s->writeback = r->writeback & IO_F_WRITEBACK;
		s->deferred = r->writeback & IO_F_DEFERRED;
		for (size_t d = 0; d < out->n_devices; d++)
			if (out->devices[d].dev == r->dev)
				snprintf(s->dev, sizeof(s->dev), "%s", out->devices[d].name);
		if (r->slot < cur->n_procs && (cur->procs[r->slot].flags & PROC_F_PEER))
			continue; /* a peer's request: not the target's */
		if (r->slot < cur->n_procs && index[r->slot] >= 0) {
			const struct process *p = &out->procs[index[r->slot]];

			s->pid = p->pid;
			memcpy(s->comm, p->comm, sizeof(s->comm));
		}
		out->n_slow++;
	}
}

static int cmp_conn_bytes(const void *a, const void *b)
{
	const struct conn_summary *x = a, *y = b;
	uint64_t bx = x->tx_bytes + x->rx_bytes, by = y->tx_bytes + y->rx_bytes;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

/* The connections that closed in the span, the largest kept. */
static void build_conns(struct snapshot *out, const struct raw_dump *cur, const int32_t *index)
{
	/* those let go of (conn_log__trim) closed before the span, unless it is the run's */
	if (out->start_ns < cur->conns_trimmed_until_ns)
		out->conns_closed += cur->conns_trimmed;
	for (size_t i = 0; i < cur->n_conns; i++) {
		const struct tcp_conn_info *c = &cur->conns[i];
		struct conn_summary *o;

		if (c->end_ns <= out->start_ns || c->end_ns > out->end_ns) /* (start, end] */
			continue;
		if (c->slot < cur->n_procs && (cur->procs[c->slot].flags & PROC_F_PEER) &&
		    cur->procs[c->slot].pid == c->pid)
			continue; /* a peer's connection: not the target's */
		out->conns_closed++;
		if (out->n_conns == SNAPSHOT_TOP_CONNS) {
			struct conn_summary *last = &out->conns[SNAPSHOT_TOP_CONNS - 1];

			qsort(out->conns, out->n_conns, sizeof(*o), cmp_conn_bytes);
			if (c->tx_bytes + c->rx_bytes <= last->tx_bytes + last->rx_bytes)
				continue;
			o = last;
		} else {
			o = &out->conns[out->n_conns++];
		}
		memset(o, 0, sizeof(*o));
		o->pid = c->pid;
		o->local_port = c->lport;
		o->passive = c->passive;
		o->end_ns = c->end_ns;
		o->lifetime_ns = c->lifetime_ns;
		o->tx_bytes = c->tx_bytes;
		o->rx_bytes = c->rx_bytes;
		o->retransmits = c->retransmits;
		format_remote(&c->key, o->remote, sizeof(o->remote));
		if (c->comm[0])
			memcpy(o->comm, c->comm, sizeof(c->comm)); /* o->comm is one longer */
		else if (c->slot < cur->n_procs && index[c->slot] >= 0)
			memcpy(o->comm, out->procs[index[c->slot]].comm, sizeof(o->comm));
	}
	qsort(out->conns, out->n_conns, sizeof(out->conns[0]), cmp_conn_bytes);
}

/* What the rows of one build gather besides each process's figures. */
struct rows_out {
	int32_t *index;	       /* slot -> process index in the snapshot, -1 if none */
	struct hist *target_h; /* [ROW_KIND_N]: the target's distributions */
	struct group **tsc;    /* [SYSCALL_NR_MAX]: the target's syscalls, by number */
	bool have_syscalls;
};

/* A device's or a remote endpoint's distribution; false if @g is of neither. */
static bool row_of_device_or_remote(struct snapshot *out, const struct group *g)
{
	switch (g->kind) {
	case ROW_IO_DEV_LAT:
	case ROW_IO_DEV_QUEUE:
		if (g->key >= 1 && g->key <= out->n_devices) {
			struct io_device *d = &out->devices[g->key - 1];

			group_lat(g, g->kind == ROW_IO_DEV_LAT ? &d->m.lat : &d->m.queue);
			if (g->kind == ROW_IO_DEV_LAT)
				d->lat_h = hist_dup(&g->h);
		}
		return true;
	case ROW_REMOTE_CONNECT:
	case ROW_REMOTE_RTT:
		if (g->key >= 1 && g->key <= out->n_remotes) {
			struct net_remote *m = &out->remotes[g->key - 1];

			group_lat(g, g->kind == ROW_REMOTE_CONNECT ? &m->connect : &m->rtt);
			*(g->kind == ROW_REMOTE_CONNECT ? &m->connect_h : &m->rtt_h) =
				hist_dup(&g->h);
		}
		return true;
	default:
		return false;
	}
}

/* The rows of (owner, kind, key) @g, merged: into their process, and into the target's. */
static void row_group_done(struct snapshot *out, const struct raw_dump *cur, struct rows_out *ro,
			   const struct group *g, bool owned)
{
	struct process *p = NULL;
	struct syscall_stat sc;
	struct lat *l;

	if (g->kind < ROW_KIND_N && g->kind != ROW_SYSCALL && (owned || g->slot == SLOT_NONE))
		hist_merge(&ro->target_h[g->kind], &g->h);
	if (!owned && g->slot < cur->n_procs && ro->index[g->slot] >= 0 &&
	    (g->kind == ROW_IO_DEV_LAT || g->kind == ROW_IO_DEV_QUEUE ||
	     g->kind == ROW_REMOTE_CONNECT || g->kind == ROW_REMOTE_RTT))
		return; /* a peer's, in the target's device and remote tables: not the target's */
	if (row_of_device_or_remote(out, g))
		return;
	if (g->slot < cur->n_procs && ro->index[g->slot] >= 0)
		p = &out->procs[ro->index[g->slot]];
	if (g->kind == ROW_SYSCALL) {
		ro->have_syscalls = true;
		group_syscall(g, &sc);
		if (p)
			syscall_append(&p->m, &sc);
		return;
	}
	if (p && (l = proc_lat(&p->m, g->kind)))
		group_lat(g, l);
}

/* Every stat row, grouped by (owner, kind, key): distributions and syscalls. */
static void build_rows(struct snapshot *out, const struct raw_dump *cur,
		       const struct raw_dump *prev, struct rows_out *ro)
{
	struct group *g = xmalloc(sizeof(*g));
	struct row_view v;

	rows_view(&v, cur, prev);
	for (size_t i = 0; i < v.n;) {
		const struct stat_row *r = v.rows[i];
		bool owned = r->slot < cur->n_procs && ro->index[r->slot] >= 0 &&
			     !(out->procs[ro->index[r->slot]].flags & PROC_F_PEER);

		memset(g, 0, sizeof(*g));
		g->slot = r->slot;
		g->kind = r->kind;
		g->key = r->key;
		for (; i < v.n && !cmp_row(&v.rows[i], &r); i++) {
			group_add(g, v.rows[i]);
			if (r->kind != ROW_SYSCALL || r->key >= SYSCALL_NR_MAX || !owned)
				continue;
			if (!ro->tsc[r->key]) {
				ro->tsc[r->key] = xcalloc(1, sizeof(**ro->tsc));
				ro->tsc[r->key]->key = r->key;
			}
			group_add(ro->tsc[r->key], v.rows[i]);
		}
		row_group_done(out, cur, ro, g, owned);
	}
	/* the target's syscalls: one entry per number, merged over processes */
	for (uint32_t nr = 0; nr < SYSCALL_NR_MAX; nr++) {
		struct syscall_stat sc;

		if (!ro->tsc[nr])
			continue;
		group_syscall(ro->tsc[nr], &sc);
		sc.h = hist_dup(&ro->tsc[nr]->h);
		syscall_append(&out->target, &sc);
		free(ro->tsc[nr]);
		ro->tsc[nr] = NULL;
	}
	free(v.rows);
	free(v.owned);
	free(g);
}

/* Process @i's command line and cgroup path, from @names or what it inherited. */
static void name_proc(struct snapshot *out, size_t i, const struct snapshot_names *names)
{
	struct process *p = &out->procs[i];
	const char *cl = names && names->cmdline ? names->cmdline(names->ctx, p->slot) : NULL;

	if (!cl && p->slot != SLOT_OVERFLOW && !(p->flags & PROC_F_EXECED))
		cl = inherited_cmdline(out, i, p->ppid); /* forked, never exec'd */
	if (names && names->cgroup && p->cgid) {
		const char *cg = names->cgroup(names->cgroup_ctx, p->cgid);

		p->cgroup = cg ? xstrdup(cg) : NULL;
	}
	if (p->folded) {
		p->cmdline = xmalloc(96);
		snprintf(p->cmdline, 96, "(%llu processes that exited, recycled)",
			 (unsigned long long)p->folded);
	} else if (cl)
		p->cmdline = xstrdup(cl);
	else if (p->slot == SLOT_OVERFLOW)
		p->cmdline = xstrdup("(processes beyond --max-procs)");
	else {
		p->cmdline = xmalloc(COMM_LEN + 3);
		snprintf(p->cmdline, COMM_LEN + 3, "[%s]", p->comm);
	}
}

/*
 * Peers (PROC_F_PEER: processes a target waited on or woke) out of the target's
 * processes, into their own list, in the same order; @index follows: -1 for a peer's
 * slot, whose process is then no longer the target's.
 */
static void split_peers(struct snapshot *out, uint32_t n_slots, int32_t *index)
{
	int32_t *moved = xcalloc(out->n_procs + 1, sizeof(*moved));
	size_t k = 0;

	out->peers = xcalloc(out->n_procs + 1, sizeof(*out->peers));
	for (size_t i = 0; i < out->n_procs; i++) {
		if (out->procs[i].flags & PROC_F_PEER) {
			out->peers[out->n_peers++] = out->procs[i];
			moved[i] = -1;
		} else {
			moved[i] = (int32_t)k;
			out->procs[k++] = out->procs[i];
		}
	}
	out->n_procs = k;
	for (uint32_t s = 0; s < n_slots; s++)
		index[s] = index[s] >= 0 ? moved[index[s]] : -1;
	free(moved);
}

/* The span's own figures: when, the kernel, the CPUs, pressure stalls, IO cgroups. */
static void build_span(struct snapshot *out, const struct raw_dump *cur,
		       const struct raw_dump *prev, uint64_t attach_ns)
{
	memset(out, 0, sizeof(*out));
	out->kind = prev ? SNAP_INTERVAL : SNAP_REPORT;
	out->attach_ns = attach_ns;
	out->start_ns = prev ? prev->ts_ns : attach_ns;
	out->end_ns = cur->ts_ns;
	out->self = cur->self;
	out->kernel = cur->kernel;
	out->ncpus = cur->ncpus;
	out->system = cur->system;
	for (int r = 0; r < PSI_N; r++) {
		const struct psi *from = prev ? &prev->psi : &cur->psi_attach;

		out->psi_ok[r] = cur->psi.ok[r] && from->ok[r];
		if (!out->psi_ok[r])
			continue;
		out->psi_some_ns[r] = sub_sat(cur->psi.some_us[r], from->some_us[r]) * 1000;
		out->psi_full_ns[r] = sub_sat(cur->psi.full_us[r], from->full_us[r]) * 1000;
	}
	out->n_io_cgroups = cur->n_io_cgroups;
	memcpy(out->io_cgroups, cur->io_cgroups, sizeof(out->io_cgroups));
	out->n_mem_cgroups = cur->n_mem_cgroups;
	memcpy(out->mem_cgroups, cur->mem_cgroups, sizeof(out->mem_cgroups));
	out->cpu_others_ns = sub_sat(cur->cpu_others_ns, prev ? prev->cpu_others_ns : 0);
	out->cpu_idle_ns = sub_sat(cur->cpu_idle_ns, prev ? prev->cpu_idle_ns : 0);
}

int snapshot_build(struct snapshot *out, const struct raw_dump *cur, const struct raw_dump *prev,
		   uint64_t attach_ns, const struct snapshot_names *names)
{
	struct rows_out ro = {
		.index = xcalloc(cur->n_procs ? cur->n_procs : 1, sizeof(*ro.index)),
		.target_h = xcalloc(ROW_KIND_N, sizeof(*ro.target_h)),
		.tsc = xcalloc(SYSCALL_NR_MAX, sizeof(*ro.tsc)),
	};

	build_span(out, cur, prev, attach_ns);
	out->procs = xcalloc(cur->n_procs ? cur->n_procs : 1, sizeof(*out->procs));
	build_procs(out, cur, prev, ro.index);
	build_devices(out, cur, prev, names);
	build_rows(out, cur, prev, &ro);
	for (size_t i = 0; i < out->n_procs; i++)
		name_proc(out, i, names);
	split_peers(out, cur->n_procs, ro.index);
	for (size_t i = 0; i < out->n_peers; i++)
		metrics_finish(&out->peers[i].m, ro.have_syscalls);
	for (size_t i = 0; i < out->n_procs; i++) {
		struct process *p = &out->procs[i];

		metrics_finish(&p->m, ro.have_syscalls);
		metrics_add(&out->target, &p->m);
		out->process_count += process_count_of(p);
		if (!p->folded && p->slot != SLOT_OVERFLOW)
			out->running_count += !(p->flags & PROC_F_EXITED);
	}
	/* processes beyond --max-procs started in the span: counted, if not kept */
	out->process_count += sub_sat(cur->self.stats[STAT_PROCS_FULL],
				      prev ? prev->self.stats[STAT_PROCS_FULL] : 0);
	/* the overflow entry is listed only when something was counted in it */
	if (out->n_procs && out->procs[0].slot == SLOT_OVERFLOW && proc_empty(&out->procs[0])) {
		free(out->procs[0].cmdline);
		free(out->procs[0].m.syscalls);
		memmove(&out->procs[0], &out->procs[1], (out->n_procs - 1) * sizeof(*out->procs));
		out->n_procs--;
		for (uint32_t s = 0; s < cur->n_procs; s++)
			ro.index[s] = ro.index[s] > 0 ? ro.index[s] - 1 : -1;
	}
	build_slow(out, cur, ro.index);
	build_conns(out, cur, ro.index);
	out->target_runq = ro.target_h[ROW_RUNQ];
	for (uint32_t k = 0; k < ROW_KIND_N; k++) {
		struct lat *l = proc_lat(&out->target, k);

		if (l)
			hist_summarize(&ro.target_h[k], l);
	}
	metrics_finish(&out->target, ro.have_syscalls);
	free(ro.tsc);
	free(ro.target_h);
	free(ro.index);
	return 0;
}

/* Where row @i is in packed @d, or would go. */
static uint32_t row_place(const struct raw_dump *d, uint32_t i)
{
	uint32_t lo = 0, hi = d->n_rows;

	if (hi && d->row_at[hi - 1] < i)
		return hi; /* beyond the last: the usual case of an addition */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (d->row_at[mid] < i)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

struct stat_row *raw_dump_row(const struct raw_dump *d, uint32_t i)
{
	uint32_t k;

	if (!d->row_at)
		return i < d->n_rows ? &d->rows[i] : NULL;
	k = row_place(d, i);
	return k < d->n_rows && d->row_at[k] == i ? &d->rows[k] : NULL;
}

/* Room in packed @d for one more row. */
static void rows_room(struct raw_dump *d)
{
	if (d->n_rows < d->rows_cap)
		return;
	d->rows_cap = d->rows_cap ? d->rows_cap * 2 : 64;
	d->rows = xrealloc(d->rows, (size_t)d->rows_cap * sizeof(*d->rows));
	d->row_at = xrealloc(d->row_at, (size_t)d->rows_cap * sizeof(*d->row_at));
}

struct stat_row *raw_dump_row_add(struct raw_dump *d, uint32_t i)
{
	struct stat_row *row = raw_dump_row(d, i);
	uint32_t k;

	if (row)
		return row;
	if (!d->row_at) {
		d->rows = xrealloc(d->rows, ((size_t)i + 1) * sizeof(*d->rows));
		memset(&d->rows[d->n_rows], 0, (size_t)(i + 1 - d->n_rows) * sizeof(*d->rows));
		d->n_rows = i + 1;
		return &d->rows[i];
	}
	k = row_place(d, i);
	rows_room(d);
	memmove(&d->rows[k + 1], &d->rows[k], (size_t)(d->n_rows - k) * sizeof(*d->rows));
	memmove(&d->row_at[k + 1], &d->row_at[k], (size_t)(d->n_rows - k) * sizeof(*d->row_at));
	memset(&d->rows[k], 0, sizeof(*d->rows));
	d->row_at[k] = i;
	d->n_rows++;
	return &d->rows[k];
}

void raw_dump_row_push(struct raw_dump *d, uint32_t i, const struct stat_row *row)
{
	rows_room(d);
	d->rows[d->n_rows] = *row;
	d->row_at[d->n_rows++] = i;
}

void raw_dump_track(struct raw_dump *d)
{
	free(d->written);
	d->n_written = d->n_procs;
	d->written = xcalloc(d->n_procs / 64 + 1, sizeof(*d->written));
}

void raw_dump_copy(struct raw_dump *dst, const struct raw_dump *src)
{
	uint32_t n = src->n_procs ? src->n_procs : 1, nr;

	*dst = *src;
	/* into zeroed memory, the slots and rows in use only: most of a monitor's are free */
	dst->procs = xcalloc(n, sizeof(*dst->procs));
	dst->live = src->live ? xcalloc(n, sizeof(*dst->live)) : NULL;
	dst->written = NULL;
	raw_dump_track(dst);
	for (uint32_t i = 0; i < src->n_procs; i++) {
		if (!raw_dump_slot_used(src, i))
			continue;
		dst->procs[i] = src->procs[i];
		raw_dump_mark(dst, i);
		if (src->live)
			dst->live[i] = src->live[i];
	}
	nr = 0;
	for (uint32_t k = 0; k < src->n_rows; k++)
		nr += src->rows[k].kind != 0;
	dst->rows = xcalloc(nr ? nr : 1, sizeof(*dst->rows));
	dst->row_at = xcalloc(nr ? nr : 1, sizeof(*dst->row_at));
	dst->rows_cap = nr ? nr : 1;
	dst->n_rows = 0;
	for (uint32_t k = 0; k < src->n_rows; k++)
		if (src->rows[k].kind)
			raw_dump_row_push(dst, src->row_at ? src->row_at[k] : k, &src->rows[k]);
	dst->agg = src->agg ? xmemdup(src->agg, (src->n_agg ? src->n_agg : 1) * sizeof(*src->agg))
			    : NULL;
	dst->conns = NULL; /* not owned: the caller's to copy if it needs them */
	dst->n_conns = 0;
}

void raw_dump_release(struct raw_dump *d)
{
	free(d->written);
	free(d->agg);
	free(d->procs);
	free(d->live);
	free(d->rows);
	free(d->row_at);
	memset(d, 0, sizeof(*d));
}
