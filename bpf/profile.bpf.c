// SPDX-License-Identifier: GPL-2.0
/*
 * On-CPU sampling: a perf_event program on a software cpu-clock event per CPU (-F HZ)
 * counts, for target tasks only, the (process, kernel stack, user stack) it
 * interrupted. Counting happens here, in the kernel; userspace reads the counts and
 * the stacks once, at the report.
 */
#define STACKS_DEFINE
#include "stacks.h"

SEC("?perf_event")
int profile_sample(struct bpf_perf_event_data *ctx)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_ctx *c = filter_task(t, TS_ONCPU);
	struct stack_key k = {.kind = STACK_ONCPU};

	if (!c)
		return 0;
	k.slot = c->slot;
	k.kstack = stack_id(bpf_get_stackid(ctx, &stacks_kernel, 0), STAT_KSTACK_LOST);
	if (cfg_unwind) {
		k.ustack = -1;
		k.uhash = unwind_user(t, c->slot, UW_NEST_NMI);
	} else {
		k.ustack = stack_id(bpf_get_stackid(ctx, &stacks_user, BPF_F_USER_STACK),
				    STAT_USTACK_LOST);
	}
	stack_count(&k, 1, 0);
	note_stacks(c->slot);
	return 0;
}
