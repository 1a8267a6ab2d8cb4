// SPDX-License-Identifier: GPL-2.0
/*
 * One run of procscope:
 *
 *   prepare: check the environment and target, open every output, take the signals,
 *            (fork the command, held), load and attach, release the command
 *   trace:   wait for the end (the command, the pids, -d, a signal), with a report
 *            every -i
 *   report:  collect, detach, build the snapshot, analyse, check (alerts, baseline),
 *            render, commit every output together
 *
 * The kernel side is torn down before the final report is rendered, and on every
 * error path, so nothing stays attached whatever happens afterwards. Each stage's
 * resources start empty (NULL, -1) and run_release() frees whatever exists.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "analysis/alerts.h"
#include "analysis/analysis.h"
#include "analysis/baseline.h"
#include "analysis/groups.h"
#include "host/cgpath.h"
#include "app/cli.h"
#include "kernel/check.h"
#include "kernel/conns.h"
#include "lib/json_reader.h"
#include "render/html.h"
#include "app/launch.h"
#include "lib/log.h"
#include "app/output.h"
#include "host/preflight.h"
#include "kernel/proctree.h"
#include "render/prometheus.h"
#include "app/promserve.h"
#include "kernel/recycle.h"
#include "render/render.h"
#include "render/report.h"
#include "app/run.h"
#include "app/signals.h"
#include "kernel/session.h"
#include "kernel/raw_stacks.h"
#include "model/stacks.h"
#include "symbols/symbolize.h"
#include "app/trace_log.h"
#include "render/trace.h"
#include "kernel/unwind.h"
#include "lib/worker.h"
#include "lib/util.h"

/* --prometheus without -i: the endpoint's figures are this fresh */
#define PROM_REFRESH_NS (10 * NSEC_PER_SEC)
/* after a stop signal, wait this long for the command */
#define CHILD_GRACE_NS (2 * NSEC_PER_SEC)
/* ring buffer records handled at a time, before the loop's timers get a turn */
#define DRAIN_BUDGET_NS (10 * 1000000ULL)
#define COLLECT_DRAIN_BUDGET_NS (20 * 1000000ULL)
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
	struct alerts *alerts; /* NULL without rules */
	struct baseline bl;    /* root NULL without --baseline */
	struct baseline_cmp cmp;
	struct recycler rec; /* -a, -c, -p with intervals: exited processes recycled */
	bool recycling;
	struct proc_exit *exits; /* exited processes not yet recycled */
	size_t n_exits, exits_cap;
	uint64_t rb_drops;		/* ring buffer drops, as of the last recycling */
	uint64_t recycled_ns;		/* the last recycling */
	bool pressed;			/* the tables were filling up then (RECYCLE_PRESSURE) */
	struct retired_stacks *stacked; /* recycled since the last rekey, with stacks */
	size_t n_stacked, stacked_cap;
	uint64_t exec_tokens_ns;   /* load_allowed()'s bucket: tokens since then */
	struct worker reporter;	   /* renders the intervals' reports (worker.h) */
	pthread_mutex_t alerts_mu; /* the rules and their state: the reporter's and the loop's */
	struct promserve *prom;	   /* --prometheus */
	uint64_t prom_dropped;	   /* series its cap left out, so far */
	struct trace_log *tracer;  /* --trace */
	uint64_t trace_next_ns;	   /* its next sample of the counters */
	uint64_t trace_lost;	   /* its records the kernel could not buffer */
};

static char *describe_target(const struct config *cfg, const struct cgroup_target *cg)
{
	size_t len = 1;
	char *s;

	switch (cfg->target) {
	case TARGET_COMMAND:
		for (int i = 0; i < cfg->argc; i++)
			len += strlen(cfg->argv[i]) + 1;
		s = xcalloc(1, len);
		for (int i = 0; i < cfg->argc; i++) {
			if (i)
				strcat(s, " ");
			strcat(s, cfg->argv[i]);
		}
		return s;
	case TARGET_PIDS:
		s = xcalloc(1, 16 * (size_t)cfg->n_pids + 8);
		strcpy(s, "pid ");
		for (int i = 0; i < cfg->n_pids; i++)
			sprintf(s + strlen(s), "%s%d", i ? "," : "", cfg->pids[i]);
		return s;
	case TARGET_CGROUP:
		return xstrdup(cg->path);
	default:
		return xstrdup("all processes");
	}
}

static uint64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
}

/* "`make -j4 all`", or its first 40 characters and "...": for sentences in findings. */
static char *short_description(const char *desc)
{
	size_t n = strlen(desc);
	char *s = xmalloc(n < 40 ? n + 3 : 46);

	if (n <= 40)
		sprintf(s, "`%s`", desc);
	else
		sprintf(s, "`%.40s...`", desc);
	return s;
}

/* Ring buffer records: to the process tree, the connection log, the symbolizer. */
static void recycle(struct run *r);

