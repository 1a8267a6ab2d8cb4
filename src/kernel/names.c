// SPDX-License-Identifier: GPL-2.0
/* The names of a dump's processes, for the snapshot; see names.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/names.h"
#include "lib/util.h"

/* The name of a block device from sysfs ("vda"), or "major:minor". */
static void dev_name(uint32_t dev, char *buf, size_t len)
{
	unsigned int major = dev >> 20, minor = dev & 0xfffff;
	char path[64], uevent[1024], *n;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major, minor);
	if (read_file(path, uevent, sizeof(uevent)) > 0 && (n = strstr(uevent, "DEVNAME="))) {
		n += 8;
		snprintf(buf, len, "%.*s", (int)strcspn(n, "\n"), n);
		return;
	}
	snprintf(buf, len, "%u:%u", major, minor);
}

static const char *names_cmdline(void *ctx, uint32_t slot)
{
	const struct proc_names *n = ctx;

	return slot < n->n ? n->cmdline[slot] : NULL;
}

static const char *names_cgroup(void *ctx, uint64_t id)
{
	const struct proc_names *n = ctx;

	for (size_t i = 0; i < n->n_cg; i++)
		if (n->cg[i].id == id)
			return n->cg[i].path;
	return NULL;
}

void proc_names_read(struct proc_names *n, struct proctree *tree, struct cgpaths *cgp,
		     const struct raw_dump *a, const struct raw_dump *b)
{
	uint32_t na = a->n_procs, nb = b ? b->n_procs : 0;

	n->n = na > nb ? na : nb;
	n->cmdline = xcalloc(n->n ? n->n : 1, sizeof(*n->cmdline));
	for (uint32_t slot = 0; slot < n->n; slot++) {
		const struct proc_rec *pa =
			slot < na && raw_dump_written(a, slot) ? &a->procs[slot] : NULL;
		const struct proc_rec *pb =
			slot < nb && raw_dump_written(b, slot) ? &b->procs[slot] : NULL;
		uint64_t cgids[2] = {pa ? pa->cgid : 0, pb ? pb->cgid : 0};
		const char *cl;

		if (!(pa && pa->pid) && !(pb && pb->pid) && !(a->agg && slot >= a->agg_first))
			continue;
		if ((cl = proctree__cmdline_cb(tree, slot)))
			n->cmdline[slot] = xstrdup(cl);
		for (int k = 0; k < 2; k++) {
			const char *path;

			if (!cgids[k] || names_cgroup(n, cgids[k]) ||
			    !(path = cgpaths__path(cgp, cgids[k])))
				continue;
			n->cg = xrealloc(n->cg, (n->n_cg + 1) * sizeof(*n->cg));
			n->cg[n->n_cg++] = (struct cg_name){cgids[k], xstrdup(path)};
		}
	}
}

void proc_names_release(struct proc_names *n)
{
	for (uint32_t i = 0; i < n->n; i++)
		free(n->cmdline[i]);
	free(n->cmdline);
	for (size_t i = 0; i < n->n_cg; i++)
		free(n->cg[i].path);
	free(n->cg);
}

void snapshot_build_named(struct snapshot *s, const struct raw_dump *cur,
			  const struct raw_dump *prev, uint64_t attach_ns, struct proc_names *n)
{
	const struct snapshot_names names = {
		.cmdline = names_cmdline,
		.ctx = n,
		.dev_name = dev_name,
		.cgroup = names_cgroup,
		.cgroup_ctx = n,
	};

	snapshot_build(s, cur, prev, attach_ns, &names);
}
