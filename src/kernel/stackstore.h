/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stack counts of recycled processes, under their aggregates (recycle.h), kept in
 * userspace: the kernel's stacks_counts then holds the live processes' only, and does
 * not fill up over a long run. Bounded: beyond STACKSTORE_MAX stacks, a new one is
 * counted in its aggregate's catch-all (no frames: "[stacks beyond the table]").
 * Plain memory only: the unit tests drive it.
 */
#ifndef PROCSCOPE_STACKSTORE_H
#define PROCSCOPE_STACKSTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"

/* half of stacks_unwound's entries: the walks of live processes keep the other half */
#define STACKSTORE_MAX 8192

struct stackstore {
	struct stack_key *keys;
	struct stack_val *vals;
	size_t n, cap;
	uint32_t *ht; /* index + 1, open addressing */
	size_t ht_cap;
};

/*
 * Add @v to @k's counts; a new key beyond STACKSTORE_MAX goes to its catch-all. False
 * then: the stack @k named is not kept.
 */
bool stackstore__add(struct stackstore *st, const struct stack_key *k, const struct stack_val *v);
void stackstore__release(struct stackstore *st);

#endif
