// SPDX-License-Identifier: GPL-2.0
/* Raw kernel stacks to symbolized, interned, root-first stacks; see raw_stacks.h. */
#include <stdlib.h>
#include <string.h>

#include "kernel/raw_stacks.h"
#include "model/snapshot.h"
#include "model/stack_set.h"
#include "symbols/symbolize.h"
#include "lib/util.h"

static int cmp_stack_ns(const void *a, const void *b)
{
	const struct stack *x = a, *y = b;

	if (x->ns != y->ns)
		return x->ns < y->ns ? 1 : -1;
	return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* One frame per (function, module, kernel or not): pprof locations and flame graph nodes. */
static uint32_t frame_intern(struct stack_set *set, const struct sym_frame *sf, bool kernel)
{
	return stacks_frame(set, sf->name, sf->module, sf->build_id, sf->offset, kernel,
			    sf->resolved);
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
		symbolizer__user_bid(sym, slot, r->ubid[u].status == 1, r->ubid[u].build_id,
				     r->ubid[u].offset_or_ip, sf);
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
		const struct process *pr;

		st->slot = r->key.slot;
		st->kind = r->key.kind;
		st->wclass = r->key.wclass;
		st->count = r->val.count;
		st->ns = r->key.kind == STACK_ONCPU ? r->val.count * set->period_ns : r->val.ns;
		pr = snap ? snapshot_proc_of_slot(snap, st->slot) : NULL;
		if (pr) {
			st->pid = pr->pid;
			memcpy(st->comm, pr->comm, sizeof(st->comm));
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
		 * or its stacks beyond the table of them (src/kernel/stackstore.h)
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
		/*
		 * an off-CPU stack was taken inside procscope's own program, called by the
		 * tracepoint: those frames are not the workload's
		 */
		skip = 0;
		while (st->kind == STACK_OFFCPU && skip < r->n_k) {
			struct sym_frame sf;

			symbolizer__kernel(sym, r->k[skip], &sf);
			if (sf.resolved && !sf.own && strncmp(sf.name, "bpf_", 4) &&
			    strncmp(sf.name, "__bpf_", 6) && strncmp(sf.name, "__traceiter_", 12))
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
		} else if (st->kind == STACK_OFFCPU) {
			set->offcpu_count += st->count;
			set->offcpu_ns += st->ns;
		}
	}
	qsort(set->stacks, set->n, sizeof(*set->stacks), cmp_stack_ns);
}

void raw_stacks_release(struct raw_stacks *raw)
{
	free(raw->s);
	raw->s = NULL;
	raw->n = 0;
}
