// SPDX-License-Identifier: GPL-2.0
/* The unwind tables, kept from userspace; see unwind.h. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/cfi.h"
#include "lib/log.h"
#include "symbols/symbolize.h"
#include "kernel/pycode.h"
#include "kernel/unwind.h"
#include "lib/util.h"

/* the parser's rows are the kernel's (symbols/cfi.h): copied as they are */
_Static_assert(sizeof(struct cfi_row) == sizeof(struct unwind_row), "cfi_row and unwind_row");
_Static_assert(offsetof(struct cfi_row, cfa_off) == offsetof(struct unwind_row, cfa_off) &&
		       offsetof(struct cfi_row, how) == offsetof(struct unwind_row, how) &&
		       offsetof(struct cfi_row, rbp_off) == offsetof(struct unwind_row, rbp_off),
	       "cfi_row and unwind_row");

/* a freed range of mappings is reused no sooner: a BPF walk takes microseconds */
#define REUSE_GRACE_NS (100 * NSEC_PER_MSEC)

struct free_range {
	uint32_t first, n;
	uint64_t ready_ns;
};

struct unwinder {
	struct unwind_tables t;
	struct symbolizer *sym;
	bool *tried;	      /* by module id: rows asked for */
	uint8_t *inodes_sent; /* by module id: inodes the kernel knows it by */
	size_t rows_used;
	struct free_range *free;
	size_t n_free, free_cap;
	struct unwind_stats stats;
};

static void free_add(struct unwinder *u, uint32_t first, uint32_t n, uint64_t ready_ns)
{
	if (!n)
		return;
	if (u->n_free == u->free_cap) {
		u->free_cap = u->free_cap ? u->free_cap * 2 : 16;
		u->free = xrealloc(u->free, u->free_cap * sizeof(*u->free));
	}
	u->free[u->n_free++] = (struct free_range){first, n, ready_ns};
}

struct unwinder *unwinder__new(const struct unwind_tables *t, struct symbolizer *sym)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->t = *t;
	u->sym = sym;
	u->tried = xcalloc(t->files_cap ? t->files_cap : 1, sizeof(*u->tried));
	u->inodes_sent = xcalloc(t->files_cap ? t->files_cap : 1, sizeof(*u->inodes_sent));
	free_add(u, 0, (uint32_t)t->maps_cap, 0);
	symbolizer__want_cfi(sym);
	return u;
}

void unwinder__free(struct unwinder *u)
{
	if (!u)
		return;
	free(u->tried);
	free(u->inodes_sent);
	free(u->free);
	free(u);
}

static int cmp_range(const void *a, const void *b)
{
	const struct free_range *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

/* Join neighbouring ranges that are both ready. */
static void free_merge(struct unwinder *u, uint64_t now)
{
	size_t k = 0;

	qsort(u->free, u->n_free, sizeof(*u->free), cmp_range);
	for (size_t i = 0; i < u->n_free; i++) {
		struct free_range *r = &u->free[i];

		if (k && u->free[k - 1].first + u->free[k - 1].n == r->first &&
		    u->free[k - 1].ready_ns <= now && r->ready_ns <= now) {
			u->free[k - 1].n += r->n;
			continue;
		}
		u->free[k++] = *r;
	}
	u->n_free = k;
}

/* @n entries of the mappings array: the first index, or -1. */
static int64_t maps_alloc(struct unwinder *u, uint32_t n, uint64_t now)
{
	for (int round = 0; round < 2; round++) {
		for (size_t i = 0; i < u->n_free; i++) {
			struct free_range *r = &u->free[i];
			uint32_t first = r->first;

			if (r->n < n || r->ready_ns > now)
				continue;
			r->first += n;
			r->n -= n;
			if (!r->n)
				u->free[i] = u->free[--u->n_free];
			return first;
		}
		free_merge(u, now);
	}
	return -1;
}

/* Tell the kernel the inodes module @id (with rows) is known by that it does not know yet. */
static void send_inodes(struct unwinder *u, uint32_t id)
{
	struct unwind_inode key = {0};
	uint64_t ino;
	int64_t delta;
	uint32_t dev;

	if (id >= u->t.files_cap || !u->t.files[id].n || !u->t.add_inode)
		return;
	while (symbolizer__module_inode(u->sym, id, u->inodes_sent[id], &ino, &dev, &delta)) {
		key.ino = ino;
		key.dev = dev;
		u->t.add_inode(u->t.ctx, &key, id);
		u->inodes_sent[id]++;
	}
}

/* Module @id's rows, appended to the rows array the first time it is seen. */
static void file_load(struct unwinder *u, uint32_t id)
{
	struct cfi_rows rows = {0};
	uint64_t t0 = now_ns();
	int err;

	if (id >= u->t.files_cap || u->tried[id])
		return;
	u->tried[id] = true;
	err = symbolizer__module_cfi(u->sym, id, &rows);
	u->stats.parse_ns += now_ns() - t0;
	if (err || !rows.n) {
		u->stats.files_none++;
	} else if (rows.n > u->t.rows_cap - u->rows_used) {
		u->stats.files_full++;
		pr_debug("unwind: no room for %zu more rows (%zu of %zu used)", rows.n,
			 u->rows_used, u->t.rows_cap);
	} else if ((err = u->t.put(u->t.ctx, UNWIND_ROWS, u->rows_used, rows.r, rows.n))) {
		u->stats.files_none++; /* cfi.h's rows are unwind_rows */
		pr_debug("unwind: rows not written: %s", strerror(-err));
	} else {
		struct unwind_file *f = &u->t.files[id];
		uint32_t v[2] = {(uint32_t)u->rows_used, (uint32_t)rows.n}, dev;
		uint64_t w, ino;
		int64_t delta = 0;

		u->rows_used += rows.n;
		symbolizer__module_inode(u->sym, id, 0, &ino, &dev, &delta);
		f->text_delta = delta;
		/* the rows and the delta first, then their range, in one store */
		memcpy(&w, v, sizeof(w));
		__atomic_store_n((uint64_t *)f, w, __ATOMIC_RELEASE);
		u->stats.files++;
		u->stats.rows = u->rows_used;
	}
	cfi_rows_release(&rows);
}

/* Where a Python process's walk starts (@runtime 0: not one), then its mappings. */
static void publish(struct unwinder *u, uint32_t slot, uint32_t first, uint32_t n, uint64_t maps_ns,
		    uint64_t py_runtime, uint32_t py_layout)
{
	struct unwind_dir *d = &u->t.dir[slot];
	struct unwind_dir old = *d;
	struct {
		uint32_t first, n;
	} v = {first, n};
	uint64_t w;

	d->py_layout = py_layout;
	__atomic_store_n(&d->py_runtime, py_runtime, __ATOMIC_RELEASE);
	memcpy(&w, &v, sizeof(w));
	__atomic_store_n((uint64_t *)d, w, __ATOMIC_RELEASE);
	__atomic_store_n(&d->maps_ns, maps_ns, __ATOMIC_RELEASE);
	free_add(u, old.first, old.n, now_ns() + REUSE_GRACE_NS);
}

/* The file opened at @open_path, named @path: rows, and its inodes to the kernel. */
static int preload(struct unwinder *u, const char *open_path, const char *path)
{
	uint32_t id = symbolizer__file(u->sym, open_path, path);

	if (!id)
		return -ENOENT;
	file_load(u, id);
	send_inodes(u, id);
	return 0;
}

int unwinder__preload(struct unwinder *u, const char *path)
{
	return preload(u, path, path);
}

void unwinder__preload_pid(struct unwinder *u, uint32_t pid)
{
	char path[64], line[4608];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/maps", pid);
	f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f)) {
		char perms[8], file[4096], mf[128];
		unsigned long start, end;

		/* through map_files: the very file mapped, the inode the kernel sees */
		if (sscanf(line, "%lx-%lx %7s %*x %*s %*s %4095[^\n]", &start, &end, perms, file) ==
			    4 &&
		    strchr(perms, 'x') && file[0] == '/') {
			snprintf(mf, sizeof(mf), "/proc/%u/map_files/%lx-%lx", pid, start, end);
			preload(u, mf, file);
		}
	}
	if (f)
		fclose(f);
}

