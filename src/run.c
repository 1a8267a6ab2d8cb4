// SPDX-License-Identifier: GPL-2.0
/*
 * One run of procscope, from checks to the final report:
 *
 *   check environment and target -> (fork the command, held) -> open, load, register
 *   the target -> attach -> release the command -> loop on ring buffer, signals and
 *   timers -> collect -> detach everything -> render.
 *
 * The kernel side is torn down before rendering, and on every error path, so nothing
 * stays attached whatever happens afterwards. The report goes to a temporary file
 * next to -o FILE and is renamed into place only when complete.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "alerts.h"
#include "baseline.h"
#include "json_reader.h"
#include "preflight.h"
#include "launch.h"
#include "log.h"
#include "proctree.h"
#include "render.h"
#include "report.h"
#include "stacks.h"
#include "symbolize.h"
#include "run.h"
#include "session.h"
#include "util.h"

#define CHILD_GRACE_NS (2 * NSEC_PER_SEC) /* after a stop signal, wait this long for the command */
#define ALERT_EXEC_GRACE_NS (10 * NSEC_PER_SEC) /* at the end, for --alert-exec programs */

struct output {
	FILE *f;
	char *final_path;
	char *tmp_path;
};

/* The extra outputs, each written whole or not at all. */
enum extra_out { OUT_FOLDED, OUT_FOLDED_OFFCPU, OUT_FLAMEGRAPH, OUT_PPROF, OUT_N };

struct run {
	const struct config *cfg;
	struct session *sess;
	struct symbolizer *sym; /* when stacks are on */
	struct output extra[OUT_N];
	struct proctree tree;
	struct launch child;
	bool launched;
	struct output out;
	struct json_writer jw;
	struct report_opts ropts;
	char *desc;
	char *short_desc;
	struct raw_dump prev; /* last interval's dump */
	bool have_prev;
	uint64_t stop_sig_ns; /* when a stop signal arrived, 0 if none */
	int stop_sig;
	bool done;
	bool tree_changed;
	struct alerts *alerts; /* NULL without rules */
	struct baseline bl;
	bool have_bl;
	struct baseline_cmp cmp;
	struct output save; /* --save-baseline */
	bool save_ok;
	sigset_t child_mask; /* what launched programs get */
};

static int output_open(struct output *o, const char *path)
{
	int fd;

	memset(o, 0, sizeof(*o));
	if (!path) {
		o->f = stdout;
		return 0;
	}
	o->final_path = xstrdup(path);
	o->tmp_path = xmalloc(strlen(path) + 16);
	sprintf(o->tmp_path, "%s.tmp.XXXXXX", path);
	fd = mkostemp(o->tmp_path, O_CLOEXEC); /* not for the command, nor --alert-exec */
	if (fd < 0 || !(o->f = fdopen(fd, "w"))) {
		int err = -errno;

		pr_error("cannot write '%s': %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(o->tmp_path);
		}
		free(o->tmp_path);
		free(o->final_path);
		o->tmp_path = o->final_path = NULL;
		return err;
	}
	fchmod(fd, 0644);
	return 0;
}

/* Rename into place if @ok, else remove: never a half-written report. */
static int output_close(struct output *o, bool ok)
{
	int err = 0;

	if (!o->f || o->f == stdout) {
		if (o->f)
			fflush(o->f);
		return 0;
	}
	if (fflush(o->f) || ferror(o->f))
		ok = false, err = -EIO;
	if (fclose(o->f))
		ok = false, err = -EIO;
	o->f = NULL;
	if (ok && rename(o->tmp_path, o->final_path)) {
		err = -errno;
		ok = false;
	}
	if (!ok) {
		if (err)
			pr_error("cannot write '%s': %s", o->final_path, strerror(-err));
		unlink(o->tmp_path);
	}
	free(o->tmp_path);
	free(o->final_path);
	return err;
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
		return xstrdup(cg->path);
	default:
		return xstrdup("all processes");
	}
}

