// SPDX-License-Identifier: GPL-2.0
/*
 * The report stage of a run: every -i (or endpoint refresh) the kernel's tables read on
 * the event loop and handed to the reporter thread (lib/worker.h), which builds the
 * interval's snapshot, analyses and checks it, writes its record and the endpoint's
 * figures; at the end the final report, after the kernel side is detached: snapshot,
 * stacks, analysis, checks, every output rendered and committed together.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>

#include "analysis/groups.h"
#include "app/verdicts.h"
#include "app/run_priv.h"
#include "app/signals.h"
#include "kernel/names.h"
#include "kernel/raw_stacks.h"
#include "lib/log.h"
#include "lib/util.h"
#include "model/stack_set.h"
#include "render/html.h"
#include "render/prometheus.h"
#include "render/render.h"
#include "render/trace.h"

/*
 * Read the kernel side into @d, with what the ring buffer told so far: all of it for
 * the final report, what fits in a budget for the others (a storm of events goes on).
 */
static void collect(struct run *r, struct raw_dump *d, bool final)
{
	uint64_t folds;

	session__drain(r->sess, final ? 0 : COLLECT_DRAIN_BUDGET_NS);
	folds = session__kfolds(r->sess);
	session__collect(r->sess, d); /* a table that could not be read is warned about */
	d->conns = r->conns.c;
	d->n_conns = r->conns.n;
	d->conns_trimmed = r->conns.trimmed;
	d->conns_trimmed_until_ns = r->conns.trimmed_until_ns;
	/* the kernel folded some of the last dump's processes */
	if (r->recycling && r->prev.procs && folds != r->kfold_mark)
		recycler__vanished(&r->rec, &r->prev, d->procs, d->n_procs, r->kfolded,
				   r->n_kfolded);
	r->kfold_mark = folds;
	r->n_kfolded = 0;
	if (r->recycling)
		/* the processes recycled so far, as aggregates: by us, and by the kernel */
		recycler__append_kernel(&r->rec, d);
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

static void render(struct run *r, const struct snapshot *s, const struct analysis *a)
{
	FILE *f = outputs__file(&r->out, OUT_REPORT);

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

/* An alert that fired: a record in --json, a stderr line otherwise; and --alert-exec. */
static void emit_alert(void *ctx, const struct alert *al)
{
	struct run *r = ctx;

	if (r->cfg->json) {
		alert_record(&r->jw, al);
		fflush(outputs__file(&r->out, OUT_REPORT));
	} else {
		char line[512];

		alert_describe(line, sizeof(line), al);
		for (char *p = line; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		fprintf(stderr, "procscope: %s\n", line);
	}
	if (r->alerts->exec)
		alert_exec(r->alerts, al, signals_orig_mask());
	if (r->flight && flight__allow(r->flight, FR_ALERT, al->rule->text, now_ns())) {
		struct flight_req q = {.reason = FR_ALERT,
				       .value = al->value,
				       .threshold = al->threshold,
				       .unix_ns = unix_now_ns()};

		snprintf(q.rule, sizeof(q.rule), "%s", al->rule->text);
		report_flight_ask(r, &q);
	}
}

/* The verdicts (app/verdicts.h) of snapshot @s: rules always, the baseline at the end. */
static void verdicts(struct run *r, const struct snapshot *s, struct analysis *a)
{
	const struct verdicts c = {
		.alerts = r->alerts,
		.mu = &r->alerts_mu,
		.bl = &r->bl,
		.cmp = &r->cmp,
		.subsys = r->ropts.subsys,
		.emit = emit_alert,
		.ctx = r,
	};

	verdicts_run(&c, s, a, r->ropts.unix_end_ns);
}

/* --save-baseline: the final record, as --json writes it. */
static void save_baseline(struct run *r, const struct snapshot *s, const struct analysis *a)
{
	FILE *save = outputs__file(&r->out, OUT_SAVE);
	struct json_writer w;

	if (!save)
		return;
	jw_init(&w, save);
	report_json(&w, s, a, &r->ropts);
}

/* The endpoint's exposition, from @cum: everything since attach. */
static void publish_metrics(struct run *r, const struct snapshot *cum)
{
	struct flight_stats fs;
	struct prom_opts po = {
		.labels = r->cfg->prom_labels,
		.max_series = r->cfg->prom_max_series,
		.alerts = r->alerts,
		.dropped_before = r->prom_dropped,
		.flight = r->flight ? &fs : NULL,
	};
	struct proc_groups groups;
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	if (r->flight)
		flight__stats(r->flight, &fs);
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
	struct flight_req *flight; /* a flight recorder's dump: the window cur - prev */
};

/* The dump's report: what asked for it and the window, then the window's record. */
static char *flight_json(struct run *r, const struct flight_req *q, const struct snapshot *s,
			 const struct analysis *a, const struct trace_stats *st,
			 const char *trace_name, size_t *len)
{
	static const char *const reasons[FR_REASONS] = {"alert", "signal", "request"};
	struct flight_stats fs;
	struct json_writer w;
	size_t rec_len = 0;
	char *buf = NULL, *rec = render_json_mem(r, s, a, &rec_len);
	FILE *m = rec ? open_memstream(&buf, len) : NULL;

	if (!m) {
		free(rec);
		return NULL;
	}
	flight__stats(r->flight, &fs);
	fputs("{\"flight_recorder\":", m);
	jw_init(&w, m);
	jw_object_begin(&w);
	jw_kv_str(&w, "reason", reasons[q->reason]);
	if (q->reason == FR_ALERT) {
		jw_kv_str(&w, "rule", q->rule);
		jw_key(&w, "value");
		jw_double(&w, q->value);
		jw_key(&w, "threshold");
		jw_double(&w, q->threshold);
	}
	jw_kv_u64(&w, "asked_unix_ns", q->unix_ns);
	jw_kv_u64(&w, "window_ns", flight__window_ns(r->flight));
	jw_kv_u64(&w, "start_ns", s->start_ns - s->attach_ns);
	jw_kv_u64(&w, "end_ns", s->end_ns - s->attach_ns);
	jw_kv_str(&w, "trace", trace_name);
	jw_kv_u64(&w, "slices", st->slices);
	jw_kv_u64(&w, "wakeups", st->wakes);
	jw_kv_u64(&w, "threads", st->threads);
	jw_kv_u64(&w, "events_dropped", fs.dropped);
	jw_kv_u64(&w, "events_lost", st->lost);
	jw_object_end(&w);
	fputs(",\"report\":", m);
	while (rec_len && rec[rec_len - 1] == '\n')
		rec_len--;
	fwrite(rec, 1, rec_len, m);
	fputs("}\n", m);
	free(rec);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* A flight recorder's dump (flight.h): the window's snapshot, its trace and report. */
static void flight_dump(struct run *r, struct report_job *j)
{
	struct trace_stats st = {0};
	struct snapshot snap;
	struct analysis a;
	struct timeline tl;
	struct trace_log *log;
	char *trace = NULL, *json = NULL, stem[256], file[300];
	size_t trace_len = 0, json_len = 0;
	uint64_t t0 = now_ns();
	FILE *m = NULL;
	int err = -ENOMEM;

	snapshot_build_named(&snap, &j->cur, &j->prev, j->attach_ns, &j->names);
	r->ropts.unix_end_ns = j->unix_end_ns;
	analysis_compute(&a, &snap, r->short_desc);
	log = flight__timeline(r->flight, j->prev.ts_ns, j->cur.ts_ns);
	if (log &&
	    !trace_log__timeline(log, __atomic_load_n(&r->trace_lost, __ATOMIC_RELAXED), &tl) &&
	    (m = open_memstream(&trace, &trace_len))) {
		err = trace_render(m, &tl, &snap, &a, r->desc, &st);
		if (fclose(m) && !err)
			err = -EIO;
	}
	flight_stem(j->flight, stem, sizeof(stem));
	snprintf(file, sizeof(file), "%s.pftrace", stem);
	if (!err) {
		json = flight_json(r, j->flight, &snap, &a, &st, file, &json_len);
		err = json ? flight__write(r->flight, j->flight, stem, trace, trace_len, json,
					   json_len)
			   : -ENOMEM;
	}
	if (err)
		pr_warn("flight recorder: cannot write a dump into '%s': %s",
			flight__dir(r->flight), strerror(-err));
	else
		fprintf(stderr,
			"procscope: flight recorder: %s/%s.{pftrace,json}: %.1f s, %llu slices, "
			"%zu+%zu bytes in %.0f ms\n",
			flight__dir(r->flight), stem, (snap.end_ns - snap.start_ns) / 1e9,
			(unsigned long long)st.slices, trace_len, json_len, (now_ns() - t0) / 1e6);
	trace_log__free(log);
	free(trace);
	free(json);
	analysis_release(&a);
	snapshot_release(&snap);
}

/*
 * The reporter's side of an interval: the snapshots built, its record and alerts, the
 * endpoint's figures.
 */
void report_job(void *ctx, void *job)
{
	struct run *r = ctx;
	struct report_job *j = job;
	struct snapshot snap;

	if (j->flight)
		flight_dump(r, j);
	if (j->with_interval) {
		struct analysis a;

		snapshot_build_named(&snap, &j->cur, &j->prev, j->attach_ns, &j->names);
		raw_dump_release(&j->prev); /* the snapshot owns what it took: not held longer */
		r->ropts.unix_end_ns = j->unix_end_ns;
		analysis_compute(&a, &snap, r->short_desc);
		/* nothing more is written once the output failed: the run is ending */
		if (!__atomic_load_n(&r->out_err, __ATOMIC_ACQUIRE)) {
			verdicts(r, &snap, &a);
			/* the endpoint's refresh alone: alerts evaluated, no record */
			if (r->cfg->interval_ns)
				render(r, &snap, &a);
		}
		analysis_release(&a);
		snapshot_release(&snap);
		/* a record or alert that could not be written ends the run at once */
		if (outputs__err(&r->out, OUT_REPORT))
			report_output_failed(r, outputs__err(&r->out, OUT_REPORT));
	}
	if (j->with_cum) {
		snapshot_build_named(&snap, &j->cur, NULL, j->attach_ns, &j->names);
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
	free(j->flight);
	free(j);
}

/* The tables read into @cur, and a copy of them (with the connections) for job @j. */
static void job_tables(struct run *r, struct report_job *j, struct raw_dump *cur)
{
	j->attach_ns = session__attach_ns(r->sess);
	collect(r, cur, false);
	raw_dump_copy(&j->cur, cur);
	j->conns = xmemdup(cur->conns, cur->n_conns * sizeof(*cur->conns));
	j->cur.conns = j->conns;
	j->cur.n_conns = cur->n_conns;
}

/*
 * Every -i (and, for --prometheus alone, every PROM_REFRESH_NS): the tables read here,
 * and copied -- the loop goes on, and recycling changes its own copy -- for the
 * reporter, which does the rest: the interval's record (written only with -i), its
 * alerts, the endpoint's figures. With @endpoint_only, the endpoint's first figures,
 * as of attach: no interval ends.
 */
void report_interval(struct run *r, bool endpoint_only)
{
	struct report_job *j = xcalloc(1, sizeof(*j));
	struct raw_dump cur;

	j->stacked = r->stacked; /* the job's now */
	j->n_stacked = r->n_stacked;
	r->stacked = NULL;
	r->n_stacked = r->stacked_cap = 0;
	job_tables(r, j, &cur);
	j->with_cum = r->prom != NULL;
	if (!endpoint_only && (r->cfg->interval_ns || r->alerts)) {
		j->with_interval = true;
		j->unix_end_ns = unix_now_ns();
		/* the interval's start: the last one's end, the job's now */
		j->prev = r->prev.procs ? r->prev : (struct raw_dump){.ts_ns = j->attach_ns};
		if (r->prev.procs)
			memset(&r->prev, 0, sizeof(r->prev));
	}
	proc_names_read(&j->names, &r->tree, &r->cgp, &j->cur, j->with_interval ? &j->prev : NULL);
	if (r->flight && !endpoint_only)
		flight__anchor(r->flight, &cur); /* where a dump's window may start */
	if (endpoint_only) {
		raw_dump_release(&cur);
	} else {
		raw_dump_release(&r->prev);
		r->prev = cur; /* what the next interval, and recycling, count from */
		/* connections reported: only the largest kept, for the final report */
		conn_log__trim(&r->conns, cur.ts_ns, SNAPSHOT_TOP_CONNS);
	}
	worker__submit(&r->reporter, j);
}

void report_flight(struct run *r, const struct flight_req *q)
{
	struct report_job *j = xcalloc(1, sizeof(*j));
	struct raw_dump cur;

	j->flight = xmemdup(q, sizeof(*q));
	job_tables(r, j, &cur);
	j->unix_end_ns = unix_now_ns();
	/* the window: from the newest anchor a window old, else from attach */
	if (!flight__anchor_copy(r->flight, cur.ts_ns, &j->prev))
		j->prev = (struct raw_dump){.ts_ns = j->attach_ns};
	proc_names_read(&j->names, &r->tree, &r->cgp, &j->cur, j->prev.procs ? &j->prev : NULL);
	raw_dump_release(&cur);
	/* with no reporter thread (no interval), submit runs it here */
	worker__submit(&r->reporter, j);
}

void report_flight_ask(struct run *r, const struct flight_req *q)
{
	eventfd_t one = 1;

	pthread_mutex_lock(&r->flight_mu);
	if (r->n_flight_asked == r->flight_asked_cap) {
		r->flight_asked_cap = r->flight_asked_cap ? r->flight_asked_cap * 2 : 4;
		r->flight_asked =
			xrealloc(r->flight_asked, r->flight_asked_cap * sizeof(*r->flight_asked));
	}
	r->flight_asked[r->n_flight_asked++] = *q;
	pthread_mutex_unlock(&r->flight_mu);
	if (r->wake_fd >= 0)
		eventfd_write(r->wake_fd, one);
}

/* Folded stacks, flame graph, pprof: from the final snapshot's stacks. */
static int write_stack_outputs(struct run *r, const struct snapshot *s)
{
	const struct stack_set *set = s->stacks;
	FILE *f;
	int err = 0;

	if ((f = outputs__file(&r->out, OUT_FOLDED)))
		err |= render_folded(f, set, STACK_ONCPU);
	if ((f = outputs__file(&r->out, OUT_FOLDED_OFFCPU)))
		err |= render_folded(f, set, STACK_OFFCPU);
	if ((f = outputs__file(&r->out, OUT_FLAMEGRAPH)))
		err |= render_flamegraph(f, set, r->desc);
	if ((f = outputs__file(&r->out, OUT_PPROF)))
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
		err = render_html(outputs__file(&r->out, OUT_HTML), &p);
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
		err = trace_render(outputs__file(&r->out, OUT_TRACE), &tl, s, a, r->desc, &st);
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
		const struct process *p = &s->procs[i];

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

void report_output_failed(struct run *r, int err)
{
	int none = 0;

	if (__atomic_compare_exchange_n(&r->out_err, &none, err, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE) &&
	    r->wake_fd >= 0)
		eventfd_write(r->wake_fd, 1);
}

/* The report's output failed during the run: the kernel side detached, nothing written. */
static int report_abandon(struct run *r, int out_err)
{
	unwinder__free(r->unw);
	r->unw = NULL;
	session__free(r->sess);
	r->sess = NULL;
	pr_error("cannot write %s: %s", output_name(&r->out.o[OUT_REPORT]), strerror(out_err));
	outputs__close(&r->out, false); /* the others aborted, as at any failed write */
	return out_err == EPIPE ? EXIT_PIPE : EXIT_RUNTIME;
}

/* The final report: the kernel side is detached before anything is rendered. */
int report_final(struct run *r)
{
	int out_err = __atomic_load_n(&r->out_err, __ATOMIC_ACQUIRE);
	struct proc_names names = {0};
	uint64_t attach_ns = session__attach_ns(r->sess), first, seen;
	struct raw_stacks raw_stacks = {0};
	struct stack_set stacks;
	struct raw_dump final;
	struct snapshot snap;
	struct analysis a;
	int err = 0;

	if (out_err)
		return report_abandon(r, out_err);
	if (r->recycling) {
		rekey_stacks(r, r->stacked, r->n_stacked, true);
		r->stacked = NULL;
		r->n_stacked = r->stacked_cap = 0;
	}
	collect(r, &final, true);
	if (r->tracer) {
		tracing_trace_tick(r, now_ns());
		r->trace_lost = session__stat(r->sess, STAT_TRACE_DROPS);
	}
	r->path_lost = session__stat(r->sess, STAT_PATH_DROPS);
	session__collect_stacks(r->sess, &raw_stacks);
	if (r->unw) {
		unwinder__stats(r->unw, &r->unw_stats);
		r->unw_rows_max = session__unwind_tables(r->sess)->rows_cap;
	}
	unwinder__free(r->unw); /* its tables go with the session */
	r->unw = NULL;
	if (session__first_event(r->sess, &first, &seen))
		pr_info("first event %.1f ms after the attach, read %.1f ms after it",
			first > attach_ns ? (first - attach_ns) / 1e6 : 0.0,
			seen > first ? (seen - first) / 1e6 : 0.0);
	session__free(r->sess);
	r->sess = NULL;
	pr_info("detached after %.3f s, own CPU %.3f s", (now_ns() - attach_ns) / 1e9,
		own_cpu_ns() / 1e9);

	if (r->child.pid > 0 && r->child.reaped)
		r->ropts.exit_code = launch__exit_code(&r->child);
	proc_names_read(&names, &r->tree, &r->cgp, &final, NULL);
	snapshot_build_named(&snap, &final, NULL, attach_ns, &names);
	if (r->hist.max_waits) {
		r->hist.lost = r->path_lost;
		snap.history = &r->hist;
		snapshot_add_recalled(&snap, &r->hist);
	}
	proc_names_release(&names);
	if (r->sym)
		build_stacks(r, &snap, &stacks, &raw_stacks);
	raw_stacks_release(&raw_stacks);
	r->ropts.unix_end_ns = unix_now_ns();
	analysis_compute(&a, &snap, r->short_desc);
	verdicts(r, &snap, &a);
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
	if (outputs__close(&r->out, !err))
		err = EXIT_RUNTIME;
	return err;
}
