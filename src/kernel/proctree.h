/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the ring buffer tells about processes that the kernel tables do not hold:
 * command lines (captured at exec by BPF, or read from procfs for processes already
 * running when first seen) and exits as they happen. Process records only: closed
 * TCP connections go to conn_log.h, first stacks to the symbolizer.
 */
#ifndef PROCSCOPE_PROCTREE_H
#define PROCSCOPE_PROCTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"

struct proctree {
	char **cmdline; /* by slot; NULL = unknown */
	size_t cap;
	uint64_t events;
	uint64_t exits; /* processes seen exiting */
	uint64_t ooms;	/* OOM victims in the target */
};

void proctree__init(struct proctree *t);
void proctree__release(struct proctree *t);
/* One process record (exec, exit, first sight, OOM, stacks). Its kind, or -EINVAL. */
int proctree__handle(struct proctree *t, const void *data, size_t len);
/*
 * Set @slot's command line from NUL-separated @args (as /proc/PID/cmdline); one that
 * was cut (@truncated) ends with CMDLINE_CUT_MARK, never silently.
 */
void proctree__set_args(struct proctree *t, uint32_t slot, const char *args, size_t len,
			bool truncated);
#define CMDLINE_CUT_MARK " [truncated]"
/* The longest command line kept: read from procfs, CMDLINE_MAX from the exec event. */
#define CMDLINE_PROC_MAX (32 * 1024)
/* Read /proc/@pid/cmdline for @slot; 0 or -errno. */
int proctree__read_proc(struct proctree *t, uint32_t slot, uint32_t pid);
const char *proctree__cmdline(const struct proctree *t, uint32_t slot);
/* snapshot_names callback */
const char *proctree__cmdline_cb(void *ctx, uint32_t slot);

#endif
