// SPDX-License-Identifier: GPL-2.0
/*
 * Block IO: per process and per device, operations and bytes by type, queue time
 * (insert to issue) and device time (issue to completion) distributions, the
 * slowest requests.
 *
 * A request is attributed when it is created (block_io_start, in the submitter's
 * context) and followed by its pointer through insert, issue and completion, which
 * runs in interrupt context. Pages written back by a flusher thread belong to the
 * process that dirtied the file: writeback_dirty_folio remembers the dirtier of each
 * inode, and writeback_single_inode_start/_end mark the window in which a flusher
 * thread writes one inode, so that its requests count as writeback on the dirtier's
 * behalf — reported apart from the IO the process submitted itself.
 *
 * Fields are read by direct dereference of the tracepoints' BTF-typed pointers (with
 * CO-RE relocations), not BPF_CORE_READ: a probe-read helper call costs more than
 * the rest of a handler on a host with return-thunk mitigations.
 */
#include "core.h"

#define REQ_OP_MASK 0xff
#define REQ_OP_READ 0
#define REQ_OP_WRITE 1
#define REQ_OP_FLUSH 2
#define REQ_OP_DISCARD 3
#define REQ_OP_SECURE_ERASE 5
#define REQ_OP_WRITE_ZEROES 9
#define MINORBITS 20

struct io_req {
	__u64 key; /* the request's address; 0 = free */
	__u64 start_ns;
	__u64 insert_ns;
	__u64 issue_ns;
	__u32 slot;
	__u32 dev_idx; /* 1-based index into io_devs, 0 = unknown */
	__u8 op;
	__u8 flags; /* IO_F_* */
	__u8 pad[2];
	/*
	 * bytes of bios merged in for someone else (writeback: another dirtier's file;
	 * else another submitter), and whose they are
	 */
	__u32 moved;
	__u32 slot2; /* SLOT_NONE: nobody traced; INODE_SHARED: several */
	__u64 bio0;  /* the bio the request was made for: its owner's */
};

/*
 * Requests in flight, in an open-addressing table on an array: a hash map update
 * costs ~600 ns here (bucket lock, element allocation), a claimed array slot one
 * compare-and-swap. A slot is found by probing from a hash of the request address.
 */
#define IO_REQ_SLOTS 16384
#define IO_REQ_PROBES 8
#define IO_REQ_STALE_NS (60ULL * 1000000000) /* a request never seen completing */

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IO_REQ_SLOTS);
	__type(key, __u32);
	__type(value, struct io_req);
} io_reqs SEC(".maps");

/*
 * inode -> the process whose dirty pages it holds: SLOT_NONE for a process procscope
 * does not trace, INODE_SHARED for pages of more than one (see io_dirty). Only a
 * process's own pages make its writeback. With its pid: writeback comes long after the
 * dirtier may have exited and its slot been recycled.
 */
#define INODE_SHARED 0xffffffffU
struct inode_owner {
	__u32 slot;
	__u32 pid;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, struct inode_owner);
} io_inodes SEC(".maps");

/* The dirtier an inode names: its slot if still its, INODE_SHARED, or SLOT_NONE. */
static __always_inline __u32 inode_dirtier(const struct inode_owner *o)
{
	if (!o)
		return SLOT_NONE;
	if (o->slot == INODE_SHARED)
		return INODE_SHARED;
	return proc_of_owner(o->slot, o->pid) ? o->slot : SLOT_NONE;
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, IO_DEV_MAX);
	__type(key, __u32);
	__type(value, __u32);
} io_dev_idx SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, IO_DEV_MAX);
	__type(key, __u32);
	__type(value, struct io_dev_rec);
} io_devs SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, IO_SLOW_N);
	__type(key, __u32);
	__type(value, struct io_slow);
} io_slow SEC(".maps");

__u32 io_next_dev = 0;

static __always_inline __u8 io_op(struct request *rq)
{
	switch (rq->cmd_flags & REQ_OP_MASK) {
	case REQ_OP_READ:
		return IO_READ;
	case REQ_OP_WRITE:
		return IO_WRITE;
	case REQ_OP_FLUSH:
		return IO_FLUSH;
	case REQ_OP_DISCARD:
	case REQ_OP_SECURE_ERASE:
	case REQ_OP_WRITE_ZEROES:
		return IO_DISCARD;
	default:
		return IO_OTHER;
	}
}

