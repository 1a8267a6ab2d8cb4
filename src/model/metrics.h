/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The figures of a process, and of the whole target (their sum): counters, one table
 * of them, and distributions, another.
 *
 * Each counter is one line of METRIC_COUNTERS below: where it lives in struct
 * metrics, its key in the JSON record, its unit, how processes fold into a total, its
 * name for alerts and baselines, and its Prometheus family. Everything that adds,
 * subtracts, copies, renders, names or exports counters is generated from the table:
 * adding a counter is one line here (and the field in its section's struct, which a
 * static assertion in metrics.c keeps in step with the table).
 */
#ifndef PROCSCOPE_METRICS_H
#define PROCSCOPE_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"
#include "lib/histogram.h"
#include "model/subsys.h"

enum metric_unit {
	MU_NS, /* a duration */
	MU_BYTES,
	MU_COUNT,
	MU_SHARE, /* a fraction of the wall time, 0..1 */
};

/* How the figures of several processes (or two moments) make one. */
enum metric_fold {
	FOLD_SUM,   /* a counter: processes add up; an interval is the difference */
	FOLD_MAX,   /* a peak: the largest; an interval keeps the value at its end */
	FOLD_GAUGE, /* a level now: processes add up; an interval keeps its end */
};

/*
 * S(sect, subsys): the sections of struct metrics -- member `sect`, of type struct
 * sect_metrics, the JSON object "sect" of the target and of every process -- and the
 * subsystem whose programs fill it (its figures are null when that one is off). Each
 * section struct starts with its counters, up to its member `counters_end`.
 */
#define METRIC_SECTIONS(S)                                                                         \
	S(sched, SUB_SCHED)                                                                        \
	S(io, SUB_IO)                                                                              \
	S(net, SUB_NET)                                                                            \
	S(mem, SUB_MEM)

#define METRIC_SECTION_ENUM(sect, subsys) MS_##sect,
enum metric_section { METRIC_SECTIONS(METRIC_SECTION_ENUM) MS_N };

/*
 * C(sect, field, json, unit, fold, name, prom, label, abi)
 *   sect   the section (struct metrics member and JSON object): sched, io, net, mem
 *   field  its member in the section's struct (an array element counts as one)
 *   json   its key under the section's object, dotted for a nested object; NULL: kept,
 *          not reported
 *   unit   MU_NS, MU_BYTES or MU_COUNT
 *   fold   FOLD_SUM, FOLD_MAX or FOLD_GAUGE
 *   name   its metric name for --alert and baselines ("cpu"); NULL: by path only
 *          ("sched.runq_preempted_ns": every json key is a path)
 *   prom   its Prometheus family; NULL: not exported
 *   label  "key=value" it carries in that family; NULL: none
 *   abi    1 if the kernel's process record has the same member (proc_rec.SECT.FIELD),
 *          0 if the kernel side fills it otherwise
 */
