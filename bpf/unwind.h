/* SPDX-License-Identifier: GPL-2.0 */
/*
 * User stacks walked in the kernel with the unwind rows userspace made from each
 * file's call frame information (include/unwind_abi.h, src/symbols/cfi.c), for on-CPU
 * samples (profile.bpf.c) and off-CPU blocks (sched.bpf.c). Code built without frame
 * pointers -- every Debian package -- unwinds to its entry point; where a process's
 * mappings are not loaded yet, or an address has no rule, frame pointers take over
 * for that frame.
 *
 * One frame: find the mapping (binary search in the process's sorted mappings), the
 * row (binary search in the file's rows), compute the CFA, read the return address
 * and perhaps the saved rbp from the user stack: two to three probe reads and ~30
 * inlined array lookups. The frame loop runs under bpf_loop() (5.17): its body is
 * verified once, whatever the depth.
 *
 * Included by stacks.h, whose STACKS_DEFINE (profile.bpf.c) defines the maps.
 */
#ifndef PROCSCOPE_BPF_UNWIND_H
#define PROCSCOPE_BPF_UNWIND_H

#include "core.h"

/* walk user stacks with the unwind tables (else: the kernel's frame-pointer walk) */
STACKS_GLOBAL const volatile __u32 cfg_unwind STACKS_INIT(0);

/* Sizes are set by userspace before load (session.c); these are placeholders. */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_row);
} unwind_rows SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_file);
} unwind_files SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_map);
} unwind_maps SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unwind_dir);
} unwind_dir SEC(".maps");

/*
 * Files with rows, by inode: an address in a mapping the process's table does not
 * have yet (a library mapped since it was read) is placed through the kernel's VMA
 * and unwound at once, if some process already brought its file's rows.
 */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FRAME_FILE_MAX + 1);
	__type(key, struct unwind_inode);
	__type(value, __u32);
} unwind_inodes SEC(".maps");

/* A VMA, as bpf_find_vma() shows it. */
struct uw_vma {
	__u64 start, end, pgoff;
	struct unwind_inode inode; /* zero: anonymous memory (JIT code) */
};

/*
 * VMAs the walker learned from the kernel for a process (by slot), since its last
 * exec: bpf_find_vma() works once per walk in an interrupt or in sched_switch (its
 * unlock waits for an irq_work), so a walk that crosses two libraries not yet
 * published finds the second here, from an earlier walk.
 */
#define UW_VMAS 4
struct uw_vmas {
	__u64 exec_ns; /* the process's exec (or birth) they belong to */
	__u32 next;
	__u32 pad;
	struct uw_vma v[UW_VMAS];
};

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct uw_vmas);
} unwind_vmas SEC(".maps");

#ifdef STACKS_DEFINE
static const struct uw_vmas uw_vmas_zero;
#endif

/*
 * A walk in a tracepoint's program, and one in the profiler's, which runs in NMI and
 * may interrupt the first on its CPU: each its own entry of the maps below.
 */
enum uw_nest {
	UW_NEST_TP = 0,
	UW_NEST_NMI = 1,
	UW_NESTS,
};

/* the stack being walked on this CPU: too big for the BPF stack */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UW_NESTS);
	__type(key, __u32);
	__type(value, struct stack_user);
} unwind_scratch SEC(".maps");

/* walked stacks, each stored once under its hash */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, struct stack_user);
} stacks_unwound SEC(".maps");

/* Python: each known interpreter version's layout (userspace fills it) */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PY_LAYOUTS);
	__type(key, __u32);
	__type(value, struct py_layout);
} py_layouts SEC(".maps");

/*
 * Python code objects, read by the walker the first time a process's stack holds
 * one: names and line table, so that they are named after the process is gone.
 */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 2048);
	__type(key, struct py_code_key);
	__type(value, struct py_code);
} py_codes SEC(".maps");

STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UW_NESTS);
	__type(key, __u32);
	__type(value, struct py_code);
} py_scratch SEC(".maps");