static __always_inline __u32 rq_dev(struct request *rq)
{
	struct block_device *part = rq->part;
	struct gendisk *disk;

	if (part)
		return part->bd_dev;
	/* rare (no partition): probe reads, as the old kernels' disk is no BTF pointer */
	disk = request_disk(rq);
	return ((__u32)BPF_CORE_READ(disk, major) << MINORBITS) | BPF_CORE_READ(disk, first_minor);
}

/* The 1-based index of @rq's device in io_devs, allocating one on first sight. */
static __always_inline __u32 dev_index(struct request *rq)
{
	__u32 dev = rq_dev(rq), idx, *known;
	struct cpu_ctx *cc = cpu_ctx();
	struct io_dev_rec *d;

	/* most requests go where the last one went: skip the hash lookup */
	if (cc && cc->io_dev_idx && cc->io_dev == dev)
		return cc->io_dev_idx;
	known = bpf_map_lookup_elem(&io_dev_idx, &dev);
	if (known) {
		if (cc) {
			cc->io_dev = dev;
			cc->io_dev_idx = *known;
		}
		return *known;
	}
	idx = __sync_fetch_and_add(&io_next_dev, 1);
	if (idx >= IO_DEV_MAX) {
		stat_inc(STAT_IO_DEVS_FULL);
		return 0;
	}
	d = bpf_map_lookup_elem(&io_devs, &idx);
	if (!d)
		return 0;
	idx++;
	if (bpf_map_update_elem(&io_dev_idx, &dev, &idx, BPF_NOEXIST)) {
		known = bpf_map_lookup_elem(&io_dev_idx, &dev); /* lost a race */
		return known ? *known : 0;
	}
	d->dev = dev;
	return idx;
}

static __always_inline __u32 req_hash(__u64 p)
{
	p ^= p >> 33;
	p *= 0xff51afd7ed558ccdULL;
	p ^= p >> 33;
	return (__u32)p;
}

static __always_inline struct io_req *slot_find(__u64 key)
{
	__u32 h = req_hash(key);

	for (__u32 i = 0; i < IO_REQ_PROBES; i++) {
		__u32 idx = (h + i) & (IO_REQ_SLOTS - 1);
		struct io_req *r = bpf_map_lookup_elem(&io_reqs, &idx);

		if (r && r->key == key)
			return r;
	}
	return NULL;
}

static __always_inline struct io_req *req_find(struct request *rq)
{
	return slot_find(ptr_to_u64(rq));
}

/* A slot for @key: its own if it has one, else a free (or abandoned) one. */
static __always_inline struct io_req *slot_claim(__u64 key, __u64 now)
{
	__u32 h = req_hash(key);

	for (__u32 i = 0; i < IO_REQ_PROBES; i++) {
		__u32 idx = (h + i) & (IO_REQ_SLOTS - 1);
		struct io_req *r = bpf_map_lookup_elem(&io_reqs, &idx);
		__u64 old;

		if (!r)
			continue;
		old = r->key;
		if (old == key)
			return r;
		/*
		 * signed: a request claimed on another CPU since @now was read started
		 * "after" it, and is young, not 2^64 ns old
		 */
		if ((old && (__s64)(now - r->start_ns) < (__s64)IO_REQ_STALE_NS) ||
		    __sync_val_compare_and_swap(&r->key, old, key) != old)
			continue;
		return r;
	}
	stat_inc(STAT_IO_REQS_FULL);
	return NULL;
}

static __always_inline struct io_req *track(struct request *rq, __u32 slot, __u8 flags, __u64 now)
{
	struct io_req *r = slot_claim(ptr_to_u64(rq), now);

	if (r) {
		r->start_ns = now;
		r->insert_ns = 0;
		r->issue_ns = 0;
		r->slot = slot;
		r->flags = flags;
		r->moved = 0;
		r->slot2 = SLOT_NONE;
		r->bio0 = (__u64)BPF_CORE_READ(rq, bio);
		r->op = io_op(rq);
		r->dev_idx = dev_index(rq);
	}
	return r;
}

