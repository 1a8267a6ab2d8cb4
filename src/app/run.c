// SPDX-License-Identifier: GPL-2.0
/*
 * One run of procscope, in three stages:
 *
 *   prepare (here): check the environment and target, open every output, take the
 *            signals, (fork the command, held), load and attach, release the command
 *   trace (app/tracing.c): the event loop until the end (the command, the pids, -d, a
 *            signal), with a report every -i
 *   report (app/report.c): collect, detach, build the snapshot, analyse, check (alerts,
 *            baseline), render, commit every output together
 *
 * The kernel side is torn down before the final report is rendered, and on every
 * error path, so nothing stays attached whatever happens afterwards.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <unistd.h>

#include "app/cli.h"
#include "app/run.h"
#include "app/run_priv.h"
#include "app/signals.h"
#include "app/webconfig.h"
#include "host/preflight.h"
#include "kernel/support.h"
#include "lib/cgident.h"
#include "lib/log.h"
#include "lib/util.h"
#include "render/trace.h"

/*
 * A cgroup target as users know it, then its path: "podman container 6fbf6cedd59b
 * (/sys/fs/cgroup/...)", "nginx.service (/sys/fs/...)"; the path alone if it names
 * nothing.
 */
static char *cgroup_description(const char *path)
{
	struct cg_ident id;
	char name[320], *s;

	if (!cg_ident_parse(path, &id)) {
		return xstrdup(path);
	} else if (id.container_id[0]) {
		snprintf(name, sizeof(name), "%s%scontainer %.12s", id.runtime ? id.runtime : "",
			 id.runtime ? " " : "", id.container_id);
	} else if (id.pod_uid[0]) {
		snprintf(name, sizeof(name), "pod %s (%s)", id.pod_uid, id.qos);
	} else {
		snprintf(name, sizeof(name), "%s", id.unit);
	}
	s = xmalloc(strlen(name) + strlen(path) + 4);
	sprintf(s, "%s (%s)", name, path);
	return s;
}

static char *describe_target(const struct config *cfg, const struct cgroup_target *cg)
{
	size_t len = 1;
	char *s;

	switch (cfg->target) {
	case TARGET_COMMAND:
		for (int i = 0; i < cfg->argc; i++)
			len += strlen(cfg->argv[i]) + 1;
		s = xcalloc(1, len);
		for (int i = 0; i < cfg->argc; i++) {
			if (i)
				strcat(s, " ");
			strcat(s, cfg->argv[i]);
		}
		return s;
	case TARGET_PIDS:
		s = xcalloc(1, 16 * (size_t)cfg->n_pids + 8);
		strcpy(s, "pid ");
		for (int i = 0; i < cfg->n_pids; i++)
			sprintf(s + strlen(s), "%s%d", i ? "," : "", cfg->pids[i]);
		return s;
	case TARGET_CGROUP:
		return cgroup_description(cg->path);
	default:
		return xstrdup("all processes");
	}
}

/* "`make -j4 all`", or its first 40 characters and "...": for sentences in findings. */
static char *short_description(const char *desc)
{
	size_t n = strlen(desc);
	char *s = xmalloc(n < 40 ? n + 3 : 46);

	if (n <= 40)
		sprintf(s, "`%s`", desc);
	else
		sprintf(s, "`%.40s...`", desc);
	return s;
}

/* One descriptor per module kept until its symbols are parsed: allow many. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Check the target; fills @cg for -c, the thread group ids for -p, r->exe for a command. */
static int check_target(struct run *r, struct config *cfg, struct cgroup_target *cg)
{
	int err;

	switch (cfg->target) {
	case TARGET_COMMAND:
		err = preflight_command(cfg->argv[0], r->exe, sizeof(r->exe));
		return err ? launch_exec_status(err) : 0;
	case TARGET_PIDS:
		for (int i = 0; i < cfg->n_pids; i++) {
			int tgid;

			if (preflight_pid(cfg->pids[i], &tgid))
				return EXIT_RUNTIME;
			cfg->pids[i] = tgid;
		}
		return 0;
	case TARGET_CGROUP:
		return resolve_cgroup(cfg->cgroup, cg) ? EXIT_RUNTIME : 0;
	default:
		return 0;
	}
}

