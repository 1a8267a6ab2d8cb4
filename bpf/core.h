/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What every procscope BPF program shares: configuration (rodata, set between open
 * and load), the core maps, per-CPU loss counters, the process slot and stat row
 * allocators, and filter_task(), the one place that decides whether a task belongs
 * to the target.
 *
 * The maps and globals are defined once, in core.bpf.c (which defines CORE_DEFINE
 * before including this header), and declared extern everywhere else; `bpftool gen
 * object` links them into one object and one skeleton.
 */
#ifndef PROCSCOPE_BPF_CORE_H
#define PROCSCOPE_BPF_CORE_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

#include "core_abi.h"
#include "compat.h"

#ifdef CORE_DEFINE
#define CORE_GLOBAL
#define CORE_INIT(...) = __VA_ARGS__
#else
#define CORE_GLOBAL extern
#define CORE_INIT(...)
#endif

#define EEXIST 17

/* --- configuration: rodata, fixed at load ------------------------------------- */
CORE_GLOBAL const volatile __u32 cfg_mode CORE_INIT(MODE_ALL);
CORE_GLOBAL const volatile __u32 cfg_follow_children CORE_INIT(1);
CORE_GLOBAL const volatile __u32 cfg_self_tgid CORE_INIT(0); /* never trace procscope */
CORE_GLOBAL const volatile __u64 cfg_cg_id CORE_INIT(0);
CORE_GLOBAL const volatile __u32 cfg_cg_level CORE_INIT(0);
CORE_GLOBAL const volatile __u32 cfg_max_procs CORE_INIT(4096);
CORE_GLOBAL const volatile __u32 cfg_max_rows CORE_INIT(8192);
/* exited processes folded into aggregates here, at their exit (proc_fold() in core.bpf.c) */
CORE_GLOBAL const volatile __u32 cfg_kfold CORE_INIT(0);
/* the proc_rec counters it adds up, by offset (PROC_FOLD_MAX_BIT: raised to the larger) */
CORE_GLOBAL const volatile __u16 cfg_fold_off[PROC_FOLD_N] CORE_INIT({});
CORE_GLOBAL const volatile __u32 cfg_fold_n CORE_INIT(0);
/* the rings of recycled slots and rows: sizes - 1 (0: no recycling) */
CORE_GLOBAL const volatile __u32 cfg_free_slots_mask CORE_INIT(0);
CORE_GLOBAL const volatile __u32 cfg_free_rows_mask CORE_INIT(0);
CORE_GLOBAL const volatile __u32 cfg_sched CORE_INIT(1); /* scheduler accounting on */
CORE_GLOBAL const volatile __u32 cfg_mem CORE_INIT(1);	 /* memory accounting on */
CORE_GLOBAL const volatile __u32 cfg_io CORE_INIT(0);	 /* block IO accounting on */
CORE_GLOBAL const volatile __u32 cfg_trace CORE_INIT(0); /* --trace: records in core_trace */
/* who ended each wait: records in core_path (the critical path, src/analysis/critpath.c) */
CORE_GLOBAL const volatile __u32 cfg_path CORE_INIT(0);
/* peers: processes a target waits on or wakes, followed up to this many hops (0: none) */
CORE_GLOBAL const volatile __u32 cfg_peer_depth CORE_INIT(0);
CORE_GLOBAL const volatile __u32 cfg_max_peers CORE_INIT(0);
/* the host's recent past: records per CPU in core_past, less one (a power of two); 0: off */
CORE_GLOBAL const volatile __u32 cfg_past_mask CORE_INIT(0);
/* bpf_task_pt_regs() is there: a loopback sender can be told in a softirq */
CORE_GLOBAL const volatile __u32 cfg_pt_regs CORE_INIT(0);
/* syscall number -> 1 if it may send on a socket (a loopback send wakes the peer) */
CORE_GLOBAL const volatile __u8 cfg_syscall_send[SYSCALL_NR_MAX] CORE_INIT({});
CORE_GLOBAL const volatile __u32 cfg_page_size CORE_INIT(4096);
CORE_GLOBAL const volatile __u32 cfg_ncpus CORE_INIT(1); /* possible CPUs */
/* a monitor's loop ticks on its own: wake it for events at most this often (see event_submit) */
CORE_GLOBAL const volatile __u64 cfg_wake_gap_ns CORE_INIT(0);
/* calls timed per row and epoch before sampling starts; ~0 = time every call */
CORE_GLOBAL const volatile __u32 cfg_syscall_budget CORE_INIT(SYSCALL_BUDGET_DEFAULT);
/* syscall number -> wait class of a block inside it, or SYSCALL_CLASS_FD */
CORE_GLOBAL const volatile __u8 cfg_syscall_class[SYSCALL_NR_MAX] CORE_INIT({});

