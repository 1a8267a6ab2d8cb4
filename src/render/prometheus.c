// SPDX-License-Identifier: GPL-2.0
/*
 * The Prometheus text exposition; see prometheus.h. Processes are summed per label set
 * (comm and cgroup, and pid when asked): Prometheus scrapes a fleet, and a series per
 * pid would grow without bound on a busy host. The biggest consumers come first, so
 * that the series cap drops the tail, and what it dropped is counted.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/alerts.h"
#include "analysis/groups.h"
#include "lib/json_writer.h"
#include "render/prometheus.h"
#include "lib/cgident.h"
#include "model/snapshot.h"
#include "model/timeline.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

struct prom_out {
	FILE *f; /* NULL: count the series only */
	size_t series, max, dropped;
	const char *family; /* the family whose HELP and TYPE were written last */
};

/* A label value: escaped as the format wants; bytes that are not UTF-8 become '?'. */
static void put_label_value(FILE *f, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t len;

		if (c == '\\' || c == '"') {
			fputc('\\', f);
			fputc(c, f);
			i++;
		} else if (c == '\n') {
			fputs("\\n", f);
			i++;
		} else if (c < 0x20 || c == 0x7f) {
			fputc('?', f);
			i++;
		} else if (c < 0x80) {
			fputc(c, f);
			i++;
		} else if ((len = utf8_valid_len((const unsigned char *)s + i, n - i)) > 0) {
			fwrite(s + i, 1, len, f);
			i += len;
		} else {
			fputc('?', f);
			i++;
		}
	}
}

