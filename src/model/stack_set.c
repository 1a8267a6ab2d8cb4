// SPDX-License-Identifier: GPL-2.0
/* Stacks with their names and frames interned; see stacks.h. */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "model/stack_set.h"

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

uint32_t stacks_frame(struct stack_set *set, const char *name, const char *module,
		      const char *build_id, uint64_t offset, bool kernel, bool resolved)
{
	struct frame f = {
		.name = stacks_intern(set, name),
		.module = stacks_intern(set, module),
		.build_id = stacks_intern(set, build_id ? build_id : ""),
		.offset = offset,
		.kernel = kernel,
		.resolved = resolved,
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
