// SPDX-License-Identifier: GPL-2.0
/*
 * The process tree: fork, exec and exit of target processes. These programs are
 * always loaded, whatever subsystems are on, because they decide what the target is:
 * a child of a tracked process is tracked (unless --no-children), and a process gets
 * a slot, an identity and a command line here. Exec and exit are also announced on
 * the ring buffer so that userspace can capture the command line and notice the end.
 */
#define CORE_DEFINE
#include "core.h"
#include "waits.h"

char LICENSE[] SEC("license") = "GPL";

SEC("tp_btf/sched_process_fork")
int BPF_PROG(core_fork, struct task_struct *parent, struct task_struct *child)
{
	struct task_ctx *pc = filter_task(parent, TS_ONCPU);
	struct task_ctx *cc;
	__u32 pid = BPF_CORE_READ(child, pid);
	__u32 tgid = BPF_CORE_READ(child, tgid);
	__u64 now;

	if (!pc) {
		/* in pid mode, a child of an untracked task is untracked: cache that */
		if (cfg_mode == MODE_PIDS) {
			cc = bpf_task_storage_get(&core_task, child, 0,
						  BPF_LOCAL_STORAGE_GET_F_CREATE);
			if (cc) {
				cc->known = 1;
				cc->peer_gen = core_peer_gen;
			}
		}
		return 0;
	}
	cc = bpf_task_storage_get(&core_task, child, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!cc) {
		stat_inc(STAT_TASK_CTX_FAIL);
		return 0;
	}
	cc->known = 1;
	now = bpf_ktime_get_ns();
	if (pid != tgid) {
		cc->slot = pc->slot; /* a new thread of a tracked process */
	} else if (cfg_mode == MODE_PIDS && !cfg_follow_children && !pc->depth) {
		return 0;
	} else {
		/* a peer's children are the peer's (a daemon's worker) */
		cc->slot = proc_create(child, tgid, pc->depth ? PROC_F_PEER : 0, now, pc->depth);
	}
	/* runnable from birth until it first gets a CPU */
	cc->ts = now;
	cc->tstate = TS_RUNQ;
	cc->preempted = 0;
	cc->rq_cause = RQ_CONTENTION; /* unless the CPU it gets was idle */
	cc->depth = pc->depth;
	cc->seg_start = now;
	cc->seg_oncpu = 0;
	cc->seg_runq = 0;
	path_created(child, parent, now);
	return 0;
}

/*
 * A process renames itself (prctl(PR_SET_NAME), a write to /proc/PID/comm): the name of
 * its main thread is the process's, as ps shows it, and what process[NAME] rules match.
 */
SEC("?tp_btf/task_rename")
int BPF_PROG(core_rename, struct task_struct *task, const char *comm)
{
	struct task_ctx *c;
	struct proc_rec *rec;

	if (task->pid != task->tgid)
		return 0;
	c = filter_task(task, task == bpf_get_current_task_btf() ? TS_ONCPU : TS_UNKNOWN);
	if (!c || c->slot == SLOT_OVERFLOW || !(rec = proc_of(c->slot)))
		return 0;
	bpf_probe_read_kernel_str(rec->comm, sizeof(rec->comm), comm);
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(core_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_ctx *c = filter_task(p, TS_ONCPU);
	struct proc_rec *rec;
	struct ev_exec *e;
	unsigned long start, end;
	__u32 zero = 0;
	__u64 len;

	if (!c)
		return 0;
	rec = proc_of(c->slot);
	if (rec && c->slot != SLOT_OVERFLOW) {
		rec->exec_ns = bpf_ktime_get_ns();
		rec->flags |= PROC_F_EXECED;
		rec->cgid = BPF_CORE_READ(p, cgroups, dfl_cgrp, kn, id);
		bpf_probe_read_kernel_str(rec->comm, sizeof(rec->comm), p->comm);
	}
	/* built aside, then put on the ring at its length: most command lines are short */
	e = bpf_map_lookup_elem(&core_exec_buf, &zero);
	if (!e)
		return 0;
	e->h.kind = EV_EXEC;
	e->h.pid = BPF_CORE_READ(p, tgid);
	e->h.slot = c->slot;
	e->h.pad = 0;
	e->h.ts_ns = bpf_ktime_get_ns();
	bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), p->comm);
	/* exec just copied the arguments to the new stack: they are resident */
	start = BPF_CORE_READ(p, mm, arg_start);
	end = BPF_CORE_READ(p, mm, arg_end);
	len = end > start ? end - start : 0;
	e->truncated = len >= CMDLINE_MAX;
	if (len >= CMDLINE_MAX)
		len = CMDLINE_MAX - 1;
	len &= CMDLINE_MAX - 1; /* for the verifier: a bound it can see */
	e->args_len = 0;
	if (len && bpf_probe_read_user(e->args, len, (void *)start) == 0)
		e->args_len = len;
	else if (len)
		stat_inc(STAT_ARGS_FAULT);
	/* a multiple of 8, as the ring's records are */
	len = EV_EXEC_SIZE((e->args_len + 7) & ~7U);
	if (len > sizeof(*e))
		len = sizeof(*e);
	if (bpf_ringbuf_output(&core_events, e, len, event_wake_flags()))
		stat_inc(STAT_RB_DROPS);
	return 0;
}

