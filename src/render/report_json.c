// SPDX-License-Identifier: GPL-2.0
/*
 * NDJSON records (docs/json-schema.md): one "interval" record per -i period and one
 * final "report". The target and every process carry the same metric objects, so a
 * script reads a process the way it reads the whole target. Times are integer
 * nanoseconds under keys ending in _ns; offsets are from the moment procscope
 * attached.
 */
#include <stdio.h>
#include <string.h>

#include "analysis/alerts.h"
#include "analysis/analysis.h"
#include "analysis/baseline.h"
#include "analysis/critpath.h"
#include "render/report.h"
#include "model/stack_set.h"
#include "lib/cgident.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

const char *target_kind_name(enum target_kind k)
{
	switch (k) {
	case TARGET_COMMAND:
		return "command";
	case TARGET_PIDS:
		return "pids";
	case TARGET_CGROUP:
		return "cgroup";
	case TARGET_ALL:
		return "all";
	default:
		return "none";
	}
}

const char *bpf_stats_mode_name(int mode)
{
	return mode == BPF_STATS_FULL ? "full" : mode == BPF_STATS_SAMPLE ? "sample" : "off";
}

/*
 * Every distribution in the record has this one shape (schema 3; schema 2 had three,
 * docs/json-schema.md lists the old names). count is exact; the rest is estimated
 * from the log-linear histogram where it says so (docs/metrics.md).
 */
static void json_lat(struct json_writer *w, const char *key, const struct lat *l)
{
	jw_key(w, key);
	jw_object_begin(w);
	jw_kv_u64(w, "count", l->count);
	jw_kv_u64(w, "total_ns", l->sum_ns);
	jw_kv_u64(w, "p50_ns", l->p50_ns);
	jw_kv_u64(w, "p90_ns", l->p90_ns);
	jw_kv_u64(w, "p99_ns", l->p99_ns);
	jw_kv_u64(w, "max_ns", l->max_ns);
	jw_object_end(w);
}

