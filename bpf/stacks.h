/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stack maps and counting, shared by profile.bpf.c (on-CPU samples, which defines
 * them) and sched.bpf.c (off-CPU intervals). Userspace shrinks the maps to one entry
 * when stacks are off.
 */
#ifndef PROCSCOPE_BPF_STACKS_H
#define PROCSCOPE_BPF_STACKS_H

#include "core.h"

#ifdef STACKS_DEFINE
#define STACKS_GLOBAL
#define STACKS_INIT(...) = __VA_ARGS__
#else
#define STACKS_GLOBAL extern
#define STACKS_INIT(...)
#endif

STACKS_GLOBAL const volatile __u32 cfg_offcpu STACKS_INIT(0);
STACKS_GLOBAL const volatile __u64 cfg_offcpu_min_ns STACKS_INIT(1000);

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, STACKS_KERNEL_DEPTH * sizeof(__u64));
} stacks_kernel SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(map_flags, BPF_F_STACK_BUILD_ID);
	__uint(max_entries, 8192);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, STACKS_USER_DEPTH * sizeof(struct stack_bid_frame));
} stacks_user SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_STACK_TRACE);
	__uint(max_entries, 16384);
	__uint(key_size, sizeof(__u32));
	__uint(value_size, STACKS_USER_IP_DEPTH * sizeof(__u64));
} stacks_user_ip SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 32768);
	__type(key, struct stack_key);
	__type(value, struct stack_val);
} stacks_counts SEC(".maps");

#include "unwind.h"

/* A stack id, or negative; a bucket taken by another stack is a loss, no stack is not. */
static __always_inline __s32 stack_id(long id, __u32 lost_stat)
{
	if (id == -EEXIST)
		stat_inc(lost_stat);
	return (__s32)id;
}

/* Count @n events (samples, or off-CPU intervals) totalling @ns under stack key @k. */
static __always_inline void stack_count(struct stack_key *k, __u64 n, __u64 ns)
{
	struct proc_rec *p = proc_of(k->slot);
	struct stack_val *v, init = {n, ns};

	k->pid16 = p ? (__u16)p->pid : 0;
	v = bpf_map_lookup_elem(&stacks_counts, k);
	if (!v) {
		if (!bpf_map_update_elem(&stacks_counts, k, &init, BPF_NOEXIST))
			return;
		v = bpf_map_lookup_elem(&stacks_counts, k); /* raced with another CPU */
		if (!v) {
			stat_inc(STAT_STACKS_FULL);
			return;
		}
	}
	__sync_fetch_and_add(&v->count, n);
	if (ns)
		__sync_fetch_and_add(&v->ns, ns);
}

/* The first stack of a process: tell userspace to read its mappings while it lives. */
static __always_inline void note_stacks(__u32 slot)
{
	struct proc_rec *p = proc_of(slot);

	if (!p || slot == SLOT_OVERFLOW || (p->flags & PROC_F_STACKS))
		return;
	if (__sync_fetch_and_or(&p->flags, PROC_F_STACKS) & PROC_F_STACKS)
		return;
	emit_proc_event(EV_STACKS, p->pid, slot);
}

#endif
