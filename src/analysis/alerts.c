// SPDX-License-Identifier: GPL-2.0
/* Alert rules: parsing, evaluation on the model, and their outputs; see alerts.h. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <math.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/alerts.h"
#include "lib/log.h"
#include "lib/util.h"

extern char **environ;

static const char *const op_names[] = {">", ">=", "<", "<=", "==", "!="};

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* @p starts with the word @w (not followed by a name character). */
static bool word(const char *p, const char *w)
{
	size_t n = strlen(w);

	return !strncmp(p, w, n) && !isalnum((unsigned char)p[n]) && p[n] != '_' && p[n] != '.';
}

/* The token at @p, for error messages: up to the next blank. */
static int tok_len(const char *p)
{
	int n = (int)strcspn(p, " \t");

	return n ? n : (int)strlen(p);
}

/* A rule being read: where, and why it is not one when it is not. */
struct rule_parse {
	struct alert_rule *r;
	const char *p;
	char why[256];
	char name[128];
};

#define BAD(...)                                                                                   \
	do {                                                                                       \
		snprintf(rp->why, sizeof(rp->why), __VA_ARGS__);                                   \
		return false;                                                                      \
	} while (0)

/* target. | process. | process[GLOB]. */
static bool parse_scope(struct rule_parse *rp)
{
	const char *p = rp->p, *q;

	if (!strncmp(p, "target.", 7)) {
		p += 7;
	} else if (!strncmp(p, "process.", 8)) {
		rp->r->per_process = true;
		p += 8;
	} else if (!strncmp(p, "process[", 8)) {
		q = strchr(p + 8, ']');
		if (!q || q == p + 8 || q[1] != '.')
			BAD("expected 'process[COMM].METRIC' at '%.*s'", tok_len(p), p);
		rp->r->comm_glob = xstrndup(p + 8, (size_t)(q - p - 8));
		rp->r->per_process = true;
		p = q + 2;
	}
	rp->p = p;
	return true;
}

static bool parse_metric(struct rule_parse *rp)
{
	const char *p = rp->p;
	size_t n;

	for (n = 0; isalnum((unsigned char)p[n]) || p[n] == '_' || p[n] == '.'; n++)
		;
	if (!n)
		BAD("expected a metric name at '%.*s'", tok_len(p), p);
	if (n >= sizeof(rp->name))
		BAD("metric name too long");
	memcpy(rp->name, p, n);
	rp->name[n] = '\0';
	if (!metric_lookup(rp->name, &rp->r->m))
		BAD("unknown metric '%s' (see docs/alerts.md)", rp->name);
	if (rp->r->m.target_only && rp->r->per_process)
		BAD("'%s' is a metric of the target, not of a process", rp->name);
	rp->p = skip_ws(p + n);
	return true;
}

/* The operator: two-character ones first. */
static bool parse_op(struct rule_parse *rp)
{
	int op = -1;

	for (int i = 0; i < (int)ARRAY_SIZE(op_names); i++) {
		size_t k = strlen(op_names[i]);

		if (!strncmp(rp->p, op_names[i], k) && (op < 0 || k > strlen(op_names[op])))
			op = i;
	}
	if (op < 0)
		BAD("expected an operator (>, >=, <, <=, ==, !=) after '%s', not '%.*s'", rp->name,
		    tok_len(rp->p), rp->p);
	rp->r->op = (enum alert_op)op;
	rp->p = skip_ws(rp->p + strlen(op_names[op]));
	return true;
}

/* A number with a unit, or a multiple of the baseline ("1.2 * baseline", "baseline * 1.2"). */
static bool parse_value(struct rule_parse *rp)
{
	struct alert_rule *r = rp->r;
	const char *p = rp->p, *q, *num_end;
	size_t used;
	double num;

	if (word(p, "baseline")) {
		r->vs_baseline = true;
		r->factor = 1;
		p = skip_ws(p + 8);
		if (*p == '*') {
			p = skip_ws(p + 1);
			if (parse_decimal(p, &r->factor, &num_end))
				BAD("expected a factor after 'baseline *', not '%.*s'", tok_len(p),
				    p);
			p = skip_ws(num_end);
		}
	} else if (!parse_decimal(p, &num, &num_end) && *skip_ws(num_end) == '*') {
		q = skip_ws(skip_ws(num_end) + 1);
		if (!word(q, "baseline"))
			BAD("expected 'baseline' after '*', not '%.*s'", tok_len(q), q);
		r->vs_baseline = true;
		r->factor = num;
		p = skip_ws(q + 8);
	} else {
		if (metric_parse_value(p, r->m.unit, &r->threshold, &used, rp->why,
				       sizeof(rp->why)))
			return false;
		p = skip_ws(p + used);
	}
	rp->p = p;
	return true;
}