static void json_hist_buckets(struct json_writer *w, const struct hist *h)
{
	jw_key(w, "buckets");
	jw_array_begin(w);
	for (uint32_t i = 0; i < HIST_SLOTS; i++) {
		uint64_t lo, hi;

		if (!h->bins[i])
			continue;
		hist_bucket_bounds(i, &lo, &hi);
		jw_object_begin(w);
		jw_kv_u64(w, "lo_ns", lo);
		jw_kv_u64(w, "hi_ns", hi);
		jw_kv_u64(w, "count", h->bins[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/*
 * The counters and distributions of section @sect of @m, in the tables' order
 * (model/metrics.h): a key with dots ("wait.io_ns") is in a nested object, opened when
 * its prefix starts and closed when it ends.
 */
static void json_section(struct json_writer *w, const struct metrics *m, enum metric_section sect)
{
	char open[64] = "";
	size_t open_len = 0;

	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];
		const char *dot;
		size_t len;

		if (d->sect != sect || !d->json)
			continue;
		dot = strrchr(d->json, '.');
		len = dot ? (size_t)(dot - d->json) : 0;
		if (open_len && (len != open_len || strncmp(open, d->json, len))) {
			jw_object_end(w);
			open_len = 0;
		}
		if (len && !open_len && len < sizeof(open)) {
			memcpy(open, d->json, len);
			open[len] = '\0';
			open_len = len;
			jw_key(w, open);
			jw_object_begin(w);
		}
		jw_kv_u64(w, dot ? dot + 1 : d->json, counter_get(m, d));
	}
	if (open_len)
		jw_object_end(w);
	for (size_t i = 0; i < n_dist_defs; i++)
		if (dist_defs[i].sect == sect)
			json_lat(w, dist_defs[i].json, dist_get(m, &dist_defs[i]));
}

/* sched's object besides its table: every wait together, and the target's histogram. */
static void json_sched_more(struct json_writer *w, const struct metrics *m, const struct hist *runq)
{
	jw_kv_u64(w, "blocked_ns", sched_blocked_ns(&m->sched));
	if (runq) {
		/* the same object, with its histogram, for the target */
		jw_key(w, "runq_histogram");
		jw_object_begin(w);
		jw_kv_double(w, "max_relative_error", HIST_MAX_REL_ERR);
		json_hist_buckets(w, runq);
		jw_object_end(w);
	}
}

static void json_syscalls(struct json_writer *w, const struct metrics *m)
{
	char nb[32], eb[32];

	jw_key(w, "syscalls");
	jw_array_begin(w);
	for (size_t i = 0; i < m->n_syscalls; i++) {
		const struct syscall_stat *s = &m->syscalls[i];

		jw_object_begin(w);
		jw_kv_str(w, "name", syscall_name(s->nr, nb, sizeof(nb)));
		jw_kv_u64(w, "nr", s->nr);
		jw_kv_u64(w, "count", s->lat.count);
		jw_kv_u64(w, "timed", s->timed);
		jw_kv_u64(w, "errors", s->errors);
		if (s->top_errno) {
			jw_kv_str(w, "top_errno", errno_name(s->top_errno, eb, sizeof(eb)));
			jw_kv_u64(w, "top_errno_count", s->top_errno_count);
		} else {
			jw_kv_str(w, "top_errno", NULL);
			jw_kv_u64(w, "top_errno_count", 0);
		}
		json_lat(w, "latency", &s->lat);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "syscalls_total");
	jw_object_begin(w);
	jw_kv_u64(w, "count", m->syscall_count);
	jw_kv_u64(w, "errors", m->syscall_errors);
	jw_kv_u64(w, "total_ns", m->syscall_total_ns);
	jw_object_end(w);
}

/* A device's fields: those of a process it has (no page cache, no cgroup of its own). */
static void json_device_fields(struct json_writer *w, const struct io_metrics *m)
{
	jw_kv_u64(w, "read_bytes", m->bytes[IO_READ]);
	jw_kv_u64(w, "write_bytes", m->bytes[IO_WRITE]);
	jw_kv_u64(w, "read_ops", m->ops[IO_READ]);
	jw_kv_u64(w, "write_ops", m->ops[IO_WRITE]);
	jw_kv_u64(w, "flush_ops", m->ops[IO_FLUSH]);
	jw_kv_u64(w, "discard_ops", m->ops[IO_DISCARD]);
	jw_kv_u64(w, "discard_bytes", m->bytes[IO_DISCARD]);
	jw_kv_u64(w, "writeback_ops", m->wb_ops);
	jw_kv_u64(w, "writeback_bytes", m->wb_bytes);
	json_lat(w, "latency", &m->lat);
	json_lat(w, "queue", &m->queue);
}

/* io's object besides its table: the target's devices and slowest requests. */
static void json_io_more(struct json_writer *w, const struct snapshot *s, bool target)
{
	char b[32];

	if (target) {
		jw_key(w, "devices");
		jw_array_begin(w);
		for (size_t i = 0; i < s->n_devices; i++) {
			const struct io_device *d = &s->devices[i];

			jw_object_begin(w);
			jw_kv_str(w, "name", d->name);
			snprintf(b, sizeof(b), "%u:%u", d->dev >> 20, d->dev & 0xfffff);
			jw_kv_str(w, "dev", b);
			json_device_fields(w, &d->m);
			jw_object_end(w);
		}
		jw_array_end(w);
		jw_key(w, "slowest");
		jw_array_begin(w);
		for (size_t i = 0; i < s->n_slow && i < 10; i++) {
			const struct slow_req *r = &s->slow[i];

			jw_object_begin(w);
			jw_kv_u64(w, "lat_ns", r->lat_ns);
			jw_kv_u64(w, "queue_ns", r->queue_ns);
			jw_kv_str(w, "op", io_op_name(r->op));
			jw_kv_u64(w, "bytes", r->bytes);
			jw_kv_u64(w, "sector", r->sector);
			jw_kv_str(w, "device", r->dev);
			jw_kv_u64(w, "pid", r->pid);
			jw_kv_str(w, "comm", r->comm);
			jw_kv_bool(w, "writeback", r->writeback);
			jw_kv_bool(w, "deferred", r->deferred);
			jw_object_end(w);
		}
		jw_array_end(w);
	}
}

/* net's object besides its table: accepts, and the target's remotes and connections. */
static void json_net_more(struct json_writer *w, const struct snapshot *s, const struct metrics *m,
			  bool target)
{
	const struct net_metrics *n = &m->net;

	/* from its accept calls: null when syscalls were not traced */
	if (n->accepts_known)
		jw_kv_u64(w, "accepts", n->accepts);
	else
		jw_kv_str(w, "accepts", NULL);
	if (target) {
		jw_key(w, "remotes");
		jw_array_begin(w);
		for (size_t i = 0; i < s->n_remotes; i++) {
			const struct net_remote *r = &s->remotes[i];

			jw_object_begin(w);
			jw_kv_str(w, "address", r->addr);
			jw_kv_u64(w, "connects", r->connects);
			jw_kv_u64(w, "connect_failures", r->connect_failures);
			jw_kv_u64(w, "retransmits", r->retransmits);
			jw_kv_u64(w, "tx_bytes", r->tx_bytes);
			jw_kv_u64(w, "rx_bytes", r->rx_bytes);
			json_lat(w, "connect", &r->connect);
			json_lat(w, "rtt", &r->rtt);
			jw_object_end(w);
		}
		jw_array_end(w);
		jw_kv_u64(w, "connections_closed", s->conns_closed);
		jw_key(w, "connections");
		jw_array_begin(w);
		for (size_t i = 0; i < s->n_conns; i++) {
			const struct conn_summary *c = &s->conns[i];

			jw_object_begin(w);
			jw_kv_u64(w, "pid", c->pid);
			jw_kv_str(w, "comm", c->comm);
			jw_kv_str(w, "remote", c->remote);
			jw_kv_u64(w, "local_port", c->local_port);
			jw_kv_bool(w, "passive", c->passive);
			jw_kv_u64(w, "lifetime_ns", c->lifetime_ns);
			jw_kv_u64(w, "tx_bytes", c->tx_bytes);
			jw_kv_u64(w, "rx_bytes", c->rx_bytes);
			jw_kv_u64(w, "retransmits", c->retransmits);
			jw_object_end(w);
		}
		jw_array_end(w);
	}
}

static void json_top_stacks(struct json_writer *w, const char *key, const struct stack_set *set,
			    enum stack_kind kind, uint64_t total_ns)
{
	size_t shown = 0;

	jw_key(w, key);
	jw_array_begin(w);
	for (size_t i = 0; i < set->n && shown < 20; i++) {
		const struct stack *st = &set->stacks[i];

		if (st->kind != kind)
			continue;
		shown++;
		jw_object_begin(w);
		jw_kv_u64(w, "pid", st->pid);
		jw_kv_str(w, "comm", st->comm);
		if (kind == STACK_ONCPU)
			jw_kv_u64(w, "samples", st->count);
		else {
			jw_kv_str(w, "wait", wait_class_name(st->wclass));
			jw_kv_u64(w, "blocks", st->count);
		}
		jw_kv_u64(w, "time_ns", st->ns);
		jw_kv_double(w, "share", total_ns ? (double)st->ns / total_ns : 0);
		jw_key(w, "frames");
		jw_array_begin(w);
		for (uint32_t f = 0; f < st->n_frames; f++) {
			const struct frame *fr = &set->frames[st->frames[f]];
			char name[1024];

			snprintf(name, sizeof(name), "%s%s", set->strs[fr->name],
				 fr->kernel ? "_[k]" : "");
			jw_string(w, name);
		}
		jw_array_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

static void json_stacks(struct json_writer *w, const struct snapshot *s)
{
	const struct stack_set *set = s->stacks;
	const struct self_stats *x = &s->self;

	jw_key(w, "stacks");
	if (!set) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_u64(w, "frequency_hz", set->freq_hz);
	jw_kv_str(w, "unwind", s->kernel.unwind_cfi ? "cfi" : "fp");
	jw_kv_u64(w, "oncpu_samples", set->oncpu_samples);
	jw_kv_u64(w, "oncpu_ns", set->oncpu_samples * set->period_ns);
	jw_kv_u64(w, "offcpu_blocks", set->offcpu_count);
	jw_kv_u64(w, "offcpu_ns", set->offcpu_ns);
	jw_kv_u64(w, "user_frames", set->user_frames);
	jw_kv_u64(w, "user_frames_symbolized", set->user_resolved);
	jw_kv_u64(w, "kernel_frames", set->kernel_frames);
	jw_kv_u64(w, "kernel_frames_symbolized", set->kernel_resolved);
	jw_kv_u64(w, "user_stacks_truncated", set->user_truncated);
	jw_kv_u64(w, "user_stacks", set->user_stacks);
	jw_kv_u64(w, "user_stacks_unwound", set->user_unwound);
	jw_kv_u64(w, "user_stacks_complete", set->user_complete);
	jw_kv_u64(w, "python_stacks", set->python_stacks);
	jw_kv_u64(w, "procscope_samples", set->own_samples);
	jw_kv_u64(w, "kernel_stacks_lost", x->stats[STAT_KSTACK_LOST]);
	jw_kv_u64(w, "user_stacks_lost", x->stats[STAT_USTACK_LOST]);
	jw_kv_u64(w, "table_full", x->stats[STAT_STACKS_FULL]);
	json_top_stacks(w, "top_oncpu", set, STACK_ONCPU, set->oncpu_samples * set->period_ns);
	json_top_stacks(w, "top_offcpu", set, STACK_OFFCPU, set->offcpu_ns);
	jw_object_end(w);
}

static void json_class_ns(struct json_writer *w, const uint64_t *ns)
{
	for (unsigned int c = 0; c < BD_N; c++)
		jw_kv_u64(w, bd_ns_key(c), ns[c]);
}

static void json_breakdown(struct json_writer *w, const struct breakdown *bd, const char *method)
{
	jw_key(w, "breakdown");
	jw_object_begin(w);
	if (method)
		jw_kv_str(w, "method", method);
	jw_kv_u64(w, "wall_ns", bd->wall_ns);
	json_class_ns(w, bd->ns);
	jw_kv_str(w, "dominant", bd_class_name(bd->dominant));
	jw_object_end(w);
}

static void json_proc_ref(struct json_writer *w, const struct snapshot *s, const struct process *p)
{
	jw_kv_u64(w, "pid", p->pid);
	jw_kv_str(w, "comm", p->comm);
	jw_kv_str(w, "cmdline", p->cmdline);
	jw_kv_u64(w, "start_offset_ns",
		  p->start_ns > s->attach_ns ? p->start_ns - s->attach_ns : 0);
	jw_kv_u64(w, "duration_ns", proc_wall_ns(p, s));
}

static void json_findings(struct json_writer *w, const struct diagnosis *d)
{
	jw_key(w, "findings");
	jw_array_begin(w);
	for (size_t i = 0; i < d->n; i++) {
		const struct finding *f = &d->f[i];

		jw_object_begin(w);
		jw_kv_str(w, "kind", f->kind);
		jw_kv_double(w, "score", f->score);
		jw_kv_str(w, "summary", f->summary);
		jw_kv_str(w, "suggestion", f->suggestion);
		jw_key(w, "evidence");
		jw_object_begin(w);
		for (int e = 0; e < f->n_ev; e++) {
			const struct evidence *ev = &f->ev[e];

			if (ev->type == EVD_STR)
				jw_kv_str(w, ev->key, ev->str);
			else if (ev->type == EVD_SHARE)
				jw_kv_double(w, ev->key, ev->share);
			else
				jw_kv_u64(w, ev->key, ev->num);
		}
		jw_object_end(w);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* this run against --baseline; null without one */
static void json_baseline(struct json_writer *w, const struct baseline_cmp *c)
{
	jw_key(w, "baseline");
	if (!c) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_str(w, "file", c->b->path);
	jw_kv_str(w, "description", c->b->desc);
	jw_kv_u64(w, "unix_ns", c->b->unix_ns);
	jw_kv_double(w, "relative_noise", BASELINE_REL_NOISE);
	jw_kv_u64(w, "regressions", c->regressions);
	jw_kv_u64(w, "improvements", c->improvements);
	jw_key(w, "metrics");
	jw_array_begin(w);
	for (size_t i = 0; i < c->n_m; i++) {
		const struct bl_metric *m = &c->m[i];

		jw_object_begin(w);
		jw_kv_str(w, "name", m->name);
		jw_kv_str(w, "unit", metric_unit_name(m->unit));
		jw_key(w, "baseline");
		metric_json_value(w, m->unit, m->base);
		jw_key(w, "current");
		metric_json_value(w, m->unit, m->cur);
		jw_kv_double(w, "change", m->change);
		jw_key(w, "noise_floor");
		metric_json_value(w, m->unit, m->floor);
		jw_kv_str(w, "verdict",
			  m->few_samples ? "too_few_samples" : bl_verdict_name(m->verdict));
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "steps");
	jw_array_begin(w);
	for (size_t i = 0; i < c->n_steps; i++) {
		const struct bl_step *st = &c->steps[i];

		jw_object_begin(w);
		jw_kv_str(w, "cmdline", st->cmdline);
		jw_kv_str(w, "comm", st->comm);
		jw_kv_str(w, "matched_by", st->by_comm ? "comm" : "cmdline");
		jw_kv_u64(w, "baseline_ns", st->base_ns);
		jw_kv_u64(w, "current_ns", st->cur_ns);
		jw_kv_double(w, "change", st->change);
		jw_kv_str(w, "verdict", bl_verdict_name(st->verdict));
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_kv_u64(w, "steps_new", c->steps_new);
	jw_kv_u64(w, "steps_missing", c->steps_missing);
	jw_object_end(w);
}

/* every alert the run raised, intervals and final; null without rules */
static void json_alerts(struct json_writer *w, const struct alerts *a)
{
	jw_key(w, "alerts");
	if (!a || !a->n_rules) {
		jw_null(w);
		return;
	}
	jw_array_begin(w);
	for (size_t i = 0; i < a->n_fired; i++) {
		jw_object_begin(w);
		alert_json_fields(w, &a->fired[i]);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* The critical path and the workflow's steps (exec'd processes), by start. */
static void json_path_and_steps(struct json_writer *w, const struct snapshot *s,
				const struct breakdowns *bd)
{
	jw_key(w, "critical_path");
	jw_array_begin(w);
	for (size_t i = 0; i < bd->n_path; i++) {
		const struct path_step *st = &bd->path[i];

		jw_object_begin(w);
		json_proc_ref(w, s, path_step_proc(s, st));
		jw_kv_bool(w, "peer", st->peer);
		jw_kv_u64(w, "hops", path_step_proc(s, st)->hops);
		jw_kv_u64(w, "on_path_ns", st->on_path_ns);
		if (bd->by_wakeups)
			json_class_ns(w, st->ns);
		jw_kv_str(w, "dominant", bd_class_name(st->dominant));
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_key(w, "steps");
	jw_array_begin(w);
	for (size_t i = 0; i < s->n_procs; i++) {
		const struct process *p = &s->procs[i];
		bool on_path = false;

		if (!(p->flags & PROC_F_EXECED))
			continue;
		for (size_t k = 0; k < bd->n_path; k++)
			on_path |= !bd->path[k].peer && bd->path[k].proc == i;
		jw_object_begin(w);
		json_proc_ref(w, s, p);
		jw_kv_u64(w, "cpu_ns", p->m.sched.oncpu_ns);
		jw_kv_str(w, "dominant", bd_class_name(bd->procs[i].dominant));
		jw_kv_bool(w, "on_critical_path", on_path);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* How the path was found: through who ended each wait, or the process tree; null if none. */
static void json_path_info(struct json_writer *w, const struct snapshot *s,
			   const struct breakdowns *bd)
{
	const struct critpath *c = bd->detail;

	jw_key(w, "path");
	if (!bd->expanded) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_str(w, "by", bd->by_wakeups ? "wakeups" : "process_tree");
	if (c) {
		jw_kv_u64(w, "waits_resolved", c->waits_resolved);
		jw_kv_u64(w, "waits_kept", c->waits_kept);
		jw_kv_u64(w, "unrecorded_ns", c->gap_ns);
		jw_kv_bool(w, "truncated", c->truncated);
		jw_key(w, "in_peers");
		jw_object_begin(w);
		json_class_ns(w, bd->in_peers.ns);
		jw_object_end(w);
	}
	if (s->history) {
		jw_kv_u64(w, "records", s->history->waits);
		jw_kv_u64(w, "records_not_kept", s->history->not_kept);
		jw_kv_u64(w, "records_lost", s->history->lost);
	}
	jw_object_end(w);
}

/* Every metric object; a subsystem that was off is null. */
static void json_metrics(struct json_writer *w, const struct snapshot *s, const struct metrics *m,
			 const struct breakdown *bd, const char *bd_method, const struct hist *runq,
			 unsigned int subsys, bool target)
{
	json_breakdown(w, bd, bd_method);
	for (unsigned int sect = 0; sect < MS_N; sect++) {
		if (!(subsys & metric_section_subsys(sect))) {
			jw_kv_str(w, metric_section_name(sect), NULL);
			continue;
		}
		jw_key(w, metric_section_name(sect));
		jw_object_begin(w);
		json_section(w, m, sect);
		if (sect == MS_sched)
			json_sched_more(w, m, runq);
		else if (sect == MS_io)
			json_io_more(w, s, target);
		else if (sect == MS_net)
			json_net_more(w, s, m, target);
		jw_object_end(w);
	}
	if (subsys & SUB_SYSCALLS) {
		json_syscalls(w, m);
	} else {
		jw_kv_str(w, "syscalls", NULL);
		jw_kv_str(w, "syscalls_total", NULL);
	}
}

/*
 * What cgroup @path is known as: "unit" (a systemd unit, or null) and "container"
 * (null, or its runtime, id, and pod UID and QoS class under Kubernetes).
 */
static void json_cgroup_ident(struct json_writer *w, const char *path)
{
	struct cg_ident id;
	bool known = path && cg_ident_parse(path, &id);

	jw_kv_str(w, "unit", known && id.unit[0] ? id.unit : NULL);
	jw_key(w, "container");
	if (!known || (!id.container_id[0] && !id.pod_uid[0])) {
		jw_null(w);
		return;
	}
	jw_object_begin(w);
	jw_kv_str(w, "runtime", id.runtime);
	jw_kv_str(w, "id", id.container_id[0] ? id.container_id : NULL);
	jw_kv_str(w, "pod_uid", id.pod_uid[0] ? id.pod_uid : NULL);
	jw_kv_str(w, "qos", id.qos);
	jw_object_end(w);
}

/* A process's fields, in an object open in @w. */
static void json_process_fields(struct json_writer *w, const struct snapshot *s,
				const struct process *p, const struct breakdown *bd,
				unsigned int subsys)
{
	int code = proc_exit_code(p);

	jw_kv_u64(w, "pid", p->pid);
	jw_kv_u64(w, "folded", p->folded);
	jw_kv_u64(w, "ppid", p->ppid);
	jw_kv_str(w, "comm", p->comm);
	jw_kv_str(w, "cmdline", p->cmdline);
	jw_kv_str(w, "cgroup", p->cgroup);
	json_cgroup_ident(w, p->cgroup);
	if (code >= 0)
		jw_kv_i64(w, "exit_code", code);
	else
		jw_kv_str(w, "exit_code", NULL);
	if (proc_exit_signal(p))
		jw_kv_i64(w, "exit_signal", proc_exit_signal(p));
	else
		jw_kv_str(w, "exit_signal", NULL);
	jw_kv_bool(w, "running", !(p->flags & PROC_F_EXITED));
	jw_kv_bool(w, "present_at_attach", !!(p->flags & PROC_F_PRESENT));
	jw_kv_bool(w, "overflow", p->slot == SLOT_OVERFLOW);
	jw_kv_u64(w, "start_offset_ns",
		  p->start_ns > s->attach_ns ? p->start_ns - s->attach_ns : 0);
	if (p->end_ns)
		jw_kv_u64(w, "end_offset_ns",
			  p->end_ns > s->attach_ns ? p->end_ns - s->attach_ns : 0);
	else
		jw_kv_str(w, "end_offset_ns", NULL);
	jw_kv_u64(w, "wall_ns", proc_wall_ns(p, s));
	json_metrics(w, s, &p->m, bd, NULL, NULL, subsys, false);
}

static void json_process(struct json_writer *w, const struct snapshot *s, const struct process *p,
			 const struct breakdown *bd, unsigned int subsys)
{
	jw_object_begin(w);
	json_process_fields(w, s, p, bd, subsys);
	jw_object_end(w);
}

/* Peers: processes outside the target it waited on, with their part of its path. */
static void json_peers(struct json_writer *w, const struct snapshot *s, const struct breakdowns *bd,
		       unsigned int subsys)
{
	jw_key(w, "peers");
	jw_array_begin(w);
	for (size_t i = 0; i < s->n_peers; i++) {
		uint64_t on_path = 0;

		for (size_t k = 0; k < bd->n_path; k++)
			if (bd->path[k].peer && bd->path[k].proc == i)
				on_path += bd->path[k].on_path_ns;
		jw_object_begin(w);
		jw_kv_u64(w, "hops", s->peers[i].hops);
		jw_kv_bool(w, "followed", !s->peers[i].recalled);
		jw_kv_u64(w, "on_path_ns", on_path);
		json_process_fields(w, s, &s->peers[i], &bd->peers[i], subsys);
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* A byte figure that may be "none" (0): null. */
static void kv_bytes_or_null(struct json_writer *w, const char *k, uint64_t v)
{
	if (v)
		jw_kv_u64(w, k, v);
	else
		jw_kv_str(w, k, NULL);
}

/*
 * The host's pressure over the span (PSI, where the kernel reports it) and the memory
 * cgroups the target reclaimed or refaulted in (docs/json-schema.md).
 */
static void json_pressure(struct json_writer *w, const struct snapshot *s)
{
	jw_key(w, "pressure");
	jw_object_begin(w);
	for (int r = 0; r < PSI_N; r++) {
		jw_key(w, psi_res_name(r));
		if (!s->psi_ok[r]) {
			jw_null(w);
			continue;
		}
		jw_object_begin(w);
		jw_kv_u64(w, "some_ns", s->psi_some_ns[r]);
		jw_kv_u64(w, "full_ns", s->psi_full_ns[r]);
		jw_object_end(w);
	}
	jw_object_end(w);
	jw_key(w, "memory_cgroups");
	jw_array_begin(w);
	for (size_t i = 0; i < s->n_mem_cgroups; i++) {
		const struct mem_cgroup *cg = &s->mem_cgroups[i];

		jw_object_begin(w);
		jw_kv_str(w, "path", cg->path[0] ? cg->path : NULL);
		jw_kv_u64(w, "cgroup_version", cg->v2 ? 2 : 1);
		kv_bytes_or_null(w, "limit_bytes", cg->limit_bytes);
		kv_bytes_or_null(w, "own_limit_bytes", cg->own_limit_bytes);
		kv_bytes_or_null(w, "high_bytes", cg->high_bytes);
		jw_kv_u64(w, "usage_bytes", cg->usage_bytes);
		kv_bytes_or_null(w, "peak_bytes", cg->peak_bytes);
		jw_kv_u64(w, "refault_file_pages", cg->refault_file);
		jw_kv_u64(w, "refault_anon_pages", cg->refault_anon);
		jw_kv_u64(w, "oom_kills", cg->oom_kills);
		jw_kv_u64(w, "processes", cg->procs);
		if (cg->psi_ok) {
			jw_kv_u64(w, "pressure_some_us", cg->psi_some_us);
			jw_kv_u64(w, "pressure_full_us", cg->psi_full_us);
		}
		jw_object_end(w);
	}
	jw_array_end(w);
}

/* The kernel, what loaded, and what it could not do (docs/json-schema.md). */
static void json_kernel(struct json_writer *w, const struct kernel_info *k)
{
	jw_key(w, "kernel");
	jw_object_begin(w);
	jw_kv_str(w, "release", k->release);
	jw_key(w, "notes");
	jw_array_begin(w);
	for (size_t i = 0; i < k->n_notes; i++) {
		const struct kernel_note *n = &k->notes[i];
		bool refused = n->kind == KNOTE_REJECTED, helper = n->kind == KNOTE_NO_HELPER;

		jw_object_begin(w);
		jw_kv_str(w, "kind",
			  refused  ? "refused"
			  : helper ? "missing_helper"
				   : "missing_tracepoint");
		jw_kv_str(w, "subsystem", n->subsys);
		jw_kv_str(w, "program", n->prog);
		jw_kv_str(w, "tracepoint", refused || helper ? NULL : n->tracepoint);
		if (helper)
			jw_kv_str(w, "helper", n->tracepoint);
		jw_kv_str(w, "since", refused ? NULL : n->since);
		jw_kv_str(w, "reason", refused ? n->reason : NULL);
		jw_kv_str(w, "effect", n->effect);
		jw_object_end(w);
	}
	jw_array_end(w);
	jw_object_end(w);
}

static void json_self(struct json_writer *w, const struct self_stats *x)
{
	jw_key(w, "self");
	jw_object_begin(w);
	jw_kv_u64(w, "ringbuf_drops", x->stats[STAT_RB_DROPS]);
	jw_kv_u64(w, "procs_overflow", x->stats[STAT_PROCS_FULL]);
	jw_kv_u64(w, "rows_overflow", x->stats[STAT_ROWS_FULL]);
	jw_kv_u64(w, "pidmap_full", x->stats[STAT_PIDMAP_FULL]);
	jw_kv_u64(w, "task_ctx_failures", x->stats[STAT_TASK_CTX_FAIL]);
	jw_kv_u64(w, "args_faults", x->stats[STAT_ARGS_FAULT]);
	jw_kv_u64(w, "io_requests_missed", x->stats[STAT_IO_REQS_FULL]);
	jw_kv_u64(w, "io_devices_overflow", x->stats[STAT_IO_DEVS_FULL]);
	jw_kv_u64(w, "dirtied_inodes_overflow", x->stats[STAT_INODES_FULL]);
	jw_kv_u64(w, "sockets_missed", x->stats[STAT_SOCKS_FULL]);
	jw_kv_u64(w, "remotes_overflow", x->stats[STAT_REMOTES_FULL]);
	jw_kv_u64(w, "sched_gaps", x->stats[STAT_SCHED_GAPS]);
	jw_kv_u64(w, "trace_drops", x->stats[STAT_TRACE_DROPS]);
	jw_kv_u64(w, "path_drops", x->stats[STAT_PATH_DROPS]);
	jw_kv_u64(w, "peers_refused", x->stats[STAT_PEERS_FULL]);
	jw_kv_u64(w, "kernel_folded", x->stats[STAT_KFOLDED]);
	jw_kv_u64(w, "bpf_recursion_misses", x->bpf_recursion_misses);
	jw_kv_str(w, "bpf_stats", bpf_stats_mode_name(x->bpf_stats));
	if (x->bpf_stats != BPF_STATS_OFF) {
		jw_kv_u64(w, "bpf_run_ns", x->bpf_run_ns);
		jw_kv_u64(w, "bpf_run_count", x->bpf_run_cnt);
		jw_kv_double(w, "bpf_stats_coverage", x->bpf_coverage);
		jw_kv_u64(w, "bpf_ns_per_run",
			  x->bpf_sampled_cnt ? x->bpf_sampled_ns / x->bpf_sampled_cnt : 0);
	} else {
		jw_kv_str(w, "bpf_run_ns", NULL);
		jw_kv_str(w, "bpf_run_count", NULL);
		jw_kv_str(w, "bpf_stats_coverage", NULL);
		jw_kv_str(w, "bpf_ns_per_run", NULL);
	}
	jw_kv_u64(w, "startup_ns", x->startup_ns);
	jw_kv_u64(w, "attach_ns", x->attach_ns);
	jw_kv_u64(w, "rss_peak_bytes", x->rss_peak_bytes);
	jw_kv_u64(w, "cpu_ns", x->cpu_ns);
	jw_kv_u64(w, "procs_used", x->procs_used);
	jw_kv_u64(w, "procs_max", x->procs_max);
	jw_kv_u64(w, "rows_used", x->rows_used);
	jw_kv_u64(w, "rows_max", x->rows_max);
	jw_kv_u64(w, "events", x->events);
	jw_kv_u64(w, "symbolize_ns", x->symbolize_ns);
	jw_kv_u64(w, "symbolizer_captures", x->sym_captures);
	jw_kv_u64(w, "symbolizer_capture_misses", x->sym_capture_misses);
	jw_kv_u64(w, "symbolizer_files", x->sym_modules);
	jw_kv_u64(w, "symbolizer_parses", x->sym_parses);
	jw_key(w, "unwind");
	if (!x->unwind_on) {
		jw_null(w);
	} else {
		jw_object_begin(w);
		jw_kv_u64(w, "loads", x->unwind.loads);
		jw_kv_u64(w, "load_misses", x->unwind.load_misses);
		jw_kv_u64(w, "files", x->unwind.files);
		jw_kv_u64(w, "files_without_tables", x->unwind.files_none);
		jw_kv_u64(w, "files_full", x->unwind.files_full);
		jw_kv_u64(w, "rows", x->unwind.rows);
		jw_kv_u64(w, "rows_max", x->unwind_rows_max);
		jw_kv_u64(w, "mappings_full", x->unwind.maps_full);
		jw_kv_u64(w, "parse_ns", x->unwind.parse_ns);
		jw_kv_u64(w, "python_processes", x->unwind.py_procs);
		jw_key(w, "python_unknown_version");
		if (x->unwind.py_unknown) {
			char v[16];

			snprintf(v, sizeof(v), "%u.%u", x->unwind.py_unknown >> 24,
				 (x->unwind.py_unknown >> 16) & 0xff);
			jw_string(w, v);
		} else {
			jw_null(w);
		}
		jw_object_end(w);
	}
	jw_object_end(w);
}

void report_json(struct json_writer *w, const struct snapshot *s, const struct analysis *a,
		 const struct report_opts *o)
{
	jw_object_begin(w);
	jw_kv_str(w, "type", s->kind == SNAP_INTERVAL ? "interval" : "report");
	jw_kv_u64(w, "schema_version", JSON_SCHEMA_VERSION);
	jw_kv_str(w, "procscope_version", PROCSCOPE_VERSION);
	jw_kv_u64(w, "unix_ns", o->unix_end_ns);
	jw_kv_u64(w, "start_offset_ns", s->start_ns - s->attach_ns);
	jw_kv_u64(w, "end_offset_ns", s->end_ns - s->attach_ns);

	jw_key(w, "target");
	jw_object_begin(w);
	jw_kv_str(w, "kind", target_kind_name(o->target));
	jw_kv_str(w, "description", o->target_desc);
	jw_kv_u64(w, "wall_ns", s->end_ns - s->start_ns);
	if (o->exit_code >= 0 && s->kind == SNAP_REPORT)
		jw_kv_i64(w, "exit_code", o->exit_code);
	else
		jw_kv_str(w, "exit_code", NULL);
	jw_kv_u64(w, "process_count", s->process_count);
	jw_kv_u64(w, "running_count", s->running_count);
	jw_key(w, "subsystems");
	jw_array_begin(w);
	for (unsigned int bit = 1; bit <= SUB_OFFCPU; bit <<= 1)
		if (o->subsys & bit)
			jw_string(w, subsys_name(bit));
	jw_array_end(w);
	json_metrics(w, s, &s->target, &a->bd.target, a->bd.expanded ? "critical_path" : "sum",
		     &s->target_runq, o->subsys, true);
	if (s->kind == SNAP_REPORT)
		json_stacks(w, s);
	json_pressure(w, s);
	jw_object_end(w);

	jw_key(w, "processes");
	jw_array_begin(w);
	for (size_t i = 0; i < s->n_procs; i++)
		json_process(w, s, &s->procs[i], &a->bd.procs[i], o->subsys);
	jw_array_end(w);
	json_peers(w, s, &a->bd, o->subsys);

	json_findings(w, &a->findings);
	json_path_and_steps(w, s, &a->bd);
	json_path_info(w, s, &a->bd);
	if (s->kind == SNAP_REPORT) {
		json_baseline(w, a->baseline);
		json_alerts(w, a->alerts);
	}
	json_kernel(w, &s->kernel);
	json_self(w, &s->self);
	jw_object_end(w);
	jw_end_record(w);
	fflush(w->f);
}