#ifdef STACKS_DEFINE
/* a process's mappings are asked for again at most this often */
#define UNWIND_MISS_EVERY_NS (20ULL * 1000 * 1000)
/* ucontext_t in a signal frame: uc_mcontext.gregs[] at 40, REG_RBP 10, RSP 15, RIP 16 */
#define SIGFRAME_RBP (40 + 10 * 8)
#define SIGFRAME_RSP (40 + 15 * 8)
#define SIGFRAME_RIP (40 + 16 * 8)

struct uw_walk {
	__u64 ip, sp, bp;
	__u64 hash;
	__u32 maps_first, maps_n; /* the process's mappings in unwind_maps */
	__u32 n;		  /* frames so far */
	__u32 end;		  /* enum unwind_end, once done */
	__u8 exact;		  /* ip is where the task is, not a return address */
	__u8 bp_ok;		  /* rbp still holds the frame's value */
	__u8 miss;		  /* an address in none of the process's known mappings */
	__u8 fp;		  /* a frame was walked with frame pointers */
	__u8 vma_tried;		  /* bpf_find_vma() was called (it works once) */
	__u8 nest;		  /* enum uw_nest: the entry of unwind_walks and unwind_scratch */
	__u8 pad[2];
	__u32 slot;
	__u64 exec_ns;	   /* its last exec, or birth: its unwind_vmas entry must match */
	struct uw_vma vma; /* the last VMA found: frames come back to one library often */
	/* Python: the thread state searched for, then the frame to walk next */
	__u64 py_ts;
	__u64 py_frame;
	__u32 py_tid;	 /* the thread's id in its pid namespace, as CPython knows it */
	__u32 py_tgid;	 /* the process's, as py_codes keys it */
	__u32 py_layout; /* index into py_layouts */
	__u32 py_last;	 /* 1 + the index of the last Python frame's first entry, 0: none */
};

/*
 * The walk's state, likewise: off the BPF stack, whose 512 bytes a caller's frame and
 * the walk's three (unwind_walk, uw_frame, the search) share on Linux 6.1 -- it counts
 * bpf_loop()'s callbacks as calls, and sched_waking's frame with them came to 544
 */
STACKS_GLOBAL struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, UW_NESTS);
	__type(key, __u32);
	__type(value, struct uw_walk);
} unwind_walks SEC(".maps");

static __always_inline __u64 uw_read(__u64 addr, bool *ok)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		*ok = false;
	return v;
}

/*
 * Binary search for the last entry at or below a key, one step per bpf_loop()
 * iteration: as a plain loop, the verifier would walk every path through every
 * step (2^24 of them) and give up.
 */
struct uw_search {
	__u32 lo, hi, first;
	__u32 file; /* rows: 1; mappings: 0 */
	__u64 key;
};

static long uw_search_step(__u32 i, struct uw_search *q)
{
	__u32 mid, idx;
	__u64 at;

	if (q->lo >= q->hi)
		return 1;
	mid = q->lo + (q->hi - q->lo) / 2;
	idx = q->first + mid;
	if (q->file) {
		struct unwind_row *r = bpf_map_lookup_elem(&unwind_rows, &idx);

		if (!r)
			return 1;
		at = r->pc;
	} else {
		struct unwind_map *m = bpf_map_lookup_elem(&unwind_maps, &idx);

		if (!m)
			return 1;
		at = m->start;
	}
	if (at <= q->key)
		q->lo = mid + 1;
	else
		q->hi = mid;
	return 0;
}

static long uw_vma_cb(struct task_struct *t, struct vm_area_struct *vma, struct uw_vma *v)
{
	struct file *f = BPF_CORE_READ(vma, vm_file);
	struct inode *ino;

	if (!(vma->vm_flags & 0x4 /* VM_EXEC */))
		return 0;
	v->start = vma->vm_start;
	v->end = vma->vm_end;
	v->pgoff = vma->vm_pgoff;
	if (!f)
		return 0; /* anonymous: JIT code */
	ino = BPF_CORE_READ(f, f_inode);
	v->inode.ino = BPF_CORE_READ(ino, i_ino);
	v->inode.dev = BPF_CORE_READ(ino, i_sb, s_dev);
	return 0;
}

