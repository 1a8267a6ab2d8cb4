// SPDX-License-Identifier: GPL-2.0
/*
 * The command line as a table: argp options under headed groups, an EXAMPLES block
 * in --help, and the option-combination checks right after parsing, each naming both
 * flags. Option parsing stops at the first non-option argument (or "--"): that and
 * everything after it is the command to launch, as with time(1) and strace(1).
 */
#include <argp.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/alerts.h"
#include "app/cli.h"
#include "render/prometheus.h"
#include "app/promserve.h"
#include "lib/util.h"

const char *argp_program_version = "procscope " PROCSCOPE_VERSION;
const char *argp_program_bug_address = NULL;

static const char doc[] =
	"procscope -- where did the time of a workflow go, and what is its bottleneck? Traces "
	"a command, a process tree, a cgroup or the system with eBPF: scheduler, syscalls, "
	"block IO, TCP, memory, stacks; reports at exit, Ctrl-C, SIGTERM, and every -i seconds."
	"\v"
	"EXAMPLES:\n"
	"  procscope -- make -j4               profile a build and all it spawns\n"
	"  procscope --json -o run.ndjson -- ./pipeline.sh\n"
	"                                      NDJSON records into a file\n"
	"  procscope -p 4242 -i 5              a running process, a report every 5 s\n"
	"  procscope -p 4242,4243 --no-children -d 30\n"
	"                                      just these processes, for 30 seconds\n"
	"  procscope -c system.slice/etl.service\n"
	"                                      a cgroup v2 and its sub-cgroups\n"
	"  procscope -a -d 10 --only sched,io  the whole system: scheduler, disk\n"
	"  procscope --flamegraph cpu.svg -- ./build.sh\n"
	"                                      where it burns CPU, as a flame graph\n"
	"  procscope --offcpu --flamegraph wait.svg --pprof prof.pb.gz -p 4242 -d 30\n"
	"                                      where it runs and where it blocks\n"
	"  procscope --alert 'runq.p99 > 10ms' --alert 'io.share > 30%' \\\n"
	"            --fail-on-alert -- make   fail a CI job on long waits\n"
	"  procscope -i 5 --alert 'process.cpu.share > 95% for 3 intervals' \\\n"
	"            --alert-exec ./page.sh -p 4242\n"
	"                                      run a program when one pins a CPU\n"
	"  procscope -a -i 10 --prometheus :9464 --alerts /etc/procscope/alerts\n"
	"                                      a host monitor for Prometheus to scrape\n"
	"                                      (SIGHUP reads the alerts file again)\n"
	"  procscope --trace build.pftrace --html build.html -- make -j2\n"
	"                                      a timeline for ui.perfetto.dev, and the\n"
	"                                      report as a page for a CI artifact\n"
	"  procscope --check                   what this kernel supports\n"
	"  procscope --save-baseline base.json -- ./etl.sh\n"
	"  procscope --baseline base.json --alert 'wall > 1.2 * baseline' \\\n"
	"            -- ./etl.sh               compare with the earlier run\n"
	"\n"
	"SIGNALS:\n"
	"  SIGINT, SIGTERM: stop and write the report (with a COMMAND, passed on to it\n"
	"  first). SIGHUP: with a COMMAND, the same; otherwise (-a, -c, -p) the --alerts\n"
	"  files are read again, and a monitor keeps running.\n"
	"\n"
	"EXIT STATUS:\n"
	"  With a COMMAND, its exit status (128+N if killed by signal N; 127 if it\n"
	"  cannot be found, 126 if it cannot be executed). Otherwise 0. 1 on a\n"
	"  runtime failure, 2 on a usage error (a bad option, alert rule or baseline).\n"
	"  128+N if signal N stopped procscope before the command started.\n"
	"  With --fail-on-alert, 3 if any alert fired, whatever the command's status.\n"
	"\n"
	"Requires root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF.\n"
	"Documentation: README.md and docs/ (alerts: docs/alerts.md, JSON: docs/json-schema.md).";

static const char args_doc[] = "[--] COMMAND [ARG...]\n-p PID[,PID...]\n-c PATH\n-a";

