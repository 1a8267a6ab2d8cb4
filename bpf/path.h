/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Who ended each wait (include/core_abi.h, struct wait_rec): when a followed thread's
 * wait ends, sched_waking runs in the context of whatever woke it, and that is the
 * cause only in a task's own context. An interrupt or a softirq runs on whatever task
 * it interrupted -- except the receive of a loopback send, which the sender's own
 * syscall runs in its softirq (local_bh_enable): there the sender is told by its
 * syscall, a send on a socket whose peer is on this host. The record carries the
 * thread's active stretch before the wait (on a CPU and runnable), so a thread's
 * records tile its life and the critical path can be walked across threads and
 * processes in userspace (src/analysis/critpath.c).
 *
 * And peers: a process a target wakes, or that wakes a target, is followed from then on
 * like a target (up to cfg_peer_depth hops, cfg_max_peers processes), so that the first
 * request to a local server is known from the moment it was sent.
 */
#ifndef PROCSCOPE_BPF_PATH_H
#define PROCSCOPE_BPF_PATH_H

#include "core.h"
#include <bpf/bpf_endian.h>

#define AF_INET_ 2
#define PF_EXITING_ 0x00000004
#define TASK_DEAD_ 0x0080
#define AF_INET6_ 10

/* A socket's peer is on this host: loopback, or its own address. */
static __always_inline bool sock_peer_local(struct sock *sk)
{
	__u16 fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	__u32 d, s;

	if (fam == AF_INET_) {
		d = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		s = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);
		return (d & 0xff) == 127 || (d && d == s);
	}
	if (fam == AF_INET6_) {
		struct in6_addr a = BPF_CORE_READ(sk, __sk_common.skc_v6_daddr);

		/* ::1, or ::ffff:127.x */
		if (!a.in6_u.u6_addr32[0] && !a.in6_u.u6_addr32[1] &&
		    ((!a.in6_u.u6_addr32[2] && a.in6_u.u6_addr32[3] == bpf_htonl(1)) ||
		     (a.in6_u.u6_addr32[2] == bpf_htonl(0xffff) && a.in6_u.u6_addr8[12] == 127)))
			return true;
	}
	return false;
}

/*
 * Current, running a softirq: is it a task in a syscall that sends on a socket to this
 * host (so the softirq is its own send being received)? A global function: verified
 * once; it takes no task (only scalars and the context pass), current is its own.
 */
__noinline int loopback_sender(void)
{
	struct task_struct *w = bpf_get_current_task_btf();
	struct pt_regs *regs;
	struct file *f;
	struct socket *sock;
	struct fdtable *fdt;
	struct file **fds = NULL;
	__u64 nr, fd;

	if (!cfg_pt_regs || !w || (w->flags & PF_KTHREAD) || !w->pid)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(w);
	if (!regs)
		return 0;
	nr = BPF_CORE_READ(regs, orig_ax);
	fd = BPF_CORE_READ(regs, di);
	if (nr >= SYSCALL_NR_MAX || !cfg_syscall_send[nr & (SYSCALL_NR_MAX - 1)])
		return 0;
	fdt = BPF_CORE_READ(w, files, fdt);
	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return 0;
	fds = BPF_CORE_READ(fdt, fd);
	f = NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	return sock_peer_local(BPF_CORE_READ(sock, sk));
}

/*
 * x86-64's THREAD_SIZE (16 KiB; KASAN kernels double it): a task's kernel stack. An
 * interrupt, and a softirq (run on the way out of one, or by local_bh_enable), run on
 * this CPU's interrupt stack instead (do_softirq_own_stack).
 */
#define TASK_STACK_BYTES (16 * 1024)

/*
 * Is this program running on the CPU's interrupt stack rather than @cur's own? An
 * interrupt of kernel code, and the softirqs after it (a send's, at its
 * local_bh_enable()), run there. The preempt count would tell interrupt context, but it
 * is a per-CPU variable that only kernels with every symbol in kallsyms give a program.
 */
static __always_inline bool on_irq_stack(struct task_struct *cur)
{
	volatile __u8 here = 0;
	__u64 sp = ptr_to_u64((const void *)&here), base = ptr_to_u64(BPF_CORE_READ(cur, stack));

	return sp - base >= TASK_STACK_BYTES;
}

/*
 * An interrupt that came from user mode runs on the task's stack (empty then), and the
 * softirqs after it too: the registers it saved tell, ~vector where a syscall saves its
 * number.
 */
static __always_inline bool user_mode_irq(struct task_struct *cur)
{
	struct pt_regs *regs;

	if (!cfg_pt_regs)
		return false;
	regs = (struct pt_regs *)bpf_task_pt_regs(cur);
	return regs && (long)BPF_CORE_READ(regs, orig_ax) < 0;
}

