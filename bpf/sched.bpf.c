// SPDX-License-Identifier: GPL-2.0
/*
 * Scheduler accounting: for each target thread, time on a CPU, time waiting for one
 * (with its distribution), and time blocked, by the task's state when it left the
 * CPU and by what it was waiting for. Transitions come from sched_switch (both the
 * task leaving and the one arriving, each through filter_task) and sched_wakeup; the
 * interval that a transition closes is added to the owning process. core_tasks, the
 * task iterator in core.bpf.c that userspace runs at every snapshot, reports the
 * intervals still open, so that live processes are accounted up to the report.
 */
#include "stacks.h"
#include "path.h"
#include "waits.h"

/* --trace: wake userspace once this much waits in core_trace, else it polls */
#define TRACE_WAKEUP_BYTES (256 * 1024)

static __always_inline void trace_submit(struct trace_rec *e)
{
	__u64 avail = bpf_ringbuf_query(&core_trace, BPF_RB_AVAIL_DATA);

	bpf_ringbuf_submit(e, avail >= TRACE_WAKEUP_BYTES ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/* --trace: a record of @t's timeline from @start to @end, its other fields zero. */
static __always_inline struct trace_rec *trace_reserve(struct task_struct *t, __u8 kind,
						       __u64 start, __u64 end)
{
	struct trace_rec *e = bpf_ringbuf_reserve(&core_trace, sizeof(*e), 0);

	if (!e) {
		stat_inc(STAT_TRACE_DROPS);
		return NULL;
	}
	e->start_ns = start;
	e->end_ns = end;
	e->tid = t->pid;
	e->pid = t->tgid;
	e->kind = kind;
	e->tstate = 0;
	e->wclass = 0;
	e->bstate = 0;
	e->waker = 0;
	e->waker_pid = 0;
	e->pad = 0;
	return e;
}

/* --trace: the interval of @t that closes at @to, as a slice of its timeline. */
static __always_inline void trace_slice(struct task_struct *t, const struct task_ctx *c, __u64 to)
{
	struct trace_rec *e;
	__u64 from;

	if (!cfg_trace || c->tstate < TS_ONCPU || c->tstate > TS_BLOCKED)
		return;
	from = counted_from(c->ts);
	if (to <= from)
		return;
	e = trace_reserve(t, TR_SLICE, from, to);
	if (!e)
		return;
	e->tstate = c->tstate;
	e->wclass = c->wclass;
	e->bstate = c->bstate;
	trace_submit(e);
}

/*
 * --trace: @t, blocked in wait class @wclass, woken now by the task on this CPU if that
 * is a target thread. Only for the classes woken from a task's own context (a lock's
 * holder, an exiting child, a pipe's writer): a timer, a disk or a network interrupt
 * runs on whatever task it interrupts, which did not wake anyone.
 */
static __always_inline void trace_wake(struct task_struct *t, struct task_struct *w, __u8 src,
				       __u64 now)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct trace_rec *e;

	/* a followed task's doing, in its context or its loopback send's (bpf/path.h) */
	if (!cfg_trace || (src != WS_TASK && src != WS_LOOPBACK))
		return;
	if (!cc || cc->task != (__u64)w || cc->slot == SLOT_NONE || w == t)
		return;
	e = trace_reserve(t, TR_WAKE, now, now);
	if (!e)
		return;
	e->tstate = TS_RUNQ;
	e->waker = w->pid;
	e->waker_pid = w->tgid;
	trace_submit(e);
}

#define TASK_RUNNING 0x0000
#define TASK_DEAD 0x0080

#define RQ_SCAN_CPUS 64 /* CPUs looked at for an idle one outside a task's mask */

/*
 * Is each CPU running its idle task, as its last switch said (sched_switch keeps it;
 * the kernel's runqueues are not a symbol every kernel shows)?
 */
struct {
	__u8 idle;
	__u8 pad[63]; /* a cache line each: every switch writes its own CPU's */
} cpu_idle_now[RQ_SCAN_CPUS];

/* Is a CPU outside @t's affinity mask idle (of the first RQ_SCAN_CPUS)? */
static __always_inline bool idle_outside_mask(struct task_struct *t)
{
	__u64 mask;
	__u32 cpu;

	if ((__u32)t->nr_cpus_allowed >= cfg_ncpus)
		return false; /* not confined: the usual case, at one load */
	mask = BPF_CORE_READ(t, cpus_ptr, bits[0]);
	for (cpu = 0; cpu < RQ_SCAN_CPUS && cpu < cfg_ncpus; cpu++)
		if (!(mask & (1ULL << cpu)) && cpu_idle_now[cpu].idle)
			return true;
	return false;
}

/* Has @t's CPU quota run out (its cgroup throttled, or it alone on a recent kernel)? */
static __always_inline bool quota_throttled(struct task_struct *t)
{
	struct cfs_rq *q;

	/* direct loads, as tp_btf allows: no helper call on the wake-up path */
	if (bpf_core_field_exists(t->throttled) && t->throttled)
		return true; /* 6.18's task-based throttling: set as it leaves its CPU */
	if (!bpf_core_field_exists(t->se.cfs_rq) ||
	    !bpf_core_field_exists(struct cfs_rq, throttle_count))
		return false;
	/* its group or one above it throttled (the kernel's throttled_hierarchy()) */
	q = BPF_CORE_READ(t, se.cfs_rq);
	return q && BPF_CORE_READ(q, throttle_count) > 0;
}

/*
 * What the kernel shows as @t starts to wait for a CPU: its quota used up, or an idle
 * CPU it may not use -- else contention, unless the CPU it gets turns out idle.
 */
static __always_inline __u8 runq_cause(struct task_struct *t)
{
	if (quota_throttled(t))
		return RQ_THROTTLED;
	return idle_outside_mask(t) ? RQ_CONFINED : RQ_CONTENTION;
}

/* Add the interval [c->ts, @to) to @p under @c's current state; the state's time then starts at
 * @to. */
static __always_inline void close_interval(struct proc_rec *p, struct task_ctx *c, __u64 to)
{
	__u64 from = counted_from(c->ts), d = to > from ? to - from : 0;
	struct stat_row *r;
	__u32 i;

	switch (c->tstate) {
	case TS_ONCPU:
		__sync_fetch_and_add(&p->sched.oncpu_ns, d);
		c->seg_oncpu += d;
		break;
	case TS_RUNQ:
		__sync_fetch_and_add(&p->sched.runq_ns, d);
		/* contention is the rest (proc_rec_to_metrics): one atomic less per wait */
		i = c->rq_cause;
		if (i != RQ_CONTENTION) /* RQ_CAUSE_N is 4: the mask bounds it for the verifier */
			__sync_fetch_and_add(&p->sched.runq_cause_ns[i & (RQ_CAUSE_N - 1)], d);
		c->seg_runq += d;
		__sync_fetch_and_add(&p->sched.runq_waits, 1);
		if (c->preempted)
			__sync_fetch_and_add(&p->sched.runq_preempt_ns, d);
		r = row_get(p, c->slot, ROW_RUNQ);
		if (r)
			row_add(r, d);
		break;
	case TS_BLOCKED:
		i = c->bstate;
		if (i < BLK_N)
			__sync_fetch_and_add(&p->sched.blocked_ns[i], d);
		i = c->wclass;
		if (i < WC_N)
			__sync_fetch_and_add(&p->sched.wait_ns[i], d);
		break;
	}
	if (to > c->ts)
		c->ts = to;
}

/* How a switch went unseen, for state_lost(). */
enum gap {
	GAP_CAME_BACK,	 /* found switched in on this CPU while running elsewhere: no estimate */
	GAP_SWITCHED_IN, /* switched in with no wake-up seen: it ran, then was preempted */
	GAP_WOKEN,	 /* woken while on no CPU: it ran, then blocked */
};

/*
 * @c believed on a CPU since c->ts, but the kernel says otherwise at @to (@t is being
 * switched in, or woken while on no CPU): a switch-out went unseen -- a race with the
 * first sight of a task at attach, or a kernel that hides its own agents' switches from
 * tracing. The kernel's own count of @t's run time says how much of the gap it ran
 * (since its last switch-in seen, or its first sight); the rest it waited: for a CPU
 * (@how GAP_SWITCHED_IN: no wake-up was seen, so it was runnable), or blocked, in the
 * call it is in now (GAP_WOKEN: left blocked since, for the wake-up to close). What
 * cannot be told apart is in no known state, never counted as on-CPU time.
 */
static __always_inline void state_lost(struct task_struct *t, struct proc_rec *p,
				       struct task_ctx *c, __u64 to, enum gap how)
{
	__u64 from = counted_from(c->ts), run = BPF_CORE_READ(t, se.sum_exec_runtime), d;
	/* the kernel counted no run time since it was last seen: it never ran since */
	bool ran = false, still = c->run_base && run == c->run_base;

	stat_inc(STAT_SCHED_GAPS);
	if (how != GAP_CAME_BACK && c->run_base && run > c->run_base && to > from) {
		d = run - c->run_base < to - from ? run - c->run_base : to - from;
		c->tstate = TS_ONCPU;
		close_interval(p, c, from + d);
		from = c->ts;
		ran = true;
	}
	c->run_base = run;
	if (how == GAP_WOKEN) {
		/*
		 * Blocked since then, as a voluntary switch the kernel counts; the wake-up
		 * closes the block as any other (its path record too). A task that has not
		 * run since it was last seen was blocked all along (a block needs no run
		 * time; whatever it ran before, it blocked before then). Without a run-time
		 * count the gap is unknown, and the block starts now.
		 */
		if (!ran && !still && to > from) {
			__sync_fetch_and_add(&p->sched.unaccounted_ns, to - from);
			c->ts = to;
		}
		__sync_fetch_and_add(&p->sched.nvcsw, 1);
		blocked_before(t, c);
		c->user_wait = 0; /* a poll's descriptors are not read here: a poll wait */
		c->tstate = TS_BLOCKED;
		return;
	}
	if (how == GAP_SWITCHED_IN && to > from) {
		/* preempted: run-queue time, without a latency sample (its start is a guess) */
		d = to - from;
		__sync_fetch_and_add(&p->sched.nivcsw, 1);
		__sync_fetch_and_add(&p->sched.runq_ns, d);
		__sync_fetch_and_add(&p->sched.runq_preempt_ns, d); /* contention's */
		c->seg_runq += d;
		c->ts = to;
		return;
	}
	if (to > from)
		__sync_fetch_and_add(&p->sched.unaccounted_ns, to - from);
	c->ts = to;
}

/*
 * @t blocks on IO: if it is in a non-root IO cgroup, requests that a kernel thread
 * issues for that cgroup from now on are its process's (io.bpf.c, io_start). Only
 * here, where IO waits are: a lookup, and an update when the owner changes.
 */
static __always_inline void note_blkcg_owner(struct task_struct *t, __u32 slot, __u32 pid)
{
	__u64 css = task_blkcg_css(t);
	struct blkcg_owner *o, n = {.slot = slot, .pid = pid};

	if (!css)
		return;
	o = bpf_map_lookup_elem(&core_blkcg_owner, &css);
	if (o && o->slot == slot && o->pid == pid)
		return;
	n.cgid = BPF_CORE_READ((struct cgroup_subsys_state *)css, cgroup, kn, id);
	bpf_map_update_elem(&core_blkcg_owner, &css, &n, BPF_ANY);
}

/* What is a task that blocks now waiting for? See docs/metrics.md. */
static __always_inline __u8 wait_class(struct task_struct *t, struct task_ctx *c, bool iowait)
{
	const struct syscall_state *sc = &c->syscall;

	if (c->reclaim_ts)
		return WC_MEM; /* whatever reclaim waits on (writeback too) is memory's */
	if (iowait)
		return WC_IO;
	if (!sc->row)
		return WC_OTHER;
	return syscall_wait_class(t, sc->nr, sc->arg[0], sc->arg[1], sc->arg[2]);
}

/* Take a stack at this block? Its weight: 1, OFFCPU_SAMPLE_EVERY, or 0 for no. */
static __always_inline __u32 offcpu_weight(struct task_ctx *c)
{
	__u32 epoch = (__u32)(bpf_jiffies64() >> OFFCPU_EPOCH_SHIFT);

	if (c->off_epoch != epoch) {
		c->off_epoch = epoch;
		c->off_taken = 0;
	}
	if (c->off_taken < OFFCPU_BUDGET) {
		c->off_taken++;
		return 1;
	}
	return ++c->off_skipped % OFFCPU_SAMPLE_EVERY == 0 ? OFFCPU_SAMPLE_EVERY : 0;
}

/*
 * @prev leaves this CPU, which it has held since the CPU's last switch (@on, the
 * window's start if none was seen): on-CPU time comes from the CPU's switches, which
 * are disjoint, so that no count of missed events can make it exceed the CPUs' time.
 */
static __always_inline void switch_out(void *ctx, struct task_struct *prev, struct task_ctx *c,
				       bool preempt, __u64 on, __u64 now)
{
	struct proc_rec *p = proc_of(c->slot);
	__u32 state;
	bool iowait;

	if (!p)
		return;
	if (on < c->ts)
		on = c->ts;
	if (c->tstate == TS_ONCPU && c->ts < on && c->ts == window_start(prev)) {
		/*
		 * Nothing seen of it since the window opened but this: first seen now (its
		 * switch-in raced its first sight, or found its context busy). The CPU took it
		 * at @on; before, it waited for it -- the first sight's guess, as for a task
		 * first seen switched in (no latency sample: its start is not known).
		 */
		__sync_fetch_and_add(&p->sched.runq_ns, on - c->ts);
		c->seg_runq += on - c->ts;
		c->ts = on;
	} else if (c->tstate == TS_ONCPU && c->ts < on) {
		state_lost(prev, p, c, on, GAP_CAME_BACK); /* it left and came back unseen */
	} else if (c->tstate != TS_ONCPU) {
		trace_slice(prev, c, on);
		close_interval(p, c, on); /* its switch-in went unseen: the state held until then */
	}
	c->tstate = TS_ONCPU;
	trace_slice(prev, c, now);
	close_interval(p, c, now);
	state = task_state(prev);
	if (state & TASK_DEAD) {
		/* the process ends when its last thread leaves the CPU for good */
		if (p->flags & PROC_F_EXITED)
			atomic_max(&p->end_ns, now);
		c->tstate = TS_DEAD;
		path_exit(prev, c, now);
		return;
	}
	/* as the kernel counts: a switch is voluntary iff not preempted and not runnable */
	if (preempt || state == TASK_RUNNING) {
		__sync_fetch_and_add(&p->sched.nivcsw, 1);
		c->tstate = TS_RUNQ;
		c->preempted = 1;
		c->rq_cause = runq_cause(prev);
		return;
	}
	__sync_fetch_and_add(&p->sched.nvcsw, 1);
	iowait = BPF_CORE_READ_BITFIELD(prev, in_iowait);
	if (iowait && cfg_io)
		note_blkcg_owner(prev, c->slot, p->pid);
	c->bstate = blk_state_of(state, iowait);
	c->wclass = wait_class(prev, c, iowait);
	c->tstate = TS_BLOCKED;
	if (cfg_offcpu && (c->off_weight = offcpu_weight(c))) {
		/* prev is still current: its stacks are where it blocks (~3 us: only here) */
		c->off_kstack = stack_id(bpf_get_stackid(ctx, &stacks_kernel, 0), STAT_KSTACK_LOST);
		if (cfg_unwind) {
			c->off_ustack = -1;
			c->off_uhash = unwind_user(prev, c->slot, UW_NEST_TP);
		} else {
			c->off_ustack =
				stack_id(bpf_get_stackid(ctx, &stacks_user_ip, BPF_F_USER_STACK),
					 STAT_USTACK_LOST);
		}
		c->off_wclass = c->wclass;
		c->off_start = now;
		note_stacks(c->slot);
	}
}

/* The blocked task runs again: count its off-CPU stack with the time it was away. */
static __always_inline void offcpu_done(struct task_ctx *c, __u64 now)
{
	struct stack_key k = {.kind = STACK_OFFCPU};
	__u64 d = now - c->off_start;

	c->off_start = 0;
	if (d < cfg_offcpu_min_ns)
		return;
	k.slot = c->slot;
	k.kstack = c->off_kstack;
	k.ustack = c->off_ustack;
	k.uhash = c->off_uhash;
	k.wclass = c->off_wclass;
	stack_count(&k, c->off_weight, d * c->off_weight);
}

/*
 * Loaded whenever scheduler or syscall tracing is on: besides the accounting (only
 * with cfg_sched), it hands the per-CPU syscall cache from the outgoing task to the
 * incoming one.
 */
SEC("?tp_btf/sched_switch")
int BPF_PROG(sched_switch, bool preempt, struct task_struct *prev, struct task_struct *next)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct task_ctx *c;
	struct proc_rec *p;
	__u64 now = 0, on = 0;
	bool prev_followed;

	if (cfg_sched) {
		now = bpf_ktime_get_ns();
		if (cc)
			on = cc->switch_ns;
	}
	c = filter_task(prev, TS_ONCPU);
	prev_followed = c;
	if (c) {
		if (cc && cc->task == (__u64)prev)
			c->syscall = cc->syscall; /* park the syscall in flight */
		if (cfg_sched)
			switch_out(ctx, prev, c, preempt, on ?: window_start(prev), now);
	} else if (cfg_sched && cc && on) {
		/* what the target's CPUs did for others: contention has a "whose" */
		__u64 from = counted_from(on);

		if (now > from && prev->pid)
			cc->use.others_ns += now - from;
		else if (now > from)
			cc->use.idle_ns += now - from;
	}
	c = filter_task(next, TS_RUNQ);
	/* the recent past is of the tasks not followed (the others have their records), and
	 * not of the idle task */
	if (cfg_past_mask && ((!prev_followed && prev->pid) || (!c && next->pid)))
		past_switch(prev, next, preempt, now ?: bpf_ktime_get_ns());
	if (cc) {
		cpu_ctx_load(cc, next, c);
		cc->switch_ns = now;
	}
	if (cfg_sched) {
		__u32 cpu = bpf_get_smp_processor_id();

		/* written when it changes only: a store dirties the line for its readers */
		if (cpu < RQ_SCAN_CPUS && cpu_idle_now[cpu].idle != !next->pid)
			cpu_idle_now[cpu].idle = !next->pid;
	}
	if (cfg_sched && c && (p = proc_of(c->slot))) {
		if (c->tstate == TS_ONCPU) {
			/* believed running: its switch-out went unseen */
			state_lost(next, p, c, now, GAP_SWITCHED_IN);
		} else {
			trace_slice(next, c, now);
			/* still blocked: its wake-up was not seen (it raced its switch-out): the
			 * critical path has its wait all the same, ended by no task */
			if (c->tstate == TS_BLOCKED)
				path_wake(next, c, now, NULL, WS_NONE);
			/* the CPU it waited for was idle until now: the wait was the CPU's own
			 * way out of idle, no other task's */
			if (c->tstate == TS_RUNQ && c->rq_cause == RQ_CONTENTION && !prev->pid) {
				c->rq_cause = RQ_WAKEUP;
				__sync_fetch_and_add(&p->sched.runq_idle_waits, 1);
			}
			close_interval(p, c, now);
		}
		c->tstate = TS_ONCPU;
		c->run_base =
			next->se.sum_exec_runtime; /* a direct load: no helper call per switch */
		c->preempted = 0;
		if (cfg_offcpu && c->off_start)
			offcpu_done(c, now);
	}
	return 0;
}

