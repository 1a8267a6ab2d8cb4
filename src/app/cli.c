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
#include <stddef.h>
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
	"  procscope -- psql -c 'select ...'   a client of a local server: the path goes\n"
	"                                      into the server (a peer) and names its\n"
	"                                      bottleneck\n"
	"  procscope --json -o run.ndjson -- ./pipeline.sh\n"
	"                                      NDJSON records into a file\n"
	"  procscope -p 4242 -i 5              a running process, a report every 5 s\n"
	"  procscope -a -i 1 --json | jq -c .target.sched\n"
	"                                      a record a second into a pipeline (it\n"
	"                                      ends when its reader does)\n"
	"  procscope -p 4242,4243 --no-children -d 30\n"
	"                                      just these processes, for 30 seconds\n"
	"  procscope -c system.slice/etl.service\n"
	"                                      a cgroup v2 and its sub-cgroups\n"
	"  procscope -c 6fbf6cedd59b -d 30     a container, by the id docker ps shows\n"
	"  procscope -a -d 10 --only sched,io  the whole system: scheduler, disk\n"
	"  procscope --flamegraph cpu.svg -- ./build.sh\n"
	"                                      where it burns CPU, as a flame graph\n"
	"  procscope --offcpu --flamegraph wait.svg --pprof prof.pb.gz -p 4242 -d 30\n"
	"                                      where it runs and where it blocks\n"
	"  procscope --offcpu --folded-offcpu py.txt -- python3 etl.py\n"
	"                                      a Python program's waits, by function\n"
	"                                      and line: middle (etl.py:9)\n"
	"  procscope --alert 'runq.p99 > 10ms' --alert 'io.share > 30%' \\\n"
	"            --fail-on-alert -- make   fail a CI job on long waits\n"
	"  procscope -i 5 --alert 'process.cpu.share > 95% for 3 intervals' \\\n"
	"            --alert-exec ./page.sh -p 4242\n"
	"                                      run a program when one pins a CPU\n"
	"  procscope -a -i 10 --prometheus :9464 --alerts /etc/procscope/alerts\n"
	"                                      a host monitor for Prometheus to scrape\n"
	"                                      (SIGHUP reads the alerts file again)\n"
	"  procscope -a --prometheus :9464 --web-config /etc/procscope/web.yml\n"
	"                                      the same, over TLS, with passwords\n"
	"  procscope -a -i 5 --alert 'runq.p99 > 20ms' --flight-recorder 60s \\\n"
	"            --flight-recorder-dir /var/tmp/fr\n"
	"                                      when the alert fires, the minute before it\n"
	"                                      as a Perfetto trace and a JSON report\n"
	"                                      (and on SIGUSR1: kill -USR1 PID)\n"
	"  procscope --trace build.pftrace --html build.html -- make -j2\n"
	"                                      a timeline for ui.perfetto.dev, and the\n"
	"                                      report as a page for a CI artifact\n"
	"  procscope -c batch.slice --alert 'mem.refaults > 10000' -d 60\n"
	"                                      a job re-reading what its memory limit\n"
	"                                      evicted\n"
	"  procscope --check                   what this kernel supports\n"
	"  procscope --save-baseline base.json -- ./etl.sh\n"
	"  procscope --baseline base.json --alert 'wall > 1.2 * baseline' \\\n"
	"            -- ./etl.sh               compare with the earlier run\n"
	"\n"
	"SIGNALS:\n"
	"  SIGINT, SIGTERM: stop and write the report (with a COMMAND, passed on to it\n"
	"  first). SIGHUP: with a COMMAND, the same; otherwise (-a, -c, -p) the alerts\n"
	"  files (--alerts) are read again, and a monitor keeps running. SIGUSR1: with\n"
	"  --flight-recorder, its window written to --flight-recorder-dir.\n"
	"\n"
	"EXIT STATUS:\n"
	"  With a COMMAND, its exit status (128+N if killed by signal N; 127 if it\n"
	"  cannot be found, 126 if it cannot be executed). Otherwise 0. 1 on a\n"
	"  runtime failure, 2 on a usage error (a bad option, alert rule or baseline).\n"
	"  128+N if signal N stopped procscope before the command started.\n"
	"  With --fail-on-alert, 3 if any alert fired, whatever the command's status.\n"
	"  A record that cannot be written (the reader of a pipe gone, a full disk)\n"
	"  ends the run: 141 if the reader is gone, else 1; a COMMAND runs on\n"
	"  untraced, and its status is procscope's once it exits.\n"
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
	OPT_NO_PYTHON,
	OPT_PROMETHEUS,
	OPT_PROM_LABELS,
	OPT_PROM_MAX_SERIES,
	OPT_WEB_CONFIG,
	OPT_TRACE,
	OPT_TRACE_MAX,
	OPT_FLIGHT,
	OPT_FLIGHT_MAX,
	OPT_FLIGHT_DIR,
	OPT_FLIGHT_KEEP,
	OPT_HTML,
	OPT_MAX_PEERS,
	OPT_PEER_DEPTH,
	OPT_SUBSYS = 0x1000, /* + index in subsystems[]: --no-NAME, or --NAME if off by default */
	OPT_SUBSYS_MAX = 16,
};

