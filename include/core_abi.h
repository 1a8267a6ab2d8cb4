/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Structures and enums shared by the BPF programs and userspace: fixed-width types,
 * explicit enum values that are never renumbered.
 *
 * Each tracked process owns a slot in the core_procs array. Distributions (syscall
 * latency per syscall, run-queue latency, ...) live in a pool of stat rows,
 * core_rows, allocated on first use and found through small index tables in the
 * process record, so that the hot path does array lookups only, never a hash lookup.
 */
#ifndef PROCSCOPE_CORE_ABI_H
#define PROCSCOPE_CORE_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "io_abi.h"
#include "hist.h"
#include "mem_abi.h"
#include "net_abi.h"
#include "stacks_abi.h"
#include "sched_abi.h"

#define COMM_LEN 16
#define CMDLINE_MAX 1024
#define SYSCALL_NR_MAX 512 /* syscall numbers at or above land in SYSCALL_NR_MAX - 1 */

enum target_mode {
	MODE_ALL = 1,
	MODE_PIDS = 2, /* a pid set (launch or -p) and, optionally, its descendants */
	MODE_CGROUP = 3,
};

/* Slot 0 means "no slot"; slot 1 collects whatever did not fit in max_procs. */
#define SLOT_NONE 0
#define SLOT_OVERFLOW 1
#define SLOT_FIRST 2

enum proc_flags {
	PROC_F_PRESENT = 1 << 0, /* running before procscope attached */
	PROC_F_EXECED = 1 << 1,
	PROC_F_EXITED = 1 << 2,
	PROC_F_DUP = 1 << 3,	  /* lost an allocation race: slot unused */
	PROC_F_STACKS = 1 << 4,	  /* has stacks: userspace was asked to read its mappings */
	PROC_F_LAUNCHED = 1 << 5, /* the command procscope started: its code is procscope's
				     until it execs */
	PROC_F_PEER = 1 << 6,	  /* not the target's: a process a target waited on or woke */
	/*
	 * An aggregate the kernel keeps: the processes of one command (and cgroup, peers
	 * apart) it folded at their exit, userspace being late to recycle (proc_fold() in
	 * bpf/core.bpf.c); pid 0, never recycled
	 */
	PROC_F_AGG = 1 << 7,
	PROC_F_FOLDING = 1 << 8, /* being folded into its aggregate: a dump skips it */
};

/* proc_rec counters the kernel's fold adds up (or raises: PROC_FOLD_MAX_BIT), by offset */
#define PROC_FOLD_N 128
#define PROC_FOLD_MAX_BIT 0x8000

enum row_kind {
	ROW_NONE = 0,
	ROW_SYSCALL = 1,    /* key: syscall number */
	ROW_RUNQ = 2,	    /* run-queue latency */
	ROW_IO_LAT = 3,	    /* block IO device time, issue to completion */
	ROW_IO_QUEUE = 4,   /* block IO queue time, insert to issue */
	ROW_IO_DEV_LAT = 5, /* per device (key: device index), whole target */
	ROW_IO_DEV_QUEUE = 6,
	ROW_TCP_CONNECT = 7,	 /* active open: SYN_SENT to ESTABLISHED */
	ROW_TCP_RTT = 8,	 /* smoothed RTT samples (tcp_probe) */
	ROW_TCP_LIFETIME = 9,	 /* ESTABLISHED (or first use) to close */
	ROW_REMOTE_CONNECT = 10, /* per remote (key: remote index), whole target */
	ROW_REMOTE_RTT = 11,
	ROW_KIND_N = 12,
};

/* Row 0 is "none"; then one overflow row per syscall number and per other kind. */
#define ROW_OVF_SYSCALL 1
#define ROW_OVF_KIND (ROW_OVF_SYSCALL + SYSCALL_NR_MAX)
#define ROW_FIRST (ROW_OVF_KIND + ROW_KIND_N)

/*
 * A distribution and its counters. For syscalls, count and errors are exact while
 * latency may be sampled (see SYSCALL_SAMPLE_EVERY): timed counts the calls measured,
 * and hist and sum_ns weigh each by its sampling interval, so that they estimate
 * the whole. For other kinds every event is measured (timed == count).
 */