/* Who IO submitted now belongs to, in the words of struct io_req. */
struct io_owner {
	__u32 slot;
	__u8 flags; /* IO_F_* */
	__u8 pad[3];
};

/*
 * Whose is IO the current task submits now (@bio: the first bio of the request)? A
 * flusher's writeback is the dirtier's (SLOT_NONE if nobody traced: tracked anyway, as
 * a traced file's bios may be merged in); a kernel thread's IO for a non-root IO cgroup
 * is the target process that blocked on IO there (blk-throttle's dispatcher releasing
 * IO held back to a limit: its submitter's context saw no block event); else the
 * current task's, if it is in the target.
 */
static __always_inline bool owner_now(struct bio *bio, struct io_owner *out)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct task_ctx *c = task_ctx_get(t);
	struct blkcg_owner *o;
	struct proc_rec *p;
	__u32 dirtier, tgid, *slot;
	__u64 css;

	if (!c) {
		/*
		 * Its context out of reach (the task storage busy on this CPU: a program it
		 * interrupted holds it): a user task's IO is its process's, if that is known
		 */
		tgid = BPF_CORE_READ(t, tgid);
		slot = (t->flags & PF_KTHREAD) ? NULL : bpf_map_lookup_elem(&core_tgid_slot, &tgid);
		if (!slot || !(p = proc_of(*slot)) || p->pid != tgid)
			return false;
		out->slot = *slot;
		out->flags = 0;
		return true;
	}
	if (c->wb_inode) {
		dirtier = inode_dirtier(bpf_map_lookup_elem(&io_inodes, &c->wb_inode));
		out->slot = dirtier != INODE_SHARED ? dirtier : SLOT_NONE;
		out->flags = IO_F_WRITEBACK;
		return true;
	}
	if ((t->flags & PF_KTHREAD) && bio) {
		/* the css is the blkcg's first member: its address is the blkcg's */
		css = (__u64)BPF_CORE_READ(bio, bi_blkg, blkcg) +
		      bpf_core_field_offset(struct blkcg, css);
		o = bpf_map_lookup_elem(&core_blkcg_owner, &css);
		if (o && (p = proc_of_owner(o->slot, o->pid))) {
			p->io.deferred_cgid = o->cgid;
			out->slot = o->slot;
			out->flags = IO_F_DEFERRED;
			return true;
		}
	}
	c = filter_ctx(t, c, TS_ONCPU);
	if (!c)
		return false;
	out->slot = c->slot;
	out->flags = 0;
	return true;
}

/* No block_io_start (before 6.5): requests are claimed when first inserted or issued. */
const volatile __u32 cfg_io_claim_late = 0;

/*
 * Before 6.5: a new request's first bio -> its owner, decided in block_getrq, with the
 * bio's first sector. A bio that never heads a request (a request front-merged it
 * away) leaves its entry behind, and its memory may come back as another process's
 * bio: the sector must match the request's too.
 */
struct io_early {
	struct io_owner o;
	__u64 sector;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct io_early);
} io_bio_owner SEC(".maps");

/* Track @rq, seen for the first time: its owner decided now, or in block_getrq. */
static __always_inline struct io_req *claim(struct request *rq, __u64 now)
{
	struct bio *bio = BPF_CORE_READ(rq, bio);
	struct io_early *early = NULL;
	struct io_owner o;
	__u64 key = (__u64)bio;

	if (cfg_io_claim_late && bio && (early = bpf_map_lookup_elem(&io_bio_owner, &key))) {
		o = early->o;
		if (early->sector != BPF_CORE_READ(rq, __sector))
			early = NULL; /* another bio's, from before its memory was reused */
		bpf_map_delete_elem(&io_bio_owner, &key);
	}
	if (!early && !owner_now(bio, &o)) {
		/*
		 * nobody's: tracked all the same, so that whoever's context issues it later
		 * (a queue run dispatches every process's requests) does not claim it
		 */
		o.slot = SLOT_NONE;
		o.flags = 0;
	}
	return track(rq, o.slot, o.flags, now);
}

/*
 * Before 6.5, the one block event in the submitter's context that marks a new request:
 * its bio gets a request here, to be inserted or issued later -- after a plug is
 * flushed, by then perhaps out of the flusher's window on the file.
 */