#define PF_EXITING 0x00000004

/*
 * --offcpu: where @waker (current) released a lock a thread of its process (@slot)
 * waited @d on -- its user stack, weighted by that wait: who held what, and where.
 */
static __always_inline void release_stack(void *ctx, struct task_struct *waker, __u32 slot, __u64 d)
{
	struct stack_key k = {.kind = STACK_RELEASE, .slot = slot, .wclass = WC_LOCK, .kstack = -1};

	if (cfg_unwind) {
		k.ustack = -1;
		k.uhash = unwind_user(waker, slot, UW_NEST_TP);
	} else {
		k.ustack = stack_id(bpf_get_stackid(ctx, &stacks_user_ip, BPF_F_USER_STACK),
				    STAT_USTACK_LOST);
	}
	stack_count(&k, 1, d);
	note_stacks(slot);
}

/*
 * A lock wait of @c, ending now by the current task's doing, may be a join: a thread
 * of the same process finishing wakes its joiner. A waker already exiting (the
 * kernel's clear_child_tid wake, what pthread_join waits for) settles it now: the wait
 * is filed under WC_CHILD. Otherwise it is remembered in the waker's context, and if
 * the waker exits right after (CPython's thread releases its state lock, then exits),
 * core_exit moves it there.
 */
static __always_inline void note_waker(void *ctx, struct task_struct *wakee, struct task_ctx *c,
				       __u64 d, __u64 now)
{
	struct task_struct *waker = bpf_get_current_task_btf();
	struct task_ctx *w;

	if (waker == wakee || waker->tgid != wakee->tgid)
		return;
	if (waker->flags & PF_EXITING) {
		c->wclass = WC_CHILD;
		return;
	}
	w = bpf_task_storage_get(&core_task, waker, 0, 0);
	if (!w || w->slot != c->slot)
		return;
	if (cfg_offcpu && d >= cfg_offcpu_min_ns)
		release_stack(ctx, waker, c->slot, d);
	/*
	 * The longest wait it ended lately is the join: a thread that finishes wakes its
	 * joiner, then hands a lock (CPython's GIL) to another thread on its way out
	 */
	if (w->woke_ns >= d && now - w->woke_at < JOIN_WINDOW_NS)
		return;
	w->woke_ns = d;
	w->woke_at = now;
	w->woke_slot = c->slot;
}

