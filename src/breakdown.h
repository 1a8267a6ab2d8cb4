/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Where the wall-clock time went.
 *
 * A process's breakdown is its thread-time by state (on a CPU, waiting for one,
 * blocked by wait class: docs/metrics.md), scaled to its lifetime, so that the
 * classes add up to exactly its wall time; for a single-threaded process the scaling
 * only absorbs a few microseconds around its start and end.
 *
 * The target's breakdown, when the target has one root (a launched command or one
 * pid), follows the critical path: starting from the root's end and going back in
 * time, the child that ended last is the one the parent was waiting for, so its own
 * breakdown replaces that part of the parent's "child" time, recursively, and the
 * parent's own classes fill the rest. The path's processes are the workflow steps the
 * total duration depended on. With several roots (cgroup, whole system, several pids)
 * the target's breakdown is the sum of the processes', in process-time.
 */
#ifndef PROCSCOPE_BREAKDOWN_H
#define PROCSCOPE_BREAKDOWN_H

#include "snapshot.h"

/* Fill every process's metrics.bd, target.bd and the critical path of @s. */
void breakdown_compute(struct snapshot *s);

const char *bd_class_name(unsigned int c); /* "oncpu", "runq", "io", ... */
const char *bd_ns_key(unsigned int c);	    /* "oncpu_ns", "runq_ns", ... (JSON keys) */
/* The largest class of @bd (ties: the first). */
unsigned int bd_dominant(const struct breakdown *bd);

#endif