struct stat_row {
	__u32 slot; /* owning process slot */
	__u16 kind; /* enum row_kind; 0 while being set up */
	__u16 key;
	__u64 count;
	__u64 timed;
	__u64 sum_ns;
	__u64 max_ns;	    /* of the measured events */
	__u64 errors;	    /* syscalls: returns in [-4095, -1] */
	__u32 err_code[4];  /* the first four distinct errnos ... */
	__u32 err_count[4]; /* ... and how often each was returned */
	/* syscall timing budget, private to the BPF side */
	__u32 epoch;
	__u32 epoch_timed;
	__u32 skipped;
	/*
	 * Set when max_ns may be below a measured value (atomic_max() lost a three-way
	 * race): then a bucket above max_ns's may be counted. Clear: none is.
	 */
	__u32 max_low;
	__u32 hist[HIST_SLOTS];
};

/*
 * Adaptive syscall timing: in each epoch (2^SYSCALL_EPOCH_SHIFT jiffies, 64 ms at HZ=1000)
 * a (process, syscall) row times its first cfg_syscall_budget calls; beyond that, one call
 * in SYSCALL_SAMPLE_EVERY, weighted SYSCALL_SAMPLE_EVERY. Two clock reads cost more than a
 * getppid: a row hot enough to exceed the budget is timed by sampling.
 */
#define SYSCALL_EPOCH_SHIFT 6
#define SYSCALL_SAMPLE_EVERY 16
#define SYSCALL_BUDGET_DEFAULT 256

struct proc_rec {
	__u32 pid; /* tgid; 0 = slot unused */
	__u32 ppid;
	__u32 flags;	 /* enum proc_flags */
	__s32 exit_code; /* wait(2) status */
	__u32 depth;	 /* PROC_F_PEER: how many hops from the target (1: a target's own peer) */
	__u32 pad0;
	__u64 start_ns; /* CLOCK_MONOTONIC; attach time if it was already running */
	__u64 exec_ns;	/* last exec, 0 if none seen */
	__u64 end_ns;	/* exit of the last thread, 0 while alive */
	__u64 cgid;	/* its cgroup v2 (kernfs id) when created or last exec'd */
	/* PROC_F_AGG: the processes folded in, and their lifetimes summed */
	__u64 folded;
	__u64 lifetime_ns;
	char comm[COMM_LEN];
	struct proc_sched sched;
	struct proc_io io;
	struct proc_net net;
	struct proc_mem mem;
	__u16 syscall_row[SYSCALL_NR_MAX]; /* syscall number -> row index */
	__u16 row[ROW_KIND_N];		   /* other kinds -> row index */
	__u16 pad[(4 - ROW_KIND_N % 4) % 4];
};
/* row_publish() (bpf/core.h) swaps the index entries two at a time */
_Static_assert(__builtin_offsetof(struct proc_rec, syscall_row) % 4 == 0,
	       "proc_rec.syscall_row must be 4-byte aligned");

/* Ring buffer records: rare events only. */
enum ev_kind {
	EV_EXEC = 1,
	EV_EXIT = 2,
	EV_PROC = 3,	  /* a running process seen for the first time */
	EV_TCP_CLOSE = 4, /* struct ev_tcp_close */
	EV_OOM = 5,	  /* struct ev_hdr: the kernel chose a target process as OOM victim */
	EV_STACKS = 6,	  /* struct ev_hdr: the process's first stack; read its mappings now */
	EV_MAPS = 7,	  /* struct ev_hdr: the unwinder met an address in no known mapping */
};

struct ev_hdr {
	__u32 kind;
	__u32 pid;
	__u32 slot;
	__u32 pad;
	__u64 ts_ns;
};

struct ev_exec {
	struct ev_hdr h;
	__u32 args_len;	 /* bytes in args, NUL-separated as in /proc/PID/cmdline */
	__u32 truncated; /* args longer than CMDLINE_MAX */
	char comm[COMM_LEN];
	char args[CMDLINE_MAX];
};

/* An exec's record is as long as its arguments (args_len, rounded up to 8 bytes). */
#define EV_EXEC_SIZE(n) (__builtin_offsetof(struct ev_exec, args) + (n))

struct ev_exit {
	struct ev_hdr h;
	__s32 exit_code;
	__u32 agg;   /* folded by the kernel into the aggregate in this slot (0: not) */
	__u32 flags; /* its proc_rec.flags at its exit */
	__u32 pad;
};

