// SPDX-License-Identifier: GPL-2.0
/*
 * The trace stage of a run: the event loop (app/loop.h) over the kernel's event ring,
 * the signals and the timers; the kernel's process events acted on (recycling exited
 * processes' slots, the unwinder's mappings, JIT names); --trace's events and ticks.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/loop.h"
#include "app/run_priv.h"
#include "kernel/events.h"
#include "lib/log.h"
#include "lib/util.h"

static void recycle(struct run *r);

/*
 * The kernel folded the process of @e at its exit (proc_fold() in bpf/core.bpf.c): its
 * slot is free already. Noted, for the next dump (recycler__vanished()); its stacks,
 * still under its slot and pid, move under its group.
 */
static void on_kernel_fold(struct run *r, const struct proc_event *e)
{
	size_t g;

	if (r->sym)
		symbolizer__forget(r->sym, e->slot);
	if (!session__agg_group(r->sess, &r->rec, e->agg, &g))
		return;
	if (r->n_kfolded == r->kfolded_cap) {
		r->kfolded_cap = r->kfolded_cap ? r->kfolded_cap * 2 : 64;
		r->kfolded = xrealloc(r->kfolded, r->kfolded_cap * sizeof(*r->kfolded));
	}
	r->kfolded[r->n_kfolded++] = (struct kfold_note){e->slot, e->pid, g};
	if (!e->has_stacks)
		return;
	if (r->n_stacked == r->stacked_cap) {
		r->stacked_cap = r->stacked_cap ? r->stacked_cap * 2 : 64;
		r->stacked = xrealloc(r->stacked, r->stacked_cap * sizeof(*r->stacked));
	}
	r->stacked[r->n_stacked++] =
		(struct retired_stacks){e->slot, e->pid, r->rec.slot_base + (uint32_t)g};
}

/* A process exited: its slot to recycle, its unwinder state to drop, its JIT's names. */
static void on_exit_event(struct run *r, const struct proc_event *e)
{
	r->tree_changed = true;
	if (r->recycling && e->agg >= SLOT_FIRST) {
		if (r->sym && e->has_stacks)
			symbolizer__jit(r->sym, e->slot, e->pid);
		if (r->unw)
			unwinder__forget(r->unw, e->slot);
		on_kernel_fold(r, e);
		return;
	}
	if (r->recycling && e->slot >= SLOT_FIRST) {
		exit_queue__push(&r->exits, e->slot, e->pid, e->ts_ns);
		/* a storm of exits on a busy host: recycling keeps up between ticks */
		if (r->pressed && now_ns() - r->recycled_ns > RECYCLE_EVERY_NS / 4)
			recycle(r);
	}
	if (r->unw)
		unwinder__forget(r->unw, e->slot);
	/* a JIT's names, before anyone cleans /tmp up: for a process with stacks */
	if (r->sym && e->has_stacks)
		symbolizer__jit(r->sym, e->slot, e->pid);
}

/*
 * A new program: the unwinder needs its mappings (the old ones are stale), read now so
 * that its first samples unwind whole -- but for at most LOADS_PER_SEC programs a
 * second: in a storm of short processes most are never sampled, and those that are get
 * theirs at their first stack.
 */
static void on_exec_event(struct run *r, const struct proc_event *e)
{
	if (r->unw && e->slot != SLOT_OVERFLOW && token_bucket__take(&r->loads, now_ns())) {
		uint64_t t0 = now_ns();

		unwinder__load(r->unw, e->slot, e->pid);
		pr_debug("unwind: pid %u exec'd %.2f ms ago, mappings in %.2f ms", e->pid,
			 (t0 - e->ts_ns) / 1e6, (now_ns() - t0) / 1e6);
	} else if (r->sym && !r->unw) {
		/*
		 * Its executable, by build id, while it is certainly there: frame pointer
		 * stacks name their files by build id. (The unwinder reads the files it
		 * needs from the mappings, deleted or not.)
		 */
		symbolizer__exe(r->sym, e->pid);
	}
}

