/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A snapshot in Prometheus' text exposition format (version 0.0.4), for --prometheus:
 * what the report covers, as counters and gauges in base units (seconds, bytes),
 * labelled by command (comm) and cgroup -- and pid with PROM_LABEL_PID -- and, at the
 * target level, latency distributions as histograms whose buckets are unions of
 * procscope's log-linear ones (two per power of two from 1 us to 68.7 s). Every metric is in
 * docs/metrics.md, *Prometheus*.
 *
 * The snapshot must be cumulative (everything since attach): counters never go down as
 * long as processes do not change command or cgroup.
 */
#ifndef PROCSCOPE_PROMETHEUS_H
#define PROCSCOPE_PROMETHEUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct snapshot;
struct alerts;
struct proc_groups;
struct flight_stats;

#define PROM_MAX_SERIES_DEFAULT 10000
#define PROM_TOP_SYSCALL_HISTOGRAMS 20 /* syscall latency histograms: the most called */

enum prom_labels {
	PROM_LABEL_PID = 1 << 0, /* --prometheus-labels pid: one series set per process */
};

struct prom_opts {
	unsigned int labels; /* enum prom_labels */
	size_t max_series;   /* 0: PROM_MAX_SERIES_DEFAULT */
	const struct alerts *alerts;
	uint64_t dropped_before;	   /* series the cap dropped in earlier renders */
	const struct flight_stats *flight; /* --flight-recorder's, NULL without */
};

/*
 * Write the exposition of @s, its processes in @groups (analysis/groups.h, built with
 * the same pid labelling as @o asks), to @f. Returns the series the cap dropped in this
 * render.
 */
size_t render_prometheus(FILE *f, const struct snapshot *s, const struct proc_groups *groups,
			 const struct prom_opts *o);

#endif