/*
 * --trace: the timeline's records, in a ring buffer of their own (core_trace), only
 * when a trace is asked for. TR_SLICE: a thread's state interval [start_ns, end_ns),
 * as the scheduler accounting closes it (the same intervals the totals add up);
 * TR_WAKE: a target thread (waker, waker_pid) woke thread tid at start_ns.
 */
enum trace_kind {
	TR_SLICE = 1,
	TR_WAKE = 2,
};

struct trace_rec {
	__u64 start_ns;
	__u64 end_ns;
	__u32 tid;
	__u32 pid;   /* tid's process (tgid) */
	__u8 kind;   /* enum trace_kind */
	__u8 tstate; /* enum tstate: TS_ONCPU, TS_RUNQ or TS_BLOCKED */
	__u8 wclass; /* enum wait_class, when blocked */
	__u8 bstate; /* enum blk_state, when blocked */
	__u32 waker;
	__u32 waker_pid;
	__u32 pad;
};

/*
 * Who ended a wait (the waker of a blocked thread), as sched_waking sees it: it runs in
 * the context of whatever wakes the thread, which is the cause only in a task's own
 * process context -- an interrupt or a softirq runs on whatever task it interrupted.
 */
enum wake_src {
	WS_NONE = 0,	 /* not seen: first sight, or the record lost */
	WS_TASK = 1,	 /* a task, in its own context: waker, waker_pid */
	WS_LOOPBACK = 2, /* a task whose send on a local socket ran the receive (softirq) */
	WS_IRQ = 3,	 /* an interrupt or a softirq: a device, a timer, network receive */
	/* 4 retired */
	WS_KTHREAD = 5, /* a kernel thread: a worker, ksoftirqd (waker: its tid) */
	WS_CREATOR = 6, /* a new thread, started by waker */
};

#define WAIT_F_EXIT 1	 /* no wait: the thread ended at block_ns */
#define WAIT_F_AGAIN 2	 /* blocked again in the call of its previous wait: one wait, woken twice */
#define WAIT_F_ADOPTED 4 /* its waker became a peer now: what it did before is in core_past */
#define WAIT_F_MERGED 8	 /* short waits and stretches merged: their sums, stretches first */

/*
 * One per wait of a followed thread (core_path), written when the wait ends: the
 * thread's active stretch before it (from its last wake-up, or from when it was first
 * seen, to block_ns: on a CPU and runnable, the rest unknown), the wait and what ended
 * it. A thread's records tile its life; the critical path is walked over them
 * (src/analysis/critpath.c).
 */
struct wait_rec {
	__u64 seg_start; /* the stretch starts: the last wake-up */
	__u64 block_ns;	 /* it blocked: the stretch ends, the wait begins */
	__u64 wake_ns;	 /* it was woken: the wait ends */
	__u64 oncpu_ns;	 /* of the stretch: on a CPU ... */
	__u64 runq_ns;	 /* ... and runnable */
	__u32 tid, pid;
	__u32 waker, waker_pid; /* WS_TASK, WS_LOOPBACK, WS_CREATOR; WS_KTHREAD: waker */
	__u8 wclass;		/* enum wait_class of the wait */
	__u8 bstate;		/* enum blk_state */
	__u8 src;		/* enum wake_src */
	__u8 flags;		/* WAIT_F_* */
	__u32 lock_key; /* WC_LOCK: the lock's word (a futex's address), hashed; 0 if none */
};

/*
 * The host's recent past (core_past): every context switch and wake-up, of any task, in
 * a ring per CPU (PAST_PER_CPU_MAX records at most) that userspace maps. When a process
 * outside the target ends a target's wait and becomes a peer, what it did during that
 * wait -- and what the tasks that ended its own waits did -- is read back from there:
 * it was not followed yet. A record is whole when its ts reads the same before and
 * after its fields (ts is written last, and zeroed first).
 */
enum past_kind {
	PAST_SWITCH = 1, /* tid (of pid) left its CPU, in @state; other took it */
	PAST_WAKE = 2,	 /* tid (of pid) was woken by other (of other_pid), per @state */
	PAST_SEED = 3,	 /* tid (of pid) was in @state at attach: on a CPU, runnable or blocked */
};

