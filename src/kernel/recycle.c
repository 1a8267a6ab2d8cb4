// SPDX-License-Identifier: GPL-2.0
/* Recycling exited processes' slots and rows into aggregates; see recycle.h. */
#include <stdlib.h>
#include <string.h>

#include "kernel/proc_rec.h"
#include "kernel/recycle.h"
#include "lib/util.h"

void recycler__init(struct recycler *r, uint32_t max_procs, uint32_t n_rows_pool)
{
	memset(r, 0, sizeof(*r));
	r->slot_base = max_procs;
	r->row_base = n_rows_pool;
}

void recycler__release(struct recycler *r)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->g[i].rows);
		free(r->g[i].sys_rows);
	}
	free(r->g);
	free(r->ht);
	free(r->rows);
	memset(r, 0, sizeof(*r));
}

static uint64_t group_hash(const char *comm, uint64_t cgid, bool peer)
{
	uint64_t h = (1469598103934665603ULL ^ cgid) + peer;

	for (int i = 0; i < COMM_LEN && comm[i]; i++)
		h = (h ^ (uint8_t)comm[i]) * 1099511628211ULL;
	return h ^ (h >> 29);
}

/* Index every group in the hash table, sized for twice as many. */
static void groups_rehash(struct recycler *r)
{
	r->ht_cap = r->ht_cap ? r->ht_cap * 2 : 64;
	free(r->ht);
	r->ht = xcalloc(r->ht_cap, sizeof(*r->ht));
	for (size_t i = 0; i < r->n; i++) {
		size_t h = group_hash(r->g[i].comm, r->g[i].cgid, r->g[i].peer) & (r->ht_cap - 1);

		while (r->ht[h])
			h = (h + 1) & (r->ht_cap - 1);
		r->ht[h] = (uint32_t)i + 1;
	}
}

static struct recycle_group *group_of(struct recycler *r, const struct proc_rec *p)
{
	bool peer = !!(p->flags & PROC_F_PEER);
	struct recycle_group *g;
	size_t h;

	if (r->ht_cap) {
		for (h = group_hash(p->comm, p->cgid, peer) & (r->ht_cap - 1); r->ht[h];
		     h = (h + 1) & (r->ht_cap - 1)) {
			g = &r->g[r->ht[h] - 1];
			if (g->cgid == p->cgid && g->peer == peer &&
			    !memcmp(g->comm, p->comm, COMM_LEN))
				return g;
		}
	}
	if (r->n == RECYCLE_GROUPS_MAX)
		return &r->g[r->n - 1];
	if (r->n == r->cap) {
		r->cap = r->cap ? r->cap * 2 : 16;
		r->g = xrealloc(r->g, r->cap * sizeof(*r->g));
	}
	g = &r->g[r->n++];
	memset(g, 0, sizeof(*g));
	memcpy(g->comm, p->comm, COMM_LEN);
	g->cgid = p->cgid;
	g->peer = peer;
	g->rec.start_ns = p->start_ns;
	if (r->n * 2 > r->ht_cap)
		groups_rehash(r);
	else {
		for (h = group_hash(g->comm, g->cgid, g->peer) & (r->ht_cap - 1); r->ht[h];
		     h = (h + 1) & (r->ht_cap - 1))
			;
		r->ht[h] = (uint32_t)r->n;
	}
	return g;
}

/* Branch-free, so that the buckets' loop is vectorized. */
static uint32_t sat_add32(uint32_t a, uint32_t b)
{
	uint64_t sum = (uint64_t)a + b;

	return sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
}

unsigned int row_hist_used(const struct stat_row *r)
{
	if (!r->timed)
		return 0;
	if (r->max_low)
		return HIST_SLOTS;
	return (unsigned int)hist_slot(r->max_ns) + 1;
}

/* Add @src's counts and its first @n_hist buckets (the others are zero) to @d. */
static void add_row(struct stat_row *d, const struct stat_row *src, unsigned int n_hist)
{
	d->count += src->count;
	d->timed += src->timed;
	d->sum_ns += src->sum_ns;
	d->errors += src->errors;
	if (src->max_ns > d->max_ns)
		d->max_ns = src->max_ns;
	for (int i = 0; i < 4; i++) {
		for (int j = 0; src->err_count[i] && j < 4; j++) {
			if (d->err_code[j] == src->err_code[i] || !d->err_code[j]) {
				d->err_code[j] = src->err_code[i];
				d->err_count[j] = sat_add32(d->err_count[j], src->err_count[i]);
				break;
			}
		}
	}
	if (src->max_low)
		d->max_low = 1;
	/* 32-bit buckets: saturate rather than wrap after 4 billion of one kind */
	for (unsigned int i = 0; i < n_hist && i < HIST_SLOTS; i++)
		if (src->hist[i])
			d->hist[i] = sat_add32(d->hist[i], src->hist[i]);
}

