/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stacks as the renderers read them: symbolized, root first, with frames and names
 * interned (pprof wants a string table and one location per frame anyway). Built
 * once, for the final report, from the raw kernel stacks (kernel/raw_stacks.h).
 */
#ifndef PROCSCOPE_STACKS_H
#define PROCSCOPE_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core_abi.h"

struct frame {
	uint32_t name;	   /* string index */
	uint32_t module;   /* string index */
	uint32_t build_id; /* string index (hex), 0 if unknown */
	uint64_t offset;   /* file offset (user) or address (kernel) of the first occurrence */
	bool kernel;
	bool resolved;
};

struct stack {
	uint32_t slot, pid;
	char comm[COMM_LEN + 1];
	uint8_t kind;	  /* enum stack_kind */
	uint8_t wclass;	  /* off-CPU: enum wait_class */
	uint64_t count;	  /* samples, or off-CPU intervals */
	uint64_t ns;	  /* on-CPU: samples x period; off-CPU: time away */
	uint32_t *frames; /* frame indexes, root (outermost user frame) first */
	uint32_t n_frames;
};

struct stack_set {
	unsigned int freq_hz;
	uint64_t period_ns;
	struct stack *stacks; /* by ns, descending */
	size_t n;
	struct frame *frames;
	size_t n_frames;
	char **strs; /* interned; [0] = "" */
	size_t n_strs;
	uint64_t oncpu_samples, offcpu_count, offcpu_ns;
	/* sample-weighted symbolization: how many user/kernel frames got a name */
	uint64_t user_frames, user_resolved, kernel_frames, kernel_resolved;
	/* stacks (sample-weighted) cut at a return address outside executable code */
	uint64_t user_truncated;
	/* stacks (weighted) with user frames; of them, walked with unwind tables, and
	 * walked to the outermost frame (_start, a thread's start) */
	uint64_t user_stacks, user_unwound, user_complete;
	/* ... and with Python frames (bpf/unwind.h walks CPython's) */
	uint64_t python_stacks;
	/* on-CPU samples inside procscope's own BPF programs: its overhead */
	uint64_t own_samples;
	/* internals */
	uint32_t *str_index, *frame_index;
	size_t str_cap, frame_cap;
};

void stacks_release(struct stack_set *set);

/* Intern @s; returns its index (used by tests and the pprof writer). */
uint32_t stacks_intern(struct stack_set *set, const char *s);
/* The one frame of (@name, @module, @kernel), interned; its index in set->frames. */
uint32_t stacks_frame(struct stack_set *set, const char *name, const char *module,
		      const char *build_id, uint64_t offset, bool kernel, bool resolved);

#endif