/*
 * POST /flight-recorder, on the endpoint's thread: SIGUSR1 queued to ourselves with
 * FLIGHT_SIGVAL, so that the event loop takes it as it takes a kill -USR1.
 */
static void run_flight_request(void)
{
	union sigval v = {.sival_int = FLIGHT_SIGVAL};

	sigqueue(getpid(), SIGUSR1, v);
}

/* Everything that can fail before tracing starts: checks, inputs, outputs. */
static int prepare_inputs(struct run *r, struct config *cfg, struct cgroup_target *cg)
{
	const char *paths[OUT_N] = {
		[OUT_REPORT] = cfg->output,	    [OUT_SAVE] = cfg->save_baseline,
		[OUT_FOLDED] = cfg->folded,	    [OUT_FOLDED_OFFCPU] = cfg->folded_offcpu,
		[OUT_FLAMEGRAPH] = cfg->flamegraph, [OUT_PPROF] = cfg->pprof,
		[OUT_TRACE] = cfg->trace,	    [OUT_HTML] = cfg->html,
	};
	int status;

	if (preflight_privileges() || preflight_btf(cfg->btf_path) || preflight_kernel())
		return EXIT_RUNTIME;
	status = check_target(r, cfg, cg);
	if (status)
		return status;
	if (cfg->alert_exec && preflight_command(cfg->alert_exec, NULL, 0))
		return EXIT_USAGE;
	if (cfg->baseline) {
		char msg[512];

		if (baseline_load(cfg->baseline, &r->bl, msg, sizeof(msg))) {
			pr_error("%s", msg);
			return EXIT_USAGE;
		}
	}
	if (cfg->flight_ns) {
		char msg[512];

		if (flight__open(&r->flight, cfg->flight_ns,
				 cfg->flight_max ? cfg->flight_max : FLIGHT_MAX_DEFAULT,
				 cfg->flight_dir ? cfg->flight_dir : FLIGHT_DIR_DEFAULT,
				 cfg->flight_keep ? cfg->flight_keep : FLIGHT_KEEP_DEFAULT, msg,
				 sizeof(msg))) {
			pr_error("%s", msg);
			return EXIT_RUNTIME;
		}
	}
	if (outputs__open(&r->out, paths, OUT_N, true))
		return EXIT_RUNTIME;
	jw_init(&r->jw, outputs__file(&r->out, OUT_REPORT));
	if (cfg->prometheus) {
		struct web_config wc = {0};
		char msg[512];
		int e;

		if (cfg->web_config && web_config_load(cfg->web_config, &wc, msg, sizeof(msg))) {
			pr_error("%s", msg);
			return EXIT_USAGE;
		}
		e = promserve__open(&r->prom, cfg->prometheus, &wc, msg, sizeof(msg));
		promserve__on_post(r->prom, cfg->flight_ns ? run_flight_request : NULL);
		web_config_release(&wc); /* the endpoint's now, or nothing to keep */
		if (e) {
			pr_error("%s", msg);
			return EXIT_RUNTIME;
		}
	}
	return 0;
}

/* Signals (held since main's first line) arrive through a signalfd. */
static int take_signals(struct run *r)
{
	r->sfd = signals_fd();
	if (r->sfd < 0) {
		pr_error("signalfd: %s", strerror(-r->sfd));
		return r->sfd;
	}
	/* the reporter's word that the report's output failed (without it, the next turn) */
	r->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	return 0;
}

/* A stop signal that came before the command ran: nothing traced, nothing to report. */
static int stopped_early(const struct config *cfg)
{
	int sig = signals_stop_pending(cfg->target == TARGET_COMMAND);

	if (sig)
		pr_warn("stopped by SIG%s before tracing began", sigabbrev_np(sig));
	return sig ? 128 + sig : 0;
}

