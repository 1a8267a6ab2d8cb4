/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --trace: the timeline's events kept as they arrive from the kernel stage, for
 * render/trace.c at the end (model/timeline.h). The events go to an unnamed temporary
 * file, so that memory stays flat however long the run; past --trace-max bytes of them
 * further ones are counted, not kept. Each thread is given an index when first seen,
 * with its name read while it lives; the on-CPU time is bucketed for the CPU counter
 * whatever is kept, and the target's disk and network bytes are sampled every
 * TRACE_TICK_NS by the event loop.
 */
#ifndef PROCSCOPE_TRACE_LOG_H
#define PROCSCOPE_TRACE_LOG_H

#include <stdint.h>

#include "model/timeline.h"

struct trace_log;

/* A log whose events stay under @max_bytes; NULL (said why) if no temporary file. */
struct trace_log *trace_log__new(uint64_t max_bytes, uint64_t start_ns);
void trace_log__event(struct trace_log *t, const struct tl_event *e);
/* The target's disk and network bytes so far at @now. */
void trace_log__sample(struct trace_log *t, uint64_t now, uint64_t disk_bytes, uint64_t net_bytes);
/* Everything so far, for the renderer; @lost: records the kernel could not buffer. -EIO
 * if the temporary file could not be written. */
int trace_log__timeline(struct trace_log *t, uint64_t lost, struct timeline *out);
void trace_log__free(struct trace_log *t);

#endif