/* "for N intervals", if there. */
static bool parse_for(struct rule_parse *rp)
{
	const char *p = rp->p;
	unsigned long v;
	char *end;

	if (!word(p, "for"))
		return true;
	p = skip_ws(p + 3);
	errno = 0;
	v = strtoul(p, &end, 10);
	if (end == p || errno || !v || v > 1000000 || !isdigit((unsigned char)*p))
		BAD("expected a count of intervals after 'for', not '%.*s'", tok_len(p), p);
	rp->r->for_n = (unsigned int)v;
	p = skip_ws(end);
	if (!word(p, "intervals") && !word(p, "interval"))
		BAD("expected 'intervals' after 'for %lu', not '%.*s'", v, tok_len(p), p);
	rp->p = skip_ws(p + (word(p, "intervals") ? 9 : 8));
	return true;
}

/* What the rule asks of the run: a baseline, intervals. */
static bool check_rule(struct rule_parse *rp, bool have_baseline, bool have_interval)
{
	const struct alert_rule *r = rp->r;

	if (*rp->p)
		BAD("unexpected '%.*s' after the rule", tok_len(rp->p), rp->p);
	if (r->vs_baseline && !have_baseline)
		BAD("'baseline' needs --baseline FILE");
	if (r->vs_baseline && r->per_process)
		BAD("rules against the baseline apply to the target: drop 'process'");
	if (r->vs_baseline && r->for_n)
		BAD("'for N intervals' with 'baseline': the baseline is compared at the end");
	if (r->for_n && !have_interval)
		BAD("'for %u intervals' needs -i/--interval or --prometheus", r->for_n);
	return true;
}

int alerts__add(struct alerts *a, const char *text, bool have_baseline, bool have_interval,
		char *err, size_t errlen)
{
	struct alert_rule r = {0};
	struct rule_parse rp = {.r = &r};
	const char *p = skip_ws(text);
	size_t n = strlen(p);

	while (n && isspace((unsigned char)p[n - 1]))
		n--;
	r.text = xstrndup(p, n);
	rp.p = r.text;
	if (!*rp.p)
		snprintf(rp.why, sizeof(rp.why), "empty rule");
	else if (parse_scope(&rp) && parse_metric(&rp) && parse_op(&rp) && parse_value(&rp) &&
		 parse_for(&rp) && check_rule(&rp, have_baseline, have_interval)) {
		a->rules = xrealloc(a->rules, sizeof(*a->rules) * (a->n_rules + 1));
		a->rules[a->n_rules++] = r;
		return 0;
	}
	snprintf(err, errlen, "invalid alert '%s': %s", r.text ? r.text : text, rp.why);
	free(r.text);
	free(r.comm_glob);
	return -1;
}

int alerts__add_text(struct alerts *a, char *buf, const char *name, bool have_baseline,
		     bool have_interval, char *err, size_t errlen)
{
	size_t lineno = 0, before = a->n_rules;
	char sub[512];
	int ret = 0;

	for (char *s = buf, *next; s && *s && !ret; s = next) {
		size_t n = strcspn(s, "\n");

		next = s[n] ? s + n + 1 : NULL;
		s[n] = '\0';
		lineno++;
		if (n > ALERT_LINE_MAX) {
			snprintf(err, errlen, "%s:%zu: a line longer than %d bytes", name, lineno,
				 ALERT_LINE_MAX);
			ret = -1;
			break;
		}
		s[strcspn(s, "#")] = '\0';
		s = (char *)skip_ws(s);
		if (!*s)
			continue;
		if (a->n_rules - before >= ALERT_RULES_MAX) {
			snprintf(err, errlen, "%s:%zu: more than %d alert rules", name, lineno,
				 ALERT_RULES_MAX);
			ret = -1;
		} else if (alerts__add(a, s, have_baseline, have_interval, sub, sizeof(sub))) {
			snprintf(err, errlen, "%s:%zu: %s", name, lineno, sub);
			ret = -1;
		}
	}
	/* none (comments only) is fine: a service's file, waiting for rules and a reload */
	return ret;
}