/* The index (in the recycler's rows) of group @gi's row for @kind and @key; made if new. */
static uint32_t group_row(struct recycler *r, size_t gi, uint16_t kind, uint16_t key)
{
	struct recycle_group *g = &r->g[gi];
	bool by_nr = kind == ROW_SYSCALL && key < SYSCALL_NR_MAX;
	struct stat_row *d;

	/* a syscall's row straight from its number; the few others by a search */
	if (by_nr && g->sys_rows && g->sys_rows[key])
		return g->sys_rows[key] - 1;
	for (size_t i = 0; !by_nr && i < g->n_rows; i++) {
		d = &r->rows[g->rows[i]];
		if (d->kind == kind && d->key == key)
			return g->rows[i];
	}
	if (r->n_rows == r->rows_cap) {
		r->rows_cap = r->rows_cap ? r->rows_cap * 2 : 256;
		r->rows = xrealloc(r->rows, r->rows_cap * sizeof(*r->rows));
	}
	d = &r->rows[r->n_rows];
	memset(d, 0, sizeof(*d));
	d->kind = kind;
	d->key = key;
	if (g->n_rows == g->rows_cap) {
		g->rows_cap = g->rows_cap ? g->rows_cap * 2 : 16;
		g->rows = xrealloc(g->rows, g->rows_cap * sizeof(*g->rows));
	}
	g->rows[g->n_rows++] = (uint32_t)r->n_rows;
	if (by_nr) {
		if (!g->sys_rows)
			g->sys_rows = xcalloc(SYSCALL_NR_MAX, sizeof(*g->sys_rows));
		g->sys_rows[key] = (uint32_t)r->n_rows + 1;
	}
	return (uint32_t)r->n_rows++;
}

void retirees_add_proc(struct retirees *t, uint32_t slot, const struct proc_rec *rec)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->slots = xrealloc(t->slots, t->cap * sizeof(*t->slots));
		t->recs = xrealloc(t->recs, t->cap * sizeof(*t->recs));
	}
	t->slots[t->n] = slot;
	t->recs[t->n++] = rec;
}

void retirees_add_row(struct retirees *t, uint32_t idx, const struct stat_row *row)
{
	if (!t->n)
		return; /* a row goes with the process added last */
	if (t->n_rows == t->rows_cap) {
		t->rows_cap = t->rows_cap ? t->rows_cap * 2 : 256;
		t->row_idx = xrealloc(t->row_idx, t->rows_cap * sizeof(*t->row_idx));
		t->row_proc = xrealloc(t->row_proc, t->rows_cap * sizeof(*t->row_proc));
		t->rows = xrealloc(t->rows, t->rows_cap * sizeof(*t->rows));
	}
	t->row_idx[t->n_rows] = idx;
	t->row_proc[t->n_rows] = (uint32_t)t->n - 1;
	t->rows[t->n_rows++] = row;
}

void retirees_release(struct retirees *t)
{
	free(t->slots);
	free(t->recs);
	free(t->row_idx);
	free(t->row_proc);
	free(t->rows);
	memset(t, 0, sizeof(*t));
}

/*
 * Make room in @d for the aggregates @r has now (pseudo-process records, rows, and the
 * aggregates' side records), keeping what @d already has of them.
 */
/*
 * Grow array @p of @have elements of @size bytes to @want, zeroing the new ones. A
 * dump's arrays are large (a monitor's: the kernel's slots and rows, then the
 * aggregates at fixed indexes after them) and mostly zero: realloc's fresh pages are
 * zeroed lazily, so that they stay out of our RSS (a memset brought 16 MiB of them in
 * per dump at the default table sizes).
 */
static void *grow_zeroed(void *p, size_t have, size_t want, size_t size)
{
	if (want <= have)
		return p;
	p = xrealloc(p, want * size);
	memzero_lazily((char *)p + have * size, (want - have) * size);
	return p;
}

