/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory cgroups, so that reclaim and refaults are told with the limit that caused
 * them: the memory controller's files in cgroup v1 (memory.limit_in_bytes,
 * memory.usage_in_bytes, memory.max_usage_in_bytes, memory.stat, memory.oom_control)
 * or v2 (memory.max, memory.high, memory.current, memory.peak, memory.stat,
 * memory.events, memory.pressure).
 */
#ifndef PROCSCOPE_MEMCG_H
#define PROCSCOPE_MEMCG_H

#include <stdint.h>

#include "model/resources.h"

/* A limit file's value ("max", or bytes; v1's unlimited is a huge number): 0 = none. */
uint64_t memcg_limit_parse(const char *text);
/* The value of key @key in a "key value" file's @text (memory.stat), 0 if absent. */
uint64_t memcg_stat_value(const char *text, const char *key);
/*
 * Find memory cgroup @id in the memory controller's hierarchy (found in @mounts_path)
 * the first time (@cg->path empty), and read its figures: 0, or -ENOENT if it is gone
 * (@cg keeps what was last read).
 */
int memcg_read(const char *mounts_path, uint64_t id, struct mem_cgroup *cg);

#endif
