/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Memory accounting per process. Page faults come from the counters the kernel keeps
 * per task (min_flt, maj_flt: exact, and free on the fault path), read when a thread
 * exits and, for live threads, by the task iterator; peak RSS of an exited process
 * from signal->maxrss (what wait4 reports); OOM kills from mark_victim.
 */
#ifndef PROCSCOPE_MEM_ABI_H
#define PROCSCOPE_MEM_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

struct proc_mem {
	__u64 minor_faults; /* of exited threads; live threads come from the iterator */
	__u64 major_faults;
	__u64 rss_peak_bytes; /* at exit: signal->maxrss */
	__u64 oom_kills;      /* 1 once the OOM killer chose it */
};

#endif