enum {
	OPT_NO_CHILDREN = 0x100,
	OPT_ONLY,
	OPT_OFFCPU_MIN,
	OPT_FOLDED,
	OPT_FOLDED_OFFCPU,
	OPT_FLAMEGRAPH,
	OPT_PPROF,
	OPT_JSON,
	OPT_TOP,
	OPT_MAX_PROCS,
	OPT_MAX_ROWS,
	OPT_BPF_STATS,
	OPT_SC_TIMING,
	OPT_BTF,
	OPT_ALERT,
	OPT_ALERTS,
	OPT_ALERT_EXEC,
	OPT_FAIL_ON_ALERT,
	OPT_BASELINE,
	OPT_SAVE_BASELINE,
	OPT_HELP,
	OPT_USAGE,
	OPT_CHECK,
	OPT_UNWIND,
	OPT_UNWIND_ROWS,
	OPT_PROMETHEUS,
	OPT_PROM_LABELS,
	OPT_PROM_MAX_SERIES,
	OPT_TRACE,
	OPT_TRACE_MAX,
	OPT_HTML,
	OPT_SUBSYS = 0x1000, /* + index in subsystems[]: --no-NAME, or --NAME if off by default */
	OPT_SUBSYS_MAX = 16,
};

/* The options before the generated subsystem ones. */
static const struct argp_option head_options[] = {
	{NULL, 0, NULL, 0, "TARGET (one of):", 1},
	{"pid", 'p', "PID[,PID...]", 0, "Attach to running processes and the processes they start",
	 1},
	{"cgroup", 'c', "PATH", 0,
	 "Trace a cgroup v2 and its sub-cgroups (absolute, or relative to the cgroup2 mount)", 1},
	{"all", 'a', NULL, 0, "Trace the whole system", 1},
	{"no-children", OPT_NO_CHILDREN, NULL, 0,
	 "With -p or COMMAND: do not follow processes they start", 1},

	{NULL, 0, NULL, 0, "SUBSYSTEMS (all but offcpu on by default; off means not loaded):", 2},
	{"only", OPT_ONLY, "LIST", 0, NULL /* lists the names: filled in from the registry */, 2},
	{0},
};

