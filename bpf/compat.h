/* SPDX-License-Identifier: GPL-2.0 */
/*
 * CO-RE shims for kernel layouts that changed, each naming the change. The checked-in
 * vmlinux.h is from a 6.18 kernel; these let the same object load on older ones.
 */
#ifndef PROCSCOPE_BPF_COMPAT_H
#define PROCSCOPE_BPF_COMPAT_H

#include "vmlinux.h"
#include <bpf/bpf_core_read.h>

/* v5.14 (2f064a59a11f "sched: Change task_struct::state") renamed state to __state. */
struct task_struct___o {
	volatile long state;
} __attribute__((preserve_access_index));

/* @t must be a BTF pointer (a tp_btf argument or current): read directly, no helper call. */
static __always_inline __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return t->__state;
	return ((struct task_struct___o *)t)->state;
}

/* v6.2 (7f203bc89eb6 "cgroup: Replace cgroup->ancestor_ids[] with ->ancestors[]"). */
struct cgroup___o {
	__u64 ancestor_ids[0];
} __attribute__((preserve_access_index));

/* The kernfs id of @cg's ancestor at @level (@level <= cg->level). */
static __always_inline __u64 cgroup_ancestor_id(struct cgroup *cg, __u32 level)
{
	if (bpf_core_field_exists(cg->ancestors)) {
		struct cgroup *anc = NULL;
		__u64 off = bpf_core_field_offset(struct cgroup, ancestors);

		bpf_probe_read_kernel(&anc, sizeof(anc), (void *)cg + off + level * sizeof(anc));
		return BPF_CORE_READ(anc, kn, id);
	} else {
		__u64 id = 0;
		__u64 off = bpf_core_field_offset(struct cgroup___o, ancestor_ids);

		bpf_probe_read_kernel(&id, sizeof(id), (void *)cg + off + level * sizeof(id));
		return id;
	}
}

/* v5.16 ("block: remove rq_disk") took rq->rq_disk away for rq->q->disk. */
struct request___rq_disk {
	struct gendisk *rq_disk;
} __attribute__((preserve_access_index));

/* The disk of request @rq (a tp_btf argument). */
static __always_inline struct gendisk *request_disk(struct request *rq)
{
	struct request___rq_disk *old = (void *)rq;

	if (bpf_core_field_exists(rq->q->disk))
		return BPF_CORE_READ(rq, q, disk);
	return BPF_CORE_READ(old, rq_disk);
}

/*
 * v6.18 (memdesc_flags_t: "mm: introduce memdesc_flags_t") made folio->flags a struct
 * around the unsigned long it was. CO-RE refuses to match a struct with an integer,
 * so each layout has its flavour; the word of page flags is the same either way.
 */
struct folio___flags_word {
	unsigned long flags;
} __attribute__((preserve_access_index));

struct folio___flags_struct {
	memdesc_flags_t flags;
} __attribute__((preserve_access_index));

static __always_inline unsigned long folio_flags(struct folio *folio)
{
	unsigned long flags = 0;
	__u64 off;

	if (bpf_core_field_exists(struct folio___flags_struct, flags))
		off = bpf_core_field_offset(struct folio___flags_struct, flags);
	else
		off = bpf_core_field_offset(struct folio___flags_word, flags);
	bpf_probe_read_kernel(&flags, sizeof(flags), (void *)folio + off);
	return flags;
}

/* v6.6 (pages of a large folio: "mm: add folio->_nr_pages") renamed _folio_nr_pages. */
struct folio___nr_pages_6_1 {
	unsigned int _folio_nr_pages;
} __attribute__((preserve_access_index));

/* Pages in @folio (a BTF pointer): a large one (PG_head) keeps its count beside the flags. */
static __always_inline __u32 folio_nr_pages_of(struct folio *folio)
{
	struct folio___nr_pages_6_1 *old = (void *)folio;

	if (!(folio_flags(folio) & (1UL << bpf_core_enum_value(enum pageflags, PG_head))))
		return 1;
	if (bpf_core_field_exists(folio->_nr_pages))
		return folio->_nr_pages;
	if (bpf_core_field_exists(old->_folio_nr_pages))
		return BPF_CORE_READ(old, _folio_nr_pages);
	return 1;
}

/*
 * inode->i_state: an unsigned long until v6.12, which made it a u32 and renumbered the
 * flags ("fs: reorder i_state bits": I_DIRTY_PAGES from 1 << 2 to 1 << 5, #defines
 * both, not in BTF); later kernels type it enum inode_state_flags_t, whose values
 * BTF has. CO-RE does not match an enum with an integer: one flavour each.
 */
struct inode___state_word {
	unsigned long i_state;
} __attribute__((preserve_access_index));

struct inode___state_enum {
	enum inode_state_flags_t i_state;
} __attribute__((preserve_access_index));

/* Does @inode hold dirty pages (I_DIRTY_PAGES)? */
static __always_inline bool inode_dirty_pages(struct inode *inode)
{
	__u64 off, dirty;
	__u32 size, v32 = 0;
	unsigned long v = 0;

	if (bpf_core_field_exists(struct inode___state_enum, i_state)) {
		off = bpf_core_field_offset(struct inode___state_enum, i_state);
		size = bpf_core_field_size(struct inode___state_enum, i_state);
	} else {
		off = bpf_core_field_offset(struct inode___state_word, i_state);
		size = bpf_core_field_size(struct inode___state_word, i_state);
	}
	if (bpf_core_enum_value_exists(enum inode_state_flags_t, I_DIRTY_PAGES))
		dirty = bpf_core_enum_value(enum inode_state_flags_t, I_DIRTY_PAGES);
	else
		dirty = size == 4 ? 1 << 5 : 1 << 2;
	if (size == 4) {
		bpf_probe_read_kernel(&v32, sizeof(v32), (void *)inode + off);
		v = v32;
	} else {
		bpf_probe_read_kernel(&v, sizeof(v), (void *)inode + off);
	}
	return v & dirty;
}

#endif /* PROCSCOPE_BPF_COMPAT_H */
