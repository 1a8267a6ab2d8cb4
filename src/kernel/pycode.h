/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Python frames (include/unwind_abi.h, bpf/unwind.h): the interpreter versions whose
 * layouts procscope knows, and the code objects the walker read, kept by userspace
 * for naming (the kernel's table is an LRU: a code object met long ago may be gone
 * from it by the end).
 */
#ifndef PROCSCOPE_PYCODE_H
#define PROCSCOPE_PYCODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unwind_abi.h"

/*
 * The layout of CPython @version (PY_VERSION_HEX) in py_layouts: 1.. PY_LAYOUTS - 1,
 * or 0 for a version procscope has no layout of.
 */
uint32_t py_layout_index(uint32_t version);
/* The layout at @index (1.. PY_LAYOUTS - 1), or NULL. */
const struct py_layout *py_layout_at(uint32_t index);
struct py_entry {
	struct py_code_key k;
	struct py_code v;
};

/* Code objects by (process, address, stamp): appended, found through a hash index. */
struct py_codes {
	struct py_entry *e;
	size_t n, cap;
	uint32_t *index; /* 1 + an entry's position; 0: empty */
	size_t index_cap;
};

/* The key of the code object a Python frame (its two entries @at, @code) names. */
struct py_code_key py_code_key_of(uint64_t at, uint64_t code);

bool py_codes__has(const struct py_codes *t, const struct py_code_key *k);
void py_codes__put(struct py_codes *t, const struct py_code_key *k, const struct py_code *v);
const struct py_code *py_codes__get(const struct py_codes *t, const struct py_code_key *k);
void py_codes__release(struct py_codes *t);

#endif