static uint64_t unix_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + ts.tv_nsec;
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

static int on_event(void *ctx, void *data, size_t len)
{
	const struct ev_hdr *h = data;
	struct run *r = ctx;

	switch (proctree__handle(&r->tree, data, len)) {
	case EV_EXIT:
		r->tree_changed = true;
		break;
	case EV_EXEC:
		/* its executable, by build id, while it is certainly there */
		if (r->sym)
			symbolizer__exe(r->sym, h->pid);
		break;
	case EV_STACKS:
		/* its first stack: read its mappings while it lives */
		if (r->sym)
			symbolizer__capture(r->sym, h->slot, h->pid);
		break;
	}
	return 0;
}

/* Folded stacks, flame graph, pprof: from the final snapshot's stacks. */
static int write_stack_outputs(struct run *r, const struct snapshot *s)
{
	const struct stack_set *set = s->stacks;
	int err = 0;

	if (r->extra[OUT_FOLDED].f)
		err |= render_folded(r->extra[OUT_FOLDED].f, set, STACK_ONCPU);
	if (r->extra[OUT_FOLDED_OFFCPU].f)
		err |= render_folded(r->extra[OUT_FOLDED_OFFCPU].f, set, STACK_OFFCPU);
	if (r->extra[OUT_FLAMEGRAPH].f)
		err |= render_flamegraph(r->extra[OUT_FLAMEGRAPH].f, set, r->desc);
	if (r->extra[OUT_PPROF].f)
		err |= render_pprof(r->extra[OUT_PPROF].f, set,
				    unix_now_ns() - (s->end_ns - s->start_ns), s->end_ns - s->start_ns);
	return err ? -EIO : 0;
}

/* The name of a block device from sysfs ("vda"), or "major:minor". */
static void dev_name(uint32_t dev, char *buf, size_t len)
{
	unsigned int major = dev >> 20, minor = dev & 0xfffff;
	char path[64], uevent[1024], *n;

	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/uevent", major, minor);
	if (read_file(path, uevent, sizeof(uevent)) > 0 && (n = strstr(uevent, "DEVNAME="))) {
		n += 8;
		snprintf(buf, len, "%.*s", (int)strcspn(n, "\n"), n);
		return;
	}
	snprintf(buf, len, "%u:%u", major, minor);
}

static void snapshot_names_of(struct run *r, struct snapshot_names *n)
{
	memset(n, 0, sizeof(*n));
	n->cmdline = proctree__cmdline_cb;
	n->ctx = &r->tree;
	n->dev_name = dev_name;
	n->conns = r->tree.conns;
	n->n_conns = r->tree.n_conns;
}


static void render(struct run *r, const struct snapshot *s)
{
	if (r->cfg->json)
		report_json(&r->jw, s, &r->ropts);
	else {
		report_text(r->out.f, s, &r->ropts);
		if (s->kind == SNAP_INTERVAL)
			fputc('\n', r->out.f);
	}
}

