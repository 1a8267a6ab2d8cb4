/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The unwind tables the BPF unwinder reads (include/unwind_abi.h, bpf/unwind.h),
 * kept by userspace: when a process execs, first has a stack, or the unwinder meets
 * an address it cannot place, its mappings are read (through the symbolizer, which
 * opens each file once) and every file not seen before gets its call frame rows
 * (src/symbols/cfi.c) appended to the rows array; then the process's sorted mappings are
 * written to a free range of the mappings array and published in its directory
 * entry with one 8-byte store. The arrays are BPF maps (session.c): the small ones
 * (files, directory) mmap'ed whole and written in place; the rows and mappings, written
 * and never read back, through put() -- which maps only the pages it writes, so that
 * the 10 MiB of those arrays never count in procscope's RSS.
 *
 * Rows are never freed (a file's rows serve every process that maps it, and stay
 * right for the whole run); a process's mappings are, when it exits or is read
 * again -- after a grace period, so that a walk in progress never reads a range
 * reused under it.
 */
#ifndef PROCSCOPE_UNWIND_H
#define PROCSCOPE_UNWIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/self.h"
#include "unwind_abi.h"

struct symbolizer;

enum unwind_array { UNWIND_ROWS, UNWIND_MAPS };

struct unwind_tables {
	size_t rows_cap;	   /* struct unwind_row, written through put() */
	struct unwind_file *files; /* by module id */
	size_t files_cap;
	size_t maps_cap;	/* struct unwind_map, written through put() */
	struct unwind_dir *dir; /* by process slot */
	size_t dir_cap;
	/* a file's rows are in: tell the kernel its inode (unwind_inodes); 0 or -errno */
	int (*add_inode)(void *ctx, const struct unwind_inode *key, uint32_t id);
	/* @n elements of array @a from index @first, copied from @src; 0 or -errno */
	int (*put)(void *ctx, enum unwind_array a, size_t first, const void *src, size_t n);
	void *ctx;
	bool python; /* Python frames are walked: interpreters are looked for */
};

struct unwinder;

/* The tables start empty; @sym must outlive the unwinder. */
struct unwinder *unwinder__new(const struct unwind_tables *t, struct symbolizer *sym);
void unwinder__free(struct unwinder *u);

/*
 * Load the rows of the file at @path now, before any process maps it: a new process's
 * first stacks then unwind through it (the kernel places it by inode) before its own
 * mappings are read. 0 or -errno.
 */
int unwinder__preload(struct unwinder *u, const char *path);
/* ...of every file process @pid maps as code (procscope's own: the C library, ld.so). */
void unwinder__preload_pid(struct unwinder *u, uint32_t pid);
/* Read the mappings of process @pid (slot @slot) and publish them. 0 or -errno. */
int unwinder__load(struct unwinder *u, uint32_t slot, uint32_t pid);
/* Were the mappings of the process in @slot read after @ts_ns (an event's time)? */
bool unwinder__fresh(const struct unwinder *u, uint32_t slot, uint64_t ts_ns);
/* The process in @slot exited: its mappings go back to the free space. */
void unwinder__forget(struct unwinder *u, uint32_t slot);

void unwinder__stats(const struct unwinder *u, struct unwind_stats *out);

#endif
