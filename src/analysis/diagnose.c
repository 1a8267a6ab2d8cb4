// SPDX-License-Identifier: GPL-2.0
/*
 * Findings. Each time-based finding is scored by the share of the target's wall time
 * its class explains (the breakdown along the critical path) and reported when that
 * share reaches its threshold; the others (an OOM kill, major faults, failing
 * syscalls) have fixed scores. The thresholds are documented in docs/diagnosis.md and
 * named here once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/breakdown.h"
#include "analysis/critpath.h"
#include "analysis/diagnose.h"
#include "model/stack_set.h"
#include "lib/syscall_table.h"
#include "lib/util.h"

#define T_CPU 0.30	  /* on a CPU */
#define T_RUNQ 0.10	  /* waiting for a CPU */
#define T_IO 0.10	  /* disk */
#define T_NET 0.10	  /* sockets */
#define T_LOCK 0.10	  /* futexes, file locks */
#define T_SLEEP 0.20	  /* sleeps and timers */
#define T_POLL 0.20	  /* poll, epoll, select */
#define T_OTHER 0.20	  /* pipes, terminals, ... */
#define T_UNKNOWN 0.20	  /* switches not seen */
#define T_PEER 0.10	  /* waiting on a process outside the target */
#define MAJOR_FAULTS 1000 /* paging */
#define T_MEM 0.10	  /* reclaim, and re-reading what reclaim evicted */
#define T_REFAULTS 0.10	  /* of the bytes read: refaults make the disk story memory's */
#define ERRORS_MIN 1000	  /* failing syscalls: at least this many ... */
#define ERRORS_SHARE 0.20 /* ... and this share of that syscall's calls */

static struct finding *add(struct diagnosis *d, const char *kind, double score)
{
	struct finding *f;

	d->f = xrealloc(d->f, sizeof(*d->f) * (d->n + 1));
	f = &d->f[d->n++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->score = score;
	return f;
}

static void ev_num(struct finding *f, const char *key, enum ev_type t, uint64_t v)
{
	if (f->n_ev < FINDING_MAX_EVIDENCE)
		f->ev[f->n_ev++] = (struct evidence){.key = key, .type = t, .num = v};
}

static void ev_share(struct finding *f, const char *key, double v)
{
	if (f->n_ev < FINDING_MAX_EVIDENCE)
		f->ev[f->n_ev++] = (struct evidence){.key = key, .type = EVD_SHARE, .share = v};
}

static void ev_str(struct finding *f, const char *key, const char *v)
{
	if (f->n_ev >= FINDING_MAX_EVIDENCE)
		return;
	f->ev[f->n_ev] = (struct evidence){.key = key, .type = EVD_STR};
	snprintf(f->ev[f->n_ev].str, sizeof(f->ev[0].str), "%s", v);
	f->n_ev++;
}

/* What every finding reads: the snapshot, its breakdowns, the target's name. */
struct dx {
	const struct snapshot *s;
	const struct breakdowns *bd;
	const char *desc;
};

/* The target's own time in class @c: what peers did for it is theirs (peer()). */
static uint64_t own_ns(const struct dx *x, unsigned int c)
{
	uint64_t all = x->bd->target.ns[c], peers = x->bd->in_peers.ns[c];

	return all - (peers < all ? peers : all);
}

static double share(const struct dx *x, unsigned int c)
{
	const struct breakdown *t = &x->bd->target;

	return t->wall_ns ? (double)own_ns(x, c) / t->wall_ns : 0;
}

/*
 * Of the bytes the target read from disk, the share that were refaults: file pages
 * evicted under memory pressure and read back (0 to 1).
 */
static double refault_fraction(const struct snapshot *s)
{
	uint64_t read = s->target.io.bytes[IO_READ];
	double rf = (double)s->target.mem.refault_pages * (double)sysconf(_SC_PAGESIZE);

	if (!read || !rf)
		return 0;
	return rf >= (double)read ? 1.0 : rf / (double)read;
}

/*
 * Refaults' cost as shares of the target's wall time: @io, its disk waits (the disk wait
 * times the refaults' share of the bytes read), and @cpu, the rest of the time of the
 * syscalls that refaulted (the kernel's read path on a CPU, from the first refault to
 * their return). Both 0 unless refaults are a material share of the reads.
 */
static void refault_shares(const struct dx *x, double *io, double *cpu)
{
	const struct breakdown *t = &x->bd->target;
	double rf = refault_fraction(x->s), in_calls;

	*io = *cpu = 0;
	if (rf < T_REFAULTS || !t->wall_ns)
		return;
	*io = share(x, BD_IO) * rf;
	in_calls = (double)x->s->target.mem.refault_ns / (double)t->wall_ns;
	if (in_calls > 1)
		in_calls = 1;
	if (in_calls > *io)
		*cpu = in_calls - *io;
	if (*cpu > share(x, BD_ONCPU))
		*cpu = share(x, BD_ONCPU);
}

/* The memory cgroup behind the target's reclaim: the one with a limit, most refaults. */
static const struct mem_cgroup *mem_cgroup_of(const struct snapshot *s)
{
	const struct mem_cgroup *best = NULL;

	for (size_t i = 0; i < s->n_mem_cgroups; i++) {
		const struct mem_cgroup *cg = &s->mem_cgroups[i];

		if (!best || (cg->limit_bytes && !best->limit_bytes) ||
		    (!!cg->limit_bytes == !!best->limit_bytes &&
		     cg->refault_file > best->refault_file))
			best = cg;
	}
	return best;
}

static bool is_peer(const struct snapshot *s, uint32_t pid)
{
	for (size_t i = 0; i < s->n_peers; i++)
		if (s->peers[i].pid == pid)
			return true;
	return false;
}

/* "`make` (pid 4242)", or what the overflow entry stands for: for sentences. */
static const char *who(const struct process *p)
{
	static char buf[2][64];
	static int k;

	k ^= 1;
	if (p->slot == SLOT_OVERFLOW)
		return "the processes beyond --max-procs";
	snprintf(buf[k], sizeof(buf[k]), "`%s` (pid %u)", p->comm, p->pid);
	return buf[k];
}

/* The process that spent the most wall time in class @c. */
static const struct process *top_proc(const struct dx *x, unsigned int c)
{
	const struct snapshot *s = x->s;
	size_t best = SIZE_MAX;

	for (size_t i = 0; i < s->n_procs; i++)
		if (best == SIZE_MAX || x->bd->procs[i].ns[c] > x->bd->procs[best].ns[c])
			best = i;
	return best != SIZE_MAX && x->bd->procs[best].ns[c] ? &s->procs[best] : NULL;
}

/* A stack's label and weight, for top_stack(). */
struct labelled {
	char *label;
	uint64_t ns;
};

static int cmp_label(const void *a, const void *b)
{
	return strcmp(((const struct labelled *)a)->label, ((const struct labelled *)b)->label);
}

/* "a > b > c": the innermost @n frames of @st; on-CPU, its user frames if it has any. */
static char *stack_label(const struct stack_set *set, const struct stack *st, int n)
{
	uint32_t to = st->n_frames, from;
	char buf[256];
	size_t used = 0;

	while (st->kind == STACK_ONCPU && to > 1 && set->frames[st->frames[to - 1]].kernel &&
	       !set->frames[st->frames[0]].kernel)
		to--;
	from = to > (uint32_t)n ? to - (uint32_t)n : 0;
	buf[0] = '\0';
	for (uint32_t k = from; k < to && used + 4 < sizeof(buf); k++) {
		const struct frame *fr = &set->frames[st->frames[k]];

		used += (size_t)snprintf(buf + used, sizeof(buf) - used, "%s%s%s",
					 k > from ? " > " : "", set->strs[fr->name],
					 fr->kernel ? "_[k]" : "");
	}
	return xstrdup(buf);
}

/*
 * The heaviest path of @kind (and @wclass) of process @pid, or (0) of the target's
 * processes, as "a > b > c": stacks that end in the same innermost @n frames summed
 * (on-CPU: the user frames, the kernel's below them aside).
 */
static bool top_stack(const struct snapshot *s, enum stack_kind kind, int wclass, uint32_t pid,
		      int n, char *buf, size_t len)
{
	const struct stack_set *set = s->stacks;
	struct labelled *l = xcalloc(set ? set->n + 1 : 1, sizeof(*l)), best = {NULL, 0};
	size_t m = 0;

	buf[0] = '\0';
	for (size_t i = 0; set && i < set->n; i++) {
		const struct stack *st = &set->stacks[i];

		if (st->kind != kind || (wclass >= 0 && st->wclass != wclass) || !st->n_frames ||
		    (pid ? st->pid != pid : is_peer(s, st->pid)))
			continue;
		l[m++] = (struct labelled){stack_label(set, st, n), st->ns};
	}
	qsort(l, m, sizeof(*l), cmp_label);
	for (size_t i = 0; i < m;) {
		struct labelled run = {l[i].label, 0};

		for (; i < m && !strcmp(l[i].label, run.label); i++)
			run.ns += l[i].ns;
		if (!best.label || run.ns > best.ns)
			best = run;
	}
	if (best.label)
		snprintf(buf, len, "%s", best.label);
	for (size_t i = 0; i < m; i++)
		free(l[i].label);
	free(l);
	return m > 0;
}

static void cpu(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	const char *desc = x->desc;
	const struct process *p = top_proc(x, BD_ONCPU);
	double sh = share(x, BD_ONCPU),
	       cpus = s->end_ns > s->start_ns
			      ? (double)s->target.sched.oncpu_ns / (s->end_ns - s->start_ns)
			      : 0;
	char b[32], stack[256];
	struct finding *f;
	double rf_io, rf_cpu;
	size_t n;

	if (sh < T_CPU || !p)
		return;
	refault_shares(x, &rf_io, &rf_cpu);
	f = add(d, "cpu", sh - rf_cpu); /* re-reading evicted pages is memory's (memory()) */
	snprintf(f->summary, sizeof(f->summary),
		 "CPU: %s spent %.0f%% of its wall time running on a CPU; %s used %s of "
		 "CPU, the target %.2f CPUs on average",
		 desc, 100 * sh, who(p), fmt_dur(b, sizeof(b), p->m.sched.oncpu_ns), cpus);
	n = strlen(f->summary);
	if (rf_cpu >= 0.05)
		snprintf(f->summary + n, sizeof(f->summary) - n,
			 "; %.0f%% of the wall in the kernel re-reading pages reclaim evicted (see "
			 "the memory finding)",
			 100 * rf_cpu);
	ev_num(f, "oncpu_ns", EVD_NS, own_ns(x, BD_ONCPU));
	ev_share(f, "share", sh);
	ev_num(f, "top_pid", EVD_NUM, p->pid);
	ev_str(f, "top_comm", p->comm);
	ev_num(f, "top_cpu_ns", EVD_NS, p->m.sched.oncpu_ns);
	ev_share(f, "cpus_average", cpus);
	if (top_stack(s, STACK_ONCPU, -1, 0, 4, stack, sizeof(stack))) {
		ev_str(f, "hottest_stack", stack);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "make the hot path cheaper: it is %s (see --flamegraph)%s", stack,
			 cpus < 1.2 ? "; it uses one CPU at a time: parallelize it" : "");
	} else {
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "find the hot path with --flamegraph FILE%s",
			 cpus < 1.2 ? "; it uses one CPU at a time: parallelize it" : "");
	}
}