/* The options after them. */
static const struct argp_option tail_options[] = {
	{NULL, 0, NULL, 0, "STACKS:", 5},
	{"freq", 'F', "HZ", 0, "On-CPU sampling frequency (default 99)", 5},
	{"offcpu-min", OPT_OFFCPU_MIN, "USEC", 0,
	 "Off-CPU intervals shorter than USEC are not counted (default 1)", 5},
	{"folded", OPT_FOLDED, "FILE", 0, "On-CPU stacks, folded (one line per stack, samples)", 5},
	{"folded-offcpu", OPT_FOLDED_OFFCPU, "FILE", 0,
	 "Off-CPU stacks, folded, weighted in microseconds (implies --offcpu)", 5},
	{"flamegraph", OPT_FLAMEGRAPH, "FILE", 0,
	 "Interactive SVG flame graph (on-CPU and, with --offcpu, off-CPU by time)", 5},
	{"pprof", OPT_PPROF, "FILE", 0, "gzipped pprof protobuf (for pprof and profile stores)", 5},
	{"unwind", OPT_UNWIND, "MODE", 0,
	 "How user stacks are walked: cfi (default: the files' unwind tables, so code built "
	 "without frame pointers unwinds whole), or fp (frame pointers only)",
	 5},

	{NULL, 0, NULL, 0, "OUTPUT:", 3},
	{"duration", 'd', "SEC", 0, "Stop after SEC seconds (units: ms, s, m, h)", 3},
	{"interval", 'i', "SEC", 0, "Also report every SEC seconds (the change since the last)", 3},
	{"json", OPT_JSON, NULL, 0, "NDJSON records instead of text (docs/json-schema.md)", 3},
	{"prometheus", OPT_PROMETHEUS, "[ADDR:]PORT", 0,
	 "Serve the metrics at http://ADDR:PORT/metrics for Prometheus to scrape, updated every "
	 "-i (10 s without it; docs/metrics.md, *Prometheus*)",
	 3},
	{"prometheus-labels", OPT_PROM_LABELS, "pid", 0,
	 "Also label the metrics by pid (one series set per process, not per command)", 3},
	{"prometheus-max-series", OPT_PROM_MAX_SERIES, "N", 0,
	 "At most N series on the endpoint (default 10000); what is left out is counted", 3},
	{"output", 'o', "FILE", 0, "Write the report to FILE (complete, or not at all)", 3},
	{"html", OPT_HTML, "FILE", 0,
	 "The report as one self-contained HTML page: findings, breakdown, a zoomable timeline "
	 "of the steps, the tables, the flame graphs",
	 3},
	{"trace", OPT_TRACE, "FILE", 0,
	 "A timeline for ui.perfetto.dev (Perfetto protobuf): every thread's states, wake-ups, "
	 "the process tree, counters, the critical path and findings",
	 3},
	{"trace-max", OPT_TRACE_MAX, "SIZE", 0,
	 "Events in --trace up to SIZE bytes (K, M, G; default 256M), the rest counted", 3},
	{"top", OPT_TOP, "N", 0, "Rows per table in the text report (default 10)", 3},

	{NULL, 0, NULL, 0, "ALERTS AND BASELINES (docs/alerts.md):", 6},
	{"alert", OPT_ALERT, "RULE", 0,
	 "Alert when RULE holds, e.g. 'runq.p99 > 10ms', 'process[make].cpu.share > 90%', "
	 "'io.share > 30% for 3 intervals', 'wall > 1.2 * baseline' (repeatable)",
	 6},
	{"alerts", OPT_ALERTS, "FILE", 0, "Alert rules from FILE, one per line, # comments", 6},
	{"alert-exec", OPT_ALERT_EXEC, "PROGRAM", 0,
	 "Run PROGRAM (no shell, no arguments) for each alert, the alert in PROCSCOPE_ALERT_* "
	 "variables",
	 6},
	{"fail-on-alert", OPT_FAIL_ON_ALERT, NULL, 0,
	 "Exit with status 3 if any alert fired (for CI gates)", 6},
	{"save-baseline", OPT_SAVE_BASELINE, "FILE", 0,
	 "Write the final JSON report to FILE, to compare later runs with", 6},
	{"baseline", OPT_BASELINE, "FILE", 0,
	 "Compare this run with a saved report (--save-baseline, or --json output): regressions "
	 "per metric and per step",
	 6},

	{NULL, 0, NULL, 0, "LIMITS AND SETUP:", 4},
	{"max-procs", OPT_MAX_PROCS, "N", 0,
	 "Processes tracked individually (default 4096); the rest are counted as [overflow]", 4},
	{"max-rows", OPT_MAX_ROWS, "N", 0,
	 "Per-process distributions kept (default 8192); see docs/metrics.md", 4},
	{"unwind-rows", OPT_UNWIND_ROWS, "N", 0,
	 "Unwind table rows held in the kernel, 8 bytes each (default 1048576); files beyond "
	 "are walked with frame pointers",
	 4},
	{"syscall-timing", OPT_SC_TIMING, "MODE", 0,
	 "adaptive (default): time every call of a (process, syscall) pair up to 4000/s, "
	 "1 in 16 above; all: time every call (exact totals, ~100ns more per syscall)",
	 4},
	{"bpf-stats", OPT_BPF_STATS, "MODE", 0,
	 "The BPF programs' own run time: sample (default: measured 50 ms of every second), full, "
	 "or off",
	 4},
	{"btf", OPT_BTF, "FILE", 0, "Kernel BTF to use instead of /sys/kernel/btf/vmlinux", 4},
	{"verbose", 'v', NULL, 0, "More diagnostics on stderr (twice: libbpf's too)", 4},
	{"check", OPT_CHECK, NULL, 0,
	 "Load every subsystem, attach nothing, and say what this kernel supports (exit status 1 "
	 "if a subsystem cannot load)",
	 4},
	/* argp's own --help and --usage, without its hidden --HANG and --program-name */
	{"help", OPT_HELP, NULL, 0, "Give this help list", -1},
	{"usage", OPT_USAGE, NULL, 0, "Give a short usage message", -1},
	{"version", 'V', NULL, 0, "Print the program version", -1},
	{0},
};

struct parse_state {
	struct config *cfg;
	int targets;	      /* how many target options were given */
	unsigned int only;    /* --only, 0 if not given */
	unsigned int without; /* --no-<subsystem> */
	unsigned int with;    /* --offcpu and what implies it */
};

