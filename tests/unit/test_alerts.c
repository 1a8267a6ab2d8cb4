// SPDX-License-Identifier: GPL-2.0
/*
 * Alert rules: the grammar and its errors (naming the bad token), rules files,
 * edge-triggered firing, persistence over intervals, per-process scopes, baselines,
 * and the alert record.
 */
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "analysis/alerts.h"
#include "model/subsys.h"
#include "json_check.h"
#include "lib/json_reader.h"
#include "analysis/metric.h"
#include "test.h"
#include "lib/util.h"

TEST(test_alerts__rule_grammar)
{
	struct alerts a = {0};
	char err[512];

	CHECK(!alerts__add(&a, "  runq.p99 > 10ms  ", false, false, err, sizeof(err)));
	CHECK_STR(a.rules[0].text, "runq.p99 > 10ms");
	CHECK(a.rules[0].op == OP_GT && a.rules[0].threshold == 1e7 && !a.rules[0].per_process);
	CHECK(!alerts__add(&a, "process[make*].cpu.share>=90%", false, false, err, sizeof(err)));
	CHECK(a.rules[1].per_process && a.rules[1].op == OP_GE);
	CHECK_STR(a.rules[1].comm_glob, "make*");
	CHECK(!alerts__add(&a, "target.io.share > 30% for 3 intervals", false, true, err,
			   sizeof(err)));
	CHECK_U64(a.rules[2].for_n, 3);
	CHECK(!alerts__add(&a, "syscall.total > 1.2 * baseline", true, false, err, sizeof(err)));
	CHECK(a.rules[3].vs_baseline && a.rules[3].factor == 1.2);
	CHECK(!alerts__add(&a, "wall >= baseline*2", true, false, err, sizeof(err)));
	CHECK(a.rules[4].vs_baseline && a.rules[4].factor == 2);
	CHECK(!alerts__add(&a, "process.mem.major_faults != 0 for 1 interval", false, true, err,
			   sizeof(err)));
	CHECK(a.rules[5].op == OP_NE && a.rules[5].for_n == 1);
	CHECK_U64(a.n_rules, 6);
	alerts__release(&a);
}

TEST(test_alerts__rule_errors_name_the_token)
{
	static const struct {
		const char *rule, *msg;
		bool base, ival;
	} cases[] = {
		{"runq.p98 > 10ms", "unknown metric 'runq.p98'"},
		{"runq.p99 >> 10ms", "expected a number (digits, a decimal point) at '>'"},
		/* thresholds: plain decimals, never signed, hex or exponents */
		{"wall > -5ms", "at '-5ms'"},
		{"wall > +5ms", "at '+5ms'"},
		{"wall > 0x10ms", "at '0x10ms'"},
		{"wall > 1e3ms", "at '1e3ms'"},
		{"wall > nan ms", "at 'nan'"},
		{"wall > 0x2 * baseline", "at '0x2'", true},
		{"runq.p99 10ms", "expected an operator"},
		{"runq.p99 > 10", "needs a time unit"},
		{"runq.p99 > 10kg", "unit 'kg'"},
		{"runq.p99 > 10ms for three intervals", "'three'"},
		{"runq.p99 > 10ms for 3 hours", "'hours'"},
		{"runq.p99 > 10ms extra", "unexpected 'extra'"},
		{"runq.p99 > 10ms for 3 intervals", "needs -i"},
		{"wall > 1.5 * baseline", "needs --baseline"},
		{"process.wall > baseline", "apply to the target", true},
		{"wall > 2 * nothing", "'nothing'", true},
		{"process.processes > 3", "a metric of the target"},
		{"process[.cpu > 1s", "process[COMM].METRIC"},
		{"> 1s", "expected a metric name"},
		{"", "empty rule"},
	};
	char err[512];

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct alerts a = {0};

		if (alerts__add(&a, cases[i].rule, cases[i].base, cases[i].ival, err,
				sizeof(err)) != -1) {
			test_fail(__FILE__, __LINE__, "accepted '%s'", cases[i].rule);
		} else {
			CHECK_CONTAINS(err, "invalid alert '");
			if (!strstr(err, cases[i].msg))
				test_fail(__FILE__, __LINE__, "'%s': \"%s\" lacks \"%s\"",
					  cases[i].rule, err, cases[i].msg);
		}
		alerts__release(&a);
	}
}

