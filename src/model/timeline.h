/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The timeline --trace draws, as the kernel stage hands it on: every state interval of
 * every target thread (on a CPU, waiting for one, blocked by wait class: the very
 * intervals the totals add up) and the wake-ups between threads; the threads by index,
 * with their names; the counters' samples. app/trace_log.c keeps it as it comes (the
 * events in a temporary file, so that memory stays flat); render/trace.c encodes it.
 */
#ifndef PROCSCOPE_TIMELINE_H
#define PROCSCOPE_TIMELINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core_abi.h"

#define TRACE_TICK_NS (100ULL * 1000 * 1000) /* counters' resolution */

enum tl_kind {
	TL_SLICE = 1, /* a thread's state over [start_ns, end_ns) */
	TL_WAKE = 2,  /* thread waker woke thread tid at start_ns */
};

/* One event, as the kernel stage converts it. */
struct tl_event {
	uint64_t start_ns, end_ns;
	uint32_t tid, pid;	   /* the thread (its process's tgid) */
	uint32_t waker, waker_pid; /* TL_WAKE: who woke it */
	uint8_t kind;		   /* enum tl_kind */
	uint8_t tstate;		   /* enum tstate: TS_ONCPU, TS_RUNQ or TS_BLOCKED */
	uint8_t wclass;		   /* enum wait_class, when blocked */
	uint8_t pad[5];
};

/* An event as kept: its threads by index into the thread list. */
struct tl_rec {
	uint64_t start_ns, end_ns;
	uint32_t thread, waker; /* indexes; waker: TL_WAKE */
	uint8_t kind, tstate, wclass, pad[5];
};

struct tl_thread {
	uint32_t tid, pid;
	char name[COMM_LEN + 1]; /* as it was while it lived; "" if unknown */
};

/* The target's disk and network bytes so far, at @ts. */
struct tl_sample {
	uint64_t ts, disk, net;
};

/* What --trace collected, for the renderer (its memory stays the collector's). */
struct timeline {
	FILE *events;	    /* struct tl_rec, in the order they came */
	uint64_t n_events;  /* in the file */
	uint64_t not_kept;  /* past the collector's bound on the file */
	uint64_t lost;	    /* records the kernel could not buffer */
	uint64_t max_bytes; /* --trace-max: the encoded events stop there */
	const struct tl_thread *threads;
	size_t n_threads;
	uint64_t start_ns;	/* the counters' first bucket */
	const uint64_t *cpu_ns; /* on-CPU time per TRACE_TICK_NS: whole, whatever was kept */
	size_t n_buckets;
	const struct tl_sample *samples;
	size_t n_samples;
};

/* --flight-recorder's figures, for the endpoint (app/flight.h). */
enum flight_reason { FR_ALERT, FR_SIGNAL, FR_HTTP, FR_REASONS };

struct flight_stats {
	uint64_t dumps[FR_REASONS]; /* written */
	uint64_t failed;	    /* that could not be written */
	uint64_t limited;	    /* alerts that fired within a window of their rule's dump */
	uint64_t dropped;	    /* events dropped, oldest first, past --flight-recorder-max */
	uint64_t kept_bytes;	    /* the events and the tables' copies held now */
};

#endif