int alerts__add_file(struct alerts *a, const char *path, bool have_baseline, bool have_interval,
		     char *err, size_t errlen)
{
	size_t len;
	char *buf = read_input(path, "alert rules", ALERT_FILE_MAX, &len, err, errlen);
	int ret;

	if (!buf)
		return -1;
	if (memchr(buf, '\0', len)) {
		snprintf(err, errlen, "alert rules '%s' hold a NUL byte: not a text file", path);
		free(buf);
		return -1;
	}
	ret = alerts__add_text(a, buf, path, have_baseline, have_interval, err, errlen);
	free(buf);
	return ret;
}

static bool holds(enum alert_op op, double v, double t)
{
	switch (op) {
	case OP_GT:
		return v > t;
	case OP_GE:
		return v >= t;
	case OP_LT:
		return v < t;
	case OP_LE:
		return v <= t;
	case OP_EQ:
		return v == t;
	default:
		return v != t;
	}
}

static struct alert_state *state_of(struct alert_rule *r, int pid)
{
	for (size_t i = 0; i < r->n_st; i++)
		if (r->st[i].pid == pid)
			return &r->st[i];
	r->st = xrealloc(r->st, sizeof(*r->st) * (r->n_st + 1));
	r->st[r->n_st] = (struct alert_state){.pid = pid};
	return &r->st[r->n_st++];
}

struct eval_ctx {
	struct alerts *a;
	bool final;
	uint64_t offset_ns, unix_ns;
	const struct jval *base_target;
	struct metric_scope scope; /* proc: the one evaluated */
};

static void fire(struct eval_ctx *c, struct alert_rule *r, double v, double thr, double base,
		 int pid, const char *comm)
{
	struct alert *al;

	c->a->fired = xrealloc(c->a->fired, sizeof(*c->a->fired) * (c->a->n_fired + 1));
	al = &c->a->fired[c->a->n_fired++];
	*al = (struct alert){.rule = r,
			     .value = v,
			     .threshold = thr,
			     .baseline = base,
			     .pid = pid,
			     .offset_ns = c->offset_ns,
			     .unix_ns = c->unix_ns,
			     .final = c->final};
	snprintf(al->comm, sizeof(al->comm), "%s", comm ? comm : "");
}

static void eval_scope(struct eval_ctx *c, struct alert_rule *r, int pid, const char *comm)
{
	double v, thr = r->threshold, base = NAN;
	struct alert_state *st;
	bool cond;

	if (!metric_value(&r->m, &c->scope, &v)) {
		if (!r->warned)
			pr_warn("alert '%s': the report has no value for '%s' (is its subsystem "
				"off?)",
				r->text, r->m.name);
		r->warned = true;
		return;
	}
	if (r->vs_baseline) {
		if (!metric_value_json(&r->m, c->base_target, &base)) {
			if (!r->warned)
				pr_warn("alert '%s': the baseline has no value for '%s'", r->text,
					r->m.name);
			r->warned = true;
			return;
		}
		thr = r->factor * base;
	}
	cond = holds(r->op, v, thr);
	if (c->final) {
		if (cond)
			fire(c, r, v, thr, base, pid, comm);
		return;
	}
	st = state_of(r, pid);
	st->seen = true;
	if (!cond) {
		st->streak = 0;
		st->firing = false;
		return;
	}
	st->streak++;
	if (!st->firing && st->streak >= (r->for_n ? r->for_n : 1)) {
		st->firing = true;
		fire(c, r, v, thr, base, pid, comm);
	}
}

size_t alerts__eval(struct alerts *a, const struct snapshot *s, const struct breakdowns *bd,
		    unsigned int subsys, const struct jval *baseline, uint64_t unix_ns)
{
	size_t before = a->n_fired;
	struct eval_ctx c = {.a = a, .unix_ns = unix_ns};

	c.final = s->kind == SNAP_REPORT;
	c.offset_ns = s->end_ns - s->attach_ns;
	c.base_target = baseline ? json_get(baseline, "target") : NULL;
	c.scope = (struct metric_scope){.s = s, .bd = bd, .proc = -1, .subsys = subsys};
	for (size_t i = 0; i < a->n_rules; i++) {
		struct alert_rule *r = &a->rules[i];

		/* persistence counts intervals; the baseline is a whole run */
		if ((c.final && r->for_n) || (!c.final && r->vs_baseline))
			continue;
		for (size_t k = 0; k < r->n_st; k++)
			r->st[k].seen = false;
		if (!r->per_process) {
			c.scope.proc = -1;
			eval_scope(&c, r, 0, NULL);
		} else {
			for (size_t k = 0; k < s->n_procs; k++) {
				const struct process *p = &s->procs[k];

				if (p->slot == SLOT_OVERFLOW)
					continue;
				if (r->comm_glob && fnmatch(r->comm_glob, p->comm, 0))
					continue;
				c.scope.proc = (long)k;
				eval_scope(&c, r, (int)p->pid, p->comm);
			}
		}
		/* a process missing from an interval did not meet the condition */
		for (size_t k = 0; !c.final && k < r->n_st; k++)
			if (!r->st[k].seen)
				r->st[k].streak = 0, r->st[k].firing = false;
	}
	return a->n_fired - before;
}