#define METRIC_COUNTERS(C)                                                                         \
	C(sched, oncpu_ns, "oncpu_ns", MU_NS, FOLD_SUM, "cpu", "procscope_cpu_seconds_total",      \
	  NULL, 1)                                                                                 \
	C(sched, runq_ns, "runq_ns", MU_NS, FOLD_SUM, "runq",                                      \
	  "procscope_runqueue_wait_seconds_total", NULL, 1)                                        \
	C(sched, runq_preempt_ns, "runq_preempted_ns", MU_NS, FOLD_SUM, NULL, NULL, NULL, 1)       \
	C(sched, runq_cause_ns[RQ_CONTENTION], "runq_by_cause.contention_ns", MU_NS, FOLD_SUM,     \
	  "runq.contention", "procscope_runqueue_wait_by_cause_seconds_total", "cause=contention", \
	  0)                                                                                       \
	C(sched, runq_cause_ns[RQ_WAKEUP], "runq_by_cause.wakeup_ns", MU_NS, FOLD_SUM,             \
	  "runq.wakeup", "procscope_runqueue_wait_by_cause_seconds_total", "cause=wakeup", 1)      \
	C(sched, runq_cause_ns[RQ_CONFINED], "runq_by_cause.confined_ns", MU_NS, FOLD_SUM,         \
	  "runq.confined", "procscope_runqueue_wait_by_cause_seconds_total", "cause=confined", 1)  \
	C(sched, runq_cause_ns[RQ_THROTTLED], "runq_by_cause.throttled_ns", MU_NS, FOLD_SUM,       \
	  "runq.throttled", "procscope_runqueue_wait_by_cause_seconds_total", "cause=throttled",   \
	  1)                                                                                       \
	C(sched, runq_idle_waits, "runq_idle_waits", MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)      \
	C(sched, blocked_ns[BLK_INTERRUPTIBLE], "blocked_by_state.interruptible_ns", MU_NS,        \
	  FOLD_SUM, NULL, NULL, NULL, 1)                                                           \
	C(sched, blocked_ns[BLK_UNINTERRUPTIBLE], "blocked_by_state.uninterruptible_ns", MU_NS,    \
	  FOLD_SUM, NULL, NULL, NULL, 1)                                                           \
	C(sched, blocked_ns[BLK_IOWAIT], "blocked_by_state.iowait_ns", MU_NS, FOLD_SUM, NULL,      \
	  NULL, NULL, 1)                                                                           \
	C(sched, wait_ns[WC_IO], "wait.io_ns", MU_NS, FOLD_SUM, NULL,                              \
	  "procscope_blocked_seconds_total", "wait=io", 1)                                         \
	C(sched, wait_ns[WC_NET], "wait.net_ns", MU_NS, FOLD_SUM, NULL,                            \
	  "procscope_blocked_seconds_total", "wait=net", 1)                                        \
	C(sched, wait_ns[WC_LOCK], "wait.lock_ns", MU_NS, FOLD_SUM, NULL,                          \
	  "procscope_blocked_seconds_total", "wait=lock", 1)                                       \
	C(sched, wait_ns[WC_SLEEP], "wait.sleep_ns", MU_NS, FOLD_SUM, NULL,                        \
	  "procscope_blocked_seconds_total", "wait=sleep", 1)                                      \
	C(sched, wait_ns[WC_POLL], "wait.poll_ns", MU_NS, FOLD_SUM, NULL,                          \
	  "procscope_blocked_seconds_total", "wait=poll", 1)                                       \
	C(sched, wait_ns[WC_CHILD], "wait.child_ns", MU_NS, FOLD_SUM, NULL,                        \
	  "procscope_blocked_seconds_total", "wait=child", 1)                                      \
	C(sched, wait_ns[WC_OTHER], "wait.other_ns", MU_NS, FOLD_SUM, NULL,                        \
	  "procscope_blocked_seconds_total", "wait=other", 1)                                      \
	C(sched, wait_ns[WC_MEM], "wait.memory_ns", MU_NS, FOLD_SUM, NULL,                         \
	  "procscope_blocked_seconds_total", "wait=memory", 1)                                     \
	C(sched, unaccounted_ns, "unaccounted_ns", MU_NS, FOLD_SUM, NULL, NULL, NULL, 1)           \
	C(sched, nvcsw, "voluntary_switches", MU_COUNT, FOLD_SUM, "ctxsw.voluntary",               \
	  "procscope_context_switches_total", "kind=voluntary", 1)                                 \
	C(sched, nivcsw, "involuntary_switches", MU_COUNT, FOLD_SUM, "ctxsw.involuntary",          \
	  "procscope_context_switches_total", "kind=involuntary", 1)                               \
	C(sched, runq_waits, NULL, MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)                        \
	C(io, ops[IO_READ], "read_ops", MU_COUNT, FOLD_SUM, "io.read_ops",                         \
	  "procscope_io_operations_total", "op=read", 1)                                           \
	C(io, ops[IO_WRITE], "write_ops", MU_COUNT, FOLD_SUM, "io.write_ops",                      \
	  "procscope_io_operations_total", "op=write", 1)                                          \
	C(io, ops[IO_FLUSH], "flush_ops", MU_COUNT, FOLD_SUM, "io.flush_ops",                      \
	  "procscope_io_operations_total", "op=flush", 1)                                          \
	C(io, ops[IO_DISCARD], "discard_ops", MU_COUNT, FOLD_SUM, NULL,                            \
	  "procscope_io_operations_total", "op=discard", 1)                                        \
	C(io, ops[IO_OTHER], NULL, MU_COUNT, FOLD_SUM, NULL, "procscope_io_operations_total",      \
	  "op=other", 1)                                                                           \
	C(io, bytes[IO_READ], "read_bytes", MU_BYTES, FOLD_SUM, "io.read_bytes",                   \
	  "procscope_io_bytes_total", "op=read", 1)                                                \
	C(io, bytes[IO_WRITE], "write_bytes", MU_BYTES, FOLD_SUM, "io.write_bytes",                \
	  "procscope_io_bytes_total", "op=write", 1)                                               \
	C(io, bytes[IO_FLUSH], NULL, MU_BYTES, FOLD_SUM, NULL, NULL, NULL, 1)                      \
	C(io, bytes[IO_DISCARD], "discard_bytes", MU_BYTES, FOLD_SUM, NULL,                        \
	  "procscope_io_bytes_total", "op=discard", 1)                                             \
	C(io, bytes[IO_OTHER], NULL, MU_BYTES, FOLD_SUM, NULL, "procscope_io_bytes_total",         \
	  "op=other", 1)                                                                           \
	C(io, wb_ops, "writeback_ops", MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)                    \
	C(io, wb_bytes, "writeback_bytes", MU_BYTES, FOLD_SUM, "io.writeback_bytes",               \
	  "procscope_io_writeback_bytes_total", NULL, 1)                                           \
	C(io, dirtied_bytes, "dirtied_bytes", MU_BYTES, FOLD_SUM, "io.dirtied_bytes", NULL, NULL,  \
	  1)                                                                                       \
	C(io, deferred_ops, "deferred_ops", MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)               \
	C(io, deferred_bytes, "deferred_bytes", MU_BYTES, FOLD_SUM, "io.deferred_bytes", NULL,     \
	  NULL, 1)                                                                                 \
	C(net, tx_bytes, "tx_bytes", MU_BYTES, FOLD_SUM, "net.tx_bytes",                           \
	  "procscope_tcp_sent_bytes_total", NULL, 1)                                               \
	C(net, rx_bytes, "rx_bytes", MU_BYTES, FOLD_SUM, "net.rx_bytes",                           \
	  "procscope_tcp_received_bytes_total", NULL, 1)                                           \
	C(net, connects, "connects", MU_COUNT, FOLD_SUM, "net.connects",                           \
	  "procscope_tcp_connects_total", NULL, 1)                                                 \
	C(net, connect_failures, "connect_failures", MU_COUNT, FOLD_SUM, "net.connect_failures",   \
	  "procscope_tcp_connect_failures_total", NULL, 1)                                         \
	C(net, closes, "closes", MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)                          \
	C(net, retransmits, "retransmits", MU_COUNT, FOLD_SUM, "net.retransmits",                  \
	  "procscope_tcp_retransmits_total", NULL, 1)                                              \
	C(mem, minor_faults, "minor_faults", MU_COUNT, FOLD_SUM, "mem.minor_faults",               \
	  "procscope_page_faults_total", "kind=minor", 1)                                          \
	C(mem, major_faults, "major_faults", MU_COUNT, FOLD_SUM, "mem.major_faults",               \
	  "procscope_page_faults_total", "kind=major", 1)                                          \
	C(mem, rss_bytes, "rss_bytes", MU_BYTES, FOLD_GAUGE, "mem.rss",                            \
	  "procscope_resident_memory_bytes", NULL, 0)                                              \
	C(mem, rss_peak_bytes, "rss_peak_bytes", MU_BYTES, FOLD_MAX, "mem.rss_peak", NULL, NULL,   \
	  1)                                                                                       \
	C(mem, oom_kills, "oom_kills", MU_COUNT, FOLD_SUM, "mem.oom_kills",                        \
	  "procscope_oom_kills_total", NULL, 1)                                                    \
	C(mem, reclaim_ns, "reclaim_ns", MU_NS, FOLD_SUM, "mem.reclaim",                           \
	  "procscope_memory_reclaim_seconds_total", NULL, 1)                                       \
	C(mem, reclaims, "reclaims", MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)                      \
	C(mem, reclaimed_pages, "reclaimed_pages", MU_COUNT, FOLD_SUM, NULL,                       \
	  "procscope_memory_reclaimed_pages_total", NULL, 1)                                       \
	C(mem, throttled_ns, "reclaim_throttled_ns", MU_NS, FOLD_SUM, NULL, NULL, NULL, 1)         \
	C(mem, compact_ns, "compaction_ns", MU_NS, FOLD_SUM, NULL, NULL, NULL, 1)                  \
	C(mem, compactions, "compactions", MU_COUNT, FOLD_SUM, NULL, NULL, NULL, 1)                \
	C(mem, refault_pages, "refaults", MU_COUNT, FOLD_SUM, "mem.refaults",                      \
	  "procscope_page_refaults_total", NULL, 1)                                                \
	C(mem, refault_ns, "refault_ns", MU_NS, FOLD_SUM, "mem.refault_time",                      \
	  "procscope_page_refault_seconds_total", NULL, 1)