/* The JSON record of @s in memory (what --json would write): for rules and baselines. */
static char *render_json_mem(struct run *r, const struct snapshot *s, size_t *len)
{
	struct json_writer w;
	char *buf = NULL;
	FILE *m = open_memstream(&buf, len);

	if (!m)
		return NULL;
	jw_init(&w, m);
	report_json(&w, s, &r->ropts);
	if (fclose(m)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static struct jval *parse_record(const char *buf, size_t len)
{
	char err[128];
	struct jval *v = json_parse(buf, len, err, sizeof(err));

	if (!v)
		pr_warn("cannot read back the report for alerts: %s", err);
	return v;
}

/* Say and run the alerts from @first on: records in --json, stderr lines otherwise. */
static void emit_alerts(struct run *r, size_t first)
{
	struct alerts *a = r->alerts;

	for (size_t i = first; i < a->n_fired; i++) {
		const struct alert *al = &a->fired[i];

		if (r->cfg->json) {
			alert_record(&r->jw, al);
			fflush(r->out.f);
		} else {
			char line[512];

			alert_describe(line, sizeof(line), al);
			for (char *p = line; *p; p++)
				if ((unsigned char)*p < 0x20 || *p == 0x7f)
					*p = '?';
			fprintf(stderr, "procscope: %s\n", line);
		}
		if (a->exec)
			alert_exec(a, al, &r->child_mask);
	}
}

static void interval_report(struct run *r)
{
	struct snapshot snap;
	struct raw_dump cur, empty = {.ts_ns = session__attach_ns(r->sess)};
	struct snapshot_names names;

	snapshot_names_of(r, &names);

	session__drain(r->sess);
	session__collect(r->sess, &cur);
	snapshot_build(&snap, &cur, r->have_prev ? &r->prev : &empty, session__attach_ns(r->sess),
		       &names);
	r->ropts.unix_end_ns = unix_now_ns();
	if (r->alerts) {
		size_t len, first = r->alerts->n_fired;
		char *buf = render_json_mem(r, &snap, &len);
		struct jval *rec = buf ? parse_record(buf, len) : NULL;

		/* the record as rendered once: written out as it is in --json */
		if (r->cfg->json && buf) {
			fwrite(buf, 1, len, r->out.f);
			fflush(r->out.f);
		} else {
			render(r, &snap);
		}
		if (rec)
			alerts_eval(r->alerts, rec, NULL, r->ropts.unix_end_ns);
		emit_alerts(r, first);
		json_free(rec);
		free(buf);
	} else {
		render(r, &snap);
	}
	snapshot_release(&snap);
	if (r->have_prev)
		raw_dump_release(&r->prev);
	r->prev = cur;
	r->have_prev = true;
}

/*
 * Before the final report: read this run's record back to compare it with the
 * baseline and evaluate the rules on it, and save it for --save-baseline. Alerts of
 * the whole run are said before the report that lists them all.
 */
static void final_checks(struct run *r, const struct snapshot *s)
{
	size_t len, first;
	struct jval *rec = NULL;
	char *buf;

	if (!r->alerts && !r->have_bl && !r->save.f)
		return;
	buf = render_json_mem(r, s, &len);
	if (!buf) {
		pr_error("cannot render the report for alerts and baselines: %s", strerror(errno));
		return;
	}
	if (r->save.f)
		r->save_ok = fwrite(buf, 1, len, r->save.f) == len;
	if ((r->alerts || r->have_bl) && !(rec = parse_record(buf, len))) {
		free(buf);
		return;
	}
	if (r->have_bl) {
		baseline_compare(&r->bl, rec, &r->cmp);
		r->ropts.baseline = &r->cmp;
	}
	if (r->alerts) {
		first = r->alerts->n_fired;
		alerts_eval(r->alerts, rec, r->have_bl ? r->bl.root : NULL, r->ropts.unix_end_ns);
		r->ropts.alerts = r->alerts;
		emit_alerts(r, first);
	}
	json_free(rec);
	free(buf);
}

static void handle_signal(struct run *r, const struct signalfd_siginfo *si)
{
	int sig = (int)si->ssi_signo;

	if (sig == SIGCHLD) {
		if (r->launched && launch__reap(&r->child, false))
			r->done = true;
		if (r->alerts)
			alerts_reap(r->alerts, 0);
		return;
	}
	if (r->stop_sig_ns) {
		r->done = true; /* a second stop signal: do not wait any longer */
		return;
	}
	r->stop_sig = sig;
	r->stop_sig_ns = now_ns();
	if (!r->launched || r->child.reaped) {
		r->done = true;
		return;
	}
	/* a terminal's ^C reached the command too; a kill(1) aimed at us did not */
	if (sig != SIGINT || si->ssi_code == SI_USER || si->ssi_code == SI_QUEUE)
		kill(r->child.pid, sig);
	pr_info("stopping: waiting up to %llus for the command to exit",
		(unsigned long long)(CHILD_GRACE_NS / NSEC_PER_SEC));
}

static int event_loop(struct run *r, int sfd, uint64_t deadline_ns)
{
	int ep = epoll_create1(EPOLL_CLOEXEC), tfd = -1, err = 0;
	struct epoll_event ev = {.events = EPOLLIN};

	if (ep < 0)
		return -errno;
	ev.data.fd = session__ring_fd(r->sess);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	if (r->cfg->interval_ns) {
		struct itimerspec its = {
			.it_interval = {r->cfg->interval_ns / NSEC_PER_SEC,
					r->cfg->interval_ns % NSEC_PER_SEC},
		};

		its.it_value = its.it_interval;
		tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (tfd < 0 || timerfd_settime(tfd, 0, &its, NULL)) {
			err = -errno;
			goto out;
		}
		ev.data.fd = tfd;
		epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	}
	/* the command may already be gone (SIGCHLD was queued before the loop) */
	if (r->launched && launch__reap(&r->child, false))
		r->done = true;

	while (!r->done) {
		struct epoll_event evs[4];
		uint64_t now = now_ns(), until = UINT64_MAX, stats;
		int timeout = -1, n;

		session__stats_tick(r->sess, now);
		if (deadline_ns && now >= deadline_ns)
			break;
		if (r->stop_sig_ns && now >= r->stop_sig_ns + CHILD_GRACE_NS)
			break;
		if (deadline_ns)
			until = deadline_ns;
		if (r->stop_sig_ns && r->stop_sig_ns + CHILD_GRACE_NS < until)
			until = r->stop_sig_ns + CHILD_GRACE_NS;
		stats = session__stats_next(r->sess);
		if (stats && stats < until)
			until = stats;
		if (until != UINT64_MAX)
			timeout = until <= now ? 0 :
				  (int)((until - now + NSEC_PER_MSEC - 1) / NSEC_PER_MSEC);
		n = epoll_wait(ep, evs, ARRAY_SIZE(evs), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = -errno;
			break;
		}
		for (int i = 0; i < n; i++) {
			int fd = evs[i].data.fd;

			if (fd == sfd) {
				struct signalfd_siginfo si;

				while (read(sfd, &si, sizeof(si)) == sizeof(si))
					handle_signal(r, &si);
			} else if (fd == tfd) {
				uint64_t ticks;

				if (read(tfd, &ticks, sizeof(ticks)) == sizeof(ticks))
					interval_report(r);
			} else {
				session__drain(r->sess);
			}
		}
		if (r->tree_changed) {
			r->tree_changed = false;
			/* -p: done when every tracked process is gone */
			if (r->cfg->target == TARGET_PIDS && session__alive(r->sess) == 0)
				r->done = true;
		}
	}
out:
	if (tfd >= 0)
		close(tfd);
	close(ep);
	return err;
}

/* Check the target; fills @cg for -c and the thread group ids for -p. */
/* One descriptor per module kept until its symbols are parsed: allow many. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int check_target(struct config *cfg, struct cgroup_target *cg)
{
	int err;

	switch (cfg->target) {
	case TARGET_COMMAND:
		err = check_command(cfg->argv[0]);
		if (err)
			return err == -ENOENT ? 127 : 126;
		return 0;
	case TARGET_PIDS:
		for (int i = 0; i < cfg->n_pids; i++) {
			int tgid;

			if (check_pid(cfg->pids[i], &tgid))
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

int run(struct config *cfg, uint64_t started_ns)
{
	struct cgroup_target cg = {0};
	struct session_opts so = {0};
	struct run r = {0};
	sigset_t mask, orig;
	int sfd = -1, ret = EXIT_RUNTIME, err;
	struct raw_dump final = {0};
	struct snapshot snap;
	struct snapshot_names names;
	struct raw_stacks raw_stacks = {0};
	struct stack_set stacks;
	uint64_t attach_ns;
	bool ok = false, extra_ok = true;

	r.cfg = cfg;
	r.alerts = cfg->alerts;
	proctree__init(&r.tree);

	if (check_privileges() || check_btf(cfg->btf_path))
		return EXIT_RUNTIME;
	err = check_target(cfg, &cg);
	if (err)
		return err;
	if (cfg->alert_exec && check_command(cfg->alert_exec))
		return EXIT_USAGE;
	if (cfg->baseline) {
		char msg[512];

		if (baseline_load(cfg->baseline, &r.bl, msg, sizeof(msg))) {
			pr_error("%s", msg);
			return EXIT_USAGE;
		}
		r.have_bl = true;
	}
	if (output_open(&r.out, cfg->output)) {
		ret = EXIT_RUNTIME;
		goto out_early;
	}
	if (cfg->save_baseline && output_open(&r.save, cfg->save_baseline)) {
		output_close(&r.out, false);
		ret = EXIT_RUNTIME;
		goto out_early;
	}
	for (int i = 0; i < OUT_N; i++) {
		const char *path = i == OUT_FOLDED ? cfg->folded :
				   i == OUT_FOLDED_OFFCPU ? cfg->folded_offcpu :
				   i == OUT_FLAMEGRAPH ? cfg->flamegraph : cfg->pprof;

		if (path && output_open(&r.extra[i], path)) {
			output_close(&r.out, false);
			output_close(&r.save, false);
			while (i-- > 0)
				output_close(&r.extra[i], false);
			ret = EXIT_RUNTIME;
			goto out_early;
		}
	}
	if (cfg->subsys & (SUB_PROFILE | SUB_OFFCPU))
		r.sym = symbolizer__new();
	raise_fd_limit();
	jw_init(&r.jw, r.out.f);
	r.desc = describe_target(cfg, &cg);
	r.short_desc = short_description(r.desc);
	r.ropts = (struct report_opts){.target = cfg->target, .target_desc = r.desc,
				       .target_short = r.short_desc,
				       .top_n = cfg->top_n, .exit_code = -1, .subsys = cfg->subsys};

	/* signals arrive through a signalfd; the command gets the original mask back */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &mask, &orig);
	r.child_mask = orig;
	signal(SIGPIPE, SIG_IGN);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		pr_error("signalfd: %s", strerror(errno));
		goto out;
	}

	if (cfg->target == TARGET_COMMAND) {
		err = launch__start(&r.child, cfg->argv, &orig);
		if (err) {
			pr_error("cannot start '%s': %s", cfg->argv[0], strerror(-err));
			goto out;
		}
		r.launched = true;
	}

	so.cfg = cfg;
	so.mode = cfg->target == TARGET_ALL ? MODE_ALL :
		  cfg->target == TARGET_CGROUP ? MODE_CGROUP : MODE_PIDS;
	so.cg_id = cg.id;
	so.cg_level = cg.level;
	so.on_event = on_event;
	so.ctx = &r;
	so.started_ns = started_ns;
	if (session__open(&r.sess, &so))
		goto out;
	if (r.launched && session__add_pid(r.sess, (uint32_t)r.child.pid, 0) < 0) {
		pr_error("cannot register the command's pid");
		goto out;
	}
	for (int i = 0; cfg->target == TARGET_PIDS && i < cfg->n_pids; i++) {
		err = session__add_pid(r.sess, (uint32_t)cfg->pids[i], PROC_F_PRESENT);
		if (err < 0) {
			pr_error("cannot register pid '%d': %s", cfg->pids[i], strerror(-err));
			goto out;
		}
	}
	if (session__attach(r.sess))
		goto out;
	pr_info("attached in %.1f ms", (now_ns() - started_ns) / 1e6);

	if (r.launched) {
		err = launch__release(&r.child);
		if (err) {
			pr_error("cannot execute '%s': %s", cfg->argv[0], strerror(-err));
			ret = err == -ENOENT ? 127 : 126;
			goto out;
		}
	}

	err = event_loop(&r, sfd, cfg->duration_ns ? session__attach_ns(r.sess) + cfg->duration_ns : 0);
	if (err)
		pr_warn("event loop: %s", strerror(-err));
	if (r.launched && !r.child.reaped)
		launch__reap(&r.child, false);
	if (r.launched && !r.child.reaped && !r.stop_sig)
		pr_warn("stopped after the duration; '%s' (pid %d) keeps running untraced",
			cfg->argv[0], r.child.pid);

	attach_ns = session__attach_ns(r.sess);
	session__drain(r.sess);
	session__collect(r.sess, &final);
	session__collect_stacks(r.sess, &raw_stacks);
	session__free(r.sess); /* detach everything before rendering */
	r.sess = NULL;

	if (r.launched && r.child.reaped)
		r.ropts.exit_code = launch__exit_code(&r.child);
	snapshot_names_of(&r, &names);
	snapshot_build(&snap, &final, NULL, attach_ns, &names);
	if (r.sym) {
		struct symbolizer_stats st;
		uint64_t t0 = now_ns();

		stacks_build(&stacks, &raw_stacks, cfg->freq_hz, r.sym, &snap);
		snap.stacks = &stacks;
		snap.self.symbolize_ns = now_ns() - t0;
		symbolizer__stats(r.sym, &st);
		snap.self.sym_captures = st.captures;
		snap.self.sym_capture_misses = st.capture_misses;
		snap.self.sym_modules = st.modules;
		snap.self.sym_parses = st.parses;
	}
	raw_stacks_release(&raw_stacks);
	r.ropts.unix_end_ns = unix_now_ns();
	final_checks(&r, &snap);
	render(&r, &snap);
	ok = true;
	ret = 0;
	if (r.sym && write_stack_outputs(&r, &snap)) {
		pr_error("cannot write the stack outputs");
		ret = EXIT_RUNTIME;
		extra_ok = false;
	}
	if (r.sym)
		stacks_release(&stacks);
	snapshot_release(&snap);
	raw_dump_release(&final);
	if (r.launched && ret == 0)
		ret = r.child.reaped ? launch__exit_code(&r.child) : r.stop_sig ? 128 + r.stop_sig : 0;
	if (extra_ok && cfg->fail_on_alert && r.alerts && r.alerts->n_fired)
		ret = EXIT_ALERT;
out:
	session__free(r.sess);
	if (r.launched && !ok)
		launch__abort(&r.child); /* never released, or released and abandoned on error */
	if (output_close(&r.out, ok) && ok)
		ret = EXIT_RUNTIME;
	if (r.save.f && ok && !r.save_ok)
		ret = EXIT_RUNTIME; /* said by final_checks */
	if (output_close(&r.save, ok && r.save_ok) && ok)
		ret = EXIT_RUNTIME;
	if (r.alerts && r.alerts->n_children)
		alerts_reap(r.alerts, ALERT_EXEC_GRACE_NS);
	for (int i = 0; i < OUT_N; i++)
		if (output_close(&r.extra[i], ok && extra_ok) && ok)
			ret = EXIT_RUNTIME;
	symbolizer__free(r.sym);
	if (r.have_prev)
		raw_dump_release(&r.prev);
	proctree__release(&r.tree);
	free(r.desc);
	free(r.short_desc);
	if (sfd >= 0)
		close(sfd);
	sigprocmask(SIG_SETMASK, &orig, NULL);
out_early:
	if (r.have_bl)
		baseline_release(&r.bl);
	baseline_cmp_release(&r.cmp);
	return ret;
}
