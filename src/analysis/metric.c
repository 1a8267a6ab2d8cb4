// SPDX-License-Identifier: GPL-2.0
/* Named metrics over report records; see metric.h and docs/alerts.md. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pthread.h>

#include "analysis/metric.h"
#include "lib/syscall_table.h"
#include "lib/util.h"
#include "model/stack_set.h"
#include "model/subsys.h"

/* What a path of the table reads in the model. */
enum path_kind {
	PK_COUNTER,   /* counter_defs[idx] */
	PK_DIST,      /* dist_defs[idx], figure @field (enum dist_field) */
	PK_BREAKDOWN, /* class @idx of the breakdown, BD_N for its wall time */
	PK_WALL,      /* the object's wall time */
	PK_PROCESSES, /* process_count, running_count (@idx 1): the target's */
	PK_BLOCKED,   /* sched.blocked_ns: every wait class */
	PK_ACCEPTS,   /* net.accepts: from its accept calls */
	PK_SYSCALLS,  /* syscalls_total figure @idx */
	PK_STACKS,    /* stacks figure @idx: the target's, in the final report */
	PK_CONNS,     /* net.connections_closed: the target's */
};

enum dist_field { DF_COUNT, DF_TOTAL, DF_P50, DF_P90, DF_P99, DF_MAX, DF_N };

static const char *const dist_field_keys[DF_N] = {"count",  "total_ns", "p50_ns",
						  "p90_ns", "p99_ns",	"max_ns"};

static const char *const syscalls_total_keys[] = {"count", "errors", "total_ns"};

/* The stacks object's numbers (report_json.c), in its order. */
static const char *const stacks_keys[] = {
	"frequency_hz",		  "oncpu_samples",    "oncpu_ns",
	"offcpu_blocks",	  "offcpu_ns",	      "user_frames",
	"user_frames_symbolized", "kernel_frames",    "kernel_frames_symbolized",
	"user_stacks_truncated",  "user_stacks",      "user_stacks_unwound",
	"user_stacks_complete",	  "python_stacks",    "procscope_samples",
	"kernel_stacks_lost",	  "user_stacks_lost", "table_full",
};

struct path_def {
	char path[80];
	enum path_kind kind;
	unsigned int idx, field;
	enum metric_unit unit;
	bool target_only;
	unsigned int subsys; /* the subsystem it needs (enum subsys), 0 for none */
};

static struct path_def *paths;
static size_t n_paths;
static pthread_once_t paths_once = PTHREAD_ONCE_INIT;

static void path_add(const char *path, enum path_kind kind, unsigned int idx, unsigned int field,
		     enum metric_unit unit, bool target_only, unsigned int subsys)
{
	struct path_def *p;

	paths = xrealloc(paths, (n_paths + 1) * sizeof(*paths));
	p = &paths[n_paths++];
	snprintf(p->path, sizeof(p->path), "%s", path);
	p->kind = kind;
	p->idx = idx;
	p->field = field;
	p->unit = unit;
	p->target_only = target_only;
	p->subsys = subsys;
}

static enum metric_unit unit_of_key(const char *key)
{
	size_t n = strlen(key);

	if (n > 3 && !strcmp(key + n - 3, "_ns"))
		return MU_NS;
	if (n > 6 && !strcmp(key + n - 6, "_bytes"))
		return MU_BYTES;
	return MU_COUNT;
}