static void family(struct prom_out *o, const char *name, const char *type, const char *help)
{
	if (o->family && !strcmp(o->family, name))
		return;
	o->family = name;
	if (o->f)
		fprintf(o->f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/*
 * One sample: @name{@labels} @v, labels as "k", "v" pairs ending in NULL. false when the
 * cap is reached (the series is counted as dropped).
 */
static bool sample(struct prom_out *o, const char *name, const char *const *labels, double v)
{
	if (o->series >= o->max) {
		o->dropped++;
		return false;
	}
	o->series++;
	if (!o->f)
		return true;
	fputs(name, o->f);
	if (labels && labels[0]) {
		fputc('{', o->f);
		for (size_t i = 0; labels[i]; i += 2) {
			fprintf(o->f, "%s%s=\"", i ? "," : "", labels[i]);
			put_label_value(o->f, labels[i + 1] ? labels[i + 1] : "");
			fputc('"', o->f);
		}
		fputc('}', o->f);
	}
	if (v == floor(v) && fabs(v) < 1e15)
		fprintf(o->f, " %.0f\n", v);
	else
		fprintf(o->f, " %.9g\n", v);
	return true;
}

#define NS 1e-9

/*
 * Histogram bucket bounds: two per power of two, 2^e and 1.5 * 2^e ns, from 2^10 ns
 * (~1 us) to 2^36 ns (68.7 s), then +Inf. Both are edges of procscope's own buckets,
 * so every count is exact; histogram_quantile() interpolates within a bucket a third
 * of its lower bound wide at most.
 */
#define PROM_HIST_LO_EXP 10

/*
 * A histogram family's series for @h under @labels (ending in NULL, room for two more
 * entries). procscope's buckets nest in the powers of two, so every count is exact.
 */
static void histogram(struct prom_out *o, const char *name, const char **labels, size_t n_labels,
		      const struct hist *h)
{
	char bucket[96], sum[96], count[96], le[32];
	uint64_t below = 0;
	uint32_t slot = 0;

	snprintf(bucket, sizeof(bucket), "%s_bucket", name);
	snprintf(sum, sizeof(sum), "%s_sum", name);
	snprintf(count, sizeof(count), "%s_count", name);
	labels[n_labels] = "le";
	labels[n_labels + 2] = NULL;
	for (int e = PROM_HIST_LO_EXP; e <= HIST_MAX_EXP; e++) {
		for (int half = 0; half < 2 && (e < HIST_MAX_EXP || !half); half++) {
			uint64_t edge = (1ULL << e) + (half ? 1ULL << (e - 1) : 0), lo, hi;

			/* every bucket that ends at or below the edge */
			for (; slot < HIST_SLOTS; slot++) {
				hist_bucket_bounds(slot, &lo, &hi);
				if (hi > edge)
					break;
				below += h->bins[slot];
			}
			snprintf(le, sizeof(le), "%.9g", edge * NS);
			labels[n_labels + 1] = le;
			sample(o, bucket, labels, (double)below);
		}
	}
	labels[n_labels + 1] = "+Inf";
	for (; slot < HIST_SLOTS; slot++)
		below += h->bins[slot];
	sample(o, bucket, labels, (double)below);
	labels[n_labels] = NULL;
	sample(o, sum, labels, h->sum_ns * NS);
	sample(o, count, labels, (double)below);
}

/* What a group's labels point into: its pid in digits, what its cgroup's path names. */
struct label_buf {
	char pid[16];
	struct cg_ident id;
};

/*
 * The group's labels into @l (room for 16): comm, cgroup, pid if asked, and what the
 * cgroup is known as -- unit, container_id, pod_uid, each when it has one -- then the
 * caller's.
 */
static size_t group_labels(const char **l, const struct proc_group *g, bool by_pid,
			   struct label_buf *b)
{
	size_t n = 0;

	l[n++] = "comm";
	l[n++] = g->comm;
	l[n++] = "cgroup";
	l[n++] = g->cgroup;
	if (by_pid) {
		snprintf(b->pid, sizeof(b->pid), "%u", g->pid);
		l[n++] = "pid";
		l[n++] = b->pid;
	}
	if (g->cgroup && cg_ident_parse(g->cgroup, &b->id)) {
		if (b->id.unit[0]) {
			l[n++] = "unit";
			l[n++] = b->id.unit;
		}
		if (b->id.container_id[0]) {
			l[n++] = "container_id";
			l[n++] = b->id.container_id;
		}
		if (b->id.pod_uid[0]) {
			l[n++] = "pod_uid";
			l[n++] = b->id.pod_uid;
		}
	}
	l[n] = NULL;
	return n;
}

/* The families of the counter table (model/metrics.h): their help, whether a zero is left out. */
#define FAMILY(n, h, s) {n, h, s},
static const struct {
	const char *name, *help;
	bool sparse; /* a series appears once its value is not zero */
} counter_families[] = {METRIC_FAMILIES(FAMILY)};

/* The help of family @name, or NULL if it is not one of the counter table's. */
static const char *counter_family_help(const char *name, bool *sparse)
{
	for (size_t i = 0; i < ARRAY_SIZE(counter_families); i++) {
		if (!strcmp(counter_families[i].name, name)) {
			*sparse = counter_families[i].sparse;
			return counter_families[i].help;
		}
	}
	return NULL;
}

/* One sample per group, of value @v(group). */
static void per_group(struct prom_out *o, const struct proc_group *gs, size_t n, bool by_pid,
		      const char *name, const char *type, const char *help,
		      uint64_t (*v)(const struct proc_group *g))
{
	const char *l[24];
	struct label_buf lb;

	for (size_t i = 0; i < n; i++) {
		group_labels(l, &gs[i], by_pid, &lb);
		family(o, name, type, help);
		sample(o, name, l, (double)v(&gs[i]));
	}
}

static uint64_t v_running(const struct proc_group *g)
{
	return g->running;
}

static uint64_t v_seen(const struct proc_group *g)
{
	return g->processes;
}

/*
 * The families of the counter table, in its order: a family is its consecutive lines,
 * one sample per group and line (its label), in base units (a duration in seconds).
 */
static void counter_metrics(struct prom_out *o, const struct proc_group *gs, size_t n, bool by_pid)
{
	for (size_t first = 0; first < n_counter_defs;) {
		const struct counter_def *d = &counter_defs[first];
		size_t end = first + 1;
		const char *help;
		bool sparse = false;

		if (!d->prom) {
			first++;
			continue;
		}
		while (end < n_counter_defs && counter_defs[end].prom &&
		       !strcmp(counter_defs[end].prom, d->prom))
			end++;
		help = counter_family_help(d->prom, &sparse);
		for (size_t i = 0; i < n; i++) {
			const char *l[24];
			struct label_buf lb;
			char key[32];
			size_t nl = group_labels(l, &gs[i], by_pid, &lb);

			family(o, d->prom, d->fold == FOLD_SUM ? "counter" : "gauge",
			       help ? help : d->prom);
			for (size_t k = first; k < end; k++) {
				const struct counter_def *c = &counter_defs[k];
				uint64_t v = counter_get(&gs[i].m, c);
				const char *eq = c->label ? strchr(c->label, '=') : NULL;

				if (sparse && !v)
					continue;
				if (eq) {
					snprintf(key, sizeof(key), "%.*s", (int)(eq - c->label),
						 c->label);
					l[nl] = key;
					l[nl + 1] = eq + 1;
					l[nl + 2] = NULL;
				}
				sample(o, d->prom, l, c->unit == MU_NS ? v * NS : (double)v);
			}
		}
		first = end;
	}
}

static void syscall_metrics(struct prom_out *o, const struct proc_group *gs, size_t n, bool by_pid)
{
	static const char *const fam[3][3] = {
		{"procscope_syscalls_total", "counter", "System calls made"},
		{"procscope_syscall_errors_total", "counter", "System calls that failed"},
		{"procscope_syscall_seconds_total", "counter",
		 "Time in system calls (estimated where timing is sampled)"},
	};
	const char *l[24];
	struct label_buf lb;
	char sc[32];

	for (int k = 0; k < 3; k++) {
		for (size_t i = 0; i < n; i++) {
			const struct proc_group *g = &gs[i];
			size_t nl = group_labels(l, g, by_pid, &lb);

			family(o, fam[k][0], fam[k][1], fam[k][2]);
			for (size_t j = 0; j < g->m.n_syscalls; j++) {
				const struct syscall_stat *sc_j = &g->m.syscalls[j];
				double v = k == 0   ? (double)sc_j->lat.count
					   : k == 1 ? (double)sc_j->errors
						    : sc_j->lat.sum_ns * NS;

				if (k == 1 && !sc_j->errors)
					continue;
				l[nl] = "syscall";
				l[nl + 1] = syscall_name(sc_j->nr, sc, sizeof(sc));
				l[nl + 2] = NULL;
				sample(o, fam[k][0], l, v);
			}
		}
	}
}

static void process_metrics(struct prom_out *o, const struct snapshot *s,
			    const struct proc_group *gs, size_t n, bool by_pid)
{
	per_group(o, gs, n, by_pid, "procscope_processes", "gauge",
		  "Processes of this command and cgroup running at the last update", v_running);
	per_group(o, gs, n, by_pid, "procscope_processes_seen_total", "counter",
		  "Processes of this command and cgroup seen since procscope started", v_seen);
	counter_metrics(o, gs, n, by_pid);
	if (s->target.n_syscalls)
		syscall_metrics(o, gs, n, by_pid);
}

static int cmp_syscall_count(const void *a, const void *b)
{
	const struct syscall_stat *x = *(const struct syscall_stat *const *)a;
	const struct syscall_stat *y = *(const struct syscall_stat *const *)b;

	return x->lat.count < y->lat.count ? 1 : x->lat.count > y->lat.count ? -1 : 0;
}

/* The target's distributions, devices and remote endpoints. */
static void target_metrics(struct prom_out *o, const struct snapshot *s)
{
	const char *l[8] = {NULL};
	const struct syscall_stat **by_count;
	size_t n_hist;
	char sc[32];

	if (s->target_runq.count) {
		family(o, "procscope_runqueue_latency_seconds", "histogram",
		       "Each wait for a CPU, of every traced task");
		histogram(o, "procscope_runqueue_latency_seconds", l, 0, &s->target_runq);
	}
	by_count = xcalloc(s->target.n_syscalls ? s->target.n_syscalls : 1, sizeof(*by_count));
	for (size_t i = 0; i < s->target.n_syscalls; i++)
		by_count[i] = &s->target.syscalls[i];
	qsort(by_count, s->target.n_syscalls, sizeof(*by_count), cmp_syscall_count);
	n_hist = s->target.n_syscalls < PROM_TOP_SYSCALL_HISTOGRAMS ? s->target.n_syscalls
								    : PROM_TOP_SYSCALL_HISTOGRAMS;
	for (size_t i = 0; i < n_hist; i++) {
		if (!by_count[i]->h || !by_count[i]->h->count)
			continue;
		family(o, "procscope_syscall_latency_seconds", "histogram",
		       "Latency of the most frequent system calls, every traced process "
		       "(weighted where timing is sampled)");
		l[0] = "syscall";
		l[1] = syscall_name(by_count[i]->nr, sc, sizeof(sc));
		histogram(o, "procscope_syscall_latency_seconds", l, 2, by_count[i]->h);
	}
	free(by_count);
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct io_device *d = &s->devices[i];

		family(o, "procscope_device_io_bytes_total", "counter",
		       "Block IO bytes of the target on this device, by operation");
		l[0] = "device";
		l[1] = d->name;
		l[2] = "op";
		l[4] = NULL;
		for (int op = 0; op < IO_OP_N; op++) {
			if (!d->m.ops[op])
				continue;
			l[3] = io_op_name(op);
			sample(o, "procscope_device_io_bytes_total", l, (double)d->m.bytes[op]);
		}
	}
	for (size_t i = 0; i < s->n_devices; i++) {
		const struct io_device *d = &s->devices[i];

		if (!d->lat_h || !d->lat_h->count)
			continue;
		family(o, "procscope_device_io_latency_seconds", "histogram",
		       "Device time of the target's block IO requests, issue to completion");
		l[0] = "device";
		l[1] = d->name;
		histogram(o, "procscope_device_io_latency_seconds", l, 2, d->lat_h);
	}
	for (size_t i = 0; i < s->n_remotes; i++) {
		const struct net_remote *r = &s->remotes[i];

		family(o, "procscope_remote_tcp_connects_total", "counter",
		       "TCP connections the target opened to this remote endpoint");
		l[0] = "remote";
		l[1] = r->addr;
		l[2] = NULL;
		sample(o, "procscope_remote_tcp_connects_total", l, (double)r->connects);
	}
	for (int k = 0; k < 2; k++) {
		const char *name =
			k ? "procscope_tcp_rtt_seconds" : "procscope_tcp_connect_seconds";

		for (size_t i = 0; i < s->n_remotes; i++) {
			const struct hist *h = k ? s->remotes[i].rtt_h : s->remotes[i].connect_h;

			if (!h || !h->count)
				continue;
			family(o, name, "histogram",
			       k ? "Smoothed round-trip time samples of the target's TCP "
				   "connections"
				 : "Time to open a TCP connection (SYN to established)");
			l[0] = "remote";
			l[1] = s->remotes[i].addr;
			histogram(o, name, l, 2, h);
		}
	}
}

static void self_metrics(struct prom_out *o, const struct snapshot *s, const struct prom_opts *po)
{
	const struct self_stats *x = &s->self;
	const char *l[6] = {NULL};
	static const struct {
		const char *reason;
		int stat;
	} lost[] = {
		{"ringbuf_full", STAT_RB_DROPS},	 {"task_storage", STAT_TASK_CTX_FAIL},
		{"io_requests_full", STAT_IO_REQS_FULL}, {"sockets", STAT_SOCKS_FULL},
		{"stacks_full", STAT_STACKS_FULL},	 {"path_records", STAT_PATH_DROPS},
	};

	l[0] = "version";
	l[1] = PROCSCOPE_VERSION;
	l[2] = "kernel";
	l[3] = s->kernel.release;
	family(o, "procscope_info", "gauge", "procscope's version and the kernel it runs on");
	sample(o, "procscope_info", l, 1);
	l[0] = NULL;
	family(o, "procscope_bpf_run_seconds_total", "counter",
	       "Run time of procscope's BPF programs (estimated from samples with --bpf-stats "
	       "sample)");
	sample(o, "procscope_bpf_run_seconds_total", l, x->bpf_run_ns * NS);
	family(o, "procscope_bpf_runs_total", "counter", "Runs of procscope's BPF programs");
	sample(o, "procscope_bpf_runs_total", l, (double)x->bpf_run_cnt);
	family(o, "procscope_events_lost_total", "counter",
	       "Events procscope could not record, by reason");
	for (size_t i = 0; i < ARRAY_SIZE(lost); i++) {
		l[0] = "reason";
		l[1] = lost[i].reason;
		l[2] = NULL;
		sample(o, "procscope_events_lost_total", l, (double)x->stats[lost[i].stat]);
	}
	l[1] = "bpf_recursion";
	sample(o, "procscope_events_lost_total", l, (double)x->bpf_recursion_misses);
	l[0] = NULL;
	family(o, "procscope_tracked_processes", "gauge",
	       "Process slots in use (--max-procs: the rest are counted together)");
	sample(o, "procscope_tracked_processes", l, x->procs_used);
	family(o, "procscope_tracked_processes_max", "gauge", "Process slots (--max-procs)");
	sample(o, "procscope_tracked_processes_max", l, x->procs_max);
	family(o, "procscope_stat_rows", "gauge",
	       "Distributions (stat rows) in use (--max-rows: the rest are counted together)");
	sample(o, "procscope_stat_rows", l, x->rows_used);
	family(o, "procscope_stat_rows_max", "gauge", "Distributions (--max-rows)");
	sample(o, "procscope_stat_rows_max", l, x->rows_max);
	family(o, "procscope_table_full_total", "counter",
	       "Processes and distributions beyond the tables: counted in a shared overflow "
	       "entry (in every total, under no process of their own)");
	l[0] = "table";
	l[1] = "processes";
	l[2] = NULL;
	sample(o, "procscope_table_full_total", l, (double)x->stats[STAT_PROCS_FULL]);
	l[1] = "rows";
	sample(o, "procscope_table_full_total", l, (double)x->stats[STAT_ROWS_FULL]);
	l[0] = NULL;
	family(o, "procscope_peers", "gauge",
	       "Processes outside the target followed as peers: they ended a wait of its, or "
	       "it woke them");
	sample(o, "procscope_peers", l, (double)s->n_peers);
	family(o, "procscope_peers_refused_total", "counter",
	       "Processes not followed as peers: --max-peers reached");
	sample(o, "procscope_peers_refused_total", l, (double)x->stats[STAT_PEERS_FULL]);
	family(o, "procscope_kernel_folded_total", "counter",
	       "Exited processes folded into their aggregates by the kernel, at their exit");
	sample(o, "procscope_kernel_folded_total", l, (double)x->stats[STAT_KFOLDED]);
	family(o, "procscope_cpu_seconds_self_total", "counter", "procscope's own CPU time");
	sample(o, "procscope_cpu_seconds_self_total", l, x->cpu_ns * NS);
	family(o, "procscope_resident_memory_self_bytes", "gauge", "procscope's own peak RSS");
	sample(o, "procscope_resident_memory_self_bytes", l, (double)x->rss_peak_bytes);
	family(o, "procscope_uptime_seconds", "gauge", "Time since procscope attached");
	sample(o, "procscope_uptime_seconds", l, (s->end_ns - s->attach_ns) * NS);
	if (po->flight) {
		static const char *const reasons[FR_REASONS] = {"alert", "signal", "request"};
		const struct flight_stats *f = po->flight;

		family(o, "procscope_flight_recorder_dumps_total", "counter",
		       "Flight recorder dumps written, by what asked for them");
		for (int i = 0; i < FR_REASONS; i++) {
			l[0] = "reason";
			l[1] = reasons[i];
			l[2] = NULL;
			sample(o, "procscope_flight_recorder_dumps_total", l, (double)f->dumps[i]);
		}
		const struct {
			const char *name, *type, *help;
			uint64_t v;
		} one[] = {
			{"procscope_flight_recorder_dump_failures_total", "counter",
			 "Flight recorder dumps that could not be written", f->failed},
			{"procscope_flight_recorder_dumps_limited_total", "counter",
			 "Alerts that fired within a window of their rule's last dump: not dumped",
			 f->limited},
			{"procscope_flight_recorder_events_dropped_total", "counter",
			 "Events of the window dropped, oldest first, past --flight-recorder-max",
			 f->dropped},
			{"procscope_flight_recorder_bytes", "gauge",
			 "Memory the flight recorder's events and tables' copies take now",
			 f->kept_bytes},
		};

		l[0] = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(one); i++) {
			family(o, one[i].name, one[i].type, one[i].help);
			sample(o, one[i].name, l, (double)one[i].v);
		}
	}
	if (po->alerts) {
		family(o, "procscope_alert_firing", "gauge",
		       "1 while an alert rule's condition holds (at the last interval), else 0");
		for (size_t i = 0; i < po->alerts->n_rules; i++) {
			l[0] = "rule";
			l[1] = po->alerts->rules[i].text;
			l[2] = NULL;
			sample(o, "procscope_alert_firing", l,
			       alert_rule_firing(&po->alerts->rules[i]) ? 1 : 0);
		}
	}
}

