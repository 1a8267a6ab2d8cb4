/* SPDX-License-Identifier: GPL-2.0 */
/*
 * One run's state, shared by its stages: prepare (app/run.c), trace (app/tracing.c: the
 * event loop, the kernel's events, recycling) and report (app/report.c: the interval
 * reports on the reporter thread, the final report, the outputs). Each stage's
 * resources start empty (NULL, -1) and run_release() frees whatever exists.
 */
#ifndef PROCSCOPE_RUN_PRIV_H
#define PROCSCOPE_RUN_PRIV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "analysis/alerts.h"
#include "analysis/analysis.h"
#include "analysis/baseline.h"
#include "app/flight.h"
#include "app/launch.h"
#include "app/monitor.h"
#include "app/output.h"
#include "app/promserve.h"
#include "app/trace_log.h"
#include "host/cgpath.h"
#include "kernel/conn_log.h"
#include "kernel/proctree.h"
#include "kernel/recycle.h"
#include "kernel/session.h"
#include "kernel/unwind.h"
#include "lib/json_writer.h"
#include "lib/worker.h"
#include "model/config.h"
#include "render/report.h"
#include "symbols/symbolize.h"

/* --prometheus without -i: the endpoint's figures are this fresh */
#define PROM_REFRESH_NS (10 * NSEC_PER_SEC)
/* after a stop signal, wait this long for the command */
#define CHILD_GRACE_NS (2 * NSEC_PER_SEC)
/* ring buffer records handled at a time, before the loop's timers get a turn */
#define DRAIN_BUDGET_NS (10 * 1000000ULL)
#define COLLECT_DRAIN_BUDGET_NS (20 * 1000000ULL)
/* waits kept for the critical path: ~3.5 MB of records per 64,000 */
#define HISTORY_MAX_WAITS (4U << 20)
/* their records are drained this often (the kernel's buffer holds 4 MiB: 65,536) */
#define PATH_TICK_NS (50 * 1000000ULL)
/* programs whose mappings are read at exec, at most, a second (and in a burst) */
#define LOADS_PER_SEC 50
#define ALERT_EXEC_GRACE_NS (10 * NSEC_PER_SEC) /* at the end, for --alert-exec programs */

/* The run's outputs, committed or aborted together. */
enum run_output {
	OUT_REPORT = 0, /* -o, or standard output */
	OUT_SAVE,	/* --save-baseline */
	OUT_FOLDED,
	OUT_FOLDED_OFFCPU,
	OUT_FLAMEGRAPH,
	OUT_PPROF,
	OUT_TRACE,
	OUT_HTML,
	OUT_N,
};

struct run {
	const struct config *cfg;
	struct outputs out;
	struct json_writer jw; /* on OUT_REPORT */
	struct report_opts ropts;
	char *desc, *short_desc; /* the target, in full and for sentences */
	int sfd;		 /* signalfd, -1 before */
	char exe[4096];		 /* the command, resolved */
	struct launch child;	 /* pid 0 unless a command was launched */
	struct session *sess;
	struct proctree tree;	       /* command lines, from the ring buffer */
	struct cgpaths cgp;	       /* cgroup ids to paths */
	struct conn_log conns;	       /* closed TCP connections, likewise */
	struct symbolizer *sym;	       /* when stacks are on */
	struct unwinder *unw;	       /* when user stacks are walked with unwind tables */
	struct unwind_stats unw_stats; /* its figures, kept when it goes with the session */
	uint64_t unw_rows_max;
	struct raw_dump prev; /* the last interval's dump (procs NULL before) */
	uint64_t stop_sig_ns; /* when a stop signal arrived, 0 if none */
	int stop_sig;
	bool done, tree_changed;
	uint64_t deadline_ns;  /* -d: the end, 0 if none */
	struct alerts *alerts; /* NULL without rules */
	struct baseline bl;    /* root NULL without --baseline */
	struct baseline_cmp cmp;
	struct recycler rec; /* -a, -c, -p with intervals: exited processes recycled */
	bool recycling;
	struct exit_queue exits;	/* exited processes not yet recycled */
	uint64_t rb_drops;		/* ring buffer drops, as of the last recycling */
	uint64_t recycled_ns;		/* the last recycling */
	bool pressed;			/* the tables were filling up then (RECYCLE_PRESSURE) */
	struct retired_stacks *stacked; /* recycled since the last rekey, with stacks */
	size_t n_stacked, stacked_cap;
	struct kfold_note *kfolded; /* folded by the kernel since the last look (kfold_mark) */
	size_t n_kfolded, kfolded_cap;
	uint64_t kfold_mark;	   /* session__kfolds() at the last look for vanished processes */
	struct token_bucket loads; /* mappings read on the loop: LOADS_PER_SEC at most */
	struct worker reporter;	   /* renders the intervals' reports (worker.h) */
	pthread_mutex_t alerts_mu; /* the rules and their state: the reporter's and the loop's */
	struct promserve *prom;	   /* --prometheus */
	uint64_t prom_dropped;	   /* series its cap left out, so far */
	struct history hist;	   /* who ended each wait: the critical path's (max_waits 0: off) */
	uint64_t path_lost;	   /* its records the kernel could not buffer */
	uint64_t path_next_ns;	   /* when they are drained next */
	struct trace_log *tracer;  /* --trace */
	uint64_t trace_next_ns;	   /* its next sample of the counters */
	uint64_t trace_lost;	   /* its records the kernel could not buffer */
	struct flight *flight;	   /* --flight-recorder */
	pthread_mutex_t flight_mu; /* its dumps asked for by the reporter (an alert's) */
	struct flight_req *flight_asked;
	size_t n_flight_asked, flight_asked_cap;
	/*
	 * The report's output failed (a positive errno; EPIPE: its reader is gone) during
	 * the run: set by the reporter or the loop, read atomically. The run ends; with
	 * a command, it runs on untraced (tracing_wait_command).
	 */
	int out_err;
	int wake_fd; /* eventfd: the reporter wakes the loop with it; -1 before */
};

/* app/tracing.c */
/* Until the target ends, the duration passes or a stop signal's grace runs out. */
int tracing_run(struct run *r);
/* The report's output failed: the command runs on, untraced, until it exits. */
void tracing_wait_command(struct run *r);
/* session_opts callbacks: the kernel's event ring, and --trace's */
int tracing_on_event(void *ctx, void *data, size_t len);
int tracing_on_trace(void *ctx, const struct tl_event *e);
/* --trace: its records (they do not wake the loop each) and the counters' sample. */
void tracing_trace_tick(struct run *r, uint64_t now);

/* app/report.c */
/* The reporter thread's job: an interval's snapshots, record, alerts, endpoint. */
void report_job(void *ctx, void *job);
/* Every -i (or endpoint refresh): the tables read and handed to the reporter. */
void report_interval(struct run *r, bool endpoint_only);
/* --flight-recorder: the window's tables read and handed to the reporter, to dump @q. */
void report_flight(struct run *r, const struct flight_req *q);
/* An alert's dump asked for by the reporter: the event loop will read the tables. */
void report_flight_ask(struct run *r, const struct flight_req *q);
/*
 * The final report: the kernel side is detached before anything is rendered. If the
 * report's output failed during the run, nothing is rendered: every output aborted,
 * the error said; 128+SIGPIPE if its reader is gone, else EXIT_RUNTIME.
 */
int report_final(struct run *r);
/* Note that the report's output failed with @err (a positive errno): the run ends. */
void report_output_failed(struct run *r, int err);

#endif