/* The table: every number of a target or process object, from the model's tables. */
static void paths_build(void)
{
	char buf[80];

	path_add("wall_ns", PK_WALL, 0, 0, MU_NS, false, 0);
	path_add("process_count", PK_PROCESSES, 0, 0, MU_COUNT, true, 0);
	path_add("running_count", PK_PROCESSES, 1, 0, MU_COUNT, true, 0);
	path_add("breakdown.wall_ns", PK_BREAKDOWN, BD_N, 0, MU_NS, false, 0);
	for (unsigned int c = 0; c < BD_N; c++) {
		snprintf(buf, sizeof(buf), "breakdown.%s", bd_ns_key(c));
		path_add(buf, PK_BREAKDOWN, c, 0, MU_NS, false, 0);
	}
	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];

		if (!d->json)
			continue;
		snprintf(buf, sizeof(buf), "%s.%s", metric_section_name(d->sect), d->json);
		path_add(buf, PK_COUNTER, (unsigned int)i, 0, d->unit, false,
			 metric_section_subsys(d->sect));
	}
	for (size_t i = 0; i < n_dist_defs; i++) {
		const struct dist_def *d = &dist_defs[i];

		for (unsigned int f = 0; f < DF_N; f++) {
			snprintf(buf, sizeof(buf), "%s.%s.%s", metric_section_name(d->sect),
				 d->json, dist_field_keys[f]);
			path_add(buf, PK_DIST, (unsigned int)i, f, f ? MU_NS : MU_COUNT, false,
				 metric_section_subsys(d->sect));
		}
	}
	path_add("sched.blocked_ns", PK_BLOCKED, 0, 0, MU_NS, false, SUB_SCHED);
	path_add("net.accepts", PK_ACCEPTS, 0, 0, MU_COUNT, false, SUB_NET | SUB_SYSCALLS);
	path_add("net.connections_closed", PK_CONNS, 0, 0, MU_COUNT, true, SUB_NET);
	for (unsigned int k = 0; k < ARRAY_SIZE(syscalls_total_keys); k++) {
		snprintf(buf, sizeof(buf), "syscalls_total.%s", syscalls_total_keys[k]);
		path_add(buf, PK_SYSCALLS, k, 0, unit_of_key(syscalls_total_keys[k]), false,
			 SUB_SYSCALLS);
	}
	for (unsigned int k = 0; k < ARRAY_SIZE(stacks_keys); k++) {
		snprintf(buf, sizeof(buf), "stacks.%s", stacks_keys[k]);
		path_add(buf, PK_STACKS, k, 0, unit_of_key(stacks_keys[k]), true, 0);
	}
}

static const struct path_def *path_find(const char *path)
{
	pthread_once(&paths_once, paths_build);
	for (size_t i = 0; i < n_paths; i++)
		if (!strcmp(paths[i].path, path))
			return &paths[i];
	return NULL;
}

const char *metric_path(size_t i, bool *target_only)
{
	pthread_once(&paths_once, paths_build);
	if (i >= n_paths)
		return NULL;
	*target_only = paths[i].target_only;
	return paths[i].path;
}

/*
 * The named metrics, besides those the counter and distribution tables name: the wall
 * time, the process count, each breakdown class as a time and a share, and the syscall
 * totals.
 */
struct named {
	const char *name;
	const char *path;
	const char *denom; /* shares only */
	enum metric_unit unit;
};

#define SHARE(n, k)                                                                                \
	{                                                                                          \
		n ".share", "breakdown." k "_ns", "breakdown.wall_ns", MU_SHARE                    \
	}
#define WAIT(n, k) {n ".wait", "breakdown." k "_ns", NULL, MU_NS}, SHARE(n, k)

static const struct named named[] = {
	{"wall", "wall_ns", NULL, MU_NS},
	{"processes", "process_count", NULL, MU_COUNT},
	SHARE("cpu", "oncpu"),
	SHARE("runq", "runq"),
	WAIT("io", "io"),
	WAIT("net", "net"),
	WAIT("lock", "lock"),
	WAIT("sleep", "sleep"),
	WAIT("poll", "poll"),
	WAIT("child", "child"),
	WAIT("other", "other"),
	{"syscall.count", "syscalls_total.count", NULL, MU_COUNT},
	{"syscall.errors", "syscalls_total.errors", NULL, MU_COUNT},
	{"syscall.total", "syscalls_total.total_ns", NULL, MU_NS},
};

/* a distribution's named figures: NAME.count, .p50, .p90, .p99, .max */
static const struct {
	const char *suffix;
	enum dist_field f;
} dist_names[] = {
	{"count", DF_COUNT}, {"p50", DF_P50}, {"p90", DF_P90}, {"p99", DF_P99}, {"max", DF_MAX},
};