/*
 * F(name, help, sparse): the Prometheus families of the counters' lines, with their HELP
 * text; a sparse family has a series only once its value is not zero.
 */
#define METRIC_FAMILIES(F)                                                                         \
	F("procscope_cpu_seconds_total", "Time on a CPU", false)                                   \
	F("procscope_runqueue_wait_seconds_total", "Time runnable, waiting for a CPU", false)      \
	F("procscope_runqueue_wait_by_cause_seconds_total",                                        \
	  "The same time by why it waited: busy CPUs (contention), idle CPUs waking (wakeup), "    \
	  "its affinity (confined), its CPU quota (throttled)",                                    \
	  false)                                                                                   \
	F("procscope_blocked_seconds_total",                                                       \
	  "Time blocked (off a CPU, not runnable), by what it waited on", false)                   \
	F("procscope_context_switches_total",                                                      \
	  "Context switches: voluntary (blocked) or involuntary (preempted)", false)               \
	F("procscope_io_operations_total", "Block IO requests it submitted, by operation", true)   \
	F("procscope_io_bytes_total", "Bytes of block IO it submitted, by operation", true)        \
	F("procscope_io_writeback_bytes_total",                                                    \
	  "Bytes the kernel wrote back for files it dirtied", false)                               \
	F("procscope_tcp_sent_bytes_total", "Bytes sent on its TCP sockets", false)                \
	F("procscope_tcp_received_bytes_total", "Bytes received on its TCP sockets", false)        \
	F("procscope_tcp_connects_total", "TCP connections it opened", false)                      \
	F("procscope_tcp_connect_failures_total", "TCP connections that failed to open", false)    \
	F("procscope_tcp_retransmits_total", "TCP segments retransmitted", false)                  \
	F("procscope_page_faults_total", "Page faults: minor or major", false)                     \
	F("procscope_resident_memory_bytes", "Resident memory of its running processes", false)    \
	F("procscope_oom_kills_total", "Times the OOM killer chose one of its processes", false)   \
	F("procscope_memory_reclaim_seconds_total",                                                \
	  "Time in memory reclaim (direct or its cgroup's) before its allocations could go on",    \
	  false)                                                                                   \
	F("procscope_memory_reclaimed_pages_total", "Pages its reclaim passes freed", false)       \
	F("procscope_page_refaults_total",                                                         \
	  "File pages evicted by reclaim that it read back (refaults)", false)                     \
	F("procscope_page_refault_seconds_total",                                                  \
	  "Time in syscalls from their first refault to their return", false)