static void make_room(const struct recycler *r, struct raw_dump *d)
{
	uint32_t n_procs = r->slot_base + (uint32_t)r->n;
	uint32_t n_rows = r->row_base + (uint32_t)r->n_rows;
	uint32_t had = d->agg ? d->n_agg : 0;

	/* a dump holds the kernel's slots (up to slot_base), then any aggregates it has */
	d->procs = grow_zeroed(d->procs, d->n_procs, n_procs, sizeof(*d->procs));
	if (d->live)
		d->live = grow_zeroed(d->live, d->n_procs, n_procs, sizeof(*d->live));
	if (d->n_procs < n_procs)
		d->n_procs = n_procs;
	if (!d->row_at) { /* indexed by row: the aggregates' up to the last, zero */
		d->rows = grow_zeroed(d->rows, d->n_rows, n_rows, sizeof(*d->rows));
		if (d->n_rows < n_rows)
			d->n_rows = n_rows;
	}
	d->agg = xrealloc(d->agg, (r->n ? r->n : 1) * sizeof(*d->agg));
	memset(&d->agg[had], 0, (r->n - had) * sizeof(*d->agg));
	d->agg_first = r->slot_base;
	d->n_agg = (uint32_t)r->n;
	for (size_t i = had; i < r->n; i++) {
		struct proc_rec *p = &d->procs[r->slot_base + i];

		memcpy(p->comm, r->g[i].comm, COMM_LEN);
		p->cgid = r->g[i].cgid;
		p->flags = PROC_F_EXITED | (r->g[i].peer ? PROC_F_PEER : 0);
	}
}

/*
 * The aggregates' rows in @d, each under its group's pseudo slot, made (zero) where @d
 * has none; in ascending order, so that a packed dump's are appended.
 */
static void aggregate_rows(const struct recycler *r, struct raw_dump *d)
{
	uint32_t *owner = xcalloc(r->n_rows ? r->n_rows : 1, sizeof(*owner));

	for (size_t gi = 0; gi < r->n; gi++)
		for (size_t k = 0; k < r->g[gi].n_rows; k++)
			owner[r->g[gi].rows[k]] = (uint32_t)gi;
	for (size_t x = 0; x < r->n_rows; x++) {
		struct stat_row *row = raw_dump_row_add(d, r->row_base + (uint32_t)x);

		row->slot = r->slot_base + owner[x];
		row->kind = r->rows[x].kind;
		row->key = r->rows[x].key;
	}
	free(owner);
}

/* What @prev held of the process in slot @s moves into the aggregate in @pseudo there. */
static void prev_proc_into(struct recycler *r, struct raw_dump *prev, uint32_t s, uint32_t pseudo)
{
	const struct proc_rec *pp = &prev->procs[s];
	struct raw_agg *pa = &prev->agg[pseudo - r->slot_base];

	proc_rec_add(&prev->procs[pseudo], pp);
	/* its life up to the previous dump was counted then */
	pa->lifetime_ns += (pp->end_ns && pp->end_ns < prev->ts_ns ? pp->end_ns : prev->ts_ns) -
			   (pp->start_ns < prev->ts_ns ? pp->start_ns : prev->ts_ns);
	/* a process that had already exited then is not of the next span */
	if (pp->end_ns && pp->end_ns < prev->ts_ns)
		pa->folded++;
}