int config_alerts(const struct config *cfg, struct alerts *a, char *err, size_t len)
{
	/* the endpoint's refreshes are intervals too, for the rules */
	bool base = cfg->baseline, ival = cfg->interval_ns || cfg->prometheus;

	memset(a, 0, sizeof(*a));
	a->exec = cfg->alert_exec;
	for (int i = 0; i < cfg->n_alert_rules; i++)
		if (alerts_add(a, cfg->alert_rules[i], base, ival, err, len))
			goto fail;
	for (int i = 0; i < cfg->n_alert_files; i++)
		if (alerts_add_file(a, cfg->alert_files[i], base, ival, err, len))
			goto fail;
	return 0;
fail:
	alerts_release(a);
	return -1;
}

/* The rules of --alert and --alerts, checked now: a bad one is a usage error. */
static int parse_alerts(struct argp_state *state, struct config *cfg)
{
	char err[512];

	if (!cfg->n_alert_rules && !cfg->n_alert_files)
		return 0;
	cfg->alerts = xcalloc(1, sizeof(*cfg->alerts));
	if (config_alerts(cfg, cfg->alerts, err, sizeof(err))) {
		argp_error(state, "%s", err);
		return -1;
	}
	return 0;
}

static int parse_uint(const char *s, unsigned int min, unsigned int max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max || s[0] == '-')
		return -1;
	*out = (unsigned int)v;
	return 0;
}