TEST(test_alerts__rules_file)
{
	char path[] = "/tmp/procscope-test-rules-XXXXXX", err[512];
	struct alerts a = {0};
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fputs("# CI gates\n\nrunq.p99 > 5ms   # tail latency\n  io.share > 50%\n", f);
	fclose(f);
	CHECK(!alerts__add_file(&a, path, false, false, err, sizeof(err)));
	CHECK_U64(a.n_rules, 2);
	CHECK_STR(a.rules[1].text, "io.share > 50%");
	alerts__release(&a);

	f = fopen(path, "w");
	fputs("runq.p99 > 5ms\nrunq.p99 > 5 ms per\n", f);
	fclose(f);
	CHECK(alerts__add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":2: invalid alert 'runq.p99 > 5 ms per'");
	alerts__release(&a);

	/* comments only: no rules yet, not an error (a service's file, before a reload) */
	f = fopen(path, "w");
	fputs("# nothing\n", f);
	fclose(f);
	CHECK(alerts__add_file(&a, path, false, false, err, sizeof(err)) == 0);
	CHECK_U64(a.n_rules, 0);
	alerts__release(&a);
	unlink(path);
	CHECK(alerts__add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "cannot read alert rules");
	alerts__release(&a);

	/* only regular files, of bounded size and line length */
	CHECK(alerts__add_file(&a, "/dev/zero", false, false, err, sizeof(err)) == -1);
	CHECK_STR(err, "alert rules '/dev/zero' is not a regular file");
	CHECK(alerts__add_file(&a, "/tmp", false, false, err, sizeof(err)) == -1);
	CHECK_STR(err, "alert rules '/tmp' is a directory");
	f = fopen(path, "w");
	fputs("runq.p99 > 5ms\n", f);
	for (int i = 0; i < ALERT_LINE_MAX; i++)
		fputc(' ', f);
	fputs("wall > 1s\n", f);
	fclose(f);
	CHECK(alerts__add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":2: a line longer than 4096 bytes");
	alerts__release(&a);
	f = fopen(path, "w");
	for (int i = 0; i <= ALERT_RULES_MAX; i++)
		fputs("wall > 1s\n", f);
	fclose(f);
	CHECK(alerts__add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, ":1025: more than 1024 alert rules");
	alerts__release(&a);
	f = fopen(path, "w");
	for (size_t n = 0; n <= ALERT_FILE_MAX; n += 10)
		fputs("# padding\n", f);
	fclose(f);
	CHECK(alerts__add_file(&a, path, false, false, err, sizeof(err)) == -1);
	CHECK_CONTAINS(err, "is larger than 1.00MiB");
	alerts__release(&a);
	unlink(path);
}

/* An interval or the final report, one value for the target and per process (the model). */
struct scene {
	struct snapshot s;
	struct process procs[3];
	struct breakdown bd_procs[3];
	struct breakdowns bd;
};

static void scene(struct scene *x, bool final, uint64_t off, uint64_t runq_p99, uint64_t cpu_a,
		  uint64_t cpu_b)
{
	memset(x, 0, sizeof(*x));
	x->s.kind = final ? SNAP_REPORT : SNAP_INTERVAL;
	x->s.attach_ns = 1000;
	x->s.start_ns = 1000;
	x->s.end_ns = 1000 + off;
	x->s.target.sched.oncpu_ns = cpu_a + cpu_b;
	x->s.target.sched.runq.p99_ns = runq_p99;
	x->procs[0] = (struct process){.slot = SLOT_FIRST, .pid = 10, .comm = "make"};
	x->procs[0].m.sched.oncpu_ns = cpu_a;
	x->procs[1] = (struct process){.slot = SLOT_FIRST + 1, .pid = 11, .comm = "cc1"};
	x->procs[1].m.sched.oncpu_ns = cpu_b;
	/* the processes beyond --max-procs: no process of its own */
	x->procs[2] = (struct process){.slot = SLOT_OVERFLOW, .comm = "[overflow]"};
	x->procs[2].m.sched.oncpu_ns = 99999;
	x->s.procs = x->procs;
	x->s.n_procs = 3;
	x->bd.procs = x->bd_procs;
}

