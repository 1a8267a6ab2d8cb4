/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cgroup v2 ids (the kernfs id the BPF programs record, which is the inode number of
 * the cgroup's directory) to paths relative to the cgroup2 mount ("/system.slice/
 * etl.service"): the mount's tree is walked once and again when an id is not found,
 * at most once a second (cgroups come and go with services and containers).
 */
#ifndef PROCSCOPE_CGPATH_H
#define PROCSCOPE_CGPATH_H

#include <stddef.h>
#include <stdint.h>

#define CGPATH_RESCAN_NS 1000000000ULL
#define CGPATH_MAX_DIRS 65536 /* a walk stops there */

struct cgpath_entry {
	uint64_t id;
	char *path; /* relative to the mount, "/" for the root */
};

struct cgpaths {
	char mount[4096];	/* "" when no cgroup2 is mounted */
	struct cgpath_entry *e; /* by id */
	size_t n;
	uint64_t scanned_ns; /* the last walk, 0 before the first */
};

/* Find the cgroup2 mount in @mounts_path (/proc/self/mounts); 0 or -ENOENT. */
int cgpaths__init(struct cgpaths *c, const char *mounts_path);
/* The path of cgroup @id, or NULL if it is unknown (gone, or not cgroup v2). */
const char *cgpaths__path(struct cgpaths *c, uint64_t id);
void cgpaths__release(struct cgpaths *c);

#endif