void recycler__retire(struct recycler *r, const struct retirees *t, struct raw_dump *prev,
		      uint32_t *pseudo)
{
	int32_t *group = xcalloc(t->n ? t->n : 1, sizeof(*group));
	bool *in_prev = xcalloc(t->n ? t->n : 1, sizeof(*in_prev));

	for (size_t k = 0; k < t->n; k++) {
		const struct proc_rec *p = t->recs[k];
		uint32_t s = t->slots[k];
		struct recycle_group *g = group_of(r, p);

		group[k] = (int32_t)(g - r->g);
		g->folded++;
		g->lifetime_ns += p->end_ns > p->start_ns ? p->end_ns - p->start_ns : 0;
		proc_rec_add(&g->rec, p);
		r->folded++;
		in_prev[k] = s < prev->n_procs && prev->procs[s].pid == p->pid;
		pseudo[k] = r->slot_base + (uint32_t)group[k];
	}
	for (size_t k = 0; k < t->n_rows; k++) {
		const struct stat_row *row = t->rows[k];
		/* the index first: group_row() may move r->rows */
		uint32_t gr = group_row(r, (size_t)group[t->row_proc[k]], row->kind, row->key);

		add_row(&r->rows[gr], row, row_hist_used(row));
	}
	/*
	 * The previous dump: what it held of each retired process moves into its
	 * aggregate there too, so that the next interval counts only what came after
	 */
	make_room(r, prev);
	aggregate_rows(r, prev);
	for (size_t k = 0; k < t->n; k++) {
		uint32_t s = t->slots[k];

		if (in_prev[k])
			prev_proc_into(r, prev, s, pseudo[k]);
		/* (in a storm most were born since: their slot there is empty, or another's) */
		if (s < prev->n_procs && prev->procs[s].pid)
			memset(&prev->procs[s], 0, sizeof(*prev->procs));
	}
	for (size_t k = 0; k < t->n_rows; k++) {
		uint32_t i = t->row_idx[k], j = t->row_proc[k];
		const struct stat_row *now = t->rows[k];
		struct stat_row *row = i < r->row_base ? raw_dump_row(prev, i) : NULL;

		if (!row || (!row->kind && !row->slot && !row->count))
			continue; /* nothing there: a row taken since */
		if (in_prev[j] && row->slot == now->slot && row->kind == now->kind &&
		    row->key == now->key) {
			/* made by the loop above, and in @prev since aggregate_rows() */
			struct stat_row *agg =
				raw_dump_row(prev, r->row_base + group_row(r, (size_t)group[j],
									   now->kind, now->key));

			if (agg)
				add_row(agg, row,
					HIST_SLOTS); /* a copy of a live row: read whole */
		}
		memset(row, 0, sizeof(*row));
	}
	free(in_prev);
	free(group);
}

void recycler__append(const struct recycler *r, struct raw_dump *d)
{
	uint32_t n_procs = r->n ? r->slot_base + (uint32_t)r->n : d->n_procs;

	free(d->agg);
	d->agg = NULL;
	d->n_agg = 0;
	if (!r->n)
		return;
	/* the kernel's part as it is; the gap up to the aggregates, empty */
	if (d->n_procs > r->slot_base)
		d->n_procs = r->slot_base;
	d->procs = grow_zeroed(d->procs, d->n_procs, n_procs, sizeof(*d->procs));
	if (d->live)
		d->live = grow_zeroed(d->live, d->n_procs, n_procs, sizeof(*d->live));
	if (!d->row_at) {
		if (d->n_rows > r->row_base)
			d->n_rows = r->row_base;
		d->rows =
			grow_zeroed(d->rows, d->n_rows, r->row_base + r->n_rows, sizeof(*d->rows));
		d->n_rows = r->row_base + (uint32_t)r->n_rows;
	}
	while (d->row_at && d->n_rows && d->row_at[d->n_rows - 1] >= r->row_base)
		d->n_rows--;
	d->agg = xcalloc(r->n, sizeof(*d->agg));
	for (size_t i = 0; i < r->n; i++) {
		const struct recycle_group *g = &r->g[i];
		struct proc_rec *p = &d->procs[r->slot_base + i];

		*p = g->rec;
		memcpy(p->comm, g->comm, COMM_LEN);
		p->cgid = g->cgid;
		p->flags = PROC_F_EXITED | (g->peer ? PROC_F_PEER : 0);
		d->agg[i].folded = g->folded;
		d->agg[i].lifetime_ns = g->lifetime_ns;
	}
	aggregate_rows(r, d);
	for (size_t x = 0; x < r->n_rows; x++) {
		struct stat_row *row = raw_dump_row(d, r->row_base + (uint32_t)x);
		uint32_t slot = row->slot;

		*row = r->rows[x];
		row->slot = slot;
	}
	d->agg_first = r->slot_base;
	d->n_agg = (uint32_t)r->n;
	d->n_procs = n_procs;
}

/* A kernel aggregate's row in a dump: at @pos in d->rows, for group @g. */
struct kernel_row {
	uint32_t pos;
	uint32_t g;
};