/* The kind of finding of each run-queue cause (enum runq_cause). */
static const char *const runq_kinds[RQ_CAUSE_N] = {
	[RQ_CONTENTION] = "cpu_contention",
	[RQ_WAKEUP] = "cpu_wakeup_latency",
	[RQ_CONFINED] = "cpu_confined",
	[RQ_THROTTLED] = "cpu_throttled",
};

/* The summary and advice of a run-queue wait of cause @c, a share @part of the wall. */
static void runq_words(struct finding *f, const struct dx *x, unsigned int c, double part,
		       const struct process *p)
{
	const struct snapshot *s = x->s;
	const struct sched_metrics *m = &s->target.sched;
	double span = (double)(s->end_ns - s->start_ns);
	long ncpu = s->ncpus ? (long)s->ncpus : sysconf(_SC_NPROCESSORS_ONLN);
	double mine = span > 0 ? m->oncpu_ns / span : 0;
	double others = span > 0 ? s->cpu_others_ns / span : 0;
	char b[2][32];

	switch (c) {
	case RQ_WAKEUP:
		snprintf(
			f->summary, sizeof(f->summary),
			"wake-up latency: %s waited %.0f%% of its time for idle CPUs to start "
			"running it: %llu wake-ups onto an idle CPU, %s each on average (run-queue "
			"p50 %s); %s waited longest",
			x->desc, 100 * part, (unsigned long long)m->runq_idle_waits,
			fmt_dur(b[0], sizeof(b[0]),
				m->runq_idle_waits ? m->runq_cause_ns[c] / m->runq_idle_waits : 0),
			fmt_dur(b[1], sizeof(b[1]), m->runq.p50_ns), who(p));
		snprintf(f->suggestion, sizeof(f->suggestion), "%s",
			 "each wake-up lands on an idle CPU, which takes time to leave idle (on a "
			 "VM, an interrupt to a halted vCPU): sleep and wake less often -- batch "
			 "the work, fewer syncs or round trips; on a latency-critical host, "
			 "cpuidle.haltpoll (guests), idle=poll, or busy polling "
			 "(net.core.busy_poll)");
		return;
	case RQ_CONFINED:
	case RQ_THROTTLED:
		snprintf(f->summary, sizeof(f->summary),
			 "%s: %s waited %.0f%% of its time %s (it got %.2f of %ld CPUs); %s waited "
			 "longest",
			 c == RQ_CONFINED ? "CPU affinity" : "CPU quota", x->desc, 100 * part,
			 c == RQ_CONFINED ? "for the CPUs it may run on while others sat idle"
					  : "throttled by its cgroup's CPU quota",
			 mine, ncpu, who(p));
		snprintf(f->suggestion, sizeof(f->suggestion), "%s",
			 c == RQ_CONFINED
				 ? "it is pinned to fewer CPUs than it keeps busy: widen its "
				   "affinity (taskset -p, the cpuset's cpuset.cpus, systemd's "
				   "CPUAffinity= or AllowedCPUs=), or run fewer threads on them"
				 : "raise the cgroup's CPU quota (cpu.max; v1 cpu.cfs_quota_us per "
				   "cpu.cfs_period_us; systemd's CPUQuota=) or make the work "
				   "cheaper; the cgroup's cpu.stat counts the throttling "
				   "(nr_throttled)");
		return;
	}
	snprintf(f->summary, sizeof(f->summary),
		 "CPU contention: %s waited %.0f%% of its time for a busy CPU (run-queue p99 %s, "
		 "p50 %s): it got %.2f of %ld CPUs, other processes %.2f; %s waited longest",
		 x->desc, 100 * part, fmt_dur(b[0], sizeof(b[0]), m->runq.p99_ns),
		 fmt_dur(b[1], sizeof(b[1]), m->runq.p50_ns), mine, ncpu, others, who(p));
	if (others > mine)
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "other processes held these CPUs (%.2f of %ld): lower their priority "
			 "(nice, cgroup cpu.weight), move them, or give the target CPUs of its own",
			 others, ncpu);
	else
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "it keeps more threads runnable than the %ld CPUs can run: fewer parallel "
			 "jobs (about one per CPU), or more cores",
			 ncpu);
}

/*
 * Waiting for a CPU, by why the kernel showed at each wait (enum runq_cause): busy CPUs
 * (contention: whose, the neighbours' or the target's own threads), idle CPUs slow to
 * take a wake-up, an affinity mask that kept it off idle CPUs, a CPU quota used up. A
 * finding per cause of 10% of the wall or more (the largest always, when the run queue
 * is), each with its own advice -- never "contention" where the CPUs were idle.
 */