static void num_text(char *buf, size_t len, enum metric_unit u, double v)
{
	if (u != MU_SHARE && v >= 0 && v < 1.8e19 && v == floor(v))
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.9g", v);
}

void alert_json_fields(struct json_writer *w, const struct alert *al)
{
	const struct alert_rule *r = al->rule;

	jw_kv_str(w, "rule", r->text);
	jw_kv_str(w, "metric", r->m.name);
	jw_kv_str(w, "op", op_names[r->op]);
	jw_key(w, "value");
	metric_json_value(w, r->m.unit, al->value);
	jw_key(w, "threshold");
	metric_json_value(w, r->m.unit, al->threshold);
	jw_key(w, "baseline");
	if (isnan(al->baseline))
		jw_null(w);
	else
		metric_json_value(w, r->m.unit, al->baseline);
	jw_kv_str(w, "unit", metric_unit_name(r->m.unit));
	jw_kv_str(w, "scope", r->per_process ? "process" : "target");
	jw_key(w, "pid");
	if (al->pid)
		jw_i64(w, al->pid);
	else
		jw_null(w);
	jw_kv_str(w, "comm", al->pid ? al->comm : NULL);
	jw_kv_u64(w, "for_intervals", r->for_n);
	jw_kv_bool(w, "final", al->final);
	jw_kv_u64(w, "offset_ns", al->offset_ns);
	jw_kv_u64(w, "unix_ns", al->unix_ns);
}

void alert_record(struct json_writer *w, const struct alert *al)
{
	jw_object_begin(w);
	jw_kv_str(w, "type", "alert");
	jw_kv_u64(w, "schema_version", JSON_SCHEMA_VERSION);
	alert_json_fields(w, al);
	jw_object_end(w);
	jw_end_record(w);
}

void alert_describe(char *buf, size_t len, const struct alert *al)
{
	const struct alert_rule *r = al->rule;
	char v[32], t[32], b[32], when[48], who[80];

	metric_format(v, sizeof(v), r->m.unit, al->value);
	if (al->pid) {
		char comm[sizeof(al->comm)];
		size_t i;

		for (i = 0; al->comm[i]; i++)
			comm[i] = (unsigned char)al->comm[i] < 0x20 ? '?' : al->comm[i];
		comm[i] = '\0';
		snprintf(who, sizeof(who), "pid %d %s", al->pid, comm);
	} else {
		snprintf(who, sizeof(who), "the target");
	}
	if (al->final)
		snprintf(when, sizeof(when), "whole run");
	else
		snprintf(when, sizeof(when), "interval ending +%s",
			 fmt_dur(t, sizeof(t), al->offset_ns));
	if (r->vs_baseline)
		snprintf(buf, len, "alert: %s: %s (%s; baseline %s, threshold %s)", r->text, v, who,
			 metric_format(b, sizeof(b), r->m.unit, al->baseline),
			 metric_format(t, sizeof(t), r->m.unit, al->threshold));
	else
		snprintf(buf, len, "alert: %s: %s (%s, %s)", r->text, v, who, when);
}

