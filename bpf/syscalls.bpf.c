// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall counts, errors and latency per process and syscall number.
 *
 * sys_enter finds the (process, syscall) row through this CPU's cache of the current
 * task (struct cpu_ctx: inlined per-CPU and array lookups; no task storage, no hash)
 * and decides whether to time the call; sys_exit counts it, with its error, and adds
 * the latency of a timed call. sched_switch parks a syscall in flight in the task's
 * storage while the task is off the CPU, which is also where sched.bpf.c reads it to
 * classify a block.
 *
 * Every instruction here runs twice per syscall of every task on the host. A clock
 * read costs ~45 ns on a VM, more than the syscall it would time: a row timing more
 * than cfg_sc_budget calls in an epoch times only one call in SC_SAMPLE_EVERY, with
 * that weight (counts and errors stay exact).
 */
#include "core.h"

#define MAX_ERRNO 4095

/* Time this call? Returns the weight of its measurement, 0 for not timed. */
static __always_inline __u32 sc_timing_weight(struct stat_row *r)
{
	__u32 epoch;

	if (cfg_sc_budget == ~0U)
		return 1;
	epoch = (__u32)(bpf_jiffies64() >> SC_EPOCH_SHIFT);
	if (r->epoch != epoch) {
		r->epoch = epoch;
		r->epoch_timed = 0;
	}
	if (r->epoch_timed < cfg_sc_budget) {
		r->epoch_timed++;
		return 1;
	}
	/* racy between threads of one process: only the sampling phase drifts */
	if (++r->skipped % SC_SAMPLE_EVERY == 0)
		return SC_SAMPLE_EVERY;
	return 0;
}

SEC("?tp_btf/sys_enter")
int BPF_PROG(sys_enter, struct pt_regs *regs, long id)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct stat_row *r;
	struct proc_rec *p;
	__u32 nr, idx, w;

	if (!cc)
		return 0;
	if (cc->task != bpf_get_current_task()) {
		/* first syscall on this CPU since attach: no sched_switch has set the cache */
		struct task_struct *t = bpf_get_current_task_btf();

		cpu_ctx_load(cc, t, filter_task(t, TS_ONCPU));
	}
	if (!cc->slot || !(p = proc_of(cc->slot)))
		return 0;
	nr = id >= 0 && id < SC_NR_MAX ? id : SC_NR_MAX - 1;
	idx = p->sc_row[nr];
	if (!idx) {
		idx = row_alloc(cc->slot, ROW_SYSCALL, nr);
		p->sc_row[nr] = idx;
	}
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r)
		return 0;
	w = sc_timing_weight(r);
	cc->sc.nr = nr;
	cc->sc.row = idx;
	cc->sc.arg0 = PT_REGS_PARM1_SYSCALL(regs);
	cc->sc.weight = w;
	cc->sc.start = w ? bpf_ktime_get_ns() : 0;
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
	struct cpu_ctx *cc = cpu_ctx();
	struct stat_row *r;
	__u32 idx;

	/* a syscall entered before attach, or by an untracked task, has no row */
	if (!cc || !cc->sc.row || cc->task != bpf_get_current_task())
		return 0;
	idx = cc->sc.row;
	cc->sc.row = 0;
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r)
		return 0;
	__sync_fetch_and_add(&r->count, 1);
	if (ret < 0 && ret >= -MAX_ERRNO)
		row_err(r, -ret);
	if (cc->sc.start) {
		row_time(r, bpf_ktime_get_ns() - cc->sc.start, cc->sc.weight);
		cc->sc.start = 0;
	}
	return 0;
}
