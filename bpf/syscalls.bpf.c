// SPDX-License-Identifier: GPL-2.0
/*
 * Syscall counts, errors and latency per process and syscall number.
 *
 * syscalls_enter finds the (process, syscall) row through this CPU's cache of the current
 * task (struct cpu_ctx: inlined per-CPU and array lookups; no task storage, no hash;
 * known to be current's by the syscall's saved registers, without a helper call)
 * and decides whether to time the call; syscalls_exit counts it, with its error, and adds
 * the latency of a timed call. sched_switch parks a syscall in flight in the task's
 * storage while the task is off the CPU, which is also where sched.bpf.c reads it to
 * classify a block.
 *
 * Every instruction here runs twice per syscall of every task on the host. A clock
 * read costs ~45 ns on a VM, more than the syscall it would time: a row timing more
 * than cfg_syscall_budget calls in an epoch times only one call in SYSCALL_SAMPLE_EVERY, with
 * that weight (counts and errors stay exact).
 */
#include "core.h"

#define MAX_ERRNO 4095

/*
 * Time this call? Returns the weight of its measurement, 0 for not timed. A row over its
 * budget -- a hot loop's, where this runs on every call -- is done in a load, an
 * increment and a store: the clock is read, and a new epoch noticed, only at its
 * sampled calls (a new epoch's first calls are then sampled, not all timed: a few).
 */
static __always_inline __u32 syscall_timing_weight(struct stat_row *r)
{
	__u32 epoch;

	if (cfg_syscall_budget == ~0U)
		return 1;
	/* racy between threads of one process: only the sampling phase drifts */
	if (r->epoch_timed >= cfg_syscall_budget && ++r->skipped % SYSCALL_SAMPLE_EVERY)
		return 0;
	epoch = (__u32)(bpf_jiffies64() >> SYSCALL_EPOCH_SHIFT);
	if (r->epoch != epoch) {
		r->epoch = epoch;
		r->epoch_timed = 0;
	}
	if (r->epoch_timed < cfg_syscall_budget) {
		r->epoch_timed++;
		return 1;
	}
	return SYSCALL_SAMPLE_EVERY;
}

SEC("?tp_btf/sys_enter")
int BPF_PROG(syscalls_enter, struct pt_regs *regs, long id)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct stat_row *r;
	struct proc_rec *p;
	__u32 nr, idx, w;

	if (!cc)
		return 0;
	cpu_ctx_current(cc, regs);
	if (!cc->slot || !(p = proc_of(cc->slot)))
		return 0;
	nr = id >= 0 && id < SYSCALL_NR_MAX ? id : SYSCALL_NR_MAX - 1;
	idx = p->syscall_row[nr];
	if (!idx)
		idx = row_publish(p, nr, row_alloc(cc->slot, ROW_SYSCALL, nr));
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r)
		return 0;
	w = syscall_timing_weight(r);
	cc->syscall.nr = nr;
	cc->syscall.row = idx;
	cc->syscall.arg[0] = PT_REGS_PARM1_SYSCALL(regs);
	cc->syscall.arg[1] = PT_REGS_PARM2_SYSCALL(regs);
	cc->syscall.arg[2] = PT_REGS_PARM3_SYSCALL(regs);
	cc->syscall.weight = w;
	cc->syscall.seq++;
	cc->syscall.start = w ? bpf_ktime_get_ns() : 0;
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

/*
 * A call that read back pages reclaim had evicted (mem.bpf.c marks it): its time from
 * the first refault on -- the IO and the kernel's read path both -- is memory's.
 */
static __always_inline void refault_end(struct cpu_ctx *cc)
{
	struct proc_rec *p = proc_of(cc->slot);
	__u64 now = bpf_ktime_get_ns();

	if (p && now > cc->syscall.refault_ts)
		__sync_fetch_and_add(&p->mem.refault_ns, now - cc->syscall.refault_ts);
	cc->syscall.refault_ts = 0;
}

SEC("?tp_btf/sys_exit")
int BPF_PROG(syscalls_exit, struct pt_regs *regs, long ret)
{
	struct cpu_ctx *cc = cpu_ctx();
	struct stat_row *r;
	__u32 idx;

	if (!cc)
		return 0;
	/* a switch here unseen: its syscall is parked in its own storage, and loaded */
	cpu_ctx_current(cc, regs);
	/* a syscall entered before attach, or by an untracked task, has no row */
	if (!cc->syscall.row)
		return 0;
	if (cc->syscall.refault_ts)
		refault_end(cc);
	idx = cc->syscall.row;
	cc->syscall.row = 0;
	r = bpf_map_lookup_elem(&core_rows, &idx);
	if (!r)
		return 0;
	__sync_fetch_and_add(&r->count, 1);
	if (ret < 0 && ret >= -MAX_ERRNO)
		row_err(r, -ret);
	if (cc->syscall.start) {
		row_time(r, bpf_ktime_get_ns() - cc->syscall.start, cc->syscall.weight);
		cc->syscall.start = 0;
	}
	return 0;
}
