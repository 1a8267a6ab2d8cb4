/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Hand-built raw dumps for snapshot and report tests: the same structures the BPF
 * programs fill, filled here the way the programs would (fx_row_add mirrors
 * row_add() in bpf/core.h).
 */
#ifndef PROCSCOPE_FIXTURES_H
#define PROCSCOPE_FIXTURES_H

#include <stdlib.h>
#include <string.h>

#include "kernel/raw_dump.h"
#include "model/snapshot.h"
#include "lib/util.h"

#define FX_ATTACH_NS 1000000000ULL

static inline void fx_init(struct raw_dump *d, uint32_t n_procs, uint32_t n_rows, uint64_t ts)
{
	memset(d, 0, sizeof(*d));
	d->ts_ns = ts;
	d->n_procs = n_procs;
	d->procs = calloc(n_procs, sizeof(*d->procs));
	d->n_rows = n_rows;
	d->rows = calloc(n_rows, sizeof(*d->rows));
}

static inline struct proc_rec *fx_proc(struct raw_dump *d, uint32_t slot, uint32_t pid,
				       uint32_t ppid, const char *comm, uint64_t start_ns)
{
	struct proc_rec *p = &d->procs[slot];

	p->pid = pid;
	p->ppid = ppid;
	p->start_ns = start_ns;
	strncpy(p->comm, comm, sizeof(p->comm) - 1);
	return p;
}

static inline void fx_exit(struct proc_rec *p, uint64_t end_ns, int status)
{
	p->end_ns = end_ns;
	p->exit_code = status;
	p->flags |= PROC_F_EXITED;
}

static inline struct stat_row *fx_row(struct raw_dump *d, uint32_t idx, uint32_t slot,
				      uint16_t kind, uint16_t key)
{
	struct stat_row *r = &d->rows[idx];
	struct proc_rec *p = &d->procs[slot];

	r->slot = slot;
	r->kind = kind;
	r->key = key;
	if (kind == ROW_SYSCALL)
		p->syscall_row[key] = (uint16_t)idx;
	else
		p->row[kind] = (uint16_t)idx;
	return r;
}

static inline void fx_row_add(struct stat_row *r, uint64_t v, int n)
{
	for (int i = 0; i < n; i++) {
		r->count++;
		r->timed++;
		r->sum_ns += v;
		r->hist[hist_slot(v)]++;
		if (v > r->max_ns)
			r->max_ns = v;
	}
}

/* @n calls of latency @v, of which one in @every was timed (weight @every). */
static inline void fx_row_sampled(struct stat_row *r, uint64_t v, int n, int every)
{
	for (int i = 0; i < n; i++) {
		r->count++;
		if (i % every)
			continue;
		r->timed++;
		r->sum_ns += v * every;
		r->hist[hist_slot(v)] += every;
		if (v > r->max_ns)
			r->max_ns = v;
	}
}

static inline void fx_row_err(struct stat_row *r, uint32_t err, uint32_t n)
{
	r->errors += n;
	for (int i = 0; i < 4; i++) {
		if (!r->err_code[i] || r->err_code[i] == err) {
			r->err_code[i] = err;
			r->err_count[i] += n;
			return;
		}
	}
}

/* Deep copy, so that a "later" dump can be derived from an "earlier" one. */
static inline void fx_copy(struct raw_dump *dst, const struct raw_dump *src, uint64_t ts)
{
	size_t np = src->n_procs ? src->n_procs : 1, nr = src->n_rows ? src->n_rows : 1;

	*dst = *src;
	dst->procs = malloc(sizeof(*dst->procs) * np);
	memcpy(dst->procs, src->procs, sizeof(*dst->procs) * src->n_procs);
	dst->live = NULL;
	if (src->live) {
		dst->live = malloc(sizeof(*dst->live) * np);
		memcpy(dst->live, src->live, sizeof(*dst->live) * src->n_procs);
	}
	dst->rows = malloc(sizeof(*dst->rows) * nr);
	memcpy(dst->rows, src->rows, sizeof(*dst->rows) * src->n_rows);
	dst->ts_ns = ts;
}

/* A process that exec'd and ran from @start_ms to @end_ms after attach. */
static inline struct proc_rec *fx_step(struct raw_dump *d, uint32_t slot, uint32_t pid,
				       uint32_t ppid, const char *comm, uint64_t start_ms,
				       uint64_t end_ms)
{
	struct proc_rec *p =
		fx_proc(d, slot, pid, ppid, comm, FX_ATTACH_NS + start_ms * NSEC_PER_MSEC);

	fx_exit(p, FX_ATTACH_NS + end_ms * NSEC_PER_MSEC, 0);
	p->flags |= PROC_F_EXECED;
	return p;
}

/* sh runs a (CPU, 1 s), then b (disk, 7 s), then c (sleep, 2 s). */
static inline void fx_pipeline(struct raw_dump *d)
{
	struct proc_rec *p;

	fx_init(d, 6, ROW_FIRST, FX_ATTACH_NS + 10 * NSEC_PER_SEC);
	p = fx_step(d, 2, 100, 1, "sh", 0, 10000);
	p->sched.oncpu_ns = 100 * NSEC_PER_MSEC;
	p->sched.wait_ns[WC_CHILD] = 9900 * NSEC_PER_MSEC;
	p = fx_step(d, 3, 101, 100, "a", 0, 1000);
	p->sched.oncpu_ns = 1000 * NSEC_PER_MSEC;
	p = fx_step(d, 4, 102, 100, "b", 1000, 8000);
	p->sched.oncpu_ns = 500 * NSEC_PER_MSEC;
	p->sched.wait_ns[WC_IO] = 6500 * NSEC_PER_MSEC;
	p = fx_step(d, 5, 103, 100, "c", 8000, 10000);
	p->sched.wait_ns[WC_SLEEP] = 2000 * NSEC_PER_MSEC;
}

#endif