static void runq_findings(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	const struct sched_metrics *m = &s->target.sched;
	double sh = share(x, BD_RUNQ), span = (double)(s->end_ns - s->start_ns);
	const struct process *p = top_proc(x, BD_RUNQ);
	uint64_t all = 0;
	unsigned int top = RQ_CONTENTION;

	if (sh < T_RUNQ || !p)
		return;
	for (unsigned int c = 0; c < RQ_CAUSE_N; c++) {
		all += m->runq_cause_ns[c];
		if (m->runq_cause_ns[c] > m->runq_cause_ns[top])
			top = c;
	}
	for (unsigned int c = 0; c < RQ_CAUSE_N; c++) {
		/* without causes (a recorded run of an older procscope): contention */
		double part = all ? sh * (double)m->runq_cause_ns[c] / (double)all
				  : (c == RQ_CONTENTION ? sh : 0);
		struct finding *f;

		if (c != top && part < T_RUNQ)
			continue;
		f = add(d, runq_kinds[c], part);
		runq_words(f, x, c, part, p);
		ev_num(f, "runq_ns", EVD_NS, (uint64_t)(part * (double)x->bd->target.wall_ns));
		ev_share(f, "share", part);
		ev_share(f, "runq_share", sh);
		ev_num(f, "runq_p50_ns", EVD_NS, m->runq.p50_ns);
		ev_num(f, "runq_p99_ns", EVD_NS, m->runq.p99_ns);
		ev_num(f, "cpus", EVD_NUM,
		       s->ncpus ? s->ncpus : (uint64_t)sysconf(_SC_NPROCESSORS_ONLN));
		ev_share(f, "cpus_target", span > 0 ? m->oncpu_ns / span : 0);
		ev_share(f, "cpus_others", span > 0 ? s->cpu_others_ns / span : 0);
		ev_share(f, "cpus_idle", span > 0 ? s->cpu_idle_ns / span : 0);
		if (c == RQ_WAKEUP)
			ev_num(f, "idle_wakeups", EVD_NUM, m->runq_idle_waits);
		ev_num(f, "top_pid", EVD_NUM, p->pid);
		ev_str(f, "top_comm", p->comm);
	}
}

static const struct syscall_stat *syscall_of(const struct metrics *m, const char *name)
{
	int nr = syscall_nr(name);

	for (size_t i = 0; nr >= 0 && i < m->n_syscalls; i++)
		if ((int)m->syscalls[i].nr == nr)
			return &m->syscalls[i];
	return NULL;
}

static uint64_t syscall_calls(const struct metrics *m, const char *name)
{
	const struct syscall_stat *sc = syscall_of(m, name);

	return sc ? sc->lat.count : 0;
}

/* The calls that wait for written data to reach the disk. */
static const char *const sync_calls[] = {"fsync",  "fdatasync",	      "sync",
					 "syncfs", "sync_file_range", "msync"};

/* The sync call @m spent the most time in, or NULL. */
static const struct syscall_stat *top_sync(const struct metrics *m, const char **name)
{
	const struct syscall_stat *best = NULL;

	for (size_t i = 0; i < ARRAY_SIZE(sync_calls); i++) {
		const struct syscall_stat *sc = syscall_of(m, sync_calls[i]);

		if (sc && (!best || sc->lat.sum_ns > best->lat.sum_ns)) {
			best = sc;
			*name = sync_calls[i];
		}
	}
	return best;
}

/* The process that spent the most time in a sync call, with that call, or NULL. */
static const struct process *sync_waiter(const struct snapshot *s, const struct syscall_stat **call,
					 const char **name)
{
	const struct process *best = NULL;

	for (size_t i = 0; i < s->n_procs; i++) {
		const char *n = "";
		const struct syscall_stat *sc = top_sync(&s->procs[i].m, &n);

		if (sc && (!best || sc->lat.sum_ns > (*call)->lat.sum_ns)) {
			best = &s->procs[i];
			*call = sc;
			*name = n;
		}
	}
	return best;
}

/* The process that read and wrote the most bytes itself, or NULL. */
static const struct process *top_io_bytes(const struct snapshot *s)
{
	const struct process *best = NULL;
	uint64_t most = 0;

	for (size_t i = 0; i < s->n_procs; i++) {
		const struct io_metrics *m = &s->procs[i].m.io;

		if (m->bytes[IO_READ] + m->bytes[IO_WRITE] > most) {
			most = m->bytes[IO_READ] + m->bytes[IO_WRITE];
			best = &s->procs[i];
		}
	}
	return best;
}

/* The process whose pages were written back the most, or NULL. */
static const struct process *top_writeback(const struct snapshot *s)
{
	const struct process *best = NULL;

	for (size_t i = 0; i < s->n_procs; i++)
		if (s->procs[i].m.io.wb_bytes &&
		    (!best || s->procs[i].m.io.wb_bytes > best->m.io.wb_bytes))
			best = &s->procs[i];
	return best;
}

/* "wbps 8.00MiB/s, wiops 200/s on 254:0": the limits of @cg on the target's devices. */
static bool limit_words(const struct io_cgroup *cg, const struct snapshot *s, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < cg->n && used + 1 < len; i++) {
		const struct io_limit *l = &cg->lim[i];
		const char *dev = NULL;
		char b[32], devb[24];

		for (size_t k = 0; k < s->n_devices; k++)
			if (s->devices[k].dev == (l->major << 20 | l->minor))
				dev = s->devices[k].name;
		if (!dev) {
			snprintf(devb, sizeof(devb), "%u:%u", l->major, l->minor);
			dev = devb;
		}
		for (int k = 0; k < IOL_N && used + 1 < len; k++) {
			if (!l->v[k])
				continue;
			if (k == IOL_RBPS || k == IOL_WBPS)
				fmt_bytes(b, sizeof(b), l->v[k]);
			else
				snprintf(b, sizeof(b), "%llu", (unsigned long long)l->v[k]);
			used += (size_t)snprintf(buf + used, len - used, "%s%s %s/s on %s",
						 used ? ", " : "", io_limit_name(k), b, dev);
		}
	}
	return used > 0;
}

static const struct io_cgroup *io_cgroup_of(const struct snapshot *s, uint64_t cgid)
{
	for (size_t i = 0; cgid && i < s->n_io_cgroups; i++)
		if (s->io_cgroups[i].cgid == cgid)
			return &s->io_cgroups[i];
	return NULL;
}

/* What the disk stories read: the process that waited most, with its own figures. */
struct disk_story {
	const struct dx *x;
	const struct process *p;	 /* waited longest for IO */
	const struct process *wb_owner;	 /* whose pages were written back most */
	const struct io_metrics *pio;	 /* p's own IO */
	const struct syscall_stat *sync; /* p's sync call with the most time, or NULL */
	const char *sync_name;
	const struct io_cgroup *cg; /* the cgroup that deferred p's IO, or NULL */
	uint64_t ops, bytes, syncs; /* p's reads and writes; its sync calls */
	bool reads;		    /* p read more than it wrote */
	char lim[160];		    /* the cgroup's limits, in words */
	char what[480];		    /* the story */
	char *advice;		    /* the finding's suggestion */
	size_t advice_len;
};

static const char *throttle_files(const struct io_cgroup *cg)
{
	return cg->v2 ? "io.max" : "blkio.throttle.*_device";
}

/* Held back by its cgroup's limit: the rate it got is the limit's, not the device's. */
static void disk_held_back(struct disk_story *ds)
{
	uint64_t wall = proc_wall_ns(ds->p, ds->x->s);
	double secs = wall / 1e9;
	char b[4][32];

	snprintf(ds->what, sizeof(ds->what),
		 "held back by the IO limit of cgroup %s (%s): it %s %s in %llu requests over %s "
		 "(%s/s, %.0f requests/s), while the device answered in p99 %s",
		 ds->cg->path[0] ? ds->cg->path : "?", ds->lim, ds->reads ? "read" : "wrote",
		 fmt_bytes(b[0], sizeof(b[0]), ds->bytes), (unsigned long long)ds->ops,
		 fmt_dur(b[1], sizeof(b[1]), wall),
		 fmt_bytes(b[2], sizeof(b[2]), (uint64_t)(secs > 0 ? ds->bytes / secs : 0)),
		 secs > 0 ? ds->ops / secs : 0, fmt_dur(b[3], sizeof(b[3]), ds->pio->lat.p99_ns));
	if (ds->syncs > 1 && ds->syncs * 4 >= ds->ops)
		snprintf(ds->advice, ds->advice_len,
			 "the cgroup's limit, not the device: each of its %llu %s calls waits for "
			 "limited IO; batch writes between syncs, or raise the limit (%s)",
			 (unsigned long long)ds->syncs, ds->sync_name, throttle_files(ds->cg));
	else
		snprintf(ds->advice, ds->advice_len,
			 "the cgroup's limit, not the device: raise it (%s), or do less IO",
			 throttle_files(ds->cg));
}

/* Deferred by its cgroup, no limit found (weights, a worker): said as such. */
static void disk_deferred(struct disk_story *ds)
{
	char b[32];

	snprintf(ds->what, sizeof(ds->what),
		 "%llu of its %llu requests were issued later by the kernel for its IO cgroup "
		 "(held back before the device); device p99 %s",
		 (unsigned long long)ds->pio->deferred_ops, (unsigned long long)ds->ops,
		 fmt_dur(b, sizeof(b), ds->pio->lat.p99_ns));
	snprintf(ds->advice, ds->advice_len,
		 "look at the cgroup's IO limits and weights (io.max, io.weight, blkio)");
}