SEC("?tp_btf/block_getrq")
int BPF_PROG(io_getrq, struct bio *bio)
{
	struct io_early e = {.sector = BPF_CORE_READ(bio, bi_iter.bi_sector)};
	__u64 key = (__u64)bio;

	if (owner_now(bio, &e.o))
		bpf_map_update_elem(&io_bio_owner, &key, &e, BPF_ANY);
	return 0;
}

SEC("?tp_btf/block_io_start")
int BPF_PROG(io_start, struct request *rq)
{
	claim(rq, bpf_ktime_get_ns());
	return 0;
}

/*
 * Before 6.5: @rq was made from a bio seen in block_getrq, not yet claimed -- a new
 * request, whatever an entry under its address says (one whose end went unseen).
 */
static __always_inline bool made_anew(struct request *rq)
{
	__u64 key = ptr_to_u64(BPF_CORE_READ(rq, bio));

	return cfg_io_claim_late && key && bpf_map_lookup_elem(&io_bio_owner, &key);
}

/* @rq's entry, none if it is made anew (see made_anew). */
static __always_inline struct io_req *req_known(struct request *rq)
{
	return made_anew(rq) ? NULL : req_find(rq);
}

SEC("?tp_btf/block_rq_insert")
int BPF_PROG(io_insert, struct request *rq)
{
	__u64 now = bpf_ktime_get_ns();
	struct io_req *r = req_known(rq);

	/* in the submitter's (or flusher's) context, before a busy queue defers the issue */
	if (!r && cfg_io_claim_late)
		r = claim(rq, now);
	if (r)
		r->insert_ns = now;
	return 0;
}

/*
 * Bios merged into a request already made -- perhaps another process's: requests of
 * every process wait in one device queue, and adjacent writes join -- by a traced
 * submitter: in io_reqs too, keyed by the bio's address (never a request's), with its
 * owner, and its first sector in insert_ns (checked: a bio's memory is reused).
 * Consumed when the request is issued (io_split). A slot costs a compare-and-swap
 * where a hash map update would cost ~600 ns.
 */
#define IO_OP_BIO 0xff /* an io_reqs entry that is a merged bio, not a request */

/* Entries of merged bios not yet consumed: while none, nobody's request needs a walk. */
__u64 io_merged_live = 0;

/* A global function: io_rq_merge's walk checks it once, not its probes once per bio. */
__noinline int merged_put(__u64 bio, __u32 slot, __u32 flags, __u64 sector, __u64 now)
{
	struct io_req *e = slot_claim(bio, now);

	if (!e)
		return 0;
	e->start_ns = now;
	e->insert_ns = sector;
	e->slot = slot;
	e->flags = flags;
	e->op = IO_OP_BIO;
	__sync_fetch_and_add(&io_merged_live, 1);
	return 0;
}

/* @bio joins a request: noted if a traced process submits it (writeback goes by file). */
static __always_inline void merge_note(struct bio *bio)
{
	struct io_owner o;

	if (owner_now(bio, &o) && !(o.flags & IO_F_WRITEBACK) && o.slot != SLOT_NONE)
		merged_put(ptr_to_u64(bio), o.slot, o.flags, bio->bi_iter.bi_sector,
			   bpf_ktime_get_ns());
}

SEC("?tp_btf/block_bio_backmerge")
int BPF_PROG(io_merge_back, struct bio *bio)
{
	merge_note(bio);
	return 0;
}

SEC("?tp_btf/block_bio_frontmerge")
int BPF_PROG(io_merge_front, struct bio *bio)
{
	merge_note(bio);
	return 0;
}

#define WB_BIO_WALK 16
#define PAGE_MAPPING_FLAGS 3 /* low bits of page->mapping: anonymous, movable */

/* Whose is @bio, in a writeback request of @owner: its file's dirtier's. */
static __always_inline __u32 wb_bio_owner(struct bio *bio, __u32 owner)
{
	__u64 mapping = (__u64)BPF_CORE_READ(bio, bi_io_vec, bv_page, mapping), inode;

	if (!mapping || (mapping & PAGE_MAPPING_FLAGS))
		return owner; /* not the page cache's: it goes with the request */
	inode = (__u64)BPF_CORE_READ((struct address_space *)mapping, host);
	return inode_dirtier(bpf_map_lookup_elem(&io_inodes, &inode));
}