/* syscall.<name>.<field> */
static const struct {
	const char *field, *key;
	enum metric_unit unit;
} syscall_fields[] = {
	{"count", "count", MU_COUNT},	      {"errors", "errors", MU_COUNT},
	{"total", "latency.total_ns", MU_NS}, {"p50", "latency.p50_ns", MU_NS},
	{"p90", "latency.p90_ns", MU_NS},     {"p99", "latency.p99_ns", MU_NS},
	{"max", "latency.max_ns", MU_NS},
};

/* Every name, in one list for metric_name(): the tables' and the hand-made ones. */
static const char **names;
static const char **name_paths;
static size_t n_names;
static pthread_once_t names_once = PTHREAD_ONCE_INIT;

static void name_add(const char *name, const char *path)
{
	names = xrealloc(names, (n_names + 1) * sizeof(*names));
	name_paths = xrealloc(name_paths, (n_names + 1) * sizeof(*name_paths));
	names[n_names] = name;
	name_paths[n_names++] = path;
}

static void names_build(void)
{
	char buf[96];

	pthread_once(&paths_once, paths_build);
	for (size_t i = 0; i < ARRAY_SIZE(named); i++)
		name_add(named[i].name, NULL);
	for (size_t i = 0; i < n_counter_defs; i++) {
		const struct counter_def *d = &counter_defs[i];

		if (!d->name || !d->json)
			continue;
		snprintf(buf, sizeof(buf), "%s.%s", metric_section_name(d->sect), d->json);
		name_add(d->name, path_find(buf)->path);
	}
	for (size_t i = 0; i < n_dist_defs; i++) {
		const struct dist_def *d = &dist_defs[i];

		if (!d->name)
			continue;
		for (size_t k = 0; k < ARRAY_SIZE(dist_names); k++) {
			char *name = xmalloc(96);

			snprintf(name, 96, "%s.%s", d->name, dist_names[k].suffix);
			snprintf(buf, sizeof(buf), "%s.%s.%s", metric_section_name(d->sect),
				 d->json, dist_field_keys[dist_names[k].f]);
			name_add(name, path_find(buf)->path);
		}
	}
}

const char *metric_name(size_t i)
{
	pthread_once(&names_once, names_build);
	return i < n_names ? names[i] : NULL;
}

/*
 * Schema 2 named distributions' fields flat ("io.lat_p99_ns"); schema 3 has one
 * object shape ("io.latency.p99_ns"). Raw paths written the old way still resolve,
 * and a schema 2 record (an old baseline) is still read, through this table.
 */
static const struct {
	const char *v3, *v2;
} path_aliases[] = {
	{"io.latency.", "io.lat_"},	    {"io.queue.", "io.queue_"},
	{"net.connect.", "net.connect_"},   {"net.rtt.", "net.rtt_"},
	{"net.lifetime.", "net.lifetime_"}, {"latency.", ""}, /* a syscalls[] element */
};

/* The fields of a distribution object, the only ones the aliases apply to. */
static bool dist_field(const char *s)
{
	for (size_t i = 0; i < DF_N; i++)
		if (!strcmp(s, dist_field_keys[i]))
			return true;
	return false;
}

/*
 * @path with its prefix moved from one schema to the other (@to_v2), into @buf; false
 * if none applies ("net.connect_failures" is no distribution field: left alone).
 */
static bool path_alias(const char *path, bool to_v2, char *buf, size_t len)
{
	for (size_t i = 0; i < ARRAY_SIZE(path_aliases); i++) {
		const char *from = to_v2 ? path_aliases[i].v3 : path_aliases[i].v2;
		const char *to = to_v2 ? path_aliases[i].v2 : path_aliases[i].v3;
		size_t n = strlen(from);

		if (!*from || strncmp(path, from, n) || !dist_field(path + n))
			continue;
		snprintf(buf, len, "%s%s", to, path + n);
		return true;
	}
	return false;
}

