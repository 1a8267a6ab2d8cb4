// SPDX-License-Identifier: GPL-2.0
/*
 * Memory: OOM kills, reclaim and refaults in the target. Page faults and peak RSS need
 * no program of their own: the kernel counts faults per task and keeps the peak RSS
 * per process, and core.bpf.c reads them when a thread exits (the task iterator, while
 * it lives).
 *
 * Reclaim: a target task's direct and memcg reclaim passes, begin to end (the time it
 * spent freeing memory before its allocation could go on, on a CPU or blocked: while
 * one runs, sched_switch files its waits as WC_MEM). Refaults: a file page evicted by
 * reclaim (a deletion from the page cache by a task in PF_MEMALLOC: kswapd or a
 * reclaimer) is remembered in mem_evicted; a target task that adds it back to the cache
 * refaulted it -- what the kernel's workingset_refault_file counts from its shadow
 * entries, told per process.
 */
#include "core.h"
#include "compat.h"

#define PF_MEMALLOC 0x00000800

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MEM_EVICTED_MAX);
	__type(key, struct mem_page_key);
	__type(value, __u64);
} mem_evicted SEC(".maps");

/* The memory cgroup of @t (the kernfs id of its memory css's cgroup), 0 if none. */
static __always_inline __u64 task_memcg_id(struct task_struct *t)
{
	struct cgroup_subsys_state *css;

	if (!bpf_core_enum_value_exists(enum cgroup_subsys_id, memory_cgrp_id))
		return 0;
	css = task_css(t, bpf_core_enum_value(enum cgroup_subsys_id, memory_cgrp_id));
	return css ? BPF_CORE_READ(css, cgroup, kn, id) : 0;
}

SEC("?tp_btf/mark_victim")
int BPF_PROG(mem_oom, struct task_struct *t)
{
	struct task_ctx *c = filter_task(t, TS_ONCPU);
	struct proc_rec *p;

	if (!c || !(p = proc_of(c->slot)))
		return 0;
	p->mem.oom_kills = 1;
	p->mem.memcg_id = task_memcg_id(t);
	emit_proc_event(EV_OOM, BPF_CORE_READ(t, tgid), c->slot);
	return 0;
}

static __always_inline void reclaim_begin(void)
{
	struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);

	if (c) {
		c->reclaim_ts = bpf_ktime_get_ns(); /* reclaim never nests: PF_MEMALLOC */
		c->compacting = 0;
	}
}

static __always_inline void reclaim_end(unsigned long nr)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_ctx *c = filter_task(t, TS_ONCPU);
	struct proc_rec *p;
	__u64 now;

	if (!c || !c->reclaim_ts || c->compacting)
		return; /* or begun before attach */
	now = bpf_ktime_get_ns();
	/* atomics: a process's threads may reclaim on two CPUs at once */
	if ((p = proc_of(c->slot))) {
		__sync_fetch_and_add(&p->mem.reclaim_ns,
				     now > c->reclaim_ts ? now - c->reclaim_ts : 0);
		__sync_fetch_and_add(&p->mem.reclaims, 1);
		__sync_fetch_and_add(&p->mem.reclaimed_pages, nr);
		p->mem.memcg_id = task_memcg_id(t);
	}
	c->reclaim_ts = 0;
}

SEC("?tp_btf/mm_vmscan_direct_reclaim_begin")
int BPF_PROG(mem_dr_begin)
{
	reclaim_begin();
	return 0;
}

SEC("?tp_btf/mm_vmscan_direct_reclaim_end")
int BPF_PROG(mem_dr_end, unsigned long nr_reclaimed)
{
	reclaim_end(nr_reclaimed);
	return 0;
}

SEC("?tp_btf/mm_vmscan_memcg_reclaim_begin")
int BPF_PROG(mem_cg_begin)
{
	reclaim_begin();
	return 0;
}

SEC("?tp_btf/mm_vmscan_memcg_reclaim_end")
int BPF_PROG(mem_cg_end, unsigned long nr_reclaimed)
{
	reclaim_end(nr_reclaimed);
	return 0;
}

/*
 * Compaction (moving pages to make room for a large allocation): a memory stall as
 * reclaim is, timed in the allocating task itself (kcompactd's work is no target's) --
 * or in a writer of /proc/sys/vm/compact_memory. Outside a reclaim pass only (there is
 * none around it in the kernel's allocation path).
 */
SEC("?tp_btf/mm_compaction_begin")
int BPF_PROG(mem_compact_begin)
{
	struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);

	if (c && !c->reclaim_ts) {
		c->reclaim_ts = bpf_ktime_get_ns();
		c->compacting = 1;
	}
	return 0;
}

SEC("?tp_btf/mm_compaction_end")
int BPF_PROG(mem_compact_end)
{
	struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);
	struct proc_rec *p;
	__u64 now, d;

	if (!c || !c->compacting || !c->reclaim_ts)
		return 0;
	now = bpf_ktime_get_ns();
	d = now > c->reclaim_ts ? now - c->reclaim_ts : 0;
	if ((p = proc_of(c->slot))) {
		__sync_fetch_and_add(&p->mem.reclaim_ns, d);
		__sync_fetch_and_add(&p->mem.compact_ns, d);
		__sync_fetch_and_add(&p->mem.compactions, 1);
	}
	c->reclaim_ts = 0;
	c->compacting = 0;
	return 0;
}

