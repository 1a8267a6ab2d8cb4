// SPDX-License-Identifier: GPL-2.0
/* Stack counts of recycled processes, in userspace; see stackstore.h. */
#include <stdlib.h>
#include <string.h>

#include "kernel/stackstore.h"
#include "lib/util.h"

static uint64_t key_hash(const struct stack_key *k)
{
	uint64_t h = 1469598103934665603ULL;
	const uint64_t f[] = {k->slot, (uint32_t)k->kstack, (uint32_t)k->ustack,
			      (uint64_t)k->kind << 8 | k->wclass, k->uhash};

	for (size_t i = 0; i < ARRAY_SIZE(f); i++)
		h = (h ^ f[i]) * 1099511628211ULL;
	return h ^ (h >> 31);
}

static bool key_eq(const struct stack_key *a, const struct stack_key *b)
{
	return a->slot == b->slot && a->kstack == b->kstack && a->ustack == b->ustack &&
	       a->kind == b->kind && a->wclass == b->wclass && a->uhash == b->uhash &&
	       a->pid16 == b->pid16;
}

/* The index of @k, or where it would go (an empty entry of the table). */
static size_t probe(const struct stackstore *st, const struct stack_key *k)
{
	size_t h = key_hash(k) & (st->ht_cap - 1);

	while (st->ht[h] && !key_eq(&st->keys[st->ht[h] - 1], k))
		h = (h + 1) & (st->ht_cap - 1);
	return h;
}

static void rehash(struct stackstore *st)
{
	st->ht_cap = st->ht_cap ? st->ht_cap * 2 : 256;
	free(st->ht);
	st->ht = xcalloc(st->ht_cap, sizeof(*st->ht));
	for (size_t i = 0; i < st->n; i++)
		st->ht[probe(st, &st->keys[i])] = (uint32_t)i + 1;
}

bool stackstore__add(struct stackstore *st, const struct stack_key *k, const struct stack_val *v)
{
	struct stack_key key = *k;
	size_t h;

	if (!st->ht_cap)
		rehash(st);
	h = probe(st, &key);
	if (!st->ht[h] && st->n >= STACKSTORE_MAX) {
		/* the catch-all: the aggregate and the kind, no frames */
		key = (struct stack_key){.slot = k->slot,
					 .kstack = -1,
					 .ustack = STACK_ID_BEYOND,
					 .kind = k->kind,
					 .wclass = k->wclass};
		h = probe(st, &key);
	}
	if (!st->ht[h]) {
		if (st->n == st->cap) {
			st->cap = st->cap ? st->cap * 2 : 256;
			st->keys = xrealloc(st->keys, st->cap * sizeof(*st->keys));
			st->vals = xrealloc(st->vals, st->cap * sizeof(*st->vals));
		}
		st->keys[st->n] = key;
		memset(&st->vals[st->n], 0, sizeof(*st->vals));
		st->ht[h] = (uint32_t)++st->n;
		if (st->n * 2 > st->ht_cap)
			rehash(st);
		h = probe(st, &key);
	}
	st->vals[st->ht[h] - 1].count += v->count;
	st->vals[st->ht[h] - 1].ns += v->ns;
	return key.ustack == k->ustack;
}

void stackstore__release(struct stackstore *st)
{
	free(st->keys);
	free(st->vals);
	free(st->ht);
	memset(st, 0, sizeof(*st));
}