/* A token bucket: may an exec's mappings be read now (see on_event)? */
static bool load_allowed(struct run *r)
{
	uint64_t per = NSEC_PER_SEC / LOADS_PER_SEC, full = LOADS_PER_SEC * per;
	uint64_t now = now_ns();

	/* the bucket's tokens are the time since exec_tokens_ns, in steps of per */
	if (now - r->exec_tokens_ns > full)
		r->exec_tokens_ns = now - full;
	if (now - r->exec_tokens_ns < per)
		return false;
	r->exec_tokens_ns += per;
	return true;
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct ev_hdr *h = data;
	const struct proc_rec *p;
	struct run *r = ctx;
	int kind;

	if (len < sizeof(h->kind))
		return 0;
	if (h->kind == EV_TCP_CLOSE && len >= sizeof(*h)) {
		char comm[COMM_LEN + 1] = "";

		p = session__proc(r->sess, h->slot, h->pid);
		if (p)
			memcpy(comm, p->comm, COMM_LEN);
		conn_log__add(&r->conns, data, len, p ? comm : NULL);
		return 0;
	}
	switch ((kind = proctree__handle(&r->tree, data, len))) {
	case EV_EXIT:
		r->tree_changed = true;
		if (r->recycling && h->slot >= SLOT_FIRST) {
			if (r->n_exits == r->exits_cap) {
				r->exits_cap = r->exits_cap ? r->exits_cap * 2 : 256;
				r->exits = xrealloc(r->exits, r->exits_cap * sizeof(*r->exits));
			}
			r->exits[r->n_exits++] = (struct proc_exit){h->slot, h->pid, h->ts_ns};
			/* a storm of exits on a busy host: recycling keeps up between ticks */
			if (r->pressed && now_ns() - r->recycled_ns > RECYCLE_EVERY_NS / 4)
				recycle(r);
		}
		if (r->unw)
			unwinder__forget(r->unw, h->slot);
		/* a JIT's names, before anyone cleans /tmp up: for a process with stacks */
		if (r->sym && h->slot != SLOT_OVERFLOW &&
		    (p = session__proc(r->sess, h->slot, h->pid)) && (p->flags & PROC_F_STACKS))
			symbolizer__jit(r->sym, h->slot, h->pid);
		break;
	case EV_EXEC:
		/*
		 * A new program: the unwinder needs its mappings (the old ones are stale),
		 * read now so that its first samples unwind whole -- but for at most
		 * LOADS_PER_SEC programs a second: in a storm of short processes most are
		 * never sampled, and those that are get theirs at their first stack.
		 */
		if (r->unw && h->slot != SLOT_OVERFLOW && load_allowed(r)) {
			uint64_t t0 = now_ns();

			unwinder__load(r->unw, h->slot, h->pid);
			pr_debug("unwind: pid %u exec'd %.2f ms ago, mappings in %.2f ms", h->pid,
				 (t0 - h->ts_ns) / 1e6, (now_ns() - t0) / 1e6);
		} else if (r->sym && !r->unw) {
			/*
			 * Its executable, by build id, while it is certainly there: frame
			 * pointer stacks name their files by build id. (The unwinder reads
			 * the files it needs from the mappings, deleted or not.)
			 */
			symbolizer__exe(r->sym, h->pid);
		}
		break;
	case EV_STACKS:
	case EV_MAPS:
		/*
		 * Its first stack, or the unwinder met an address it could not place (a
		 * library mapped since): its mappings, unless read since the walk -- the
		 * two come together from a process's first sample.
		 */
		if (h->slot == SLOT_OVERFLOW)
			break;
		if (r->unw && !unwinder__fresh(r->unw, h->slot, h->ts_ns)) {
			/* the same budget as at exec: a storm's reads would stall the loop */
			if (load_allowed(r))
				unwinder__load(r->unw, h->slot, h->pid);
		} else if (!r->unw && r->sym && kind == EV_STACKS)
			symbolizer__capture(r->sym, h->slot, h->pid);
		break;
	}
	return 0;
}

/* --trace: an event of the timeline. */
static int on_trace(void *ctx, const struct tl_event *e)
{
	struct run *r = ctx;

	if (r->tracer)
		trace_log__event(r->tracer, e);
	return 0;
}

/* --trace: its records (they do not wake the loop each) and the counters' sample. */
static void trace_tick(struct run *r, uint64_t now)
{
	uint64_t disk, net;

	session__drain(r->sess, DRAIN_BUDGET_NS);
	session__bytes(r->sess, &disk, &net);
	trace_log__sample(r->tracer, now, disk, net);
	r->trace_next_ns = now + TRACE_TICK_NS;
}

/* The name of a block device from sysfs ("vda"), or "major:minor". */
static void dev_name(uint32_t dev, char *buf, size_t len)
{
	unsigned int major = dev >> 20, minor = dev & 0xfffff;
	char path[64], uevent[1024], *n;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major, minor);
	if (read_file(path, uevent, sizeof(uevent)) > 0 && (n = strstr(uevent, "DEVNAME="))) {
		n += 8;
		snprintf(buf, len, "%.*s", (int)strcspn(n, "\n"), n);
		return;
	}
	snprintf(buf, len, "%u:%u", major, minor);
}

/*
 * Read the kernel side into @d, with what the ring buffer told so far: all of it for
 * the final report, what fits in a budget for the others (a storm of events goes on).
 */
static void collect(struct run *r, struct raw_dump *d, bool final)
{
	session__drain(r->sess, final ? 0 : COLLECT_DRAIN_BUDGET_NS);
	session__collect(r->sess, d); /* a table that could not be read is warned about */
	d->conns = r->conns.c;
	d->n_conns = r->conns.n;
	d->conns_trimmed = r->conns.trimmed;
	d->conns_trimmed_until_ns = r->conns.trimmed_until_ns;
	if (r->recycling)
		recycler__append(&r->rec, d); /* the processes recycled so far, as aggregates */
}

/*
 * Stacks of recycled processes move under their aggregates (recycle.h): those of @list
 * (@n, freed here); at the end, @final, the stacks of no process known are dropped.
 */