/*
 * A mapping entry for VMA @v: its file's id if the file's rows are loaded, else 0.
 * Map keys are copied to the stack first: verifiers before 6.3 or so take keys only
 * from the stack or a map value, not from memory a global function was given.
 */
static __always_inline void uw_vma_map(const struct uw_vma *v, struct unwind_map *out)
{
	struct unwind_inode key = v->inode;
	struct unwind_file *f;
	__u32 *id;

	out->start = v->start;
	out->end = v->end;
	out->file_id = 0;
	if (!key.ino || !(id = bpf_map_lookup_elem(&unwind_inodes, &key)) ||
	    !(f = bpf_map_lookup_elem(&unwind_files, id)))
		return;
	out->file_id = *id;
	out->bias = v->start - (v->pgoff << 12) - f->text_delta;
}

/*
 * @pc is in none of the mappings userspace published (it has not read them since the
 * process mapped more): its VMA, from this walk, from earlier walks, or from the
 * kernel, as a mapping entry in @out. false if @pc is in no executable mapping.
 */
static __always_inline bool uw_find_vma(struct uw_walk *w, __u64 pc, struct unwind_map *out)
{
	struct uw_vma v = {};
	struct uw_vmas *c;
	__u32 slot = w->slot; /* a key on the stack (see uw_vma_map) */

	if (pc >= w->vma.start && pc < w->vma.end) {
		uw_vma_map(&w->vma, out);
		return true;
	}
	c = bpf_map_lookup_elem(&unwind_vmas, &slot);
	if (c && c->exec_ns == w->exec_ns) {
		for (__u32 i = 0; i < UW_VMAS; i++) {
			if (pc >= c->v[i].start && pc < c->v[i].end) {
				w->vma = c->v[i];
				uw_vma_map(&w->vma, out);
				return true;
			}
		}
	}
	if (w->vma_tried)
		return false;
	w->vma_tried = 1;
	if (bpf_find_vma(bpf_get_current_task_btf(), pc, uw_vma_cb, &v, 0) || !v.end)
		return false;
	w->vma = v;
	uw_vma_map(&v, out);
	if (!c || c->exec_ns != w->exec_ns) {
		/* a zeroed value from .bss: the BPF stack has no room for one */
		bpf_map_update_elem(&unwind_vmas, &slot, &uw_vmas_zero, BPF_ANY);
		c = bpf_map_lookup_elem(&unwind_vmas, &slot);
		if (!c)
			return true;
		c->exec_ns = w->exec_ns;
	}
	c->v[c->next & (UW_VMAS - 1)] = v;
	c->next++;
	return true;
}

/* The mapping holding @pc; NULL if none. */
static __always_inline struct unwind_map *uw_find_map(struct uw_walk *w, __u64 pc)
{
	struct uw_search q = {.hi = w->maps_n, .first = w->maps_first, .key = pc};
	struct unwind_map *m;
	__u32 idx;

	bpf_loop(11, uw_search_step, &q, 0); /* UNWIND_MAPS_MAX = 2^10 */
	if (!q.lo)
		return NULL;
	idx = q.first + q.lo - 1;
	m = bpf_map_lookup_elem(&unwind_maps, &idx);
	return m && pc < m->end ? m : NULL;
}

/* The row in effect at file address @pc of file @file_id; NULL if none. */
static __always_inline struct unwind_row *uw_find_row(__u32 file_id, __u64 pc)
{
	struct unwind_file *f = bpf_map_lookup_elem(&unwind_files, &file_id);
	struct uw_search q = {.file = 1, .key = pc};
	__u32 idx;

	if (!f || pc > 0xffffffffULL)
		return NULL;
	q.first = f->first;
	q.hi = f->n;
	bpf_loop(UNWIND_SEARCH, uw_search_step, &q, 0);
	if (!q.lo)
		return NULL;
	idx = q.first + q.lo - 1;
	return bpf_map_lookup_elem(&unwind_rows, &idx);
}

