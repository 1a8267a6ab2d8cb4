/* SPDX-License-Identifier: GPL-2.0 */
/*
 * --flight-recorder DURATION: the timeline --trace would keep (every thread's state
 * slices and wake-ups, the counters' samples) kept for the last DURATION only, in a
 * ring of chunks in memory, at most --flight-recorder-max bytes (the oldest dropped
 * first; chunks no dump can want any more freed, so memory follows the window); and,
 * so that a dump's report covers the same window, copies of the kernel's tables taken
 * at interval ends ("anchors", one per quarter window). A dump -- an alert's, SIGUSR1's,
 * a POST's -- is the window from the newest anchor at least DURATION old to now: a
 * Perfetto trace and a JSON report of it, written atomically into the directory, where
 * the newest --flight-recorder-keep dumps stay.
 *
 * The ring is filled by the event loop and read by the reporter thread (which writes
 * the dumps): it has a lock of its own. Anchors belong to the event loop.
 */
#ifndef PROCSCOPE_FLIGHT_H
#define PROCSCOPE_FLIGHT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/trace_log.h"
#include "kernel/raw_dump.h"
#include "model/timeline.h"

#define FLIGHT_MAX_DEFAULT (64ULL << 20)
#define FLIGHT_KEEP_DEFAULT 10
#define FLIGHT_DIR_DEFAULT "/var/lib/procscope/flight-recorder"
/* SIGUSR1 as the endpoint queues it for a POST: its value */
#define FLIGHT_SIGVAL 0x464c5452
#define FLIGHT_ANCHORS 6
#define FLIGHT_CHUNK_EVENTS                                                                        \
	4096 /* records a chunk of the ring holds (160 KiB) */ /* a quarter window apart: the      \
								  window's start, and what follows \
								*/

struct flight;

/* What to dump, and why: an alert's rule and value, or the signal or request. */
struct flight_req {
	enum flight_reason reason;
	char rule[256]; /* FR_ALERT: the rule as written */
	double value, threshold;
	uint64_t unix_ns; /* when it was asked for */
};

/*
 * A recorder of the last @window_ns, in at most @max_bytes of events, dumping into
 * @dir (made if missing, 0700) and keeping @keep dumps there. 0, or -errno with a
 * one-line reason in @err.
 */
int flight__open(struct flight **out, uint64_t window_ns, uint64_t max_bytes, const char *dir,
		 unsigned int keep, char *err, size_t errlen);
void flight__free(struct flight *f);

uint64_t flight__window_ns(const struct flight *f);
/* An event of the timeline, and the counters' sample at @now (the event loop's). */
void flight__event(struct flight *f, const struct tl_event *e);
void flight__sample(struct flight *f, uint64_t now, uint64_t disk, uint64_t net);

/* The tables at an interval's end (@d->ts_ns): kept as an anchor if one is due. */
void flight__anchor(struct flight *f, const struct raw_dump *d);
/*
 * A copy, into @out, of the anchor a dump at @now starts from: the newest at least the
 * window old, else the oldest. False if there is none yet (the window starts at attach).
 */
bool flight__anchor_copy(const struct flight *f, uint64_t now, struct raw_dump *out);

/*
 * May an alert of rule @rule dump at @now? Each rule at most once per window (those
 * refused are counted); a signal or request at most once a second.
 */
bool flight__allow(struct flight *f, enum flight_reason reason, const char *rule, uint64_t now);

/* The events of [@from, @to) as a trace log (trace_log.h) for the renderer; NULL if none
 * could be made. */
struct trace_log *flight__timeline(struct flight *f, uint64_t from, uint64_t to);

/* A dump's name, without its directory and extension: procscope-<UTC time>-<what>. */
void flight_stem(const struct flight_req *q, char *stem, size_t len);
/*
 * Write dump @stem: @trace (@trace_len bytes) and @json (@json_len) as
 * @stem.{pftrace,json} in the directory, each through a temporary file renamed into
 * place, the report last; then the oldest dumps past the bound removed. 0 or -errno.
 */
int flight__write(struct flight *f, const struct flight_req *q, const char *stem, const void *trace,
		  size_t trace_len, const void *json, size_t json_len);
/* The directory the dumps go to. */
const char *flight__dir(const struct flight *f);

/* The figures so far. */
void flight__stats(struct flight *f, struct flight_stats *st);

/* "runq.p99 > 10ms" -> "runq.p99-10ms": a rule as a file name's part, at most @len - 1
 * characters of [A-Za-z0-9._-]. */
void flight_file_part(const char *rule, char *out, size_t len);

#endif