/* Ring buffer records: to the process tree, the connection log, the symbolizer. */
int tracing_on_event(void *ctx, void *data, size_t len)
{
	struct run *r = ctx;
	struct proc_event e;

	events_decode(r->sess, &r->tree, &r->conns, data, len, &e);
	switch (e.kind) {
	case PE_EXIT:
		on_exit_event(r, &e);
		break;
	case PE_EXEC:
		on_exec_event(r, &e);
		break;
	case PE_STACKS:
	case PE_MAPS:
		/*
		 * Its first stack, or the unwinder met an address it could not place (a
		 * library mapped since): its mappings, unless read since the walk -- the
		 * two come together from a process's first sample.
		 */
		if (e.slot == SLOT_OVERFLOW)
			break;
		if (r->unw && !unwinder__fresh(r->unw, e.slot, e.ts_ns)) {
			/* the same budget as at exec: a storm's reads would stall the loop */
			if (token_bucket__take(&r->loads, now_ns()))
				unwinder__load(r->unw, e.slot, e.pid);
		} else if (!r->unw && r->sym && e.kind == PE_STACKS)
			symbolizer__capture(r->sym, e.slot, e.pid);
		break;
	default:
		break;
	}
	return 0;
}

/* --trace, --flight-recorder: an event of the timeline. */
int tracing_on_trace(void *ctx, const struct tl_event *e)
{
	struct run *r = ctx;

	if (r->tracer)
		trace_log__event(r->tracer, e);
	if (r->flight)
		flight__event(r->flight, e);
	return 0;
}

/* --trace, --flight-recorder: their records (they do not wake the loop each) and the
 * counters' sample. */
void tracing_trace_tick(struct run *r, uint64_t now)
{
	uint64_t disk, net;

	session__drain(r->sess, DRAIN_BUDGET_NS);
	session__bytes(r->sess, &disk, &net);
	if (r->tracer)
		trace_log__sample(r->tracer, now, disk, net);
	if (r->flight)
		flight__sample(r->flight, now, disk, net);
	r->trace_next_ns = now + TRACE_TICK_NS;
}

/* A flight recorder's dump asked for by @reason (SIGUSR1, a POST): unless one just was. */
static void flight_asked(struct run *r, enum flight_reason reason)
{
	struct flight_req q = {.reason = reason, .unix_ns = unix_now_ns()};

	if (!r->flight) {
		pr_warn("SIGUSR1: no --flight-recorder: nothing to write");
		return;
	}
	if (!flight__allow(r->flight, reason, NULL, now_ns())) {
		pr_warn("flight recorder: a dump was asked for less than a second after the last: "
			"not written");
		return;
	}
	report_flight(r, &q);
}

/*
 * Every RECYCLE_EVERY_NS: processes that exited at least a quarantine ago, and that the
 * last interval (or the endpoint) reported -- sooner when the tables are filling up --
 * give their slots and rows back (recycle.h), their figures kept in aggregates, the last
 * interval's dump adjusted. The processes procscope was given (-p) keep theirs.
 */