/* --- state shared with userspace: .data/.bss, mmapped by the skeleton ----------- */
CORE_GLOBAL __u64 core_attach_ns CORE_INIT(0);	/* accounting starts here */
CORE_GLOBAL __u64 core_count_from CORE_INIT(0); /* see counted_from() */
CORE_GLOBAL __u32 core_next_slot CORE_INIT(SLOT_FIRST);
CORE_GLOBAL __u32 core_next_row CORE_INIT(ROW_FIRST);
/* the rings of recycled slots and rows (see core_free_slots) */
CORE_GLOBAL __u64 core_free_slots_prod CORE_INIT(0);
CORE_GLOBAL __u64 core_free_slots_cons CORE_INIT(0);
CORE_GLOBAL __u64 core_free_rows_prod CORE_INIT(0);
CORE_GLOBAL __u64 core_free_rows_cons CORE_INIT(0);
CORE_GLOBAL __u64 core_woke_ns CORE_INIT(0); /* event_submit()'s last wake-up */
/* slots and rows the kernel's fold gave back (core_kfree_*): pushed, and taken again */
CORE_GLOBAL __u64 core_kfree_slots_in CORE_INIT(0);
CORE_GLOBAL __u64 core_kfree_slots_out CORE_INIT(0);
CORE_GLOBAL __u64 core_kfree_rows_in CORE_INIT(0);
CORE_GLOBAL __u64 core_kfree_rows_out CORE_INIT(0);
CORE_GLOBAL __u32 core_peers CORE_INIT(0);    /* processes adopted as peers */
CORE_GLOBAL __u32 core_peer_gen CORE_INIT(0); /* bumped at each: untracked decisions expire */

/* A syscall in flight. */
struct syscall_state {
	__u64 start;  /* syscalls_enter time, 0 if this call is not timed */
	__u64 arg[3]; /* its first arguments: what a block in it waits on (sched.bpf.c) */
	__u32 nr;
	__u32 row;	  /* its stat row; 0 = no syscall in flight */
	__u32 weight;	  /* calls this timing stands for */
	__u32 seq;	  /* calls this thread entered: one call told from the next */
	__u64 refault_ts; /* mem: when this call first read back an evicted page, 0: never */
};

/* Per-thread state: timestamps live here, not in a hash keyed by tid. */
struct task_ctx {
	__u32 slot;	 /* process slot; SLOT_NONE = untracked (if known) */
	__u8 known;	 /* filter decision made and cached */
	__u8 tstate;	 /* enum tstate */
	__u8 bstate;	 /* enum blk_state of the current blocked interval */
	__u8 wclass;	 /* enum wait_class of the current blocked interval */
	__u8 preempted;	 /* current run-queue wait follows an involuntary switch */
	__u8 exited;	 /* past sched_process_exit: its counters are in the process */
	__u8 user_wait;	 /* found blocked at attach in poll or select: see core_waits */
	__u8 rq_cause;	 /* TS_RUNQ: enum runq_cause, as told at its start */
	__u8 compacting; /* mem: reclaim_ts is a compaction's start */
	__u8 pad[3];
	__u64 ts;		      /* start of the current state interval */
	struct syscall_state syscall; /* parked here while the task is off the CPU */
	__u64 flt_min_base; /* the task's fault counters when first seen (0 if born traced) */
	__u64 flt_maj_base;
	__u64 wb_inode;	 /* flusher thread: inode being written back, 0 if none */
	__u64 off_start; /* off-CPU stacks: when it blocked, 0 if no stack pending */
	__s32 off_kstack;
	__s32 off_ustack;
	__u8 off_wclass;
	__u8 pad2[3];
	__u64 woke_ns;	  /* the lock wait this thread last ended, as the waker ... */
	__u64 woke_at;	  /* ... when ... */
	__u32 woke_slot;  /* ... and whose (a join, if this thread exits right after) */
	__u32 off_weight; /* blocks the pending stack stands for */
	__u32 off_epoch;  /* adaptive off-CPU stacks: see stacks_abi.h */
	__u32 off_taken;
	__u32 off_skipped;
	__u32 wait_seq;	 /* the call its last wait was in (syscall_state.seq), if one */
	__u64 off_uhash; /* the pending off-CPU user stack, walked with unwind tables */
	__u64 run_base;	 /* its run time (se.sum_exec_runtime) when last seen switched in */
	/* the active stretch since its last wake-up (struct wait_rec) */
	__u64 seg_start;
	__u64 seg_oncpu;
	__u64 seg_runq;
	/* short waits ended by one waker, merged into one record (bpf/path.h) */
	struct wait_acc {
		__u64 seg_start, wake_ns; /* the region: its first stretch to its last wake */
		__u64 wait_ns, oncpu_ns, runq_ns; /* its waits, summed; its stretches' */
		__u32 waker, waker_pid;
		__u32 lock_key;
		__u16 n; /* waits merged, 0: none pending */
		__u8 wclass, src;
	} acc;
	__u32 peer_gen; /* core_peer_gen when it was found untracked */
	__u8 depth;	/* 0: the target's; a peer's hops from it */
	__u8 outside;	/* known untracked as outside the target's cgroup (it may join) */
	__u8 pad4[2];
	__u64 reclaim_ts; /* mem: when its reclaim (or compaction) pass began, 0 if in none */
};