/* Reclaim held back to let writeback or other reclaimers progress: how long it slept. */
SEC("?tp_btf/mm_vmscan_throttled")
int BPF_PROG(mem_throttled, int nid, int usec_timeout, int usec_delayed)
{
	struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);
	struct proc_rec *p;

	if (c && usec_delayed > 0 && (p = proc_of(c->slot)))
		__sync_fetch_and_add(&p->mem.throttled_ns, (__u64)usec_delayed * 1000);
	return 0;
}

/*
 * The pages of folio @f: its file (@k, chunk of its first page), its first page's
 * index and how many. False if it belongs to no file.
 */
static __always_inline bool folio_pages(struct folio *f, struct mem_page_key *k, __u64 *first,
					__u32 *n)
{
	struct inode *host = BPF_CORE_READ(f, mapping, host);

	if (!host)
		return false;
	k->ino = BPF_CORE_READ(host, i_ino);
	k->dev = BPF_CORE_READ(host, i_sb, s_dev);
	*first = BPF_CORE_READ(f, index);
	*n = folio_nr_pages_of(f);
	return true;
}

/* Bits of a chunk's mask for the pages [@first, @first + @n) within chunk @chunk. */
static __always_inline __u64 chunk_bits(__u64 first, __u32 n, __u64 chunk)
{
	__u64 lo = chunk * MEM_CHUNK_PAGES, hi = lo + MEM_CHUNK_PAGES;
	__u64 a = first > lo ? first : lo, b = first + n < hi ? first + n : hi;

	if (a >= b)
		return 0;
	if (b - a >= 64)
		return ~0ULL;
	return ((1ULL << (b - a)) - 1) << (a - lo);
}

static __always_inline __u32 popcount(__u64 v)
{
	v = v - ((v >> 1) & 0x5555555555555555ULL);
	v = (v & 0x3333333333333333ULL) + ((v >> 2) & 0x3333333333333333ULL);
	v = (v + (v >> 4)) & 0x0f0f0f0f0f0f0f0fULL;
	return (v * 0x0101010101010101ULL) >> 56;
}

#define MEM_FOLIO_CHUNKS 8 /* a folio of up to 512 pages (2 MiB) is followed whole */

SEC("?tp_btf/mm_filemap_delete_from_page_cache")
int BPF_PROG(mem_evict, struct folio *f)
{
	struct mem_page_key k;
	__u64 first, *v;
	__u32 n;

	if (!(bpf_get_current_task_btf()->flags & PF_MEMALLOC))
		return 0; /* truncated or invalidated: not evicted */
	/* an inode the shrinker evicts, pages and all: no refault to come (no shadow) */
	if (BPF_CORE_READ(f, mapping, flags) &
	    (1UL << bpf_core_enum_value(enum mapping_flags, AS_EXITING)))
		return 0;
	if (!folio_pages(f, &k, &first, &n))
		return 0;
	for (int i = 0; i < MEM_FOLIO_CHUNKS; i++) {
		__u64 chunk = first / MEM_CHUNK_PAGES + i, bits = chunk_bits(first, n, chunk);

		if (!bits)
			break;
		k.chunk = chunk;
		if ((v = bpf_map_lookup_elem(&mem_evicted, &k)))
			__sync_fetch_and_or(v, bits);
		else
			bpf_map_update_elem(&mem_evicted, &k, &bits, BPF_NOEXIST);
	}
	return 0;
}

SEC("?tp_btf/mm_filemap_add_to_page_cache")
int BPF_PROG(mem_cache_add, struct folio *f)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_ctx *c = filter_task(t, TS_ONCPU);
	struct mem_page_key k;
	struct proc_rec *p;
	__u64 first, *v;
	__u32 n, hits = 0;

	if (!c || !folio_pages(f, &k, &first, &n))
		return 0;
	for (int i = 0; i < MEM_FOLIO_CHUNKS; i++) {
		__u64 chunk = first / MEM_CHUNK_PAGES + i, bits = chunk_bits(first, n, chunk);

		if (!bits)
			break;
		k.chunk = chunk;
		if (!(v = bpf_map_lookup_elem(&mem_evicted, &k)) || !(*v & bits))
			continue;
		hits += popcount(__sync_fetch_and_and(v, ~bits) & bits);
	}
	if (hits && (p = proc_of(c->slot))) {
		struct cpu_ctx *cc = cpu_ctx();

		__sync_fetch_and_add(&p->mem.refault_pages, hits);
		p->mem.memcg_id = task_memcg_id(t);
		/* the call it is in: its time from now is the refault's (syscalls_exit) */
		if (cc && cc->task == (__u64)t && cc->syscall.row && !cc->syscall.refault_ts)
			cc->syscall.refault_ts = bpf_ktime_get_ns();
	}
	return 0;
}
