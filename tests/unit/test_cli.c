// SPDX-License-Identifier: GPL-2.0
/*
 * Command-line parsing: the four target forms, the command taking everything after
 * it (its own options included), value parsing, and every combination check.
 */
#include <errno.h>
#include <stdlib.h>

#include "analysis/alerts.h"
#include "app/cli.h"
#include "test.h"
#include "lib/util.h"

static int parse(struct config *cfg, int argc, const char **argv)
{
	config_init(cfg);
	return cli_parse(argc, (char **)argv, cfg, CLI_QUIET_RETURN);
}

/* static: cfg.argv points into the array after the statement (a command's arguments) */
#define PARSE(cfg, ...)                                                                            \
	({                                                                                         \
		static const char *argv_[] = {"procscope", __VA_ARGS__, NULL};                     \
		parse(cfg, (int)(sizeof(argv_) / sizeof(argv_[0])) - 1, argv_);                    \
	})

TEST(test_cli__command_after_double_dash)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "--json", "--", "make", "-j4", "--keep-going"), 0);
	CHECK_I64(cfg.target, TARGET_COMMAND);
	CHECK_I64(cfg.argc, 3);
	CHECK_STR(cfg.argv[0], "make");
	CHECK_STR(cfg.argv[1], "-j4");
	CHECK_STR(cfg.argv[2], "--keep-going");
	CHECK(cfg.argv[3] == NULL);
	CHECK(cfg.json);
	config_release(&cfg);
}

TEST(test_cli__command_options_are_its_own)
{
	struct config cfg;

	/* without "--": parsing stops at the command; its -p is not ours */
	CHECK_I64(PARSE(&cfg, "-d", "5", "grep", "-p", "-a", "x"), 0);
	CHECK_I64(cfg.target, TARGET_COMMAND);
	CHECK_STR(cfg.argv[0], "grep");
	CHECK_STR(cfg.argv[1], "-p");
	CHECK_U64(cfg.duration_ns, 5 * NSEC_PER_SEC);
	config_release(&cfg);
}

TEST(test_cli__pids)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-p", "42,4242", "--no-children"), 0);
	CHECK_I64(cfg.target, TARGET_PIDS);
	CHECK_I64(cfg.n_pids, 2);
	CHECK_I64(cfg.pids[0], 42);
	CHECK_I64(cfg.pids[1], 4242);
	CHECK(!cfg.follow_children);
	config_release(&cfg);
}

TEST(test_cli__bad_pids)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-p", "12x"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-p", "0"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-p", "-5"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-p", ","), -EINVAL);
	config_release(&cfg);
}

TEST(test_cli__cgroup_and_all)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "--cgroup", "system.slice/x.service", "-i", "500ms"), 0);
	CHECK_I64(cfg.target, TARGET_CGROUP);
	CHECK_STR(cfg.cgroup, "system.slice/x.service");
	CHECK_U64(cfg.interval_ns, 500 * NSEC_PER_MSEC);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--no-syscalls", "-o", "out.json"), 0);
	CHECK_I64(cfg.target, TARGET_ALL);
	CHECK_U64(cfg.subsys, SUB_DEFAULT & ~SUB_SYSCALLS);
	CHECK_STR(cfg.output, "out.json");
	config_release(&cfg);
}

TEST(test_cli__targets_exclusive)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-p", "1", "-a"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-c", "x", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--json"), -EINVAL); /* no target at all */
	config_release(&cfg);
}

TEST(test_cli__combination_checks)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-a", "--no-children"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-i", "10", "-d", "5"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--only", "io", "--no-io"), -EINVAL);
	config_release(&cfg);
}

TEST(test_cli__config_check)
{
	struct config cfg;
	char err[256];

	config_init(&cfg);
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "nothing to trace");
	cfg.target = TARGET_ALL;
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.subsys = SUB_OFFCPU | SUB_IO;
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), -1);
	CHECK_STR(err, "'offcpu' needs 'sched': not with '--no-sched'");
	cfg.subsys = SUB_IO;
	cfg.flamegraph = "x.svg";
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "'--flamegraph'");
	cfg.flamegraph = NULL;
	cfg.fail_on_alert = true;
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "'--fail-on-alert' needs alert rules");
	cfg.fail_on_alert = false;
	cfg.follow_children = false;
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "'--no-children' needs '-p' or a COMMAND");
	cfg.target = TARGET_PIDS;
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), 0);
	cfg.subsys = 0;
	CHECK_I64(config_validate(&cfg, err, sizeof(err)), -1);
	CHECK_CONTAINS(err, "every subsystem is off");
	config_release(&cfg);
}