/*
 * Whose is @bio, in a request of @owner made for @bio0: @bio0 is the owner's; another
 * was noted by merge_note if a traced process submitted it, else it is an untraced
 * process's.
 */
static __always_inline __u32 merged_bio_owner(struct bio *bio, __u64 bio0, __u32 owner)
{
	__u64 key = (__u64)bio;
	__u32 slot = SLOT_NONE;
	struct io_req *m;

	if (key == bio0)
		return owner;
	m = slot_find(key);
	if (!m || m->op != IO_OP_BIO)
		return SLOT_NONE;
	if (m->insert_ns == BPF_CORE_READ(bio, bi_iter.bi_sector))
		slot = m->slot;
	m->key = 0;
	__sync_fetch_and_sub(&io_merged_live, 1);
	return slot;
}

/*
 * Whose is @bio (an address), in a request of @owner made for @bio0 (0: a writeback
 * request). A global function: io_split's walk checked once per bio, not once per
 * path through the probes of slot_find() for each.
 */
__noinline __u32 bio_owner(__u64 bio, __u64 bio0, __u32 owner)
{
	return bio0 ? merged_bio_owner((struct bio *)bio, bio0, owner)
		    : wb_bio_owner((struct bio *)bio, owner);
}

/*
 * A request of @owner (SLOT_NONE: nobody traced) may hold bios merged in for someone
 * else: a writeback request (@bio0 0), other files' (the flusher writes adjacent files
 * one after the other), found from each bio's first page; another, other submitters'.
 * Walks its bios and counts the bytes of those that are not the owner's. Returns those
 * bytes << 32 | whose (INODE_SHARED if several). A global function, with the request's
 * address: verified once.
 */
__noinline __u64 io_split(__u64 rqp, __u64 bio0, __u32 owner)
{
	struct bio *bio = BPF_CORE_READ((struct request *)rqp, bio);
	__u32 moved = 0, other = SLOT_NONE;
	bool seen = false;

	for (int i = 0; i < WB_BIO_WALK && bio; i++) {
		__u32 bytes = BPF_CORE_READ(bio, bi_iter.bi_size);
		__u32 slot = bio_owner(ptr_to_u64(bio), bio0, owner);

		if (slot != owner) {
			moved += bytes;
			other = !seen || other == slot ? slot : INODE_SHARED;
			seen = true;
		}
		bio = BPF_CORE_READ(bio, bi_next);
	}
	return (__u64)moved << 32 | other;
}

/*
 * @rq is merged into another request and freed, never completing: its bios go with
 * their owner into the other one, and its slot is free.
 */
SEC("?tp_btf/block_rq_merge")
int BPF_PROG(io_rq_merge, struct request *rq)
{
	struct io_req *r = req_find(rq);
	__u64 now = bpf_ktime_get_ns();
	struct bio *bio;

	if (!r)
		return 0;
	if (r->slot != SLOT_NONE && !(r->flags & IO_F_WRITEBACK)) {
		bio = BPF_CORE_READ(rq, bio);
		for (int i = 0; i < WB_BIO_WALK && bio; i++) {
			merged_put(ptr_to_u64(bio), r->slot, r->flags,
				   BPF_CORE_READ(bio, bi_iter.bi_sector), now);
			bio = BPF_CORE_READ(bio, bi_next);
		}
	}
	r->key = 0;
	return 0;
}