#define CFG(field) offsetof(struct config, field)

/*
 * Every option but the generated --no-SUBSYSTEM ones, in --help's order within its group.
 * A value is parsed by its type into the config field at @off; what the type cannot say
 * (pids, --only, --prometheus ...) is said in parse_special(). An option given twice is
 * a usage error unless OF_REPEAT.
 */
static const struct opt_spec options[] = {
	{"pid", 'p', "PID[,PID...]", G_TARGET, OT_SPECIAL, 0, 0, 0, NULL, "pid",
	 "Attach to running processes and the processes they start"},
	{"cgroup", 'c', "PATH", G_TARGET, OT_SPECIAL, 0, 0, 0, NULL, "cgroup",
	 "Trace a cgroup v2 and its sub-cgroups: a path (absolute, or relative to the cgroup2 "
	 "mount), a systemd unit (nginx.service) or a container's id (12 digits at least)"},
	{"all", 'a', NULL, G_TARGET, OT_SPECIAL, 0, 0, 0, NULL, NULL, "Trace the whole system"},
	{"no-children", OPT_NO_CHILDREN, NULL, G_TARGET, OT_SPECIAL, 0, 0, 0, NULL, NULL,
	 "With -p or COMMAND: do not follow processes they start"},
	{"max-peers", OPT_MAX_PEERS, "N", G_TARGET, OT_UINT, CFG(max_peers), 0, 4096, "0 to 4096",
	 NULL,
	 "Follow at most N peers: processes outside the target that it waits on or wakes (a "
	 "local server, a daemon; default 32, 0: none), to put their work on the critical path"},
	{"peer-depth", OPT_PEER_DEPTH, "N", G_TARGET, OT_UINT, CFG(peer_depth), 1, 16, "1 to 16",
	 NULL, "Peers up to N hops from the target: a server's own database is 2 (default 3)"},

	{"only", OPT_ONLY, "LIST", G_SUBSYS, OT_SPECIAL, 0, 0, 0, NULL, "subsystems",
	 NULL /* lists the names: filled in from the registry */},

	{"freq", 'F', "HZ", G_STACKS, OT_UINT, CFG(freq_hz), 1, 10000, "1 to 10000 Hz", NULL,
	 "On-CPU sampling frequency (default 99)"},
	{"offcpu-min", OPT_OFFCPU_MIN, "USEC", G_STACKS, OT_USEC, CFG(offcpu_min_ns), 0, 60000000,
	 "microseconds", NULL, "Off-CPU intervals shorter than USEC are not counted (default 1)"},
	{"folded", OPT_FOLDED, "FILE", G_STACKS, OT_PATH, CFG(folded), 0, 0, NULL, "file",
	 "On-CPU stacks, folded (one line per stack, samples)"},
	{"folded-offcpu", OPT_FOLDED_OFFCPU, "FILE", G_STACKS, OT_PATH, CFG(folded_offcpu), 0, 0,
	 NULL, "file", "Off-CPU stacks, folded, weighted in microseconds (implies --offcpu)",
	 OF_OFFCPU},
	{"flamegraph", OPT_FLAMEGRAPH, "FILE", G_STACKS, OT_PATH, CFG(flamegraph), 0, 0, NULL,
	 "file", "Interactive SVG flame graph (on-CPU and, with --offcpu, off-CPU by time)"},
	{"pprof", OPT_PPROF, "FILE", G_STACKS, OT_PATH, CFG(pprof), 0, 0, NULL, "file",
	 "gzipped pprof protobuf (for pprof and profile stores)"},
	{"unwind", OPT_UNWIND, "MODE", G_STACKS, OT_CHOICE, CFG(unwind_fp), 0, 0, "cfi=0,fp=1",
	 NULL,
	 "How user stacks are walked: cfi (default: the files' unwind tables, so code built "
	 "without frame pointers unwinds whole), or fp (frame pointers only)"},
	{"no-python-frames", OPT_NO_PYTHON, NULL, G_STACKS, OT_FLAG, CFG(no_python), 0, 0, NULL,
	 NULL,
	 "Python stacks as the interpreter's own C frames only (by default, CPython 3.11-3.13's "
	 "Python frames stand where it ran them: function (file.py:line))"},

	{"duration", 'd', "SEC", G_OUTPUT, OT_DURATION, CFG(duration_ns), 1, 0,
	 "a duration, e.g. 10, 500ms, 2m", NULL, "Stop after SEC seconds (units: ms, s, m, h)"},
	{"interval", 'i', "SEC", G_OUTPUT, OT_DURATION, CFG(interval_ns), 10 * NSEC_PER_MSEC, 0,
	 "at least 10ms, e.g. 1, 500ms", NULL,
	 "Also report every SEC seconds (the change since the last)"},
	{"json", OPT_JSON, NULL, G_OUTPUT, OT_FLAG, CFG(json), 0, 0, NULL, NULL,
	 "NDJSON records instead of text (docs/json-schema.md)"},
	{"prometheus", OPT_PROMETHEUS, "[ADDR:]PORT", G_OUTPUT, OT_SPECIAL, 0, 0, 0, NULL, NULL,
	 "Serve the metrics at http://ADDR:PORT/metrics for Prometheus to scrape, updated every "
	 "-i (10 s without it; docs/metrics.md, *Prometheus*)"},
	{"prometheus-labels", OPT_PROM_LABELS, "pid", G_OUTPUT, OT_CHOICE, CFG(prom_labels), 0, 0,
	 "pid=1", NULL,
	 "Also label the metrics by pid (one series set per process, not per command)"},
	{"prometheus-max-series", OPT_PROM_MAX_SERIES, "N", G_OUTPUT, OT_UINT, CFG(prom_max_series),
	 100, 10000000, "100 to 10000000", NULL,
	 "At most N series on the endpoint (default 10000); what is left out is counted"},
	{"web-config", OPT_WEB_CONFIG, "FILE", G_OUTPUT, OT_PATH, CFG(web_config), 0, 0, NULL,
	 "file",
	 "Serve --prometheus over TLS and/or to users with a password, as FILE says (the "
	 "Prometheus exporter-toolkit's format: tls_server_config, basic_auth_users with bcrypt "
	 "hashes)"},
	{"output", 'o', "FILE", G_OUTPUT, OT_PATH, CFG(output), 0, 0, NULL, "file",
	 "Write the report to FILE (complete, or not at all)"},
	{"html", OPT_HTML, "FILE", G_OUTPUT, OT_PATH, CFG(html), 0, 0, NULL, "file",
	 "The report as one self-contained HTML page: findings, breakdown, a zoomable timeline "
	 "of the steps, the tables, the flame graphs"},
	{"trace", OPT_TRACE, "FILE", G_OUTPUT, OT_PATH, CFG(trace), 0, 0, NULL, "file",
	 "A timeline for ui.perfetto.dev (Perfetto protobuf): every thread's states, wake-ups, "
	 "the process tree, counters, the critical path and findings"},
	{"trace-max", OPT_TRACE_MAX, "SIZE", G_OUTPUT, OT_SIZE, CFG(trace_max), 4096, 0,
	 "a size of at least 4K", NULL,
	 "Events in --trace up to SIZE bytes (K, M, G; default 256M), the rest counted"},
	{"flight-recorder", OPT_FLIGHT, "SEC", G_OUTPUT, OT_DURATION, CFG(flight_ns), NSEC_PER_SEC,
	 3600 * NSEC_PER_SEC, "a duration from 1s to 1h", NULL,
	 "Keep the last SEC of the timeline (as --trace) in memory; when an alert fires, on "
	 "SIGUSR1 or a POST to /flight-recorder, write it and a report of it to "
	 "--flight-recorder-dir"},
	{"flight-recorder-max", OPT_FLIGHT_MAX, "SIZE", G_OUTPUT, OT_SIZE, CFG(flight_max), 1 << 20,
	 0, "a size of at least 1M", NULL,
	 "The flight recorder's events in at most SIZE bytes of memory (default 64M), the "
	 "oldest dropped first"},
	{"flight-recorder-dir", OPT_FLIGHT_DIR, "DIR", G_OUTPUT, OT_PATH, CFG(flight_dir), 0, 0,
	 NULL, "file",
	 "Where the flight recorder's dumps go (default /var/lib/procscope/flight-recorder)"},
	{"flight-recorder-keep", OPT_FLIGHT_KEEP, "N", G_OUTPUT, OT_UINT, CFG(flight_keep), 1,
	 100000, "a number from 1", NULL,
	 "Keep the newest N dumps there, remove older ones (default 10)"},
	{"top", OPT_TOP, "N", G_OUTPUT, OT_UINT, CFG(top_n), 1, 100000, "a number from 1", NULL,
	 "Rows per table in the text report (default 10)"},

	{"alert", OPT_ALERT, "RULE", G_ALERTS, OT_LIST, CFG(alert_rules), 0, 0, NULL, "metrics",
	 "Alert when RULE holds, e.g. 'runq.p99 > 10ms', 'process[make].cpu.share > 90%', "
	 "'io.share > 30% for 3 intervals', 'wall > 1.2 * baseline' (repeatable)",
	 OF_REPEAT},
	{"alerts", OPT_ALERTS, "FILE", G_ALERTS, OT_LIST, CFG(alert_files), 0, 0, NULL, "file",
	 "Alert rules from FILE, one per line, # comments (repeatable)", OF_REPEAT},
	{"alert-exec", OPT_ALERT_EXEC, "PROGRAM", G_ALERTS, OT_PATH, CFG(alert_exec), 0, 0, NULL,
	 "command",
	 "Run PROGRAM (no shell, no arguments) for each alert, the alert in PROCSCOPE_ALERT_* "
	 "variables"},
	{"fail-on-alert", OPT_FAIL_ON_ALERT, NULL, G_ALERTS, OT_FLAG, CFG(fail_on_alert), 0, 0,
	 NULL, NULL, "Exit with status 3 if any alert fired (for CI gates)"},
	{"save-baseline", OPT_SAVE_BASELINE, "FILE", G_ALERTS, OT_PATH, CFG(save_baseline), 0, 0,
	 NULL, "file", "Write the final JSON report to FILE, to compare later runs with"},
	{"baseline", OPT_BASELINE, "FILE", G_ALERTS, OT_PATH, CFG(baseline), 0, 0, NULL, "file",
	 "Compare this run with a saved report (--save-baseline, or --json output): regressions "
	 "per metric and per step"},

	{"max-procs", OPT_MAX_PROCS, "N", G_LIMITS, OT_UINT, CFG(max_procs), 16, MAX_PROCS_LIMIT,
	 "16 to 1048576", NULL,
	 "Processes tracked individually (default 4096); the rest are counted as [overflow]"},
	{"max-rows", OPT_MAX_ROWS, "N", G_LIMITS, OT_UINT, CFG(max_rows), 64, 65535 - 1024,
	 "64 to 64511", NULL, "Per-process distributions kept (default 8192); see docs/metrics.md"},
	{"unwind-rows", OPT_UNWIND_ROWS, "N", G_LIMITS, OT_UINT, CFG(unwind_rows), 1024, 1U << 26,
	 "1024 to 67108864", NULL,
	 "Unwind table rows held in the kernel, 8 bytes each (default 1048576); files beyond "
	 "are walked with frame pointers"},
	{"syscall-timing", OPT_SC_TIMING, "MODE", G_LIMITS, OT_CHOICE, CFG(syscall_time_all), 0, 0,
	 "adaptive=0,all=1", NULL,
	 "adaptive (default): time every call of a (process, syscall) pair up to 4000/s, "
	 "1 in 16 above; all: time every call (exact totals, ~100ns more per syscall)"},
	{"bpf-stats", OPT_BPF_STATS, "MODE", G_LIMITS, OT_CHOICE, CFG(bpf_stats), 0, 0,
	 "sample=1,full=2,off=0", NULL,
	 "The BPF programs' own run time: sample (default: 100 ms windows, 4 s apart, then wider "
	 "up to 64 s), full, "
	 "or off"},
	{"btf", OPT_BTF, "FILE", G_LIMITS, OT_PATH, CFG(btf_path), 0, 0, NULL, "file",
	 "Kernel BTF to use instead of /sys/kernel/btf/vmlinux"},
	{"verbose", 'v', NULL, G_LIMITS, OT_COUNT, CFG(verbose), 0, 0, NULL, NULL,
	 "More diagnostics on stderr: start-up costs (BTF and maps, each program's load and the "
	 "instructions verified, unwind tables, attach), the first event, the detach and own CPU "
	 "time (twice: libbpf's too)",
	 OF_REPEAT},
	{"check", OPT_CHECK, NULL, G_LIMITS, OT_FLAG, CFG(check), 0, 0, NULL, NULL,
	 "Load every subsystem, attach nothing, and say what this kernel supports (exit status 1 "
	 "if a subsystem cannot load)"},
	/* argp's own --help and --usage, without its hidden --HANG and --program-name */
	{"help", OPT_HELP, NULL, G_HELP, OT_SPECIAL, 0, 0, 0, NULL, NULL, "Give this help list",
	 OF_REPEAT},
	{"usage", OPT_USAGE, NULL, G_HELP, OT_SPECIAL, 0, 0, 0, NULL, NULL,
	 "Give a short usage message", OF_REPEAT},
	{"version", 'V', NULL, G_HELP, OT_SPECIAL, 0, 0, 0, NULL, NULL, "Print the program version",
	 OF_REPEAT},
};