/* It waited in a sync call for data written back: its own, or whose. */
static void disk_in_sync(struct disk_story *ds)
{
	const struct io_metrics *io = &ds->x->s->target.io;
	bool own = ds->pio->wb_bytes || !ds->wb_owner || ds->wb_owner == ds->p;
	char b[3][32];

	if (own)
		snprintf(
			ds->what, sizeof(ds->what),
			"in %llu %s call%s (%s), for its own %s of writes to reach the disk (%llu "
			"requests)",
			(unsigned long long)ds->sync->lat.count, ds->sync_name,
			ds->sync->lat.count == 1 ? "" : "s",
			fmt_dur(b[0], sizeof(b[0]), ds->sync->lat.sum_ns),
			fmt_bytes(b[1], sizeof(b[1]), ds->pio->wb_bytes + ds->pio->bytes[IO_WRITE]),
			(unsigned long long)(ds->pio->wb_ops + ds->pio->ops[IO_WRITE]));
	else
		snprintf(ds->what, sizeof(ds->what),
			 "in %llu %s call%s (%s), for the writeback of %s dirtied by %s%s",
			 (unsigned long long)ds->sync->lat.count, ds->sync_name,
			 ds->sync->lat.count == 1 ? "" : "s",
			 fmt_dur(b[0], sizeof(b[0]), ds->sync->lat.sum_ns),
			 fmt_bytes(b[2], sizeof(b[2]), io->wb_bytes), who(ds->wb_owner),
			 ds->wb_owner->m.io.wb_bytes < io->wb_bytes ? " and others" : "");
	if (ds->syncs > 1 && ds->syncs * 4 >= ds->ops + ds->pio->wb_ops)
		snprintf(ds->advice, ds->advice_len,
			 "%llu %s calls: each waits for the disk; batch writes between syncs, or "
			 "relax durability where the data allows it",
			 (unsigned long long)ds->syncs, ds->sync_name);
	else
		snprintf(
			ds->advice, ds->advice_len,
			"the writes themselves are the work: faster storage or fewer bytes; a sync "
			"after them only waits for them");
}

/* What it read or wrote itself, and the writeback of its pages. */
static void disk_own_io(struct disk_story *ds)
{
	const struct io_metrics *pio = ds->pio;
	char b[4][32];

	snprintf(ds->what, sizeof(ds->what),
		 "it %s %s in %llu requests (%s each on average)%s%s%s; device p99 %s",
		 ds->reads ? "read" : "wrote", fmt_bytes(b[0], sizeof(b[0]), ds->bytes),
		 (unsigned long long)ds->ops,
		 fmt_bytes(b[1], sizeof(b[1]), ds->ops ? ds->bytes / ds->ops : 0),
		 pio->wb_bytes ? ", and " : "",
		 pio->wb_bytes ? fmt_bytes(b[2], sizeof(b[2]), pio->wb_bytes) : "",
		 pio->wb_bytes ? " of its dirty pages were written back" : "",
		 fmt_dur(b[3], sizeof(b[3]), pio->lat.p99_ns));
	if (ds->syncs && ds->syncs * 4 >= ds->ops + pio->wb_ops)
		snprintf(
			ds->advice, ds->advice_len,
			"%llu fsync/fdatasync calls: each waits for the disk; batch writes between "
			"syncs, or relax durability where the data allows it",
			(unsigned long long)ds->syncs);
	else if (!ds->reads && pio->wb_bytes)
		snprintf(ds->advice, ds->advice_len,
			 "its writes wait for its own writeback (dirty page throttling): the "
			 "device's write rate is the limit; fewer bytes or faster storage");
	else if (ds->reads && ds->ops && ds->bytes / ds->ops < 64 * 1024)
		snprintf(ds->advice, ds->advice_len,
			 "small reads: more memory for the page cache, read ahead, or sequential "
			 "access");
	else
		snprintf(ds->advice, ds->advice_len,
			 "the device is the limit: faster storage, fewer bytes, or IO spread over "
			 "devices");
}

/* A long wait, and none of its IO traced: said, not zeros. */
static void disk_unseen(struct disk_story *ds)
{
	snprintf(ds->what, sizeof(ds->what),
		 "but none of its IO reached a traced block device: held back before it (a "
		 "cgroup limit, a network or FUSE filesystem, swap) or submitted before "
		 "procscope attached");
	snprintf(ds->advice, ds->advice_len,
		 "see where it blocks (--offcpu stacks), its cgroup's IO limits, and /proc/%u/io",
		 ds->p->pid);
}

/* Others that took a large part: the one that waited in sync, the one that did the IO. */
static void disk_others(struct disk_story *ds)
{
	const struct snapshot *s = ds->x->s;
	uint64_t io_wait = own_ns(ds->x, BD_IO);
	const struct syscall_stat *call = NULL;
	const char *call_name = "";
	const struct process *sw = sync_waiter(s, &call, &call_name), *big = top_io_bytes(s);
	size_t n = strlen(ds->what);
	char b[2][32];

	if (sw && sw != ds->p && ds->wb_owner && call->lat.sum_ns * 5 >= io_wait &&
	    n < sizeof(ds->what))
		n += (size_t)snprintf(
			ds->what + n, sizeof(ds->what) - n,
			"; %s waited %s in %s for the writeback of %s dirtied by %s", who(sw),
			fmt_dur(b[0], sizeof(b[0]), call->lat.sum_ns), call_name,
			fmt_bytes(b[1], sizeof(b[1]), s->target.io.wb_bytes), who(ds->wb_owner));
	if (big && big != ds->p && big->m.sched.wait_ns[WC_IO] * 5 >= io_wait &&
	    n < sizeof(ds->what)) {
		const struct io_metrics *m = &big->m.io;

		snprintf(ds->what + n, sizeof(ds->what) - n,
			 "; %s %s %s in %llu requests (%s waiting)", who(big),
			 m->bytes[IO_READ] >= m->bytes[IO_WRITE] ? "read" : "wrote",
			 fmt_bytes(b[0], sizeof(b[0]), m->bytes[IO_READ] + m->bytes[IO_WRITE]),
			 (unsigned long long)(m->ops[IO_READ] + m->ops[IO_WRITE]),
			 fmt_dur(b[1], sizeof(b[1]), big->m.sched.wait_ns[WC_IO]));
	}
}

static void disk_evidence(struct finding *f, const struct disk_story *ds, double sh)
{
	const struct snapshot *s = ds->x->s;
	const struct io_device *dev = NULL;

	for (size_t i = 0; i < s->n_devices; i++)
		if (!dev || io_total_bytes(&s->devices[i].m) > io_total_bytes(&dev->m))
			dev = &s->devices[i];
	ev_num(f, "io_ns", EVD_NS, own_ns(ds->x, BD_IO));
	ev_share(f, "share", sh);
	ev_num(f, "top_pid", EVD_NUM, ds->p->pid);
	ev_str(f, "top_comm", ds->p->comm);
	ev_num(f, "top_io_wait_ns", EVD_NS, ds->p->m.sched.wait_ns[WC_IO]);
	ev_num(f, "top_read_bytes", EVD_BYTES, ds->pio->bytes[IO_READ]);
	ev_num(f, "top_write_bytes", EVD_BYTES, ds->pio->bytes[IO_WRITE]);
	ev_num(f, "top_writeback_bytes", EVD_BYTES, ds->pio->wb_bytes);
	ev_num(f, "lat_p99_ns", EVD_NS, s->target.io.lat.p99_ns);
	ev_num(f, "fsync_calls", EVD_NUM, ds->syncs);
	if (dev)
		ev_str(f, "device", dev->name);
	if (ds->pio->deferred_ops)
		ev_num(f, "top_deferred_ops", EVD_NUM, ds->pio->deferred_ops);
	if (ds->cg && ds->cg->path[0])
		ev_str(f, "cgroup", ds->cg->path);
	if (ds->lim[0])
		ev_str(f, "cgroup_limits", ds->lim);
	if (ds->sync)
		ev_str(f, "waited_in", ds->sync_name);
	if (ds->wb_owner) {
		ev_str(f, "writeback_for", ds->wb_owner->comm);
		ev_num(f, "writeback_bytes", EVD_BYTES, s->target.io.wb_bytes);
	}
}

/*
 * Waiting for the disk, told from the process that waited most, with its own figures:
 * held back by its cgroup's limit; or waiting in a sync call for the writeback of its
 * data or another's (named); or what it read or wrote; or, when none of its IO reached
 * a traced device, that.
 */
