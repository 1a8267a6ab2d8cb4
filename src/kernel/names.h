/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The names of a dump's processes -- command lines (from the process tree the event
 * records build) and cgroup paths -- read on the event loop, where the trees they come
 * from change, and handed with the dump to whoever builds its snapshot (the reporter
 * thread, or the final report).
 */
#ifndef PROCSCOPE_NAMES_H
#define PROCSCOPE_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "host/cgpath.h"
#include "kernel/proctree.h"
#include "kernel/raw_dump.h"

struct proc_names {
	char **cmdline; /* by slot; NULL: none */
	uint32_t n;
	struct cg_name {
		uint64_t id;
		char *path;
	} * cg;
	size_t n_cg;
};

/* The names of the processes of @a and @b (NULL: none) into @n. */
void proc_names_read(struct proc_names *n, struct proctree *tree, struct cgpaths *cgp,
		     const struct raw_dump *a, const struct raw_dump *b);
void proc_names_release(struct proc_names *n);

/* Snapshot @cur (since @prev; NULL: since attach), its processes named by @n. */
void snapshot_build_named(struct snapshot *s, const struct raw_dump *cur,
			  const struct raw_dump *prev, uint64_t attach_ns, struct proc_names *n);

#endif