/* No hidden options: glibc argp's --HANG (--H was enough to sleep an hour) is gone. */
TEST(test_cli__no_hidden_options)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "--H", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--HANG=1", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--program-name=x", "--", "true"), -EINVAL);
	config_release(&cfg);
	/* every subsystem option comes from the registry */
	for (const struct subsys_desc *d = subsystems; d->name; d++) {
		char opt[32];
		const char *argv[] = {"procscope", opt, "--", "true", NULL};

		if (!d->bit)
			continue;
		snprintf(opt, sizeof(opt), "--%s%s", d->on_by_default ? "no-" : "", d->name);
		config_init(&cfg);
		CHECK_I64(cli_parse(4, (char **)argv, &cfg, CLI_QUIET_RETURN), 0);
		CHECK(d->on_by_default ? !(cfg.subsys & d->bit) : !!(cfg.subsys & d->bit));
		config_release(&cfg);
	}
}

TEST(test_cli__values)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-a", "-d", "1.5"), 0);
	CHECK_U64(cfg.duration_ns, 1500 * NSEC_PER_MSEC);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", "2m", "--top", "3", "--max-procs", "100"), 0);
	CHECK_U64(cfg.duration_ns, 120 * NSEC_PER_SEC);
	CHECK_U64(cfg.top_n, 3);
	CHECK_U64(cfg.max_procs, 100);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", "soon"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", "0"), -EINVAL);
	config_release(&cfg);
	/* plain decimals: what strtod would also take is refused */
	CHECK_I64(PARSE(&cfg, "-a", "-d", "-5"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", "0x10"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", "1e2"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", "inf"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-d", ".5s"), 0);
	CHECK_U64(cfg.duration_ns, 500 * NSEC_PER_MSEC);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-i", "1ms"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--top", "0"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--max-procs", "1"), -EINVAL);
	config_release(&cfg);
}

TEST(test_cli__subsystems)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-a", "--only", "sched,io"), 0);
	CHECK_U64(cfg.subsys, SUB_SCHED | SUB_IO);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--no-net", "--no-mem", "--no-io", "--no-profile"), 0);
	CHECK_U64(cfg.subsys, SUB_DEFAULT & ~(SUB_NET | SUB_MEM | SUB_IO | SUB_PROFILE));
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--only", "net,mem", "--no-mem"), 0);
	CHECK_U64(cfg.subsys, SUB_NET);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--only", "disk"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--only", ","), -EINVAL);
	config_release(&cfg);
	CHECK_STR(subsys_name(SUB_NET), "net");
	CHECK_STR(subsys_name(SUB_OFFCPU), "offcpu");
}

TEST(test_cli__stacks)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-a", "-F", "49", "--flamegraph", "x.svg", "--pprof", "p.pb.gz"), 0);
	CHECK_U64(cfg.freq_hz, 49);
	CHECK_STR(cfg.flamegraph, "x.svg");
	CHECK_STR(cfg.pprof, "p.pb.gz");
	CHECK(!(cfg.subsys & SUB_OFFCPU)); /* off-CPU stacks only when asked */
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--folded-offcpu", "off.txt", "--offcpu-min", "100"), 0);
	CHECK(cfg.subsys & SUB_OFFCPU);
	CHECK_U64(cfg.offcpu_min_ns, 100 * NSEC_PER_USEC);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--offcpu", "--no-sched"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--no-profile", "--flamegraph", "x.svg"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "-F", "0"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--only", "profile", "--folded", "f.txt"), 0);
	CHECK_U64(cfg.subsys, SUB_PROFILE);
	config_release(&cfg);
}

TEST(test_cli__modes)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-a", "--bpf-stats", "full", "--syscall-timing", "all"), 0);
	CHECK_I64(cfg.bpf_stats, BPF_STATS_FULL);
	CHECK(cfg.syscall_time_all);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--bpf-stats", "off"), 0);
	CHECK_I64(cfg.bpf_stats, BPF_STATS_OFF);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--bpf-stats", "sometimes"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-a", "--syscall-timing", "never"), -EINVAL);
	config_release(&cfg);
}

TEST(test_cli__unknown_option)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "--frobnicate", "-a"), -EINVAL);
	config_release(&cfg);
}

TEST(test_cli__defaults)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "true"), 0);
	CHECK(cfg.follow_children);
	CHECK_I64(cfg.bpf_stats, BPF_STATS_SAMPLE);
	CHECK(!cfg.syscall_time_all);
	CHECK(!cfg.json);
	CHECK(cfg.output == NULL);
	CHECK_U64(cfg.subsys, SUB_DEFAULT);
	CHECK_U64(cfg.duration_ns, 0);
	CHECK_U64(cfg.top_n, 10);
	config_release(&cfg);
}

TEST(test_cli__parse_duration)
{
	uint64_t ns;

	CHECK_I64(parse_duration_ns("250ms", &ns, "s"), 0);
	CHECK_U64(ns, 250 * NSEC_PER_MSEC);
	CHECK_I64(parse_duration_ns("10", &ns, "ms"), 0);
	CHECK_U64(ns, 10 * NSEC_PER_MSEC);
	CHECK_I64(parse_duration_ns("1.5h", &ns, "s"), 0);
	CHECK_U64(ns, 5400 * NSEC_PER_SEC);
	CHECK_I64(parse_duration_ns("-1", &ns, "s"), -1);
	CHECK_I64(parse_duration_ns("5 s", &ns, "s"), -1);
	CHECK_I64(parse_duration_ns("5parsecs", &ns, "s"), -1);
	CHECK_I64(parse_duration_ns("nan", &ns, "s"), -1);
}