/* A saved report record (a baseline) with the target's CPU time. */
static struct jval *record(uint64_t cpu)
{
	char buf[256];

	snprintf(
		buf, sizeof(buf),
		"{\"type\":\"report\",\"target\":{\"wall_ns\":1000,\"sched\":{\"oncpu_ns\":%llu}}}",
		(unsigned long long)cpu);
	return json_parse_test(buf);
}

static size_t eval(struct alerts *a, bool final, uint64_t off, uint64_t p99, uint64_t ca,
		   uint64_t cb)
{
	struct scene x;

	scene(&x, final, off, p99, ca, cb);
	return alerts__eval(a, &x.s, &x.bd, SUB_DEFAULT, NULL, 1700000000000000000ULL + off);
}

TEST(test_alerts__edge_triggered)
{
	struct alerts a = {0};
	char err[256];

	CHECK(!alerts__add(&a, "runq.p99 > 10us", false, true, err, sizeof(err)));
	CHECK_U64(eval(&a, false, 1, 5000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 2, 20000, 0, 0), 1); /* crosses */
	CHECK_U64(eval(&a, false, 3, 30000, 0, 0), 0); /* still above: no repeat */
	CHECK_U64(eval(&a, false, 4, 5000, 0, 0), 0);  /* clears */
	CHECK_U64(eval(&a, false, 5, 11000, 0, 0), 1); /* crosses again */
	CHECK_U64(eval(&a, true, 6, 12000, 0, 0), 1);  /* the whole run */
	CHECK_U64(a.n_fired, 3);
	CHECK(a.fired[0].value == 20000 && a.fired[0].threshold == 10000);
	CHECK_U64(a.fired[0].offset_ns, 2);
	CHECK(!a.fired[0].final && a.fired[2].final);
	CHECK_U64(a.fired[0].pid, 0);
	alerts__release(&a);
}

TEST(test_alerts__persistence)
{
	struct alerts a = {0};
	char err[256];

	CHECK(!alerts__add(&a, "runq.p99 >= 1ms for 3 intervals", false, true, err, sizeof(err)));
	CHECK_U64(eval(&a, false, 1, 2000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 2, 2000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 3, 100, 0, 0), 0); /* the streak breaks */
	CHECK_U64(eval(&a, false, 4, 1000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 5, 1000000, 0, 0), 0);
	CHECK_U64(eval(&a, false, 6, 1000000, 0, 0), 1); /* third in a row */
	CHECK_U64(eval(&a, false, 7, 1000000, 0, 0), 0);
	/* "for N intervals" is about intervals: not evaluated on the final report */
	CHECK_U64(eval(&a, true, 8, 9000000, 0, 0), 0);
	CHECK_U64(a.fired[0].offset_ns, 6);
	alerts__release(&a);
}

/* SIGHUP: rules re-read; one kept keeps its state, one new starts afresh. */
TEST(test_alerts__rules_replaced)
{
	struct alerts a = {0}, b = {0};
	char err[256];

	CHECK(!alerts__add(&a, "runq.p99 >= 1ms for 2 intervals", false, true, err, sizeof(err)));
	CHECK(!alerts__add(&a, "runq.p99 > 10us", false, true, err, sizeof(err)));
	CHECK_U64(eval(&a, false, 1, 2000000, 0, 0), 1); /* the second fires */
	/* the file again: the first rule as before, the second gone, a third new */
	CHECK(!alerts__add(&b, "runq.p99 >= 1ms for 2 intervals", false, true, err, sizeof(err)));
	CHECK(!alerts__add(&b, "runq.p99 > 1us", false, true, err, sizeof(err)));
	CHECK_U64(alerts__replace_rules(&a, &b), 1);
	CHECK_U64(a.n_rules, 2);
	CHECK_U64(b.n_rules, 0);
	/* the streak of one goes on: the kept rule fires now; the new one crosses now too */
	CHECK_U64(eval(&a, false, 2, 2000000, 0, 0), 2);
	CHECK_STR(a.fired[1].rule->text, "runq.p99 >= 1ms for 2 intervals");
	/* the alert fired before the reload still names its rule */
	CHECK_STR(a.fired[0].rule->text, "runq.p99 > 10us");
	CHECK_U64(eval(&a, false, 3, 2000000, 0, 0), 0); /* neither fires again */
	alerts__release(&b);
	alerts__release(&a);
}

