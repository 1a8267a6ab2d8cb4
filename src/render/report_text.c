// SPDX-License-Identifier: GPL-2.0
/*
 * The human report: what a person should take in within twenty seconds. First the
 * target's wall time and how its thread-time splits (on a CPU, waiting for one,
 * blocked and on what); then the processes and syscalls that matter most; the
 * run-queue latency distribution; and procscope's own cost and losses, so that the
 * reader knows how far to trust the numbers. Names and command lines are printed
 * with control bytes replaced: they are chosen by whoever started the process.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/alerts.h"
#include "analysis/analysis.h"
#include "analysis/baseline.h"
#include "render/report.h"
#include "model/stack_set.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

#define BAR_WIDTH 30

static void put_sanitized(FILE *f, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && n < max; s++, n++)
		fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, f);
	if (*s)
		fputs("...", f);
}

static const char *sanitized(char *buf, size_t len, const char *s)
{
	size_t i = 0;

	for (; s[i] && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

static void bar(FILE *f, double frac)
{
	int n = (int)(frac * BAR_WIDTH + 0.5);

	for (int i = 0; i < n && i < BAR_WIDTH; i++)
		fputs("\u2588", f);
}

static void time_row(FILE *f, const char *label, uint64_t ns, uint64_t whole)
{
	char b[32];

	fprintf(f, "  %-20s %9s %6.1f%%  ", label, fmt_dur(b, sizeof(b), ns), pct(ns, whole));
	bar(f, whole ? (double)ns / whole : 0);
	fputc('\n', f);
}

static void header(FILE *f, const struct snapshot *s, const struct report_opts *o)
{
	uint64_t wall = s->end_ns - s->start_ns;
	const struct sched_metrics *t = &s->target.sched;
	char b1[32], b2[32];

	if (s->kind == SNAP_INTERVAL)
		fprintf(f, "procscope interval +%s .. +%s: ",
			fmt_dur(b1, sizeof(b1), s->start_ns - s->attach_ns),
			fmt_dur(b2, sizeof(b2), s->end_ns - s->attach_ns));
	else
		fprintf(f, "procscope %s: ", target_kind_name(o->target));
	put_sanitized(f, o->target_desc ? o->target_desc : "", 120);
	fputc('\n', f);
	fprintf(f, "  wall %s", fmt_dur(b1, sizeof(b1), wall));
	if (o->exit_code >= 0 && s->kind == SNAP_REPORT)
		fprintf(f, "   exit %d", o->exit_code);
	fprintf(f, "   processes %llu (%llu running)   CPU %s (%.2f CPUs avg)\n",
		(unsigned long long)s->process_count, (unsigned long long)s->running_count,
		fmt_dur(b2, sizeof(b2), t->oncpu_ns), wall ? (double)t->oncpu_ns / wall : 0.0);
}

static const char *const bd_labels[BD_N] = {
	[BD_ONCPU] = "on-CPU",	       [BD_RUNQ] = "waiting for a CPU",
	[BD_IO] = "disk IO",	       [BD_NET] = "network",
	[BD_LOCK] = "locks",	       [BD_SLEEP] = "sleeping",
	[BD_POLL] = "poll/epoll",      [BD_CHILD] = "child processes",
	[BD_OTHER] = "other waits",    [BD_MEM] = "memory reclaim",
	[BD_UNKNOWN] = "not reported",
};

/* The peer that carried the most of class @c on the path, or NULL. */
static const struct path_step *top_peer_step(const struct breakdowns *bds, unsigned int c)
{
	const struct path_step *best = NULL;

	for (size_t i = 0; i < bds->n_path; i++)
		if (bds->path[i].peer && (!best || bds->path[i].ns[c] > best->ns[c]))
			best = &bds->path[i];
	return best;
}

/* Under a class: the part of it peers carried, naming the largest ("in `python3` 812"). */
static void peer_row(FILE *f, const struct snapshot *s, const struct breakdowns *bds,
		     unsigned int c)
{
	const struct path_step *st = top_peer_step(bds, c);
	uint64_t ns = bds->in_peers.ns[c], wall = bds->target.wall_ns;
	char comm[COMM_LEN + 1], b[32];

	if (!st || ns * 100 < wall)
		return;
	fprintf(f, "  %-20s %9s %6.1f%%  %s %u%s\n", "  in peers", fmt_dur(b, sizeof(b), ns),
		pct(ns, wall), sanitized(comm, sizeof(comm), path_step_proc(s, st)->comm),
		path_step_proc(s, st)->pid, st->ns[c] < ns ? " and others" : "");
}

