/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory accounting per process. Page faults come from the counters the kernel keeps
 * per task (min_flt, maj_flt: exact, and free on the fault path), read when a thread
 * exits and, for live threads, by the task iterator; peak RSS of an exited process
 * from signal->maxrss (what wait4 reports); OOM kills from mark_victim. Reclaim from
 * the vmscan tracepoints (direct and memcg reclaim: begin to end, on or off a CPU),
 * refaults from the page cache's own events: a page the kernel reclaimed (evicted
 * under memory pressure) that the process brought back into the cache.
 */
#ifndef PROCSCOPE_MEM_ABI_H
#define PROCSCOPE_MEM_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct proc_mem {
	__u64 minor_faults; /* of exited threads; live threads come from the iterator */
	__u64 major_faults;
	__u64 rss_peak_bytes;  /* at exit: signal->maxrss */
	__u64 oom_kills;       /* 1 once the OOM killer chose it */
	__u64 reclaim_ns;      /* in direct or memcg reclaim, begin to end */
	__u64 reclaims;	       /* reclaim passes it ran */
	__u64 reclaimed_pages; /* what they freed (of anyone's) */
	__u64 throttled_ns;    /* of reclaim_ns: throttled (mm_vmscan_throttled) */
	__u64 compact_ns;      /* of reclaim_ns: compacting memory, begin to end */
	__u64 compactions;     /* zones it compacted (mm_compaction_begin) */
	__u64 refault_pages;   /* file pages reclaimed earlier that it read back */
	__u64 refault_ns;      /* in syscalls from their first refault to their return */
	__u64 memcg_id;	       /* the memory cgroup it reclaimed or refaulted in (kernfs id) */
};

/*
 * Evicted file pages, remembered until read back: per file, in chunks of 64 pages (a
 * bit per page), an LRU map (the oldest chunks forgotten first).
 */
#define MEM_CHUNK_PAGES 64
#define MEM_EVICTED_MAX 16384 /* chunks: 4 GiB of evicted file at 4 KiB pages */

struct mem_page_key {
	__u64 ino;
	__u32 dev;
	__u32 chunk; /* page index / MEM_CHUNK_PAGES */
};

#endif
