// SPDX-License-Identifier: GPL-2.0
/*
 * From raw kernel tables to the model: per-process metrics (scheduler totals,
 * run-queue latency, per-syscall stats with percentiles), the target's totals, and
 * for interval reports the difference between two dumps. Counters are monotonic, so
 * a difference is a subtraction; a maximum is not, so an interval's maximum is the
 * exact one when it rose in the interval and otherwise the top of the highest
 * bucket that gained samples (an upper bound, within the histogram's error).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "snapshot.h"
#include "util.h"

static uint64_t sub_sat(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

static void sched_sub(struct proc_sched *d, const struct proc_sched *p)
{
	uint64_t *dv = (uint64_t *)d;
	const uint64_t *pv = (const uint64_t *)p;

	/* struct proc_sched is all __u64 counters */
	for (size_t i = 0; i < sizeof(*d) / sizeof(uint64_t); i++)
		dv[i] = sub_sat(dv[i], pv[i]);
}

static void sched_add(struct proc_sched *d, const struct proc_sched *s)
{
	uint64_t *dv = (uint64_t *)d;
	const uint64_t *sv = (const uint64_t *)s;

	for (size_t i = 0; i < sizeof(*d) / sizeof(uint64_t); i++)
		dv[i] += sv[i];
}

/* @c minus @p, for one row: the samples that arrived in between. */
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
			d->err_count[i] = c->err_count[i] > p->err_count[i] ?
						  c->err_count[i] - p->err_count[i] : 0;
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

/* Percentiles from the (weighted) histogram; the count from the exact counter. */
static void row_summarize(const struct stat_row *r, struct lat *out)
{
	struct hist h;

	memset(&h, 0, sizeof(h));
	hist_add_bins32(&h, r->hist, r->sum_ns, r->max_ns);
	hist_summarize(&h, out);
	out->count = r->count;
}

uint64_t sched_blocked_ns(const struct proc_sched *s)
{
	uint64_t t = 0;

	for (int i = 0; i < WC_N; i++)
		t += s->wait_ns[i];
	return t;
}

/* Accumulates one syscall number over the whole target. */
struct sc_acc {
	struct hist h; /* weighted: see struct stat_row */
	uint64_t count, timed;
	uint64_t errors;
	uint32_t err_code[16];
	uint64_t err_count[16];
};

static void sc_acc_add(struct sc_acc *a, const struct stat_row *r)
{
	hist_add_bins32(&a->h, r->hist, r->sum_ns, r->max_ns);
	a->count += r->count;
	a->timed += r->timed;
	a->errors += r->errors;
	for (int i = 0; i < 4; i++) {
		if (!r->err_code[i] || !r->err_count[i])
			continue;
		for (int j = 0; j < 16; j++) {
			if (a->err_code[j] == r->err_code[i] || !a->err_code[j]) {
				a->err_code[j] = r->err_code[i];
				a->err_count[j] += r->err_count[i];
				break;
			}
		}
	}
}

static void top_errno(const uint32_t *code, const uint64_t *count, int n, uint32_t *top,
		      uint64_t *top_count)
{
	*top = 0;
	*top_count = 0;
	for (int i = 0; i < n; i++) {
		if (code[i] && count[i] > *top_count) {
			*top = code[i];
			*top_count = count[i];
		}
	}
}

static int cmp_sc_total(const void *a, const void *b)
{
	const struct sc_stat *x = a, *y = b;

	if (x->lat.sum_ns != y->lat.sum_ns)
		return x->lat.sum_ns < y->lat.sum_ns ? 1 : -1;
	if (x->lat.count != y->lat.count)
		return x->lat.count < y->lat.count ? 1 : -1;
	return (int)x->nr - (int)y->nr;
}

static void metrics_finish(struct metrics *m)
{
	m->sc_count = m->sc_errors = m->sc_total_ns = 0;
	for (size_t i = 0; i < m->n_sc; i++) {
		m->sc_count += m->sc[i].lat.count;
		m->sc_errors += m->sc[i].errors;
		m->sc_total_ns += m->sc[i].lat.sum_ns;
	}
	if (m->n_sc > 1)
		qsort(m->sc, m->n_sc, sizeof(*m->sc), cmp_sc_total);
}

static void add_proc_row(struct proc_info *p, const struct stat_row *r, struct hist *runq)
{
	struct sc_stat *s;
	uint64_t cnt[4];

	switch (r->kind) {
	case ROW_SYSCALL:
		p->m.sc = xrealloc(p->m.sc, sizeof(*p->m.sc) * (p->m.n_sc + 1));
		s = &p->m.sc[p->m.n_sc++];
		memset(s, 0, sizeof(*s));
		s->nr = r->key;
		s->errors = r->errors;
		s->timed = r->timed;
		for (int i = 0; i < 4; i++)
			cnt[i] = r->err_count[i];
		top_errno(r->err_code, cnt, 4, &s->top_errno, &s->top_errno_count);
		row_summarize(r, &s->lat);
		break;
	case ROW_RUNQ:
		hist_add_bins32(runq, r->hist, r->sum_ns, r->max_ns);
		break;
	}
}