static void rekey_stacks(struct run *r, struct retired_stacks *list, size_t n, bool final)
{
	int dropped = session__rekey_stacks(r->sess, list, n, final);

	if (dropped)
		pr_debug("recycle: %d stack counts of no known process dropped", dropped);
	free(list);
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
	uint32_t *pseudo;
	size_t k = 0, n_keep;
	const uint32_t *keep = session__registered(r->sess, &n_keep);
	uint32_t procs, rows;
	uint8_t *taken = xcalloc(r->cfg->max_procs / 8 + 1, 1);
	uint64_t last_ns;
	bool pressed;

	/* exit events lost: the table says who exited */
	if (session__stat(r->sess, STAT_RB_DROPS) != r->rb_drops) {
		r->rb_drops = session__stat(r->sess, STAT_RB_DROPS);
		r->n_exits = session__exited(r->sess, &r->exits, &r->exits_cap);
	}
	/* with room to spare, a process is reported on its own before it is recycled */
	session__in_use(r->sess, &procs, &rows);
	pressed = procs >= r->cfg->max_procs * RECYCLE_PRESSURE ||
		  rows >= r->cfg->max_rows * RECYCLE_PRESSURE;
	r->pressed = pressed;
	last_ns = r->recycled_ns;
	r->recycled_ns = now;
	for (size_t i = 0; i < r->n_exits; i++) {
		const struct proc_exit *e = &r->exits[i];
		bool kept = false;

		for (size_t j = 0; j < n_keep; j++)
			kept |= keep[j] == e->slot;
		if (e->ts_ns + RECYCLE_QUARANTINE_NS > now ||
		    (!pressed && e->ts_ns >= r->prev.ts_ns)) {
			r->exits[k++] = *e; /* not yet */
			continue;
		}
		/* once (an exit event may come after the table was read for lost ones) */
		if (!kept && e->slot < r->cfg->max_procs &&
		    !(taken[e->slot / 8] & (1 << e->slot % 8))) {
			taken[e->slot / 8] |= 1 << e->slot % 8;
			session__retiree(r->sess, e->slot, e->pid, &t);
		}
	}
	r->n_exits = k;
	free(taken);
	if (!t.n)
		return;
	if (!r->prev.procs) /* no interval yet: what the first one will count from */
		r->prev = (struct raw_dump){.ts_ns = session__attach_ns(r->sess)};
	pseudo = xcalloc(t.n, sizeof(*pseudo));
	recycler__retire(&r->rec, &t, &r->prev, pseudo);
	pr_debug("recycle: %zu processes, %zu rows (in use: %u slots, %u rows%s), %llu ms since "
		 "the last",
		 t.n, t.n_rows, procs, rows, pressed ? ", pressed" : "",
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

static void render(struct run *r, const struct snapshot *s, const struct analysis *a)
{
	FILE *f = outputs_file(&r->out, OUT_REPORT);

	if (r->cfg->json) {
		report_json(&r->jw, s, a, &r->ropts);
	} else {
		report_text(f, s, a, &r->ropts);
		if (s->kind == SNAP_INTERVAL)
			fputc('\n', f);
	}
	fflush(f);
}

/* The JSON record of @s in memory (what --json would write): for rules and baselines. */
static char *render_json_mem(struct run *r, const struct snapshot *s, const struct analysis *a,
			     size_t *len)
{
	struct json_writer w;
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		return NULL;
	jw_init(&w, m);
	report_json(&w, s, a, &r->ropts);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* Say and run the alerts from @first on: records in --json, stderr lines otherwise. */
static void emit_alerts(struct run *r, size_t first)
{
	struct alerts *a = r->alerts;

	for (size_t i = first; i < a->n_fired; i++) {
		const struct alert *al = &a->fired[i];

		if (r->cfg->json) {
			alert_record(&r->jw, al);
			fflush(outputs_file(&r->out, OUT_REPORT));
		} else {
			char line[512];

			alert_describe(line, sizeof(line), al);
			for (char *p = line; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					*p = '?';
			fprintf(stderr, "procscope: %s\n", line);
		}
		if (a->exec)
			alert_exec(a, al, signals_orig_mask());
	}
}

/*
 * The checks, on the model before anything is rendered: the rules (every snapshot), and
 * at the end the baseline comparison, whose results join the analysis.
 */
static void checks(struct run *r, const struct snapshot *s, struct analysis *a)
{
	bool final = s->kind == SNAP_REPORT;
	size_t first;

	if (final && r->bl.root)
		baseline_compare(&r->bl, s, &a->bd, r->ropts.subsys, &r->cmp);
	if (r->alerts) {
		pthread_mutex_lock(&r->alerts_mu);
		first = r->alerts->n_fired;
		alerts_eval(r->alerts, s, &a->bd, r->ropts.subsys,
			    final && r->bl.root ? r->bl.root : NULL, r->ropts.unix_end_ns);
		emit_alerts(r, first);
		pthread_mutex_unlock(&r->alerts_mu);
	}
	if (final)
		analysis_checks(a, r->bl.root ? &r->cmp : NULL, r->alerts);
}

/* --save-baseline: the final record, as --json writes it. */
static void save_baseline(struct run *r, const struct snapshot *s, const struct analysis *a)
{
	FILE *save = outputs_file(&r->out, OUT_SAVE);
	struct json_writer w;

	if (!save)
		return;
	jw_init(&w, save);
	report_json(&w, s, a, &r->ropts);
}

/* The endpoint's exposition, from @cum: everything since attach. */
static void publish_metrics(struct run *r, const struct snapshot *cum)
{
	struct prom_opts po = {
		.labels = r->cfg->prom_labels,
		.max_series = r->cfg->prom_max_series,
		.alerts = r->alerts,
		.dropped_before = r->prom_dropped,
	};
	struct proc_groups groups;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	proc_groups_build(&groups, cum, po.labels & PROM_LABEL_PID);
	if (m) {
		pthread_mutex_lock(&r->alerts_mu); /* the rules firing, as of now */
		r->prom_dropped += render_prometheus(m, cum, &groups, &po);
		pthread_mutex_unlock(&r->alerts_mu);
		if (fclose(m) == 0)
			promserve__publish(r->prom, buf, len);
	}
	proc_groups_release(&groups);
	free(buf);
}

/*
 * The names of a dump's processes -- command lines and cgroup paths -- read on
 * the event loop, where the trees they come from change, for the reporter.
 */
struct proc_names {
	char **cmdline; /* by slot; NULL: none */
	uint32_t n;
	struct cg_name {
		uint64_t id;
		char *path;
	} * cg;
	size_t n_cg;
};

static const char *names_cmdline(void *ctx, uint32_t slot)
{
	const struct proc_names *n = ctx;

	return slot < n->n ? n->cmdline[slot] : NULL;
}

static const char *names_cgroup(void *ctx, uint64_t id)
{
	const struct proc_names *n = ctx;

	for (size_t i = 0; i < n->n_cg; i++)
		if (n->cg[i].id == id)
			return n->cg[i].path;
	return NULL;
}

/* The names of the processes of @a and @b (NULL: none). */
static void proc_names_read(struct run *r, struct proc_names *n, const struct raw_dump *a,
			    const struct raw_dump *b)
{
	uint32_t na = a->n_procs, nb = b ? b->n_procs : 0;

	n->n = na > nb ? na : nb;
	n->cmdline = xcalloc(n->n ? n->n : 1, sizeof(*n->cmdline));
	for (uint32_t slot = 0; slot < n->n; slot++) {
		const struct proc_rec *pa = slot < na ? &a->procs[slot] : NULL;
		const struct proc_rec *pb = slot < nb ? &b->procs[slot] : NULL;
		uint64_t cgids[2] = {pa ? pa->cgid : 0, pb ? pb->cgid : 0};
		const char *cl;

		if (!(pa && pa->pid) && !(pb && pb->pid) && !(a->agg && slot >= a->agg_first))
			continue;
		if ((cl = proctree__cmdline_cb(&r->tree, slot)))
			n->cmdline[slot] = xstrdup(cl);
		for (int k = 0; k < 2; k++) {
			const char *path;

			if (!cgids[k] || names_cgroup(n, cgids[k]) ||
			    !(path = cgpaths__path(&r->cgp, cgids[k])))
				continue;
			n->cg = xrealloc(n->cg, (n->n_cg + 1) * sizeof(*n->cg));
			n->cg[n->n_cg++] = (struct cg_name){cgids[k], xstrdup(path)};
		}
	}
}

static void proc_names_release(struct proc_names *n)
{
	for (uint32_t i = 0; i < n->n; i++)
		free(n->cmdline[i]);
	free(n->cmdline);
	for (size_t i = 0; i < n->n_cg; i++)
		free(n->cg[i].path);
	free(n->cg);
}

/* Snapshot @cur (since @prev; NULL: since attach), its processes named by @n. */
static void build(struct snapshot *s, const struct raw_dump *cur, const struct raw_dump *prev,
		  uint64_t attach_ns, struct proc_names *n)
{
	const struct snapshot_names names = {
		.cmdline = names_cmdline,
		.ctx = n,
		.dev_name = dev_name,
		.cgroup = names_cgroup,
		.cgroup_ctx = n,
	};

	snapshot_build(s, cur, prev, attach_ns, &names);
}

/*
 * An interval's work for the reporter (worker.h), in copies it owns: the tables at the
 * interval's end and at its start, the connections, the names.
 */
struct report_job {
	struct raw_dump cur, prev; /* prev: with_interval, ts_ns alone if none yet */
	struct tcp_conn_info *conns;
	struct proc_names names;
	bool with_interval, with_cum;
	uint64_t attach_ns, unix_end_ns;
	struct retired_stacks *stacked; /* recycled since the last job, with stacks */
	size_t n_stacked;
};

/*
 * The reporter's side of an interval: the snapshots built, its record and alerts, the
 * endpoint's figures.
 */
static void report_job(void *ctx, void *job)
{
	struct run *r = ctx;
	struct report_job *j = job;
	struct snapshot snap;

	if (j->with_interval) {
		struct analysis a;

		build(&snap, &j->cur, &j->prev, j->attach_ns, &j->names);
		r->ropts.unix_end_ns = j->unix_end_ns;
		analysis_compute(&a, &snap, r->short_desc);
		checks(r, &snap, &a);
		/* the endpoint's refresh alone: alerts evaluated, no record */
		if (r->cfg->interval_ns)
			render(r, &snap, &a);
		analysis_release(&a);
		snapshot_release(&snap);
	}
	if (j->with_cum) {
		build(&snap, &j->cur, NULL, j->attach_ns, &j->names);
		publish_metrics(r, &snap);
		snapshot_release(&snap);
	}
	/* the stack table kept small: recycled processes' stacks under their aggregates */
	if (r->recycling)
		rekey_stacks(r, j->stacked, j->n_stacked, false);
	raw_dump_release(&j->cur);
	raw_dump_release(&j->prev);
	free(j->conns);
	proc_names_release(&j->names);
	free(j);
}

/*
 * Every -i (and, for --prometheus alone, every PROM_REFRESH_NS): the tables read here,
 * and copied -- the loop goes on, and recycling changes its own copy -- for the
 * reporter, which does the rest: the interval's record (written only with -i), its
 * alerts, the endpoint's figures. With @endpoint_only, the endpoint's first figures,
 * as of attach: no interval ends.
 */
static void interval_report(struct run *r, bool endpoint_only)
{
	struct report_job *j = xcalloc(1, sizeof(*j));
	struct raw_dump cur;

	j->stacked = r->stacked; /* the job's now */
	j->n_stacked = r->n_stacked;
	r->stacked = NULL;
	r->n_stacked = r->stacked_cap = 0;
	j->attach_ns = session__attach_ns(r->sess);
	collect(r, &cur, false);
	raw_dump_copy(&j->cur, &cur);
	j->conns = xmemdup(cur.conns, cur.n_conns * sizeof(*cur.conns));
	j->cur.conns = j->conns;
	j->cur.n_conns = cur.n_conns;
	j->with_cum = r->prom != NULL;
	if (!endpoint_only && (r->cfg->interval_ns || r->alerts)) {
		j->with_interval = true;
		j->unix_end_ns = unix_now_ns();
		/* the interval's start: the last one's end, the job's now */
		j->prev = r->prev.procs ? r->prev : (struct raw_dump){.ts_ns = j->attach_ns};
		if (r->prev.procs)
			memset(&r->prev, 0, sizeof(r->prev));
	}
	proc_names_read(r, &j->names, &j->cur, j->with_interval ? &j->prev : NULL);
	if (endpoint_only) {
		raw_dump_release(&cur);
	} else {
		raw_dump_release(&r->prev);
		r->prev = cur; /* what the next interval, and recycling, count from */
		/* connections reported: only the largest kept, for the final report */
		conn_log__trim(&r->conns, cur.ts_ns, SNAPSHOT_TOP_CONNS);
	}
	worker_submit(&r->reporter, j);
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

	if (!r->cfg->n_alert_files || !r->alerts) {
		pr_info("SIGHUP: no --alerts file to read again");
		return;
	}
	if (config_alerts(r->cfg, &fresh, err, sizeof(err))) {
		pr_warn("SIGHUP: %s; the alert rules stay as they were", err);
		return;
	}
	pthread_mutex_lock(&r->alerts_mu);
	n = alerts_replace_rules(r->alerts, &fresh);
	pthread_mutex_unlock(&r->alerts_mu);
	alerts_release(&fresh);
	pr_info("SIGHUP: alert rules read again: %zu, %zu of them new", r->alerts->n_rules, n);
}

static void handle_signal(struct run *r, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	if (sig == SIGHUP && r->cfg->target != TARGET_COMMAND) {
		reload_alerts(r);
		return;
	}

	if (sig == SIGCHLD) {
		if (r->child.pid > 0 && launch__reap(&r->child, false))
			r->done = true;
		if (r->alerts) {
			pthread_mutex_lock(&r->alerts_mu);
			alerts_reap(r->alerts, 0);
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

static int epoll_add(int ep, int fd)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = fd};

	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* A timerfd firing every @ns, or -errno. */
static int interval_timer(uint64_t ns)
{
	struct itimerspec its = {.it_interval = {ns / NSEC_PER_SEC, ns % NSEC_PER_SEC}};
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);

	its.it_value = its.it_interval;
	if (fd < 0 || timerfd_settime(fd, 0, &its, NULL)) {
		int err = -errno;

		if (fd >= 0)
			close(fd);
		return err;
	}
	return fd;
}

/* The epoll timeout until the next deadline (-d, the grace after a stop, BPF stats). */
static int next_timeout(struct run *r, uint64_t now, uint64_t deadline_ns)
{
	uint64_t until = UINT64_MAX, stats = session__stats_next(r->sess);

	if (deadline_ns)
		until = deadline_ns;
	if (r->stop_sig_ns && r->stop_sig_ns + CHILD_GRACE_NS < until)
		until = r->stop_sig_ns + CHILD_GRACE_NS;
	if (stats && stats < until)
		until = stats;
	if (r->tracer && r->trace_next_ns < until)
		until = r->trace_next_ns;
	if (until == UINT64_MAX)
		return -1;
	return until <= now ? 0 : (int)((until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
}

/* Until the target ends, the duration passes or a stop signal's grace runs out. */
static int trace(struct run *r)
{
	const struct config *cfg = r->cfg;
	uint64_t deadline_ns =
		cfg->duration_ns ? session__attach_ns(r->sess) + cfg->duration_ns : 0;
	int ep = epoll_create1(EPOLL_CLOEXEC), tfd = -1, rfd = -1, err;

	if (ep < 0)
		return -errno;
	err = epoll_add(ep, session__ring_fd(r->sess));
	if (!err)
		err = epoll_add(ep, r->sfd);
	if (!err && (cfg->interval_ns || r->prom)) {
		tfd = interval_timer(cfg->interval_ns ? cfg->interval_ns : PROM_REFRESH_NS);
		err = tfd < 0 ? tfd : epoll_add(ep, tfd);
	}
	if (!err && r->recycling) {
		rfd = interval_timer(RECYCLE_EVERY_NS);
		err = rfd < 0 ? rfd : epoll_add(ep, rfd);
	}
	/* a thread renders the reports while this loop goes on */
	if (!err && (tfd >= 0 || rfd >= 0) && worker_start(&r->reporter))
		pr_warn("cannot start the reporting thread: reports stall the event loop");
	/* the endpoint answers from the start: figures as of attach */
	if (!err && r->prom)
		interval_report(r, true);
	/* the command may already be gone (SIGCHLD was queued before the loop) */
	if (r->child.pid > 0 && launch__reap(&r->child, false))
		r->done = true;

	while (!err && !r->done) {
		struct epoll_event evs[4];
		uint64_t now = now_ns();
		int n;

		session__stats_tick(r->sess, now);
		if (r->tracer && now >= r->trace_next_ns)
			trace_tick(r, now);
		if ((deadline_ns && now >= deadline_ns) ||
		    (r->stop_sig_ns && now >= r->stop_sig_ns + CHILD_GRACE_NS))
			break;
		n = epoll_wait(ep, evs, ARRAY_SIZE(evs), next_timeout(r, now, deadline_ns));
		if (n < 0) {
			err = errno == EINTR ? 0 : -errno;
			continue;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;
			struct signalfd_siginfo si;
			uint64_t ticks;

			if (fd == r->sfd) {
				while (read(r->sfd, &si, sizeof(si)) == sizeof(si))
					handle_signal(r, &si);
			} else if (fd == tfd) {
				if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					interval_report(r, false);
			} else if (fd == rfd) {
				/* events that did not wake the loop (cfg_wake_gap_ns) first */
				session__drain(r->sess, DRAIN_BUDGET_NS);
				if (read(rfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					recycle(r);
			} else {
				session__drain(r->sess, DRAIN_BUDGET_NS);
			}
		}
		/* -p: done when every tracked process is gone */
		if (r->tree_changed && cfg->target == TARGET_PIDS && session__alive(r->sess) == 0)
			r->done = true;
		r->tree_changed = false;
	}
	worker_stop(&r->reporter); /* the last interval written before the final report */
	if (tfd >= 0)
		close(tfd);
	if (rfd >= 0)
		close(rfd);
	close(ep);
	if (err)
		pr_warn("event loop: %s", strerror(-err));
	if (r->child.pid > 0 && !r->child.reaped && !launch__reap(&r->child, false) && !r->stop_sig)
		pr_warn("stopped after the duration; '%s' (pid %d) keeps running untraced",
			cfg->argv[0], r->child.pid);
	return err;
}

/* One descriptor per module kept until its symbols are parsed: allow many. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Check the target; fills @cg for -c, the thread group ids for -p, r->exe for a command. */
static int check_target(struct run *r, struct config *cfg, struct cgroup_target *cg)
{
	int err;

	switch (cfg->target) {
	case TARGET_COMMAND:
		err = check_command(cfg->argv[0], r->exe, sizeof(r->exe));
		return err ? launch_exec_status(err) : 0;
	case TARGET_PIDS:
		for (int i = 0; i < cfg->n_pids; i++) {
			int tgid;

			if (check_pid(cfg->pids[i], &tgid))
				return EXIT_RUNTIME;
			cfg->pids[i] = tgid;
		}
		return 0;
	case TARGET_CGROUP:
		return resolve_cgroup(cfg->cgroup, cg) ? EXIT_RUNTIME : 0;
	default:
		return 0;
	}
}

/* Everything that can fail before tracing starts: checks, inputs, outputs. */
static int prepare_inputs(struct run *r, struct config *cfg, struct cgroup_target *cg)
{
	const char *paths[OUT_N] = {
		[OUT_REPORT] = cfg->output,	    [OUT_SAVE] = cfg->save_baseline,
		[OUT_FOLDED] = cfg->folded,	    [OUT_FOLDED_OFFCPU] = cfg->folded_offcpu,
		[OUT_FLAMEGRAPH] = cfg->flamegraph, [OUT_PPROF] = cfg->pprof,
		[OUT_TRACE] = cfg->trace,	    [OUT_HTML] = cfg->html,
	};
	int status;

	if (check_privileges() || check_btf(cfg->btf_path) || check_kernel())
		return EXIT_RUNTIME;
	status = check_target(r, cfg, cg);
	if (status)
		return status;
	if (cfg->alert_exec && check_command(cfg->alert_exec, NULL, 0))
		return EXIT_USAGE;
	if (cfg->baseline) {
		char msg[512];

		if (baseline_load(cfg->baseline, &r->bl, msg, sizeof(msg))) {
			pr_error("%s", msg);
			return EXIT_USAGE;
		}
	}
	if (outputs_open(&r->out, paths, OUT_N, true))
		return EXIT_RUNTIME;
	jw_init(&r->jw, outputs_file(&r->out, OUT_REPORT));
	if (cfg->prometheus) {
		char msg[512];

		if (promserve__open(&r->prom, cfg->prometheus, msg, sizeof(msg))) {
			pr_error("%s", msg);
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

/* Signals (held since main's first line) arrive through a signalfd. */
static int take_signals(struct run *r)
{
	r->sfd = signals_fd();
	if (r->sfd < 0) {
		pr_error("signalfd: %s", strerror(-r->sfd));
		return r->sfd;
	}
	return 0;
}

/* A stop signal that came before the command ran: nothing traced, nothing to report. */
static int stopped_early(const struct config *cfg)
{
	int sig = signals_stop_pending(cfg->target == TARGET_COMMAND);

	if (sig)
		pr_warn("stopped by SIG%s before tracing began", sigabbrev_np(sig));
	return sig ? 128 + sig : 0;
}

/* Load and attach, with the target registered; the command is released once attached. */
static int start_tracing(struct run *r, const struct cgroup_target *cg, uint64_t started_ns)
{
	const struct config *cfg = r->cfg;
	struct session_opts so = {
		.cfg = cfg,
		.mode = cfg->target == TARGET_ALL      ? MODE_ALL
			: cfg->target == TARGET_CGROUP ? MODE_CGROUP
						       : MODE_PIDS,
		.cg_id = cg->id,
		.cg_level = cg->level,
		.on_event = on_event,
		.ctx = r,
		.started_ns = started_ns,
		.psi_dir = cfg->target == TARGET_CGROUP ? cg->path : "/proc/pressure",
		.psi_cgroup = cfg->target == TARGET_CGROUP,
		.recycle = r->recycling,
		.on_trace = cfg->trace ? on_trace : NULL,
		.trace_ring_bytes = TRACE_RING_BYTES,
	};
	int err;

	if (cfg->target == TARGET_COMMAND) {
		err = launch__start(&r->child, r->exe, cfg->argv);
		if (err) {
			pr_error("cannot start '%s': %s", cfg->argv[0], strerror(-err));
			return EXIT_RUNTIME;
		}
	}
	if (session__open(&r->sess, &so))
		return EXIT_RUNTIME;
	/* what this kernel could load: the rest is reported as off (null in JSON) */
	r->ropts.subsys = session__kernel(r->sess)->subsys;
	if (r->sym) {
		const char *names[64];

		symbolizer__own_progs(r->sym, names, session__prog_names(r->sess, names, 64));
		if (session__unwind_tables(r->sess)) {
			r->unw = unwinder__new(session__unwind_tables(r->sess), r->sym);
			/* the C library and ld.so (ours are everyone's), and the command */
			unwinder__preload_pid(r->unw, (uint32_t)getpid());
			if (r->child.pid > 0)
				unwinder__preload(r->unw, r->exe);
		}
	}
	if (r->child.pid > 0 &&
	    session__add_pid(r->sess, (uint32_t)r->child.pid, PROC_F_LAUNCHED) < 0) {
		pr_error("cannot register the command's pid");
		return EXIT_RUNTIME;
	}
	for (int i = 0; cfg->target == TARGET_PIDS && i < cfg->n_pids; i++) {
		err = session__add_pid(r->sess, (uint32_t)cfg->pids[i], PROC_F_PRESENT);
		if (err < 0) {
			pr_error("cannot register pid '%d': %s", cfg->pids[i], strerror(-err));
			return EXIT_RUNTIME;
		}
		/* its command line, while it is certainly there (BPF saw no exec of it) */
		proctree__read_proc(&r->tree, (uint32_t)err, (uint32_t)cfg->pids[i]);
	}
	if (session__attach(r->sess))
		return EXIT_RUNTIME;
	if (cfg->trace) {
		r->tracer = trace_log__new(cfg->trace_max ? cfg->trace_max : TRACE_MAX_DEFAULT,
					   session__attach_ns(r->sess));
		if (!r->tracer)
			return EXIT_RUNTIME;
		r->trace_next_ns = now_ns();
	}
	pr_info("attached in %.1f ms", (now_ns() - started_ns) / 1e6);
	if (r->child.pid > 0) {
		if ((err = stopped_early(cfg)))
			return err;
		err = launch__release(&r->child);
		if (err) {
			pr_error("cannot execute '%s': %s", cfg->argv[0], strerror(-err));
			return launch_exec_status(err);
		}
	}
	return 0;
}

static int prepare(struct run *r, struct config *cfg, uint64_t started_ns)
{
	struct cgroup_target cg = {0};
	int status = prepare_inputs(r, cfg, &cg);

	if (status || (status = stopped_early(cfg)))
		return status;
	if (cfg->subsys & (SUB_PROFILE | SUB_OFFCPU))
		r->sym = symbolizer__new();
	raise_fd_limit();
	r->desc = describe_target(cfg, &cg);
	r->short_desc = short_description(r->desc);
	r->ropts = (struct report_opts){.target = cfg->target,
					.target_desc = r->desc,
					.top_n = cfg->top_n,
					.exit_code = -1,
					.subsys = cfg->subsys};
	if (take_signals(r))
		return EXIT_RUNTIME;
	return start_tracing(r, &cg, started_ns);
}

/* Folded stacks, flame graph, pprof: from the final snapshot's stacks. */
static int write_stack_outputs(struct run *r, const struct snapshot *s)
{
	const struct stack_set *set = s->stacks;
	FILE *f;
	int err = 0;

	if ((f = outputs_file(&r->out, OUT_FOLDED)))
		err |= render_folded(f, set, STACK_ONCPU);
	if ((f = outputs_file(&r->out, OUT_FOLDED_OFFCPU)))
		err |= render_folded(f, set, STACK_OFFCPU);
	if ((f = outputs_file(&r->out, OUT_FLAMEGRAPH)))
		err |= render_flamegraph(f, set, r->desc);
	if ((f = outputs_file(&r->out, OUT_PPROF)))
		err |= render_pprof(f, set, unix_now_ns() - (s->end_ns - s->start_ns),
				    s->end_ns - s->start_ns);
	return err ? -EIO : 0;
}

/* --html: the JSON record, the text report and the flame graph, in one page. */
static int write_html(struct run *r, const struct snapshot *s, const struct analysis *a)
{
	struct html_parts p = {.title = r->desc};
	char *json, *text = NULL, *svg = NULL;
	uint64_t t0 = now_ns();
	size_t len, text_len = 0;
	FILE *m;
	int err = -1;

	json = render_json_mem(r, s, a, &len);
	if ((m = open_memstream(&text, &text_len))) {
		report_text(m, s, a, &r->ropts);
		if (fclose(m)) {
			free(text);
			text = NULL;
		}
	}
	if (s->stacks && (m = open_memstream(&svg, &p.svg_len))) {
		if (render_flamegraph(m, s->stacks, r->desc) | fclose(m)) {
			free(svg);
			svg = NULL;
		}
	}
	if (json && text) {
		p.json = json;
		p.text = text;
		p.svg = svg;
		err = render_html(outputs_file(&r->out, OUT_HTML), &p);
	}
	if (err)
		pr_error("cannot write the HTML report");
	else
		pr_info("html: rendered in %.1f ms", (now_ns() - t0) / 1e6);
	free(json);
	free(text);
	free(svg);
	return err;
}

/* --trace: the timeline, and what it holds on standard error. */
static int write_trace(struct run *r, const struct snapshot *s, const struct analysis *a)
{
	uint64_t t0 = now_ns();
	struct trace_stats st = {0};
	struct timeline tl;
	int err = trace_log__timeline(r->tracer, r->trace_lost, &tl);

	if (!err)
		err = trace_render(outputs_file(&r->out, OUT_TRACE), &tl, s, a, r->desc, &st);
	pr_info("trace: %llu slices and %llu wake-ups of %llu threads, %.1f MB of events, "
		"written in %.1f ms",
		(unsigned long long)st.slices, (unsigned long long)st.wakes,
		(unsigned long long)st.threads, st.event_bytes / 1e6, (now_ns() - t0) / 1e6);
	if (st.over_max || st.lost)
		pr_warn("the trace is incomplete: %llu records past --trace-max, %llu lost in the "
			"kernel (ring buffer full)",
			(unsigned long long)st.over_max, (unsigned long long)st.lost);
	if (err)
		pr_error("cannot write the trace");
	return err;
}

/* Stacks symbolized into the final snapshot, with the symbolizer's own figures. */
static void build_stacks(struct run *r, struct snapshot *s, struct stack_set *set,
			 struct raw_stacks *raw)
{
	struct symbolizer_stats st;
	uint64_t t0 = now_ns();

	/* the living may have mapped more since their first stack (libraries, dlopen) */
	for (size_t i = 0; i < s->n_procs; i++) {
		const struct proc_info *p = &s->procs[i];

		if ((p->flags & PROC_F_STACKS) && !(p->flags & PROC_F_EXITED))
			symbolizer__capture(r->sym, p->slot, p->pid);
	}
	stacks_build(set, raw, r->cfg->freq_hz, r->sym, s);
	s->stacks = set;
	s->self.symbolize_ns = now_ns() - t0;
	symbolizer__stats(r->sym, &st);
	s->self.sym_captures = st.captures;
	s->self.sym_capture_misses = st.capture_misses;
	s->self.sym_modules = st.modules;
	s->self.sym_parses = st.parses;
	s->self.unwind_on = s->kernel.unwind_cfi;
	s->self.unwind = r->unw_stats;
	s->self.unwind_rows_max = r->unw_rows_max;
}

/* The final report: the kernel side is detached before anything is rendered. */
static int report(struct run *r)
{
	struct proc_names names = {0};
	uint64_t attach_ns = session__attach_ns(r->sess);
	struct raw_stacks raw_stacks = {0};
	struct stack_set stacks;
	struct raw_dump final;
	struct snapshot snap;
	struct analysis a;
	int err = 0;

	if (r->recycling) {
		rekey_stacks(r, r->stacked, r->n_stacked, true);
		r->stacked = NULL;
		r->n_stacked = r->stacked_cap = 0;
	}
	collect(r, &final, true);
	if (r->tracer) {
		trace_tick(r, now_ns());
		r->trace_lost = session__stat(r->sess, STAT_TRACE_DROPS);
	}
	session__collect_stacks(r->sess, &raw_stacks);
	if (r->unw) {
		unwinder__stats(r->unw, &r->unw_stats);
		r->unw_rows_max = session__unwind_tables(r->sess)->rows_cap;
	}
	unwinder__free(r->unw); /* its tables go with the session */
	r->unw = NULL;
	session__free(r->sess);
	r->sess = NULL;

	if (r->child.pid > 0 && r->child.reaped)
		r->ropts.exit_code = launch__exit_code(&r->child);
	proc_names_read(r, &names, &final, NULL);
	build(&snap, &final, NULL, attach_ns, &names);
	proc_names_release(&names);
	if (r->sym)
		build_stacks(r, &snap, &stacks, &raw_stacks);
	raw_stacks_release(&raw_stacks);
	r->ropts.unix_end_ns = unix_now_ns();
	analysis_compute(&a, &snap, r->short_desc);
	checks(r, &snap, &a);
	render(r, &snap, &a);
	save_baseline(r, &snap, &a);
	if (r->sym && write_stack_outputs(r, &snap)) {
		pr_error("cannot write the stack outputs");
		err = EXIT_RUNTIME;
	}
	if (r->tracer && write_trace(r, &snap, &a))
		err = EXIT_RUNTIME;
	if (r->cfg->html && write_html(r, &snap, &a))
		err = EXIT_RUNTIME;
	if (r->sym)
		stacks_release(&stacks);
	analysis_release(&a);
	snapshot_release(&snap);
	raw_dump_release(&final);
	/* every output written whole, or none: a failure in one aborts the others */
	if (outputs_close(&r->out, !err))
		err = EXIT_RUNTIME;
	return err;
}

/*
 * The exit status (--help: EXIT STATUS): a failure's own status; else the command's
 * (128+N if a signal ended it or stopped us); 3 with --fail-on-alert when one fired.
 */
static int exit_status(const struct run *r, int status)
{
	if (status)
		return status;
	if (r->child.pid > 0)
		status = r->child.reaped ? launch__exit_code(&r->child)
			 : r->stop_sig	 ? 128 + r->stop_sig
					 : 0;
	if (r->cfg->fail_on_alert && r->alerts && r->alerts->n_fired)
		status = EXIT_ALERT;
	return status;
}

static void run_release(struct run *r)
{
	promserve__close(r->prom);
	trace_log__free(r->tracer);
	unwinder__free(r->unw);
	session__free(r->sess);
	launch__abort(&r->child); /* never released, or released and abandoned on error */
	outputs_close(&r->out, false);
	if (r->alerts && r->alerts->n_children)
		alerts_reap(r->alerts, ALERT_EXEC_GRACE_NS);
	symbolizer__free(r->sym);
	raw_dump_release(&r->prev);
	proctree__release(&r->tree);
	cgpaths__release(&r->cgp);
	recycler__release(&r->rec);
	pthread_mutex_destroy(&r->alerts_mu);
	free(r->exits);
	free(r->stacked);
	conn_log__release(&r->conns);
	free(r->desc);
	free(r->short_desc);
	if (r->sfd >= 0)
		close(r->sfd);
	baseline_release(&r->bl);
	baseline_cmp_release(&r->cmp);
}

int run(struct config *cfg, uint64_t started_ns)
{
	struct run r = {.cfg = cfg, .sfd = -1, .alerts = cfg->alerts};
	int status;

	if (cfg->check)
		return check_run(cfg, stdout);
	proctree__init(&r.tree);
	cgpaths__init(&r.cgp, "/proc/self/mounts"); /* none: no cgroup paths */
	/* a monitor runs for days: its exited processes recycled, their figures kept */
	r.recycling = cfg->target != TARGET_COMMAND && (cfg->interval_ns || cfg->prometheus);
	recycler__init(&r.rec, cfg->max_procs, ROW_FIRST + cfg->max_rows);
	worker_init(&r.reporter, report_job, &r);
	pthread_mutex_init(&r.alerts_mu, NULL);
	status = prepare(&r, cfg, started_ns);
	if (!status) {
		trace(&r);
		status = report(&r);
	}
	status = exit_status(&r, status);
	run_release(&r);
	return status;
}