static void time_split(FILE *f, const struct snapshot *s, const struct breakdowns *bds)
{
	const struct breakdown *bd = &bds->target;
	const struct sched_metrics *t = &s->target.sched;
	char b[4][32];

	if (!bd->wall_ns)
		return;
	fprintf(f, "\nWHERE THE TIME WENT  (%s %s%s)\n", fmt_dur(b[0], sizeof(b[0]), bd->wall_ns),
		bds->expanded ? "of wall time, along the critical path" : "of process time",
		bds->expanded ? "" : ", summed over processes");
	for (unsigned int c = 0; c < BD_N; c++) {
		if (bd->ns[c] * 1000 < bd->wall_ns) /* 0.1% and up */
			continue;
		time_row(f, bd_labels[c], bd->ns[c], bd->wall_ns);
		peer_row(f, s, bds, c);
	}
	fprintf(f,
		"  thread-time: on-CPU %s, run queue %s, blocked %s (iowait %s); switches: %llu "
		"voluntary, %llu involuntary\n",
		fmt_dur(b[0], sizeof(b[0]), t->oncpu_ns), fmt_dur(b[1], sizeof(b[1]), t->runq_ns),
		fmt_dur(b[2], sizeof(b[2]), sched_blocked_ns(t)),
		fmt_dur(b[3], sizeof(b[3]), t->blocked_ns[BLK_IOWAIT]),
		(unsigned long long)t->nvcsw, (unsigned long long)t->nivcsw);
	if (t->runq_ns * 100 >= bd->wall_ns) {
		/* why it waited for a CPU, where that is 1% of the wall and up */
		static const char *const causes[RQ_CAUSE_N] = {
			[RQ_CONTENTION] = "busy CPUs",
			[RQ_WAKEUP] = "idle CPUs waking",
			[RQ_CONFINED] = "its affinity",
			[RQ_THROTTLED] = "its CPU quota",
		};
		const char *sep = "";

		fprintf(f, "  run queue, by cause:");
		for (unsigned int c = 0; c < RQ_CAUSE_N; c++) {
			if (!t->runq_cause_ns[c])
				continue;
			fprintf(f, "%s %s %s", sep, causes[c],
				fmt_dur(b[0], sizeof(b[0]), t->runq_cause_ns[c]));
			sep = ",";
		}
		fprintf(f, "\n");
	}
	if (t->unaccounted_ns)
		fprintf(f,
			"  not reported: %s of thread-time in no known state (%llu context "
			"switches were not seen: docs/metrics.md)\n",
			fmt_dur(b[0], sizeof(b[0]), t->unaccounted_ns),
			(unsigned long long)s->self.stats[STAT_SCHED_GAPS]);
}

/* What is wrong, best first: the first thing a reader should see. */
static void findings(FILE *f, const struct analysis *a)
{
	const struct diagnosis *d = &a->findings;

	fprintf(f, "\nFINDINGS\n");
	if (!d->n) {
		const struct breakdown *bd = &a->bd.target;
		unsigned int c = bd->dominant;

		fprintf(f, "  no single bottleneck: the largest share is %s (%.0f%% of the time)\n",
			bd_labels[c], pct(bd->ns[c], bd->wall_ns));
	}
	for (size_t i = 0; i < d->n; i++) {
		fprintf(f, "  %zu. ", i + 1);
		put_sanitized(f, d->f[i].summary, sizeof(d->f[i].summary));
		fprintf(f, "\n     -> ");
		put_sanitized(f, d->f[i].suggestion, sizeof(d->f[i].suggestion));
		fputc('\n', f);
	}
}

/* The alerts of the run: those of every interval, and of the whole run. */
static void alerts_section(FILE *f, const struct alerts *a, unsigned int top)
{
	char line[512];

	fprintf(f, "\nALERTS  (%zu rule%s, %zu fired)\n", a->n_rules, a->n_rules == 1 ? "" : "s",
		a->n_fired);
	for (size_t i = 0; i < a->n_fired && i < top; i++) {
		alert_describe(line, sizeof(line), &a->fired[i]);
		fputs("  ", f);
		put_sanitized(f, line + strlen("alert: "), sizeof(line));
		fputc('\n', f);
	}
	if (a->n_fired > top)
		fprintf(f, "  ... and %zu more (--json has them all)\n", a->n_fired - top);
}

static void bl_row(FILE *f, const char *label, enum metric_unit u, double base, double cur,
		   double c, enum bl_verdict v)
{
	char b1[32], b2[32], ch[16];

	if (isnan(c))
		snprintf(ch, sizeof(ch), "%s", cur > 0 ? "new" : "=");
	else
		snprintf(ch, sizeof(ch), "%+.0f%%", 100 * c);
	fprintf(f, "  %-28s %10s %10s %7s  %s\n", label, metric_format(b1, sizeof(b1), u, base),
		metric_format(b2, sizeof(b2), u, cur), ch,
		v == BL_REGRESSION    ? "REGRESSION"
		: v == BL_IMPROVEMENT ? "improved"
				      : "");
}

static int cmp_step_delta(const void *a, const void *b)
{
	const struct bl_step *x = *(const struct bl_step *const *)a,
			     *y = *(const struct bl_step *const *)b;
	double dx = fabs((double)x->cur_ns - (double)x->base_ns),
	       dy = fabs((double)y->cur_ns - (double)y->base_ns);

	return dx < dy ? 1 : dx > dy ? -1 : 0;
}