/*
 * The task on this CPU, cached: sched_switch loads it for the incoming task (and
 * parks the outgoing task's syscall state in its task_ctx), so syscalls_enter and
 * syscalls_exit read one inlined per-CPU array entry instead of task storage.
 */
struct cpu_ctx {
	struct cpu_use use; /* first: userspace reads it (kernel/session_collect.c) */
	__u64 task;	    /* the task_struct this describes; must equal current to be used */
	__u32 slot;	    /* its process slot, SLOT_NONE if untracked */
	__u32 spare_row;    /* a row claimed but not needed (row_publish()), 0 if none */
	struct syscall_state syscall;
	__u64 scratch;	   /* see ptr_to_u64() */
	__u32 io_dev;	   /* io: the last device seen on this CPU ... */
	__u32 io_dev_idx;  /* ... and its index */
	__u64 io_slow_min; /* io: the fastest of this CPU's slowest requests */
	__u64 switch_ns;   /* sched: this CPU's last context switch, 0 before the first */
	__u32 past_head;   /* the next record of this CPU's ring in core_past */
	__u32 pad;
	/*
	 * The saved registers of @task (its kernel stack's: one task's alone), once a
	 * syscall has checked @task against current; 0 after a switch. A syscall whose
	 * registers are these is @task's without asking for current (a helper call).
	 */
	__u64 regs;
};

CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct task_ctx);
} core_task SEC(".maps");

CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct cpu_ctx);
} core_cpu SEC(".maps");

/* mmap'ed by userspace: read at every collection, zeroed when recycled */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct proc_rec);
} core_procs SEC(".maps");

CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, ROW_FIRST + 8192);
	__type(key, __u32);
	__type(value, struct stat_row);
} core_rows SEC(".maps");

/* tgid -> slot for processes alive and tracked; in pid mode, the pid tree itself. */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, __u32);
} core_tgid_slot SEC(".maps");

/*
 * Process slots and stat rows userspace recycled (processes that exited: recycle.h),
 * zeroed first; taken before new ones are carved from the pool. Each is a ring in
 * shared memory: userspace writes entries and advances *_prod, the programs take one by
 * advancing *_cons with a compare-and-swap -- no syscall on either side (a queue map
 * would cost userspace one per slot and per row). Sized by userspace (a power of two,
 * cfg_free_*_mask + 1); one entry when recycling is off.
 */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64); /* 8 bytes: an mmap'ed array's elements are 8-byte aligned */
} core_free_slots SEC(".maps");

CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} core_free_rows SEC(".maps");

/*
 * Slots and rows of processes the kernel folded (cfg_kfold), zeroed, to take again: the
 * programs are producer and consumer both, so a queue (its own lock) rather than a
 * ring. Sized by userspace (slots, rows); one entry when the kernel folds nothing.
 */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1);
	__uint(value_size, sizeof(__u32));
} core_kfree_slots SEC(".maps");

CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_QUEUE);
	__uint(max_entries, 1);
	__uint(value_size, sizeof(__u32));
} core_kfree_rows SEC(".maps");

/* An aggregate's identity: what userspace groups exited processes by (kernel/recycle.h). */
struct agg_key {
	char comm[COMM_LEN];
	__u64 cgid;
	__u32 peer;
	__u32 pad;
};

/* cfg_kfold: aggregate -> its slot (SLOT_NONE while being made, SLOT_OVERFLOW: none) */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1);
	__type(key, struct agg_key);
	__type(value, __u32);
} core_aggs SEC(".maps");

/* See struct blkcg_owner: written by sched.bpf.c, read by io.bpf.c (with cfg_io). */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 256);
	__type(key, __u64);
	__type(value, struct blkcg_owner);
} core_blkcg_owner SEC(".maps");

/* an exec's record is built here, then copied into core_events at its length */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ev_exec);
} core_exec_buf SEC(".maps");

#define CORE_EVENTS_BYTES (1 << 20)
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, CORE_EVENTS_BYTES);
} core_events SEC(".maps");

/* cfg_path: struct wait_rec, sized by userspace, one page when off */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} core_path SEC(".maps");

/* cfg_past_mask: the host's recent past, a ring of struct past_rec per CPU (core_abi.h) */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct past_rec);
} core_past SEC(".maps");

/* processes refused as peers (--max-peers reached): counted once each */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, __u8);
} core_peer_refused SEC(".maps");

/* --trace (cfg_trace): sized by userspace, one page when no trace is asked for */
CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4096);
} core_trace SEC(".maps");

CORE_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT_N);
	__type(key, __u32);
	__type(value, __u64);
} core_stats SEC(".maps");

#define PF_KTHREAD 0x00200000
/* a lock wait ended by a thread that exits this soon after is a join (see sched.bpf.c) */
#define JOIN_WINDOW_NS (10ULL * 1000 * 1000)
#define S_IFMT 00170000
#define S_IFSOCK 0140000
#define S_IFBLK 0060000