/* The group headings of --help, by enum opt_group. */
static const char *const group_titles[G_N] = {
	[G_TARGET] = "TARGET (one of):",
	[G_SUBSYS] = "SUBSYSTEMS (all but offcpu on by default; off means not loaded):",
	[G_OUTPUT] = "OUTPUT:",
	[G_LIMITS] = "LIMITS AND SETUP:",
	[G_STACKS] = "STACKS:",
	[G_ALERTS] = "ALERTS AND BASELINES (docs/alerts.md):",
};

const char *cli_doc(void)
{
	return doc;
}

const char *cli_args_doc(void)
{
	return args_doc;
}

const struct opt_spec *cli_options(size_t *n)
{
	*n = ARRAY_SIZE(options);
	return options;
}

const char *cli_group_title(enum opt_group g)
{
	return g > 0 && g < G_N ? group_titles[g] : NULL;
}

struct parse_state {
	struct config *cfg;
	int targets;	      /* how many target options were given */
	unsigned int only;    /* --only, 0 if not given */
	unsigned int without; /* --no-<subsystem> */
	unsigned int with;    /* --offcpu and what implies it */
	uint8_t given[ARRAY_SIZE(options) + OPT_SUBSYS_MAX]; /* times each option was given */
};

int config_alerts(const struct config *cfg, struct alerts *a, char *err, size_t len)
{
	/* the endpoint's refreshes are intervals too, for the rules */
	bool base = cfg->baseline, ival = cfg->interval_ns || cfg->prometheus;

	memset(a, 0, sizeof(*a));
	a->exec = cfg->alert_exec;
	for (int i = 0; i < cfg->alert_rules.n; i++)
		if (alerts__add(a, cfg->alert_rules.v[i], base, ival, err, len))
			goto fail;
	for (int i = 0; i < cfg->alert_files.n; i++)
		if (alerts__add_file(a, cfg->alert_files.v[i], base, ival, err, len))
			goto fail;
	return 0;
fail:
	alerts__release(a);
	return -1;
}