static void recycle(struct run *r)
{
	uint64_t now = now_ns();
	struct retirees t = {0};
	struct proc_exit *due;
	uint32_t *pseudo;
	size_t n_keep, n_due;
	const uint32_t *keep = session__registered(r->sess, &n_keep);
	uint32_t procs, rows;
	uint64_t last_ns, folds;

	/* exit events lost: the table says who exited */
	if (session__stat(r->sess, STAT_RB_DROPS) != r->rb_drops) {
		r->rb_drops = session__stat(r->sess, STAT_RB_DROPS);
		r->exits.n = session__exited(r->sess, &r->exits.v, &r->exits.cap);
	}
	/* with room to spare, a process is reported on its own before it is recycled */
	session__in_use(r->sess, &procs, &rows);
	r->pressed = tables_pressed(procs, rows, r->cfg->max_procs, r->cfg->max_rows);
	last_ns = r->recycled_ns;
	r->recycled_ns = now;
	folds = session__kfolds(r->sess);
	if (r->prev.procs && folds != r->kfold_mark) {
		/*
		 * The last dump's processes the kernel folded since: their slots may be of
		 * those retired now. (Before the retirees point into the mapped table: this
		 * may map more of it.)
		 */
		session__vanished(r->sess, &r->rec, &r->prev, r->kfolded, r->n_kfolded);
	}
	r->kfold_mark = folds;
	r->n_kfolded = 0; /* used, or of processes no dump had */
	due = xcalloc(r->exits.n + 1, sizeof(*due));
	n_due = exit_queue__due(&r->exits, now, r->prev.ts_ns, r->pressed, keep, n_keep,
				r->cfg->max_procs, due);
	for (size_t i = 0; i < n_due; i++)
		session__retiree(r->sess, due[i].slot, due[i].pid, &t);
	free(due);
	if (!t.n)
		return;
	if (!r->prev.procs) /* no interval yet: what the first one will count from (packed) */
		r->prev = (struct raw_dump){.ts_ns = session__attach_ns(r->sess),
					    .row_at = xcalloc(1, sizeof(uint32_t))};
	pseudo = xcalloc(t.n, sizeof(*pseudo));
	recycler__retire(&r->rec, &t, &r->prev, pseudo);
	pr_debug("recycle: %zu processes, %zu rows (in use: %u slots, %u rows%s), %llu ms since "
		 "the last",
		 t.n, t.n_rows, procs, rows, r->pressed ? ", pressed" : "",
		 (unsigned long long)((now - last_ns) / 1000000));
	/* their stacks, to move under the aggregates at the next interval */
	for (size_t i = 0; i < t.n; i++) {
		if (!(t.recs[i]->flags & PROC_F_STACKS))
			continue;
		if (r->n_stacked == r->stacked_cap) {
			r->stacked_cap = r->stacked_cap ? r->stacked_cap * 2 : 64;
			r->stacked = xrealloc(r->stacked, r->stacked_cap * sizeof(*r->stacked));
		}
		r->stacked[r->n_stacked++] =
			(struct retired_stacks){t.slots[i], t.recs[i]->pid, pseudo[i]};
	}
	if (r->sym)
		for (size_t i = 0; i < t.n; i++)
			symbolizer__forget(r->sym, t.slots[i]);
	if (session__recycle(r->sess, &t))
		pr_warn("cannot recycle process slots: %s", strerror(errno));
	free(pseudo);
	retirees_release(&t);
}

/*
 * SIGHUP in a monitor (no COMMAND): the --alerts files read again, as daemons do on
 * reload; a file that no longer parses leaves the rules as they were.
 */
static void reload_alerts(struct run *r)
{
	struct alerts fresh;
	char err[512];
	size_t n;

	if (!r->cfg->alert_files.n || !r->alerts) {
		pr_info("SIGHUP: no --alerts file to read again");
		return;
	}
	if (config_alerts(r->cfg, &fresh, err, sizeof(err))) {
		pr_warn("SIGHUP: %s; the alert rules stay as they were", err);
		return;
	}
	pthread_mutex_lock(&r->alerts_mu);
	n = alerts__replace_rules(r->alerts, &fresh);
	pthread_mutex_unlock(&r->alerts_mu);
	alerts__release(&fresh);
	pr_info("SIGHUP: alert rules read again: %zu, %zu of them new", r->alerts->n_rules, n);
}

static void handle_signal(struct run *r, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	if (sig == SIGHUP && r->cfg->target != TARGET_COMMAND) {
		reload_alerts(r);
		return;
	}

	if (sig == SIGUSR1) {
		bool post = si->ssi_code == SI_QUEUE && si->ssi_int == FLIGHT_SIGVAL &&
			    si->ssi_pid == (uint32_t)getpid();

		flight_asked(r, post ? FR_HTTP : FR_SIGNAL);
		return;
	}
	if (sig == SIGCHLD) {
		if (r->child.pid > 0 && launch__reap(&r->child, false))
			r->done = true;
		if (r->alerts) {
			pthread_mutex_lock(&r->alerts_mu);
			alerts__reap(r->alerts, 0);
			pthread_mutex_unlock(&r->alerts_mu);
		}
		return;
	}
	if (r->stop_sig_ns) {
		r->done = true; /* a second stop signal: do not wait any longer */
		return;
	}
	r->stop_sig = sig;
	r->stop_sig_ns = now_ns();
	if (r->child.pid <= 0 || r->child.reaped) {
		r->done = true;
		return;
	}
	/* a terminal's ^C reached the command too; a kill(1) aimed at us did not */
	if (sig != SIGINT || si->ssi_code == SI_USER || si->ssi_code == SI_QUEUE)
		kill(r->child.pid, sig);
	pr_info("stopping: waiting up to %llus for the command to exit",
		(unsigned long long)(CHILD_GRACE_NS / NSEC_PER_SEC));
}