SEC("?tp_btf/block_rq_issue")
int BPF_PROG(io_issue, struct request *rq)
{
	__u64 now = bpf_ktime_get_ns(), split;
	struct io_req *r = req_known(rq);

	/*
	 * Not seen before: made by the block layer itself (a flush), started before we
	 * attached, or a kernel without block_io_start (before 6.5), where this is the
	 * first sight of every request
	 */
	if (!r)
		r = claim(rq, now);
	if (!r)
		return 0;
	if (r->issue_ns) {
		/*
		 * issued again after a requeue (the device was busy; a requeued request
		 * takes no more merges): its bios were walked at its first issue, their
		 * notes used up -- a second walk would take its owner's own bytes away
		 */
		r->issue_ns = now;
		return 0;
	}
	r->issue_ns = now;
	if (r->flags & IO_F_WRITEBACK)
		split = io_split(ptr_to_u64(rq), 0, r->slot);
	else if (r->bio0 && BPF_CORE_READ(rq, bio) != BPF_CORE_READ(rq, biotail) &&
		 (r->op == IO_READ || r->op == IO_WRITE) &&
		 (r->slot != SLOT_NONE || io_merged_live))
		/* bios merged in: some may be another's (a traced request: an untraced one's) */
		split = io_split(ptr_to_u64(rq), r->bio0, r->slot);
	else
		return 0;
	r->moved = (__u32)(split >> 32);
	r->slot2 = (__u32)split;
	return 0;
}

/*
 * Keep this request if it is among this CPU's slowest. A global function: the verifier
 * checks it once, not once per path through io_done (its two loops over the table
 * would multiply those). Five arguments at most, hence the packing.
 */
__noinline int io_keep_slow(__u64 lat, __u64 queue, __u64 sector, __u64 bytes_slot,
			    __u64 dev_op_flags)
{
	struct cpu_ctx *cc = cpu_ctx();
	__u64 min_lat = ~0ULL, next_min = ~0ULL;
	__u32 min_i = 0;
	struct io_slow *e;

	/* the common case: faster than every request kept on this CPU */
	if (!cc || lat <= cc->io_slow_min)
		return 0;
	/* per CPU: completions on one CPU do not race; userspace merges the CPUs */
	for (__u32 i = 0; i < IO_SLOW_N; i++) {
		__u32 k = i;

		e = bpf_map_lookup_elem(&io_slow, &k);
		if (e && e->lat_ns < min_lat) {
			min_lat = e->lat_ns;
			min_i = i;
		}
	}
	if (lat <= min_lat || !(e = bpf_map_lookup_elem(&io_slow, &min_i)))
		return 0;
	/* the new fastest kept: the second fastest, or this one */
	for (__u32 i = 0; i < IO_SLOW_N; i++) {
		__u32 k = i;
		struct io_slow *o = bpf_map_lookup_elem(&io_slow, &k);

		if (o && i != min_i && o->lat_ns < next_min)
			next_min = o->lat_ns;
	}
	cc->io_slow_min = next_min < lat ? next_min : lat;
	e->lat_ns = lat;
	e->queue_ns = queue;
	e->sector = sector;
	e->bytes = (__u32)(bytes_slot >> 32);
	e->slot = (__u32)bytes_slot;
	e->dev = (__u32)(dev_op_flags >> 32);
	e->op = (__u8)(dev_op_flags >> 8);
	e->writeback = (__u8)dev_op_flags;
	return 0;
}

/*
 * A completed request, counted for its owner and its device. Global functions with
 * scalar arguments: verified once each, instead of along every path of io_done.
 * @what packs op << 8 | flags (IO_F_*) << 1 | final. Writeback is counted apart from
 * the IO a process submitted, but its device and queue times are in the process's
 * distributions: they are its data's.
 */
__noinline int io_account_proc(__u32 slot, __u32 what, __u64 bytes, __u64 lat, __u64 queue)
{
	struct proc_rec *p = proc_of(slot);
	__u32 op = what >> 8, flags = (what >> 1) & 0x7f;
	bool final = what & 1;
	struct stat_row *row;

	barrier_var(op);
	if (!p || op >= IO_OP_N)
		return 0;
	if (flags & IO_F_WRITEBACK) {
		__sync_fetch_and_add(&p->io.wb_bytes, bytes);
		if (final)
			__sync_fetch_and_add(&p->io.wb_ops, 1);
	} else {
		__sync_fetch_and_add(&p->io.bytes[op], bytes);
		if (final)
			__sync_fetch_and_add(&p->io.ops[op], 1);
		if (flags & IO_F_DEFERRED) {
			__sync_fetch_and_add(&p->io.deferred_bytes, bytes);
			if (final)
				__sync_fetch_and_add(&p->io.deferred_ops, 1);
		}
	}
	if (!final || !lat)
		return 0; /* never seen issued */
	row = row_get(p, slot, ROW_IO_LAT);
	if (row)
		row_add(row, lat);
	row = row_get(p, slot, ROW_IO_QUEUE);
	if (row)
		row_add(row, queue);
	return 0;
}

