/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks shared by bpf/profile.bpf.c, bpf/sched.bpf.c and userspace. On-CPU samples
 * (perf cpu-clock) and off-CPU intervals (sched_switch) are counted in the kernel per
 * (process, kernel stack, user stack, kind, wait class). User stacks of samples are
 * taken as build-id + file offset, which the kernel resolves while the process runs,
 * so that processes gone before the report still symbolize; off-CPU user stacks are
 * raw addresses (cheaper, on a path that runs per context switch), resolved with the
 * process's mappings, which userspace reads when told the process has stacks.
 */
#ifndef PROCSCOPE_STACKS_ABI_H
#define PROCSCOPE_STACKS_ABI_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#include "unwind_abi.h"

#define STACKS_KERNEL_DEPTH 64	/* kernel frames kept */
#define STACKS_USER_DEPTH 32	/* user frames of a sample (32 bytes each: build id + offset) */
#define STACKS_USER_IP_DEPTH 64 /* user frames of an off-CPU stack (addresses) */

/*
 * Adaptive off-CPU stacks: a kernel stack costs ~2 us to unwind, more than a context
 * switch. In each epoch (2^OFFCPU_EPOCH_SHIFT jiffies) a task takes a stack at each of
 * its first OFFCPU_BUDGET blocks; beyond, at one block in OFFCPU_SAMPLE_EVERY,
 * whose time then counts that many times. Block times themselves (the scheduler's
 * accounting) stay exact.
 */
#define OFFCPU_EPOCH_SHIFT 6
#define OFFCPU_SAMPLE_EVERY 16
#define OFFCPU_BUDGET 64

/*
 * stack_key.ustack of an aggregate's stack (userspace only, never an id the kernel
 * gives): the user frames were bare addresses of processes now gone, which nothing
 * can name any more.
 */
#define STACK_ID_FORGOTTEN (-4096)
/* ... and of an aggregate's catch-all, beyond the table of them (src/kernel/stackstore.h) */
#define STACK_ID_BEYOND (-4097)

enum stack_kind {
	STACK_ONCPU = 0,
	STACK_OFFCPU = 1,
	STACK_RELEASE = 2, /* where a thread released a lock another of its process waited on */
};

struct stack_key {
	__u32 slot;
	__s32 kstack; /* id in stacks_kernel, negative = none */
	__s32 ustack; /* id in stacks_user (on-CPU) or stacks_user_ip (off-CPU), negative = none */
	__u8 kind;    /* enum stack_kind */
	__u8 wclass;  /* off-CPU: enum wait_class */
	__u16 pid16;  /* the low bits of the process's pid: its slot may be recycled */
	__u64 uhash;  /* walked with unwind tables: its key in stacks_unwound; 0 = not so */
};

struct stack_val {
	__u64 count; /* samples, or off-CPU intervals */
	__u64 ns;    /* off-CPU: time until it ran again */
};

/* The layout of one build-id frame, as the kernel writes it (struct bpf_stack_build_id). */
struct stack_bid_frame {
	__s32 status; /* 0 empty, 1 valid (build id + offset), 2 address only */
	unsigned char build_id[20];
	__u64 offset_or_ip;
};

#endif