/*
 * The address of @t's IO cgroup state (blkio in v1, io in v2: the css that a bio's
 * blkg->blkcg points into), or 0 for the root cgroup or a kernel without it.
 */
/* @t's state for the controller whose subsystem id is @id, or NULL. */
static __always_inline struct cgroup_subsys_state *task_css(struct task_struct *t, int id)
{
	struct cgroup_subsys_state *css = NULL;
	struct css_set *cs = BPF_CORE_READ(t, cgroups);

	if (!cs || id < 0 || id >= bpf_core_enum_value(enum cgroup_subsys_id, CGROUP_SUBSYS_COUNT))
		return NULL;
	bpf_probe_read_kernel(&css, sizeof(css), &cs->subsys[id]);
	return css;
}

static __always_inline __u64 task_blkcg_css(struct task_struct *t)
{
	struct cgroup_subsys_state *css;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, io_cgrp_id))
		return 0;
	css = task_css(t, bpf_core_enum_value(enum cgroup_subsys_id, io_cgrp_id));
	if (!css || !BPF_CORE_READ(css, parent))
		return 0;
	return (__u64)css;
}

static __always_inline void stat_inc(__u32 id)
{
	__u64 *v = bpf_map_lookup_elem(&core_stats, &id);

	if (v)
		(*v)++;
}

static __always_inline struct cpu_ctx *cpu_ctx(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&core_cpu, &zero);
}

/*
 * A kernel address as a plain integer, to hash it. The verifier keeps a pointer's type
 * through arithmetic, but a value stored in map memory loads back as a scalar (storing
 * a pointer there needs CAP_PERFMON, which procscope has). Cheaper than a probe-read
 * helper call.
 */
static __always_inline __u64 ptr_to_u64(const void *p)
{
	__u32 zero = 0;
	struct cpu_ctx *cc = bpf_map_lookup_elem(&core_cpu, &zero);

	if (!cc)
		return 0;
	*(volatile __u64 *)&cc->scratch = (__u64)p;
	return *(volatile __u64 *)&cc->scratch;
}

static __always_inline struct proc_rec *proc_of(__u32 slot)
{
	return bpf_map_lookup_elem(&core_procs, &slot);
}

/*
 * The process a long-lived reference names (a dirty inode's dirtier, a socket's
 * owner): NULL if its slot has been recycled for another process since.
 */
static __always_inline struct proc_rec *proc_of_owner(__u32 slot, __u32 pid)
{
	struct proc_rec *p = proc_of(slot);

	return p && p->pid == pid ? p : NULL;
}

/* Raise *@p to @v. False if it may have stayed below (see stat_row.max_low). */
static __always_inline bool atomic_max(__u64 *p, __u64 v)
{
	__u64 cur = *p, old;

	/*
	 * Two rounds, unrolled: another CPU can only raise the value, and a loop here
	 * would multiply the verifier's work in every program that keeps a maximum.
	 */
	if (v <= cur)
		return true;
	old = __sync_val_compare_and_swap(p, cur, v);
	if (old == cur || v <= old)
		return true;
	cur = __sync_val_compare_and_swap(p, old, v);
	return cur == old || v <= cur;
}

/* Add a measurement that stands for @weight events (counted separately). */
static __always_inline void row_time(struct stat_row *r, __u64 v, __u32 weight)
{
	/* 64-bit: see hist_slot() and docs/design.md, *Verifier-friendly code* */
	__u64 s = hist_slot(v);

	__sync_fetch_and_add(&r->timed, 1);
	__sync_fetch_and_add(&r->sum_ns, v * weight);
	if (s < HIST_SLOTS)
		__sync_fetch_and_add(&r->hist[s], weight);
	if (!atomic_max(&r->max_ns, v))
		r->max_low = 1;
}

/* One event, measured. */
static __always_inline void row_add(struct stat_row *r, __u64 v)
{
	__sync_fetch_and_add(&r->count, 1);
	row_time(r, v, 1);
}

#define FREE_TAKE_TRIES 8

/* A slot or row the kernel's fold gave back (core_kfree_slots), if any: false if none. */
static __always_inline bool kfree_take(void *queue, __u64 *taken, __u32 *out)
{
	if (!cfg_kfold || bpf_map_pop_elem(queue, out))
		return false;
	__sync_fetch_and_add(taken, 1);
	return true;
}

/*
 * Take an entry from a ring of recycled slots or rows (core_free_slots); false if it
 * is empty (then the pool gives a new one, if any is left). Another CPU may take the
 * entry seen first: then the next is tried (a fork storm's allocations collide often
 * enough that giving up at once would overflow the pool).
 */