/* A number at @path in @scope, or at its schema 2 spelling in an older record. */
static bool number_at(const struct jval *scope, const char *path, double *out)
{
	char old[128];

	if (json_number(json_path(scope, path), out))
		return true;
	return path_alias(path, true, old, sizeof(old)) && json_number(json_path(scope, old), out);
}

static bool from_path(struct metric *m, const char *path, const char *denom, enum metric_unit unit)
{
	const struct path_def *p = path_find(path);

	if (!p)
		return false;
	m->path = p->path;
	m->denom = denom ? path_find(denom)->path : NULL;
	m->unit = denom ? unit : p->unit;
	m->target_only = p->target_only;
	return true;
}

bool metric_lookup(const char *name, struct metric *m)
{
	const char *dot;
	char buf[96];

	memset(m, 0, sizeof(*m));
	if (strlen(name) >= sizeof(m->name) || !*name)
		return false;
	snprintf(m->name, sizeof(m->name), "%s", name);
	for (size_t i = 0; i < ARRAY_SIZE(named); i++)
		if (!strcmp(named[i].name, name))
			return from_path(m, named[i].path, named[i].denom, named[i].unit);
	pthread_once(&names_once, names_build);
	for (size_t i = 0; i < n_names; i++)
		if (name_paths[i] && !strcmp(names[i], name))
			return from_path(m, name_paths[i], NULL, MU_COUNT);
	if (!strncmp(name, "syscall.", 8) && (dot = strrchr(name, '.')) > name + 8) {
		size_t n = (size_t)(dot - (name + 8));

		if (n >= sizeof(m->syscall))
			return false;
		memcpy(m->syscall, name + 8, n);
		m->syscall[n] = '\0';
		if (syscall_nr(m->syscall) < 0)
			return false;
		for (size_t i = 0; i < ARRAY_SIZE(syscall_fields); i++) {
			if (strcmp(dot + 1, syscall_fields[i].field))
				continue;
			m->syscall_field = (int)i;
			m->unit = syscall_fields[i].unit;
			return true;
		}
		return false;
	}
	/* a path of the table, or its schema 2 spelling */
	m->raw = true;
	if (path_alias(name, false, buf, sizeof(buf)))
		return from_path(m, buf, NULL, MU_COUNT);
	return from_path(m, name, NULL, MU_COUNT);
}

/* The figure @f of @l. */
static uint64_t dist_figure(const struct lat *l, unsigned int f)
{
	switch (f) {
	case DF_COUNT:
		return l->count;
	case DF_TOTAL:
		return l->sum_ns;
	case DF_P50:
		return l->p50_ns;
	case DF_P90:
		return l->p90_ns;
	case DF_P99:
		return l->p99_ns;
	default:
		return l->max_ns;
	}
}

/* Stacks figure @k (stacks_keys' order). */
static uint64_t stacks_figure(const struct stack_set *set, const struct self_stats *x,
			      unsigned int k)
{
	const uint64_t v[] = {
		set->freq_hz,
		set->oncpu_samples,
		set->oncpu_samples * set->period_ns,
		set->offcpu_count,
		set->offcpu_ns,
		set->user_frames,
		set->user_resolved,
		set->kernel_frames,
		set->kernel_resolved,
		set->user_truncated,
		set->user_stacks,
		set->user_unwound,
		set->user_complete,
		set->python_stacks,
		set->own_samples,
		x->stats[STAT_KSTACK_LOST],
		x->stats[STAT_USTACK_LOST],
		x->stats[STAT_STACKS_FULL],
	};
	_Static_assert(ARRAY_SIZE(v) == ARRAY_SIZE(stacks_keys), "stacks figures and keys");

	return k < ARRAY_SIZE(v) ? v[k] : 0;
}