/* What woke the thread, from where sched_waking runs now; the waker task in *@w. */
static __always_inline __u8 wake_source(struct task_struct **w, bool is_new)
{
	struct task_struct *cur = bpf_get_current_task_btf();

	*w = cur;
	if (!cur->pid)
		return WS_IRQ; /* the idle task: an interrupt's work */
	if (on_irq_stack(cur))
		return loopback_sender() ? WS_LOOPBACK : WS_IRQ;
	if (cur->flags & PF_KTHREAD)
		return WS_KTHREAD;
	if (user_mode_irq(cur))
		return WS_IRQ;
	return is_new ? WS_CREATOR : WS_TASK;
}

/* Is current followed (this CPU's cache says)? */
static __always_inline bool current_followed(struct task_struct *cur)
{
	struct cpu_ctx *cc = cpu_ctx();

	return cc && cc->task == (__u64)cur && cc->slot != SLOT_NONE;
}

/* The depth of current, if it is a followed task (from this CPU's cache); -1 if not. */
static __always_inline int current_depth(struct task_struct *cur)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct task_ctx *c;

	if (!cc || cc->task != (__u64)cur || cc->slot == SLOT_NONE)
		return -1;
	c = bpf_task_storage_get(&core_task, cur, 0, 0);
	return c ? c->depth : -1;
}

/*
 * @t, untracked, is being woken by @w (wake_source(): @src): by a followed task (in its
 * own context, or its loopback send's softirq), its process becomes a peer one hop
 * further: a server is known from the first request it was sent. Returns @t's context if it is
 * followed now.
 */
static __always_inline struct task_ctx *peer_forward(struct task_struct *t, struct task_struct *w,
						     __u8 src)
{
	int d;

	if (!cfg_peer_depth)
		return NULL;
	/* an exiting task wakes who waits for it (its parent): not a request of its */
	if ((src != WS_TASK && src != WS_LOOPBACK) || w == t || (w->flags & PF_EXITING_))
		return NULL;
	d = current_depth(w);
	if (d < 0)
		return NULL;
	peer_adopt(t, (__u32)d + 1);
	return filter_task(t, TS_BLOCKED);
}

/*
 * Short waits (and the short stretches between them) that one waker ends, one after the
 * other -- a ping-pong over a pipe, a burst of requests -- go out as one record per
 * window: its stretches summed first, then its waits summed as one wait. The critical
 * path's totals stay exact; the order within a window does not.
 */
#define PATH_MERGE_WAIT_NS (1000 * 1000)	/* a wait, and its stretch, this short ... */
#define PATH_MERGE_WINDOW_NS (10 * 1000 * 1000) /* ... merged over at most this long */

/* The merged waits of @c (of thread @tid, process @pid), as one record; none pending after. */
static __always_inline void path_flush(__u32 tid, __u32 pid, struct task_ctx *c)
{
	struct wait_acc *a = &c->acc;
	struct wait_rec *e;

	if (!a->n)
		return;
	e = path_reserve(false);
	if (e) {
		e->seg_start = a->seg_start;
		e->block_ns = a->wake_ns - a->wait_ns;
		e->wake_ns = a->wake_ns;
		e->oncpu_ns = a->oncpu_ns;
		e->runq_ns = a->runq_ns;
		e->tid = tid;
		e->pid = pid;
		e->waker = a->waker;
		e->waker_pid = a->waker_pid;
		e->wclass = a->wclass;
		e->bstate = BLK_INTERRUPTIBLE;
		e->src = a->src;
		e->flags = a->n > 1 ? WAIT_F_MERGED : 0;
		e->lock_key = a->lock_key;
		path_submit(e, false);
	}
	a->n = 0;
}

/*
 * The record of a wait that ends now (path_wake()): of thread @ids (tid, and process in
 * the high half), woken by @waker_ids (the same; 0 for none), @how the wake_source()
 * (low byte) and 0x100 if the waker was adopted for it. A global function,
 * with no kernel pointer: the verifier checks it once per program, not once per path
 * through the three places it is called from -- it was nearly half of the
 * instructions it went through for sched_waking.
 */
