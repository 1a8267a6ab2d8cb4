/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What a blocked task waits on, from the syscall it is in and its first arguments: the
 * wait classes of docs/metrics.md. sched_switch asks when a followed task blocks (with
 * the arguments saved at its syscall's entry); core_tasks asks for a task found
 * blocked when it is first seen, at attach (from its saved registers). core.bpf.c
 * defines the global functions; the other objects link to them.
 */
#ifndef PROCSCOPE_BPF_WAITS_H
#define PROCSCOPE_BPF_WAITS_H

#include "core.h"

#ifdef CORE_DEFINE
#define AF_INET 2
#define AF_INET6 10
#define TCP_LISTEN 10
#define WAIT_SCAN 8 /* descriptors of a poll, select or epoll looked at, at most */

/*
 * What a blocked task waits on, looked at in global functions with scalar arguments
 * (@fdt: its fdtable's address): the verifier checks each once, not once per path
 * through sched_switch, which their loops would multiply past its limit.
 */

/* The file open as @fd in fdtable @fdt, or NULL. */
static __always_inline struct file *fd_file(__u64 fdt, __u64 fd)
{
	struct fdtable *t = (void *)fdt;
	struct file **fds = NULL, *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(t, max_fds))
		return NULL;
	fds = BPF_CORE_READ(t, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/*
 * What a wait on @f is: an IPv4/IPv6 socket carrying traffic is the network, a
 * listening one an event (a client), anything else -- pipes, terminals, Unix
 * sockets -- other.
 */
static __always_inline int file_class(struct file *f)
{
	struct socket *sock;
	struct sock *sk;
	__u16 fam;

	if (!f || (BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return WC_OTHER;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	fam = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (fam != AF_INET && fam != AF_INET6)
		return WC_OTHER;
	return BPF_CORE_READ(sk, __sk_common.skc_state) == TCP_LISTEN ? WC_POLL : WC_NET;
}

__noinline int fd_wait_class(__u64 fdt, __u64 fd)
{
	return file_class(fd_file(fdt, fd));
}

/* poll(fds, nfds): the network if one of its first descriptors is a socket with traffic. */
__noinline int poll_wait_class(__u64 fdt, __u64 ufds, __u64 nfds)
{
	for (int i = 0; i < WAIT_SCAN && i < nfds; i++) {
		struct {
			int fd;
			short events, revents;
		} pfd;

		if (bpf_probe_read_user(&pfd, sizeof(pfd), (void *)(ufds + i * sizeof(pfd))))
			break;
		if (pfd.fd >= 0 && file_class(fd_file(fdt, pfd.fd)) == WC_NET)
			return WC_NET;
	}
	return WC_POLL;
}

/* A select's descriptor set @set (fd < 64): the network if one of the first set is. */
__noinline int fdset_wait_class(__u64 fdt, __u64 set)
{
	/* the set bits only, lowest first: one branch per descriptor, not per bit */
	for (int i = 0; i < WAIT_SCAN && set; i++) {
		__u64 fd = hist_log2(set & -set);

		set &= set - 1;
		if (file_class(fd_file(fdt, fd)) == WC_NET)
			return WC_NET;
	}
	return WC_POLL;
}

/* select(nfds, readfds, writefds): likewise, over the descriptors of both sets. */
__noinline int select_wait_class(__u64 fdt, __u64 readfds, __u64 writefds)
{
	__u64 set = 0, w = 0;

	if (readfds)
		bpf_probe_read_user(&set, sizeof(set), (void *)readfds);
	if (writefds && !bpf_probe_read_user(&w, sizeof(w), (void *)writefds))
		set |= w;
	return fdset_wait_class(fdt, set);
}

/* epoll_wait(epfd): the network if one of the first files it watches is a socket with traffic. */
__noinline int epoll_wait_class(__u64 fdt, __u64 epfd)
{
	struct file *ef = fd_file(fdt, epfd);
	struct rb_node *node, *stack[WAIT_SCAN];
	struct eventpoll *ep;
	__u32 top = 0;

	if (!ef)
		return WC_POLL;
	ep = BPF_CORE_READ(ef, private_data);
	node = BPF_CORE_READ(ep, rbr.rb_root.rb_node);
	/* pre-order over the watched items' tree, as far as WAIT_SCAN of them */
	for (int i = 0; i < WAIT_SCAN && node; i++) {
		struct epitem *epi = (void *)node - bpf_core_field_offset(struct epitem, rbn);
		struct rb_node *left = BPF_CORE_READ(node, rb_left);
		struct rb_node *right = BPF_CORE_READ(node, rb_right);

		if (file_class(BPF_CORE_READ(epi, ffd.file)) == WC_NET)
			return WC_NET;
		if (left && right && top < WAIT_SCAN)
			stack[top++ & (WAIT_SCAN - 1)] = right;
		node = left ?: right;
		if (!node && top)
			node = stack[--top & (WAIT_SCAN - 1)];
	}
	return WC_POLL;
}
#else
int fd_wait_class(__u64 fdt, __u64 fd);
int poll_wait_class(__u64 fdt, __u64 ufds, __u64 nfds);
int select_wait_class(__u64 fdt, __u64 readfds, __u64 writefds);
int fdset_wait_class(__u64 fdt, __u64 set);
int epoll_wait_class(__u64 fdt, __u64 epfd);
#endif

#define TASK_UNINTERRUPTIBLE 0x0002
#define TASK_NOLOAD 0x0400

/* How a task in state @state (task_state()) blocks; @iowait: its in_iowait. */
static __always_inline __u8 blk_state_of(__u32 state, bool iowait)
{
	if (iowait)
		return BLK_IOWAIT;
	if ((state & TASK_UNINTERRUPTIBLE) && !(state & TASK_NOLOAD))
		return BLK_UNINTERRUPTIBLE;
	return BLK_INTERRUPTIBLE;
}

/* The wait of @t in syscall @nr with arguments @a0..@a2. */
static __always_inline __u8 syscall_wait_class(struct task_struct *t, __u32 nr, __u64 a0, __u64 a1,
					       __u64 a2)
{
	__u64 fdt;
	__u8 cls;

	if (nr >= SYSCALL_NR_MAX)
		return WC_OTHER;
	cls = cfg_syscall_class[nr];
	if (cls < WC_N)
		return cls;
	fdt = ptr_to_u64(BPF_CORE_READ(t, files, fdt));
	switch (cls) {
	case SYSCALL_CLASS_FD:
		return fd_wait_class(fdt, a0);
	case SYSCALL_CLASS_POLL:
		return poll_wait_class(fdt, a0, a1);
	case SYSCALL_CLASS_SELECT:
		return select_wait_class(fdt, a1, a2);
	case SYSCALL_CLASS_EPOLL:
		return epoll_wait_class(fdt, a0);
	}
	return WC_OTHER;
}

/*
 * @t (@c), found blocked when first seen -- at attach, since before it: how it blocks,
 * and what it waits for, from the syscall it is in (its saved registers), as if the
 * block had been seen. The descriptors of a poll or select are in its memory, which a
 * task iterator reads only when sleepable: core_waits, next.
 */
static __always_inline void blocked_before(struct task_struct *t, struct task_ctx *c)
{
	bool iowait = BPF_CORE_READ_BITFIELD(t, in_iowait);
	struct pt_regs *regs;
	long nr;
	__u8 cls;

	c->bstate = blk_state_of(task_state(t), iowait);
	if (iowait) {
		c->wclass = WC_IO;
		return;
	}
	if (!cfg_pt_regs || (t->flags & PF_KTHREAD))
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return;
	nr = (long)BPF_CORE_READ(regs, orig_ax);
	if (nr < 0 || nr >= SYSCALL_NR_MAX)
		return; /* in no syscall: a page fault's wait, say */
	cls = cfg_syscall_class[nr];
	if (cls == SYSCALL_CLASS_POLL || cls == SYSCALL_CLASS_SELECT) {
		c->wclass = WC_POLL;
		c->user_wait = 1;
		return;
	}
	c->wclass = syscall_wait_class(t, (__u32)nr, PT_REGS_PARM1_CORE_SYSCALL(regs),
				       PT_REGS_PARM2_CORE_SYSCALL(regs),
				       PT_REGS_PARM3_CORE_SYSCALL(regs));
}

#endif /* PROCSCOPE_BPF_WAITS_H */