size_t render_prometheus(FILE *f, const struct snapshot *s, const struct proc_groups *groups,
			 const struct prom_opts *po)
{
	bool by_pid = po->labels & PROM_LABEL_PID;
	struct prom_out o = {
		.f = f,
		.max = po->max_series ? po->max_series : PROM_MAX_SERIES_DEFAULT,
	};
	const struct proc_group *gs = groups->g;
	const char *none[1] = {NULL};
	size_t n = groups->n, keep = 0;

	/* procscope's own first, then as many label sets as fit, the target's last */
	self_metrics(&o, s, po);
	for (size_t used = o.series; keep < n; keep++) {
		struct prom_out count = {.max = SIZE_MAX};

		process_metrics(&count, s, &gs[keep], 1, by_pid);
		if (used + count.series > o.max)
			break;
		used += count.series;
	}
	for (size_t i = keep; i < n; i++) {
		struct prom_out count = {.max = SIZE_MAX};

		process_metrics(&count, s, &gs[i], 1, by_pid);
		o.dropped += count.series;
	}
	process_metrics(&o, s, gs, keep, by_pid);
	target_metrics(&o, s);
	/* what the cap dropped, always said */
	o.max = SIZE_MAX;
	family(&o, "procscope_series_dropped_total", "counter",
	       "Series left out of this endpoint by the cap (--prometheus-max-series)");
	sample(&o, "procscope_series_dropped_total", none,
	       (double)(po->dropped_before + o.dropped));
	return o.dropped;
}