static __always_inline void dev_row_add(__u16 *idx_ptr, __u16 kind, __u32 dev_idx, __u64 v)
{
	__u32 idx = *idx_ptr;
	struct stat_row *row;

	if (!idx) {
		idx = row_alloc(SLOT_NONE, kind, dev_idx);
		*idx_ptr = idx;
	}
	row = bpf_map_lookup_elem(&core_rows, &idx);
	if (row)
		row_add(row, v);
}

__noinline int io_account_dev(__u32 dev_idx, __u32 what, __u64 bytes, __u64 lat, __u64 queue)
{
	__u32 di = dev_idx - 1, op = what >> 8;
	struct io_dev_rec *d = bpf_map_lookup_elem(&io_devs, &di);
	bool wb = what & (IO_F_WRITEBACK << 1), final = what & 1;

	barrier_var(op);
	if (!dev_idx || !d || op >= IO_OP_N)
		return 0;
	if (wb) {
		__sync_fetch_and_add(&d->wb_bytes, bytes);
		if (final)
			__sync_fetch_and_add(&d->wb_ops, 1);
	} else {
		__sync_fetch_and_add(&d->bytes[op], bytes);
		if (final)
			__sync_fetch_and_add(&d->ops[op], 1);
	}
	if (final && lat) {
		dev_row_add(&d->row_lat, ROW_IO_DEV_LAT, dev_idx, lat);
		dev_row_add(&d->row_queue, ROW_IO_DEV_QUEUE, dev_idx, queue);
	}
	return 0;
}

/* @slot's record if it is a traced process (not SLOT_NONE, not INODE_SHARED). */
static __always_inline struct proc_rec *proc_of_traced(__u32 slot)
{
	return slot != SLOT_NONE ? proc_of(slot) : NULL;
}

/*
 * The bytes of merged-in bios (io_split) leave the request's owner
 * for their own dirtier or submitter: the process, and the device, which counts the
 * target's IO only. Scalars only, five at most, hence the packing: a global function,
 * verified once. @what as for io_account_proc.
 */
__noinline int io_move(__u64 owner_other, __u64 moved_dev, __u32 what, __u64 lat, __u64 queue)
{
	__u32 owner = owner_other >> 32, other = (__u32)owner_other;
	__u32 moved = moved_dev >> 32, dev_idx = (__u32)moved_dev;
	struct proc_rec *from = proc_of_traced(owner), *to = proc_of_traced(other);
	__u32 di = dev_idx - 1, op = what >> 8;
	struct io_dev_rec *d = dev_idx ? bpf_map_lookup_elem(&io_devs, &di) : NULL;
	bool wb = what & (IO_F_WRITEBACK << 1);

	barrier_var(op);
	if (op >= IO_OP_N)
		return 0;
	if (from)
		__sync_fetch_and_sub(wb ? &from->io.wb_bytes : &from->io.bytes[op], moved);
	if (to)
		io_account_proc(other, what, moved, lat, queue);
	if (to && !from)
		io_account_dev(dev_idx, what, moved, lat, queue);
	else if (from && !to && d)
		__sync_fetch_and_sub(wb ? &d->wb_bytes : &d->bytes[op], moved);
	return 0;
}