static __always_inline bool free_take(void *ring, __u64 *prod, __u64 *cons, __u32 mask, __u32 *out)
{
	__u64 c = 0, *v;
	__u32 k;
	int i;

	if (!mask)
		return false;
#pragma unroll
	for (i = 0; i < FREE_TAKE_TRIES; i++) {
		c = *(volatile __u64 *)cons;
		if (c >= *(volatile __u64 *)prod)
			return false;
		if (__sync_val_compare_and_swap(cons, c, c + 1) == c)
			break;
	}
	if (i == FREE_TAKE_TRIES)
		return false;
	k = (__u32)c & mask;
	v = bpf_map_lookup_elem(ring, &k);
	if (!v)
		return false;
	*out = (__u32)*v;
	return true;
}

/*
 * Claim a fresh row for (slot, kind, key). The identity is written before the caller
 * publishes the index, and userspace skips rows whose kind is still 0. When the pool
 * is exhausted the event goes to a shared overflow row, so target totals stay exact.
 */
static __always_inline __u16 row_alloc(__u32 slot, __u16 kind, __u16 key)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct stat_row *r;
	__u32 idx = 0;

	if (cc && cc->spare_row) {
		idx = cc->spare_row;
		/* a program interrupting this one may have taken it meanwhile */
		if (__sync_val_compare_and_swap(&cc->spare_row, idx, 0) != idx)
			idx = 0;
	}
	if (!idx &&
	    !free_take(&core_free_rows, &core_free_rows_prod, &core_free_rows_cons,
		       cfg_free_rows_mask, &idx) &&
	    !kfree_take(&core_kfree_rows, &core_kfree_rows_out, &idx))
		idx = __sync_fetch_and_add(&core_next_row, 1);

	if (idx >= ROW_FIRST + cfg_max_rows || idx > 0xffff) {
		stat_inc(STAT_ROWS_FULL);
		idx = kind == ROW_SYSCALL ? ROW_OVF_SYSCALL + key : ROW_OVF_KIND + kind;
		slot = SLOT_OVERFLOW;
	}
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r)
		return 0;
	r->slot = slot;
	r->key = key;
	r->kind = kind;
	return idx;
}

/*
 * Put row @idx in @p's index entry @i (@i < SYSCALL_NR_MAX: syscall_row[i], else
 * row[i - SYSCALL_NR_MAX]) unless a thread on another CPU put one there first; the row
 * in effect. The entries are 16 bits and BPF swaps 32 at least: the pair holding the
 * entry is swapped. A row claimed in vain is kept for this CPU's next claim: left
 * dangling, it would never be recycled, and its counts would go to the slot's next
 * process.
 */
static __always_inline __u32 row_publish(struct proc_rec *p, __u32 i, __u32 idx)
{
	__u32 shift = (i & 1) * 16, old, cur = 0;
	struct cpu_ctx *cc;
	struct stat_row *r;
	__u32 *pair;

	if (i >= SYSCALL_NR_MAX + ROW_KIND_N)
		return idx;
	pair = (__u32 *)p->syscall_row + (i >> 1);

#pragma unroll
	for (int n = 0; n < FREE_TAKE_TRIES; n++) {
		old = *(volatile __u32 *)pair;
		cur = (old >> shift) & 0xffff;
		if (cur)
			break;
		if (__sync_val_compare_and_swap(pair, old, old | (idx << shift)) == old)
			return idx;
	}
	if (!cur)
		return idx; /* the other entry of the pair kept changing: used, unpublished */
	if (idx >= ROW_FIRST && (r = bpf_map_lookup_elem(&core_rows, &idx))) {
		r->kind = 0; /* userspace skips it */
		cc = cpu_ctx();
		if (cc)
			__sync_val_compare_and_swap(&cc->spare_row, 0, idx);
	}
	return cur;
}

static __always_inline struct stat_row *row_get(struct proc_rec *p, __u32 slot, __u16 kind)
{
	__u32 idx;

	if (kind >= ROW_KIND_N)
		return NULL;
	idx = p->row[kind];
	if (!idx)
		idx = row_publish(p, SYSCALL_NR_MAX + kind, row_alloc(slot, kind, 0));
	return bpf_map_lookup_elem(&core_rows, &idx);
}

/* Accounting starts when procscope attached, or when the task was born. */
/*
 * Time counts from core_count_from, which userspace sets once every program is
 * attached (0 until then: nothing counts). State changes are followed from the first
 * event on, but an interval counts only from there -- so that no figure covers more
 * than the report's span, which starts then too (on-CPU time never above CPUs x wall).
 */
static __always_inline __u64 counted_from(__u64 t)
{
	__u64 a = core_count_from;

	if (!a)
		return ~0ULL;
	return t > a ? t : a;
}

static __always_inline __u64 window_start(struct task_struct *t)
{
	__u64 born = BPF_CORE_READ(t, start_time);

	return born > core_attach_ns ? born : core_attach_ns;
}

static __always_inline bool task_in_cgroup(struct task_struct *t)
{
	struct cgroup *cg = t->cgroups->dfl_cgrp;

	if (!cg || (__u32)cg->level < cfg_cg_level)
		return false;
	return cgroup_ancestor_id(cg, cfg_cg_level & 0xff) == cfg_cg_id;
}