int unwinder__load(struct unwinder *u, uint32_t slot, uint32_t pid)
{
	uint64_t t0 = now_ns();
	const struct sym_mapping *m;
	struct unwind_map *maps;
	size_t n, k = 0;
	int64_t first;
	uint64_t py_runtime = 0;
	uint32_t py_layout = 0;
	int err;

	if (slot >= u->t.dir_cap)
		return -ERANGE;
	err = symbolizer__capture(u->sym, slot, pid);
	if (err) {
		u->stats.load_misses++;
		return err;
	}
	u->stats.loads++;
	m = symbolizer__mappings(u->sym, slot, &n);
	if (n > UNWIND_MAPS_MAX) {
		u->stats.maps_full++;
		n = UNWIND_MAPS_MAX;
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t at;
		uint32_t version;

		file_load(u, m[i].module);
		send_inodes(u, m[i].module);
		/* a CPython interpreter: its frames are walked too, if its layout is known */
		if (u->t.python && !py_runtime &&
		    symbolizer__module_python(u->sym, m[i].module, &at, &version)) {
			py_layout = py_layout_index(version);
			py_runtime = py_layout ? at + m[i].bias : 0;
			if (!py_layout)
				u->stats.py_unknown = version;
			else if (!u->t.dir[slot].py_runtime)
				u->stats.py_procs++; /* not when read again */
		}
	}
	first = n ? maps_alloc(u, (uint32_t)n, now_ns()) : 0;
	if (first < 0) {
		u->stats.maps_full++;
		return -ENOSPC;
	}
	maps = xcalloc(n ? n : 1, sizeof(*maps));
	for (size_t i = 0; i < n; i++) {
		struct unwind_map *e = &maps[k++];
		uint32_t id = m[i].module;

		e->start = m[i].start;
		e->end = m[i].end;
		e->bias = m[i].bias;
		/* no rows (or no id frames can carry): frame pointers, and a bare address */
		e->file_id =
			id < u->t.files_cap && id <= FRAME_FILE_MAX && u->t.files[id].n ? id : 0;
	}
	err = k ? u->t.put(u->t.ctx, UNWIND_MAPS, (size_t)first, maps, k) : 0;
	free(maps);
	if (err) {
		free_add(u, (uint32_t)first, (uint32_t)k, 0);
		u->stats.load_misses++;
		return err;
	}
	publish(u, slot, (uint32_t)first, (uint32_t)k, t0, py_runtime, py_layout);
	return 0;
}

bool unwinder__fresh(const struct unwinder *u, uint32_t slot, uint64_t ts_ns)
{
	const struct unwind_dir *d = slot < u->t.dir_cap ? &u->t.dir[slot] : NULL;

	return d && d->n && __atomic_load_n(&d->maps_ns, __ATOMIC_ACQUIRE) > ts_ns;
}

void unwinder__forget(struct unwinder *u, uint32_t slot)
{
	if (slot < u->t.dir_cap)
		publish(u, slot, 0, 0, 0, 0, 0);
}

void unwinder__stats(const struct unwinder *u, struct unwind_stats *out)
{
	*out = u->stats;
	out->rows = u->rows_used;
}