/*
 * The kernel's fold (cfg_kfold, a monitor's): when userspace is late recycling (half
 * the slots or rows in use), a process is folded at its exit into the aggregate of its
 * command (and cgroup, peers apart) that the kernel keeps in a slot of its own
 * (PROC_F_AGG), and its slot and rows are given back at once: the tables never wait for
 * userspace (kernel/recycle.h, which merges these aggregates into its own and, for the
 * intervals, moves what the last dump held of such a process into its aggregate there,
 * as it does for those it recycles itself). One whose sockets may name it after its
 * exit (its exit closes them, after this) is left to userspace, whose quarantine waits
 * for them; pages it dirtied are written back later than any quarantine. Its stacks
 * stay keyed by its slot and pid: the exit event names the aggregate, and userspace
 * moves them under it.
 */
struct fold_ctx {
	struct proc_rec *p; /* the process */
	struct proc_rec *a; /* its aggregate */
	__u32 slot, agg;
};

/* A row being added to another, or a record being zeroed (bpf_loop()'s context). */
struct pair_ctx {
	struct stat_row *d, *r;
	struct proc_rec *p;
};

/* bpf_loop(): bucket @i of ctx->r added to ctx->d's */
static long fold_bucket(__u32 i, void *ctx)
{
	struct pair_ctx *c = ctx;
	__u32 v;

	if (i >= HIST_SLOTS)
		return 1;
	v = c->r->hist[i];
	if (v)
		__sync_fetch_and_add(&c->d->hist[i], v);
	return 0;
}

/* bpf_loop(): word @i of row ctx->r, zeroed */
static long zero_row_word(__u32 i, void *ctx)
{
	struct pair_ctx *c = ctx;

	if (i >= sizeof(struct stat_row) / 8)
		return 1;
	((__u64 *)c->r)[i] = 0;
	return 0;
}

/* bpf_loop(): word @i of record ctx->p, zeroed */
static long zero_proc_word(__u32 i, void *ctx)
{
	struct pair_ctx *c = ctx;

	if (i >= sizeof(struct proc_rec) / 8)
		return 1;
	((__u64 *)c->p)[i] = 0;
	return 0;
}

/* Add row @r into @d: kernel/recycle.c's add_row(), in atomics (folds run side by side). */
static __always_inline void row_fold(struct stat_row *d, struct stat_row *r)
{
	struct pair_ctx c = {.d = d, .r = r};
	__u32 n = 0, i, j, code, cur;

	if (r->count)
		__sync_fetch_and_add(&d->count, r->count);
	if (r->errors)
		__sync_fetch_and_add(&d->errors, r->errors);
	if (r->timed) {
		__sync_fetch_and_add(&d->timed, r->timed);
		__sync_fetch_and_add(&d->sum_ns, r->sum_ns);
		n = r->max_low ? HIST_SLOTS : hist_slot(r->max_ns) + 1;
		if (!atomic_max(&d->max_ns, r->max_ns) || r->max_low)
			d->max_low = 1;
	}
	for (i = 0; i < 4; i++) {
		code = r->err_code[i];
		if (!r->err_count[i])
			continue;
		for (j = 0; j < 4; j++) {
			cur = d->err_code[j];
			if (!cur) {
				cur = __sync_val_compare_and_swap(&d->err_code[j], 0, code);
				if (!cur)
					cur = code;
			}
			if (cur == code) {
				__sync_fetch_and_add(&d->err_count[j], r->err_count[i]);
				break;
			}
		}
	}
	if (n)
		bpf_loop(n, fold_bucket, &c, 0);
}