/*
 * D(sect, field, json, name, row)
 *   sect, field   where it lives (struct lat)
 *   json          its object's key under the section
 *   name          the prefix of its metric names (NAME.p50, .p90, .p99, .max, .count);
 *                 NULL: by path only
 *   row           the kernel's row kind that feeds it (enum row_kind)
 */
#define METRIC_DISTRIBUTIONS(D)                                                                    \
	D(sched, runq, "runq_latency", "runq", ROW_RUNQ)                                           \
	D(io, lat, "latency", "io", ROW_IO_LAT)                                                    \
	D(io, queue, "queue", "io.queue", ROW_IO_QUEUE)                                            \
	D(net, connect, "connect", "net.connect", ROW_TCP_CONNECT)                                 \
	D(net, rtt, "rtt", "net.rtt", ROW_TCP_RTT)                                                 \
	D(net, lifetime, "lifetime", NULL, ROW_TCP_LIFETIME)

/*
 * Every member before counters_end is a counter with its line in the table, and each
 * line is one of them: a unit test checks that the lines tile the counters exactly.
 */
struct sched_metrics {
	uint64_t oncpu_ns;
	uint64_t runq_ns;		    /* all run-queue waits ... */
	uint64_t runq_preempt_ns;	    /* ... of which after an involuntary switch */
	uint64_t runq_cause_ns[RQ_CAUSE_N]; /* ... and by cause (enum runq_cause): all of it */
	uint64_t runq_idle_waits;	    /* waits ended on an idle CPU */
	uint64_t blocked_ns[BLK_N];
	uint64_t wait_ns[WC_N]; /* the same blocked time, by wait class */
	uint64_t unaccounted_ns;
	uint64_t nvcsw, nivcsw;
	uint64_t runq_waits;
	char counters_end[0];
	struct lat runq;
};