enum past_state {
	PAST_RUNNABLE = 0, /* SWITCH: preempted, still runnable */
	PAST_BLOCKED = 1,  /* ... blocked (in syscall @nr, if one) */
	PAST_IOWAIT = 2,   /* ... blocked waiting for IO */
	PAST_DEAD = 3,	   /* ... exited */
	PAST_ONCPU = 4,	   /* SEED: on a CPU */
};

#define PAST_PER_CPU_MAX 65536
#define PAST_NO_SYSCALL 0xffff

struct past_rec {
	__u64 ts;
	__u32 tid, pid;
	__u32 other; /* SWITCH: the next task; WAKE: the waker */
	union {
		__u32 other_pid; /* WAKE: the waker's process */
		__u32 other_cs;	 /* SWITCH: other's context switches so far (see @cs) */
	};
	__u16 nr;   /* SWITCH, SEED: the syscall tid blocked in, PAST_NO_SYSCALL if none */
	__u8 kind;  /* enum past_kind */
	__u8 state; /* SWITCH, SEED: enum past_state; WAKE: enum wake_src */
	/*
	 * tid's context switches so far (nvcsw + nivcsw, low 32 bits; a SWITCH's own
	 * counted). A task seen again with the count it had at its last record did not
	 * switch in between: no event of its was lost.
	 */
	__u32 cs;
	char comm[COMM_LEN]; /* SWITCH, SEED: tid's name; WAKE: the waker's */
};

/* Per-CPU loss and health counters: nothing is dropped silently. */
enum core_stat {
	STAT_RB_DROPS = 0,	/* ring buffer full: an event was lost */
	STAT_PROCS_FULL = 1,	/* process beyond max_procs: counted in the overflow slot */
	STAT_ROWS_FULL = 2,	/* stat row pool exhausted: counted in an overflow row */
	STAT_PIDMAP_FULL = 3,	/* core_tgid_slot full */
	STAT_TASK_CTX_FAIL = 4, /* task storage could not be created */
	STAT_ARGS_FAULT = 5,	/* exec arguments unreadable: cmdline from procfs */
	STAT_IO_REQS_FULL = 6,	/* in-flight block request table full: request not seen */
	STAT_IO_DEVS_FULL = 7,	/* more than IO_DEV_MAX devices: per-device detail lost */
	STAT_INODES_FULL = 8,	/* dirtied-inode table full: writeback not attributed */
	STAT_SOCKS_FULL = 9,	/* no socket storage (out of memory): connection not followed */
	STAT_REMOTES_FULL = 10, /* more than NET_REMOTE_MAX remotes: per-remote detail lost */
	STAT_KSTACK_LOST = 11,	/* kernel stack not stored (stack map bucket taken by another) */
	STAT_USTACK_LOST = 12,	/* user stack not stored */
	STAT_STACKS_FULL = 13,	/* stack count table full: sample or interval not counted */
	STAT_SCHED_GAPS =
		14, /* a thread's switch went unreported: its time until the next is unaccounted */
	STAT_TRACE_DROPS = 15, /* --trace: its ring buffer full, a record lost */
	STAT_PATH_DROPS = 16,  /* core_path full: a wait's record lost */
	STAT_PEERS_FULL = 17,  /* a process not followed as a peer: --max-peers reached */
	STAT_KFOLDED = 18,     /* processes folded into an aggregate at their exit, in the kernel */
	STAT_N = 19,
};

/*
 * What a CPU did besides the target, since attach: the first member of each CPU's
 * cpu_ctx (bpf/core.h), read by userspace from every CPU's value (kernel/session_collect.c).
 */
struct cpu_use {
	__u64 others_ns; /* running tasks outside the target */
	__u64 idle_ns;
};

/* One record per live thread of the target, written by the core_tasks iterator. */
struct task_iter_rec {
	__u32 slot;
	__u8 tstate; /* TS_UNKNOWN if scheduler accounting is off */
	__u8 bstate;
	__u8 wclass;
	__u8 preempted;
	__u64 open_ns;	    /* time in tstate so far */
	__u64 minor_faults; /* since attach (or birth) */
	__u64 major_faults;
	__u32 tid, pid;
	/* its open stretch (struct wait_rec): since, on a CPU, runnable */
	__u64 seg_start, seg_oncpu, seg_runq;
	__u8 rq_cause; /* TS_RUNQ: enum runq_cause as told so far */
	__u8 pad[7];
};

#endif /* PROCSCOPE_CORE_ABI_H */
