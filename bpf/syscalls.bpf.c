// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall counts, errors and latency per process and syscall number. sys_enter
 * stamps the task context (task storage, no hash); sys_exit adds the latency to the
 * process's row for that syscall: two array lookups, a handful of atomic adds.
 * The syscall in flight is also what sched.bpf.c uses to classify a block.
 *
 * Every instruction here runs twice per syscall of every traced task: keep it lean.
 */
#include "core.h"

#define MAX_ERRNO 4095

SEC("?tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);

	if (!c)
		return 0;
	c->sc_nr = id;
	c->sc_arg0 = PT_REGS_PARM1_SYSCALL(regs);
	c->sc_start = bpf_ktime_get_ns();
	return 0;
}

static __always_inline void row_err(struct stat_row *r, __u32 err)
{
	__sync_fetch_and_add(&r->errors, 1);
	for (int i = 0; i < 4; i++) {
		__u32 code = r->err_code[i];

		if (!code)
			code = __sync_val_compare_and_swap(&r->err_code[i], 0, err) ?: err;
		if (code == err) {
			__sync_fetch_and_add(&r->err_count[i], 1);
			return;
		}
	}
	/* a fifth distinct errno: counted in errors only */
}

SEC("?tp_btf/sys_exit")
int BPF_PROG(sys_exit, struct pt_regs *regs, long ret)
{
	struct task_ctx *c = bpf_task_storage_get(&core_task, bpf_get_current_task_btf(), 0, 0);
	struct stat_row *r;
	struct proc_rec *p;
	__u32 nr, idx;
	__u64 d;

	if (!c || !c->sc_start)
		return 0;
	d = bpf_ktime_get_ns() - c->sc_start;
	c->sc_start = 0;
	p = proc_of(c->slot);
	if (!p)
		return 0;
	nr = c->sc_nr;
	if (nr >= SC_NR_MAX)
		nr = SC_NR_MAX - 1;
	idx = p->sc_row[nr];
	if (!idx) {
		idx = row_alloc(c->slot, ROW_SYSCALL, nr);
		p->sc_row[nr] = idx;
	}
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r)
		return 0;
	row_add(r, d);
	if (ret < 0 && ret >= -MAX_ERRNO)
		row_err(r, -ret);
	return 0;
}