/* Load and attach, with the target registered; the command is released once attached. */
static int start_tracing(struct run *r, const struct cgroup_target *cg, uint64_t started_ns)
{
	const struct config *cfg = r->cfg;
	struct session_opts so = {
		.cfg = cfg,
		.mode = cfg->target == TARGET_ALL      ? MODE_ALL
			: cfg->target == TARGET_CGROUP ? MODE_CGROUP
						       : MODE_PIDS,
		.cg_id = cg->id,
		.cg_level = cg->level,
		.on_event = tracing_on_event,
		.ctx = r,
		.started_ns = started_ns,
		.psi_dir = cfg->target == TARGET_CGROUP ? cg->path : "/proc/pressure",
		.psi_cgroup = cfg->target == TARGET_CGROUP,
		.recycle = r->recycling,
		/* read often: intervals, the endpoint, the timeline's counters every 100 ms */
		.map_tables = r->recycling || cfg->interval_ns || cfg->prometheus || cfg->trace ||
			      cfg->flight_ns,
		.on_trace = cfg->trace || cfg->flight_ns ? tracing_on_trace : NULL,
		.trace_ring_bytes = cfg->trace ? TRACE_RING_BYTES : FLIGHT_RING_BYTES,
		.history = r->hist.max_waits ? &r->hist : NULL,
		.peer_depth = cfg->max_peers ? cfg->peer_depth : 0,
		.max_peers = cfg->max_peers,
	};
	uint64_t t_loaded, t_unwind; /* -v: the stages of start-up */
	int err;

	if (cfg->target == TARGET_COMMAND) {
		err = launch__start(&r->child, r->exe, cfg->argv);
		if (err) {
			pr_error("cannot start '%s': %s", cfg->argv[0], strerror(-err));
			return EXIT_RUNTIME;
		}
	}
	if (session__open(&r->sess, &so))
		return EXIT_RUNTIME;
	t_loaded = now_ns();
	/* what this kernel could load: the rest is reported as off (null in JSON) */
	r->ropts.subsys = session__kernel(r->sess)->subsys;
	if (r->sym) {
		const char *names[64];

		symbolizer__own_progs(r->sym, names, session__prog_names(r->sess, names, 64));
		if (session__unwind_tables(r->sess)) {
			r->unw = unwinder__new(session__unwind_tables(r->sess), r->sym);
			/* the C library and ld.so (ours are everyone's), and the command */
			unwinder__preload_pid(r->unw, (uint32_t)getpid());
			if (r->child.pid > 0)
				unwinder__preload(r->unw, r->exe);
		}
	}
	t_unwind = now_ns();
	if (r->child.pid > 0 &&
	    session__add_pid(r->sess, (uint32_t)r->child.pid, PROC_F_LAUNCHED) < 0) {
		pr_error("cannot register the command's pid");
		return EXIT_RUNTIME;
	}
	for (int i = 0; cfg->target == TARGET_PIDS && i < cfg->n_pids; i++) {
		err = session__add_pid(r->sess, (uint32_t)cfg->pids[i], PROC_F_PRESENT);
		if (err < 0) {
			pr_error("cannot register pid '%d': %s", cfg->pids[i], strerror(-err));
			return EXIT_RUNTIME;
		}
		/* its command line, while it is certainly there (BPF saw no exec of it) */
		proctree__read_proc(&r->tree, (uint32_t)err, (uint32_t)cfg->pids[i]);
		/* and its mappings: its first stacks unwind whole (an interpreter's too) */
		if (r->unw)
			unwinder__load(r->unw, (uint32_t)err, (uint32_t)cfg->pids[i]);
	}
	if (session__attach(r->sess))
		return EXIT_RUNTIME;
	if (cfg->trace) {
		r->tracer = trace_log__new(cfg->trace_max ? cfg->trace_max : TRACE_MAX_DEFAULT,
					   session__attach_ns(r->sess));
		if (!r->tracer)
			return EXIT_RUNTIME;
	}
	r->trace_next_ns = now_ns(); /* --trace's and --flight-recorder's counters */
	pr_info("attached in %.1f ms: open and load %.1f ms, unwind tables %.1f ms, attach %.1f ms",
		(now_ns() - started_ns) / 1e6, (t_loaded - started_ns) / 1e6,
		(t_unwind - t_loaded) / 1e6, (now_ns() - t_unwind) / 1e6);
	if (r->child.pid > 0) {
		if ((err = stopped_early(cfg)))
			return err;
		err = launch__release(&r->child);
		if (err) {
			pr_error("cannot execute '%s': %s", cfg->argv[0], strerror(-err));
			return launch_exec_status(err);
		}
	}
	return 0;
}

