/* SPDX-License-Identifier: GPL-2.0 */
/* A stack set built by hand for the stack renderers' tests, and capturing what they write. */
#ifndef PROCSCOPE_STACKS_FIXTURE_H
#define PROCSCOPE_STACKS_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/stack_set.h"
#include "test.h"
#include "lib/util.h"

static inline uint32_t frame(struct stack_set *set, const char *name, const char *module,
			     bool kernel)
{
	set->frames = realloc(set->frames, sizeof(*set->frames) * (set->n_frames + 1));
	set->frames[set->n_frames] = (struct frame){
		.name = stacks_intern(set, name),
		.module = stacks_intern(set, module),
		.build_id = stacks_intern(set, ""),
		.kernel = kernel,
		.resolved = true,
	};
	return (uint32_t)set->n_frames++;
}

static inline void add_stack(struct stack_set *set, const char *comm, uint8_t kind, uint64_t count,
			     uint64_t ns, const uint32_t *frames, uint32_t n)
{
	struct stack *st;

	set->stacks = realloc(set->stacks, sizeof(*set->stacks) * (set->n + 1));
	st = &set->stacks[set->n++];
	memset(st, 0, sizeof(*st));
	snprintf(st->comm, sizeof(st->comm), "%s", comm);
	st->pid = 42;
	st->kind = kind;
	st->count = count;
	st->ns = ns;
	st->frames = malloc(sizeof(*st->frames) * n);
	memcpy(st->frames, frames, sizeof(*st->frames) * n);
	st->n_frames = n;
	if (kind == STACK_ONCPU)
		set->oncpu_samples += count;
	else
		set->offcpu_ns += ns;
}

static inline void fixture(struct stack_set *set)
{
	uint32_t main_, outer, hot, sched, tmpl, odd;

	memset(set, 0, sizeof(*set));
	set->freq_hz = 100;
	set->period_ns = 10000000;
	stacks_intern(set, "");
	main_ = frame(set, "main", "app", false);
	outer = frame(set, "outer", "app", false);
	hot = frame(set, "hot", "app", false);
	sched = frame(set, "schedule", "[kernel]", true);
	tmpl = frame(set, "std::vector<int>::push_back(int&&)", "app", false);
	odd = frame(set, "a;b\nc", "app", false);
	add_stack(set, "app", STACK_ONCPU, 30, 300000000, (uint32_t[]){main_, outer, hot}, 3);
	/* a second stack that symbolized the same: merged in folded output */
	add_stack(set, "app", STACK_ONCPU, 10, 100000000, (uint32_t[]){main_, outer, hot}, 3);
	add_stack(set, "app", STACK_ONCPU, 5, 50000000, (uint32_t[]){main_, tmpl}, 2);
	add_stack(set, "a<b>&", STACK_ONCPU, 1, 10000000, (uint32_t[]){odd}, 1);
	add_stack(set, "app", STACK_OFFCPU, 3, 250000000, (uint32_t[]){main_, outer, sched}, 3);
}

static inline char *capture(int (*fn)(FILE *, const struct stack_set *),
			    const struct stack_set *set)
{
	struct capture c;
	char *out;

	fn(capture_begin(&c), set);
	out = strdup(capture_end(&c));
	capture_free(&c);
	return out;
}

#endif
