/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --trace FILE: the workflow's timeline as a Perfetto trace (the TracePacket /
 * TrackEvent protobuf that ui.perfetto.dev and trace_processor read), encoded by hand.
 *
 * While the run goes on, every state interval of every target thread (running,
 * waiting for a CPU, blocked by wait class) and every wake-up of one target thread by
 * another arrive from the kernel (struct trace_rec) and are encoded at once into a
 * temporary file, so that memory stays flat however long the run; past --trace-max
 * bytes further records are counted, not kept. Every TRACE_TICK_NS the tracer samples
 * the target's disk and network bytes for the counter tracks. At the end, from the
 * final snapshot and its analysis, tracer__write() puts the descriptors first (a
 * track per process and thread, the process tree as nested tracks with each
 * process's life, the counters, the critical path and the findings), then the events.
 */
#ifndef PROCSCOPE_TRACE_H
#define PROCSCOPE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/analysis.h"
#include "model/snapshot.h"

#define TRACE_TICK_NS (100ULL * 1000 * 1000) /* counters' resolution */
#define TRACE_MAX_DEFAULT (256ULL << 20)     /* --trace-max */
#define TRACE_RING_BYTES (16U << 20)	     /* the kernel's buffer of records */

struct trace_rec;
struct tracer;

struct tracer_stats {
	uint64_t slices, wakes; /* records encoded */
	uint64_t over_max;	/* records left out past --trace-max */
	uint64_t lost;		/* records the kernel could not buffer (set by the caller) */
	uint64_t event_bytes;	/* encoded events */
	uint64_t threads;
};

/* A tracer whose events stay under @max_bytes; NULL (said why) if no temporary file. */
struct tracer *tracer__new(uint64_t max_bytes, uint64_t start_ns);
/* One record from the kernel. */
void tracer__record(struct tracer *t, const struct trace_rec *r);
/* The target's disk and network bytes so far (session__bytes()) at @now. */
void tracer__sample(struct tracer *t, uint64_t now, uint64_t disk_bytes, uint64_t net_bytes);
void tracer__stats(const struct tracer *t, struct tracer_stats *st);
void tracer__set_lost(struct tracer *t, uint64_t lost);
/*
 * The whole trace into @out: descriptors, then the annotations of @s and @a (process
 * lives, exec and exit, the critical path, the findings, counters), then the events.
 * 0 or -errno.
 */
int tracer__write(struct tracer *t, FILE *out, const struct snapshot *s, const struct analysis *a,
		  const char *title);
void tracer__free(struct tracer *t);

#endif