/* The rules of --alert and --alerts, checked now: a bad one is a usage error. */
static int parse_alerts(struct argp_state *state, struct config *cfg)
{
	char err[512];

	if (!cfg->alert_rules.n && !cfg->alert_files.n)
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

/* How a usage error names option @o: "-o", "--trace-max". */
static const char *opt_label(const struct opt_spec *o, char *buf, size_t len)
{
	if (o->key > 0 && o->key < 0x100)
		snprintf(buf, len, "-%c", o->key);
	else
		snprintf(buf, len, "--%s", o->name);
	return buf;
}

/* "cfi or fp", "sample, full or off": the names of a choice's "name=value,..." */
static const char *choice_names(const char *choices, char *buf, size_t len)
{
	size_t n = 0, words = 1, at = 0;

	for (const char *c = choices; *c; c++)
		words += *c == ',';
	buf[0] = '\0';
	for (const char *c = choices; *c && at + 8 < len;) {
		size_t w = strcspn(c, "=");

		n++;
		at += (size_t)snprintf(buf + at, len - at, "%s%.*s",
				       n == 1	    ? ""
				       : n == words ? " or "
						    : ", ",
				       (int)w, c);
		c += strcspn(c, ",");
		c += *c == ',';
	}
	return buf;
}

/* The value of @arg among "name=value,..." into *@out; false if it is none of them. */
static bool choice_value(const char *choices, const char *arg, int *out)
{
	for (const char *c = choices; *c;) {
		size_t w = strcspn(c, "=");

		if (strlen(arg) == w && !strncmp(c, arg, w)) {
			*out = atoi(c + w + 1);
			return true;
		}
		c += strcspn(c, ",");
		c += *c == ',';
	}
	return false;
}

static int invalid(struct argp_state *state, const struct opt_spec *o, const char *arg,
		   const char *what)
{
	char label[40];

	argp_error(state, "invalid '%s %s' (%s)", opt_label(o, label, sizeof(label)), arg, what);
	return EINVAL;
}

/* @arg into @o's field of the config, as its type says. */
static int set_value(struct argp_state *state, struct parse_state *ps, const struct opt_spec *o,
		     const char *arg)
{
	char *field = (char *)ps->cfg + o->off, label[40], buf[128];
	unsigned int u;
	uint64_t v;
	int c;

	switch (o->type) {
	case OT_FLAG:
		*(bool *)field = true;
		return 0;
	case OT_COUNT:
		(*(int *)field)++;
		return 0;
	case OT_PATH:
		if (!*arg) {
			argp_error(state, "'%s' needs %s", opt_label(o, label, sizeof(label)),
				   !strcmp(o->arg, "PROGRAM") ? "a program"
				   : !strcmp(o->arg, "DIR")   ? "a directory"
							      : "a file name");
			return EINVAL;
		}
		*(const char **)field = arg;
		return 0;
	case OT_UINT:
	case OT_USEC:
		if (parse_uint(arg, (unsigned int)o->min, (unsigned int)o->max, &u))
			return invalid(state, o, arg, o->what);
		if (o->type == OT_USEC)
			*(uint64_t *)field = (uint64_t)u * NSEC_PER_USEC;
		else
			*(unsigned int *)field = u;
		return 0;
	case OT_DURATION:
	case OT_SIZE:
		if ((o->type == OT_SIZE ? parse_size_bytes(arg, &v)
					: parse_duration_ns(arg, &v, "s")) ||
		    v < o->min || (o->max && v > o->max))
			return invalid(state, o, arg, o->what);
		*(uint64_t *)field = v;
		return 0;
	case OT_CHOICE:
		if (!choice_value(o->what, arg, &c))
			return invalid(state, o, arg, choice_names(o->what, buf, sizeof(buf)));
		*(int *)field = c;
		return 0;
	case OT_LIST: {
		struct str_list *l = (struct str_list *)field;

		l->v = xrealloc(l->v, sizeof(*l->v) * (size_t)(l->n + 1));
		l->v[l->n++] = arg;
		return 0;
	}
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* What the types cannot say: targets, --only, --prometheus, help, subsystems. */
static int parse_special(int key, char *arg, struct argp_state *state, struct parse_state *ps)
{
	struct config *cfg = ps->cfg;
	char bad[64], why[256];
	struct sockaddr_storage ss;
	socklen_t sl;

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
	case OPT_ONLY:
		if (subsys_parse(arg, &ps->only, bad, sizeof(bad))) {
			argp_error(state, "unknown subsystem '%s' in '--only %s' (%s)", bad, arg,
				   subsys_list());
			return EINVAL;
		}
		return 0;
	case OPT_PROMETHEUS:
		if (promserve_parse(arg, &ss, &sl, why, sizeof(why))) {
			argp_error(state, "invalid '--prometheus %s': %s", arg, why);
			return EINVAL;
		}
		cfg->prometheus = arg;
		return 0;
	case OPT_HELP:
		argp_state_help(state, stdout, ARGP_HELP_STD_HELP);
		return 0;
	case OPT_USAGE:
		argp_state_help(state, stdout, ARGP_HELP_USAGE | ARGP_HELP_EXIT_OK);
		return 0;
	case 'V':
		printf("%s\\n", argp_program_version);
		if (!(state->flags & ARGP_NO_EXIT))
			exit(0);
		return 0;
	default: {
		const struct subsys_desc *d = &subsystems[key - OPT_SUBSYS];

		if (d->on_by_default)
			ps->without |= d->bit;
		else
			ps->with |= d->bit;
		return 0;
	}
	}
}

/* After the last option: the subsystems, and every check that takes several options. */
static int parse_end(struct argp_state *state, struct parse_state *ps)
{
	struct config *cfg = ps->cfg;
	char err[256];

	cfg->subsys = ((ps->only ? ps->only : SUB_DEFAULT) | ps->with) & ~ps->without;
	if (ps->targets > 1) {
		argp_error(state, "COMMAND, '-p', '-c' and '-a' cannot be combined: pick one");
		return EINVAL;
	}
	if (config_validate(cfg, err, sizeof(err))) {
		argp_error(state, "%s", err);
		return EINVAL;
	}
	return parse_alerts(state, cfg) ? EINVAL : 0;
}

static error_t parse_opt(int key, char *arg, struct argp_state *state)
{
	struct parse_state *ps = state->input;
	struct config *cfg = ps->cfg;
	const struct opt_spec *o = NULL;
	size_t i;
	char label[40];

	if (key == ARGP_KEY_ARG) {
		/* the command: this argument and all that follow, options or not */
		cfg->argv = &state->argv[state->next - 1];
		cfg->argc = state->argc - state->next + 1;
		state->next = state->argc;
		ps->targets++;
		cfg->target = TARGET_COMMAND;
		return 0;
	}
	if (key == ARGP_KEY_END)
		return parse_end(state, ps);
	for (i = 0; i < ARRAY_SIZE(options) && options[i].key != key; i++)
		;
	if (i < ARRAY_SIZE(options)) {
		o = &options[i];
	} else if (key >= OPT_SUBSYS && key < OPT_SUBSYS + OPT_SUBSYS_MAX &&
		   subsystems[key - OPT_SUBSYS].name) {
		i = ARRAY_SIZE(options) + (size_t)(key - OPT_SUBSYS);
	} else {
		return ARGP_ERR_UNKNOWN;
	}
	/* given twice, an option that holds one value would silently keep the last */
	if (ps->given[i]++ && !(o && (o->flags & OF_REPEAT))) {
		if (o)
			opt_label(o, label, sizeof(label));
		else
			snprintf(label, sizeof(label), "--%s%s",
				 subsystems[key - OPT_SUBSYS].on_by_default ? "no-" : "",
				 subsystems[key - OPT_SUBSYS].name);
		argp_error(state, "'%s' given twice: give it once", label);
		return EINVAL;
	}
	if (o && (o->flags & OF_OFFCPU))
		ps->with |= SUB_OFFCPU;
	return !o || o->type == OT_SPECIAL ? parse_special(key, arg, state, ps)
					   : set_value(state, ps, o, arg);
}

int config_validate(const struct config *cfg, char *err, size_t len)
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
	if (cfg->flight_ns && !(cfg->subsys & SUB_SCHED)) {
		snprintf(err, len, "'--flight-recorder' needs 'sched': not with '--no-sched'");
		return -1;
	}
	if ((cfg->flight_max || cfg->flight_dir || cfg->flight_keep) && !cfg->flight_ns) {
		snprintf(err, len, "'%s' needs '--flight-recorder'",
			 cfg->flight_max   ? "--flight-recorder-max"
			 : cfg->flight_dir ? "--flight-recorder-dir"
					   : "--flight-recorder-keep");
		return -1;
	}
	if ((cfg->prom_labels || cfg->prom_max_series || cfg->web_config) && !cfg->prometheus) {
		snprintf(err, len, "'%s' needs '--prometheus'",
			 cfg->prom_labels	? "--prometheus-labels"
			 : cfg->prom_max_series ? "--prometheus-max-series"
						: "--web-config");
		return -1;
	}
	if ((cfg->alert_exec || cfg->fail_on_alert) && !cfg->alert_rules.n && !cfg->alert_files.n) {
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
	cfg->max_peers = 32;
	cfg->peer_depth = 3;
}

void config_release(struct config *cfg)
{
	free(cfg->pids);
	cfg->pids = NULL;
	cfg->n_pids = 0;
	free(cfg->alert_rules.v);
	free(cfg->alert_files.v);
	cfg->alert_rules = cfg->alert_files = (struct str_list){0};
	if (cfg->alerts) {
		alerts__release(cfg->alerts);
		free(cfg->alerts);
		cfg->alerts = NULL;
	}
}

/*
 * argp's options from the table: each group's heading, its options, and in the
 * subsystems' group one option per subsystem, with the --only help naming them all.
 */
static struct argp_option *build_options(void)
{
	static struct argp_option *opts;
	static char only_help[256], names[OPT_SUBSYS_MAX][24];
	static const int order[] = {G_TARGET, G_SUBSYS, G_STACKS, G_OUTPUT,
				    G_ALERTS, G_LIMITS, G_HELP};
	size_t k = 0;

	if (opts)
		return opts;
	opts = xcalloc(ARRAY_SIZE(options) + OPT_SUBSYS_MAX + G_N + 1, sizeof(*opts));
	snprintf(only_help, sizeof(only_help), "Only these subsystems: comma-separated from %s",
		 subsys_list());
	for (size_t g = 0; g < ARRAY_SIZE(order); g++) {
		if (cli_group_title(order[g]))
			opts[k++] = (struct argp_option){
				NULL, 0, NULL, 0, cli_group_title(order[g]), order[g]};
		for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
			const struct opt_spec *o = &options[i];

			if (o->group != order[g])
				continue;
			opts[k++] = (struct argp_option){o->name,
							 o->key,
							 o->arg,
							 0,
							 o->key == OPT_ONLY ? only_help : o->help,
							 o->group};
		}
		for (size_t i = 0;
		     order[g] == G_SUBSYS && subsystems[i].name && i < ARRAY_SIZE(names); i++) {
			const struct subsys_desc *d = &subsystems[i];

			if (!d->bit)
				continue;
			snprintf(names[i], sizeof(names[i]), "%s%s", d->on_by_default ? "no-" : "",
				 d->name);
			opts[k++] = (struct argp_option){
				names[i], OPT_SUBSYS + (int)i, NULL, 0, d->help, G_SUBSYS};
		}
	}
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