static bool proc_in_window(const struct proc_rec *r, uint64_t start, uint64_t end)
{
	return r->start_ns <= end && (!r->end_ns || r->end_ns >= start);
}

static const char *inherited_cmdline(const struct snapshot *s, size_t upto, uint32_t ppid)
{
	for (size_t i = upto; i-- > 0;)
		if (s->procs[i].pid == ppid && s->procs[i].cmdline)
			return s->procs[i].cmdline;
	return NULL;
}

/* The overflow pseudo-process is listed only when something was counted in it. */
static void drop_empty_overflow(struct snapshot *s, struct hist *runq)
{
	struct proc_info *p;
	static const struct proc_sched zero;

	if (!s->n_procs || s->procs[0].slot != SLOT_OVERFLOW)
		return;
	p = &s->procs[0];
	if (p->m.n_sc || memcmp(&p->m.sched, &zero, sizeof(zero)) || runq[0].count)
		return;
	memmove(&s->procs[0], &s->procs[1], (s->n_procs - 1) * sizeof(*s->procs));
	memmove(&runq[0], &runq[1], (s->n_procs - 1) * sizeof(*runq));
	s->n_procs--;
}

int snapshot_build(struct snapshot *out, const struct raw_dump *cur, const struct raw_dump *prev,
		   uint64_t attach_ns, const struct snapshot_names *names)
{
	struct sc_acc **acc = xcalloc(SC_NR_MAX, sizeof(*acc));
	struct hist *runq = NULL;
	int32_t *index = xcalloc(cur->n_procs ? cur->n_procs : 1, sizeof(*index));
	struct stat_row *d = xmalloc(sizeof(*d));

	memset(out, 0, sizeof(*out));
	out->kind = prev ? SNAP_INTERVAL : SNAP_REPORT;
	out->attach_ns = attach_ns;
	out->start_ns = prev ? prev->ts_ns : attach_ns;
	out->end_ns = cur->ts_ns;
	out->self = cur->self;
	out->procs = xcalloc(cur->n_procs ? cur->n_procs : 1, sizeof(*out->procs));
	runq = xcalloc(cur->n_procs ? cur->n_procs : 1, sizeof(*runq));

	for (uint32_t slot = 0; slot < cur->n_procs; slot++) {
		const struct proc_rec *r = &cur->procs[slot];
		const struct proc_rec *pr = prev && slot < prev->n_procs ? &prev->procs[slot] : NULL;
		struct proc_info *p;

		index[slot] = -1;
		if (slot < SLOT_OVERFLOW)
			continue;
		if (slot >= SLOT_FIRST && (!r->pid || (r->flags & PROC_F_DUP)))
			continue;
		if (prev && slot >= SLOT_FIRST && !proc_in_window(r, out->start_ns, out->end_ns))
			continue;
		p = &out->procs[out->n_procs];
		p->slot = slot;
		p->pid = r->pid;
		p->ppid = r->ppid;
		p->flags = r->flags;
		p->exit_status = r->exit_code;
		p->start_ns = r->start_ns;
		p->exec_ns = r->exec_ns;
		p->end_ns = r->end_ns;
		memcpy(p->comm, r->comm, COMM_LEN);
		p->m.sched = r->sched;
		if (pr && pr->pid == r->pid)
			sched_sub(&p->m.sched, &pr->sched);
		if (slot == SLOT_OVERFLOW) {
			snprintf(p->comm, sizeof(p->comm), "[overflow]");
			p->start_ns = out->start_ns;
		}
		index[slot] = (int32_t)out->n_procs++;
	}

	for (uint32_t i = ROW_OVF_SYSCALL; i < cur->n_rows; i++) {
		const struct stat_row *c = &cur->rows[i];
		struct proc_info *p;
		int32_t pi;

		if (!c->kind || c->slot >= cur->n_procs || (pi = index[c->slot]) < 0)
			continue;
		row_delta(d, c, prev && i < prev->n_rows ? &prev->rows[i] : NULL);
		if (!d->count)
			continue;
		p = &out->procs[pi];
		add_proc_row(p, d, &runq[pi]);
		if (d->kind == ROW_SYSCALL) {
			if (!acc[d->key])
				acc[d->key] = xcalloc(1, sizeof(**acc));
			sc_acc_add(acc[d->key], d);
		} else if (d->kind == ROW_RUNQ) {
			hist_add_bins32(&out->target_runq, d->hist, d->sum_ns, d->max_ns);
		}
	}

	drop_empty_overflow(out, runq);

	for (size_t i = 0; i < out->n_procs; i++) {
		struct proc_info *p = &out->procs[i];
		const char *cl = names && names->cmdline ? names->cmdline(names->ctx, p->slot) : NULL;

		if (!cl && p->slot != SLOT_OVERFLOW && !(p->flags & PROC_F_EXECED))
			cl = inherited_cmdline(out, i, p->ppid); /* forked, never exec'd */
		if (cl)
			p->cmdline = xstrdup(cl);
		else if (p->slot == SLOT_OVERFLOW)
			p->cmdline = xstrdup("(processes beyond --max-procs)");
		else {
			p->cmdline = xmalloc(COMM_LEN + 3);
			snprintf(p->cmdline, COMM_LEN + 3, "[%s]", p->comm);
		}
		hist_summarize(&runq[i], &p->m.runq);
		metrics_finish(&p->m);
		sched_add(&out->target.sched, &p->m.sched);
	}

	for (uint32_t nr = 0; nr < SC_NR_MAX; nr++) {
		struct sc_stat *s;

		if (!acc[nr])
			continue;
		out->target.sc = xrealloc(out->target.sc, sizeof(*s) * (out->target.n_sc + 1));
		s = &out->target.sc[out->target.n_sc++];
		memset(s, 0, sizeof(*s));
		s->nr = nr;
		s->errors = acc[nr]->errors;
		s->timed = acc[nr]->timed;
		top_errno(acc[nr]->err_code, acc[nr]->err_count, 16, &s->top_errno,
			  &s->top_errno_count);
		hist_summarize(&acc[nr]->h, &s->lat);
		s->lat.count = acc[nr]->count; /* exact; the histogram is weighted */
		free(acc[nr]);
	}
	hist_summarize(&out->target_runq, &out->target.runq);
	metrics_finish(&out->target);

	free(acc);
	free(runq);
	free(index);
	free(d);
	return 0;
}