static int parse_pids(struct argp_state *state, struct config *cfg, const char *arg)
{
	char *copy = xstrdup(arg), *save = NULL, *tok;

	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned int pid;

		if (parse_uint(tok, 1, INT_MAX, &pid)) {
			argp_error(state, "invalid pid '%s' in '-p %s'", tok, arg);
			free(copy);
			return EINVAL;
		}
		cfg->pids = xrealloc(cfg->pids, sizeof(*cfg->pids) * (cfg->n_pids + 1));
		cfg->pids[cfg->n_pids++] = (int)pid;
	}
	free(copy);
	if (!cfg->n_pids) {
		argp_error(state, "'-p' needs at least one pid");
		return EINVAL;
	}
	return 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct config *cfg = ps->cfg;
	unsigned int v;

	switch (key) {
	case 'p':
		ps->targets++;
		cfg->target = TARGET_PIDS;
		return parse_pids(state, cfg, arg);
	case 'c':
		ps->targets++;
		cfg->target = TARGET_CGROUP;
		cfg->cgroup = arg;
		return 0;
	case 'a':
		ps->targets++;
		cfg->target = TARGET_ALL;
		return 0;
	case OPT_NO_CHILDREN:
		cfg->follow_children = false;
		return 0;
	case 'F':
		if (parse_uint(arg, 1, 10000, &cfg->freq_hz)) {
			argp_error(state, "invalid '-F %s' (1 to 10000 Hz)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_OFFCPU_MIN: {
		unsigned int us;

		if (parse_uint(arg, 0, 60000000, &us)) {
			argp_error(state, "invalid '--offcpu-min %s' (microseconds)", arg);
			return EINVAL;
		}
		cfg->offcpu_min_ns = (uint64_t)us * NSEC_PER_USEC;
		return 0;
	}
	case OPT_TRACE_MAX:
		if (parse_size_bytes(arg, &cfg->trace_max) || cfg->trace_max < 4096) {
			argp_error(state, "invalid '--trace-max %s' (a size of at least 4K)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_FOLDED:
	case OPT_FOLDED_OFFCPU:
	case OPT_FLAMEGRAPH:
	case OPT_PPROF:
	case OPT_TRACE:
	case OPT_HTML:
		if (!*arg) {
			argp_error(state, "an output option needs a file name");
			return EINVAL;
		}
		if (key == OPT_FOLDED)
			cfg->folded = arg;
		else if (key == OPT_FOLDED_OFFCPU) {
			cfg->folded_offcpu = arg;
			ps->with |= SUB_OFFCPU;
		} else if (key == OPT_FLAMEGRAPH)
			cfg->flamegraph = arg;
		else if (key == OPT_TRACE)
			cfg->trace = arg;
		else if (key == OPT_HTML)
			cfg->html = arg;
		else
			cfg->pprof = arg;
		return 0;
	case OPT_ONLY: {
		char bad[64];

		if (subsys_parse(arg, &ps->only, bad, sizeof(bad))) {
			argp_error(state, "unknown subsystem '%s' in '--only %s' (%s)", bad, arg,
				   subsys_list());
			return EINVAL;
		}
		return 0;
	}
	case 'd':
		if (parse_duration_ns(arg, &cfg->duration_ns, "s") || !cfg->duration_ns) {
			argp_error(state, "invalid duration '%s' (e.g. 10, 500ms, 2m)", arg);
			return EINVAL;
		}
		return 0;
	case 'i':
		if (parse_duration_ns(arg, &cfg->interval_ns, "s") ||
		    cfg->interval_ns < 10 * NSEC_PER_MSEC) {
			argp_error(state, "invalid interval '%s' (at least 10ms, e.g. 1, 500ms)",
				   arg);
			return EINVAL;
		}
		return 0;
	case OPT_JSON:
		cfg->json = true;
		return 0;
	case OPT_PROMETHEUS: {
		struct sockaddr_storage ss;
		socklen_t sl;
		char why[256];

		if (promserve_parse(arg, &ss, &sl, why, sizeof(why))) {
			argp_error(state, "invalid '--prometheus %s': %s", arg, why);
			return EINVAL;
		}
		cfg->prometheus = arg;
		return 0;
	}
	case OPT_PROM_LABELS:
		if (strcmp(arg, "pid")) {
			argp_error(state, "invalid '--prometheus-labels %s' (pid)", arg);
			return EINVAL;
		}
		cfg->prom_labels |= PROM_LABEL_PID;
		return 0;
	case OPT_PROM_MAX_SERIES:
		if (parse_uint(arg, 100, 10000000, &v)) {
			argp_error(state, "invalid '--prometheus-max-series %s' (100 to 10000000)",
				   arg);
			return EINVAL;
		}
		cfg->prom_max_series = v;
		return 0;
	case 'o':
		if (!*arg) {
			argp_error(state, "'-o' needs a file name");
			return EINVAL;
		}
		cfg->output = arg;
		return 0;
	case OPT_TOP:
		if (parse_uint(arg, 1, 100000, &cfg->top_n)) {
			argp_error(state, "invalid '--top %s' (a number from 1)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_MAX_PROCS:
		if (parse_uint(arg, 16, MAX_PROCS_LIMIT, &v)) {
			argp_error(state, "invalid '--max-procs %s' (16 to 1048576)", arg);
			return EINVAL;
		}
		cfg->max_procs = v;
		return 0;
	case OPT_MAX_ROWS:
		if (parse_uint(arg, 64, 65535 - 1024, &v)) {
			argp_error(state, "invalid '--max-rows %s' (64 to 64511)", arg);
			return EINVAL;
		}
		cfg->max_rows = v;
		return 0;
	case OPT_BPF_STATS:
		if (strcmp(arg, "sample") == 0)
			cfg->bpf_stats = BPF_STATS_SAMPLE;
		else if (strcmp(arg, "full") == 0)
			cfg->bpf_stats = BPF_STATS_FULL;
		else if (strcmp(arg, "off") == 0)
			cfg->bpf_stats = BPF_STATS_OFF;
		else {
			argp_error(state, "invalid '--bpf-stats %s' (sample, full or off)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_UNWIND:
		if (strcmp(arg, "cfi") == 0)
			cfg->unwind_fp = false;
		else if (strcmp(arg, "fp") == 0)
			cfg->unwind_fp = true;
		else {
			argp_error(state, "invalid '--unwind %s' (cfi or fp)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_UNWIND_ROWS:
		if (parse_uint(arg, 1024, 1U << 26, &v)) {
			argp_error(state, "invalid '--unwind-rows %s' (1024 to 67108864)", arg);
			return EINVAL;
		}
		cfg->unwind_rows = v;
		return 0;
	case OPT_SC_TIMING:
		if (strcmp(arg, "adaptive") == 0)
			cfg->syscall_time_all = false;
		else if (strcmp(arg, "all") == 0)
			cfg->syscall_time_all = true;
		else {
			argp_error(state, "invalid '--syscall-timing %s' (adaptive or all)", arg);
			return EINVAL;
		}
		return 0;
	case OPT_BTF:
		cfg->btf_path = arg;
		return 0;
	case 'v':
		cfg->verbose++;
		return 0;
	case OPT_ALERT:
		cfg->alert_rules = xrealloc(cfg->alert_rules,
					    sizeof(*cfg->alert_rules) * (cfg->n_alert_rules + 1));
		cfg->alert_rules[cfg->n_alert_rules++] = arg;
		return 0;
	case OPT_ALERTS:
		cfg->alert_files = xrealloc(cfg->alert_files,
					    sizeof(*cfg->alert_files) * (cfg->n_alert_files + 1));
		cfg->alert_files[cfg->n_alert_files++] = arg;
		return 0;
	case OPT_ALERT_EXEC:
		if (!*arg) {
			argp_error(state, "'--alert-exec' needs a program");
			return EINVAL;
		}
		cfg->alert_exec = arg;
		return 0;
	case OPT_FAIL_ON_ALERT:
		cfg->fail_on_alert = true;
		return 0;
	case OPT_BASELINE:
	case OPT_SAVE_BASELINE:
		if (!*arg) {
			argp_error(state, "'--%s' needs a file name",
				   key == OPT_BASELINE ? "baseline" : "save-baseline");
			return EINVAL;
		}
		if (key == OPT_BASELINE)
			cfg->baseline = arg;
		else
			cfg->save_baseline = arg;
		return 0;
	case ARGP_KEY_ARG:
		/* the command: this argument and all that follow, options or not */
		cfg->argv = &state->argv[state->next - 1];
		cfg->argc = state->argc - state->next + 1;
		state->next = state->argc;
		ps->targets++;
		cfg->target = TARGET_COMMAND;
		return 0;
	case OPT_CHECK:
		cfg->check = true;
		return 0;
	case OPT_HELP:
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		return 0;
	case 'V':
		printf("%s\n", argp_program_version);
		if (!(state->flags & ARGP_NO_EXIT))
			exit(0);
		return 0;
	case ARGP_KEY_END: {
		char err[256];

		cfg->subsys = ((ps->only ? ps->only : SUB_DEFAULT) | ps->with) & ~ps->without;
		if (ps->targets > 1) {
			argp_error(state,
				   "COMMAND, '-p', '-c' and '-a' cannot be combined: pick one");
			return EINVAL;
		}
		if (config_check(cfg, err, sizeof(err))) {
			argp_error(state, "%s", err);
			return EINVAL;
		}
		return parse_alerts(state, cfg) ? EINVAL : 0;
	}
	default:
		if (key >= OPT_SUBSYS && key < OPT_SUBSYS + OPT_SUBSYS_MAX &&
		    subsystems[key - OPT_SUBSYS].name) {
			const struct subsys_desc *d = &subsystems[key - OPT_SUBSYS];

			if (d->on_by_default)
				ps->without |= d->bit;
			else
				ps->with |= d->bit;
			return 0;
		}
		return ARGP_ERR_UNKNOWN;
	}
}

int config_check(const struct config *cfg, char *err, size_t len)
{
	if (cfg->check) {
		if (cfg->target == TARGET_NONE)
			return 0;
		snprintf(err, len,
			 "'--check' traces nothing: no COMMAND, '-p', '-c' or '-a' with it");
		return -1;
	}
	if (cfg->target == TARGET_NONE) {
		snprintf(err, len, "nothing to trace: give a COMMAND, -p PID, -c PATH or -a");
		return -1;
	}
	if (!cfg->follow_children && cfg->target != TARGET_PIDS && cfg->target != TARGET_COMMAND) {
		snprintf(err, len, "'--no-children' needs '-p' or a COMMAND");
		return -1;
	}
	if (cfg->interval_ns && cfg->duration_ns && cfg->interval_ns > cfg->duration_ns) {
		snprintf(err, len, "'--interval' is longer than '--duration'");
		return -1;
	}
	if (!cfg->subsys) {
		snprintf(err, len, "every subsystem is off: nothing to measure");
		return -1;
	}
	for (const struct subsys_desc *d = subsystems; d->name; d++) {
		if ((cfg->subsys & d->bit) && (cfg->subsys & d->needs) != d->needs) {
			snprintf(err, len, "'%s' needs '%s': not with '--no-%s'", d->name,
				 subsys_name(d->needs), subsys_name(d->needs));
			return -1;
		}
	}
	if ((cfg->folded || cfg->flamegraph || cfg->pprof) && !(cfg->subsys & SUB_STACKS)) {
		snprintf(err, len,
			 "'--folded', '--flamegraph' and '--pprof' need stacks: not with "
			 "'--no-profile' unless '--offcpu'");
		return -1;
	}
	if (cfg->trace && !(cfg->subsys & SUB_SCHED)) {
		snprintf(err, len, "'--trace' needs 'sched': not with '--no-sched'");
		return -1;
	}
	if (cfg->trace_max && !cfg->trace) {
		snprintf(err, len, "'--trace-max' needs '--trace'");
		return -1;
	}
	if ((cfg->prom_labels || cfg->prom_max_series) && !cfg->prometheus) {
		snprintf(err, len, "'%s' needs '--prometheus'",
			 cfg->prom_labels ? "--prometheus-labels" : "--prometheus-max-series");
		return -1;
	}
	if ((cfg->alert_exec || cfg->fail_on_alert) && !cfg->n_alert_rules && !cfg->n_alert_files) {
		snprintf(err, len, "'%s' needs alert rules: '--alert RULE' or '--alerts FILE'",
			 cfg->alert_exec ? "--alert-exec" : "--fail-on-alert");
		return -1;
	}
	return 0;
}

void config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->follow_children = true;
	cfg->subsys = SUB_DEFAULT;
	cfg->top_n = 10;
	cfg->max_procs = 4096;
	cfg->max_rows = 8192;
	cfg->bpf_stats = BPF_STATS_SAMPLE;
	cfg->freq_hz = 99;
	cfg->unwind_rows = 1U << 20;
	cfg->offcpu_min_ns = NSEC_PER_USEC;
}

void config_release(struct config *cfg)
{
	free(cfg->pids);
	cfg->pids = NULL;
	cfg->n_pids = 0;
	free(cfg->alert_rules);
	free(cfg->alert_files);
	cfg->alert_rules = cfg->alert_files = NULL;
	cfg->n_alert_rules = cfg->n_alert_files = 0;
	if (cfg->alerts) {
		alerts_release(cfg->alerts);
		free(cfg->alerts);
		cfg->alerts = NULL;
	}
}

/* head + one option per subsystem + tail, with the --only help naming them all. */
static struct argp_option *build_options(void)
{
	static struct argp_option *opts;
	static char only_help[256], names[OPT_SUBSYS_MAX][24];
	size_t n_head = ARRAY_SIZE(head_options) - 1, n_tail = ARRAY_SIZE(tail_options), k = 0;
	size_t n_sub = 0;

	if (opts)
		return opts;
	while (subsystems[n_sub].name)
		n_sub++;
	opts = xcalloc(n_head + n_sub + n_tail, sizeof(*opts));
	for (size_t i = 0; i < n_head; i++) {
		opts[k] = head_options[i];
		if (opts[k].key == OPT_ONLY) {
			snprintf(only_help, sizeof(only_help),
				 "Only these subsystems: comma-separated from %s", subsys_list());
			opts[k].doc = only_help;
		}
		k++;
	}
	for (size_t i = 0; i < n_sub && i < ARRAY_SIZE(names); i++) {
		const struct subsys_desc *d = &subsystems[i];

		if (!d->bit)
			continue;
		snprintf(names[i], sizeof(names[i]), "%s%s", d->on_by_default ? "no-" : "",
			 d->name);
		opts[k++] =
			(struct argp_option){names[i], OPT_SUBSYS + (int)i, NULL, 0, d->help, 2};
	}
	memcpy(&opts[k], tail_options, sizeof(tail_options));
	return opts;
}

int cli_parse(int argc, char **argv, struct config *cfg, enum cli_flags flags)
{
	const struct argp argp = {build_options(), parse_opt, args_doc, doc};
	struct parse_state ps = {.cfg = cfg};
	unsigned int aflags = ARGP_IN_ORDER | ARGP_NO_HELP;
	int err;

	argp_err_exit_status = EXIT_USAGE;
	if (flags & CLI_QUIET_RETURN)
		aflags |= ARGP_NO_EXIT | ARGP_NO_ERRS;
	err = argp_parse(&argp, argc, argv, aflags, NULL, &ps);
	return err ? -EINVAL : 0;
}
