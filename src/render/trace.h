/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --trace FILE: the workflow's timeline as a Perfetto trace (the TracePacket /
 * TrackEvent protobuf that ui.perfetto.dev and trace_processor read), encoded by hand.
 *
 * From the timeline the run kept (model/timeline.h: every state interval of every
 * target thread and the wake-ups between threads, the threads, the counters' samples),
 * the final snapshot and its analysis: the descriptors first (a track per process and
 * thread, the process tree as nested tracks with each process's life, the counters, the
 * critical path and the findings), then the events, up to the timeline's --trace-max
 * bytes of them.
 */
#ifndef PROCSCOPE_TRACE_H
#define PROCSCOPE_TRACE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "analysis/analysis.h"
#include "model/snapshot.h"
#include "model/timeline.h"

#define TRACE_MAX_DEFAULT (256ULL << 20) /* --trace-max */

struct trace_stats {
	uint64_t slices, wakes; /* events encoded */
	uint64_t over_max;	/* events left out past --trace-max */
	uint64_t lost;		/* records the kernel could not buffer */
	uint64_t event_bytes;	/* encoded events */
	uint64_t threads;
};

/* The whole trace into @out, and what it holds into @st. 0 or -errno. */
int trace_render(FILE *out, const struct timeline *tl, const struct snapshot *s,
		 const struct analysis *a, const char *title, struct trace_stats *st);

#endif