/* Step to the caller: its stack pointer @sp, its return address @ip. 0 to go on, 1 to stop. */
static __always_inline long uw_to_caller(struct uw_walk *w, __u64 sp, __u64 ip, bool ok)
{
	if (!ok) {
		w->end = UW_END_READ;
		return 1;
	}
	w->sp = sp;
	w->ip = ip;
	w->exact = 0;
	if (!ip) {
		w->end = UW_END_COMPLETE; /* a zero return address ends a stack too */
		return 1;
	}
	return 0;
}

/* One frame by frame pointers: the caller's frame from rbp. */
static __always_inline long uw_fp_step(struct uw_walk *w)
{
	__u64 ra, fp = w->bp;
	bool ok = true;

	w->fp = 1;
	if (!w->bp_ok || fp <= w->sp || (fp & 7)) {
		w->end = UW_END_NOINFO;
		return 1;
	}
	ra = uw_read(fp + 8, &ok);
	w->bp = uw_read(fp, &ok);
	return uw_to_caller(w, fp + 16, ra, ok);
}

/*
 * One frame. A global function: the verifier checks it once, with every field of
 * @w unknown -- inlined in the loop's callback, it would check it again for each
 * combination of the walk's flags and counters it can tell apart, past its limit.
 */
__noinline int uw_frame(struct uw_walk *w, __u32 i)
{
	__u32 nest = w ? w->nest : 0;
	struct stack_user *out = bpf_map_lookup_elem(&unwind_scratch, &nest);
	__u64 n = i, pc, at, frame, cfa, ra;
	struct unwind_map *m, vm;
	struct unwind_row *r;
	bool ok = true;
	__u32 file_id;
	__s64 off;

	if (!w || !out)
		return 1;
	pc = frame = w->ip;
	at = w->exact ? pc : pc - 1;
	if (n >= UNWIND_DEPTH) {
		w->end = UW_END_DEPTH;
		return 1;
	}
	m = uw_find_map(w, at);
	if (!m) {
		/* not in the published mappings: stale, or an address that is not code */
		w->miss = 1;
		if (uw_find_vma(w, at, &vm))
			m = &vm;
	}
	/* a return address in no executable mapping: a frame-pointer walk gone astray */
	if (!m && n) {
		w->end = UW_END_BAD;
		return 1;
	}
	file_id = m ? m->file_id : 0;
	if (file_id && file_id <= FRAME_FILE_MAX)
		frame = FRAME_FILE | (__u64)file_id << FRAME_FILE_SHIFT |
			((pc - m->bias) & FRAME_ADDR_MASK);
	out->frames[n] = frame;
	w->n = n + 1;
	w->hash = (w->hash ^ frame) * 0x9e3779b97f4a7c15ULL;
	w->hash ^= w->hash >> 29;
	if (!m)
		return uw_fp_step(w);
	if (!file_id)
		return uw_fp_step(w); /* JIT code, or a file without rows */
	r = uw_find_row(file_id, at - m->bias);
	if (!r)
		return uw_fp_step(w);
	off = r->cfa_off;
	if (r->how & UW_SCALED)
		off *= 8;
	switch (UW_HOW_CFA(r->how)) {
	case UW_CFA_RSP:
		cfa = w->sp + off;
		break;
	case UW_CFA_RBP:
		if (!w->bp_ok) {
			w->end = UW_END_RULE;
			return 1;
		}
		cfa = w->bp + off;
		break;
	case UW_CFA_PLT:
		cfa = w->sp + 8 + (((pc & 15) >= (__u64)off) ? 8 : 0);
		break;
	case UW_CFA_DEREF_RBP:
		if (!w->bp_ok) {
			w->end = UW_END_RULE;
			return 1;
		}
		cfa = uw_read(w->bp + off, &ok);
		break;
	case UW_CFA_END:
		w->end = UW_END_COMPLETE;
		return 1;
	case UW_CFA_SIGNAL:
		/* a signal handler returned here: the interrupted registers */
		w->bp = uw_read(w->sp + SIGFRAME_RBP, &ok);
		w->ip = uw_read(w->sp + SIGFRAME_RIP, &ok);
		w->sp = uw_read(w->sp + SIGFRAME_RSP, &ok);
		w->bp_ok = 1;
		w->exact = 1;
		if (!ok) {
			w->end = UW_END_READ;
			return 1;
		}
		return 0;
	case UW_CFA_NONE:
		return uw_fp_step(w); /* hand-written code without CFI */
	default:
		w->end = UW_END_RULE;
		return 1;
	}
	if (!ok) {
		w->end = UW_END_READ;
		return 1;
	}
	/* the stack unwinds upwards: anything else is a corrupt stack or a bad rule */
	if (cfa <= w->sp) {
		w->end = UW_END_BAD;
		return 1;
	}
	ra = uw_read(cfa - 8, &ok);
	switch (UW_HOW_RBP(r->how)) {
	case UW_RBP_CFA:
		w->bp = uw_read(cfa + (__s64)r->rbp_off * 8, &ok);
		break;
	case UW_RBP_RBP:
		w->bp = uw_read(w->bp + (__s64)r->rbp_off * 8, &ok);
		break;
	case UW_RBP_UNDEF:
		w->bp_ok = 0;
		break;
	}
	return uw_to_caller(w, cfa, ra, ok);
}

