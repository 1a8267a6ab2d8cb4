// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: OOM kills in the target. Page faults and peak RSS need no program of their
 * own: the kernel counts faults per task and keeps the peak RSS per process, and
 * core.bpf.c reads them when a thread exits (the task iterator, while it lives).
 */
#include "core.h"

SEC("?tp_btf/mark_victim")
int BPF_PROG(mem_oom, struct task_struct *t)
{
	struct task_ctx *c = filter_task(t, TS_ONCPU);
	struct proc_rec *p;

	if (!c || !(p = proc_of(c->slot)))
		return 0;
	p->mem.oom_kills = 1;
	emit_proc_event(EV_OOM, BPF_CORE_READ(t, tgid), c->slot);
	return 0;
}