SEC("?tp_btf/block_rq_complete")
int BPF_PROG(io_done, struct request *rq, blk_status_t error, unsigned int nr_bytes)
{
	__u64 now = bpf_ktime_get_ns(), lat = 0, queue = 0;
	struct io_req *r = req_find(rq);
	bool final = nr_bytes >= rq->__data_len;
	__u32 what, dev = 0;

	if (!r)
		return 0;
	if (r->issue_ns) {
		lat = now - r->issue_ns;
		queue = r->issue_ns - (r->insert_ns ?: r->start_ns);
	}
	what = (__u32)r->op << 8 | (__u32)r->flags << 1 | final;
	if (r->slot != SLOT_NONE) {
		struct proc_rec *owner = proc_of_traced(r->slot);

		io_account_proc(r->slot, what, nr_bytes, lat, queue);
		/* the target's devices: a peer's IO is its own */
		if (!owner || !(owner->flags & PROC_F_PEER))
			io_account_dev(r->dev_idx, what, nr_bytes, lat, queue);
	}
	if (final && r->moved)
		io_move((__u64)r->slot << 32 | r->slot2, (__u64)r->moved << 32 | r->dev_idx, what,
			lat, queue);
	if (final && lat && (r->slot != SLOT_NONE || proc_of_traced(r->slot2))) {
		__u32 di = r->dev_idx - 1;
		struct io_dev_rec *d = r->dev_idx ? bpf_map_lookup_elem(&io_devs, &di) : NULL;

		if (d)
			dev = d->dev;
		io_keep_slow(lat, queue, rq->__sector,
			     (__u64)rq->__data_len << 32 |
				     (r->slot != SLOT_NONE ? r->slot : r->slot2),
			     (__u64)dev << 32 | (__u32)r->op << 8 | r->flags);
	}
	if (final)
		r->key = 0; /* the slot is free again */
	return 0;
}

/* Bytes in @folio. */
static __always_inline __u64 folio_bytes(struct folio *folio)
{
	return (__u64)folio_nr_pages_of(folio) * cfg_page_size;
}

/*
 * A folio of @mapping becomes dirty, in the dirtier's context (before the inode is
 * marked: its I_DIRTY_PAGES says whether it held dirty pages already). Whose pages
 * the inode holds, until the next time it is clean:
 * - a clean inode: the dirtier's (SLOT_NONE if untraced);
 * - already dirty, by another: shared -- its writeback is nobody's in particular
 *   (a block device's inode, where filesystems keep metadata, is the usual case);
 * - already dirty, by nobody seen (before attach): a file keeps being written by
 *   whoever writes it now; a block device's inode stays nobody's.
 */
SEC("?tp_btf/writeback_dirty_folio")
int BPF_PROG(io_dirty, struct folio *folio, struct address_space *mapping)
{
	struct task_ctx *c = filter_task(bpf_get_current_task_btf(), TS_ONCPU);
	struct proc_rec *p = c ? proc_of(c->slot) : NULL;
	struct inode_owner me = {c ? c->slot : SLOT_NONE, p ? p->pid : 0}, *owner;
	struct inode_owner shared = {INODE_SHARED, 0};
	struct inode *host;
	__u64 inode;
	bool dirty;

	if (!mapping || !(host = mapping->host))
		return 0;
	inode = (__u64)host;
	dirty = inode_dirty_pages(host);
	owner = bpf_map_lookup_elem(&io_inodes, &inode);
	if (!dirty || (!owner && c && (host->i_mode & S_IFMT) != S_IFBLK)) {
		if ((!owner || owner->slot != me.slot || owner->pid != me.pid) &&
		    bpf_map_update_elem(&io_inodes, &inode, &me, BPF_ANY))
			stat_inc(STAT_INODES_FULL);
	} else if (!owner) {
		if (bpf_map_update_elem(&io_inodes, &inode, &shared, BPF_ANY))
			stat_inc(STAT_INODES_FULL);
	} else if (owner->slot != me.slot || owner->pid != me.pid) {
		owner->slot = INODE_SHARED;
		owner->pid = 0;
	}
	if (p)
		__sync_fetch_and_add(&p->io.dirtied_bytes, folio_bytes(folio));
	return 0;
}

SEC("?tp_btf/writeback_single_inode_start")
int BPF_PROG(io_wb_begin, struct inode *inode)
{
	struct task_ctx *c = bpf_task_storage_get(&core_task, bpf_get_current_task_btf(), 0,
						  BPF_LOCAL_STORAGE_GET_F_CREATE);

	if (c)
		c->wb_inode = (__u64)inode;
	return 0;
}

SEC("?tp_btf/writeback_single_inode")
int BPF_PROG(io_wb_end, struct inode *inode)
{
	struct task_ctx *c = bpf_task_storage_get(&core_task, bpf_get_current_task_btf(), 0, 0);

	if (c)
		c->wb_inode = 0;
	return 0;
}