/* Path @p's value in @sc. */
static bool path_value(const struct path_def *p, const struct metric_scope *sc, double *out)
{
	const struct snapshot *s = sc->s;
	const struct process *proc = sc->proc >= 0 ? &s->procs[sc->proc] : NULL;
	const struct metrics *m = proc ? &proc->m : &s->target;
	const struct breakdown *bd = proc ? &sc->bd->procs[sc->proc] : &sc->bd->target;
	uint64_t v;

	if ((p->subsys & sc->subsys) != p->subsys || (p->target_only && proc))
		return false;
	switch (p->kind) {
	case PK_COUNTER:
		v = counter_get(m, &counter_defs[p->idx]);
		break;
	case PK_DIST:
		v = dist_figure(dist_get(m, &dist_defs[p->idx]), p->field);
		break;
	case PK_BREAKDOWN:
		v = p->idx < BD_N ? bd->ns[p->idx] : bd->wall_ns;
		break;
	case PK_WALL:
		v = proc ? proc_wall_ns(proc, s) : s->end_ns - s->start_ns;
		break;
	case PK_PROCESSES:
		v = p->idx ? s->running_count : s->process_count;
		break;
	case PK_BLOCKED:
		v = sched_blocked_ns(&m->sched);
		break;
	case PK_ACCEPTS:
		if (!m->net.accepts_known)
			return false;
		v = m->net.accepts;
		break;
	case PK_SYSCALLS:
		v = p->idx == 0	  ? m->syscall_count
		    : p->idx == 1 ? m->syscall_errors
				  : m->syscall_total_ns;
		break;
	case PK_CONNS:
		v = s->conns_closed;
		break;
	default:
		if (!s->stacks)
			return false;
		v = stacks_figure(s->stacks, &s->self, p->idx);
		break;
	}
	*out = (double)v;
	return true;
}

bool metric_value(const struct metric *m, const struct metric_scope *sc, double *out)
{
	const struct metrics *mm = sc->proc >= 0 ? &sc->s->procs[sc->proc].m : &sc->s->target;
	double num, den;

	if (m->syscall[0]) {
		int nr = syscall_nr(m->syscall);

		if (!(sc->subsys & SUB_SYSCALLS))
			return false;
		*out = 0; /* traced, not called */
		for (size_t i = 0; i < mm->n_syscalls; i++) {
			const struct syscall_stat *st = &mm->syscalls[i];

			if ((int)st->nr != nr)
				continue;
			switch (m->syscall_field) {
			case 0:
				*out = (double)st->lat.count;
				break;
			case 1:
				*out = (double)st->errors;
				break;
			default:
				*out = (double)dist_figure(&st->lat,
							   (unsigned int)m->syscall_field - 1);
				break;
			}
		}
		return true;
	}
	if (!path_value(path_find(m->path), sc, &num))
		return false;
	if (!m->denom) {
		*out = num;
		return true;
	}
	if (!path_value(path_find(m->denom), sc, &den))
		return false;
	*out = den > 0 ? num / den : 0;
	return true;
}

bool metric_value_json(const struct metric *m, const struct jval *scope, double *out)
{
	double num, den;

	if (m->syscall[0]) {
		const struct jval *arr = json_get(scope, "syscalls");

		if (!arr || arr->t != J_ARR)
			return false;
		for (size_t i = 0; i < arr->n; i++) {
			const struct jval *name = json_get(arr->items[i], "name");

			if (name && name->t == J_STR && !strcmp(name->str, m->syscall))
				return number_at(arr->items[i],
						 syscall_fields[m->syscall_field].key, out);
		}
		*out = 0; /* traced, not called */
		return true;
	}
	if (!number_at(scope, m->path, &num))
		return false;
	if (!m->denom) {
		*out = num;
		return true;
	}
	if (!number_at(scope, m->denom, &den))
		return false;
	*out = den > 0 ? num / den : 0;
	return true;
}

const char *metric_unit_name(enum metric_unit u)
{
	static const char *const names[] = {"ns", "bytes", "count", "share"};

	return names[u];
}

void metric_json_value(struct json_writer *w, enum metric_unit u, double v)
{
	if (u != MU_SHARE && v >= 0 && v < 1.8e19 && v == floor(v))
		jw_u64(w, (uint64_t)v);
	else
		jw_double(w, v);
}