static void disk(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	struct disk_story ds = {.x = x, .p = top_proc(x, BD_IO), .sync_name = ""};
	double sh = share(x, BD_IO), rf = refault_fraction(s);
	struct finding *f;
	char b[32];

	if (sh < T_IO || !ds.p)
		return;
	if (rf >= T_REFAULTS)
		sh *= 1 - rf; /* the refaults' part of the wait is memory's (memory()) */
	ds.wb_owner = top_writeback(s);
	ds.pio = &ds.p->m.io;
	ds.ops = ds.pio->ops[IO_READ] + ds.pio->ops[IO_WRITE];
	ds.bytes = ds.pio->bytes[IO_READ] + ds.pio->bytes[IO_WRITE];
	ds.reads = ds.pio->bytes[IO_READ] >= ds.pio->bytes[IO_WRITE];
	for (size_t i = 0; i < ARRAY_SIZE(sync_calls); i++)
		ds.syncs += syscall_calls(&ds.p->m, sync_calls[i]);
	ds.sync = top_sync(&ds.p->m, &ds.sync_name);
	ds.cg = io_cgroup_of(s, ds.pio->deferred_cgid);
	f = add(d, "disk", sh);
	ds.advice = f->suggestion;
	ds.advice_len = sizeof(f->suggestion);
	if (ds.pio->deferred_ops && ds.cg && limit_words(ds.cg, s, ds.lim, sizeof(ds.lim)))
		disk_held_back(&ds);
	else if (ds.pio->deferred_ops)
		disk_deferred(&ds);
	else if (ds.sync && ds.sync->lat.sum_ns >= ds.p->m.sched.wait_ns[WC_IO] / 2 &&
		 (ds.pio->wb_bytes || ds.wb_owner || ds.pio->bytes[IO_WRITE]))
		disk_in_sync(&ds);
	else if (ds.ops || ds.pio->wb_ops)
		disk_own_io(&ds);
	else
		disk_unseen(&ds);
	disk_others(&ds);
	if (rf >= T_REFAULTS) {
		size_t n = strlen(ds.what);

		snprintf(ds.what + n, sizeof(ds.what) - n,
			 "; %.0f%% of what it read were refaults, pages memory pressure evicted "
			 "and it read again: that part is memory's, not the device's (see the "
			 "memory finding)",
			 100 * rf);
	}
	snprintf(f->summary, sizeof(f->summary),
		 "disk: %s spent %.0f%% of its wall time waiting for IO, %s of it in %s: %s",
		 x->desc, 100 * share(x, BD_IO),
		 fmt_dur(b, sizeof(b), ds.p->m.sched.wait_ns[WC_IO]), who(ds.p), ds.what);
	disk_evidence(f, &ds, sh);
}

#define BULK_BYTES (256 * 1024) /* per connection: a transfer, not requests and answers */

/*
 * Waiting on sockets, of three kinds: a transfer limited by its rate (much data per
 * connection: the path's bandwidth or the peer's sending rate), answers that come
 * slowly over a fast path (the peer's own time), or many round trips.
 */
static void network(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	double sh = share(x, BD_NET);
	const struct net_metrics *n = &s->target.net;
	const struct net_remote *r = NULL;
	const struct process *p = top_proc(x, BD_NET);
	uint64_t wait = own_ns(x, BD_NET), bytes = n->rx_bytes + n->tx_bytes;
	uint64_t conns = n->connects + n->accepts + n->closes, rate;
	char b[4][32], where[96] = "", what[160];
	bool rx = n->rx_bytes >= n->tx_bytes;
	struct finding *f;

	if (sh < T_NET || !p)
		return;
	for (size_t i = 0; i < s->n_remotes; i++) {
		const struct net_remote *c = &s->remotes[i];

		if (!r || c->rx_bytes + c->tx_bytes > r->rx_bytes + r->tx_bytes ||
		    (c->rx_bytes + c->tx_bytes == r->rx_bytes + r->tx_bytes &&
		     c->connects + c->rtt.count > r->connects + r->rtt.count))
			r = c;
	}
	if (r)
		snprintf(where, sizeof(where), " %s %s", rx ? "from" : "to", r->addr);
	rate = wait ? (uint64_t)((double)bytes * NSEC_PER_SEC / (double)wait) : 0;
	f = add(d, "network", sh);
	if (bytes >= BULK_BYTES * (conns ? conns : 1)) {
		snprintf(what, sizeof(what), "%s %s%s at %.2f Mbit/s", rx ? "receiving" : "sending",
			 fmt_bytes(b[0], sizeof(b[0]), rx ? n->rx_bytes : n->tx_bytes), where,
			 rate * 8 / 1e6);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "the transfer runs at %.2f Mbit/s: the path's bandwidth or the peer's "
			 "sending "
			 "rate limits it%s; send fewer bytes (compression, caching), use a faster "
			 "link, or transfer in parallel",
			 rate * 8 / 1e6,
			 n->retransmits ? ", and retransmits show loss on the path"
					: " (a rate limit? tc, a cloud bandwidth cap)");
	} else if (n->rtt.count && n->rtt.p99_ns * 20 < wait / (conns + 1)) {
		snprintf(what, sizeof(what), "for answers%s", where);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "the network is fast (RTT p99 %s) but answers are slow: look at the peer "
			 "(server time, its queue) rather than the path",
			 fmt_dur(b[0], sizeof(b[0]), n->rtt.p99_ns));
	} else {
		snprintf(what, sizeof(what), "in round trips%s", where);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "fewer round trips (batching, pipelining, connection reuse), or a closer "
			 "or "
			 "less loaded peer");
	}
	snprintf(f->summary, sizeof(f->summary),
		 "network: %s spent %.0f%% of its wall time waiting on sockets, %s (RTT p99 %s, "
		 "connect p99 %s, %llu retransmits, %llu failed connects); %s waited longest",
		 x->desc, 100 * sh, what, fmt_dur(b[1], sizeof(b[1]), n->rtt.p99_ns),
		 fmt_dur(b[2], sizeof(b[2]), n->connect.p99_ns), (unsigned long long)n->retransmits,
		 (unsigned long long)n->connect_failures, who(p));
	ev_num(f, "net_ns", EVD_NS, wait);
	ev_share(f, "share", sh);
	if (r)
		ev_str(f, "remote", r->addr);
	ev_num(f, "rate_bytes_per_s", EVD_NUM, rate);
	ev_num(f, "connect_p99_ns", EVD_NS, n->connect.p99_ns);
	ev_num(f, "rtt_p99_ns", EVD_NS, n->rtt.p99_ns);
	ev_num(f, "retransmits", EVD_NUM, n->retransmits);
	ev_num(f, "connect_failures", EVD_NUM, n->connect_failures);
	ev_num(f, "tx_bytes", EVD_BYTES, n->tx_bytes);
	ev_num(f, "rx_bytes", EVD_BYTES, n->rx_bytes);
	ev_num(f, "top_pid", EVD_NUM, p->pid);
	ev_str(f, "top_comm", p->comm);
}

/* What a peer was doing, by class, in words: "on a CPU", ... */
static const char *const peer_state[BD_N] = {
	[BD_ONCPU] = "on a CPU",
	[BD_RUNQ] = "waiting for a CPU",
	[BD_IO] = "waiting on the disk",
	[BD_NET] = "waiting on the network",
	[BD_LOCK] = "waiting on locks",
	[BD_SLEEP] = "sleeping",
	[BD_POLL] = "waiting for events",
	[BD_CHILD] = "waiting for its children",
	[BD_OTHER] = "blocked on pipes or terminals",
	[BD_MEM] = "reclaiming memory",
	[BD_UNKNOWN] = "in no known state",
};

/* What to do about a peer in state @c (%s: its hot path, for a CPU). */
static const char *const peer_advice[BD_N] = {
	[BD_ONCPU] = "its CPU time is the wait: make its hot path cheaper%s, or cache its "
		     "answers",
	[BD_RUNQ] = "it waited for a CPU while the target waited on it: it is starved "
		    "(neighbours, a CPU quota): give it CPUs or a higher weight",
	[BD_IO] = "it waits on the disk while serving: fewer syncs per request (batching, "
		  "group commit), or faster storage (PEERS shows its disk figures)",
	[BD_NET] = "it waits on the network, a host of its own: look there, or cache its "
		   "answers",
	[BD_LOCK] = "it waits on locks: contention inside it, between its clients or its "
		    "threads",
	[BD_SLEEP] = "it sleeps before answering: a deliberate delay in it (throttling, "
		     "back-off, a batching timer)",
	[BD_POLL] = "it waits for events procscope did not follow to their source (raise "
		    "--peer-depth or --max-peers), or for input",
	[BD_CHILD] = "it waits for its children: see what they do with --peer-depth",
	[BD_OTHER] = "it waits on pipes or terminals: a stage of its own, or input",
	[BD_MEM] = "it reclaims memory while serving: its memory limit, or the host's memory, "
		   "is too tight for its working set",
	[BD_UNKNOWN] = "its states are partly unknown (context switches not seen)",
};