static void metrics_release(struct metrics *m)
{
	free(m->sc);
	m->sc = NULL;
	m->n_sc = 0;
}

void snapshot_release(struct snapshot *s)
{
	for (size_t i = 0; i < s->n_procs; i++) {
		free(s->procs[i].cmdline);
		metrics_release(&s->procs[i].m);
	}
	free(s->procs);
	metrics_release(&s->target);
	memset(s, 0, sizeof(*s));
}

void raw_dump_release(struct raw_dump *d)
{
	free(d->procs);
	free(d->rows);
	memset(d, 0, sizeof(*d));
}

void raw_dump_copy(struct raw_dump *dst, const struct raw_dump *src)
{
	*dst = *src;
	dst->procs = xmalloc(sizeof(*dst->procs) * (src->n_procs ? src->n_procs : 1));
	memcpy(dst->procs, src->procs, sizeof(*dst->procs) * src->n_procs);
	dst->rows = xmalloc(sizeof(*dst->rows) * (src->n_rows ? src->n_rows : 1));
	memcpy(dst->rows, src->rows, sizeof(*dst->rows) * src->n_rows);
}

uint64_t proc_wall_ns(const struct proc_info *p, const struct snapshot *s)
{
	uint64_t start = p->start_ns > s->start_ns ? p->start_ns : s->start_ns;
	uint64_t end = p->end_ns && p->end_ns < s->end_ns ? p->end_ns : s->end_ns;

	return end > start ? end - start : 0;
}

int proc_exit_code(const struct proc_info *p)
{
	if (!(p->flags & PROC_F_EXITED))
		return -1;
	if (WIFSIGNALED(p->exit_status))
		return 128 + WTERMSIG(p->exit_status);
	return WEXITSTATUS(p->exit_status);
}

int proc_exit_signal(const struct proc_info *p)
{
	if (!(p->flags & PROC_F_EXITED) || !WIFSIGNALED(p->exit_status))
		return 0;
	return WTERMSIG(p->exit_status);
}

const char *wait_class_name(unsigned int wc)
{
	static const char *const names[WC_N] = {
		[WC_IO] = "io", [WC_NET] = "net", [WC_LOCK] = "lock", [WC_SLEEP] = "sleep",
		[WC_POLL] = "poll", [WC_CHILD] = "child", [WC_OTHER] = "other",
	};

	return wc < WC_N ? names[wc] : "?";
}

const char *blk_state_name(unsigned int b)
{
	static const char *const names[BLK_N] = {
		[BLK_INTERRUPTIBLE] = "interruptible",
		[BLK_UNINTERRUPTIBLE] = "uninterruptible",
		[BLK_IOWAIT] = "iowait",
	};

	return b < BLK_N ? names[b] : "?";
}