char *metric_format(char *buf, size_t len, enum metric_unit u, double v)
{
	/* negatives, NaN and the unrepresentable saturate rather than wrap */
	uint64_t n = !(v > 0) ? 0 : v >= 1.8e19 ? UINT64_MAX : (uint64_t)(v + 0.5);

	switch (u) {
	case MU_NS:
		return fmt_dur(buf, len, n);
	case MU_BYTES:
		return fmt_bytes(buf, len, n);
	case MU_SHARE:
		snprintf(buf, len, "%.1f%%", v * 100);
		return buf;
	default:
		if (v == floor(v) && fabs(v) < 1e15)
			snprintf(buf, len, "%.0f", v);
		else
			snprintf(buf, len, "%.3g", v);
		return buf;
	}
}

struct unit_def {
	const char *name;
	double scale;
};

static const struct unit_def time_units[] = {
	{"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"min", 60e9}, {"h", 3600e9},
};
static const struct unit_def byte_units[] = {
	{"B", 1},
	{"K", 1024},
	{"KiB", 1024},
	{"KB", 1e3},
	{"M", 1048576},
	{"MiB", 1048576},
	{"MB", 1e6},
	{"G", 1073741824.0},
	{"GiB", 1073741824.0},
	{"GB", 1e9},
	{"T", 1099511627776.0},
	{"TiB", 1099511627776.0},
	{"TB", 1e12},
};
static const struct unit_def count_units[] = {{"k", 1e3}, {"M", 1e6}, {"G", 1e9}};
static const struct unit_def share_units[] = {{"%", 0.01}};

static const char *const unit_lists[] = {
	[MU_NS] = "ns, us, ms, s, m, h",
	[MU_BYTES] = "B, KiB (K), MiB (M), GiB (G), KB, MB, GB",
	[MU_COUNT] = "none, or k, M, G",
	[MU_SHARE] = "% or a fraction 0..1",
};

int metric_parse_value(const char *s, enum metric_unit u, double *out, size_t *used, char *err,
		       size_t errlen)
{
	const struct unit_def *units;
	size_t n_units, ulen = 0;
	const char *p, *q, *end;
	double v;

	if (parse_decimal(s, &v, &end)) {
		snprintf(err, errlen, "expected a number (digits, a decimal point) at '%.*s'",
			 (int)strcspn(s, " \t"), s);
		return -1;
	}
	/* a unit right after the number, or after one space */
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; isalpha((unsigned char)*q) || *q == '%'; q++)
		ulen++;
	if (ulen == 3 && !strncmp(p, "for", 3)) /* "10 for 3 intervals": no unit */
		ulen = 0;
	switch (u) {
	case MU_NS:
		units = time_units, n_units = ARRAY_SIZE(time_units);
		break;
	case MU_BYTES:
		units = byte_units, n_units = ARRAY_SIZE(byte_units);
		break;
	case MU_SHARE:
		units = share_units, n_units = ARRAY_SIZE(share_units);
		break;
	default:
		units = count_units, n_units = ARRAY_SIZE(count_units);
		break;
	}
	if (!ulen) {
		/* a duration needs its unit, unless it is zero */
		if (u == MU_NS && v != 0) {
			snprintf(err, errlen, "'%.*s' needs a time unit (%s)", (int)(end - s), s,
				 unit_lists[u]);
			return -1;
		}
		if (u == MU_SHARE && (v < 0 || v > 1)) {
			snprintf(err, errlen,
				 "'%.*s' is not a share: write %g%% or a fraction 0..1",
				 (int)(end - s), s, v);
			return -1;
		}
		*out = v;
		*used = (size_t)(end - s);
		return 0;
	}
	for (size_t i = 0; i < n_units; i++) {
		if (strlen(units[i].name) == ulen && !strncmp(p, units[i].name, ulen)) {
			*out = v * units[i].scale;
			*used = (size_t)(q - s);
			return 0;
		}
	}
	snprintf(err, errlen, "unit '%.*s' does not fit a %s metric (use %s)", (int)ulen, p,
		 u == MU_NS	 ? "time"
		 : u == MU_BYTES ? "byte"
		 : u == MU_SHARE ? "share"
				 : "count",
		 unit_lists[u]);
	return -1;
}