/* bpf_loop(): the process's row of index entry @i into its aggregate's, given back. */
static long fold_row(__u32 i, void *ctx)
{
	struct fold_ctx *f = ctx;
	struct pair_ctx z = {};
	struct stat_row *r, *d;
	__u32 idx, aidx;

	if (i >= SYSCALL_NR_MAX + ROW_KIND_N)
		return 1;
	idx = ((__u16 *)f->p->syscall_row)[i];
	if (idx < ROW_FIRST)
		return 0; /* none, or an overflow row: everyone's */
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r || !r->kind || r->slot != f->slot)
		return 0;
	aidx = ((__u16 *)f->a->syscall_row)[i];
	if (!aidx)
		aidx = row_publish(f->a, i, row_alloc(f->agg, r->kind, r->key));
	d = bpf_map_lookup_elem(&core_rows, &aidx);
	if (d)
		row_fold(d, r);
	z.r = r;
	bpf_loop(sizeof(*r) / 8, zero_row_word, &z, 0);
	/* counted first: a CPU that takes it counts it out after (in use: in - out) */
	__sync_fetch_and_add(&core_kfree_rows_in, 1);
	if (bpf_map_push_elem(&core_kfree_rows, &idx, 0))
		__sync_fetch_and_sub(&core_kfree_rows_in, 1);
	return 0;
}

/* bpf_loop(): counter @k of cfg_fold_off, the process's added to its aggregate's */
static long fold_counter(__u32 k, void *ctx)
{
	struct fold_ctx *f = ctx;
	__u32 off, o;
	__u64 v, *d;

	if (k >= PROC_FOLD_N || k >= cfg_fold_n)
		return 1;
	off = cfg_fold_off[k];
	o = off & (PROC_FOLD_MAX_BIT - 8);
	if (o > sizeof(struct proc_rec) - sizeof(__u64))
		return 1;
	v = *(__u64 *)((char *)f->p + o);
	if (!v)
		return 0;
	d = (__u64 *)((char *)f->a + o);
	if (off & PROC_FOLD_MAX_BIT)
		atomic_max(d, v);
	else
		__sync_fetch_and_add(d, v);
	return 0;
}

/* The slot of @p's aggregate, made if new; SLOT_NONE if there is none to be had. */
static __always_inline __u32 agg_slot(struct proc_rec *p)
{
	__u32 none = SLOT_NONE, slot, *v;
	struct agg_key k = {};
	struct proc_rec *a;

	__builtin_memcpy(k.comm, p->comm, COMM_LEN);
	k.cgid = p->cgid;
	k.peer = !!(p->flags & PROC_F_PEER);
	v = bpf_map_lookup_elem(&core_aggs, &k);
	if (v)
		return *v; /* SLOT_NONE while another CPU makes it */
	if (bpf_map_update_elem(&core_aggs, &k, &none, BPF_NOEXIST))
		return SLOT_NONE; /* made meanwhile, or the map is full */
	v = bpf_map_lookup_elem(&core_aggs, &k);
	if (!v)
		return SLOT_NONE;
	slot = slot_take();
	a = slot < cfg_max_procs ? proc_of(slot) : NULL;
	if (!a) {
		*v = SLOT_OVERFLOW; /* none: its processes are left to userspace */
		return SLOT_NONE;
	}
	__builtin_memcpy(a->comm, p->comm, COMM_LEN);
	a->cgid = p->cgid;
	a->depth = p->depth;
	a->start_ns = p->start_ns;
	a->flags = PROC_F_AGG | PROC_F_EXITED | (k.peer ? PROC_F_PEER : 0);
	*v = slot;
	return slot;
}

/* Of @carved slots or rows, those in use: not waiting in a ring or queue of free ones. */
static __always_inline __u64 table_used(__u64 carved, __u64 max, __u64 user_free, __u64 kfree)
{
	if (carved > max)
		carved = max;
	if (user_free > carved)
		return 0;
	carved -= user_free;
	return kfree > carved ? 0 : carved - kfree;
}

/*
 * Half the slots or rows in use: userspace, which recycles from a quarter on (and
 * before that reports each process on its own), is late. Only then does the kernel fold.
 */
