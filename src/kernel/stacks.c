// SPDX-License-Identifier: GPL-2.0
/* Raw kernel stacks to symbolized, interned, root-first stacks; see stacks.h. */
#include <stdlib.h>
#include <string.h>

#include "model/snapshot.h"
#include "model/stacks.h"
#include "symbols/symbolize.h"
#include "lib/util.h"

static uint64_t fnv1a(const void *p, size_t n, uint64_t h)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

#define FNV_SEED 0xcbf29ce484222325ULL

/* Open addressing over indexes (0 = empty slot, stored as index + 1). */
static void grow_index(uint32_t **index, size_t *cap, size_t used)
{
	if (used * 2 < *cap)
		return;
	free(*index);
	*cap = *cap ? *cap * 2 : 1024;
	*index = xcalloc(*cap, sizeof(**index));
}

static void rehash_strs(struct stack_set *set)
{
	grow_index(&set->str_index, &set->str_cap, set->n_strs);
	memset(set->str_index, 0, set->str_cap * sizeof(*set->str_index));
	for (size_t i = 0; i < set->n_strs; i++) {
		uint64_t h = fnv1a(set->strs[i], strlen(set->strs[i]), FNV_SEED);
		size_t j = h & (set->str_cap - 1);

		while (set->str_index[j])
			j = (j + 1) & (set->str_cap - 1);
		set->str_index[j] = (uint32_t)i + 1;
	}
}

uint32_t stacks_intern(struct stack_set *set, const char *s)
{
	uint64_t h = fnv1a(s, strlen(s), FNV_SEED);
	size_t j;

	if ((set->n_strs + 1) * 2 >= set->str_cap)
		rehash_strs(set);
	for (j = h & (set->str_cap - 1); set->str_index[j]; j = (j + 1) & (set->str_cap - 1))
		if (!strcmp(set->strs[set->str_index[j] - 1], s))
			return set->str_index[j] - 1;
	set->strs = xrealloc(set->strs, sizeof(*set->strs) * (set->n_strs + 1));
	set->strs[set->n_strs] = xstrdup(s);
	set->str_index[j] = (uint32_t)set->n_strs + 1;
	return (uint32_t)set->n_strs++;
}

static uint64_t frame_hash(const struct frame *f)
{
	uint64_t h = fnv1a(&f->name, sizeof(f->name), FNV_SEED);

	h = fnv1a(&f->module, sizeof(f->module), h);
	return fnv1a(&f->kernel, sizeof(f->kernel), h);
}

static bool frame_eq(const struct frame *a, const struct frame *b)
{
	return a->name == b->name && a->module == b->module && a->kernel == b->kernel;
}

static void rehash_frames(struct stack_set *set)
{
	grow_index(&set->frame_index, &set->frame_cap, set->n_frames);
	memset(set->frame_index, 0, set->frame_cap * sizeof(*set->frame_index));
	for (size_t i = 0; i < set->n_frames; i++) {
		size_t j = frame_hash(&set->frames[i]) & (set->frame_cap - 1);

		while (set->frame_index[j])
			j = (j + 1) & (set->frame_cap - 1);
		set->frame_index[j] = (uint32_t)i + 1;
	}
}

/* One frame per (function, module, kernel or not): pprof locations and flame graph nodes. */
static uint32_t frame_intern(struct stack_set *set, const struct sym_frame *sf, bool kernel)
{
	struct frame f = {
		.name = stacks_intern(set, sf->name),
		.module = stacks_intern(set, sf->module),
		.build_id = stacks_intern(set, sf->build_id ? sf->build_id : ""),
		.offset = sf->offset,
		.kernel = kernel,
		.resolved = sf->resolved,
	};
	size_t j;

	if ((set->n_frames + 1) * 2 >= set->frame_cap)
		rehash_frames(set);
	for (j = frame_hash(&f) & (set->frame_cap - 1); set->frame_index[j];
	     j = (j + 1) & (set->frame_cap - 1))
		if (frame_eq(&set->frames[set->frame_index[j] - 1], &f))
			return set->frame_index[j] - 1;
	set->frames = xrealloc(set->frames, sizeof(*set->frames) * (set->n_frames + 1));
	set->frames[set->n_frames] = f;
	set->frame_index[j] = (uint32_t)set->n_frames + 1;
	return (uint32_t)set->n_frames++;
}