__noinline int path_wait_end(struct task_ctx *c, __u64 now, __u64 ids, __u64 waker_ids, __u32 how)
{
	__u32 waker = (__u32)waker_ids, waker_pid = waker_ids >> 32, key;
	bool again, adopted = how >> 8;
	__u8 src = (__u8)how;
	struct wait_acc *a;
	struct wait_rec *e;
	__u64 block;

	if (!c)
		return 0;
	a = &c->acc;
	block = counted_from(c->ts) < now ? c->ts : now;
	/* woken, and blocked again in the same call: the wake-up did not end its wait */
	again = c->syscall.row && c->syscall.seq == c->wait_seq;
	c->wait_seq = c->syscall.row ? c->syscall.seq : 0;
	/* the lock: threads waiting on one word contend, one alone is handed work */
	key = c->wclass == WC_LOCK && c->syscall.row
		      ? (__u32)(c->syscall.arg[0] ^ (c->syscall.arg[0] >> 32)) | 1
		      : 0;
	if (a->n && (a->waker != waker || a->wclass != c->wclass || a->src != src ||
		     a->lock_key != key || now - a->seg_start > PATH_MERGE_WINDOW_NS))
		path_flush((__u32)ids, ids >> 32, c);
	if (!again && !adopted && now - block < PATH_MERGE_WAIT_NS &&
	    block - c->seg_start < PATH_MERGE_WAIT_NS) {
		if (!a->n) {
			a->seg_start = c->seg_start;
			a->wait_ns = a->oncpu_ns = a->runq_ns = 0;
			a->waker = waker;
			a->waker_pid = waker_pid;
			a->lock_key = key;
			a->wclass = c->wclass;
			a->src = src;
		}
		a->wake_ns = now;
		a->wait_ns += now - block;
		a->oncpu_ns += c->seg_oncpu;
		a->runq_ns += c->seg_runq;
		a->n++;
		goto next;
	}
	path_flush((__u32)ids, ids >> 32, c);
	e = path_reserve(false);
	if (e) {
		e->seg_start = c->seg_start;
		e->block_ns = block;
		e->wake_ns = now;
		e->oncpu_ns = c->seg_oncpu;
		e->runq_ns = c->seg_runq;
		e->tid = (__u32)ids;
		e->pid = ids >> 32;
		e->waker = waker;
		e->waker_pid = waker_pid;
		e->wclass = c->wclass;
		e->bstate = c->bstate;
		e->lock_key = key;
		e->src = src;
		e->flags = (again ? WAIT_F_AGAIN : 0) | (adopted ? WAIT_F_ADOPTED : 0);
		/* a new peer's past is read at once, before the past's ring turns over */
		path_submit(e, adopted);
	}
next:
	c->seg_start = now;
	c->seg_oncpu = 0;
	c->seg_runq = 0;
	return 0;
}

/*
 * The wait of @t (@c, blocked since c->ts) ends now, by @w (wake_source(): @src):
 * its record, with its stretch before it (or merged with the short waits before it);
 * a new stretch starts. A task that woke a followed thread and is not followed becomes
 * a peer.
 */
static __always_inline void path_wake(struct task_struct *t, struct task_ctx *c, __u64 now,
				      struct task_struct *w, __u8 src)
{
	__u64 waker_ids = 0;
	bool adopted = false;

	if (!cfg_path)
		return;
	if (src == WS_TASK || src == WS_LOOPBACK) {
		if (w == t)
			src = WS_NONE;
		else if (cfg_peer_depth && !current_followed(w))
			adopted = peer_adopt(w, (__u32)c->depth + 1);
	}
	if (src != WS_NONE)
		waker_ids = (__u64)w->tgid << 32 | (__u32)w->pid;
	path_wait_end(c, now, (__u64)t->tgid << 32 | (__u32)t->pid, waker_ids,
		      src | (__u32)adopted << 8);
}

/* Any task (the idle task too: tid 0) leaves its CPU to @next: into the recent past. */
static __always_inline void past_switch(struct task_struct *prev, struct task_struct *next,
					bool preempt, __u64 now)
{
	__u32 state;
	__u8 st;

	if (!cfg_past_mask)
		return;
	state = task_state(prev);
	if (state & TASK_DEAD_)
		st = PAST_DEAD;
	else if (preempt || state == 0 /* TASK_RUNNING */)
		st = PAST_RUNNABLE;
	else if (BPF_CORE_READ_BITFIELD(prev, in_iowait))
		st = PAST_IOWAIT;
	else
		st = PAST_BLOCKED;
	past_put(PAST_SWITCH, now, prev, next->pid ? next : NULL, false,
		 st == PAST_RUNNABLE ? PAST_NO_SYSCALL : past_syscall(prev), st, prev);
}

/* Any task is woken by task @w (wake_source(): @src): into the recent past. */
static __always_inline void past_wake(struct task_struct *t, struct task_struct *w, __u8 src,
				      __u64 now)
{
	if (cfg_past_mask)
		past_put(PAST_WAKE, now, t, w, true, PAST_NO_SYSCALL, src, w);
}

/* @t's last stretch ends now, with the thread: a record without a wait. */
static __always_inline void path_exit(struct task_struct *t, struct task_ctx *c, __u64 now)
{
	struct wait_rec *e;

	path_flush(t->pid, t->tgid, c);
	e = path_reserve(true);

	if (!e)
		return;
	e->seg_start = c->seg_start;
	e->block_ns = now;
	e->wake_ns = now;
	e->oncpu_ns = c->seg_oncpu;
	e->runq_ns = c->seg_runq;
	e->tid = t->pid;
	e->pid = t->tgid;
	e->flags = WAIT_F_EXIT;
	path_submit(e, false);
}

#endif /* PROCSCOPE_BPF_PATH_H */