/*
 * Submit a record of core_events. By default every record written while the loop
 * sleeps wakes it: under a storm of short processes, a wake-up per fork, exec and exit.
 * A monitor's loop wakes every RECYCLE_EVERY_NS on its own, so there (cfg_wake_gap_ns
 * set) a record wakes it only if none did in the last cfg_wake_gap_ns or the ring is a
 * quarter full; the others wait for the next wake-up. The first event after a quiet
 * spell still wakes it at once.
 */
static __always_inline __u64 event_wake_flags(void)
{
	__u64 now;

	if (!cfg_wake_gap_ns)
		return 0;
	now = bpf_ktime_get_ns();
	if (now - core_woke_ns >= cfg_wake_gap_ns ||
	    bpf_ringbuf_query(&core_events, BPF_RB_AVAIL_DATA) >= CORE_EVENTS_BYTES / 4) {
		core_woke_ns = now;
		return BPF_RB_FORCE_WAKEUP;
	}
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void event_submit(void *e)
{
	bpf_ringbuf_submit(e, event_wake_flags());
}

static __always_inline void emit_proc_event(__u32 kind, __u32 tgid, __u32 slot)
{
	struct ev_hdr *e = bpf_ringbuf_reserve(&core_events, sizeof(*e), 0);

	if (!e) {
		stat_inc(STAT_RB_DROPS);
		return;
	}
	e->kind = kind;
	e->pid = tgid;
	e->slot = slot;
	e->pad = 0;
	e->ts_ns = bpf_ktime_get_ns();
	event_submit(e);
}

/* A process slot: recycled by userspace, else by the kernel, else new; >= cfg_max_procs if none. */
static __always_inline __u32 slot_take(void)
{
	__u32 slot;

	if (!free_take(&core_free_slots, &core_free_slots_prod, &core_free_slots_cons,
		       cfg_free_slots_mask, &slot) &&
	    !kfree_take(&core_kfree_slots, &core_kfree_slots_out, &slot))
		slot = __sync_fetch_and_add(&core_next_slot, 1);
	return slot;
}

/*
 * Give process @tgid (of which @t is a thread) a slot. Races between threads of one
 * process are settled by the tgid map: the loser marks its slot PROC_F_DUP and uses
 * the winner's.
 */
static __always_inline __u32 proc_create(struct task_struct *t, __u32 tgid, __u32 flags,
					 __u64 start_ns, __u32 depth)
{
	struct proc_rec *p = NULL;
	__u32 slot;
	long err;

	slot = slot_take();
	if (slot >= cfg_max_procs) {
		stat_inc(STAT_PROCS_FULL);
		slot = SLOT_OVERFLOW;
	} else {
		p = proc_of(slot);
		if (!p)
			return SLOT_OVERFLOW;
		p->ppid = BPF_CORE_READ(t, real_parent, tgid);
		p->start_ns = start_ns;
		p->flags = flags;
		p->depth = depth;
		p->cgid = BPF_CORE_READ(t, cgroups, dfl_cgrp, kn, id);
		BPF_CORE_READ_STR_INTO(&p->comm, t, group_leader, comm);
		p->pid = tgid;
	}
	err = bpf_map_update_elem(&core_tgid_slot, &tgid, &slot, BPF_NOEXIST);
	if (err == -EEXIST) {
		__u32 *won = bpf_map_lookup_elem(&core_tgid_slot, &tgid);

		if (won) {
			if (p) {
				p->flags |= PROC_F_DUP;
				p->pid = 0;
			}
			return *won;
		}
	} else if (err) {
		stat_inc(STAT_PIDMAP_FULL);
	}
	if (p && (flags & PROC_F_PRESENT))
		emit_proc_event(EV_PROC, tgid, slot);
	return slot;
}

/*
 * First event for a task that has no decision cached (or whose "untracked" expired: a
 * peer was adopted since): is its process in the target, or a peer? @member: the task
 * is in the target's cgroup (cgroup mode; always true otherwise). The interval since the
 * accounting window opened is in the state that the event implies (@seen_as), e.g. a
 * task switched out was on the CPU until now; a peer's, since now.
 */
static __always_inline struct task_ctx *task_first_sight(struct task_struct *t, struct task_ctx *c,
							 __u8 seen_as, bool member)
{
	__u32 tgid = BPF_CORE_READ(t, tgid);
	struct proc_rec *p;
	__u32 *known, slot;
	__u64 from;

	if (tgid == 0 || tgid == cfg_self_tgid) {
		c->known = 1;
		c->peer_gen = ~0U; /* never adopted */
		return NULL;
	}
	known = bpf_map_lookup_elem(&core_tgid_slot, &tgid);
	if (known) {
		slot = *known;
	} else if (cfg_mode == MODE_PIDS || !member) {
		c->known = 1;
		c->outside = !member;
		c->peer_gen = core_peer_gen;
		return NULL;
	} else {
		slot = proc_create(t, tgid, PROC_F_PRESENT, window_start(t), 0);
	}
	from = window_start(t);
	p = proc_of(slot);
	c->depth = 0;
	if (p && (p->flags & PROC_F_PEER)) {
		/* a peer is followed from its adoption: before, it was not the run's */
		c->depth = p->depth;
		from = bpf_ktime_get_ns();
	} else if (!member) {
		c->known = 1;
		c->outside = 1;
		c->peer_gen = core_peer_gen;
		return NULL;
	}
	c->outside = 0;
	c->ts = from;
	c->tstate = seen_as;
	c->rq_cause = RQ_CONTENTION;
	c->run_base = BPF_CORE_READ(t, se.sum_exec_runtime); /* for a switch-out unseen */
	c->seg_start = from;
	c->seg_oncpu = 0;
	c->seg_runq = 0;
	if (cfg_mem) {
		/* faults before attach are not ours to report */
		c->flt_min_base = BPF_CORE_READ(t, min_flt);
		c->flt_maj_base = BPF_CORE_READ(t, maj_flt);
	}
	c->bstate = BLK_INTERRUPTIBLE;
	c->wclass = WC_OTHER;
	c->slot = slot;
	c->known = 1;
	return c;
}

/*
 * Point this CPU's cache at @t (the task about to run, or current on a cache miss)
 * with context @c (NULL: untracked), restoring its parked syscall state.
 */
static __always_inline void cpu_ctx_load(struct cpu_ctx *cc, struct task_struct *t,
					 struct task_ctx *c)
{
	cc->task = (__u64)t;
	cc->regs = 0;
	if (c) {
		cc->slot = c->slot;
		cc->syscall = c->syscall;
	} else {
		cc->slot = SLOT_NONE;
		cc->syscall.start = 0;
		cc->syscall.row = 0;
		cc->syscall.refault_ts = 0;
	}
}

static __always_inline struct task_ctx *task_ctx_get(struct task_struct *t)
{
	struct task_ctx *c = bpf_task_storage_get(&core_task, t, 0, BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (!c)
		stat_inc(STAT_TASK_CTX_FAIL);
	return c;
}

/*
 * filter_task() for a caller that already holds @t's context @c (from task_ctx_get);
 * @member as task_first_sight()'s.
 */
static __always_inline struct task_ctx *filter_ctx_in(struct task_struct *t, struct task_ctx *c,
						      __u8 seen_as, bool member)
{
	struct proc_rec *p;

	if (c->slot) {
		/* outside the cgroup, only a peer's thread is followed */
		if (member)
			return c;
		p = proc_of(c->slot);
		return p && (p->flags & PROC_F_PEER) ? c : NULL;
	}
	/* decided: unless a peer was adopted since, or it joined the target's cgroup */
	if (c->known && (!cfg_peer_depth || c->peer_gen == core_peer_gen) &&
	    !(member && c->outside))
		return NULL;
	return task_first_sight(t, c, seen_as, member);
}

static __always_inline struct task_ctx *filter_ctx(struct task_struct *t, struct task_ctx *c,
						   __u8 seen_as)
{
	return filter_ctx_in(t, c, seen_as, cfg_mode != MODE_CGROUP || task_in_cgroup(t));
}

/*
 * filter_task: the task context of @t if @t belongs to the target (or is a peer's),
 * else NULL. Always called on the task the event is about, never on whichever task is
 * current.
 */
static __always_inline struct task_ctx *filter_task(struct task_struct *t, __u8 seen_as)
{
	bool member = cfg_mode != MODE_CGROUP || task_in_cgroup(t);
	struct task_ctx *c;

	/* outside the cgroup: nothing to follow until a peer is */
	if (!member && (!cfg_peer_depth || !core_peers))
		return NULL;
	c = task_ctx_get(t);
	return c ? filter_ctx_in(t, c, seen_as, member) : NULL;
}

/*
 * This CPU's cache (@cc) made current's, for a syscall whose saved registers are @regs:
 * at once if they are those it last checked, else against current (and loaded afresh
 * if it is another task's: a switch here went unseen, or none was seen since attach).
 */
static __always_inline void cpu_ctx_current(struct cpu_ctx *cc, const void *regs)
{
	struct task_struct *t;

	if (cc->regs == (__u64)regs)
		return;
	if (cc->task != bpf_get_current_task()) {
		t = bpf_get_current_task_btf();
		cpu_ctx_load(cc, t, filter_task(t, TS_ONCPU));
	}
	cc->regs = (__u64)regs;
}

/*
 * One record of the host's recent past (struct past_rec), into this CPU's ring: ts
 * zeroed first and written last, so that a reader tells a record being written.
 */
static __always_inline void past_put(__u8 kind, __u64 ts, struct task_struct *a,
				     struct task_struct *b, bool b_pid, __u16 nr, __u8 state,
				     struct task_struct *named)
{
	struct cpu_ctx *cc = cpu_ctx();
	volatile struct past_rec *e;
	__u32 idx;

	if (!cc)
		return;
	idx = bpf_get_smp_processor_id() * (cfg_past_mask + 1) + (cc->past_head++ & cfg_past_mask);
	e = bpf_map_lookup_elem(&core_past, &idx);
	if (!e)
		return;
	e->ts = 0;
	asm volatile("" ::: "memory");
	e->tid = a->pid;
	e->pid = a->tgid;
	e->other = b ? b->pid : 0;
	if (b_pid)
		e->other_pid = b ? b->tgid : 0;
	else
		e->other_cs = b ? (__u32)(b->nvcsw + b->nivcsw) : 0;
	e->nr = nr;
	e->kind = kind;
	e->state = state;
	e->cs = (__u32)(a->nvcsw + a->nivcsw);
	if (named) { /* two loads, not a helper call: this runs at every switch */
		const __u64 *src = (const __u64 *)named->comm;
		volatile __u64 *dst = (volatile __u64 *)e->comm;

		dst[0] = src[0];
		dst[1] = src[1];
	} else {
		e->comm[0] = '\0';
	}
	asm volatile("" ::: "memory");
	e->ts = ts;
}

/* The syscall @t is in (it is leaving its CPU), from its saved registers. */
static __always_inline __u16 past_syscall(struct task_struct *t)
{
	struct pt_regs *regs;
	long nr;

	if (!cfg_pt_regs || (t->flags & PF_KTHREAD))
		return PAST_NO_SYSCALL;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	nr = regs ? (long)BPF_CORE_READ(regs, orig_ax) : -1;
	return nr >= 0 && nr < SYSCALL_NR_MAX ? (__u16)nr : PAST_NO_SYSCALL;
}

/*
 * A record of core_path, zeroed if @zero (else every field is the caller's to write);
 * NULL (counted) if the buffer is full or cfg_path off.
 */
static __always_inline struct wait_rec *path_reserve(bool zero)
{
	struct wait_rec *e;

	if (!cfg_path)
		return NULL;
	e = bpf_ringbuf_reserve(&core_path, sizeof(*e), 0);
	if (!e) {
		stat_inc(STAT_PATH_DROPS);
		return NULL;
	}
	if (zero)
		__builtin_memset(e, 0, sizeof(*e));
	return e;
}

/*
 * Submit record @e of core_path. The loop drains them every PATH_TICK_NS; it is woken
 * sooner when the ring is a quarter full (a small ring: each of its bytes is mapped
 * twice in procscope), or at once if @now.
 */
#define PATH_WAKEUP_BYTES (256 * 1024)
static __always_inline void path_submit(struct wait_rec *e, bool now)
{
	if (!now && bpf_ringbuf_query(&core_path, BPF_RB_AVAIL_DATA) >= PATH_WAKEUP_BYTES)
		now = true;
	bpf_ringbuf_submit(e, now ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP);
}

/*
 * cfg_path: thread @child was created by @parent now -- a record without a stretch or a
 * wait, whose waker is its creator (the critical path reaches back through it).
 */
static __always_inline void path_created(struct task_struct *child, struct task_struct *parent,
					 __u64 now)
{
	struct wait_rec *e = path_reserve(true);

	if (!e)
		return;
	e->seg_start = now;
	e->block_ns = now;
	e->wake_ns = now;
	e->tid = BPF_CORE_READ(child, pid);
	e->pid = BPF_CORE_READ(child, tgid);
	e->waker = BPF_CORE_READ(parent, pid);
	e->waker_pid = BPF_CORE_READ(parent, tgid);
	e->src = WS_CREATOR;
	path_submit(e, false);
}

/*
 * Follow the process of @t as a peer, @depth hops from the target (a process a target
 * woke, or that woke a target; recursively, up to cfg_peer_depth), unless it is followed
 * already, a kernel thread or procscope, or --max-peers are followed (counted once).
 * True if it became one now.
 */
static __always_inline bool peer_adopt(struct task_struct *t, __u32 depth)
{
	__u32 tgid = t->tgid;
	__u8 one = 1;

	if (!tgid || tgid == cfg_self_tgid || (t->flags & PF_KTHREAD) || depth > cfg_peer_depth)
		return false;
	if (bpf_map_lookup_elem(&core_tgid_slot, &tgid))
		return false;
	if (cfg_mode == MODE_CGROUP && task_in_cgroup(t))
		return false; /* the target's, at its next event */
	if (core_peers >= cfg_max_peers) {
		if (!bpf_map_lookup_elem(&core_peer_refused, &tgid) &&
		    !bpf_map_update_elem(&core_peer_refused, &tgid, &one, BPF_NOEXIST))
			stat_inc(STAT_PEERS_FULL);
		return false;
	}
	__sync_fetch_and_add(&core_peers, 1);
	proc_create(t, tgid, PROC_F_PEER | PROC_F_PRESENT, bpf_ktime_get_ns(), depth);
	__sync_fetch_and_add(&core_peer_gen, 1);
	return true;
}

#endif /* PROCSCOPE_BPF_CORE_H */
