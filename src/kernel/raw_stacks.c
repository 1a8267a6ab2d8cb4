// SPDX-License-Identifier: GPL-2.0
/* Raw kernel stacks to symbolized, interned, root-first stacks; see raw_stacks.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/pycode.h"
#include "kernel/raw_stacks.h"
#include "model/snapshot.h"
#include "model/stack_set.h"
#include "symbols/python.h"
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

/* Where @r's Python frames start (bpf/unwind.h appends them): n_u if it has none. */
static uint32_t py_first(const struct raw_stack *r)
{
	for (uint32_t u = 0; r->u_unw && u < r->n_u; u++)
		if ((r->uunw[u] & FRAME_PY_MASK) == FRAME_PY_AT)
			return u;
	return r->n_u;
}

/*
 * The Python frame at @u of @r (FRAME_PY_AT, then FRAME_PY_CODE): "qualname
 * (file.py:line)", named from the code object the walker read; into @buf.
 */
static void py_frame(const struct py_codes *py, const struct raw_stack *r, uint32_t u,
		     struct sym_frame *sf, char *buf, size_t len)
{
	uint64_t at = r->uunw[u] & FRAME_ADDR_MASK, code = r->uunw[u + 1] & FRAME_ADDR_MASK;
	struct py_code_key k = py_code_key_of(at, code);
	const struct py_code *c = py ? py_codes__get(py, &k) : NULL;
	char name[PY_NAME_MAX + 1], file[PY_FILE_MAX + 1];
	const char *base;
	int line;

	*sf = (struct sym_frame){.name = buf, .module = "[python]", .build_id = "", .code = true};
	if (!c) {
		snprintf(buf, len, "[python code 0x%llx]", (unsigned long long)code);
		return;
	}

	snprintf(name, sizeof(name), "%.*s", PY_NAME_MAX, c->qualname);
	snprintf(file, sizeof(file), "%.*s", PY_FILE_MAX, c->file);
	base = strrchr(file, '/');
	base = base ? base + 1 : file;
	line = py_line(c->lines, c->lines_len, c->firstlineno,
		       (uint32_t)((at >> FRAME_PY_IDX_SHIFT) & FRAME_PY_IDX_MAX));
	if (line > 0)
		snprintf(buf, len, "%s (%s:%d)", name, base, line);
	else
		snprintf(buf, len, "%s (%s)", name, base);
	sf->offset = line > 0 ? (uint64_t)line : 0;
	sf->resolved = true;
}

/* Python frames from @p to the end of their group (its entry frame), into @ids. */
static uint32_t py_group(struct stack_set *set, const struct py_codes *py,
			 const struct raw_stack *r, uint32_t *p, uint32_t *ids, uint64_t weight)
{
	char buf[PY_NAME_MAX + PY_FILE_MAX + 32];
	struct sym_frame sf;
	uint32_t n = 0;
	bool entry;

	do {
		entry = r->uunw[*p] & FRAME_PY_ENTRY;
		py_frame(py, r, *p, &sf, buf, sizeof(buf));
		ids[n++] = frame_intern(set, &sf, false);
		set->user_frames += weight;
		set->user_resolved += sf.resolved ? weight : 0;
		*p += 2;
	} while (!entry && *p + 1 < r->n_u);
	return n;
}

static bool is_eval(const struct sym_frame *sf)
{
	return !strcmp(sf->name, "_PyEval_EvalFrameDefault");
}

/*
 * @r's user frames, leaf first, interned into @ids (room for n_u): the native ones of
 * the first @n_nat, each group of Python frames in place of the interpreter's eval
 * function that ran it (a group ends at its entry frame). Groups beyond the eval
 * frames named: the innermost's function runs in code without a name (its cold part,
 * split off by the compiler) when the native walk is whole -- they go leafmost; else
 * the walk ended first, and they go outermost. How many.
 */
static uint32_t user_frames(struct stack_set *set, struct symbolizer *sym,
			    const struct py_codes *py, const struct raw_stack *r, uint32_t slot,
			    uint32_t n_nat, uint32_t *ids, uint64_t weight)
{
	uint32_t n = 0, p = py_first(r), groups = 0, evals = 0;
	struct sym_frame sf;

	for (uint32_t q = p; q + 1 < r->n_u; q += 2)
		groups += q + 3 >= r->n_u || (r->uunw[q] & FRAME_PY_ENTRY);
	for (uint32_t u = 0; groups && u < n_nat; u++) {
		user_frame(sym, slot, r, u, &sf);
		evals += is_eval(&sf);
	}
	for (; r->u_end == UW_END_COMPLETE && groups > evals; groups--)
		n += py_group(set, py, r, &p, ids + n, weight);
	for (uint32_t u = 0; u < n_nat; u++) {
		user_frame(sym, slot, r, u, &sf);
		if (p + 1 < r->n_u && is_eval(&sf)) {
			n += py_group(set, py, r, &p, ids + n, weight);
			continue;
		}
		ids[n++] = frame_intern(set, &sf, false);
		set->user_frames += weight;
		set->user_resolved += sf.resolved ? weight : 0;
	}
	while (p + 1 < r->n_u)
		n += py_group(set, py, r, &p, ids + n, weight);
	return n;
}

void stacks_build(struct stack_set *set, const struct raw_stacks *raw, unsigned int freq_hz,
		  struct symbolizer *sym, const struct snapshot *snap)
{
	uint32_t ids[UNWIND_DEPTH];

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
		n_u = py_first(r);
		for (uint32_t u = 1; u < py_first(r); u++) {
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
			set->python_stacks += py_first(r) < r->n_u ? weight : 0;
		}
		/* user frames outermost first, then kernel frames from the entry to the leaf */
		for (uint32_t u = user_frames(set, sym, &raw->py, r, st->slot, n_u, ids, weight);
		     u-- > 0;)
			st->frames[st->n_frames++] = ids[u];
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
	py_codes__release(&raw->py);
	raw->s = NULL;
	raw->n = 0;
}