/*
 * A process outside the target that the target waited on for a large part of its
 * wall time: what it was doing meanwhile, and the advice that fits.
 */
static void peer(struct diagnosis *d, const struct dx *x, const struct path_step *st)
{
	const struct snapshot *s = x->s;
	const struct process *p = path_step_proc(s, st);
	double sh = x->bd->target.wall_ns ? (double)st->on_path_ns / x->bd->target.wall_ns : 0;
	unsigned int c = st->dominant;
	double csh = st->on_path_ns ? (double)st->ns[c] / st->on_path_ns : 0;
	char stack[256], hot[300] = "", hops[128] = "";
	struct finding *f;

	if (sh < T_PEER)
		return;
	f = add(d, "peer", sh);
	if (p->hops > 1 && st->via)
		snprintf(hops, sizeof(hops), ", %u wake-ups away (through %s)", p->hops,
			 who(st->via));
	else if (p->hops > 1)
		snprintf(hops, sizeof(hops), ", %u wake-ups away", p->hops);
	snprintf(f->summary, sizeof(f->summary),
		 "peer: %s spent %.0f%% of its wall time waiting on %s, not started by the "
		 "workflow%s, which was %s for %.0f%% of those waits",
		 x->desc, 100 * sh, who(p), hops, peer_state[c], 100 * csh);
	if (c == BD_ONCPU && top_stack(s, STACK_ONCPU, -1, p->pid, 4, stack, sizeof(stack))) {
		snprintf(hot, sizeof(hot), ": it is %s (see --flamegraph)", stack);
		ev_str(f, "hottest_stack", stack);
	}
	snprintf(f->suggestion, sizeof(f->suggestion), peer_advice[c], hot);
	ev_num(f, "on_path_ns", EVD_NS, st->on_path_ns);
	ev_share(f, "share", sh);
	ev_num(f, "peer_pid", EVD_NUM, p->pid);
	ev_str(f, "peer_comm", p->comm);
	ev_num(f, "hops", EVD_NUM, p->hops);
	if (st->via)
		ev_num(f, "via_pid", EVD_NUM, st->via->pid);
	if (p->recalled)
		ev_str(f, "known_from", "the recent past: not followed");
	ev_str(f, "state", bd_class_name(c));
	ev_share(f, "state_share", csh);
	ev_num(f, "peer_cpu_ns", EVD_NS, st->ns[BD_ONCPU]);
}

/* The lock waits on the path released by one thread, summed. */
struct holder {
	const struct lock_wait *first;
	uint64_t ns, waits, state_ns[BD_N];
};

/* The thread that released the largest part of the path's lock waits (kept), or false. */
static bool top_holder(const struct critpath *cp, struct holder *best)
{
	memset(best, 0, sizeof(*best));
	for (size_t i = 0; cp && i < cp->n_locks; i++) {
		struct holder h = {.first = &cp->locks[i]};

		if (!h.first->kept)
			continue; /* the path went on in the releaser: not a lock wait */
		for (size_t k = 0; k < cp->n_locks; k++) {
			const struct lock_wait *l = &cp->locks[k];

			if (!l->kept || l->holder_tid != h.first->holder_tid ||
			    l->proc.peer != h.first->proc.peer || l->proc.i != h.first->proc.i)
				continue;
			if (k < i)
				break; /* summed already, from its first */
			h.ns += l->ns;
			h.waits++;
			for (unsigned int c = 0; c < BD_N; c++)
				h.state_ns[c] += l->holder_ns[c];
		}
		if (h.ns > best->ns)
			*best = h;
	}
	return best->ns > 0;
}

/*
 * A lock wait names who held the lock: "; 1.10s of it (12 waits) ended by thread 4397
 * of `app` (pid 4390) releasing them, which meanwhile was sleeping (96%), released at
 * f > g". The holder's own states during the waits tell why it held long.
 */
static void lock_holder(struct finding *f, const struct dx *x)
{
	struct holder h;
	unsigned int c = 0;
	uint64_t known = 0;
	size_t n = strlen(f->summary);
	const struct process *p;
	char b[32], stack[256];

	if (!top_holder(x->bd->detail, &h))
		return;
	p = proc_ref_get(x->s, h.first->proc);
	for (unsigned int k = 0; k < BD_N; k++) {
		known += h.state_ns[k];
		if (h.state_ns[k] > h.state_ns[c])
			c = k;
	}
	snprintf(f->summary + n, sizeof(f->summary) - n,
		 "; %s of it (%llu waits) ended by thread %u of %s releasing them, which "
		 "meanwhile was %s (%.0f%%)",
		 fmt_dur(b, sizeof(b), h.ns), (unsigned long long)h.waits, h.first->holder_tid,
		 who(p), peer_state[c], known ? 100.0 * h.state_ns[c] / known : 0);
	ev_num(f, "holder_tid", EVD_NUM, h.first->holder_tid);
	ev_num(f, "holder_pid", EVD_NUM, p->pid);
	ev_num(f, "holder_wait_ns", EVD_NS, h.ns);
	ev_num(f, "holder_waits", EVD_NUM, h.waits);
	ev_str(f, "holder_state", bd_class_name(c));
	if (top_stack(x->s, STACK_RELEASE, WC_LOCK, p->pid, 5, stack, sizeof(stack))) {
		n = strlen(f->summary);
		snprintf(f->summary + n, sizeof(f->summary) - n, ", released at %s", stack);
		ev_str(f, "released_at", stack);
	}
}

/* lock, sleep, poll, other: the same shape, different words. */
static void wait_finding(struct diagnosis *d, const struct dx *x, unsigned int c, double threshold,
			 const char *kind, const char *what, int wclass, const char *suggestion)
{
	const struct snapshot *s = x->s;
	double sh = share(x, c);
	const struct process *p = top_proc(x, c);
	char stack[256];
	struct finding *f;

	if (sh < threshold || !p)
		return;
	f = add(d, kind, sh);
	snprintf(f->summary, sizeof(f->summary),
		 "%s: %s spent %.0f%% of its wall time %s, mostly %s", kind, x->desc, 100 * sh,
		 what, who(p));
	snprintf(f->suggestion, sizeof(f->suggestion), "%s", suggestion);
	ev_num(f, bd_ns_key(c), EVD_NS, own_ns(x, c));
	ev_share(f, "share", sh);
	ev_num(f, "top_pid", EVD_NUM, p->pid);
	ev_str(f, "top_comm", p->comm);
	if (top_stack(s, STACK_OFFCPU, wclass, 0, 5, stack, sizeof(stack)))
		ev_str(f, "blocked_at", stack);
	if (c == BD_LOCK)
		lock_holder(f, x);
}