TEST(test_cli__alerts_and_baselines)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "--alert", "runq.p99 > 10ms", "--alert", "io.share > 30%",
			"--fail-on-alert", "--alert-exec", "/bin/true", "--", "make"),
		  0);
	CHECK(cfg.alerts && cfg.alerts->n_rules == 2);
	CHECK(cfg.fail_on_alert);
	CHECK_STR(cfg.alerts->exec, "/bin/true");
	config_release(&cfg);
	CHECK(cfg.alerts == NULL);

	/* "for N intervals" needs -i; "baseline" needs --baseline */
	CHECK_I64(PARSE(&cfg, "--alert", "cpu > 1s for 2 intervals", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-i", "1", "--alert", "cpu > 1s for 2 intervals", "--", "make"), 0);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--alert", "wall > 1.2 * baseline", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--baseline", "b.json", "--save-baseline", "c.json", "--alert",
			"wall > 1.2 * baseline", "--", "make"),
		  0);
	CHECK_STR(cfg.baseline, "b.json");
	CHECK_STR(cfg.save_baseline, "c.json");
	config_release(&cfg);

	/* a bad rule, a missing rules file, options that need rules */
	CHECK_I64(PARSE(&cfg, "--alert", "runq.p98 > 10ms", "--", "make"), -EINVAL);
	config_release(&cfg);
	/* raw paths: checked against the record's shape, for the target or a process */
	CHECK_I64(PARSE(&cfg, "--alert", "io.queue.p99_ns > 1ms", "--alert",
			"process.sched.wait.io_ns > 1s", "--", "make"),
		  0);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--alert", "breakdown.xyz > 0", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--alert", "process.io.queue.p98_ns > 1ms", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--alert", "process.io.devices > 1", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--alerts", "/nonexistent/rules", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--fail-on-alert", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--alert-exec", "/bin/true", "--", "make"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--baseline", "", "--", "make"), -EINVAL);
	config_release(&cfg);
}

/* An option that holds one value, given twice, is a usage error: the first would be lost. */
TEST(test_cli__given_twice)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "-o", "a", "-o", "b", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--json", "--json", "-a"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--no-io", "-a", "--no-io"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-d", "1", "-d", "2", "-a"), -EINVAL);
	config_release(&cfg);
	/* those that may repeat: every one kept, in order */
	CHECK_I64(PARSE(&cfg, "-v", "-v", "--alert", "wall > 1s", "--alert", "cpu > 1s", "-a"), 0);
	CHECK_I64(cfg.verbose, 2);
	CHECK_I64(cfg.alert_rules.n, 2);
	CHECK_STR(cfg.alert_rules.v[1], "cpu > 1s");
	config_release(&cfg);
}

/* The table's values by type: ranges, units, choices. */
TEST(test_cli__typed_values)
{
	struct config cfg;

	CHECK_I64(PARSE(&cfg, "--offcpu-min", "250", "--trace-max", "1M", "--trace", "t.pf",
			"--unwind", "fp", "--bpf-stats", "off", "--syscall-timing", "all", "-F",
			"499", "--", "true"),
		  0);
	CHECK_U64(cfg.offcpu_min_ns, 250000);
	CHECK_U64(cfg.trace_max, 1 << 20);
	CHECK_I64(cfg.unwind_fp, 1);
	CHECK_I64(cfg.bpf_stats, BPF_STATS_OFF);
	CHECK_I64(cfg.syscall_time_all, 1);
	CHECK_U64(cfg.freq_hz, 499);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-F", "10001", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--trace", "t", "--trace-max", "1K", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "--unwind", "dwarf", "--", "true"), -EINVAL);
	config_release(&cfg);
	CHECK_I64(PARSE(&cfg, "-i", "5ms", "-a"), -EINVAL);
	config_release(&cfg);
}

/* Every option of the table: a help line, a distinct key and name, and an argument named
 * when it takes one (what --help, the man page and the completion are made from). */
TEST(test_cli__option_table)
{
	size_t n;
	const struct opt_spec *o = cli_options(&n);

	CHECK(n > 30);
	for (size_t i = 0; i < n; i++) {
		CHECK(o[i].name && o[i].name[0]);
		CHECK(o[i].help || o[i].key == 0x101 /* --only: from the registry */);
		CHECK((o[i].arg != NULL) == (o[i].type != OT_FLAG && o[i].type != OT_COUNT &&
					     (o[i].type != OT_SPECIAL || o[i].arg)));
		if (o[i].type == OT_CHOICE)
			CHECK(o[i].what && strchr(o[i].what, '='));
		for (size_t k = 0; k < i; k++) {
			CHECK(o[k].key != o[i].key);
			CHECK(strcmp(o[k].name, o[i].name) != 0);
		}
	}
}