TEST(test_alerts__per_process_scope)
{
	struct alerts a = {0};
	char err[256];

	CHECK(!alerts__add(&a, "process.cpu > 100ns", false, true, err, sizeof(err)));
	CHECK(!alerts__add(&a, "process[c?1].cpu > 100ns for 2 intervals", false, true, err,
			   sizeof(err)));
	/* both processes cross: one alert each (the overflow row is not a process) */
	CHECK_U64(eval(&a, false, 1, 0, 500, 500), 2);
	CHECK_U64(a.fired[0].pid, 10);
	CHECK_STR(a.fired[0].comm, "make");
	CHECK_U64(a.fired[1].pid, 11);
	/* the glob rule's second interval; make stays above: no repeat */
	CHECK_U64(eval(&a, false, 2, 0, 500, 500), 1);
	CHECK(a.fired[2].rule == &a.rules[1] && a.fired[2].pid == 11);
	CHECK_U64(eval(&a, true, 3, 0, 50, 500), 1); /* final: cc1 only */
	CHECK_U64(a.fired[3].pid, 11);
	alerts__release(&a);
}

TEST(test_alerts__against_baseline)
{
	struct alerts a = {0};
	struct jval *base = record(2000);
	struct scene x;
	char err[256];

	CHECK(!alerts__add(&a, "cpu > 1.2 * baseline", true, false, err, sizeof(err)));
	scene(&x, false, 1, 0, 5000, 5000);
	/* intervals are not whole runs */
	CHECK_U64(alerts__eval(&a, &x.s, &x.bd, SUB_DEFAULT, base, 0), 0);
	scene(&x, true, 2, 0, 1100, 1100);
	CHECK_U64(alerts__eval(&a, &x.s, &x.bd, SUB_DEFAULT, base, 0), 0); /* +10% */
	scene(&x, true, 2, 0, 1500, 1500);
	CHECK_U64(alerts__eval(&a, &x.s, &x.bd, SUB_DEFAULT, base, 0), 1);
	CHECK(a.fired[0].baseline == 2000 && a.fired[0].threshold == 2400 &&
	      a.fired[0].value == 3000);
	/* a subsystem that was off has no value: no alert, said once */
	scene(&x, true, 2, 0, 1500, 1500);
	CHECK_U64(alerts__eval(&a, &x.s, &x.bd, SUB_DEFAULT & ~SUB_SCHED, base, 0), 0);
	json_free(base);
	alerts__release(&a);
}

TEST(test_alerts__record_and_text)
{
	struct alerts a = {0};
	struct capture c;
	struct json_writer w;
	char err[256], line[512];
	const char *out;

	CHECK(!alerts__add(&a, "process[make].cpu > 100ns", false, false, err, sizeof(err)));
	CHECK_U64(eval(&a, true, 4000000000ULL, 0, 500, 0), 1);
	jw_init(&w, capture_begin(&c));
	alert_record(&w, &a.fired[0]);
	out = capture_end(&c);
	CHECK_CONTAINS(out,
		       "{\"type\":\"alert\",\"schema_version\":4,\"rule\":\"process[make].cpu > "
		       "100ns\",\"metric\":\"cpu\",\"op\":\">\",\"value\":500,\"threshold\":100,"
		       "\"baseline\":null,\"unit\":\"ns\",\"scope\":\"process\",\"pid\":10,"
		       "\"comm\":\"make\",\"for_intervals\":0,\"final\":true,"
		       "\"offset_ns\":4000000000,");
	capture_free(&c);
	alert_describe(line, sizeof(line), &a.fired[0]);
	CHECK_STR(line, "alert: process[make].cpu > 100ns: 500ns (pid 10 make, whole run)");
	alerts__release(&a);
}
