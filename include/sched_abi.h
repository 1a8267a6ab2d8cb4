/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Scheduler accounting shared by bpf/sched.bpf.c and userspace.
 *
 * Every tracked thread is, at any instant, in exactly one state: on a CPU, runnable
 * and waiting for one (run queue), or blocked. The BPF programs close the current
 * interval at every transition (sched_switch, sched_wakeup) and add it to the
 * process's total for that state, so the totals of a thread add up to the time it
 * was observed. A blocked interval is further filed under a wait class, decided when
 * the task leaves the CPU (see docs/metrics.md).
 */
#ifndef PROCSCOPE_SCHED_ABI_H
#define PROCSCOPE_SCHED_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Thread state between two transitions. */
enum tstate {
	TS_UNKNOWN = 0, /* also: an open interval whose state is unknown (task iterator) */
	TS_ONCPU = 1,
	TS_RUNQ = 2,
	TS_BLOCKED = 3,
	TS_DEAD = 4,
};

/* Why a blocked task left the CPU: its state at sched_switch. */
enum blk_state {
	BLK_INTERRUPTIBLE = 0,	 /* S: sleeping, wakes on signals too */
	BLK_UNINTERRUPTIBLE = 1, /* D, not io_schedule() */
	BLK_IOWAIT = 2,		 /* D inside io_schedule(): task->in_iowait */
	BLK_N = 3,
};

/*
 * What a blocked task was waiting for. Values are stable: they index arrays in the
 * ABI and name JSON keys.
 */
enum wait_class {
	WC_IO = 0,    /* in_iowait: disk and other block IO */
	WC_NET = 1,   /* blocked in a syscall on a socket */
	WC_LOCK = 2,  /* futex, flock, fcntl locks */
	WC_SLEEP = 3, /* nanosleep, clock_nanosleep, pause */
	WC_POLL = 4,  /* poll, select, epoll_wait */
	WC_CHILD = 5, /* wait4, waitid */
	WC_OTHER = 6, /* pipes, terminals, page faults not waiting for IO ... */
	WC_MEM = 7,   /* in memory reclaim (direct or its cgroup's): memory, not what it waits on */
	WC_N = 8,
};

/*
 * Per syscall number, how a block inside it is classified: a wait_class, or
 * one of the SYSCALL_CLASS_* below, to look at what the call waits on: a connected
 * IPv4/IPv6 socket is WC_NET, a listening one WC_POLL (an event: a client), anything
 * else WC_OTHER -- or, for poll/select/epoll, WC_POLL.
 * Filled by userspace from the syscall table into rodata.
 */
#define SYSCALL_CLASS_FD 0x80	  /* what the file descriptor in argument 1 is */
#define SYSCALL_CLASS_POLL 0x81	  /* the pollfd array in arguments 1 and 2 */
#define SYSCALL_CLASS_SELECT 0x82 /* the fd_sets in arguments 2 and 3 */
#define SYSCALL_CLASS_EPOLL 0x83  /* what the epoll instance in argument 1 watches */

/*
 * Why a run-queue wait waited, as the kernel showed it (bpf/sched.bpf.c, runq_cause):
 * told at its start (a quota, an affinity mask) or at its end (the CPU it got was idle).
 */
enum runq_cause {
	RQ_CONTENTION = 0, /* the CPU it waited for ran another task */
	RQ_WAKEUP = 1,	   /* woken onto an idle CPU: the CPU's own way back (idle exit, IPI) */
	RQ_CONFINED = 2,   /* a CPU outside its affinity mask sat idle when it began */
	RQ_THROTTLED = 3,  /* its cgroup's CPU quota was used up (cpu.max, cfs_quota_us) */
	RQ_CAUSE_N = 4,
};

struct proc_sched {
	__u64 oncpu_ns;
	__u64 runq_ns;	       /* all run-queue waits ... */
	__u64 runq_preempt_ns; /* ... of which after an involuntary switch */
	/* ... by cause, but for RQ_CONTENTION's: the rest of runq_ns (never written) */
	__u64 runq_cause_ns[RQ_CAUSE_N];
	__u64 runq_idle_waits; /* waits that ended on an idle CPU (RQ_WAKEUP) */
	__u64 blocked_ns[BLK_N];
	__u64 wait_ns[WC_N]; /* the same blocked time, by wait class */
	__u64 nvcsw;	     /* voluntary switches, counted as the kernel does */
	__u64 nivcsw;	     /* involuntary: preempted or yielded while runnable */
	__u64 runq_waits;
	/*
	 * Time in no known state: a switch the kernel did not report left a thread's
	 * state stale (seen switched in while believed on a CPU). Never counted as
	 * on-CPU: on-CPU time comes from the CPU's own switches (docs/metrics.md).
	 */
	__u64 unaccounted_ns;
};

#endif /* PROCSCOPE_SCHED_ABI_H */