/* This run against the baseline: wall time always, the rest where it moved beyond noise. */
static void baseline_section(FILE *f, const struct baseline_cmp *c, unsigned int top)
{
	const struct bl_step **steps = xcalloc(c->n_steps + 1, sizeof(*steps));
	size_t n = 0, shown = 0;
	char label[64];

	fprintf(f, "\nAGAINST THE BASELINE  (%s: ", c->b->path);
	put_sanitized(f, c->b->desc, 60);
	fprintf(f,
		")\n  %zu regression%s, %zu improvement%s beyond noise (%.0f%% and a floor per "
		"metric, 20ms for times)\n",
		c->regressions, c->regressions == 1 ? "" : "s", c->improvements,
		c->improvements == 1 ? "" : "s", 100 * BASELINE_REL_NOISE);
	fprintf(f, "  %-28s %10s %10s %7s\n", "", "baseline", "this run", "change");
	for (size_t i = 0; i < c->n_m; i++) {
		const struct bl_metric *m = &c->m[i];

		if (m->verdict != BL_SAME || !strcmp(m->name, "wall"))
			bl_row(f, m->name, m->unit, m->base, m->cur, m->change, m->verdict);
	}
	for (size_t i = 0; i < c->n_steps; i++)
		if (c->steps[i].verdict != BL_SAME)
			steps[n++] = &c->steps[i];
	qsort(steps, n, sizeof(*steps), cmp_step_delta);
	if (n)
		fprintf(f, "  %-28s\n", "steps (command line)");
	for (size_t i = 0; i < n && shown++ < top; i++) {
		if (strlen(steps[i]->cmdline) > 26)
			snprintf(label, sizeof(label), "  %.23s...", steps[i]->cmdline);
		else
			snprintf(label, sizeof(label), "  %s", steps[i]->cmdline);
		for (char *p = label; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		bl_row(f, label, MU_NS, (double)steps[i]->base_ns, (double)steps[i]->cur_ns,
		       steps[i]->change, steps[i]->verdict);
	}
	if (c->steps_new || c->steps_missing)
		fprintf(f,
			"  steps: %zu matched (by command line, else by name), %zu new, %zu no "
			"longer run\n",
			c->n_steps, c->steps_new, c->steps_missing);
	free(steps);
}

/* The processes the total duration depended on, in order, with their share of it. */
static void critical_path(FILE *f, const struct snapshot *s, const struct breakdowns *bd,
			  unsigned int top)
{
	uint64_t wall = bd->target.wall_ns, shown = 0;
	char b[2][32], comm[COMM_LEN + 1];

	if (bd->n_path < 2 || !wall)
		return;
	fprintf(f, "\nCRITICAL PATH  (%zu processes; the steps the wall time depended on)\n",
		bd->n_path);
	for (size_t i = 0; i < bd->n_path; i++) {
		const struct path_step *st = &bd->path[i];
		const struct process *p = path_step_proc(s, st);

		/* the steps that matter: at least 1% of the path, up to --top of them */
		if (st->on_path_ns * 100 < wall || shown++ >= top)
			continue;
		fprintf(f, "  %9s %5.1f%%  %-15s %7u  %-9s %s",
			fmt_dur(b[0], sizeof(b[0]), st->on_path_ns), pct(st->on_path_ns, wall),
			sanitized(comm, sizeof(comm), p->comm), p->pid, bd_class_name(st->dominant),
			st->peer ? "(peer) " : "");
		put_sanitized(f, p->cmdline ? p->cmdline : p->comm, 60);
		fputc('\n', f);
	}
	(void)b[1];
}

static int cmp_cpu_desc(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;
	uint64_t tx = x->m.sched.oncpu_ns + x->m.sched.runq_ns;
	uint64_t ty = y->m.sched.oncpu_ns + y->m.sched.runq_ns;

	if (tx != ty)
		return tx < ty ? 1 : -1;
	return x->slot < y->slot ? -1 : 1;
}

static void processes(FILE *f, const struct snapshot *s, unsigned int top)
{
	const struct process **v;
	char b[5][32], comm[COMM_LEN + 1];
	size_t n = s->n_procs;

	if (!n)
		return;
	v = xmalloc(n * sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = &s->procs[i];
	qsort(v, n, sizeof(*v), cmp_cpu_desc);
	fprintf(f, "\nPROCESSES  (top %zu of %zu by CPU + run-queue time)\n", n < top ? n : top, n);
	fprintf(f, "  %7s %7s %-15s %8s %8s %8s %8s %5s  %s\n", "PID", "PPID", "COMM", "WALL",
		"CPU", "RUNQ", "BLOCKED", "EXIT", "COMMAND");
	for (size_t i = 0; i < n && i < top; i++) {
		const struct process *p = v[i];
		int code = proc_exit_code(p);

		fprintf(f, "  %7u %7u %-15.15s %8s %8s %8s %8s ", p->pid, p->ppid,
			sanitized(comm, sizeof(comm), p->comm),
			fmt_dur(b[0], sizeof(b[0]), proc_wall_ns(p, s)),
			fmt_dur(b[1], sizeof(b[1]), p->m.sched.oncpu_ns),
			fmt_dur(b[2], sizeof(b[2]), p->m.sched.runq_ns),
			fmt_dur(b[3], sizeof(b[3]), sched_blocked_ns(&p->m.sched)));
		if (code < 0)
			fprintf(f, "%5s  ", "-");
		else
			fprintf(f, "%5d  ", code);
		put_sanitized(f, p->cmdline ? p->cmdline : p->comm, 60);
		fputc('\n', f);
	}
	free(v);
}

/* "oncpu 98% io 1%": the classes of a path step, the largest first, 1% and up. */
static void class_words(char *buf, size_t len, const struct path_step *st)
{
	bool done[BD_N] = {false};
	size_t used = 0;

	buf[0] = '\0';
	for (int n = 0; n < 3; n++) {
		unsigned int c = BD_N;

		for (unsigned int k = 0; k < BD_N; k++)
			if (!done[k] && (c == BD_N || st->ns[k] > st->ns[c]))
				c = k;
		if (c == BD_N || st->ns[c] * 100 < st->on_path_ns)
			break;
		done[c] = true;
		used += (size_t)snprintf(buf + used, len - used, "%s%s %.0f%%", used ? " " : "",
					 bd_class_name(c), pct(st->ns[c], st->on_path_ns));
		if (used >= len)
			break;
	}
}

/*
 * Peers: processes outside the target that it waited on (or that waited on it), with
 * their part of its path and what they were doing in it.
 */
static void peers(FILE *f, const struct snapshot *s, const struct breakdowns *bd, unsigned int top)
{
	uint64_t wall = bd->target.wall_ns;
	size_t on = 0, shown = 0, recalled = 0;
	char b[2][32], comm[COMM_LEN + 1], what[64];

	for (size_t i = 0; i < bd->n_path; i++)
		on += bd->path[i].peer;
	if (!on)
		return; /* peers followed, none on the path: JSON has them */
	for (size_t i = 0; i < s->n_peers; i++)
		recalled += s->peers[i].recalled;
	fprintf(f,
		"\nPEERS  (processes outside the target that it waited on: %zu on the path, %zu "
		"followed, %zu known from the recent past alone%s)\n",
		on, s->n_peers - recalled, recalled,
		s->self.stats[STAT_PEERS_FULL] ? "; more were not: raise --max-peers" : "");
	fprintf(f, "  %7s %-15s %4s %9s %6s  %-22s %8s  %s\n", "PID", "COMM", "HOPS", "ON PATH",
		"SHARE", "THERE (BY CLASS)", "CPU", "COMMAND");
	for (size_t i = 0; i < bd->n_path && shown < top; i++) {
		const struct path_step *st = &bd->path[i];
		const struct process *p = path_step_proc(s, st);

		if (!st->peer)
			continue;
		shown++;
		class_words(what, sizeof(what), st);
		fprintf(f, "  %7u %-15.15s %4u %9s %5.1f%%  %-22s %8s  ", p->pid,
			sanitized(comm, sizeof(comm), p->comm), p->hops,
			fmt_dur(b[0], sizeof(b[0]), st->on_path_ns), pct(st->on_path_ns, wall),
			what, p->recalled ? "-" : fmt_dur(b[1], sizeof(b[1]), p->m.sched.oncpu_ns));
		put_sanitized(f, p->cmdline ? p->cmdline : p->comm, 60);
		fputc('\n', f);
	}
}

static void syscalls(FILE *f, const struct metrics *m, unsigned int top)
{
	char b[6][32], nb[32];
	bool any_est = false;

	if (!m->n_syscalls)
		return;
	fprintf(f, "\nSYSCALLS  (top %zu of %zu by total time; %llu calls, %llu failed)\n",
		m->n_syscalls < top ? m->n_syscalls : top, m->n_syscalls,
		(unsigned long long)m->syscall_count, (unsigned long long)m->syscall_errors);
	fprintf(f, "  %-18s %10s %8s %9s %9s %9s %9s  %s\n", "SYSCALL", "COUNT", "ERRORS", "TOTAL",
		"P50", "P99", "MAX", "TOP ERROR");
	for (size_t i = 0; i < m->n_syscalls && i < top; i++) {
		const struct syscall_stat *sc = &m->syscalls[i];

		bool est = sc->timed < sc->lat.count;

		b[5][0] = '~';
		fmt_dur(b[5] + est, sizeof(b[5]) - 1, sc->lat.sum_ns);
		fprintf(f, "  %-18s %10llu %8llu %9s %9s %9s %9s",
			syscall_name(sc->nr, nb, sizeof(nb)), (unsigned long long)sc->lat.count,
			(unsigned long long)sc->errors, b[5],
			fmt_dur(b[1], sizeof(b[1]), sc->lat.p50_ns),
			fmt_dur(b[2], sizeof(b[2]), sc->lat.p99_ns),
			fmt_dur(b[3], sizeof(b[3]), sc->lat.max_ns));
		if (sc->top_errno)
			fprintf(f, "  %s x%llu", errno_name(sc->top_errno, b[4], sizeof(b[4])),
				(unsigned long long)sc->top_errno_count);
		fputc('\n', f);
		any_est |= est;
	}
	if (any_est)
		fprintf(f,
			"  ~ latency sampled for hot syscalls (counts exact); --syscall-timing=all "
			"times every call\n");
}

/* The run-queue histogram, its log-linear buckets folded into one row per power of two. */
static void runq(FILE *f, const struct snapshot *s)
{
	const struct hist *h = &s->target_runq;
	const struct lat *l = &s->target.sched.runq;
	uint64_t rows[HIST_MAX_EXP + 1] = {0}, top = 0;
	int first = -1, last = -1;
	char b[6][32];

	if (!l->count)
		return;
	fprintf(f,
		"\nRUN-QUEUE LATENCY  n=%llu  p50 %s  p90 %s  p99 %s  max %s  (percentiles "
		"within %.2f%%)\n",
		(unsigned long long)l->count, fmt_dur(b[0], sizeof(b[0]), l->p50_ns),
		fmt_dur(b[1], sizeof(b[1]), l->p90_ns), fmt_dur(b[2], sizeof(b[2]), l->p99_ns),
		fmt_dur(b[3], sizeof(b[3]), l->max_ns), HIST_MAX_REL_ERR * 100);
	for (uint32_t i = 0; i < HIST_SLOTS; i++) {
		uint64_t lo, hi;
		int e;

		if (!h->bins[i])
			continue;
		hist_bucket_bounds(i, &lo, &hi);
		e = lo ? (int)hist_log2(lo) : 0;
		rows[e] += h->bins[i];
	}
	for (int e = 0; e <= HIST_MAX_EXP; e++) {
		if (!rows[e])
			continue;
		if (first < 0)
			first = e;
		last = e;
		if (rows[e] > top)
			top = rows[e];
	}
	for (int e = first; e >= 0 && e <= last; e++) {
		uint64_t lo = e ? 1ULL << e : 0, hi = 1ULL << (e + 1);

		fprintf(f, "  %8s .. %-8s %10llu  ", fmt_dur(b[4], sizeof(b[4]), lo),
			fmt_dur(b[5], sizeof(b[5]), hi), (unsigned long long)rows[e]);
		bar(f, (double)rows[e] / top);
		fputc('\n', f);
	}
}

static int cmp_io_desc(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;
	uint64_t bx = io_total_bytes(&x->m.io) + x->m.io.wb_bytes;
	uint64_t by = io_total_bytes(&y->m.io) + y->m.io.wb_bytes;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

static int cmp_net_desc(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;
	uint64_t bx = x->m.net.tx_bytes + x->m.net.rx_bytes + x->m.net.connects;
	uint64_t by = y->m.net.tx_bytes + y->m.net.rx_bytes + y->m.net.connects;

	return bx < by ? 1 : bx > by ? -1 : 0;
}

static int cmp_rss_desc(const void *a, const void *b)
{
	const struct process *x = *(const struct process *const *)a;
	const struct process *y = *(const struct process *const *)b;

	return x->m.mem.rss_peak_bytes < y->m.mem.rss_peak_bytes   ? 1
	       : x->m.mem.rss_peak_bytes > y->m.mem.rss_peak_bytes ? -1
								   : 0;
}

/* The processes sorted by @cmp (an array of pointers; caller frees). */
static const struct process **sorted_procs(const struct snapshot *s,
					   int (*cmp)(const void *, const void *))
{
	const struct process **v = xmalloc((s->n_procs ? s->n_procs : 1) * sizeof(*v));

	for (size_t i = 0; i < s->n_procs; i++)
		v[i] = &s->procs[i];
	qsort(v, s->n_procs, sizeof(*v), cmp);
	return v;
}

static void io_row(FILE *f, const char *name, const struct io_metrics *m)
{
	char b[8][32];

	fprintf(f, "  %-14.14s %8llu %9s %8llu %9s %9s %9s %9s %9s\n", name,
		(unsigned long long)m->ops[IO_READ],
		fmt_bytes(b[0], sizeof(b[0]), m->bytes[IO_READ]),
		(unsigned long long)m->ops[IO_WRITE],
		fmt_bytes(b[1], sizeof(b[1]), m->bytes[IO_WRITE]),
		fmt_dur(b[2], sizeof(b[2]), m->lat.p50_ns),
		fmt_dur(b[3], sizeof(b[3]), m->lat.p99_ns),
		fmt_dur(b[4], sizeof(b[4]), m->queue.p50_ns),
		fmt_bytes(b[5], sizeof(b[5]), m->wb_bytes));
}

static void disk(FILE *f, const struct snapshot *s, unsigned int top)
{
	const struct io_metrics *t = &s->target.io;
	const struct process **v;
	char b[4][32], comm[COMM_LEN + 1];

	if (!io_total_bytes(t) && !t->wb_bytes && !t->ops[IO_FLUSH])
		return;
	fprintf(f,
		"\nDISK  (IO the target submitted; WRITEBACK: written by the kernel for files it "
		"dirtied)\n");
	fprintf(f, "  %-14s %8s %9s %8s %9s %9s %9s %9s %9s\n", "DEVICE", "READS", "READ", "WRITES",
		"WRITTEN", "LAT P50", "LAT P99", "QUEUE P50", "WRITEBACK");
	for (size_t i = 0; i < s->n_devices; i++)
		io_row(f, s->devices[i].name, &s->devices[i].m);
	if (s->n_devices != 1)
		io_row(f, "(all)", t);
	v = sorted_procs(s, cmp_io_desc);
	for (size_t i = 0; i < s->n_procs && i < top && i < 5; i++) {
		const struct io_metrics *m = &v[i]->m.io;

		if (!io_total_bytes(m) && !m->wb_bytes)
			break;
		fprintf(f, "  %s %u: read %s, wrote %s, written back for it %s (lat p99 %s)\n",
			sanitized(comm, sizeof(comm), v[i]->comm), v[i]->pid,
			fmt_bytes(b[0], sizeof(b[0]), m->bytes[IO_READ]),
			fmt_bytes(b[1], sizeof(b[1]), m->bytes[IO_WRITE]),
			fmt_bytes(b[2], sizeof(b[2]), m->wb_bytes),
			fmt_dur(b[3], sizeof(b[3]), m->lat.p99_ns));
	}
	free(v);
	for (size_t i = 0; i < s->n_slow && i < 3; i++) {
		const struct slow_req *r = &s->slow[i];

		fprintf(f, "  %s %8s %s of %s at sector %llu on %s, %s `%s` %u (queued %s)\n",
			i ? "    " : "slow", fmt_dur(b[0], sizeof(b[0]), r->lat_ns),
			io_op_name(r->op), fmt_bytes(b[1], sizeof(b[1]), r->bytes),
			(unsigned long long)r->sector, r->dev[0] ? r->dev : "?",
			r->writeback  ? "written back for"
			: r->deferred ? "deferred by its cgroup for"
				      : "by",
			r->comm, r->pid, fmt_dur(b[2], sizeof(b[2]), r->queue_ns));
	}
}

static void network(FILE *f, const struct snapshot *s, unsigned int top)
{
	const struct net_metrics *n = &s->target.net;
	const struct process **v;
	char b[8][32], comm[COMM_LEN + 1];

	if (!n->tx_bytes && !n->rx_bytes && !n->connects && !n->closes)
		return;
	fprintf(f, "\nNETWORK\n");
	fprintf(f,
		"  sent %s, received %s; %llu connects (%llu failed), %llu closed, %llu "
		"retransmits\n",
		fmt_bytes(b[0], sizeof(b[0]), n->tx_bytes),
		fmt_bytes(b[1], sizeof(b[1]), n->rx_bytes), (unsigned long long)n->connects,
		(unsigned long long)n->connect_failures, (unsigned long long)n->closes,
		(unsigned long long)n->retransmits);
	if (n->connect.count || n->rtt.count)
		fprintf(f, "  connect p50 %s p99 %s; RTT p50 %s p99 %s\n",
			fmt_dur(b[2], sizeof(b[2]), n->connect.p50_ns),
			fmt_dur(b[3], sizeof(b[3]), n->connect.p99_ns),
			fmt_dur(b[4], sizeof(b[4]), n->rtt.p50_ns),
			fmt_dur(b[5], sizeof(b[5]), n->rtt.p99_ns));
	if (s->n_remotes) {
		fprintf(f, "  %-28s %8s %6s %11s %9s %9s %7s\n", "REMOTE", "CONNECTS", "FAILED",
			"CONNECT P99", "RTT P50", "RTT P99", "RETRANS");
		for (size_t i = 0; i < s->n_remotes && i < top; i++) {
			const struct net_remote *r = &s->remotes[i];

			fprintf(f, "  %-28.28s %8llu %6llu %11s %9s %9s %7llu\n", r->addr,
				(unsigned long long)r->connects,
				(unsigned long long)r->connect_failures,
				fmt_dur(b[0], sizeof(b[0]), r->connect.p99_ns),
				fmt_dur(b[1], sizeof(b[1]), r->rtt.p50_ns),
				fmt_dur(b[2], sizeof(b[2]), r->rtt.p99_ns),
				(unsigned long long)r->retransmits);
		}
	}
	v = sorted_procs(s, cmp_net_desc);
	for (size_t i = 0; i < s->n_procs && i < top && i < 5; i++) {
		const struct net_metrics *m = &v[i]->m.net;

		if (!m->tx_bytes && !m->rx_bytes && !m->connects)
			break;
		fprintf(f, "  %s %u: sent %s, received %s, %llu connects\n",
			sanitized(comm, sizeof(comm), v[i]->comm), v[i]->pid,
			fmt_bytes(b[0], sizeof(b[0]), m->tx_bytes),
			fmt_bytes(b[1], sizeof(b[1]), m->rx_bytes),
			(unsigned long long)m->connects);
	}
	free(v);
}

static void memory(FILE *f, const struct snapshot *s)
{
	const struct mem_metrics *m = &s->target.mem;
	const struct process **v;
	char b[2][32], comm[COMM_LEN + 1];

	fprintf(f, "\nMEMORY\n  page faults: %llu minor, %llu major; OOM kills: %llu\n",
		(unsigned long long)m->minor_faults, (unsigned long long)m->major_faults,
		(unsigned long long)m->oom_kills);
	if (m->reclaims || m->refault_pages)
		fprintf(f,
			"  reclaim: %s in %llu passes, %llu pages freed; refaults: %llu pages (%s) "
			"read back after reclaim evicted them\n",
			fmt_dur(b[0], sizeof(b[0]), m->reclaim_ns - m->compact_ns),
			(unsigned long long)m->reclaims, (unsigned long long)m->reclaimed_pages,
			(unsigned long long)m->refault_pages,
			fmt_bytes(b[1], sizeof(b[1]),
				  m->refault_pages * (uint64_t)sysconf(_SC_PAGESIZE)));
	if (m->compactions)
		fprintf(f, "  compaction: %s compacting %llu zones itself\n",
			fmt_dur(b[0], sizeof(b[0]), m->compact_ns),
			(unsigned long long)m->compactions);
	for (size_t i = 0; i < s->n_mem_cgroups; i++) {
		const struct mem_cgroup *cg = &s->mem_cgroups[i];
		char b3[32], path[sizeof(cg->path)];

		fprintf(f,
			"  cgroup %s (v%d): limit %s, in use %s, peak %s; %llu refaults since "
			"it was made; %llu processes\n",
			cg->path[0] ? sanitized(path, sizeof(path), cg->path) : "(gone)",
			cg->v2 ? 2 : 1,
			cg->limit_bytes ? fmt_bytes(b[0], sizeof(b[0]), cg->limit_bytes) : "none",
			fmt_bytes(b[1], sizeof(b[1]), cg->usage_bytes),
			cg->peak_bytes ? fmt_bytes(b3, sizeof(b3), cg->peak_bytes) : "?",
			(unsigned long long)(cg->refault_file + cg->refault_anon),
			(unsigned long long)cg->procs);
	}
	if (s->psi_ok[PSI_MEM] && s->end_ns > s->start_ns)
		fprintf(f, "  memory pressure: some task stalled %.1f%% of the time, all %.1f%%\n",
			100.0 * s->psi_some_ns[PSI_MEM] / (s->end_ns - s->start_ns),
			100.0 * s->psi_full_ns[PSI_MEM] / (s->end_ns - s->start_ns));
	v = sorted_procs(s, cmp_rss_desc);
	for (size_t i = 0; i < s->n_procs && i < 3; i++) {
		if (!v[i]->m.mem.rss_peak_bytes)
			break;
		fprintf(f, "  %-15s %7u peak RSS %s%s%s\n",
			sanitized(comm, sizeof(comm), v[i]->comm), v[i]->pid,
			fmt_bytes(b[0], sizeof(b[0]), v[i]->m.mem.rss_peak_bytes),
			v[i]->m.mem.rss_bytes ? ", now " : "",
			v[i]->m.mem.rss_bytes ? fmt_bytes(b[1], sizeof(b[1]), v[i]->m.mem.rss_bytes)
					      : "");
	}
	free(v);
}

static void top_stacks(FILE *f, const struct stack_set *set, enum stack_kind kind, unsigned int top)
{
	uint64_t total = kind == STACK_ONCPU ? set->oncpu_samples * set->period_ns : set->offcpu_ns;
	size_t n = 0, shown = 0;
	char b[32], comm[COMM_LEN + 1];

	for (size_t i = 0; i < set->n; i++)
		n += set->stacks[i].kind == kind;
	if (!n)
		return;
	if (kind == STACK_ONCPU)
		fprintf(f,
			"\nON-CPU STACKS  (%llu samples at %u Hz; top %zu of %zu; --flamegraph for "
			"all)\n",
			(unsigned long long)set->oncpu_samples, set->freq_hz, n < top ? n : top, n);
	else
		fprintf(f, "\nOFF-CPU STACKS  (%s blocked in %llu blocks; top %zu of %zu)\n",
			fmt_dur(b, sizeof(b), set->offcpu_ns),
			(unsigned long long)set->offcpu_count, n < top ? n : top, n);
	for (size_t i = 0; i < set->n && shown < top; i++) {
		const struct stack *st = &set->stacks[i];
		uint32_t from;

		if (st->kind != kind)
			continue;
		shown++;
		fprintf(f, "  %5.1f%% %8s  %s %u: ", pct(st->ns, total),
			fmt_dur(b, sizeof(b), st->ns), sanitized(comm, sizeof(comm), st->comm),
			st->pid);
		/* the innermost frames say most: the last eight */
		from = st->n_frames > 8 ? st->n_frames - 8 : 0;
		if (from)
			fputs("... ", f);
		for (uint32_t k = from; k < st->n_frames; k++) {
			const struct frame *fr = &set->frames[st->frames[k]];

			if (k > from)
				fputs(" > ", f);
			put_sanitized(f, set->strs[fr->name], 60);
			if (fr->kernel)
				fputs("_[k]", f);
		}
		fputc('\n', f);
	}
}

static void self(FILE *f, const struct snapshot *s)
{
	const struct self_stats *x = &s->self;
	char b[5][32];
	uint64_t lost =
		x->stats[STAT_RB_DROPS] + x->stats[STAT_TASK_CTX_FAIL] + x->bpf_recursion_misses;

	fprintf(f, "\nPROCSCOPE ITSELF\n  ");
	if (x->bpf_stats != BPF_STATS_OFF)
		fprintf(f, "BPF %s%s in %llu program runs (%lluns each%s), ",
			x->bpf_coverage < 1.0 ? "~" : "",
			fmt_dur(b[0], sizeof(b[0]), x->bpf_run_ns),
			(unsigned long long)x->bpf_run_cnt,
			(unsigned long long)(x->bpf_sampled_cnt
						     ? x->bpf_sampled_ns / x->bpf_sampled_cnt
						     : 0),
			x->bpf_coverage < 1.0 ? ", sampled" : "");
	fprintf(f, "own CPU %s, peak RSS %s, attached in %s\n",
		fmt_dur(b[1], sizeof(b[1]), x->cpu_ns),
		fmt_bytes(b[2], sizeof(b[2]), x->rss_peak_bytes),
		fmt_dur(b[3], sizeof(b[3]), x->startup_ns));
	fprintf(f, "  lost events %llu, processes %u/%u%s, distributions %u/%u%s\n",
		(unsigned long long)lost, x->procs_used, x->procs_max,
		x->stats[STAT_PROCS_FULL] ? " (FULL: raise --max-procs)" : "", x->rows_used,
		x->rows_max, x->stats[STAT_ROWS_FULL] ? " (FULL: raise --max-rows)" : "");
	if (x->stats[STAT_RB_DROPS])
		fprintf(f,
			"  warning: %llu process events dropped (ring buffer full): some command "
			"lines may be missing\n",
			(unsigned long long)x->stats[STAT_RB_DROPS]);
	if (x->stats[STAT_PATH_DROPS] || (s->history && s->history->not_kept))
		fprintf(f,
			"  warning: %llu waits' records lost and %llu not kept (over %zu): the "
			"critical path has gaps (unknown)\n",
			(unsigned long long)x->stats[STAT_PATH_DROPS],
			(unsigned long long)(s->history ? s->history->not_kept : 0),
			s->history ? s->history->max_waits : 0);
	if (x->unwind_on)
		fprintf(f,
			"  unwind tables: %llu files, %llu of %llu rows%s, read in %s; user stacks "
			"walked to their entry: %.1f%%\n",
			(unsigned long long)x->unwind.files, (unsigned long long)x->unwind.rows,
			(unsigned long long)x->unwind_rows_max,
			x->unwind.files_full ? " (FULL: raise --unwind-rows)" : "",
			fmt_dur(b[4], sizeof(b[4]), x->unwind.parse_ns),
			s->stacks ? pct(s->stacks->user_complete, s->stacks->user_stacks) : 0.0);
	if (x->unwind_on && x->unwind.py_procs)
		fprintf(f, "  Python frames walked in %llu process%s\n",
			(unsigned long long)x->unwind.py_procs,
			x->unwind.py_procs == 1 ? "" : "es");
	if (x->unwind_on && x->unwind.py_unknown)
		fprintf(f,
			"  Python %u.%u: no frame layout known for this version: its stacks show "
			"the interpreter's native frames only\n",
			x->unwind.py_unknown >> 24, (x->unwind.py_unknown >> 16) & 0xff);
	if (s->stacks && s->stacks->oncpu_samples && s->stacks->own_samples)
		fprintf(f,
			"  in the target's on-CPU samples: %.1f%% in its own BPF programs "
			"(procscope:NAME frames)\n",
			pct(s->stacks->own_samples, s->stacks->oncpu_samples));
}

/* What this kernel could not do: measured another way, or off, and why. */
static void kernel_notes(FILE *f, const struct kernel_info *k)
{
	if (!k->n_notes)
		return;
	fprintf(f, "\nON THIS KERNEL (%s)\n", k->release);
	for (size_t i = 0; i < k->n_notes; i++) {
		const struct kernel_note *n = &k->notes[i];
		size_t j = i;

		if (n->kind == KNOTE_REJECTED) {
			fprintf(f, "  %s: the kernel refused '%s' (%s); %s\n", n->subsys, n->prog,
				n->reason[0] ? n->reason : "no reason given", n->effect);
			continue;
		}
		if (n->kind == KNOTE_NO_HELPER) {
			fprintf(f, "  %s: no BPF helper %s (Linux %s): %s\n", n->subsys,
				n->tracepoint, n->since, n->effect);
			continue;
		}
		/* one line for the tracepoints that share an effect (send and receive) */
		fprintf(f, "  %s: no tracepoint %s", n->subsys, n->tracepoint);
		while (j + 1 < k->n_notes && k->notes[j + 1].kind == KNOTE_NO_TRACEPOINT &&
		       !strcmp(k->notes[j + 1].effect, n->effect))
			fprintf(f, ", %s", k->notes[++j].tracepoint);
		fprintf(f, " (Linux %s): %s\n", n->since, n->effect);
		i = j;
	}
}

/*
 * A section of the counter table this report has no words of its own for (a subsystem
 * added since): its figures for the target, by their JSON keys, the non-zero ones.
 */
static void other_section(FILE *f, const struct snapshot *s, enum metric_section sect)
{
	char b[32];
	bool any = false;

	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];
		uint64_t v = counter_get(&s->target, d);

		if (d->sect != sect || !d->json || !v)
			continue;
		if (!any)
			fprintf(f, "\n%s\n", metric_section_name(sect));
		any = true;
		fprintf(f, "  %-32s %s\n", d->json,
			d->unit == MU_NS ? fmt_dur(b, sizeof(b), v)
			: d->unit == MU_BYTES
				? fmt_bytes(b, sizeof(b), v)
				: (snprintf(b, sizeof(b), "%llu", (unsigned long long)v), b));
	}
}

void report_text(FILE *f, const struct snapshot *s, const struct analysis *a,
		 const struct report_opts *o)
{
	header(f, s, o);
	if (s->kind == SNAP_REPORT)
		findings(f, a);
	if (s->kind == SNAP_REPORT && a->alerts && a->alerts->n_rules)
		alerts_section(f, a->alerts, o->top_n);
	if (s->kind == SNAP_REPORT && a->baseline)
		baseline_section(f, a->baseline, o->top_n);
	time_split(f, s, &a->bd);
	critical_path(f, s, &a->bd, o->top_n);
	processes(f, s, o->top_n);
	peers(f, s, &a->bd, o->top_n);
	syscalls(f, &s->target, o->top_n);
	runq(f, s);
	if (o->subsys & SUB_IO)
		disk(f, s, o->top_n);
	if (o->subsys & SUB_NET)
		network(f, s, o->top_n);
	if (o->subsys & SUB_MEM)
		memory(f, s);
	for (unsigned int sect = 0; sect < MS_N; sect++)
		if (sect != MS_sched && sect != MS_io && sect != MS_net && sect != MS_mem &&
		    (o->subsys & metric_section_subsys(sect)))
			other_section(f, s, sect);
	if (s->stacks) {
		top_stacks(f, s->stacks, STACK_ONCPU, o->top_n < 5 ? o->top_n : 5);
		top_stacks(f, s->stacks, STACK_OFFCPU, o->top_n < 5 ? o->top_n : 5);
	}
	if (s->kind == SNAP_REPORT) {
		kernel_notes(f, &s->kernel);
		self(f, s);
	}
	fflush(f);
}