static __always_inline bool tables_pressed(void)
{
	__u64 slots = table_used(core_next_slot - SLOT_FIRST, cfg_max_procs,
				 core_free_slots_prod - core_free_slots_cons,
				 core_kfree_slots_in - core_kfree_slots_out);
	__u64 rows = table_used(core_next_row - ROW_FIRST, cfg_max_rows,
				core_free_rows_prod - core_free_rows_cons,
				core_kfree_rows_in - core_kfree_rows_out);

	return slots * 2 >= cfg_max_procs || rows * 2 >= cfg_max_rows;
}

/*
 * Fold the process in @slot, ended, into its aggregate (see above): the aggregate's
 * slot, or SLOT_NONE if it is left to userspace. Global: verified once.
 */
__noinline int proc_fold(__u32 slot)
{
	struct fold_ctx f = {.slot = slot};
	struct proc_rec *p = proc_of(slot);
	struct pair_ctx z = {};

	if (!p || !cfg_kfold || !p->pid || !tables_pressed() ||
	    (p->flags &
	     (PROC_F_PRESENT | PROC_F_LAUNCHED | PROC_F_DUP | PROC_F_AGG | PROC_F_FOLDING)) ||
	    p->net.tx_bytes || p->net.rx_bytes || p->net.connects)
		return SLOT_NONE;
	f.agg = agg_slot(p);
	if (f.agg < SLOT_FIRST || !(f.a = proc_of(f.agg)))
		return SLOT_NONE;
	f.p = p;
	/* a dump that reads the slot meanwhile skips it (kernel/session_collect.c) */
	__sync_fetch_and_or(&p->flags, PROC_F_FOLDING);
	bpf_loop(PROC_FOLD_N, fold_counter, &f, 0);
	bpf_loop(SYSCALL_NR_MAX + ROW_KIND_N, fold_row, &f, 0);
	__sync_fetch_and_add(&f.a->folded, 1);
	if (p->end_ns > p->start_ns)
		__sync_fetch_and_add(&f.a->lifetime_ns, p->end_ns - p->start_ns);
	atomic_max(&f.a->end_ns, p->end_ns);
	if (p->start_ns < f.a->start_ns)
		f.a->start_ns = p->start_ns;
	z.p = p;
	bpf_loop(sizeof(*p) / 8, zero_proc_word, &z, 0);
	__sync_fetch_and_add(&core_kfree_slots_in, 1);
	if (bpf_map_push_elem(&core_kfree_slots, &slot, 0))
		__sync_fetch_and_sub(&core_kfree_slots_in, 1);
	stat_inc(STAT_KFOLDED);
	return f.agg;
}

/*
 * Process @tgid in @slot ended, its last thread @p exiting: recorded, and said once;
 * with @fold, folded by the kernel if it may be (proc_fold()). The slot of the
 * aggregate it went into, SLOT_NONE if none.
 */
static __always_inline __u32 proc_ended(struct task_struct *p, __u32 tgid, __u32 slot, bool fold)
{
	struct proc_rec *rec = proc_of(slot);
	__s32 code = BPF_CORE_READ(p, exit_code);
	__u32 agg = SLOT_NONE, flags = 0;
	struct ev_exit *e;

	if (rec && slot != SLOT_OVERFLOW) {
		rec->exit_code = code;
		rec->end_ns = bpf_ktime_get_ns();
		rec->flags |= PROC_F_EXITED;
		/* the peak RSS the kernel reports to the parent (pages) */
		if (cfg_mem)
			rec->mem.rss_peak_bytes = BPF_CORE_READ(p, signal, maxrss) * cfg_page_size;
	}
	/* the pid may be reused by an unrelated process: forget it */
	bpf_map_delete_elem(&core_tgid_slot, &tgid);
	if (rec) {
		flags = rec->flags;
		if (fold && cfg_kfold && slot >= SLOT_FIRST)
			agg = proc_fold(slot);
	}
	e = bpf_ringbuf_reserve(&core_events, sizeof(*e), 0);
	if (!e) {
		stat_inc(STAT_RB_DROPS);
		return agg;
	}
	e->h.kind = EV_EXIT;
	e->h.pid = tgid;
	e->h.slot = slot;
	e->h.pad = 0;
	e->h.ts_ns = bpf_ktime_get_ns();
	e->exit_code = code;
	e->agg = agg;
	e->flags = flags;
	e->pad = 0;
	event_submit(e);
	return agg;
}