static void on_ring(void *ctx)
{
	struct run *r = ctx;

	session__drain(r->sess, DRAIN_BUDGET_NS);
}

static void on_signals(void *ctx)
{
	struct run *r = ctx;
	struct signalfd_siginfo si;

	while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
		handle_signal(r, &si);
}

/* The reporter's word: the report's output failed, or alerts ask for dumps. */
static void on_wake(void *ctx)
{
	struct run *r = ctx;
	struct flight_req *asked;
	size_t n_asked;
	eventfd_t n;

	eventfd_read(r->wake_fd, &n);
	pthread_mutex_lock(&r->flight_mu);
	asked = r->flight_asked;
	n_asked = r->n_flight_asked;
	r->flight_asked = NULL;
	r->n_flight_asked = r->flight_asked_cap = 0;
	pthread_mutex_unlock(&r->flight_mu);
	for (size_t i = 0; i < n_asked; i++)
		report_flight(r, &asked[i]);
	free(asked);
	if (__atomic_load_n(&r->out_err, __ATOMIC_ACQUIRE))
		r->done = true;
}

/* The report's pipe, FIFO or socket has no reader any more: nothing can be written. */
static void on_reader_gone(void *ctx)
{
	struct run *r = ctx;

	report_output_failed(r, EPIPE);
	r->done = true;
}

static void on_interval(void *ctx)
{
	report_interval(ctx, false);
}

static void on_recycle(void *ctx)
{
	struct run *r = ctx;

	/* events that did not wake the loop (cfg_wake_gap_ns) first */
	session__drain(r->sess, DRAIN_BUDGET_NS);
	recycle(r);
}

/*
 * Before each wait: BPF statistics, --trace's tick, the end of the run; until when to
 * wait (-d, the grace after a stop, the next statistics switch or trace tick).
 */
static uint64_t before_wait(void *ctx, uint64_t now)
{
	struct run *r = ctx;
	uint64_t until = UINT64_MAX, stats;

	/* -p: done when every tracked process is gone */
	if (r->tree_changed && r->cfg->target == TARGET_PIDS && session__alive(r->sess) == 0)
		r->done = true;
	r->tree_changed = false;
	session__stats_tick(r->sess, now);
	if ((r->tracer || r->flight) && now >= r->trace_next_ns)
		tracing_trace_tick(r, now);
	if (r->hist.max_waits && now >= r->path_next_ns) {
		/* the waits' records do not wake the loop each: drained here */
		session__drain(r->sess, DRAIN_BUDGET_NS);
		r->path_next_ns = now + PATH_TICK_NS;
	}
	if (__atomic_load_n(&r->out_err, __ATOMIC_ACQUIRE))
		r->done = true; /* the report's output failed (on_wake, when it can) */
	if (r->done || (r->deadline_ns && now >= r->deadline_ns) ||
	    (r->stop_sig_ns && now >= r->stop_sig_ns + CHILD_GRACE_NS))
		return LOOP_STOP;
	stats = session__stats_next(r->sess);
	if (r->deadline_ns)
		until = r->deadline_ns;
	if (r->stop_sig_ns && r->stop_sig_ns + CHILD_GRACE_NS < until)
		until = r->stop_sig_ns + CHILD_GRACE_NS;
	if (stats && stats < until)
		until = stats;
	if ((r->tracer || r->flight) && r->trace_next_ns < until)
		until = r->trace_next_ns;
	if (r->hist.max_waits && r->path_next_ns < until)
		until = r->path_next_ns;
	return until == UINT64_MAX ? 0 : until;
}

