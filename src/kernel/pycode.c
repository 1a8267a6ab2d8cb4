// SPDX-License-Identifier: GPL-2.0
/* CPython's layouts and the code objects read; see pycode.h. */
#include <stdlib.h>
#include <string.h>

#include "kernel/pycode.h"
#include "lib/util.h"

/*
 * Offsets from CPython's own headers (Include/internal: pycore_runtime.h,
 * pycore_interp.h, pycore_frame.h; Include/cpython: pystate.h, code.h,
 * unicodeobject.h, bytesobject.h), x86-64, compiled with Py_BUILD_CORE and offsetof;
 * 3.11 as Debian's python3.11-dev has them.
 */
static const struct py_layout layouts[PY_LAYOUTS] = {
	[1] =
		{
			.rt_interp_head = 40,
			.is_threads_head = 16,
			.ts_next = 8,
			.ts_native_tid = 160,
			.ts_cframe = 56,
			.cf_current_frame = 8,
			.fr_code = 32,
			.fr_previous = 48,
			.fr_prev_instr = 56,
			.fr_is_entry = 68,
			.fr_owner = 69,
			.co_code_adaptive = 184,
			.co_firstlineno = 72,
			.co_filename = 112,
			.co_qualname = 128,
			.co_linetable = 136,
			.str_length = 16,
			.str_state = 32,
			.str_ascii_data = 48,
			.str_utf8 = 56,
			.bytes_size = 16,
			.bytes_data = 32,
			.owner_cstack = 0xff,
		},
	/*
	 * 3.12 (3.12.1's headers): no is_entry -- an eval call's first frame sits on a
	 * shim frame owned by the C stack; strings lost their wstr field.
	 */
	[2] =
		{
			.rt_interp_head = 40,
			.is_threads_head = 72,
			.ts_next = 8,
			.ts_native_tid = 144,
			.ts_cframe = 56,
			.cf_current_frame = 0,
			.fr_code = 0,
			.fr_previous = 8,
			.fr_prev_instr = 56,
			.fr_is_entry = 0,
			.fr_owner = 70,
			.co_code_adaptive = 192,
			.co_firstlineno = 68,
			.co_filename = 112,
			.co_qualname = 128,
			.co_linetable = 136,
			.str_length = 16,
			.str_state = 32,
			.str_ascii_data = 40,
			.str_utf8 = 48,
			.bytes_size = 16,
			.bytes_data = 32,
			.owner_cstack = 3,
		},
	/*
	 * 3.13 (3.13.0's headers; the build with the GIL): the thread state holds its
	 * current frame itself (no _PyCFrame); a frame's code is f_executable, its
	 * instruction instr_ptr (the same index as 3.11's prev_instr gives).
	 */
	[3] =
		{
			.rt_interp_head = 632,
			.is_threads_head = 7344,
			.ts_next = 8,
			.ts_native_tid = 160,
			.ts_cframe = 72,
			.cf_current_frame = 0xffff,
			.fr_code = 0,
			.fr_previous = 8,
			.fr_prev_instr = 56,
			.fr_is_entry = 0,
			.fr_owner = 70,
			.co_code_adaptive = 200,
			.co_firstlineno = 68,
			.co_filename = 112,
			.co_qualname = 128,
			.co_linetable = 136,
			.str_length = 16,
			.str_state = 32,
			.str_ascii_data = 40,
			.str_utf8 = 48,
			.bytes_size = 16,
			.bytes_data = 32,
			.owner_cstack = 3,
		},
};

uint32_t py_layout_index(uint32_t version)
{
	switch (version >> 16) {
	case 0x030b:
		return 1;
	case 0x030c:
		return 2;
	case 0x030d:
		return 3;
	default:
		return 0;
	}
}

const struct py_layout *py_layout_at(uint32_t index)
{
	return index && index < PY_LAYOUTS && layouts[index].ts_next ? &layouts[index] : NULL;
}

struct py_code_key py_code_key_of(uint64_t at, uint64_t code)
{
	at &= FRAME_ADDR_MASK;
	return (struct py_code_key){
		.code = code & FRAME_ADDR_MASK,
		.tgid = (uint32_t)(at >> FRAME_PY_TGID_SHIFT),
		.stamp = (uint32_t)((at >> FRAME_PY_STAMP_SHIFT) & FRAME_PY_STAMP_MAX),
	};
}

static uint64_t key_hash(const struct py_code_key *k)
{
	uint64_t h = (k->code ^ (uint64_t)k->tgid << 40 ^ (uint64_t)k->stamp << 32) *
		     0x9e3779b97f4a7c15ULL;

	return h ^ h >> 29;
}

static bool key_eq(const struct py_code_key *a, const struct py_code_key *b)
{
	return a->code == b->code && a->tgid == b->tgid && a->stamp == b->stamp;
}

/* Where @k is in the index, or the empty bucket it would take. */
static size_t probe(const struct py_codes *t, const struct py_code_key *k)
{
	size_t j = key_hash(k) & (t->index_cap - 1);

	while (t->index[j] && !key_eq(&t->e[t->index[j] - 1].k, k))
		j = (j + 1) & (t->index_cap - 1);
	return j;
}

static const struct py_entry *find(const struct py_codes *t, const struct py_code_key *k)
{
	size_t j;

	if (!t->n)
		return NULL;
	j = probe(t, k);
	return t->index[j] ? &t->e[t->index[j] - 1] : NULL;
}

bool py_codes__has(const struct py_codes *t, const struct py_code_key *k)
{
	return find(t, k) != NULL;
}

void py_codes__put(struct py_codes *t, const struct py_code_key *k, const struct py_code *v)
{
	if (find(t, k))
		return;
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->e = xrealloc(t->e, t->cap * sizeof(*t->e));
	}
	/* the index at most half full */
	if ((t->n + 1) * 2 > t->index_cap) {
		free(t->index);
		t->index_cap = t->index_cap ? t->index_cap * 2 : 128;
		t->index = xcalloc(t->index_cap, sizeof(*t->index));
		for (size_t i = 0; i < t->n; i++)
			t->index[probe(t, &t->e[i].k)] = (uint32_t)i + 1;
	}
	t->e[t->n].k = *k;
	t->e[t->n].v = *v;
	t->index[probe(t, k)] = (uint32_t)++t->n;
}

const struct py_code *py_codes__get(const struct py_codes *t, const struct py_code_key *k)
{
	const struct py_entry *e = find(t, k);

	return e ? &e->v : NULL;
}

void py_codes__release(struct py_codes *t)
{
	free(t->e);
	free(t->index);
	memset(t, 0, sizeof(*t));
}