static void memory(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	const char *desc = x->desc;
	const struct mem_metrics *m = &s->target.mem;
	const struct process *big = NULL;
	struct finding *f;

	const struct mem_cgroup *cg = mem_cgroup_of(s);
	double rf = refault_fraction(s), rf_io, rf_cpu, sh;
	char lim[96] = "";

	refault_shares(x, &rf_io, &rf_cpu);
	sh = share(x, BD_MEM) + rf_io + rf_cpu;
	for (size_t i = 0; i < s->n_procs; i++)
		if (!big || s->procs[i].m.mem.rss_peak_bytes > big->m.mem.rss_peak_bytes)
			big = &s->procs[i];
	if (cg && cg->limit_bytes) {
		char b[2][32];

		snprintf(lim, sizeof(lim), " in cgroup %s, at its %s limit (%s at its peak)",
			 cg->path[0] ? cg->path : "(gone)",
			 fmt_bytes(b[0], sizeof(b[0]), cg->limit_bytes),
			 fmt_bytes(b[1], sizeof(b[1]),
				   cg->peak_bytes ? cg->peak_bytes : cg->usage_bytes));
	}
	if (m->oom_kills) {
		f = add(d, "memory", 1.0);
		snprintf(f->summary, sizeof(f->summary),
			 "memory: the OOM killer killed %llu process(es) of %s%s",
			 (unsigned long long)m->oom_kills, desc, lim);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "more memory (or a higher limit for its cgroup), or less of it in use");
		ev_num(f, "oom_kills", EVD_NUM, m->oom_kills);
	} else if (sh >= T_MEM) {
		char b[4][32];

		f = add(d, "memory", sh);
		snprintf(f->summary, sizeof(f->summary),
			 "memory: %s spent %.0f%% of its wall time on memory%s: %s reclaiming it, "
			 "and %s re-read from disk after reclaim evicted it (%.0f%% of what it "
			 "read; "
			 "%s in the calls that re-read it)",
			 desc, 100 * sh, lim, fmt_dur(b[0], sizeof(b[0]), m->reclaim_ns),
			 fmt_bytes(b[1], sizeof(b[1]),
				   m->refault_pages * (uint64_t)sysconf(_SC_PAGESIZE)),
			 100 * rf, fmt_dur(b[3], sizeof(b[3]), m->refault_ns));
		if (cg && cg->limit_bytes)
			snprintf(f->suggestion, sizeof(f->suggestion),
				 "the cgroup's memory limit is below the working set: raise %s "
				 "(now %s), or make the working set smaller -- read the data once "
				 "and stream it, instead of re-reading it",
				 cg->v2 ? "memory.max" : "memory.limit_in_bytes",
				 fmt_bytes(b[2], sizeof(b[2]), cg->limit_bytes));
		else
			snprintf(f->suggestion, sizeof(f->suggestion),
				 "the host's memory is below the working set: more memory, fewer "
				 "neighbours, or a smaller working set -- read the data once and "
				 "stream it, instead of re-reading it");
		ev_share(f, "share", sh);
		ev_num(f, "reclaim_ns", EVD_NS, m->reclaim_ns);
		ev_num(f, "reclaims", EVD_NUM, m->reclaims);
		ev_num(f, "refault_pages", EVD_NUM, m->refault_pages);
		ev_num(f, "refault_bytes", EVD_BYTES,
		       m->refault_pages * (uint64_t)sysconf(_SC_PAGESIZE));
		ev_share(f, "refault_share_of_reads", rf);
		ev_num(f, "refault_ns", EVD_NS, m->refault_ns);
	} else if (m->major_faults >= MAJOR_FAULTS) {
		f = add(d, "memory", share(x, BD_IO) > 0.05 ? share(x, BD_IO) : 0.05);
		snprintf(f->summary, sizeof(f->summary),
			 "memory: %llu major page faults in %s: pages read back from disk (paging, "
			 "or "
			 "cold program files)",
			 (unsigned long long)m->major_faults, desc);
		snprintf(f->suggestion, sizeof(f->suggestion),
			 "more memory, a smaller working set, or warm the page cache");
	} else {
		return;
	}
	ev_num(f, "major_faults", EVD_NUM, m->major_faults);
	ev_num(f, "minor_faults", EVD_NUM, m->minor_faults);
	if (cg) {
		ev_str(f, "cgroup", cg->path[0] ? cg->path : "(gone)");
		if (cg->limit_bytes)
			ev_num(f, "cgroup_limit_bytes", EVD_BYTES, cg->limit_bytes);
		ev_num(f, "cgroup_usage_bytes", EVD_BYTES, cg->usage_bytes);
		if (cg->peak_bytes)
			ev_num(f, "cgroup_peak_bytes", EVD_BYTES, cg->peak_bytes);
		ev_num(f, "cgroup_refault_pages", EVD_NUM, cg->refault_file + cg->refault_anon);
		ev_num(f, "cgroup_processes", EVD_NUM, cg->procs);
	}
	if (s->psi_ok[PSI_MEM])
		ev_num(f, "memory_pressure_some_ns", EVD_NS, s->psi_some_ns[PSI_MEM]);
	if (big) {
		ev_num(f, "rss_peak_bytes", EVD_BYTES, big->m.mem.rss_peak_bytes);
		ev_str(f, "largest_comm", big->comm);
	}
}

/* What failures with @err usually mean, in words. */
static const char *failure_meaning(uint32_t err)
{
	switch (err) {
	case ENOENT:
	case ENOTDIR:
		return "a search through paths that do not exist";
	case EAGAIN:
		return "non-blocking calls that found nothing ready: polling in a loop?";
	case EINTR:
		return "calls interrupted by signals";
	case 512 ... 516: /* ERESTARTSYS .. ERESTART_RESTARTBLOCK */
		return "calls interrupted by signals and restarted (the program never sees "
		       "these)";
	case ECHILD:
		return "waits for children that were already reaped";
	case EACCES:
	case EPERM:
		return "permission denied";
	case ENOTTY:
	case EINVAL:
	case ENOSYS:
	case EOPNOTSUPP:
		return "probes for something the file or kernel does not support";
	case ECONNREFUSED:
	case ETIMEDOUT:
	case EHOSTUNREACH:
	case ENETUNREACH:
		return "connections that did not get through";
	case EINPROGRESS:
		return "non-blocking connects still under way";
	default:
		return "wasted work";
	}
}

static void syscalls(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	const char *desc = x->desc;
	const struct syscall_stat *worst = NULL;
	char nb[32], eb[16];
	const char *name, *err;
	struct finding *f;

	for (size_t i = 0; i < s->target.n_syscalls; i++) {
		const struct syscall_stat *sc = &s->target.syscalls[i];

		if (sc->errors >= ERRORS_MIN && sc->errors >= ERRORS_SHARE * sc->lat.count &&
		    (!worst || sc->errors > worst->errors))
			worst = sc;
	}
	if (!worst)
		return;
	name = syscall_name(worst->nr, nb, sizeof(nb));
	err = worst->top_errno ? errno_name(worst->top_errno, eb, sizeof(eb)) : "?";
	f = add(d, "syscalls", 0.02);
	snprintf(f->summary, sizeof(f->summary),
		 "syscalls: %llu of %llu %s calls in %s failed (%s x%llu): %s",
		 (unsigned long long)worst->errors, (unsigned long long)worst->lat.count, name,
		 desc, err, (unsigned long long)worst->top_errno_count,
		 failure_meaning(worst->top_errno));
	snprintf(f->suggestion, sizeof(f->suggestion),
		 "find who calls it (strace -e %s, or --folded stacks) and why it fails", name);
	ev_str(f, "syscall", name);
	ev_num(f, "errors", EVD_NUM, worst->errors);
	ev_num(f, "calls", EVD_NUM, worst->lat.count);
	if (worst->top_errno)
		ev_str(f, "top_errno", err);
}

/* The @n processes with the most of @value, in @top (returns how many). */
static size_t top_by(const struct snapshot *s, uint64_t (*value)(const struct process *),
		     const struct process **top, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < s->n_procs; i++) {
		const struct process *p = &s->procs[i];
		uint64_t v = value(p);
		size_t j;

		if (!v)
			continue;
		for (j = k; j > 0 && value(top[j - 1]) < v; j--)
			if (j < n)
				top[j] = top[j - 1];
		if (j < n) {
			top[j] = p;
			if (k < n)
				k++;
		}
	}
	return k;
}

static uint64_t cpu_of(const struct process *p)
{
	return p->m.sched.oncpu_ns;
}

static uint64_t io_bytes_of(const struct process *p)
{
	return io_total_bytes(&p->m.io) + p->m.io.wb_bytes;
}

static uint64_t net_bytes_of(const struct process *p)
{
	return p->m.net.rx_bytes + p->m.net.tx_bytes;
}

static uint64_t faults_of(const struct process *p)
{
	return p->m.mem.major_faults;
}

/* "; top: `cc1` 1.20 CPUs, `make` 0.30 CPUs" and the like, appended to @buf. */
static void consumers(char *buf, size_t len, const struct snapshot *s,
		      uint64_t (*value)(const struct process *), const char *unit, double scale)
{
	const struct process *top[3];
	size_t n = top_by(s, value, top, 3), used = strlen(buf);

	for (size_t i = 0; i < n && used + 1 < len; i++) {
		char b[32];

		if (unit && scale == 1)
			snprintf(b, sizeof(b), "%llu %s", (unsigned long long)value(top[i]), unit);
		else if (unit)
			snprintf(b, sizeof(b), "%.2f %s", value(top[i]) * scale, unit);
		else
			fmt_bytes(b, sizeof(b), value(top[i]));
		used += (size_t)snprintf(buf + used, len - used, "%s%s %s",
					 i ? ", " : "; top: ", who(top[i]), b);
	}
}

struct resource {
	const char *name;
	double pressure; /* share of the span stalled (PSI), else of thread-time waiting */
	double rank;	 /* how saturated, for the order */
	bool psi;
	char text[200]; /* its use and top consumers */
};