/* @ctx: the walk's entry of unwind_walks (bpf_loop() passes a pointer to the stack) */
static long uw_step(__u32 i, __u32 *nest)
{
	struct uw_walk *w = bpf_map_lookup_elem(&unwind_walks, nest);

	if (!w)
		return 1;
	return uw_frame(w, i) ? 1 : 0; /* the verifier wants 0 or 1, visibly */
}

/* A compact string's text (ASCII, or its cached UTF-8) into @dst; @tail: its end. */
static __always_inline int py_str(const struct py_layout *L, __u64 str, char *dst, __u32 size,
				  bool tail, __u8 *cut)
{
	__u8 state = 0;
	__u64 len = 0, text = 0;

	if (!str || bpf_probe_read_user(&state, 1, (void *)(str + L->str_state)))
		return -1;
	if ((state & 0x60) == 0x60) {
		text = str + L->str_ascii_data;
		bpf_probe_read_user(&len, sizeof(len), (void *)(str + L->str_length));
	} else if (state & 0x20) {
		bpf_probe_read_user(&text, sizeof(text), (void *)(str + L->str_utf8));
	}
	if (!text)
		return -1;
	/* a long path: its end, where the file's own name is */
	if (tail && len >= size) {
		text += len - (size - 1);
		*cut = 1;
	}
	return bpf_probe_read_user_str(dst, size, (void *)text) > 0 ? 0 : -1;
}

