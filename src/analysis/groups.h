/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Processes summed per label set -- command and cgroup, and pid when asked -- for an
 * exporter: Prometheus scrapes a fleet, and a series per pid would grow without bound
 * on a busy host. Every counter folds as its line of the table says (model/metrics.h);
 * syscalls add up per number. The biggest CPU users come first, so that a series cap
 * drops the tail.
 */
#ifndef PROCSCOPE_GROUPS_H
#define PROCSCOPE_GROUPS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "model/snapshot.h"

struct proc_group {
	const char *comm, *cgroup; /* the snapshot's strings: it must outlive the groups */
	uint32_t pid;		   /* 0 unless by pid */
	uint64_t processes;	   /* seen in the span */
	uint64_t running;	   /* still running at its end */
	struct metrics m;	   /* counters folded; syscalls: count, errors, total only */
};

struct proc_groups {
	struct proc_group *g;
	size_t n;
};

/* The processes of @s in groups, biggest CPU users (on-CPU + run queue) first. */
void proc_groups_build(struct proc_groups *out, const struct snapshot *s, bool by_pid);
void proc_groups_release(struct proc_groups *g);

#endif