int alert_exec(struct alerts *a, const struct alert *al, const sigset_t *mask)
{
	const struct alert_rule *r = al->rule;
	char vars[14][320], num[40], desc[256];
	char *argv[] = {(char *)a->exec, NULL};
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t def;
	size_t n_env = 0, k = 0;
	char **envp;
	pid_t pid;
	int err;

	alert_describe(desc, sizeof(desc), al);
#define VAR(name, ...) snprintf(vars[k++], sizeof(vars[0]), "PROCSCOPE_ALERT_" name "=" __VA_ARGS__)
	VAR("RULE", "%s", r->text);
	VAR("METRIC", "%s", r->m.name);
	VAR("OP", "%s", op_names[r->op]);
	num_text(num, sizeof(num), r->m.unit, al->value);
	VAR("VALUE", "%s", num);
	num_text(num, sizeof(num), r->m.unit, al->threshold);
	VAR("THRESHOLD", "%s", num);
	if (isnan(al->baseline))
		num[0] = '\0';
	else
		num_text(num, sizeof(num), r->m.unit, al->baseline);
	VAR("BASELINE", "%s", num);
	VAR("UNIT", "%s", metric_unit_name(r->m.unit));
	VAR("SCOPE", "%s", r->per_process ? "process" : "target");
	if (al->pid)
		VAR("PID", "%d", al->pid);
	else
		VAR("PID", "%s", "");
	VAR("COMM", "%s", al->pid ? al->comm : "");
	VAR("FINAL", "%d", al->final);
	VAR("OFFSET_NS", "%llu", (unsigned long long)al->offset_ns);
	VAR("UNIX_NS", "%llu", (unsigned long long)al->unix_ns);
	VAR("TEXT", "%s", desc);
#undef VAR

	while (environ[n_env])
		n_env++;
	envp = xcalloc(n_env + k + 1, sizeof(*envp));
	for (size_t i = 0; i < k; i++)
		envp[i] = vars[i];
	for (size_t i = 0, j = k; i < n_env; i++)
		if (strncmp(environ[i], "PROCSCOPE_ALERT_", 16))
			envp[j++] = environ[i];

	/* stdin from /dev/null; its output to our stderr, away from the report */
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, 2, 1);
	posix_spawnattr_init(&attr);
	sigemptyset(&def);
	sigaddset(&def, SIGPIPE);
	posix_spawnattr_setsigdefault(&attr, &def);
	posix_spawnattr_setsigmask(&attr, mask);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
	err = posix_spawnp(&pid, a->exec, &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(envp);
	if (err) {
		if (!a->exec_failures++)
			pr_warn("cannot run alert program '%s': %s", a->exec, strerror(err));
		return -err;
	}
	a->children = xrealloc(a->children, sizeof(*a->children) * (a->n_children + 1));
	a->children[a->n_children++] = pid;
	return 0;
}

void alerts__reap(struct alerts *a, uint64_t wait_ns)
{
	uint64_t deadline = now_ns() + wait_ns;

	for (;;) {
		for (size_t i = 0; i < a->n_children;) {
			int status;
			pid_t p = waitpid(a->children[i], &status, WNOHANG);

			if (p == 0) {
				i++;
				continue;
			}
			if (p > 0 && WIFEXITED(status) && WEXITSTATUS(status))
				pr_warn("alert program '%s' exited with status %d", a->exec,
					WEXITSTATUS(status));
			else if (p > 0 && WIFSIGNALED(status))
				pr_warn("alert program '%s' killed by signal %d", a->exec,
					WTERMSIG(status));
			a->children[i] = a->children[--a->n_children];
		}
		if (!a->n_children || !wait_ns)
			return;
		if (now_ns() >= deadline) {
			pr_warn("%zu alert program(s) still running; not waiting for them",
				a->n_children);
			return;
		}
		usleep(10000);
	}
}

bool alert_rule_firing(const struct alert_rule *r)
{
	for (size_t i = 0; i < r->n_st; i++)
		if (r->st[i].firing)
			return true;
	return false;
}

size_t alerts__replace_rules(struct alerts *a, struct alerts *from)
{
	bool *taken = xcalloc(a->n_rules ? a->n_rules : 1, sizeof(*taken));
	size_t fresh = 0;

	for (size_t i = 0; i < from->n_rules; i++) {
		struct alert_rule *r = &from->rules[i], *o;
		size_t j = 0;

		while (j < a->n_rules && (taken[j] || strcmp(a->rules[j].text, r->text)))
			j++;
		if (j == a->n_rules) {
			fresh++;
			continue;
		}
		/* its state moves over */
		o = &a->rules[j];
		taken[j] = true;
		free(r->st);
		r->st = o->st;
		r->n_st = o->n_st;
		r->warned = o->warned;
		o->st = NULL;
		o->n_st = 0;
	}
	free(taken);
	a->old = xrealloc(a->old, (a->n_old + 1) * sizeof(*a->old));
	a->old[a->n_old++] = (struct alert_rules_old){a->rules, a->n_rules};
	a->rules = from->rules;
	a->n_rules = from->n_rules;
	from->rules = NULL;
	from->n_rules = 0;
	return fresh;
}

static void rules_release(struct alert_rule *rules, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(rules[i].text);
		free(rules[i].comm_glob);
		free(rules[i].st);
	}
	free(rules);
}

void alerts__release(struct alerts *a)
{
	rules_release(a->rules, a->n_rules);
	for (size_t i = 0; i < a->n_old; i++)
		rules_release(a->old[i].rules, a->old[i].n);
	free(a->old);
	free(a->fired);
	free(a->children);
	memset(a, 0, sizeof(*a));
}