SEC("tp_btf/sched_process_exit")
int BPF_PROG(core_exit, struct task_struct *p)
{
	struct task_ctx *c = filter_task(p, TS_ONCPU);
	struct cpu_ctx *cc = cpu_ctx();
	struct proc_rec *rec;
	__u32 tgid = p->tgid, *slot, k;

	/* its kernel stack, and the registers on it, may soon be another task's */
	if (cc && cc->task == (__u64)p)
		cc->regs = 0;
	if (!c) {
		/*
		 * Its context out of reach -- its task storage busy on this CPU (a program it
		 * preempted holds it), or it left the target's cgroup: a tracked process's
		 * end is still its slot's, found by its tgid. (Else the slot would never be
		 * recycled, nor the process be said to have ended.)
		 */
		if (BPF_CORE_READ(p, signal, live.counter) == 0 &&
		    (slot = bpf_map_lookup_elem(&core_tgid_slot, &tgid)))
			proc_ended(p, tgid, *slot, false);
		return 0;
	}
	rec = proc_of(c->slot);
	c->exited = 1;
	/* it woke a thread of its process waiting on a lock just before exiting: a join */
	if (rec && c->woke_ns && c->woke_slot == c->slot &&
	    bpf_ktime_get_ns() - c->woke_at < JOIN_WINDOW_NS) {
		__sync_fetch_and_sub(&rec->sched.wait_ns[WC_LOCK], c->woke_ns);
		__sync_fetch_and_add(&rec->sched.wait_ns[WC_CHILD], c->woke_ns);
	}
	if (cfg_mem && rec) {
		/* this thread's faults move into the process (live ones come from core_tasks) */
		__sync_fetch_and_add(&rec->mem.minor_faults,
				     BPF_CORE_READ(p, min_flt) - c->flt_min_base);
		__sync_fetch_and_add(&rec->mem.major_faults,
				     BPF_CORE_READ(p, maj_flt) - c->flt_maj_base);
	}
	/* do_exit() drops signal->live before this tracepoint: 0 means last thread */
	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0;
	k = proc_ended(p, tgid, c->slot, true);
	if (k >= SLOT_FIRST) {
		/* folded: what this thread does until it leaves the CPU goes with the rest */
		c->slot = k;
		if (cc && cc->task == (__u64)p)
			cc->slot = k;
	}
	return 0;
}

/* The state a task is in right now, for a task never seen before. */
static __always_inline __u8 state_now(struct task_struct *t)
{
	if (task_state(t) != 0 /* TASK_RUNNING */)
		return TS_BLOCKED;
	return BPF_CORE_READ(t, on_cpu) ? TS_ONCPU : TS_RUNQ;
}

/*
 * Run by userspace at every snapshot: for each live thread of the target, the
 * scheduler interval still open and its fault counters, so that live processes are
 * accounted up to the moment of the report.
 */
SEC("?iter/task")
int core_tasks(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct task_iter_rec rec = {};
	struct task_ctx *c;
	bool seen;

	if (!t)
		return 0;
	c = bpf_task_storage_get(&core_task, t, 0, 0);
	seen = c && c->known;
	c = filter_task(t, state_now(t));
	if (!c || c->exited)
		return 0;
	if (!seen && c->tstate == TS_BLOCKED)
		blocked_before(t, c);
	rec.slot = c->slot;
	rec.tid = t->pid;
	rec.pid = t->tgid;
	/* short waits merged and not out yet: from their first stretch (their waits: not
	 * known, at most PATH_MERGE_WINDOW_NS) */
	rec.seg_start = c->acc.n ? c->acc.seg_start : c->seg_start;
	rec.seg_oncpu = c->seg_oncpu + (c->acc.n ? c->acc.oncpu_ns : 0);
	rec.seg_runq = c->seg_runq + (c->acc.n ? c->acc.runq_ns : 0);
	rec.rq_cause = c->rq_cause;
	if (cfg_sched && c->tstate != TS_DEAD && c->tstate != TS_UNKNOWN) {
		__u64 now = bpf_ktime_get_ns();

		/* believed running, but on no CPU: its switch-out went unseen (unaccounted) */
		rec.tstate = c->tstate == TS_ONCPU && !t->on_cpu ? TS_UNKNOWN : c->tstate;
		rec.bstate = c->bstate;
		rec.wclass = c->wclass;
		rec.preempted = c->preempted;
		rec.open_ns = now > counted_from(c->ts) ? now - counted_from(c->ts) : 0;
	}
	if (cfg_mem) {
		rec.minor_faults = BPF_CORE_READ(t, min_flt) - c->flt_min_base;
		rec.major_faults = BPF_CORE_READ(t, maj_flt) - c->flt_maj_base;
	}
	bpf_seq_write(ctx->meta->seq, &rec, sizeof(rec));
	return 0;
}