/* First sight of code object @code in this process: its names and line table. */
static __always_inline void py_code_note(struct uw_walk *w, const struct py_layout *L, __u64 code,
					 __u32 stamp)
{
	struct py_code_key k = {.code = code, .tgid = w->py_tgid, .stamp = stamp};
	__u32 nest = w->nest;
	struct py_code *c;
	__u64 str = 0, lines = 0, size = 0;

	if (bpf_map_lookup_elem(&py_codes, &k))
		return;
	c = bpf_map_lookup_elem(&py_scratch, &nest);
	if (!c)
		return;
	__builtin_memset(c, 0, sizeof(*c));
	bpf_probe_read_user(&c->firstlineno, sizeof(c->firstlineno),
			    (void *)(code + L->co_firstlineno));
	bpf_probe_read_user(&str, sizeof(str), (void *)(code + L->co_qualname));
	if (py_str(L, str, c->qualname, sizeof(c->qualname), false, &c->pad))
		return;
	str = 0;
	bpf_probe_read_user(&str, sizeof(str), (void *)(code + L->co_filename));
	py_str(L, str, c->file, sizeof(c->file), true, &c->file_cut);
	bpf_probe_read_user(&lines, sizeof(lines), (void *)(code + L->co_linetable));
	if (lines && !bpf_probe_read_user(&size, sizeof(size), (void *)(lines + L->bytes_size))) {
		if (size > PY_LINES_MAX)
			size = PY_LINES_MAX;
		if (size > 0 &&
		    !bpf_probe_read_user(c->lines, size & 511, (void *)(lines + L->bytes_data)))
			c->lines_len = (__u16)size;
	}
	c->pad = 0;
	bpf_map_update_elem(&py_codes, &k, c, BPF_NOEXIST);
}

/* One thread state of the interpreter: the current thread's? */
static long py_thread_step(__u32 i, __u32 *nest)
{
	struct uw_walk *w = bpf_map_lookup_elem(&unwind_walks, nest);
	const struct py_layout *L;
	__u64 ts, tid = 0;
	__u32 idx;

	if (!w || !w->py_ts)
		return 1;
	idx = w->py_layout;
	L = bpf_map_lookup_elem(&py_layouts, &idx);
	if (!L)
		return 1;
	ts = w->py_ts;
	bpf_probe_read_user(&tid, sizeof(tid), (void *)(ts + L->ts_native_tid));
	if (tid == w->py_tid) {
		__u64 cf = 0;

		bpf_probe_read_user(&cf, sizeof(cf), (void *)(ts + L->ts_cframe));
		if (cf && L->cf_current_frame != 0xffff)
			bpf_probe_read_user(&w->py_frame, sizeof(w->py_frame),
					    (void *)(cf + L->cf_current_frame));
		else
			w->py_frame = cf; /* no _PyCFrame: the current frame itself */
		return 1;
	}
	w->py_ts = 0;
	bpf_probe_read_user(&w->py_ts, sizeof(w->py_ts), (void *)(ts + L->ts_next));
	return 0;
}

/* One Python frame, after the native ones: two entries (FRAME_PY_AT, FRAME_PY_CODE). */
__noinline int py_frame(struct uw_walk *w)
{
	__u32 nest = w ? w->nest : 0, idx = w ? w->py_layout : 0;
	struct stack_user *out = bpf_map_lookup_elem(&unwind_scratch, &nest);
	const struct py_layout *L = bpf_map_lookup_elem(&py_layouts, &idx);
	__u64 f, code = 0, prev = 0, instr = 0, at, pos, qual = 0, file = 0, stamp;
	__u32 first = 0;
	__u8 owner = 0, entry = 0;
	__u32 n;

	if (!w || !out || !L || !w->py_frame)
		return 1;
	f = w->py_frame;
	n = w->n;
	if (n >= UNWIND_DEPTH - 1)
		return 1;
	bpf_probe_read_user(&prev, sizeof(prev), (void *)(f + L->fr_previous));
	w->py_frame = prev;
	bpf_probe_read_user(&owner, 1, (void *)(f + L->fr_owner));
	if (L->owner_cstack != 0xff && owner == L->owner_cstack) {
		/* the eval function's own shim: the frame above was its first */
		__u32 j = w->py_last - 1;

		if (w->py_last && j < UNWIND_DEPTH)
			out->frames[j] |= FRAME_PY_ENTRY;
		return 0;
	}
	if (bpf_probe_read_user(&code, sizeof(code), (void *)(f + L->fr_code)) || !code)
		return 1;
	bpf_probe_read_user(&instr, sizeof(instr), (void *)(f + L->fr_prev_instr));
	/* the code object's stamp: its qualified name, file name and first line */
	bpf_probe_read_user(&qual, sizeof(qual), (void *)(code + L->co_qualname));
	bpf_probe_read_user(&file, sizeof(file), (void *)(code + L->co_filename));
	bpf_probe_read_user(&first, sizeof(first), (void *)(code + L->co_firstlineno));
	stamp = (qual ^ file * 0x9e3779b97f4a7c15ULL ^ first) * 0x9e3779b97f4a7c15ULL;
	stamp = (stamp >> 56) & FRAME_PY_STAMP_MAX;
	if (L->fr_is_entry)
		bpf_probe_read_user(&entry, 1, (void *)(f + L->fr_is_entry));
	/* the instruction's index: 2-byte code units from the code's first */
	pos = instr > code + L->co_code_adaptive ? (instr - code - L->co_code_adaptive) / 2 : 0;
	if (pos > FRAME_PY_IDX_MAX)
		pos = FRAME_PY_IDX_MAX;
	at = FRAME_PY_AT | (__u64)w->py_tgid << FRAME_PY_TGID_SHIFT |
	     stamp << FRAME_PY_STAMP_SHIFT | pos << FRAME_PY_IDX_SHIFT |
	     (entry ? FRAME_PY_ENTRY : 0);
	out->frames[n] = at;
	out->frames[n + 1] = FRAME_PY_CODE | (code & FRAME_ADDR_MASK);
	w->py_last = n + 1;
	w->n = n + 2;
	w->hash = (w->hash ^ at) * 0x9e3779b97f4a7c15ULL;
	w->hash = (w->hash ^ code) * 0x9e3779b97f4a7c15ULL;
	w->hash ^= w->hash >> 29;
	py_code_note(w, L, code, (__u32)stamp);
	return 0;
}

