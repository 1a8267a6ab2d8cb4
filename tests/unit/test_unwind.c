// SPDX-License-Identifier: GPL-2.0
/*
 * The unwind tables userspace keeps for the BPF walker, in plain memory here: this
 * process's mappings, published for a slot, place its own functions (a frame's file
 * address is the ELF symbol's), the rows hold a rule at them, the inodes go to the
 * kernel's table, and freed ranges of mappings are reused only after the grace period.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/cfi.h"
#include "symbols/symbolize.h"
#include "test.h"
#include "kernel/unwind.h"
#include "lib/util.h"

__attribute__((noinline)) int procscope_unwind_known_function(int x)
{
	return x * 5 + 2;
}

struct tables {
	struct unwind_tables t;
	struct unwind_row *rows; /* what put() wrote */
	struct unwind_map *maps;
	size_t inodes;
};

static int put(void *ctx, enum unwind_array a, size_t first, const void *src, size_t n)
{
	struct tables *tb = ctx;

	if (a == UNWIND_ROWS) {
		CHECK(first + n <= tb->t.rows_cap);
		memcpy(&tb->rows[first], src, n * sizeof(*tb->rows));
	} else {
		CHECK(first + n <= tb->t.maps_cap);
		memcpy(&tb->maps[first], src, n * sizeof(*tb->maps));
	}
	return 0;
}

static int count_inode(void *ctx, const struct unwind_inode *key, uint32_t id)
{
	struct tables *tb = ctx;

	CHECK(key->ino != 0);
	CHECK(id != 0);
	tb->inodes++;
	return 0;
}

static void tables_init(struct tables *tb, size_t rows, size_t maps)
{
	memset(tb, 0, sizeof(*tb));
	tb->rows = xcalloc(rows, sizeof(*tb->rows));
	tb->t.rows_cap = rows;
	tb->t.files = xcalloc(64, sizeof(*tb->t.files));
	tb->t.files_cap = 64;
	tb->maps = xcalloc(maps, sizeof(*tb->maps));
	tb->t.maps_cap = maps;
	tb->t.dir = xcalloc(16, sizeof(*tb->t.dir));
	tb->t.dir_cap = 16;
	tb->t.add_inode = count_inode;
	tb->t.put = put;
	tb->t.ctx = tb;
}

static void tables_release(struct tables *tb)
{
	free(tb->rows);
	free(tb->t.files);
	free(tb->maps);
	free(tb->t.dir);
}

/* The published mapping of @slot holding @addr, or NULL. */
static const struct unwind_map *map_of(const struct tables *tb, uint32_t slot, uint64_t addr)
{
	const struct unwind_dir *d = &tb->t.dir[slot];

	for (uint32_t i = 0; i < d->n; i++) {
		const struct unwind_map *m = &tb->maps[d->first + i];

		if (addr >= m->start && addr < m->end)
			return m;
	}
	return NULL;
}

TEST(test_unwind__own_process_published)
{
	uint64_t fn = (uint64_t)(uintptr_t)procscope_unwind_known_function;
	struct symbolizer *s = symbolizer__new();
	const struct unwind_map *m;
	struct unwind_stats st;
	struct cfi_rows rows;
	struct tables tb;
	struct unwinder *u;
	struct sym_frame f;

	tables_init(&tb, 1 << 20, 4096);
	u = unwinder__new(&tb.t, s);
	CHECK_I64(unwinder__load(u, 5, (uint32_t)getpid()), 0);
	CHECK(tb.t.dir[5].n > 2);
	CHECK(tb.t.dir[5].maps_ns > 0);
	m = map_of(&tb, 5, fn);
	CHECK(m != NULL);
	if (m) {
		/* the file address of the function is the one its symbol gives */
		CHECK(m->file_id != 0);
		symbolizer__user_file(s, m->file_id, fn - m->bias, &f);
		CHECK_STR(f.name, "procscope_unwind_known_function");
		/* and the rows have a rule there: the frame is unwound from them */
		rows.r = (struct cfi_row *)&tb
				 .rows[tb.t.files[m->file_id].first]; /* the same rows */
		rows.n = tb.t.files[m->file_id].n;
		CHECK(rows.n > 100);
		const struct cfi_row *r = cfi_lookup(&rows, fn - m->bias);

		CHECK(r && UW_HOW_CFA(r->how) == UW_CFA_RSP);
	}
	/* the mappings are sorted, as the walker's binary search needs */
	for (uint32_t i = 1; i < tb.t.dir[5].n; i++)
		CHECK(tb.maps[tb.t.dir[5].first + i].start >=
		      tb.maps[tb.t.dir[5].first + i - 1].end);
	unwinder__stats(u, &st);
	CHECK_U64(st.loads, 1);
	CHECK(st.files >= 3);		    /* this binary, the C library, the vDSO, ... */
	CHECK_U64(tb.inodes, st.files - 1); /* each file by its inode, but the vDSO */
	CHECK(st.rows > 1000);
	/* read again: a new range, the old one held back for the grace period */
	uint32_t first = tb.t.dir[5].first;

	CHECK_I64(unwinder__load(u, 5, (uint32_t)getpid()), 0);
	CHECK(tb.t.dir[5].first != first);
	unwinder__forget(u, 5);
	CHECK_U64(tb.t.dir[5].n, 0);
	/* a file's rows are loaded once, whatever number of processes map it */
	CHECK_I64(unwinder__load(u, 6, (uint32_t)getpid()), 0);
	unwinder__stats(u, &st);
	CHECK_U64(tb.inodes, st.files - 1);
	CHECK_I64(unwinder__load(u, 99, (uint32_t)getpid()), -ERANGE);
	unwinder__free(u);
	symbolizer__free(s);
	tables_release(&tb);
	CHECK_I64(procscope_unwind_known_function(1), 7);
}

/* Too small a rows array: files that do not fit are counted and walked by frame pointers. */
TEST(test_unwind__rows_full_is_counted)
{
	struct symbolizer *s = symbolizer__new();
	struct unwind_stats st;
	struct tables tb;
	struct unwinder *u;

	tables_init(&tb, 16, 4096);
	u = unwinder__new(&tb.t, s);
	CHECK_I64(unwinder__load(u, 1, (uint32_t)getpid()), 0);
	unwinder__stats(u, &st);
	CHECK_U64(st.files, 0);
	CHECK(st.files_full >= 2);
	for (uint32_t i = 0; i < tb.t.dir[1].n; i++)
		CHECK_U64(tb.maps[tb.t.dir[1].first + i].file_id, 0);
	unwinder__free(u);
	symbolizer__free(s);
	tables_release(&tb);
}

/* Too small a mappings array: the process stays unpublished (frame pointers), said. */
TEST(test_unwind__maps_full_is_counted)
{
	struct symbolizer *s = symbolizer__new();
	struct unwind_stats st;
	struct tables tb;
	struct unwinder *u;

	tables_init(&tb, 1 << 20, 2);
	u = unwinder__new(&tb.t, s);
	CHECK_I64(unwinder__load(u, 1, (uint32_t)getpid()), -ENOSPC);
	unwinder__stats(u, &st);
	CHECK_U64(st.maps_full, 1);
	CHECK_U64(tb.t.dir[1].n, 0);
	/* a process that is gone: a miss, not an error anywhere else */
	CHECK(unwinder__load(u, 2, 0x7ffffff0) < 0);
	unwinder__stats(u, &st);
	CHECK_U64(st.load_misses, 1);
	unwinder__free(u);
	symbolizer__free(s);
	tables_release(&tb);
}