/* Woken, in the waker's context (sched_waking) or as a new task (sched_wakeup_new). */
static __always_inline void wakeup(void *ctx, struct task_struct *t, bool is_new)
{
	struct task_ctx *c = filter_task(t, TS_BLOCKED);
	struct task_struct *w = NULL;
	__u8 src = WS_NONE;
	bool known = false; /* src and w */
	struct proc_rec *p;
	__u64 now;

	now = 0;
	if (cfg_past_mask && !is_new && !c) {
		src = wake_source(&w, false);
		known = true;
		/* a task's doing: the recent past needs it; an interrupt's, its switch-in says
		 * (and a followed task's wake-ups are in its records) */
		if (src == WS_TASK || src == WS_LOOPBACK) {
			now = bpf_ktime_get_ns();
			past_wake(t, w, src, now);
		}
	}
	/* woken by a followed task: its process may be a peer now */
	if (!c && !is_new && cfg_peer_depth) {
		if (!known)
			src = wake_source(&w, false);
		known = true;
		c = peer_forward(t, w, src);
	}
	/* a wakeup of a task still on its CPU (it had not slept yet) changes nothing */
	if (!c || c->tstate == TS_RUNQ || (c->tstate == TS_ONCPU && t->on_cpu))
		return;
	p = proc_of(c->slot);
	if (!p)
		return;
	if (!now)
		now = bpf_ktime_get_ns();
	if (c->tstate == TS_ONCPU) {
		/*
		 * Woken before it left its CPU (sched_waking comes first in try_to_wake_up):
		 * it will not block, or its switch is on the way. Else it blocked unseen --
		 * never a new task, which has not run yet (and sched_wake_new is spared the
		 * wait-class functions state_lost() reaches: a tenth of the instructions the
		 * verifier walks at load).
		 */
		if (is_new || BPF_CORE_READ(t, on_cpu))
			return;
		/* it blocked unseen: now blocked since when its run time says, woken here */
		state_lost(t, p, c, now, GAP_WOKEN);
	}
	if (c->tstate == TS_BLOCKED && c->wclass == WC_LOCK && now > c->ts)
		note_waker(ctx, t, c, now - c->ts, now);
	trace_slice(t, c, now);
	if (c->tstate == TS_BLOCKED && (cfg_path || cfg_trace)) {
		if (!known)
			src = wake_source(&w, is_new);
		path_wake(t, c, now, w, src);
		trace_wake(t, w, src, now);
	}
	close_interval(p, c, now);
	c->tstate = TS_RUNQ;
	c->preempted = 0;
	c->rq_cause = runq_cause(t);
}

SEC("?tp_btf/sched_waking")
int BPF_PROG(sched_waking, struct task_struct *t)
{
	wakeup(ctx, t, false);
	return 0;
}

SEC("?tp_btf/sched_wakeup_new")
int BPF_PROG(sched_wake_new, struct task_struct *t)
{
	wakeup(ctx, t, true);
	return 0;
}