/*
 * How often the tables are read: -i; else the endpoint's refresh; and a flight
 * recorder's a quarter window (1 to 10 s), the steps its dumps' windows start at.
 */
static uint64_t interval_ns(const struct run *r)
{
	uint64_t every = r->cfg->interval_ns ? r->cfg->interval_ns : r->prom ? PROM_REFRESH_NS : 0;

	if (r->flight && !r->cfg->interval_ns) {
		uint64_t step = flight__window_ns(r->flight) / 4;

		step = step < NSEC_PER_SEC	  ? NSEC_PER_SEC
		       : step > 10 * NSEC_PER_SEC ? 10 * NSEC_PER_SEC
						  : step;
		if (!every || step < every)
			every = step;
	}
	return every;
}

/* The loop's sources: the ring, the signals, the report and recycling timers. */
static int loop_sources(struct run *r, struct loop *l)
{
	int reader = outputs__reader_fd(&r->out, OUT_REPORT);
	int err = loop__add_fd(l, session__ring_fd(r->sess), on_ring, r);

	if (!err)
		err = loop__add_fd(l, r->sfd, on_signals, r);
	if (!err && r->wake_fd >= 0)
		err = loop__add_fd(l, r->wake_fd, on_wake, r);
	/* a pipeline's reader gone: stop now, not at the next record's write */
	if (!err && reader >= 0)
		err = loop__add_hangup(l, reader, on_reader_gone, r);
	if (!err && interval_ns(r))
		err = loop__add_timer(l, interval_ns(r), on_interval, r);
	if (!err && r->recycling)
		err = loop__add_timer(l, RECYCLE_EVERY_NS, on_recycle, r);
	/* a thread renders the reports while this loop goes on */
	if (!err && (interval_ns(r) || r->recycling) && worker__start(&r->reporter))
		pr_warn("cannot start the reporting thread: reports stall the event loop");
	return err;
}

/* Until the command exits, or a stop signal's grace runs out (it is forwarded). */
static uint64_t before_untraced(void *ctx, uint64_t now)
{
	struct run *r = ctx;

	if (r->done || r->child.reaped ||
	    (r->stop_sig_ns && now >= r->stop_sig_ns + CHILD_GRACE_NS))
		return LOOP_STOP;
	return r->stop_sig_ns ? r->stop_sig_ns + CHILD_GRACE_NS : 0;
}

void tracing_wait_command(struct run *r)
{
	struct loop *l;

	if (r->child.pid <= 0 || r->child.reaped || launch__reap(&r->child, false))
		return;
	pr_warn("'%s' (pid %d) runs on, untraced; waiting for it to exit", r->cfg->argv[0],
		r->child.pid);
	l = loop__new();
	r->done = false;
	if (!l || loop__add_fd(l, r->sfd, on_signals, r) || loop__run(l, before_untraced, r))
		launch__reap(&r->child, true); /* no loop: a plain wait */
	loop__free(l);
}

int tracing_run(struct run *r)
{
	const struct config *cfg = r->cfg;
	struct loop *l = loop__new();
	int err = l ? 0 : -errno;

	r->deadline_ns = cfg->duration_ns ? session__attach_ns(r->sess) + cfg->duration_ns : 0;
	if (!err)
		err = loop_sources(r, l);
	/* the endpoint answers from the start: figures as of attach */
	if (!err && r->prom)
		report_interval(r, true);
	/* the command may already be gone (SIGCHLD was queued before the loop) */
	if (r->child.pid > 0 && launch__reap(&r->child, false))
		r->done = true;
	if (!err)
		err = loop__run(l, before_wait, r);
	worker__stop(&r->reporter); /* the last interval written before the final report */
	loop__free(l);
	if (err)
		pr_warn("event loop: %s", strerror(-err));
	if (r->child.pid > 0 && !r->child.reaped && !launch__reap(&r->child, false) &&
	    !r->stop_sig && !r->out_err)
		pr_warn("stopped after the duration; '%s' (pid %d) keeps running untraced",
			cfg->argv[0], r->child.pid);
	return err;
}