static long py_step(__u32 i, __u32 *nest)
{
	struct uw_walk *w = bpf_map_lookup_elem(&unwind_walks, nest);

	if (!w)
		return 1;
	return py_frame(w) ? 1 : 0;
}

/* The current task's id in its own pid namespace (CPython's native_thread_id). */
static __always_inline __u32 uw_ns_tid(void)
{
	struct task_struct *t = bpf_get_current_task_btf();
	struct pid *pid = BPF_CORE_READ(t, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	bpf_core_read(&up, sizeof(up), &pid->numbers[level & 31]);
	return (__u32)up.nr;
}

/*
 * A Python process: the current thread's Python frames, after its native ones (@d:
 * its directory entry, the interpreter's _PyRuntime there).
 */
static __always_inline void py_walk(struct uw_walk *w, const struct unwind_dir *d, __u32 nest)
{
	__u32 idx = d->py_layout;
	const struct py_layout *L = bpf_map_lookup_elem(&py_layouts, &idx);
	__u64 interp = 0;

	if (!L || !d->py_runtime || w->n >= UNWIND_DEPTH - 1)
		return;
	w->py_layout = idx;
	w->py_tgid = (__u32)(bpf_get_current_pid_tgid() >> 32);
	w->py_tid = uw_ns_tid();
	bpf_probe_read_user(&interp, sizeof(interp), (void *)(d->py_runtime + L->rt_interp_head));
	if (!interp)
		return;
	bpf_probe_read_user(&w->py_ts, sizeof(w->py_ts), (void *)(interp + L->is_threads_head));
	bpf_loop(PY_THREADS, py_thread_step, &nest, 0);
	if (w->py_frame)
		bpf_loop(PY_DEPTH, py_step, &nest, 0);
}

/*
 * Walk the user stack whose registers are @ip, @sp, @bp, of the current task, of the
 * process in @slot; store it in stacks_unwound. Its hash, 0 for none. A global
 * function: the verifier checks it once, not once per path through each caller
 * (sched_switch alone has hundreds). Defined by profile.bpf.c.
 */
__noinline __u64 unwind_walk(__u64 ip, __u64 sp, __u64 bp, __u32 slot, __u32 nest)
{
	struct unwind_dir *d = bpf_map_lookup_elem(&unwind_dir, &slot);
	struct stack_user *out = bpf_map_lookup_elem(&unwind_scratch, &nest);
	struct uw_walk *w = bpf_map_lookup_elem(&unwind_walks, &nest);
	struct proc_rec *p = proc_of(slot);
	__u64 now, hash;

	if (!out || !w || !ip)
		return 0;
	__builtin_memset(w, 0, sizeof(*w));
	w->bp_ok = 1;
	w->exact = 1;
	w->hash = 0xcbf29ce484222325ULL;
	w->nest = (__u8)nest;
	w->ip = ip;
	w->sp = sp;
	w->bp = bp;
	w->slot = slot;
	/*
	 * The program the slot runs: since the process's last exec, or its birth if it
	 * was born traced (the kernel's fold gives a slot to the next process before
	 * userspace forgets the last one's mappings; a process there before the attach,
	 * never folded, had its mappings read before it). Mappings read before describe
	 * another program.
	 */
	w->exec_ns = p ? p->exec_ns : 0;
	if (p && !(p->flags & (PROC_F_PRESENT | PROC_F_LAUNCHED)) && p->start_ns > w->exec_ns)
		w->exec_ns = p->start_ns;
	if (d && d->n && !(p && w->exec_ns > d->maps_ns)) {
		w->maps_first = d->first;
		w->maps_n = d->n;
	}
	bpf_loop(UNWIND_DEPTH + 1, uw_step, &nest, 0);
	if (!w->end)
		w->end = UW_END_DEPTH;
	if (w->fp && w->end != UW_END_COMPLETE && !w->maps_n)
		w->end = UW_END_FP;
	if (d && w->maps_n && d->py_runtime)
		py_walk(w, d, nest);
	out->n = w->n;
	out->flags = w->end;
	if (!w->n)
		return 0;
	/*
	 * ask userspace for the mappings again: a library loaded since, or an exec -- but
	 * not at the process's first stack, whose own event asks for them (note_stacks())
	 */
	if (d && p && (p->flags & PROC_F_STACKS) && (w->miss || w->exec_ns > d->maps_ns) &&
	    slot != SLOT_OVERFLOW) {
		now = bpf_ktime_get_ns();
		if (now - d->miss_ns > UNWIND_MISS_EVERY_NS) {
			d->miss_ns = now;
			emit_proc_event(EV_MAPS, p->pid, slot);
		}
	}
	hash = w->hash | 1; /* never 0 */
	if (!bpf_map_lookup_elem(&stacks_unwound, &hash) &&
	    bpf_map_update_elem(&stacks_unwound, &hash, out, BPF_NOEXIST) &&
	    !bpf_map_lookup_elem(&stacks_unwound, &hash)) {
		stat_inc(STAT_USTACK_LOST);
		return 0;
	}
	return hash;
}
#else
__u64 unwind_walk(__u64 ip, __u64 sp, __u64 bp, __u32 slot, __u32 nest);
#endif

/*
 * The user stack of @t (current), of the process in @slot: its hash, 0 for none.
 * @nest: UW_NEST_NMI from the profiler, else UW_NEST_TP.
 */
static __always_inline __u64 unwind_user(struct task_struct *t, __u32 slot, __u32 nest)
{
	struct proc_rec *p = proc_of(slot);
	struct pt_regs *regs;

	/* a kernel thread has no user stack; an exiting task no longer has its memory */
	if ((t->flags & PF_KTHREAD) || !BPF_CORE_READ(t, mm))
		return 0;
	/* the command before its exec runs procscope's launcher: not the workload's code */
	if (p && (p->flags & (PROC_F_LAUNCHED | PROC_F_EXECED)) == PROC_F_LAUNCHED)
		return 0;
	regs = (struct pt_regs *)bpf_task_pt_regs(t);
	if (!regs)
		return 0;
	return unwind_walk(regs->ip, regs->sp, regs->bp, slot, nest);
}

#endif