void recycler__append_kernel(struct recycler *r, struct raw_dump *d)
{
	uint32_t n = d->n_procs < r->slot_base ? d->n_procs : r->slot_base;
	uint32_t *group = xcalloc(n ? n : 1, sizeof(*group)); /* slot -> group + 1 */
	struct kernel_row *kr = NULL;
	size_t n_kr = 0, cap = 0;
	bool any = false;

	/* the kernel's aggregates, and their rows, get a group and rows of their own here */
	for (uint32_t i = SLOT_FIRST; i < n; i++) {
		if (!raw_dump_written(d, i) || !(d->procs[i].flags & PROC_F_AGG))
			continue;
		group[i] = (uint32_t)(group_of(r, &d->procs[i]) - r->g) + 1;
		any = true;
	}
	for (uint32_t k = 0; any && k < d->n_rows; k++) {
		const struct stat_row *row = &d->rows[k];

		if (!row->kind || row->slot >= n || !group[row->slot])
			continue;
		group_row(r, group[row->slot] - 1, row->kind, row->key);
		if (n_kr == cap) {
			cap = cap ? cap * 2 : 64;
			kr = xrealloc(kr, cap * sizeof(*kr));
		}
		kr[n_kr++] = (struct kernel_row){k, group[row->slot] - 1};
	}
	recycler__append(r, d);
	/* then added to the groups' figures, and out of the kernel's part */
	for (size_t x = 0; x < n_kr; x++) {
		struct stat_row *src = &d->rows[kr[x].pos];
		struct stat_row *dst =
			raw_dump_row(d, r->row_base + group_row(r, kr[x].g, src->kind, src->key));

		if (dst)
			add_row(dst, src, row_hist_used(src));
		memset(src, 0, sizeof(*src));
	}
	for (uint32_t i = SLOT_FIRST; any && i < n; i++) {
		struct proc_rec *a = &d->procs[i];
		uint32_t g = group[i];

		if (!g)
			continue;
		proc_rec_add(&d->procs[r->slot_base + g - 1], a);
		d->agg[g - 1].folded += a->folded;
		d->agg[g - 1].lifetime_ns += a->lifetime_ns;
		memset(a, 0, sizeof(*a));
	}
	free(kr);
	free(group);
}

void recycler__vanished(struct recycler *r, struct raw_dump *prev, const struct proc_rec *cur,
			uint32_t n_cur, const struct kfold_note *notes, size_t n_notes)
{
	uint32_t n = prev->n_procs < r->slot_base ? prev->n_procs : r->slot_base;
	uint32_t *group = NULL; /* slot -> group + 1, for those gone */

	for (uint32_t s = SLOT_FIRST; s < n; s++) {
		const struct proc_rec *p = &prev->procs[s];
		size_t g = SIZE_MAX;

		if (!raw_dump_written(prev, s) || !p->pid || (p->flags & PROC_F_AGG) ||
		    (s < n_cur && cur[s].pid == p->pid))
			continue;
		/* gone, and not recycled here (that zeroes it in @prev): the kernel folded it */
		for (size_t k = 0; k < n_notes; k++)
			if (notes[k].slot == s && notes[k].pid == p->pid)
				g = notes[k].group;
		if (g >= r->n) /* its exit not read yet: as it was then */
			g = (size_t)(group_of(r, p) - r->g);
		if (!group)
			group = xcalloc(n, sizeof(*group));
		group[s] = (uint32_t)g + 1;
	}
	if (!group)
		return;
	/* its rows there: the aggregates' rows they go into, made, then in @prev too */
	for (uint32_t k = 0; k < prev->n_rows; k++) {
		const struct stat_row *row = &prev->rows[k];

		if (row->kind && row->slot < n && group[row->slot])
			group_row(r, group[row->slot] - 1, row->kind, row->key);
	}
	make_room(r, prev);
	aggregate_rows(r, prev);
	for (uint32_t k = 0; k < prev->n_rows; k++) {
		struct stat_row *row = &prev->rows[k];
		struct stat_row *agg;

		if (!row->kind || row->slot >= n || !group[row->slot])
			continue;
		agg = raw_dump_row(prev, r->row_base + group_row(r, group[row->slot] - 1, row->kind,
								 row->key));
		if (agg)
			add_row(agg, row, HIST_SLOTS);
		memset(row, 0, sizeof(*row));
	}
	for (uint32_t s = SLOT_FIRST; s < n; s++) {
		if (!group[s])
			continue;
		prev_proc_into(r, prev, s, r->slot_base + group[s] - 1);
		memset(&prev->procs[s], 0, sizeof(*prev->procs));
	}
	free(group);
}

size_t recycler__group(struct recycler *r, const struct proc_rec *agg)
{
	return (size_t)(group_of(r, agg) - r->g);
}