static int cmp_stack_ns(const void *a, const void *b)
{
	const struct stack *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

static void user_frame(struct symbolizer *sym, uint32_t slot, const struct raw_stack *r, uint32_t u,
		       struct sym_frame *sf)
{
	if (r->u_unw && (r->uunw[u] & FRAME_FILE))
		symbolizer__user_file(sym,
				      (uint32_t)((r->uunw[u] & ~FRAME_FILE) >> FRAME_FILE_SHIFT),
				      r->uunw[u] & FRAME_ADDR_MASK, sf);
	else if (r->u_unw)
		symbolizer__user_ip(sym, slot, r->uunw[u], sf);
	else if (r->u_bid)
		symbolizer__user_bid(sym, slot, &r->ubid[u], sf);
	else
		symbolizer__user_ip(sym, slot, r->uip[u], sf);
}

void stacks_build(struct stack_set *set, const struct raw_stacks *raw, unsigned int freq_hz,
		  struct symbolizer *sym, const struct snapshot *snap)
{
	memset(set, 0, sizeof(*set));
	set->freq_hz = freq_hz;
	set->period_ns = freq_hz ? NSEC_PER_SEC / freq_hz : 0;
	stacks_intern(set, "");
	set->stacks = xcalloc(raw->n ? raw->n : 1, sizeof(*set->stacks));
	for (size_t i = 0; i < raw->n; i++) {
		const struct raw_stack *r = &raw->s[i];
		struct stack *st = &set->stacks[set->n++];
		uint64_t weight = r->val.count;
		uint32_t skip, n_u;
		bool own = false;

		st->slot = r->key.slot;
		st->kind = r->key.kind;
		st->wclass = r->key.wclass;
		st->count = r->val.count;
		st->ns = r->key.kind == STACK_ONCPU ? r->val.count * set->period_ns : r->val.ns;
		for (size_t p = 0; snap && p < snap->n_procs; p++) {
			if (snap->procs[p].slot == st->slot) {
				st->pid = snap->procs[p].pid;
				memcpy(st->comm, snap->procs[p].comm, sizeof(st->comm));
				break;
			}
		}
		if (!st->comm[0])
			snprintf(st->comm, sizeof(st->comm), "[unknown]");
		st->frames = xmalloc(sizeof(*st->frames) * (r->n_u + r->n_k + 1));
		/*
		 * A frame-pointer walk through code that keeps data in rbp wanders off into
		 * data: the stack ends at the first return address outside executable code.
		 */
		n_u = r->n_u;
		for (uint32_t u = 1; u < r->n_u; u++) {
			struct sym_frame sf;

			user_frame(sym, st->slot, r, u, &sf);
			if (!sf.code) {
				n_u = u;
				set->user_truncated += weight;
				break;
			}
		}
		/*
		 * the unwinder stopped at a return address in no executable mapping, or at
		 * code with no unwind rule and no usable frame pointer
		 */
		if (r->u_unw && (r->u_end == UW_END_BAD || r->u_end == UW_END_NOINFO))
			set->user_truncated += weight;
		if (r->n_u) {
			set->user_stacks += weight;
			set->user_unwound += r->u_unw ? weight : 0;
			set->user_complete += r->u_unw && r->u_end == UW_END_COMPLETE ? weight : 0;
		}
		/* user frames outermost first, then kernel frames from the entry to the leaf */
		for (uint32_t u = n_u; u-- > 0;) {
			struct sym_frame sf;

			user_frame(sym, st->slot, r, u, &sf);
			st->frames[st->n_frames++] = frame_intern(set, &sf, false);
			set->user_frames += weight;
			set->user_resolved += sf.resolved ? weight : 0;
		}
		/*
		 * an aggregate's user frames that were bare addresses of processes now gone,
		 * or its stacks beyond the table of them (src/stackstore.h)
		 */
		if (!r->n_u &&
		    (r->key.ustack == STACK_ID_FORGOTTEN || r->key.ustack == STACK_ID_BEYOND)) {
			struct sym_frame sf = {
				.name = r->key.ustack == STACK_ID_BEYOND
						? "[stacks beyond the table]"
						: "[user frames of exited processes]",
				.module = "[unknown]",
				.build_id = "",
				.code = true};

			st->frames[st->n_frames++] = frame_intern(set, &sf, false);
			set->user_stacks += weight;
			set->user_truncated += weight;
		}
		/* an off-CPU stack was taken inside procscope's own program: not the workload's */
		skip = 0;
		while (st->kind == STACK_OFFCPU && skip < r->n_k) {
			struct sym_frame sf;

			symbolizer__kernel(sym, r->k[skip], &sf);
			if (sf.resolved && strncmp(sf.name, "bpf_", 4) &&
			    strncmp(sf.name, "__bpf_", 6))
				break;
			skip++;
		}
		for (uint32_t k = r->n_k; k-- > skip;) {
			struct sym_frame sf;

			symbolizer__kernel(sym, r->k[k], &sf);
			st->frames[st->n_frames++] = frame_intern(set, &sf, true);
			own |= sf.own;
			set->kernel_frames += weight;
			set->kernel_resolved += sf.resolved ? weight : 0;
		}
		if (st->kind == STACK_ONCPU) {
			set->oncpu_samples += st->count;
			set->own_samples += own ? st->count : 0;
		} else {
			set->offcpu_count += st->count;
			set->offcpu_ns += st->ns;
		}
	}
	qsort(set->stacks, set->n, sizeof(*set->stacks), cmp_stack_ns);
}

void stacks_release(struct stack_set *set)
{
	for (size_t i = 0; i < set->n; i++)
		free(set->stacks[i].frames);
	free(set->stacks);
	for (size_t i = 0; i < set->n_strs; i++)
		free(set->strs[i]);
	free(set->strs);
	free(set->frames);
	free(set->str_index);
	free(set->frame_index);
	memset(set, 0, sizeof(*set));
}

void raw_stacks_release(struct raw_stacks *raw)
{
	free(raw->s);
	raw->s = NULL;
	raw->n = 0;
}