/*
 * Run by userspace once at attach, with the recent past on: every task, a seed of the
 * past (PAST_SEED, include/core_abi.h) -- on a CPU, runnable, or blocked (in which
 * syscall), and its context switches so far. To the iterator's output, not to the
 * rings: they turn over, and the seeds are kept for the whole run.
 */
SEC("?iter/task")
int core_seeds(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct past_rec r = {};
	const __u64 *comm;

	if (!t)
		return 0;
	r.ts = bpf_ktime_get_ns();
	r.tid = t->pid;
	r.pid = t->tgid;
	r.nr = PAST_NO_SYSCALL;
	r.kind = PAST_SEED;
	/* on a CPU, it is: a task about to block blocks at its switch-out */
	if (t->on_cpu) {
		r.state = PAST_ONCPU;
	} else if (task_state(t) == 0 /* TASK_RUNNING */) {
		r.state = PAST_RUNNABLE;
	} else {
		r.nr = past_syscall(t);
		r.state = BPF_CORE_READ_BITFIELD(t, in_iowait) ? PAST_IOWAIT : PAST_BLOCKED;
	}
	r.cs = (__u32)(t->nvcsw + t->nivcsw);
	comm = (const __u64 *)t->comm; /* two loads, as past_put() */
	((__u64 *)r.comm)[0] = comm[0];
	((__u64 *)r.comm)[1] = comm[1];
	bpf_seq_write(ctx->meta->seq, &r, sizeof(r));
	return 0;
}

/*
 * Run by userspace once at attach, after core_tasks: a target thread it found blocked
 * in poll or select (and still blocked in that wait) has its descriptors read from its
 * memory -- the wait is the network's if one of the first is a socket with traffic, as
 * for a wait seen to begin. Sleepable, for bpf_copy_from_user_task().
 */
SEC("?iter.s/task")
int core_waits(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	struct pollfd_ {
		int fd;
		short events, revents;
	} pfd[WAIT_SCAN];
	__u64 a[3], fdt, set = 0, w = 0, n;
	struct pt_regs *regs;
	struct task_ctx *c;
	long nr;

	if (!t)
		return 0;
	c = bpf_task_storage_get(&core_task, t, 0, 0);
	if (!c || !c->user_wait)
		return 0;
	c->user_wait = 0;
	/* woken since core_tasks: its wait is over, and was filed when it ended */
	if (c->tstate != TS_BLOCKED || c->ts != window_start(t))
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return 0;
	nr = (long)BPF_CORE_READ(regs, orig_ax);
	if (nr < 0 || nr >= SYSCALL_NR_MAX)
		return 0;
	a[0] = PT_REGS_PARM1_CORE_SYSCALL(regs);
	a[1] = PT_REGS_PARM2_CORE_SYSCALL(regs);
	a[2] = PT_REGS_PARM3_CORE_SYSCALL(regs);
	fdt = ptr_to_u64(BPF_CORE_READ(t, files, fdt));
	if (cfg_syscall_class[nr] == SYSCALL_CLASS_SELECT) {
		if (a[1])
			bpf_copy_from_user_task(&set, sizeof(set), (void *)a[1], t, 0);
		if (a[2] && !bpf_copy_from_user_task(&w, sizeof(w), (void *)a[2], t, 0))
			set |= w;
		c->wclass = fdset_wait_class(fdt, set);
		return 0;
	}
	n = a[1] < WAIT_SCAN ? a[1] : WAIT_SCAN;
	if (n < 1 || bpf_copy_from_user_task(pfd, n * sizeof(pfd[0]), (void *)a[0], t, 0))
		return 0;
	for (int i = 0; i < WAIT_SCAN && i < n; i++)
		if (pfd[i].fd >= 0 && fd_wait_class(fdt, pfd[i].fd) == WC_NET) {
			c->wclass = WC_NET;
			break;
		}
	return 0;
}
