// SPDX-License-Identifier: GPL-2.0
/* Named metrics over report records; see metric.h and docs/alerts.md. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/metric.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

struct metric_def {
	const char *name;
	const char *path;
	const char *denom; /* shares only */
	enum metric_unit unit;
	bool target_only;
};

#define SHARE(n, k)                                                                                \
	{                                                                                          \
		n ".share", "breakdown." k "_ns", "breakdown.wall_ns", MU_SHARE, false             \
	}
#define WAIT(n, k) {n ".wait", "breakdown." k "_ns", NULL, MU_NS, false}, SHARE(n, k)
#define PCTS(n, pre, suf)                                                                          \
	{n ".p50", pre "p50" suf, NULL, MU_NS, false},                                             \
		{n ".p90", pre "p90" suf, NULL, MU_NS, false},                                     \
		{n ".p99", pre "p99" suf, NULL, MU_NS, false},                                     \
	{                                                                                          \
		n ".max", pre "max" suf, NULL, MU_NS, false                                        \
	}

static const struct metric_def defs[] = {
	{"wall", "wall_ns", NULL, MU_NS, false},
	{"processes", "process_count", NULL, MU_COUNT, true},
	{"cpu", "sched.oncpu_ns", NULL, MU_NS, false},
	SHARE("cpu", "oncpu"),
	{"runq", "sched.runq_ns", NULL, MU_NS, false},
	SHARE("runq", "runq"),
	{"runq.count", "sched.runq_latency.count", NULL, MU_COUNT, false},
	PCTS("runq", "sched.runq_latency.", "_ns"),
	{"ctxsw.voluntary", "sched.voluntary_switches", NULL, MU_COUNT, false},
	{"ctxsw.involuntary", "sched.involuntary_switches", NULL, MU_COUNT, false},
	WAIT("io", "io"),
	WAIT("net", "net"),
	WAIT("lock", "lock"),
	WAIT("sleep", "sleep"),
	WAIT("poll", "poll"),
	WAIT("child", "child"),
	WAIT("other", "other"),
	{"io.read_bytes", "io.read_bytes", NULL, MU_BYTES, false},
	{"io.write_bytes", "io.write_bytes", NULL, MU_BYTES, false},
	{"io.read_ops", "io.read_ops", NULL, MU_COUNT, false},
	{"io.write_ops", "io.write_ops", NULL, MU_COUNT, false},
	{"io.flush_ops", "io.flush_ops", NULL, MU_COUNT, false},
	{"io.writeback_bytes", "io.writeback_bytes", NULL, MU_BYTES, false},
	{"io.dirtied_bytes", "io.dirtied_bytes", NULL, MU_BYTES, false},
	{"io.deferred_bytes", "io.deferred_bytes", NULL, MU_BYTES, false},
	PCTS("io", "io.latency.", "_ns"),
	PCTS("io.queue", "io.queue.", "_ns"),
	{"net.tx_bytes", "net.tx_bytes", NULL, MU_BYTES, false},
	{"net.rx_bytes", "net.rx_bytes", NULL, MU_BYTES, false},
	{"net.connects", "net.connects", NULL, MU_COUNT, false},
	{"net.connect_failures", "net.connect_failures", NULL, MU_COUNT, false},
	{"net.accepts", "net.accepts", NULL, MU_COUNT, false},
	{"net.retransmits", "net.retransmits", NULL, MU_COUNT, false},
	PCTS("net.connect", "net.connect.", "_ns"),
	PCTS("net.rtt", "net.rtt.", "_ns"),
	{"mem.rss_peak", "mem.rss_peak_bytes", NULL, MU_BYTES, false},
	{"mem.rss", "mem.rss_bytes", NULL, MU_BYTES, false},
	{"mem.major_faults", "mem.major_faults", NULL, MU_COUNT, false},
	{"mem.minor_faults", "mem.minor_faults", NULL, MU_COUNT, false},
	{"mem.oom_kills", "mem.oom_kills", NULL, MU_COUNT, false},
	{"syscall.count", "syscalls_total.count", NULL, MU_COUNT, false},
	{"syscall.errors", "syscalls_total.errors", NULL, MU_COUNT, false},
	{"syscall.total", "syscalls_total.total_ns", NULL, MU_NS, false},
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

const char *metric_name(size_t i)
{
	return i < ARRAY_SIZE(defs) ? defs[i].name : NULL;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* Where a raw path may start: the objects of a target or process record. */
static bool raw_path_ok(const char *name)
{
	static const char *const roots[] = {"sched", "breakdown",      "io",	"net",
					    "mem",   "syscalls_total", "stacks"};
	size_t n = strcspn(name, ".");

	for (const char *p = name; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '_' &&
		    *p != '.')
			return false;
	if (!name[n] || !name[n + 1] || ends_with(name, "."))
		return false;
	for (size_t i = 0; i < ARRAY_SIZE(roots); i++)
		if (strlen(roots[i]) == n && !strncmp(name, roots[i], n))
			return true;
	return false;
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
	static const char *const fields[] = {"count",  "total_ns", "p50_ns",
					     "p90_ns", "p99_ns",   "max_ns"};

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++)
		if (!strcmp(s, fields[i]))
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

bool metric_lookup(const char *name, struct metric *m)
{
	const char *dot;

	memset(m, 0, sizeof(*m));
	if (strlen(name) >= sizeof(m->name) || !*name)
		return false;
	snprintf(m->name, sizeof(m->name), "%s", name);
	for (size_t i = 0; i < ARRAY_SIZE(defs); i++) {
		if (strcmp(defs[i].name, name))
			continue;
		m->path = defs[i].path;
		m->denom = defs[i].denom;
		m->unit = defs[i].unit;
		m->target_only = defs[i].target_only;
		return true;
	}
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
			m->syscall_key = syscall_fields[i].key;
			m->unit = syscall_fields[i].unit;
			return true;
		}
		return false;
	}
	/* a raw path to a number in the record: the unit from the key's suffix */
	if (!raw_path_ok(name))
		return false;
	if (!path_alias(name, false, m->raw, sizeof(m->raw)))
		snprintf(m->raw, sizeof(m->raw), "%s", name);
	m->unit = ends_with(name, "_ns") ? MU_NS : ends_with(name, "_bytes") ? MU_BYTES : MU_COUNT;
	return true;
}

bool metric_value(const struct metric *m, const struct jval *scope, double *out)
{
	double num, den;

	if (m->syscall_key) {
		const struct jval *arr = json_get(scope, "syscalls");

		if (!arr || arr->t != J_ARR)
			return false;
		for (size_t i = 0; i < arr->n; i++) {
			const struct jval *name = json_get(arr->items[i], "name");

			if (name && name->t == J_STR && !strcmp(name->str, m->syscall))
				return number_at(arr->items[i], m->syscall_key, out);
		}
		*out = 0; /* traced, not called */
		return true;
	}
	if (m->raw[0])
		return number_at(scope, m->raw, out);
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