/*
 * How saturated each resource was over @span: the kernel's pressure stall share where
 * it reports it (PSI), else the target's share of thread-time waiting; with its use
 * and top consumers in words. Returns the CPUs busy on average.
 */
static double measure_resources(const struct dx *x, struct resource r[4], double span, long ncpu)
{
	const struct snapshot *s = x->s;
	const struct metrics *t = &s->target;
	double thread_ns = 0, busy = (t->sched.oncpu_ns + s->cpu_others_ns) / span;
	char b[2][32];

	for (int c = 0; c < BD_N; c++)
		thread_ns += (double)x->bd->target.ns[c];
	for (int i = 0; i < 3; i++) {
		r[i].psi = s->psi_ok[i];
		r[i].pressure = r[i].psi ? s->psi_some_ns[i] / span : 0;
	}
	if (!r[0].psi && thread_ns > 0)
		r[0].pressure = x->bd->target.ns[BD_RUNQ] / thread_ns;
	if (!r[1].psi && thread_ns > 0)
		r[1].pressure = x->bd->target.ns[BD_IO] / thread_ns;
	r[3].pressure = thread_ns > 0 ? x->bd->target.ns[BD_NET] / thread_ns : 0;

	snprintf(r[0].text, sizeof(r[0].text), "%.2f of %ld CPUs busy", busy, ncpu);
	consumers(r[0].text, sizeof(r[0].text), s, cpu_of, "CPUs", 1 / span);
	snprintf(r[1].text, sizeof(r[1].text), "%s/s read, %s/s written",
		 fmt_bytes(b[0], sizeof(b[0]), (uint64_t)(t->io.bytes[IO_READ] * 1e9 / span)),
		 fmt_bytes(b[1], sizeof(b[1]),
			   (uint64_t)((t->io.bytes[IO_WRITE] + t->io.wb_bytes) * 1e9 / span)));
	consumers(r[1].text, sizeof(r[1].text), s, io_bytes_of, NULL, 0);
	snprintf(r[2].text, sizeof(r[2].text), "%llu major faults, %llu OOM kills",
		 (unsigned long long)t->mem.major_faults, (unsigned long long)t->mem.oom_kills);
	consumers(r[2].text, sizeof(r[2].text), s, faults_of, "major faults", 1);
	snprintf(r[3].text, sizeof(r[3].text), "%.2f Mbit/s in, %.2f Mbit/s out",
		 t->net.rx_bytes * 8e3 / span, t->net.tx_bytes * 8e3 / span);
	consumers(r[3].text, sizeof(r[3].text), s, net_bytes_of, NULL, 0);
	/* ranked by pressure; CPUs busy all the time are the limit even when none queues */
	for (int i = 0; i < 4; i++)
		r[i].rank = r[i].pressure;
	if (ncpu > 0 && busy >= 0.9 * ncpu && busy / ncpu > r[0].rank)
		r[0].rank = busy / ncpu > 1 ? 1 : busy / ncpu;
	return busy;
}

static const char *const saturation_advice[4] = {
	"the CPUs are the limit: less work from the top consumers, lower priority for batch "
	"work (nice, cpu.weight), or more CPUs",
	"the disk is the limit: the top consumers' IO (fewer syncs, more page cache), IO "
	"limits or weights for batch work, or faster storage",
	"memory is short: the largest consumers (RSS, page faults), memory limits for batch "
	"work, or more memory",
	"processes wait on the network most: see the network section for peers and rates",
};

/*
 * For the system (-a) or a cgroup (-c), there is no one workflow to follow: rank the
 * resources by how saturated they were and name who used each most.
 */
static void saturation(struct diagnosis *d, const struct dx *x)
{
	const struct snapshot *s = x->s;
	double span = (double)(s->end_ns - s->start_ns), busy;
	long ncpu = s->ncpus ? (long)s->ncpus : sysconf(_SC_NPROCESSORS_ONLN);
	struct resource r[4] = {{"CPU"}, {"disk"}, {"memory"}, {"network"}};
	static const char *const keys[3] = {"cpu_pressure", "io_pressure", "memory_pressure"};
	int order[4] = {0, 1, 2, 3};
	struct finding *f;
	size_t used;
	char b[32];

	if (!s->system || span <= 0)
		return;
	busy = measure_resources(x, r, span, ncpu);
	for (int i = 1; i < 4; i++)
		for (int j = i; j > 0 && r[order[j]].rank > r[order[j - 1]].rank; j--) {
			int k = order[j];

			order[j] = order[j - 1];
			order[j - 1] = k;
		}
	f = add(d, "saturation", r[order[0]].rank > 0.01 ? r[order[0]].rank : 0.01);
	used = (size_t)snprintf(f->summary, sizeof(f->summary), "saturation: over %s of %s: ",
				fmt_dur(b, sizeof(b), (uint64_t)span), x->desc);
	for (int i = 0; i < 4 && used + 1 < sizeof(f->summary); i++) {
		const struct resource *e = &r[order[i]];

		used += (size_t)snprintf(
			f->summary + used, sizeof(f->summary) - used, "%s%s %.0f%% %s (%s)",
			i == 0	 ? ""
			: i == 1 ? "; then "
				 : "; ",
			e->name, 100 * e->pressure, e->psi ? "stalled" : "of waits", e->text);
	}
	snprintf(f->suggestion, sizeof(f->suggestion), "%s",
		 r[order[0]].rank < 0.05 ? "nothing is saturated (below 5% stalled): the top "
					   "consumers are where to look for savings"
					 : saturation_advice[order[0]]);
	for (int i = 0; i < 3; i++)
		ev_share(f, keys[i], r[i].pressure);
	ev_share(f, "network_wait_share", r[3].pressure);
	ev_share(f, "cpu_busy", ncpu > 0 ? busy / ncpu : 0);
	ev_str(f, "most_saturated", r[order[0]].name);
	ev_num(f, "psi", EVD_NUM, r[0].psi && r[1].psi && r[2].psi);
}

static int cmp_score(const void *a, const void *b)
{
	const struct finding *x = a, *y = b;

	return x->score < y->score ? 1 : x->score > y->score ? -1 : 0;
}

void diagnose(const struct snapshot *s, const struct breakdowns *bd, const char *desc,
	      struct diagnosis *out)
{
	const struct dx x = {.s = s, .bd = bd, .desc = desc};

	memset(out, 0, sizeof(*out));
	if (!bd->target.wall_ns)
		return;
	saturation(out, &x);
	cpu(out, &x);
	runq_findings(out, &x);
	disk(out, &x);
	network(out, &x);
	for (size_t i = 0; i < bd->n_path; i++)
		if (bd->path[i].peer)
			peer(out, &x, &bd->path[i]);
	if (s->system)
		goto rest; /* idle daemons wait by design: their waits are not findings */
	wait_finding(out, &x, BD_LOCK, T_LOCK, "lock", "waiting on locks (futexes, file locks)",
		     WC_LOCK,
		     "fewer threads on the same lock, shorter critical sections, or finer-grained "
		     "locking (--offcpu shows where they wait)");
	wait_finding(out, &x, BD_SLEEP, T_SLEEP, "sleep", "sleeping (nanosleep, timers)", WC_SLEEP,
		     "deliberate waits: polling loops, retries with back-off, or sleep in scripts; "
		     "wait for the event instead");
	wait_finding(out, &x, BD_POLL, T_POLL, "poll", "waiting for events (poll, epoll, select)",
		     WC_POLL,
		     "an idle event loop, or a slow peer: see what it waits for with --offcpu");
	wait_finding(out, &x, BD_OTHER, T_OTHER, "other",
		     "blocked on pipes, terminals or other waits", WC_OTHER,
		     "a pipeline stage waiting on its neighbour, or input: --offcpu shows where");
	wait_finding(out, &x, BD_UNKNOWN, T_UNKNOWN, "unknown",
		     "in no known state: some of its context switches were not seen", -1,
		     "numbers for it are a lower bound; on-CPU time is never inferred from "
		     "missing events (docs/metrics.md)");
rest:
	memory(out, &x);
	syscalls(out, &x);
	if (out->n > 1)
		qsort(out->f, out->n, sizeof(*out->f), cmp_score);
}

void diagnosis_add(struct diagnosis *d, const struct finding *f)
{
	*add(d, f->kind, f->score) = *f;
	if (d->n > 1)
		qsort(d->f, d->n, sizeof(*d->f), cmp_score);
}

void diagnosis_release(struct diagnosis *d)
{
	free(d->f);
	memset(d, 0, sizeof(*d));
}
