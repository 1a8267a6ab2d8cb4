/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The stacks the kernel counted, as kernel/session_collect.c reads them (kernel stack ids resolved
 * to addresses, user stacks as the unwinder or the stack map left them), and their symbolization
 * into the model's stacks (model/stacks.h).
 */
#ifndef PROCSCOPE_RAW_STACKS_H
#define PROCSCOPE_RAW_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"
#include "kernel/pycode.h"
#include "model/snapshot.h"
#include "model/stack_set.h"

struct symbolizer;

/* One (process, kernel stack, user stack) the kernel counted. */
struct raw_stack {
	struct stack_key key;
	struct stack_val val;
	uint32_t n_k, n_u;
	bool u_bid;	/* user frames are build id + offset (on-CPU samples, fp), ... */
	bool u_unw;	/* ... frames the BPF unwinder wrote (FRAME_FILE or addresses), ... */
	uint32_t u_end; /* ... and how its walk ended (enum unwind_end); else addresses */
	uint64_t k[STACKS_KERNEL_DEPTH]; /* leaf first */
	union {
		uint64_t uip[STACKS_USER_IP_DEPTH];
		uint64_t uunw[UNWIND_DEPTH];
		struct stack_bid_frame ubid[STACKS_USER_DEPTH];
	};
};

struct raw_stacks {
	struct raw_stack *s;
	size_t n;
	struct py_codes py; /* the code objects their Python frames name */
};

/* Symbolize @raw into @set; @snap names the processes (pid, comm). */
void stacks_build(struct stack_set *set, const struct raw_stacks *raw, unsigned int freq_hz,
		  struct symbolizer *sym, const struct snapshot *snap);
void raw_stacks_release(struct raw_stacks *raw);

#endif