static int prepare(struct run *r, struct config *cfg, uint64_t started_ns)
{
	struct cgroup_target cg = {0};
	int status = prepare_inputs(r, cfg, &cg);

	if (status || (status = stopped_early(cfg)))
		return status;
	if (cfg->subsys & (SUB_PROFILE | SUB_OFFCPU))
		r->sym = symbolizer__new();
	raise_fd_limit();
	r->desc = describe_target(cfg, &cg);
	r->short_desc = short_description(r->desc);
	r->ropts = (struct report_opts){.target = cfg->target,
					.target_desc = r->desc,
					.top_n = cfg->top_n,
					.exit_code = -1,
					.subsys = cfg->subsys};
	if (take_signals(r))
		return EXIT_RUNTIME;
	return start_tracing(r, &cg, started_ns);
}

/*
 * The exit status (--help: EXIT STATUS): a failure's own status; else the command's
 * (128+N if a signal ended it or stopped us); 3 with --fail-on-alert when one fired.
 */
static int exit_status(const struct run *r, int status)
{
	if (status)
		return status;
	if (r->child.pid > 0)
		status = r->child.reaped ? launch__exit_code(&r->child)
			 : r->stop_sig	 ? 128 + r->stop_sig
					 : 0;
	if (r->cfg->fail_on_alert && r->alerts && r->alerts->n_fired)
		status = EXIT_ALERT;
	return status;
}

static void run_release(struct run *r)
{
	promserve__close(r->prom);
	trace_log__free(r->tracer);
	flight__free(r->flight);
	free(r->flight_asked);
	pthread_mutex_destroy(&r->flight_mu);
	unwinder__free(r->unw);
	session__free(r->sess);
	launch__abort(&r->child); /* never released, or released and abandoned on error */
	outputs__close(&r->out, false);
	if (r->alerts && r->alerts->n_children)
		alerts__reap(r->alerts, ALERT_EXEC_GRACE_NS);
	symbolizer__free(r->sym);
	raw_dump_release(&r->prev);
	proctree__release(&r->tree);
	cgpaths__release(&r->cgp);
	recycler__release(&r->rec);
	pthread_mutex_destroy(&r->alerts_mu);
	exit_queue__release(&r->exits);
	history_release(&r->hist);
	free(r->stacked);
	free(r->kfolded);
	conn_log__release(&r->conns);
	free(r->desc);
	free(r->short_desc);
	if (r->sfd >= 0)
		close(r->sfd);
	if (r->wake_fd >= 0)
		close(r->wake_fd);
	baseline_release(&r->bl);
	baseline_cmp_release(&r->cmp);
}

int run(struct config *cfg, uint64_t started_ns)
{
	struct run r = {.cfg = cfg, .sfd = -1, .wake_fd = -1, .alerts = cfg->alerts};
	int status;

	if (cfg->check)
		return support_report(cfg, stdout);
	proctree__init(&r.tree);
	cgpaths__init(&r.cgp, "/proc/self/mounts"); /* none: no cgroup paths */
	/* a monitor runs for days: its exited processes recycled, their figures kept */
	r.recycling = cfg->target != TARGET_COMMAND &&
		      (cfg->interval_ns || cfg->prometheus || cfg->flight_ns);
	recycler__init(&r.rec, cfg->max_procs, ROW_FIRST + cfg->max_rows);
	worker__init(&r.reporter, report_job, &r);
	/* the critical path through wake-ups: a workflow's, not a whole system's */
	if (cfg->target != TARGET_ALL && (cfg->subsys & SUB_SCHED))
		history_init(&r.hist, HISTORY_MAX_WAITS);
	r.loads.per_sec = LOADS_PER_SEC;
	pthread_mutex_init(&r.alerts_mu, NULL);
	pthread_mutex_init(&r.flight_mu, NULL);
	status = prepare(&r, cfg, started_ns);
	if (!status) {
		tracing_run(&r);
		status = report_final(&r);
		/* the report's output failed: the command is the user's, it runs on untraced */
		if (r.out_err && r.child.pid > 0) {
			tracing_wait_command(&r);
			status = 0; /* the command's */
		}
	}
	status = exit_status(&r, status);
	run_release(&r);
	return status;
}
