/* SPDX-License-Identifier: GPL-2.0 */
/*
 * IO limits of a cgroup, so that a wait held back by one is called that and not
 * the device's: blk-throttle's files in cgroup v1 (blkio.throttle.{read,write}_{bps,
 * iops}_device) and io.max in cgroup v2, merged over the cgroup and its ancestors
 * (the tightest applies).
 */
#ifndef PROCSCOPE_IOLIMIT_H
#define PROCSCOPE_IOLIMIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/resources.h"

/*
 * Add the limits in @text to @cg: one blk-throttle file's content ("MAJ:MIN VALUE"
 * lines) for @kind, or with @kind IOL_N, io.max's ("MAJ:MIN rbps=N wbps=max ...").
 * A device seen before keeps the tighter of two limits. Returns the number of
 * limits read, or -EINVAL on a line that is neither.
 */
int io_limits_parse(struct io_cgroup *cg, const char *text, enum io_limit_kind kind);
/*
 * Find the cgroup whose id is @cgid in the IO controller's hierarchy (blkio's v1
 * mount if there is one, else cgroup2, found in @mounts_path) and read its limits and
 * its ancestors'. 0, -ENOENT if it is gone, or -errno.
 */
int io_cgroup_read(const char *mounts_path, uint64_t cgid, struct io_cgroup *cg);

#endif