struct io_metrics {
	uint64_t ops[IO_OP_N];
	uint64_t bytes[IO_OP_N];
	uint64_t wb_ops, wb_bytes; /* written back by the kernel for files it dirtied */
	uint64_t dirtied_bytes;
	uint64_t deferred_ops, deferred_bytes; /* of ops/bytes: issued later for its IO cgroup */
	char counters_end[0];
	uint64_t deferred_cgid; /* that cgroup (one process's; 0 for the target) */
	struct lat lat;		/* device time */
	struct lat queue;	/* queue time */
};

struct net_metrics {
	uint64_t tx_bytes, rx_bytes;
	uint64_t connects, connect_failures, closes, retransmits;
	char counters_end[0];
	uint64_t accepts;   /* from its accept syscalls */
	bool accepts_known; /* ... which were traced */
	struct lat connect, rtt, lifetime;
};

struct mem_metrics {
	uint64_t minor_faults, major_faults;
	uint64_t rss_bytes;	 /* now (live processes) */
	uint64_t rss_peak_bytes; /* VmHWM while alive, signal->maxrss at exit */
	uint64_t oom_kills;
	uint64_t reclaim_ns, reclaims, reclaimed_pages, throttled_ns;
	uint64_t compact_ns, compactions; /* of reclaim_ns: compaction, and zones compacted */
	uint64_t refault_pages, refault_ns;
	char counters_end[0];
	uint64_t memcg_id; /* the memory cgroup it reclaimed or refaulted in; 0 if none */
};

struct syscall_stat {
	uint32_t nr;
	uint64_t timed; /* calls whose latency was measured (adaptive timing) */
	uint64_t errors;
	uint32_t top_errno; /* most frequent errno, 0 if none */
	uint64_t top_errno_count;
	struct lat lat; /* count (exact), total, max, percentiles (estimated if timed < count) */
	struct hist *h; /* the target's: its buckets (weighted, as lat); NULL for a process */
};

#define METRIC_SECTION_MEMBER(sect, subsys) struct sect##_metrics sect;
struct metrics {
	METRIC_SECTIONS(METRIC_SECTION_MEMBER)
	struct syscall_stat *syscalls; /* by total time, descending */
	size_t n_syscalls;
	uint64_t syscall_count, syscall_errors, syscall_total_ns;
};

/* One counter of the table, for code that walks it (renderers, metric paths). */
struct counter_def {
	enum metric_section sect;
	size_t offset; /* in struct metrics */
	const char *json, *name, *prom, *label;
	enum metric_unit unit;
	enum metric_fold fold;
};

/* One distribution of the table. */
struct dist_def {
	enum metric_section sect;
	size_t offset; /* of its struct lat in struct metrics */
	const char *json, *name;
	unsigned int row; /* enum row_kind */
};

extern const struct counter_def counter_defs[];
extern const size_t n_counter_defs;
extern const struct dist_def dist_defs[];
extern const size_t n_dist_defs;

static inline uint64_t counter_get(const struct metrics *m, const struct counter_def *d)
{
	return *(const uint64_t *)((const char *)m + d->offset);
}

static inline uint64_t *counter_ptr(struct metrics *m, const struct counter_def *d)
{
	return (uint64_t *)((char *)m + d->offset);
}

static inline const struct lat *dist_get(const struct metrics *m, const struct dist_def *d)
{
	return (const struct lat *)((const char *)m + d->offset);
}

/* "sched", "io", "net", "mem" */
const char *metric_section_name(enum metric_section s);
/* The subsystem that fills section @s (enum subsys). */
unsigned int metric_section_subsys(enum metric_section s);
/* Where section @s's counters are in struct metrics: [*@from, *@to). */
void metric_section_counters(enum metric_section s, size_t *from, size_t *to);

/* @t += @m: every counter by its fold (a gauge and a peak of an exited process too). */
void metrics_add(struct metrics *t, const struct metrics *m);
/* @d -= @p for an interval: counters by their fold (peaks and gauges keep @d's). */
void metrics_sub(struct metrics *d, const struct metrics *p);

#endif
